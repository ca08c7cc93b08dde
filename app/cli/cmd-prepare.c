/* cmd-prepare.c: `soundstyle prepare`, videos into a prepared dataset
 *
 * SPDX-License-Identifier: MIT
 *
 * Each video is cut into clips of --clip-seconds; a clip keeps --frames
 * frames at uniform steps (resized to --size, or centre-cropped first) and
 * its sound at 16 kHz mono. Clips go into the dataset as they are made, so
 * an interrupted run loses at most the clip under way; a small state file
 * remembers the options and which videos are finished, so that running the
 * same command again only does what is left.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "soundstyle-cli.h"
#include "prepare-state.h"
#include "prepare-progress.h"

typedef struct
{
  char     *output;
  char     *split_by;
  char     *seed;
  int       size;
  int       frames;
  double    clip_seconds;
  double    test_fraction;
  double    silence_db;
  gboolean  crop;
} PrepareArgs;

static void
prepare_args_clear (PrepareArgs *args)
{
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->split_by, g_free);
  g_clear_pointer (&args->seed, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PrepareArgs, prepare_args_clear)

/* Why clips were left out, counted over the run */
typedef struct
{
  guint silent;
  guint short_;
  guint undecodable;
} Skipped;

typedef struct
{
  const PrepareArgs  *args;
  PrepareSettings     settings;
  AdisManifestWriter *writer;
  PrepareState       *state;
  PrepareProgress           *progress;
  GCancellable       *cancellable;
  Skipped             skipped;
  guint               n_made;
  guint               n_test;
  guint               n_total;   /* in the dataset at the end */
} Run;

#define usage_error(error, ...) soundstyle_cli_usage_error (error, "prepare", __VA_ARGS__)

static gboolean
check_args (const PrepareArgs  *args,
            PrepareSettings    *settings,
            GError            **error)
{
  guint64 seed = 0;

  if (args->output == NULL)
    return usage_error (error, "no --output DATASET given");
  if (args->size < 16 || args->size > 4096)
    return usage_error (error, "--size %d must be from 16 to 4096", args->size);
  if (args->frames < 1 || args->frames > 64)
    return usage_error (error, "--frames %d must be from 1 to 64", args->frames);
  if (!(args->clip_seconds >= 0.5 && args->clip_seconds <= 60.0))
    return usage_error (error, "--clip-seconds %g must be from 0.5 to 60", args->clip_seconds);
  if (!(args->test_fraction >= 0.0 && args->test_fraction <= 1.0))
    return usage_error (error, "--test-fraction %g must be from 0 to 1", args->test_fraction);
  if (!(args->silence_db >= -200.0 && args->silence_db <= 0.0))
    return usage_error (error, "--silence-db %g must be from -200 to 0", args->silence_db);
  if (args->split_by != NULL && !g_str_equal (args->split_by, "clip") && !g_str_equal (args->split_by, "video"))
    return usage_error (error, "--split-by “%s” must be clip or video", args->split_by);
  if (args->seed != NULL && !g_ascii_string_to_unsigned (args->seed, 10, 0, G_MAXUINT64, &seed, NULL))
    return usage_error (error, "--seed “%s” is not a whole number", args->seed);
  if (g_file_test (args->output, G_FILE_TEST_EXISTS) && !g_file_test (args->output, G_FILE_TEST_IS_DIR))
    return usage_error (error, "--output “%s” is a file, not a folder", args->output);

  settings->size = args->size;
  settings->crop = args->crop;
  settings->frames = args->frames;
  settings->clip_seconds = args->clip_seconds;
  settings->test_fraction = args->test_fraction;
  settings->silence_db = args->silence_db;
  settings->seed = seed;
  settings->split_by = args->split_by && g_str_equal (args->split_by, "video")
                       ? ADIS_SPLIT_BY_SOURCE : ADIS_SPLIT_BY_CLIP;
  return TRUE;
}

/* The frame as the dataset keeps it: square, --size on a side */
static AdisImage *
shape_frame (AdisImage *frame,
             int        size,
             gboolean   crop)
{
  int w = adis_image_get_width (frame);
  int h = adis_image_get_height (frame);

  if (crop && w != h)
    {
      int side = MIN (w, h);
      g_autoptr(AdisImage) square = adis_image_crop (frame, (w - side) / 2, (h - side) / 2, side, side);

      return adis_image_resize (square, size, size);
    }
  return adis_image_resize (frame, size, size);
}

typedef enum
{
  CLIP_FAILED = -1,   /* the dataset cannot be written: stop */
  CLIP_MADE,
  CLIP_SILENT,
  CLIP_SHORT,
  CLIP_UNDECODABLE,
} ClipOutcome;

/* Makes clip k of the video: its sound first (cheap, and it decides
 * whether the clip is kept), then its frames, then its row */
static ClipOutcome
make_clip (Run         *run,
           AdisVideo   *video,
           const char  *source,
           const char  *stem,
           guint        k,
           GError     **error)
{
  const PrepareSettings *s = &run->settings;
  double start = k * s->clip_seconds;
  gsize n_samples = (gsize) llround (s->clip_seconds * ADIS_SAMPLE_RATE);
  g_autofree float *samples = g_new (float, n_samples);
  g_autofree char *clip_id = g_strdup_printf ("%s-%05u", stem, k);
  g_autofree char *audio = g_strdup_printf ("%s/%s/%s.wav", ADIS_DATASET_AUDIO_DIR, stem, clip_id);
  g_auto(GStrv) frames = g_new0 (char *, s->frames + 1);
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *audio_path = NULL;
  gsize n_read = 0;
  double sum = 0.0;
  double rms_db;
  AdisClip clip = { 0 };

  if (!adis_video_read_audio (video, start, samples, n_samples, &n_read, &local_error))
    {
      g_debug ("%s at %.2f s: %s", source, start, local_error->message);
      return CLIP_UNDECODABLE;
    }
  /* A sound track that ends inside the clip leaves it short */
  if (n_read < n_samples * 95 / 100)
    return CLIP_SHORT;
  for (gsize i = 0; i < n_samples; i++)
    sum += (double) samples[i] * samples[i];
  rms_db = 10.0 * log10 (sum / n_samples + 1e-30);
  if (rms_db < s->silence_db)
    return CLIP_SILENT;

  for (int i = 0; i < s->frames; i++)
    {
      double t = start + i * s->clip_seconds / s->frames;
      g_autoptr(AdisImage) frame = adis_video_read_frame (video, t, &local_error);
      g_autoptr(AdisImage) shaped = NULL;
      g_autofree char *path = NULL;

      if (frame == NULL)
        {
          g_debug ("%s at %.2f s: %s", source, t, local_error->message);
          return CLIP_UNDECODABLE;
        }
      shaped = shape_frame (frame, s->size, s->crop);
      frames[i] = g_strdup_printf ("%s/%s/%s_%d.jpg", ADIS_DATASET_FRAMES_DIR, stem, clip_id, i);
      path = g_build_filename (run->args->output, frames[i], NULL);
      if (!adis_image_save (shaped, path, error))
        return CLIP_FAILED;
    }

  sound = adis_sound_new_from_samples (samples, n_samples, ADIS_SAMPLE_RATE, 1, error);
  audio_path = g_build_filename (run->args->output, audio, NULL);
  if (sound == NULL || !adis_sound_save_wav (sound, audio_path, error))
    return CLIP_FAILED;

  clip.clip_id = clip_id;
  clip.source = (char *) source;
  clip.start = start;
  clip.frames = frames;
  clip.audio = audio;
  clip.split = adis_split_choose (s->split_by, clip_id, stem, s->seed, s->test_fraction);
  clip.category = (char *) "";
  if (!adis_manifest_writer_add (run->writer, &clip, error))
    return CLIP_FAILED;

  run->n_made++;
  run->n_test += clip.split == ADIS_SPLIT_TEST;
  return CLIP_MADE;
}

static gboolean
make_subfolders (const char  *output,
                 const char  *stem,
                 GError     **error)
{
  const char *kinds[] = { ADIS_DATASET_FRAMES_DIR, ADIS_DATASET_AUDIO_DIR };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *dir = g_build_filename (output, kinds[i], stem, NULL);

      if (g_mkdir_with_parents (dir, 0755) != 0)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s: %s", dir, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* One video: FALSE with error set only for what must stop the whole run
 * (the dataset cannot be written, Ctrl-C); a video that cannot be read is
 * reported in *out_video_error and the run goes on */
static gboolean
prepare_video (Run         *run,
               const char  *source,
               GError     **out_video_error,
               GError     **error)
{
  const PrepareSettings *s = &run->settings;
  g_autoptr(AdisVideo) video = NULL;
  const char *stem;
  guint n_clips;
  guint n_made_before = run->n_made;

  video = adis_video_open (source, out_video_error);
  if (video == NULL)
    return TRUE;
  if (!adis_video_has_audio (video))
    {
      g_set_error (out_video_error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: no sound track, so no clip can be made", source);
      return TRUE;
    }

  if (!(adis_video_get_duration (video) > 0.0))
    {
      g_set_error (out_video_error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: the video does not say how long it is", source);
      return TRUE;
    }

  stem = prepare_state_stem_for (run->state, source);
  if (!make_subfolders (run->args->output, stem, error))
    return FALSE;

  /* Whole clips only: the rest of the video is too short to make one */
  n_clips = (guint) floor (adis_video_get_duration (video) / s->clip_seconds + 1e-6);
  if (adis_video_get_duration (video) - n_clips * s->clip_seconds > 0.05)
    run->skipped.short_++;

  for (guint k = 0; k < n_clips; k++)
    {
      g_autofree char *clip_id = g_strdup_printf ("%s-%05u", stem, k);
      ClipOutcome outcome;

      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;
      prepare_progress_update (run->progress, source, k, n_clips);

      /* Made by an earlier run that stopped halfway through this video */
      if (adis_manifest_writer_has_clip (run->writer, clip_id))
        continue;

      outcome = make_clip (run, video, source, stem, k, error);
      if (outcome == CLIP_FAILED)
        return FALSE;
      run->skipped.silent += outcome == CLIP_SILENT;
      run->skipped.short_ += outcome == CLIP_SHORT;
      run->skipped.undecodable += outcome == CLIP_UNDECODABLE;
    }

  prepare_progress_video_done (run->progress, source, run->n_made - n_made_before, n_clips);
  return prepare_state_mark_done (run->state, source, run->n_made - n_made_before, error);
}

static const char *
plural (guint        n,
        const char  *one,
        const char  *many)
{
  return n == 1 ? one : many;
}

static void
print_summary (Run          *run,
               guint         n_videos,
               guint         n_done_before,
               GPtrArray    *failures)
{
  const Skipped *k = &run->skipped;
  guint n_skipped = k->silent + k->short_ + k->undecodable;
  guint n_read = n_videos - n_done_before - failures->len;
  guint n_total = run->n_total;

  g_print ("Prepared %u %s (%u train, %u test) from %u %s into %s",
           run->n_made, plural (run->n_made, "clip", "clips"),
           run->n_made - run->n_test, run->n_test,
           n_read, plural (n_read, "video", "videos"), run->args->output);
  if (n_done_before > 0)
    g_print ("; %u %s already prepared", n_done_before,
             plural (n_done_before, "video was", "videos were"));
  g_print (".\n");
  if (n_skipped > 0)
    g_print ("Skipped %u %s: %u silent (RMS below %g dBFS), %u too short "
             "(the end of a video, or a sound track that stops early), %u undecodable.\n",
             n_skipped, plural (n_skipped, "clip", "clips"),
             k->silent, run->settings.silence_db, k->short_, k->undecodable);
  g_print ("The dataset now holds %u %s.\n", n_total, plural (n_total, "clip", "clips"));
  if (failures->len > 0)
    {
      g_print ("%u %s could not be read and %s skipped:\n", failures->len,
               plural (failures->len, "video", "videos"), plural (failures->len, "was", "were"));
      for (guint i = 0; i < failures->len; i++)
        g_print ("  %s\n", (const char *) failures->pdata[i]);
    }
}

/* For the ETA: a quick look at every video still to do. Those that cannot
 * be opened count for nothing; they are reported when their turn comes. */
static guint
count_clips_to_make (const PrepareArgs  *args,
                     PrepareState       *state,
                     int                 n_videos,
                     char              **videos)
{
  guint total = 0;

  for (int i = 0; i < n_videos; i++)
    {
      g_autoptr(AdisVideo) video = NULL;

      if (prepare_state_is_done (state, videos[i]))
        continue;
      video = adis_video_open (videos[i], NULL);
      if (video != NULL)
        total += (guint) floor (adis_video_get_duration (video) / args->clip_seconds + 1e-6);
    }
  return total;
}

static int
prepare (const PrepareArgs  *args,
         int                 n_videos,
         char              **videos)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PrepareState) state = NULL;
  g_autoptr(PrepareProgress) progress = NULL;
  Run run = { args };
  guint n_done_before = 0;
  gboolean ok = TRUE;

  if (!check_args (args, &run.settings, &error))
    return soundstyle_cli_report_error (error);

  run.cancellable = soundstyle_cli_interrupt_cancellable ();
  run.writer = adis_manifest_writer_open (args->output, &error);
  if (run.writer == NULL)
    return soundstyle_cli_report_error (error);
  state = prepare_state_open (args->output, &run.settings, &error);
  if (state == NULL)
    {
      adis_manifest_writer_free (run.writer);
      return soundstyle_cli_report_error (error);
    }
  run.state = state;
  progress = prepare_progress_new (n_videos, count_clips_to_make (args, state, n_videos, videos));
  run.progress = progress;

  for (int i = 0; i < n_videos && ok; i++)
    {
      g_autoptr(GError) video_error = NULL;

      prepare_progress_start_video (progress, videos[i], i);
      if (prepare_state_is_done (state, videos[i]))
        {
          n_done_before++;
          continue;
        }
      ok = prepare_video (&run, videos[i], &video_error, &error);
      if (video_error != NULL)
        {
          g_autofree char *line = soundstyle_cli_one_line (video_error->message);

          prepare_progress_clear (progress);
          g_printerr ("soundstyle: %s\n", line);
          g_ptr_array_add (failures, g_steal_pointer (&line));
        }
    }
  prepare_progress_clear (progress);

  /* Whatever happened, what was made is kept and the manifest made whole */
  run.n_total = adis_manifest_writer_get_n_clips (run.writer);
  if (!adis_manifest_writer_close (run.writer, ok ? &error : NULL) && ok)
    return soundstyle_cli_report_error (error);
  if (!ok)
    {
      if (soundstyle_cli_exit_status (error) == SOUNDSTYLE_EXIT_CANCELLED)
        {
          g_printerr ("soundstyle: interrupted; %u clips made this time are kept. "
                      "Run the same command again to go on.\n", run.n_made);
          return SOUNDSTYLE_EXIT_CANCELLED;
        }
      return soundstyle_cli_report_error (error);
    }

  print_summary (&run, n_videos, n_done_before, failures);
  return failures->len > 0 ? SOUNDSTYLE_EXIT_USAGE : SOUNDSTYLE_EXIT_OK;
}

int
soundstyle_cmd_prepare (int    argc,
                        char **argv)
{
  g_auto(PrepareArgs) args = {
    .size = 512, .frames = 8, .clip_seconds = ADIS_CLIP_SECONDS,
    .test_fraction = ADIS_DEFAULT_TEST_FRACTION, .silence_db = -60.0,
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "The dataset folder to write or add to", "DATASET" },
    { "size", 's', 0, G_OPTION_ARG_INT, &args.size, "Frame side in pixels (default: 512)", "N" },
    { "crop", 0, 0, G_OPTION_ARG_NONE, &args.crop, "Centre-crop frames to a square first, keeping the aspect", NULL },
    { "frames", 'f', 0, G_OPTION_ARG_INT, &args.frames, "Frames per clip, at uniform steps (default: 8)", "N" },
    { "clip-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &args.clip_seconds, "Clip length (default: 3)", "S" },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &args.test_fraction, "Share of clips held out for testing (default: 0.2)", "F" },
    { "split-by", 0, 0, G_OPTION_ARG_STRING, &args.split_by, "clip, or video to keep each video's clips on one side (default: clip)", "HOW" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &args.seed, "Seed of the train/test split (default: 0)", "S" },
    { "silence-db", 0, 0, G_OPTION_ARG_DOUBLE, &args.silence_db, "Skip clips whose RMS is below this (default: -60 dBFS)", "DB" },
    { NULL }
  };

  context = g_option_context_new ("VIDEO…");
  g_option_context_set_summary (context,
    "Cut videos into clips for training: from every 3 s of each VIDEO, 8 frames\n"
    "at uniform steps (JPEG, 512 x 512) and the sound (16-kHz mono WAV), listed\n"
    "in DATASET/manifest.tsv with a deterministic train/test split.");
  g_option_context_set_description (context,
    "Clips whose sound is silent, that are cut short by the end of the video or\n"
    "of its sound track, or that cannot be decoded are skipped and counted. A\n"
    "video that cannot be read is reported and skipped; the others go on, and the\n"
    "exit status is then 2. Running the command again resumes: finished videos\n"
    "are not redone, new ones are added. The options must stay the same for one\n"
    "dataset (they are kept in DATASET/prepare-state.json).\n"
    "\n"
    "Examples:\n"
    "  soundstyle prepare hikes/*.mp4 --output hikes\n"
    "  soundstyle prepare walk.mkv rain.webm --output data --crop --size 286\n"
    "  soundstyle prepare hikes/*.mp4 --output hikes --split-by video --test-fraction 0.15\n"
    "  soundstyle train hikes --output hikes.safetensors\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);
  if (argc < 2)
    {
      g_set_error_literal (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no video given; see soundstyle prepare --help");
      return soundstyle_cli_report_error (error);
    }

  return prepare (&args, argc - 1, argv + 1);
}
