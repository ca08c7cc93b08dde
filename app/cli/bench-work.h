/* bench-work.h: the timed work behind `soundstyle bench`
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "adis.h"

G_BEGIN_DECLS

typedef struct
{
  /* What to time (set by the caller) */
  GArray       *sizes;         /* int long sides for full_ms and slider_ms */
  int           preview;       /* also timed for slider_ms */
  int           repeat;
  int           warmup;
  int           train_size;    /* 0: no training or loader figures */
  int           train_batch;
  gboolean      cpu_clock;     /* time the process's CPU time, not the wall clock */
  gboolean      grid_head;     /* with a preset: its shape with the grid head */
  int           export_width;  /* the export figure's photo; 0: none */
  int           export_height;
  GCancellable *cancellable;

  /* Owned, filled by bench_work_open */
  char         *tmpdir;        /* generated data set and model, removed by clear */
  char         *model_path;
  char         *preset;        /* random weights of this preset, or NULL for a file */
  AdisModel    *model;
  AdisDataset  *dataset;
  AdisTrainer  *trainer;
  AdisConfig    config;
  AdisDevice    device;
  gint64        start_us;
  double        done_weight;
  double        total_weight;
} BenchWork;

/* Loads the model (path, or the usual lookup) or, with a preset, makes one
 * with random weights; generates a small data set for training */
gboolean     bench_work_open           (BenchWork   *work,
                                        const char  *model_path,
                                        const char  *preset,
                                        AdisDevice   device,
                                        GError     **error);
void         bench_work_clear          (BenchWork   *work);
JsonObject  *bench_work_describe_model (BenchWork   *work);

/* Adds audio_ms, full_ms, slider_ms, train and loader to result */
gboolean     bench_work_run            (BenchWork   *work,
                                        JsonObject  *result,
                                        GError     **error);

/* "export": a generated width x height JPEG restyled at its own size by
 * `soundstyle stylize --size 0` in a child, time and peak memory, against
 * the same photo at 256 px (bench-export.c) */
JsonObject  *bench_export_run          (BenchWork   *work,
                                        int          width,
                                        int          height,
                                        GError     **error);

/* The same figures from the PyTorch reference architecture, run as a child */
JsonObject  *bench_work_run_reference  (BenchWork   *work,
                                        int          threads,
                                        GError     **error);
/* "ratio": reference time / ours for each figure (above 1: we are faster);
 * for training, our images per second / the reference's */
void         bench_work_add_ratios     (JsonObject  *result,
                                        JsonObject  *reference);

G_END_DECLS
