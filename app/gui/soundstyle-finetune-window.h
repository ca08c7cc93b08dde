/* soundstyle-finetune-window.h: training a model on the user's own data
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "soundstyle-finetune-job.h"
#include "soundstyle-loss-plot.h"
#include "soundstyle-window.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_FINETUNE_WINDOW (soundstyle_finetune_window_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleFinetuneWindow, soundstyle_finetune_window, SOUNDSTYLE, FINETUNE_WINDOW, AdwWindow)

GtkWidget             *soundstyle_finetune_window_new          (SoundstyleWindow         *window);

/* What the controls set, for tests and scripts; FALSE (and a toast) when
 * the folder holds no training data */
gboolean               soundstyle_finetune_window_set_data     (SoundstyleFinetuneWindow *self,
                                                                const char               *folder);
/* What the folder chooser does with the chosen folder: set_data() on its
 * path; FALSE (and a toast) when it has none or holds no training data */
gboolean               soundstyle_finetune_window_choose_data  (SoundstyleFinetuneWindow *self,
                                                                GFile                    *folder);
void                   soundstyle_finetune_window_set_name     (SoundstyleFinetuneWindow *self,
                                                                const char               *name);
/* Picks the "Start From" entry for this model file; NULL: a new tiny model */
gboolean               soundstyle_finetune_window_set_start    (SoundstyleFinetuneWindow *self,
                                                                const char               *model);
void                   soundstyle_finetune_window_set_schedule (SoundstyleFinetuneWindow *self,
                                                                int                       epochs,
                                                                gint64                    max_steps);
/* Sizes and intervals the controls do not offer (tests use tiny ones) */
void                   soundstyle_finetune_window_set_advanced (SoundstyleFinetuneWindow *self,
                                                                int                       size,
                                                                int                       batch,
                                                                int                       checkpoint_every,
                                                                int                       sample_every);

/* The Start, Stop and Resume buttons */
gboolean               soundstyle_finetune_window_start        (SoundstyleFinetuneWindow *self);
void                   soundstyle_finetune_window_stop         (SoundstyleFinetuneWindow *self);
gboolean               soundstyle_finetune_window_resume       (SoundstyleFinetuneWindow *self);

/* The current job, or NULL before the first start */
SoundstyleFinetuneJob *soundstyle_finetune_window_get_job      (SoundstyleFinetuneWindow *self);
SoundstyleLossPlot    *soundstyle_finetune_window_get_plot     (SoundstyleFinetuneWindow *self);
const char            *soundstyle_finetune_window_get_last_toast (SoundstyleFinetuneWindow *self);
/* Whether a sample image is on screen */
gboolean               soundstyle_finetune_window_has_sample   (SoundstyleFinetuneWindow *self);

G_END_DECLS
