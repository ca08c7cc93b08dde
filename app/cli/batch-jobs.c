/* batch-jobs.c: reading and checking the jobs file of `soundstyle batch`
 *
 * SPDX-License-Identifier: MIT
 *
 * The file is untrusted text: every line is checked before the model loads,
 * so a typo on the last line costs nothing, and the parser is fuzzed
 * (tests/fuzz/fuzz-batch.c).
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "batch-jobs.h"
#include "soundstyle-cli.h"

/* The seventh field, a mask, may be left out altogether */
#define N_FIELDS 6
#define N_FIELDS_WITH_MASK 7

void
batch_job_free (BatchJob *job)
{
  if (job == NULL)
    return;
  g_free (job->image);
  g_free (job->audio);
  g_free (job->mix);
  g_free (job->output);
  g_free (job->mask);
  g_free (job);
}

/* Relative paths in a jobs file are relative to the file, so a folder of
 * jobs and inputs can be moved as one */
static char *
resolve_path (const char *base_dir,
              const char *field)
{
  if (g_path_is_absolute (field) || g_str_equal (base_dir, "."))
    return g_strdup (field);
  return g_build_filename (base_dir, field, NULL);
}

static gboolean
check_input_file (const char  *what,
                  const char  *path,
                  GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s “%s” does not exist or is not a file", what, path);
      return FALSE;
    }
  return TRUE;
}

static BatchJob *
parse_job (const char  *base_dir,
           char       **fields,
           GError     **error)
{
  g_autoptr(BatchJob) job = g_new0 (BatchJob, 1);
  guint n_fields = g_strv_length (fields);

  if (n_fields != N_FIELDS && n_fields != N_FIELDS_WITH_MASK)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "expected %d or %d tab-separated fields (image, audio, gain, mix_audio, "
                   "mix_weight, output[, mask]), found %u", N_FIELDS, N_FIELDS_WITH_MASK, n_fields);
      return NULL;
    }

  if (fields[0][0] == '\0' || fields[1][0] == '\0' || fields[5][0] == '\0')
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "image, audio and output may not be empty");
      return NULL;
    }

  job->image = resolve_path (base_dir, fields[0]);
  job->audio = resolve_path (base_dir, fields[1]);
  job->mix = fields[3][0] != '\0' ? resolve_path (base_dir, fields[3]) : NULL;
  job->output = resolve_path (base_dir, fields[5]);
  if (n_fields == N_FIELDS_WITH_MASK && fields[6][0] != '\0')
    job->mask = resolve_path (base_dir, fields[6]);

  if (!soundstyle_cli_parse_double (fields[2], "gain", &job->gain, error) ||
      !soundstyle_cli_check_gain (job->gain, error))
    return NULL;

  /* An empty weight means none, or an even blend when there is a mix */
  if (fields[4][0] == '\0')
    job->weight = job->mix != NULL ? 0.5 : 0.0;
  else if (!soundstyle_cli_parse_double (fields[4], "mix weight", &job->weight, error))
    return NULL;

  if (!soundstyle_cli_check_weight (job->weight, job->mix != NULL, error) ||
      !check_input_file ("image", job->image, error) ||
      !check_input_file ("audio", job->audio, error) ||
      (job->mix != NULL && !check_input_file ("mix audio", job->mix, error)) ||
      (job->mask != NULL && !check_input_file ("mask", job->mask, error)) ||
      !soundstyle_cli_check_output_image (job->output, error))
    return NULL;

  return g_steal_pointer (&job);
}

GPtrArray *
batch_jobs_parse (const char  *path,
                  const char  *contents,
                  gsize        length,
                  GError     **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_job_free);
  g_autoptr(GHashTable) outputs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  g_autofree char *base_dir = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  /* Splitting at a NUL would silently drop every job after it */
  if (length > 0 && memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s is not a text file (it contains a NUL byte)", path);
      return NULL;
    }
  text = g_strndup (contents, length);

  base_dir = g_path_get_dirname (path);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      BatchJob *job;
      BatchJob *earlier;
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';

      if (line[strspn (line, " \t")] == '\0' || line[0] == '#')
        continue;

      fields = g_strsplit (line, "\t", -1);
      if ((job = parse_job (base_dir, fields, error)) == NULL)
        {
          g_prefix_error (error, "%s:%u: ", path, i + 1);
          return NULL;
        }
      job->line = i + 1;
      g_ptr_array_add (jobs, job);

      /* Two jobs writing one file would silently lose the first's result */
      if ((earlier = g_hash_table_lookup (outputs, job->output)) != NULL)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "%s:%u: output “%s” is also written by line %u",
                       path, job->line, job->output, earlier->line);
          return NULL;
        }
      g_hash_table_insert (outputs, job->output, job);
    }

  if (jobs->len == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s has no jobs: one per line, image<TAB>audio<TAB>gain<TAB>"
                   "mix_audio<TAB>mix_weight<TAB>output", path);
      return NULL;
    }

  return g_steal_pointer (&jobs);
}

GPtrArray *
batch_jobs_load (const char  *path,
                 GError     **error)
{
  g_autoptr(GError) io_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &io_error))
    {
      /* A jobs file that is not there is the caller's mistake */
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s", io_error->message);
      return NULL;
    }

  return batch_jobs_parse (path, contents, length, error);
}
