/* soundstyle-live-mode.h: the photo restyled continuously by the microphone
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "soundstyle-audio-io.h"
#include "soundstyle-renderer.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_LIVE_MODE (soundstyle_live_mode_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleLiveMode, soundstyle_live_mode, SOUNDSTYLE, LIVE_MODE, GtkBox)

/* A toggle and a level meter. While "active", the microphone's latest 3 s
 * go to the renderer each time it has shown the previous ones, so the
 * picture follows the sound at the preview size; stopping keeps the last
 * picture. Properties: "active" (read-write), "n-updates" (pictures shown
 * since the start), "level" (0..1, the meter). Signal "failed" (message)
 * when the microphone cannot start. */
GtkWidget          *soundstyle_live_mode_new           (void);

void                soundstyle_live_mode_set_renderer  (SoundstyleLiveMode    *self,
                                                        SoundstyleRenderer    *renderer);
/* NULL: the default input */
void                soundstyle_live_mode_set_device    (SoundstyleLiveMode    *self,
                                                        SoundstyleAudioDevice *device);
gboolean            soundstyle_live_mode_get_active    (SoundstyleLiveMode    *self);
void                soundstyle_live_mode_set_active    (SoundstyleLiveMode    *self,
                                                        gboolean               active);
guint               soundstyle_live_mode_get_n_updates (SoundstyleLiveMode    *self);
double              soundstyle_live_mode_get_level     (SoundstyleLiveMode    *self);

G_END_DECLS
