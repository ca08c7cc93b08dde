/* fuzz-batch.c: libFuzzer harness for the jobs file of `soundstyle batch`
 *
 * SPDX-License-Identifier: MIT
 *
 * The input is the jobs file's text, parsed as if it lived in a scratch
 * folder holding a.png, b.jpg, c.wav, d.ogg and an out/ folder, so valid
 * jobs can be found as well as every way to get one wrong.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "fuzz-util.h"
#include "batch-jobs.h"

static char *scratch_dir;
static char *jobs_path;

static void
make_scratch (void)
{
  const char *names[] = { "a.png", "b.jpg", "c.wav", "d.ogg" };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  scratch_dir = g_dir_make_tmp ("fuzz-batch-XXXXXX", &error);
  if (scratch_dir == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (scratch_dir, names[i], NULL);

      if (!g_file_set_contents (path, "x", 1, &error))
        g_error ("%s", error->message);
    }
  out = g_build_filename (scratch_dir, "out", NULL);
  g_mkdir (out, 0755);
  jobs_path = g_build_filename (scratch_dir, "jobs.tsv", NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  if (scratch_dir == NULL)
    {
      fuzz_init ();
      make_scratch ();
    }

  jobs = batch_jobs_parse (jobs_path, (const char *) data, size, &error);
  fuzz_check_outcome (jobs != NULL, error, jobs_path);

  if (jobs != NULL)
    {
      if (jobs->len == 0)
        g_error ("no jobs and no error");
      for (guint i = 0; i < jobs->len; i++)
        {
          const BatchJob *job = g_ptr_array_index (jobs, i);

          if (job->image == NULL || job->audio == NULL || job->output == NULL ||
              !g_file_test (job->image, G_FILE_TEST_IS_REGULAR) ||
              !(job->gain >= 0 && job->gain <= ADIS_MAX_GAIN) ||
              !(job->weight >= 0 && job->weight <= 1) ||
              (job->mix == NULL && job->weight != 0) || job->line == 0)
            g_error ("line %u: a job that should have been refused", job->line);
        }
    }

  return 0;
}
