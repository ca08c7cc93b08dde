/* cmd-batch.c: `soundstyle batch`, many stylize jobs with one model load
 *
 * SPDX-License-Identifier: MIT
 *
 * The jobs file is read and checked as a whole before the model loads, so a
 * typo on the last line costs nothing. Then each image is encoded once and
 * each sound read once, however many jobs use them, and a job that fails
 * does not stop the others.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "soundstyle-cli.h"

#define N_FIELDS 6

typedef struct
{
  guint   line;
  char   *image;
  char   *audio;
  char   *mix;      /* NULL when the field is empty */
  char   *output;
  double  gain;
  double  weight;
} BatchJob;

static void
batch_job_free (BatchJob *job)
{
  g_free (job->image);
  g_free (job->audio);
  g_free (job->mix);
  g_free (job->output);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatchJob, batch_job_free)

/* An image's code lives until the last job that needs it is done, so memory
 * follows the images in flight rather than all of them */
typedef struct
{
  guint          jobs_left;
  AdisImageCode *code;
  GError        *error;
} ImageEntry;

static void
image_entry_free (ImageEntry *entry)
{
  g_clear_pointer (&entry->code, adis_image_code_unref);
  g_clear_error (&entry->error);
  g_free (entry);
}

typedef struct
{
  AdisSound *sound;
  GError    *error;
} SoundEntry;

static void
sound_entry_free (SoundEntry *entry)
{
  g_clear_pointer (&entry->sound, adis_sound_unref);
  g_clear_error (&entry->error);
  g_free (entry);
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

  if (n_fields != N_FIELDS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "expected %d tab-separated fields (image, audio, gain, mix_audio, "
                   "mix_weight, output), found %u", N_FIELDS, n_fields);
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
      !soundstyle_cli_check_output_image (job->output, error))
    return NULL;

  return g_steal_pointer (&job);
}

static GPtrArray *
parse_jobs_file (const char  *path,
                 GError     **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_job_free);
  g_autoptr(GHashTable) outputs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *contents = NULL;
  g_autofree char *base_dir = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    {
      GError *io_error = *error;

      /* A jobs file that is not there is the caller's mistake */
      *error = g_error_new (ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s", io_error->message);
      g_error_free (io_error);
      return NULL;
    }

  base_dir = g_path_get_dirname (path);
  lines = g_strsplit (contents, "\n", -1);

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

static AdisSound *
lookup_sound (GHashTable  *sounds,
              const char  *path,
              GError     **error)
{
  SoundEntry *entry = g_hash_table_lookup (sounds, path);

  if (entry == NULL)
    {
      entry = g_new0 (SoundEntry, 1);
      entry->sound = soundstyle_cli_load_sound (path, &entry->error);
      g_hash_table_insert (sounds, g_strdup (path), entry);
    }

  if (entry->error != NULL)
    {
      g_propagate_error (error, g_error_copy (entry->error));
      return NULL;
    }

  return entry->sound;
}

static AdisImageCode *
lookup_image_code (GHashTable    *images,
                   AdisModel     *model,
                   const char    *path,
                   int            size,
                   GCancellable  *cancellable,
                   GError       **error)
{
  ImageEntry *entry = g_hash_table_lookup (images, path);

  g_assert (entry != NULL);

  if (entry->code == NULL && entry->error == NULL)
    {
      g_autoptr(AdisImage) image = soundstyle_cli_load_image (path, &entry->error);

      if (image != NULL)
        entry->code = adis_model_encode_image (model, image, size, cancellable, &entry->error);
    }

  if (entry->error != NULL)
    {
      g_propagate_error (error, g_error_copy (entry->error));
      return NULL;
    }

  return entry->code;
}

static gboolean
run_job (const BatchJob  *job,
         AdisModel       *model,
         GHashTable      *images,
         GHashTable      *sounds,
         int              size,
         GCancellable    *cancellable,
         GError         **error)
{
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisImage) styled = NULL;
  AdisImageCode *image_code;
  AdisSound *sound;
  AdisSound *mix = NULL;

  if ((sound = lookup_sound (sounds, job->audio, error)) == NULL ||
      (job->mix != NULL && (mix = lookup_sound (sounds, job->mix, error)) == NULL))
    return FALSE;

  if ((image_code = lookup_image_code (images, model, job->image, size, cancellable, error)) == NULL)
    return FALSE;

  sound_code = adis_model_encode_sound (model, sound, mix, (float) job->gain,
                                        (float) job->weight, cancellable, error);
  if (sound_code == NULL)
    return FALSE;

  if ((styled = adis_model_decode (model, image_code, sound_code, cancellable, error)) == NULL)
    return FALSE;

  return adis_image_save (styled, job->output, error);
}

static int
run_jobs (const char  *jobs_path,
          GPtrArray   *jobs,
          AdisModel   *model,
          int          size)
{
  g_autoptr(GHashTable) images = NULL;
  g_autoptr(GHashTable) sounds = NULL;
  g_autoptr(GString) failed_lines = g_string_new (NULL);
  GCancellable *cancellable = soundstyle_cli_interrupt_cancellable ();
  guint n_failed = 0;

  images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) image_entry_free);
  sounds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) sound_entry_free);

  for (guint i = 0; i < jobs->len; i++)
    {
      const BatchJob *job = g_ptr_array_index (jobs, i);
      ImageEntry *entry = g_hash_table_lookup (images, job->image);

      if (entry == NULL)
        {
          entry = g_new0 (ImageEntry, 1);
          g_hash_table_insert (images, g_strdup (job->image), entry);
        }
      entry->jobs_left++;
    }

  for (guint i = 0; i < jobs->len; i++)
    {
      const BatchJob *job = g_ptr_array_index (jobs, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *image_name = g_path_get_basename (job->image);
      g_autofree char *audio_name = g_path_get_basename (job->audio);
      ImageEntry *entry;

      g_printerr ("[%u/%u] %s + %s%s → %s\n", i + 1, jobs->len, image_name, audio_name,
                  job->mix != NULL ? " (mixed)" : "", job->output);

      if (!run_job (job, model, images, sounds, size, cancellable, &error))
        {
          g_autofree char *message = soundstyle_cli_one_line (error->message);

          if (soundstyle_cli_exit_status (error) == SOUNDSTYLE_EXIT_CANCELLED)
            {
              g_printerr ("soundstyle: interrupted after %u of %u jobs\n", i, jobs->len);
              return SOUNDSTYLE_EXIT_CANCELLED;
            }

          g_printerr ("soundstyle: %s:%u: %s\n", jobs_path, job->line, message);
          g_string_append_printf (failed_lines, "%s%u", n_failed > 0 ? ", " : "", job->line);
          n_failed++;
        }

      entry = g_hash_table_lookup (images, job->image);
      if (--entry->jobs_left == 0)
        g_hash_table_remove (images, job->image);
    }

  if (n_failed > 0)
    {
      g_printerr ("soundstyle: %u of %u jobs failed (%s line%s %s)\n",
                  n_failed, jobs->len, jobs_path, n_failed > 1 ? "s" : "", failed_lines->str);
      return SOUNDSTYLE_EXIT_USAGE;
    }

  g_printerr ("%u job%s done\n", jobs->len, jobs->len > 1 ? "s" : "");
  return SOUNDSTYLE_EXIT_OK;
}

int
soundstyle_cmd_batch (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(AdisModel) model = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *device_name = NULL;
  AdisDevice device;
  int size = 512;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Long side of every output in pixels; 0 keeps each image's (default: 512)", "N" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (default: $SOUNDSTYLE_MODEL or the installed one)", "FILE" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device_name, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { NULL }
  };

  context = g_option_context_new ("JOBS.tsv");
  g_option_context_set_summary (context,
    "Run many stylize jobs from a tab-separated file, loading the model once.");
  g_option_context_set_description (context,
    "One job per line, six tab-separated fields:\n"
    "  image<TAB>audio<TAB>gain<TAB>mix_audio<TAB>mix_weight<TAB>output\n"
    "mix_audio and mix_weight may be empty; blank lines and lines starting with #\n"
    "are skipped; relative paths are relative to the jobs file. The whole file is\n"
    "checked before anything runs. Each image is encoded once however many jobs\n"
    "use it. A failing job does not stop the others; the exit status is 2 if any\n"
    "failed.\n"
    "\n"
    "Examples:\n"
    "  soundstyle batch jobs.tsv --size 768\n"
    "  printf 'street.jpg\\train.wav\\t1\\t\\t\\tout/rain.png\\n' > jobs.tsv\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc != 2)
    {
      g_set_error_literal (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           argc < 2 ? "no jobs file given; see soundstyle batch --help"
                                    : "batch takes one jobs file; see soundstyle batch --help");
      return soundstyle_cli_report_error (error);
    }

  if (!soundstyle_cli_check_size (size, &error) ||
      !adis_device_parse (device_name ? device_name : "auto", &device, &error))
    return soundstyle_cli_report_error (error);

  if ((jobs = parse_jobs_file (argv[1], &error)) == NULL)
    return soundstyle_cli_report_error (error);

  if ((model = soundstyle_cli_load_model (model_path, device, &error)) == NULL ||
      !soundstyle_cli_check_conditioning (model, FALSE, &error))
    return soundstyle_cli_report_error (error);

  return run_jobs (argv[1], jobs, model, size);
}
