/* cmd-video.c: `soundstyle video`, a video restyled by its own soundtrack
 *
 * SPDX-License-Identifier: MIT
 *
 * The paper's last experiment: edit a video's sound (louder, replaced,
 * blended) and the frames follow, each restyled by the 3-s window of the
 * edited soundtrack centred on it. The output keeps the frame rate and
 * duration and carries the edited soundtrack. Frames are written as they
 * are made, into a file next to the output that is renamed at the end, so
 * that an interrupted run can still finish what it has into a playable file.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "json-lines.h"
#include "soundstyle-cli.h"
#include "video-style.h"
#include "video-track.h"

typedef struct
{
  char     *input;
  char     *output;
  char     *audio;
  char     *mix;
  char     *model;
  char     *device;
  double    gain;
  double    mix_weight;
  double    smooth;
  int       size;
  gboolean  json;
} VideoArgs;

static void
video_args_clear (VideoArgs *args)
{
  g_clear_pointer (&args->input, g_free);
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->audio, g_free);
  g_clear_pointer (&args->mix, g_free);
  g_clear_pointer (&args->model, g_free);
  g_clear_pointer (&args->device, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VideoArgs, video_args_clear)

typedef struct
{
  VideoArgs       *args;
  GCancellable    *cancellable;
  AdisVideo       *video;
  AdisModel       *model;
  VideoTrack      *track;
  VideoStyle      *style;
  AdisVideoWriter *writer;
  char            *partial;      /* where frames go as they are made */
  double           fps;
  guint            n_frames;
  guint            done;
  int              width;
  int              height;

  /* Flicker: consecutive frames' mean absolute difference, summed */
  AdisImage       *last_in;
  AdisImage       *last_out;
  double           flicker_in;
  double           flicker_out;

  gboolean         terminal;
  gint64           start_usec;
  gint64           last_report_usec;
  guint            last_line_tenth;
} VideoRun;

static void
video_run_clear (VideoRun *run)
{
  g_clear_pointer (&run->writer, adis_video_writer_free);
  g_clear_pointer (&run->style, video_style_free);
  g_clear_pointer (&run->track, video_track_free);
  g_clear_pointer (&run->model, adis_model_unref);
  g_clear_pointer (&run->video, adis_video_free);
  g_clear_pointer (&run->last_in, adis_image_unref);
  g_clear_pointer (&run->last_out, adis_image_unref);
  g_clear_pointer (&run->partial, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VideoRun, video_run_clear)

/* --- checks --------------------------------------------------------------- */

static gboolean
check_output_video (const char  *path,
                    const char  *input,
                    GError     **error)
{
  static const char *const extensions[] = { ".mp4", ".mkv", ".mov" };
  g_autofree char *lower = NULL;
  gboolean known = FALSE;
  GStatBuf in_stat, out_stat;

  if (path == NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no output given; pass --output FILE.mp4");
      return FALSE;
    }
  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    known |= g_str_has_suffix (lower, extensions[i]);
  if (!known)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "output “%s” must end in .mp4, .mkv or .mov", path);
      return FALSE;
    }
  /* Renaming over the input at the end would lose it */
  if (g_stat (input, &in_stat) == 0 && g_stat (path, &out_stat) == 0 &&
      in_stat.st_dev == out_stat.st_dev && in_stat.st_ino == out_stat.st_ino)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "output “%s” is the input video; choose another name", path);
      return FALSE;
    }
  return soundstyle_cli_check_output_path (path, error);
}

static gboolean
check_args (VideoArgs   *args,
            AdisDevice  *out_device,
            GError     **error)
{
  if (args->input == NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no video given; see soundstyle video --help");
      return FALSE;
    }
  if (!g_file_test (args->input, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: no such file", args->input);
      return FALSE;
    }
  if (!(args->smooth >= 0.0 && args->smooth <= 10.0))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--smooth %g is out of range: use 0 (off) to 10 seconds", args->smooth);
      return FALSE;
    }
  /* Mixing without a weight means an even blend */
  if (isnan (args->mix_weight))
    args->mix_weight = args->mix != NULL ? 0.5 : 0.0;

  return check_output_video (args->output, args->input, error) &&
         soundstyle_cli_check_gain (args->gain, error) &&
         soundstyle_cli_check_weight (args->mix_weight, args->mix != NULL, error) &&
         soundstyle_cli_check_size (args->size, error) &&
         adis_device_parse (args->device, out_device, error);
}

/* "clip.mp4" -> "clip.partial.mp4": the file frames are written into */
static char *
partial_path (const char *output)
{
  const char *dot = strrchr (output, '.');
  g_autofree char *stem = g_strndup (output, dot - output);

  return g_strconcat (stem, ".partial", dot, NULL);
}

/* --- reporting ------------------------------------------------------------ */

/* Mean absolute difference of two same-sized images, in 8-bit levels */
static double
mean_abs_difference (AdisImage *a,
                     AdisImage *b)
{
  gsize n = (gsize) 3 * adis_image_get_width (a) * adis_image_get_height (a);
  const float *pa = adis_image_get_planes (a);
  const float *pb = adis_image_get_planes (b);
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += fabsf (pa[i] - pb[i]);
  return sum / n * 127.5;
}

static double
elapsed_seconds (VideoRun *run)
{
  return (g_get_monotonic_time () - run->start_usec) / (double) G_USEC_PER_SEC;
}

static double
eta_seconds (VideoRun *run)
{
  if (run->done == 0)
    return NAN;
  return elapsed_seconds (run) / run->done * (run->n_frames - run->done);
}

static char *
format_eta (double seconds)
{
  guint s;

  if (!isfinite (seconds))
    return g_strdup ("?");
  s = (guint) lround (seconds);
  if (s >= 3600)
    return g_strdup_printf ("%uh%02um", s / 3600, s / 60 % 60);
  if (s >= 60)
    return g_strdup_printf ("%um%02us", s / 60, s % 60);
  return g_strdup_printf ("%us", s);
}

static void
clear_bar (VideoRun *run)
{
  if (run->terminal)
    g_printerr ("\r\033[K");
}

/* A bar redrawn in place on a terminal, a line per tenth elsewhere, and a
 * JSON event per frame with --json */
static void
report_progress (VideoRun *run)
{
  gint64 now = g_get_monotonic_time ();
  double fraction = run->done / (double) run->n_frames;
  g_autofree char *eta = format_eta (eta_seconds (run));
  double rate = run->done / MAX (elapsed_seconds (run), 1e-6);

  if (run->args->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("progress");

      json_lines_add_int (builder, "frame", run->done);
      json_lines_add_int (builder, "frames", run->n_frames);
      json_lines_add_double (builder, "fraction", fraction);
      json_lines_add_double (builder, "frames_per_s", rate);
      json_lines_add_double (builder, "eta_s", eta_seconds (run));
      json_lines_emit (builder);
    }

  if (run->terminal)
    {
      char bar[31];
      guint filled = (guint) (fraction * 30);

      if (now - run->last_report_usec < G_USEC_PER_SEC / 5 && run->done < run->n_frames)
        return;
      run->last_report_usec = now;
      for (guint i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
      bar[30] = '\0';
      g_printerr ("\r\033[K[%s] %u/%u frames  %.1f frames/s  ETA %s",
                  bar, run->done, run->n_frames, rate, eta);
    }
  else if (!run->args->json && (guint) (fraction * 10) > run->last_line_tenth)
    {
      run->last_line_tenth = (guint) (fraction * 10);
      g_printerr ("soundstyle: %u/%u frames (%.0f %%), %.1f frames/s, ETA %s\n",
                  run->done, run->n_frames, 100.0 * fraction, rate, eta);
    }
}

static double
flicker_of (VideoRun *run,
            double    sum)
{
  return run->done > 1 ? sum / (run->done - 1) : 0.0;
}

static void
report_done (VideoRun *run)
{
  double seconds = elapsed_seconds (run);
  double in = flicker_of (run, run->flicker_in);
  double out = flicker_of (run, run->flicker_out);
  double ratio = in > 0.0 ? out / in : NAN;

  clear_bar (run);
  if (run->args->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("done");

      json_lines_add_string (builder, "output", run->args->output);
      json_lines_add_int (builder, "frames", run->done);
      json_lines_add_int (builder, "width", run->width);
      json_lines_add_int (builder, "height", run->height);
      json_lines_add_double (builder, "fps", run->fps);
      json_lines_add_double (builder, "duration_s", run->done / run->fps);
      json_lines_add_double (builder, "seconds", seconds);
      json_lines_add_double (builder, "frames_per_s", run->done / MAX (seconds, 1e-6));
      json_lines_add_double (builder, "smooth_s", run->args->smooth);
      json_lines_add_int (builder, "windows_encoded", video_style_get_n_encoded (run->style));
      json_lines_add_double (builder, "flicker", out);
      json_lines_add_double (builder, "input_flicker", in);
      json_lines_add_double (builder, "flicker_ratio", ratio);
      json_lines_emit (builder);
      return;
    }
  g_print ("Wrote %s: %u frames of %d × %d at %.3g frames/s (%.2f s), in %.1f s (%.2f frames/s)\n",
           run->args->output, run->done, run->width, run->height, run->fps,
           run->done / run->fps, seconds, run->done / MAX (seconds, 1e-6));
  g_print ("Flicker: %.2f levels between consecutive frames; the input's %.2f (× %.2f); "
           "smoothing %.2g s, %u sound windows encoded\n",
           out, in, ratio, run->args->smooth, video_style_get_n_encoded (run->style));
}

/* --- the run -------------------------------------------------------------- */

static gboolean
add_frame (VideoRun  *run,
           guint      n,
           GError   **error)
{
  double t = (n + 0.5) / run->fps;
  g_autoptr(AdisImage) frame = NULL;
  g_autoptr(AdisImage) frame_sized = NULL;
  g_autoptr(AdisImageCode) image_code = NULL;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisStyle) style = NULL;
  g_autoptr(AdisImage) styled = NULL;
  g_autofree float *audio = NULL;
  gsize from, to;

  /* The middle of the frame's time on screen: safe from rounding either way */
  if ((frame = adis_video_read_frame (run->video, t, error)) == NULL ||
      (image_code = adis_model_encode_image (run->model, frame, run->args->size,
                                             run->cancellable, error)) == NULL ||
      (sound_code = video_style_code_at (run->style, t, run->cancellable, error)) == NULL ||
      (style = adis_model_decode_style (run->model, image_code, sound_code,
                                        run->cancellable, error)) == NULL)
    return FALSE;
  /* Rain streaks in new places every frame: the rain falls rather than
   * hanging over the picture */
  adis_style_set_streak_seed (style, n);
  styled = adis_style_apply (style, adis_image_code_get_width (image_code),
                             adis_image_code_get_height (image_code), NULL, NULL,
                             run->cancellable, error);
  if (styled == NULL)
    return FALSE;

  if (run->writer == NULL)
    {
      run->width = adis_image_get_width (styled);
      run->height = adis_image_get_height (styled);
      run->writer = adis_video_writer_new (run->partial, run->width, run->height, run->fps,
                                           ADIS_SAMPLE_RATE, 1, error);
      if (run->writer == NULL)
        return FALSE;
    }

  /* The sound that plays while this frame is on screen */
  from = (gsize) llround (n * ADIS_SAMPLE_RATE / run->fps);
  to = MIN ((gsize) llround ((n + 1) * ADIS_SAMPLE_RATE / run->fps), run->track->n_samples);
  audio = g_new (float, MAX (to, from) - from + 1);
  video_track_copy_clipped (run->track, from, MAX (to, from), audio);
  if (!adis_video_writer_add_frame (run->writer, styled, error) ||
      !adis_video_writer_add_audio (run->writer, audio, MAX (to, from) - from, error))
    return FALSE;

  frame_sized = adis_image_resize (frame, run->width, run->height);
  if (run->last_out != NULL)
    {
      run->flicker_in += mean_abs_difference (frame_sized, run->last_in);
      run->flicker_out += mean_abs_difference (styled, run->last_out);
    }
  g_clear_pointer (&run->last_in, adis_image_unref);
  g_clear_pointer (&run->last_out, adis_image_unref);
  run->last_in = g_steal_pointer (&frame_sized);
  run->last_out = g_steal_pointer (&styled);
  return TRUE;
}

/* Ctrl-C: what is done becomes a playable (shorter) file at the partial
 * name; the output itself is never touched */
static int
finish_interrupted (VideoRun *run)
{
  g_autoptr(GError) error = NULL;
  gboolean kept = FALSE;

  clear_bar (run);
  if (run->writer != NULL && run->done > 0)
    kept = adis_video_writer_finish (run->writer, &error);
  if (run->args->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("interrupted");

      json_lines_add_int (builder, "frames", run->done);
      json_lines_add_string (builder, "partial", kept ? run->partial : NULL);
      json_lines_emit (builder);
    }
  if (kept)
    g_printerr ("soundstyle: interrupted after %u of %u frames; those are in %s\n",
                run->done, run->n_frames, run->partial);
  else
    g_printerr ("soundstyle: interrupted after %u of %u frames; nothing was written%s%s\n",
                run->done, run->n_frames, error != NULL ? ": " : "",
                error != NULL ? error->message : "");
  return SOUNDSTYLE_EXIT_CANCELLED;
}

static int
run_video (VideoArgs  *args,
           GError    **error)
{
  g_auto(VideoRun) run = { .args = args };
  AdisDevice device;
  double duration;

  /* Every input is read and checked before the model loads */
  if (!check_args (args, &device, error))
    return -1;
  if ((run.video = adis_video_open (args->input, error)) == NULL)
    return -1;
  run.fps = adis_video_get_frame_rate (run.video);
  duration = adis_video_get_duration (run.video);
  if (!(run.fps > 0.0) || !(duration > 0.0))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: the video does not say its %s", args->input,
                   run.fps > 0.0 ? "duration" : "frame rate");
      return -1;
    }
  run.n_frames = MAX (1, (guint) lround (duration * run.fps));
  run.track = video_track_new (run.video, args->audio, args->mix, args->gain, args->mix_weight,
                               (gsize) llround (run.n_frames / run.fps * ADIS_SAMPLE_RATE), error);
  if (run.track == NULL)
    return -1;

  run.cancellable = soundstyle_cli_interrupt_cancellable ();
  if ((run.model = soundstyle_cli_load_model (args->model, device, error)) == NULL ||
      !soundstyle_cli_check_conditioning (run.model, FALSE, error))
    return -1;
  run.style = video_style_new (run.model, run.track, args->smooth);
  run.partial = partial_path (args->output);
  run.terminal = isatty (STDERR_FILENO);
  run.start_usec = g_get_monotonic_time ();

  if (args->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("start");

      json_lines_add_int (builder, "frames", run.n_frames);
      json_lines_add_double (builder, "fps", run.fps);
      json_lines_add_double (builder, "duration_s", run.n_frames / run.fps);
      json_lines_emit (builder);
    }

  while (run.done < run.n_frames)
    {
      if (!add_frame (&run, run.done, error))
        {
          if (soundstyle_cli_exit_status (*error) == SOUNDSTYLE_EXIT_CANCELLED)
            {
              g_clear_error (error);
              return finish_interrupted (&run);
            }
          clear_bar (&run);
          return -1;
        }
      run.done++;
      report_progress (&run);
      if (g_cancellable_is_cancelled (run.cancellable) && run.done < run.n_frames)
        return finish_interrupted (&run);
    }

  if (!adis_video_writer_finish (run.writer, error))
    return -1;
  if (g_rename (run.partial, args->output) != 0)
    {
      int saved = errno;

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s: %s", args->output, g_strerror (saved));
      g_unlink (run.partial);
      return -1;
    }
  report_done (&run);
  return SOUNDSTYLE_EXIT_OK;
}

int
soundstyle_cmd_video (int    argc,
                      char **argv)
{
  g_auto(VideoArgs) args = { .gain = 1.0, .mix_weight = NAN, .smooth = 1.0, .size = 512 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "Where to write the restyled video (.mp4, .mkv, .mov)", "FILE" },
    { "gain", 'g', 0, G_OPTION_ARG_DOUBLE, &args.gain, "Loudness of the soundtrack, 0 to 4 (default: 1)", "G" },
    { "audio", 'a', 0, G_OPTION_ARG_FILENAME, &args.audio, "A sound to use instead of the video's own (needed when it has none)", "FILE" },
    { "mix", 0, 0, G_OPTION_ARG_FILENAME, &args.mix, "A second sound to blend into the soundtrack", "FILE" },
    { "mix-weight", 0, 0, G_OPTION_ARG_DOUBLE, &args.mix_weight, "Share of the second sound, 0 to 1 (default: 0.5)", "W" },
    { "smooth", 0, 0, G_OPTION_ARG_DOUBLE, &args.smooth, "Seconds over which the style is smoothed, 0 for off (default: 1)", "S" },
    { "size", 's', 0, G_OPTION_ARG_INT, &args.size, "Long side of the output in pixels; 0 keeps the video's (default: 512)", "N" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &args.model, "Model file (default: $SOUNDSTYLE_MODEL or the installed one)", "FILE" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args.json, "Progress and the result as JSON lines on stdout", NULL },
    { NULL }
  };

  context = g_option_context_new ("VIDEO");
  g_option_context_set_summary (context,
    "Restyle every frame of a video by its own (edited) soundtrack.");
  g_option_context_set_description (context,
    "Each frame is restyled by the 3-s window of the soundtrack centred on it.\n"
    "The soundtrack can be made louder or quieter (--gain), replaced (--audio)\n"
    "or blended with another sound (--mix); the output carries the edited\n"
    "soundtrack (16 kHz mono) and keeps the video's frame rate and duration.\n"
    "\n"
    "Flicker: every frame is restyled on its own, and the style of neighbouring\n"
    "windows can differ. --smooth S averages the style over S seconds (sound\n"
    "windows encoded every 0.25 s, weighted by a triangle); 0 turns it off. The\n"
    "flicker figure printed at the end is the mean absolute difference between\n"
    "consecutive frames (8-bit levels), next to the input's.\n"
    "\n"
    "Interrupting (Ctrl-C) keeps the frames made so far as a playable, shorter\n"
    "video next to the output, named OUT.partial.mp4 (none if no frame was made);\n"
    "the output itself is written only when every frame is done.\n"
    "\n"
    "Examples:\n"
    "  soundstyle video beach.mp4 --output stormy-beach.mp4 --gain 2\n"
    "  soundstyle video street.mp4 -o rainy.mp4 --mix rain.wav --mix-weight 0.7\n"
    "  soundstyle video silent.mp4 -o fire.mp4 --audio fire.wav --size 256\n"
    "  soundstyle video beach.mp4 -o raw.mp4 --smooth 0 --json\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc > 2)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "unexpected argument “%s”; see soundstyle video --help", argv[2]);
      return soundstyle_cli_report_error (error);
    }
  if (argc == 2)
    args.input = g_strdup (argv[1]);
  if (args.device == NULL)
    args.device = g_strdup ("auto");

  status = run_video (&args, &error);
  if (status < 0)
    return soundstyle_cli_report_error (error);
  return status;
}
