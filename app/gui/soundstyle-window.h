/* soundstyle-window.h: the main window
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "soundstyle-application.h"
#include "soundstyle-canvas.h"
#include "soundstyle-history.h"
#include "soundstyle-live-mode.h"
#include "soundstyle-mask-editor.h"
#include "soundstyle-renderer.h"
#include "soundstyle-sound-slot.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_WINDOW (soundstyle_window_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleWindow, soundstyle_window, SOUNDSTYLE, WINDOW, AdwApplicationWindow)

SoundstyleWindow    *soundstyle_window_new              (SoundstyleApplication *application);

/* Loads in a thread; a file that is not a photo keeps the current one and
 * shows a toast */
void                 soundstyle_window_open_photo       (SoundstyleWindow      *self,
                                                         GFile                 *file);
/* Loads a model in a thread; on success it becomes the active model */
void                 soundstyle_window_open_model       (SoundstyleWindow      *self,
                                                         GFile                 *file);
/* Renders at the photo's full size and saves; a toast tells the outcome */
void                 soundstyle_window_export           (SoundstyleWindow      *self,
                                                         GFile                 *file);

/* Shows a toast; a newer message replaces the one on screen */
void                 soundstyle_window_toast            (SoundstyleWindow      *self,
                                                         const char            *message);

/* The Models and Fine-Tune windows, made on first use, presented */
GtkWidget           *soundstyle_window_show_models      (SoundstyleWindow      *self);
GtkWidget           *soundstyle_window_show_finetune    (SoundstyleWindow      *self);

/* What the window shows: "loading", "no-model" or "editor" */
const char          *soundstyle_window_get_page         (SoundstyleWindow      *self);
/* The text of the latest toast, for tests and accessibility tools */
const char          *soundstyle_window_get_last_toast   (SoundstyleWindow      *self);

SoundstyleRenderer  *soundstyle_window_get_renderer     (SoundstyleWindow      *self);
SoundstyleLiveMode  *soundstyle_window_get_live_mode    (SoundstyleWindow      *self);
SoundstyleCanvas    *soundstyle_window_get_canvas       (SoundstyleWindow      *self);
/* 0 for sound A, 1 for sound B */
SoundstyleSoundSlot *soundstyle_window_get_sound_slot   (SoundstyleWindow      *self,
                                                         guint                  index);
GtkAdjustment       *soundstyle_window_get_mix          (SoundstyleWindow      *self);

/* The region brush (soundstyle-window-mask.c): its editor, and the mask
 * saved to or loaded from a PNG (another size is scaled, with a toast) */
SoundstyleMaskEditor *soundstyle_window_get_mask_editor (SoundstyleWindow     *self);
void                 soundstyle_window_save_mask        (SoundstyleWindow      *self,
                                                         GFile                 *file);
void                 soundstyle_window_load_mask        (SoundstyleWindow      *self,
                                                         GFile                 *file);

/* Restyle Photos… (soundstyle-window-batch.c): paths restyled with the
 * current settings into folder, through the brush's mask when with_mask;
 * returns the progress window */
GtkWidget           *soundstyle_window_restyle_photos   (SoundstyleWindow      *self,
                                                         GPtrArray             *paths,
                                                         GFile                 *folder,
                                                         gboolean               with_mask);
/* The history (soundstyle-window-history.c): the current picture kept with
 * its settings (every export does this too), and an entry's settings
 * brought back */
void                 soundstyle_window_history_keep     (SoundstyleWindow      *self);
void                 soundstyle_window_history_restore  (SoundstyleWindow      *self,
                                                         SoundstyleHistoryEntry *entry);
SoundstyleHistory   *soundstyle_window_get_history      (SoundstyleWindow      *self);

/* The photos directly in folder, sorted by name */
GPtrArray           *soundstyle_window_list_photos      (GFile                 *folder,
                                                         GError               **error);

G_END_DECLS
