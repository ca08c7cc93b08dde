/* soundstyle-sound-slot.h: one sound (A or B): a sample, a file or a recording
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "adis.h"
#include "soundstyle-audio-io.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_SOUND_SLOT (soundstyle_sound_slot_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleSoundSlot, soundstyle_sound_slot, SOUNDSTYLE, SOUND_SLOT, GtkWidget)

AdisSound  *soundstyle_sound_slot_get_sound      (SoundstyleSoundSlot *self);
/* What the sound is called: a sample's name, a file's name, "Recording" */
const char *soundstyle_sound_slot_get_sound_name (SoundstyleSoundSlot *self);
/* The file the sound came from; NULL for a recording or no sound */
const char *soundstyle_sound_slot_get_sound_path (SoundstyleSoundSlot *self);

double      soundstyle_sound_slot_get_gain       (SoundstyleSoundSlot *self);
void        soundstyle_sound_slot_set_gain       (SoundstyleSoundSlot *self,
                                                  double               gain);

/* For the spectrogram of what the model hears; NULL shows the waveform only */
void        soundstyle_sound_slot_set_model      (SoundstyleSoundSlot *self,
                                                  AdisModel           *model);

/* Loads in a thread; :sound changes when done, ::failed says why not */
void        soundstyle_sound_slot_load_file      (SoundstyleSoundSlot *self,
                                                  GFile               *file);
/* The index-th bundled sample (sorted by name); FALSE when there is none */
gboolean    soundstyle_sound_slot_choose_sample  (SoundstyleSoundSlot *self,
                                                  guint                index);
guint       soundstyle_sound_slot_get_n_samples  (SoundstyleSoundSlot *self);
/* Puts back a sound the slot held before (undo): at once, nothing reloaded */
void        soundstyle_sound_slot_restore_sound  (SoundstyleSoundSlot *self,
                                                  AdisSound           *sound,
                                                  const char          *name,
                                                  const char          *path);

/* The microphone to record from; NULL for the system's default */
void        soundstyle_sound_slot_set_input_device (SoundstyleSoundSlot   *self,
                                                    SoundstyleAudioDevice *device);
/* As the record button does: start, or stop and take the recording (3-10 s;
 * it stops by itself at 10 s); errors come through ::failed */
void        soundstyle_sound_slot_set_recording  (SoundstyleSoundSlot *self,
                                                  gboolean             recording);
gboolean    soundstyle_sound_slot_get_recording  (SoundstyleSoundSlot *self);
/* Plays the slot's sound on the default output */
void        soundstyle_sound_slot_play           (SoundstyleSoundSlot *self);
gboolean    soundstyle_sound_slot_get_playing    (SoundstyleSoundSlot *self);

G_END_DECLS
