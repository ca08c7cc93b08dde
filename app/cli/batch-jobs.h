/* batch-jobs.h: the jobs file of `soundstyle batch`, read and checked as a whole
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint   line;
  char   *image;
  char   *audio;
  char   *mix;      /* NULL when the field is empty */
  char   *output;
  char   *mask;     /* NULL when the field is empty or absent */
  double  gain;
  double  weight;
} BatchJob;

void        batch_job_free        (BatchJob    *job);

/* Reads a jobs file: one job per line, six tab-separated fields (image,
 * audio, gain, mix_audio, mix_weight, output) and an optional seventh, a
 * mask (where the style applies). Every line is checked
 * (numbers, ranges, input files exist, output folders exist, no output
 * written twice) before anything runs; the first bad line is an
 * ADIS_ERROR_INVALID_INPUT error naming the file and line. */
GPtrArray  *batch_jobs_load       (const char  *path,
                                   GError     **error);
/* The same on text already in memory; path names the file in messages and
 * relative paths are relative to its folder */
GPtrArray  *batch_jobs_parse      (const char  *path,
                                   const char  *contents,
                                   gsize        length,
                                   GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatchJob, batch_job_free)

G_END_DECLS
