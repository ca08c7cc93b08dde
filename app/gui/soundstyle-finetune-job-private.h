/* soundstyle-finetune-job-private.h: what the fine-tune job's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-finetune-job.h"

G_BEGIN_DECLS

struct _SoundstyleFinetuneJob
{
  GObject             parent_instance;

  /* What to do */
  char               *data_folder;
  SoundstyleDataKind  kind;
  char               *output;
  char               *work_dir;
  char               *checkpoint;
  char               *samples_dir;
  char               *prepared_dir;
  char               *init_model;
  char               *preset;
  char               *device;
  int                 epochs;
  gint64              max_steps;
  int                 size;
  int                 batch;
  int                 checkpoint_every;
  int                 sample_every;

  /* How it goes */
  SoundstyleJobState  state;
  GSubprocess        *child;
  GCancellable       *cancellable;
  gboolean            stop_requested;
  gboolean            preparing;       /* the child is prepare, not train */
  gboolean            got_done;
  gboolean            done_resumable;
  char               *error_event;     /* the trainer's own "error" message */
  char               *message;
  char               *sample;
  gint64              step;
  gint64              first_step;
  gint64              total_steps;
  double              eta;
  double              prepare_fraction; /* share of the videos' clips done, < 0: unknown */
  GArray             *losses;
};

/* soundstyle-finetune-data.c: the folder's videos, sorted (none: empty) */
GPtrArray *soundstyle_finetune_list_videos             (const char            *folder);

/* soundstyle-finetune-job.c: the state, told to the window (message may be NULL) */
void       soundstyle_finetune_job_set_state           (SoundstyleFinetuneJob *self,
                                                        SoundstyleJobState     state,
                                                        const char            *message);
/* A line of `soundstyle train --json` */
void       soundstyle_finetune_job_handle_line         (SoundstyleFinetuneJob *self,
                                                        const char            *line);
/* A line of `soundstyle prepare`'s progress; FALSE if it was none */
gboolean   soundstyle_finetune_job_handle_prepare_line (SoundstyleFinetuneJob *self,
                                                        const char            *line);

G_END_DECLS
