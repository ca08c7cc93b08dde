/* soundstyle-finetune-job.h: a training run as a child process
 *
 * SPDX-License-Identifier: MIT
 *
 * The job runs `soundstyle train --json` (after `soundstyle prepare` when
 * the data is a folder of videos) with GSubprocess, reads its JSON lines on
 * the main loop and tells what happened. A crash of the trainer ends the
 * job, never the window. Stopping sends SIGTERM: the trainer writes a
 * checkpoint and exits, and resume() goes on from it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  SOUNDSTYLE_JOB_IDLE,
  SOUNDSTYLE_JOB_PREPARING,    /* soundstyle prepare, for videos */
  SOUNDSTYLE_JOB_TRAINING,
  SOUNDSTYLE_JOB_STOPPING,     /* SIGTERM sent, waiting for the checkpoint */
  SOUNDSTYLE_JOB_STOPPED,      /* by the user; resumable */
  SOUNDSTYLE_JOB_FINISHED,     /* the model is written */
  SOUNDSTYLE_JOB_FAILED,       /* the message says why; resumable when a checkpoint exists */
} SoundstyleJobState;

typedef enum
{
  SOUNDSTYLE_DATA_PREPARED,    /* manifest.tsv */
  SOUNDSTYLE_DATA_PAIRS,       /* images/ + clips/ */
  SOUNDSTYLE_DATA_VIDEOS,      /* video files, prepared first */
} SoundstyleDataKind;

/* One progress event's losses */
typedef struct
{
  gint64 step;
  double loss_d;
  double loss_g_gan;
  double loss_nce;
  double loss_nce_y;
} SoundstyleLossPoint;

#define SOUNDSTYLE_TYPE_FINETUNE_JOB (soundstyle_finetune_job_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleFinetuneJob, soundstyle_finetune_job, SOUNDSTYLE, FINETUNE_JOB, GObject)

/* What a folder holds for training; FALSE with a one-line error naming it */
gboolean               soundstyle_detect_training_data      (const char             *folder,
                                                             SoundstyleDataKind     *out_kind,
                                                             GError                **error);
/* The `soundstyle` command: $SOUNDSTYLE_BIN, beside this program, the
 * build tree, the installed bindir, then PATH. NULL when none is found. */
char                  *soundstyle_find_cli                  (void);
/* "3 min 10 s", "1 h 05 min", "12 s": a time left, for people */
char                  *soundstyle_format_duration           (double                  seconds);

/* output: the model to write; work_dir: where the checkpoint, samples
 * and prepared data go (kept, so a stopped job can resume later) */
SoundstyleFinetuneJob *soundstyle_finetune_job_new          (const char             *data_folder,
                                                             SoundstyleDataKind      kind,
                                                             const char             *output,
                                                             const char             *work_dir);

/* Options; set before start(). init_model NULL trains a new model of
 * preset; otherwise preset must be the starting model's. */
void                   soundstyle_finetune_job_set_init_model (SoundstyleFinetuneJob *self,
                                                             const char             *init_model);
void                   soundstyle_finetune_job_set_preset   (SoundstyleFinetuneJob  *self,
                                                             const char             *preset);
void                   soundstyle_finetune_job_set_epochs   (SoundstyleFinetuneJob  *self,
                                                             int                     epochs);
void                   soundstyle_finetune_job_set_max_steps (SoundstyleFinetuneJob *self,
                                                             gint64                  max_steps);
void                   soundstyle_finetune_job_set_size     (SoundstyleFinetuneJob  *self,
                                                             int                     size);
void                   soundstyle_finetune_job_set_batch    (SoundstyleFinetuneJob  *self,
                                                             int                     batch);
void                   soundstyle_finetune_job_set_device   (SoundstyleFinetuneJob  *self,
                                                             const char             *device);
void                   soundstyle_finetune_job_set_intervals (SoundstyleFinetuneJob *self,
                                                             int                     checkpoint_every,
                                                             int                     sample_every);

gboolean               soundstyle_finetune_job_start        (SoundstyleFinetuneJob  *self,
                                                             GError                **error);
/* SIGTERM; the job becomes STOPPED when the trainer has saved */
void                   soundstyle_finetune_job_stop         (SoundstyleFinetuneJob  *self);
gboolean               soundstyle_finetune_job_can_resume   (SoundstyleFinetuneJob  *self);
gboolean               soundstyle_finetune_job_resume       (SoundstyleFinetuneJob  *self,
                                                             GError                **error);

SoundstyleJobState     soundstyle_finetune_job_get_state    (SoundstyleFinetuneJob  *self);
gboolean               soundstyle_finetune_job_is_running   (SoundstyleFinetuneJob  *self);
gint64                 soundstyle_finetune_job_get_step     (SoundstyleFinetuneJob  *self);
gint64                 soundstyle_finetune_job_get_total_steps (SoundstyleFinetuneJob *self);
/* The step the current run started from (> 0 after a resume) */
gint64                 soundstyle_finetune_job_get_first_step (SoundstyleFinetuneJob *self);
double                 soundstyle_finetune_job_get_eta      (SoundstyleFinetuneJob  *self);  /* seconds, < 0: unknown */
/* While preparing videos: the share done, from 0 to 1; < 0 until the
 * first video is done */
double                 soundstyle_finetune_job_get_prepare_fraction (SoundstyleFinetuneJob *self);
/* Where things stand, one sentence for people */
const char            *soundstyle_finetune_job_get_message  (SoundstyleFinetuneJob  *self);
const char            *soundstyle_finetune_job_get_output   (SoundstyleFinetuneJob  *self);
const char            *soundstyle_finetune_job_get_sample   (SoundstyleFinetuneJob  *self);
/* All losses so far, SoundstyleLossPoint */
GArray                *soundstyle_finetune_job_get_losses   (SoundstyleFinetuneJob  *self);
/* The running child's process id as a string, or NULL */
const char            *soundstyle_finetune_job_get_child_id (SoundstyleFinetuneJob  *self);

G_END_DECLS
