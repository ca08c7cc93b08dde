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

#include "soundstyle-cli.h"
#include "batch-jobs.h"

/* An image's code lives until the last job that needs it is done, so memory
 * follows the images in flight rather than all of them */
typedef struct
{
  guint          jobs_left;
  gboolean       keep_image;   /* a job masks it: the original is composited */
  AdisImage     *image;
  AdisImageCode *code;
  GError        *error;
} ImageEntry;

static void
image_entry_free (ImageEntry *entry)
{
  g_clear_pointer (&entry->image, adis_image_unref);
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

static ImageEntry *
lookup_image (GHashTable    *images,
              AdisModel     *model,
              const char    *path,
              AdisAspect     aspect,
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
        entry->code = soundstyle_cli_encode_photo (model, image, aspect, size, cancellable, &entry->error);
      if (entry->code != NULL && entry->keep_image)
        entry->image = g_steal_pointer (&image);
    }

  if (entry->error != NULL)
    {
      g_propagate_error (error, g_error_copy (entry->error));
      return NULL;
    }

  return entry;
}

static gboolean
run_job (const BatchJob  *job,
         AdisModel       *model,
         GHashTable      *images,
         GHashTable      *sounds,
         AdisAspect       aspect,
         int              size,
         GCancellable    *cancellable,
         GError         **error)
{
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisImage) styled = NULL;
  g_autoptr(AdisMask) mask = NULL;
  ImageEntry *entry;
  AdisSound *sound;
  AdisSound *mix = NULL;

  if ((sound = lookup_sound (sounds, job->audio, error)) == NULL ||
      (job->mix != NULL && (mix = lookup_sound (sounds, job->mix, error)) == NULL))
    return FALSE;

  if ((entry = lookup_image (images, model, job->image, aspect, size, cancellable, error)) == NULL)
    return FALSE;

  if (job->mask != NULL && (mask = soundstyle_cli_load_mask (job->mask, entry->image, error)) == NULL)
    return FALSE;

  sound_code = adis_model_encode_sound (model, sound, mix, (float) job->gain,
                                        (float) job->weight, cancellable, error);
  if (sound_code == NULL)
    return FALSE;

  if ((styled = adis_model_decode (model, entry->code, sound_code, cancellable, error)) == NULL)
    return FALSE;

  if (mask != NULL)
    {
      AdisImage *composite = adis_image_composite_masked (entry->image, styled, mask);

      adis_image_unref (styled);
      styled = composite;
    }

  return adis_image_save (styled, job->output, error);
}

static int
run_jobs (const char  *jobs_path,
          GPtrArray   *jobs,
          AdisModel   *model,
          AdisAspect   aspect,
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
      entry->keep_image |= job->mask != NULL;
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

      if (!run_job (job, model, images, sounds, aspect, size, cancellable, &error))
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
  g_autofree char *aspect_name = NULL;
  AdisDevice device;
  AdisAspect aspect;
  int size = SOUNDSTYLE_SIZE_UNSET;
  const GOptionEntry entries[] = {
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Long side of every output in pixels; 0 keeps each image's (default: 512, or 256 for an imported avstyle model)", "N" },
    { "aspect", 0, 0, G_OPTION_ARG_STRING, &aspect_name, "squash or keep: photos squashed to a square, or their aspect kept (default: squash for an imported avstyle model, as its own code does; keep otherwise)", "HOW" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Model file (default: $SOUNDSTYLE_MODEL or the installed one)", "FILE" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device_name, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { NULL }
  };

  context = g_option_context_new ("JOBS.tsv");
  g_option_context_set_summary (context,
    "Run many stylize jobs from a tab-separated file, loading the model once.");
  g_option_context_set_description (context,
    "One job per line, six tab-separated fields and an optional seventh:\n"
    "  image<TAB>audio<TAB>gain<TAB>mix_audio<TAB>mix_weight<TAB>output\n"
    "  (and, optionally, <TAB>mask)\n"
    "mix_audio, mix_weight and mask may be empty. A mask is a greyscale image:\n"
    "white where the style applies, black where the original stays (as stylize\n"
    "--mask); one of another size than the image is scaled, with a note.\n"
    "Blank lines and lines starting with # are skipped; relative paths are\n"
    "relative to the jobs file. The whole file is checked before anything runs.\n"
    "Each image is encoded once however many jobs use it. A failing job does\n"
    "not stop the others; the exit status is 2 if any failed.\n"
    "\n"
    "With a model imported from avstyle's published checkpoints, each sound is\n"
    "peak-normalised before its gain scales it, and photos are squashed to\n"
    "256 x 256 unless --aspect keep (see soundstyle stylize --help).\n"
    "\n"
    "Examples:\n"
    "  soundstyle batch jobs.tsv --size 768\n"
    "  printf 'street.jpg\\train.wav\\t1\\t\\t\\tout/rain.png\\n' > jobs.tsv\n"
    "  printf 'street.jpg\\train.wav\\t1\\t\\t\\tout/sky.png\\tsky-mask.png\\n' >> jobs.tsv\n");
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
      !adis_aspect_parse (aspect_name, &aspect, &error) ||
      !adis_device_parse (device_name ? device_name : "auto", &device, &error))
    return soundstyle_cli_report_error (error);

  if ((jobs = batch_jobs_load (argv[1], &error)) == NULL)
    return soundstyle_cli_report_error (error);

  if ((model = soundstyle_cli_load_model (model_path, device, &error)) == NULL ||
      !soundstyle_cli_check_conditioning (model, FALSE, &error))
    return soundstyle_cli_report_error (error);

  return run_jobs (argv[1], jobs, model, aspect, size);
}
