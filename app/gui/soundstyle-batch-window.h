/* soundstyle-batch-window.h: a running Restyle Photos…, its progress and its end
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "soundstyle-batch.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_BATCH_WINDOW (soundstyle_batch_window_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleBatchWindow, soundstyle_batch_window, SOUNDSTYLE, BATCH_WINDOW, AdwWindow)

/* Shows batch's progress; closing the window cancels a batch still running */
GtkWidget       *soundstyle_batch_window_new       (GtkWindow             *parent,
                                                    SoundstyleBatch       *batch);
SoundstyleBatch *soundstyle_batch_window_get_batch (SoundstyleBatchWindow *self);

G_END_DECLS
