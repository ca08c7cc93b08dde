/* soundstyle-sound-view.h: a sound's waveform and spectrogram, drawn with Cairo
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "adis.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_SOUND_VIEW (soundstyle_sound_view_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleSoundView, soundstyle_sound_view, SOUNDSTYLE, SOUND_VIEW, GtkWidget)

GtkWidget  *soundstyle_sound_view_new             (void);

/* The waveform; NULL clears the view */
void        soundstyle_sound_view_set_sound       (SoundstyleSoundView *self,
                                                   AdisSound           *sound);
/* What the model hears: [ADIS_STFT_BINS, ADIS_STFT_FRAMES] magnitudes as
 * adis_model_spectrogram gives them; copied. NULL hides it. */
void        soundstyle_sound_view_set_spectrogram (SoundstyleSoundView *self,
                                                   const float         *magnitudes);
/* A live input level 0..1 while recording; negative hides the meter */
void        soundstyle_sound_view_set_level       (SoundstyleSoundView *self,
                                                   double               level);

G_END_DECLS
