/* train-report.h: how `soundstyle train` tells people and programs how it goes
 *
 * SPDX-License-Identifier: MIT
 *
 * Three audiences: a terminal gets one progress line redrawn in place, a log
 * file a line every few steps, and --json one JSON object per line on stdout.
 * Errors always also go to stderr as one line.
 */
#pragma once

#include "soundstyle-cli.h"

G_BEGIN_DECLS

typedef struct _TrainReport TrainReport;

TrainReport *train_report_new              (gboolean                 json,
                                            int                      log_every,
                                            const char              *samples_dir);
void         train_report_free             (TrainReport             *report);
/* One rank of a data-parallel job: only rank 0 reports; every rank's
 * errors go to stderr, naming the rank */
void         train_report_set_rank         (TrainReport             *report,
                                            int                      rank,
                                            int                      world_size);

/* Creates the samples folder */
gboolean     train_report_prepare_samples  (TrainReport             *report,
                                            GError                 **error);

void         train_report_start            (TrainReport             *report,
                                            AdisTrainer             *trainer,
                                            AdisDataset             *dataset,
                                            const char              *output,
                                            const char              *checkpoint,
                                            gboolean                 resumed,
                                            gint64                   max_steps);
/* AdisTrainProgressFunc and AdisTrainSampleFunc; user_data is the report */
void         train_report_progress_cb      (const AdisTrainProgress *progress,
                                            gpointer                 user_data);
void         train_report_sample_cb        (gint64                   step,
                                            AdisImage               *source,
                                            AdisImage               *styled,
                                            gpointer                 user_data);
void         train_report_checkpoint       (TrainReport             *report,
                                            gint64                   step,
                                            const char              *path);
void         train_report_interrupted      (TrainReport             *report,
                                            gint64                   step,
                                            gint64                   total_steps,
                                            const char              *checkpoint,
                                            const char              *resume_command);
/* resume_command is NULL when training ran to the end */
void         train_report_done             (TrainReport             *report,
                                            gint64                   step,
                                            gint64                   total_steps,
                                            const char              *model,
                                            const char              *resume_command);
/* Reports the error to both audiences; returns the exit status */
int          train_report_fail             (TrainReport             *report,
                                            const GError            *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrainReport, train_report_free)

G_END_DECLS
