/* soundstyle-models-window.h: the model list, import, and the active model
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "soundstyle-window.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_MODELS_WINDOW (soundstyle_models_window_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleModelsWindow, soundstyle_models_window, SOUNDSTYLE, MODELS_WINDOW, AdwWindow)

GtkWidget  *soundstyle_models_window_new            (SoundstyleWindow       *window);

/* Copies a model file into the models folder in a thread; a toast tells */
void        soundstyle_models_window_import         (SoundstyleModelsWindow *self,
                                                     GFile                  *file);
/* Re-reads the models folder (it is also watched) */
void        soundstyle_models_window_refresh        (SoundstyleModelsWindow *self);
/* Whether the list shows a row for path */
gboolean    soundstyle_models_window_lists          (SoundstyleModelsWindow *self,
                                                     const char             *path);
/* Chooses the row's model as the active one, as a click on it does */
gboolean    soundstyle_models_window_choose         (SoundstyleModelsWindow *self,
                                                     const char             *path);
/* Clicks the row's delete button: returns the confirmation dialog (an
 * AdwMessageDialog; nothing is deleted before its "delete" response), or
 * NULL when the row has no such button (the bundled default) */
GtkWidget  *soundstyle_models_window_delete         (SoundstyleModelsWindow *self,
                                                     const char             *path);
const char *soundstyle_models_window_get_last_toast (SoundstyleModelsWindow *self);

G_END_DECLS
