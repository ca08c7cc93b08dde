/* soundstyle-loss-plot.h: training losses as curves, drawn with Cairo
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "soundstyle-finetune-job.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_LOSS_PLOT (soundstyle_loss_plot_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleLossPlot, soundstyle_loss_plot, SOUNDSTYLE, LOSS_PLOT, GtkDrawingArea)

GtkWidget *soundstyle_loss_plot_new          (void);
void       soundstyle_loss_plot_add          (SoundstyleLossPlot        *self,
                                              const SoundstyleLossPoint *point);
void       soundstyle_loss_plot_clear        (SoundstyleLossPlot        *self);
guint      soundstyle_loss_plot_get_n_points (SoundstyleLossPlot        *self);

G_END_DECLS
