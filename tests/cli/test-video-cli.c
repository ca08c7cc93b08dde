/* test-video-cli.c: `soundstyle video` on videos the test makes: frame
 * count, rate, duration and the edited soundtrack of the output, the
 * flicker figures, Ctrl-C, and refusals
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"

#define FPS      10
#define SECONDS  3

static struct
{
  char *dir;
  char *model;
  char *clip;        /* 64 x 64, 10 fps, 3 s, a 44.1-kHz stereo tone */
  char *silent;      /* the same without a sound track */
  char *tone;        /* a 1-s 880-Hz WAV */
} fixture;

static char *
path_in (const char *name)
{
  return g_build_filename (fixture.dir, name, NULL);
}

/* Runs soundstyle with the arguments up to NULL */
static int
run (char      **out_stdout,
     char      **out_stderr,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *) test_soundstyle_bin ());
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  status = test_run ((const char * const *) argv->pdata, out_stdout, out_stderr);
  if (g_test_verbose () && out_stderr != NULL && *out_stderr != NULL)
    g_printerr ("# stderr: %s", *out_stderr);
  return status;
}

/* The last JSON line of --json output */
static JsonObject *
last_event (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (lines);
  const char *last = NULL;

  for (guint i = 0; i < n; i++)
    if (lines[i][0] != '\0')
      last = lines[i];
  g_assert_nonnull (last);
  json_parser_load_from_data (parser, last, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static double
rms (const float *samples,
     gsize        n)
{
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += samples[i] * samples[i];
  return sqrt (sum / MAX (n, 1));
}

/* Checks rate, duration, size and sound; returns the sound's RMS */
static double
check_output (const char *path,
              double      expect_pitch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = adis_video_open (path, &error);
  g_autoptr(AdisImage) frame = NULL;
  g_autofree float *sound = g_new (float, SECONDS * ADIS_SAMPLE_RATE);
  gsize n_read = 0;
  double pitch;

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_video_get_frame_rate (video), FPS, 0.01);
  g_assert_cmpfloat_with_epsilon (adis_video_get_duration (video), SECONDS, 0.1);
  g_assert_cmpint (adis_video_get_width (video), ==, 64);
  g_assert_true (adis_video_has_audio (video));
  frame = adis_video_read_frame (video, SECONDS - 0.05, &error);
  g_assert_no_error (error);

  g_assert_true (adis_video_read_audio (video, 0.0, sound, SECONDS * ADIS_SAMPLE_RATE, &n_read, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_read, >, (SECONDS - 0.1) * ADIS_SAMPLE_RATE);
  /* The first second's pitch, away from the encoder's start-up */
  pitch = test_estimate_pitch (sound + 2000, ADIS_SAMPLE_RATE - 4000, ADIS_SAMPLE_RATE);
  g_test_message ("%s: pitch %.1f Hz, RMS %.3f", path, pitch, rms (sound, n_read));
  g_assert_cmpfloat (fabs (pitch - expect_pitch), <, 0.03 * expect_pitch);
  return rms (sound + 2000, n_read - 4000);
}

static void
test_restyle (void)
{
  g_autofree char *out = path_in ("out.mp4");
  g_autofree char *quiet = path_in ("quiet.mp4");
  g_autofree char *raw = path_in ("raw.mkv");
  g_autofree char *stdout1 = NULL, *stdout2 = NULL, *stdout3 = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonObject) done_raw = NULL;
  g_autoptr(JsonObject) done_quiet = NULL;
  double loud, soft;

  if (run (&stdout1, &err, "video", fixture.clip, "--output", out, "--size", "64", "--model",
           fixture.model, "--device", "cpu", "--json", NULL) != 0)
    g_error ("video: %s", err);
  done = last_event (stdout1);
  g_assert_cmpstr (json_object_get_string_member (done, "event"), ==, "done");
  g_assert_cmpint (json_object_get_int_member (done, "frames"), ==, FPS * SECONDS);
  g_assert_cmpfloat (json_object_get_double_member (done, "flicker"), >=, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (done, "input_flicker"), >, 0.0);
  /* Key windows every 0.25 s, not one per frame */
  g_assert_cmpint (json_object_get_int_member (done, "windows_encoded"), <=, 4 * SECONDS + 1);
  loud = check_output (out, TEST_VIDEO_PITCH (0));

  /* Without smoothing every frame encodes its own window */
  g_clear_pointer (&err, g_free);
  if (run (&stdout2, &err, "video", fixture.clip, "-o", raw, "--size", "64", "--model",
           fixture.model, "--device", "cpu", "--smooth", "0", "--json", NULL) != 0)
    g_error ("video --smooth 0: %s", err);
  done_raw = last_event (stdout2);
  g_assert_cmpint (json_object_get_int_member (done_raw, "windows_encoded"), ==, FPS * SECONDS);
  g_test_message ("flicker smoothed %.3f, raw %.3f, input %.3f",
                  json_object_get_double_member (done, "flicker"),
                  json_object_get_double_member (done_raw, "flicker"),
                  json_object_get_double_member (done, "input_flicker"));

  /* --gain changes the loudness of the soundtrack that is written */
  g_clear_pointer (&err, g_free);
  if (run (&stdout3, &err, "video", fixture.clip, "-o", quiet, "--size", "64", "--model",
           fixture.model, "--device", "cpu", "--gain", "0.5", "--json", NULL) != 0)
    g_error ("video --gain 0.5: %s", err);
  done_quiet = last_event (stdout3);
  g_assert_cmpstr (json_object_get_string_member (done_quiet, "event"), ==, "done");
  soft = check_output (quiet, TEST_VIDEO_PITCH (0));
  g_test_message ("RMS at gain 1: %.3f, at 0.5: %.3f", loud, soft);
  g_assert_cmpfloat (fabs (soft / loud - 0.5), <, 0.05);
}

static void
test_sound_track (void)
{
  g_autofree char *out = path_in ("given.mp4");
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *out2 = NULL;

  /* No sound track: --audio is required, and the error says so */
  g_assert_cmpint (run (NULL, &err, "video", fixture.silent, "-o", out, "--model", fixture.model,
                        NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--audio"));
  g_assert_nonnull (strstr (err, "silent.mp4"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  if (run (&out2, &err2, "video", fixture.silent, "-o", out, "--audio", fixture.tone, "--size", "64",
           "--model", fixture.model, "--device", "cpu", NULL) != 0)
    g_error ("video --audio: %s", err2);
  g_assert_nonnull (strstr (out2, "Flicker: "));
  /* The 1-s tone is repeated over the 3 s */
  check_output (out, 880.0);
}

static void
assert_refused (const char *mention,
                const char *first,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) test_soundstyle_bin ());
  g_ptr_array_add (argv, (char *) "video");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_cmpint (test_run ((const char * const *) argv->pdata, NULL, &err), ==, 2);
  g_assert_true (g_str_has_prefix (err, "soundstyle: "));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  if (strstr (err, mention) == NULL)
    g_error ("“%s” does not mention “%s”", err, mention);
}

static void
test_refusals (void)
{
  g_autofree char *dir = path_in ("refusals");
  g_autofree char *out = g_build_filename (dir, "out.mp4", NULL);
  g_autofree char *png = g_build_filename (dir, "out.png", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.mp4", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.mp4", NULL);
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (text, "not a video\n", -1, NULL));

  assert_refused ("notes.mp4", text, "-o", out, "--model", fixture.model, NULL);
  assert_refused ("missing.mp4", missing, "-o", out, "--model", fixture.model, NULL);
  assert_refused ("tone.wav", fixture.tone, "-o", out, "--model", fixture.model, NULL);
  assert_refused (".mp4", fixture.clip, "-o", png, "--model", fixture.model, NULL);
  assert_refused ("--output", fixture.clip, "--model", fixture.model, NULL);
  assert_refused ("input", fixture.clip, "-o", fixture.clip, "--model", fixture.model, NULL);
  assert_refused ("gain", fixture.clip, "-o", out, "--gain", "9", "--model", fixture.model, NULL);
  assert_refused ("missing.wav", fixture.clip, "-o", out, "--mix", "missing.wav", "--model",
                  fixture.model, NULL);
  assert_refused ("smooth", fixture.clip, "-o", out, "--smooth", "-1", "--model", fixture.model, NULL);

  /* Nothing was written beside the one file the test made */
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (!g_str_equal (name, "notes.mp4"))
      g_error ("a refused run left “%s”", name);
}

/* Ctrl-C mid-run: exit 130, the output untouched, and the frames made so
 * far in a playable, shorter file beside it */
static void
test_interrupt (void)
{
  g_autofree char *long_clip = path_in ("long.mp4");
  g_autofree char *out = path_in ("cut.mp4");
  g_autofree char *partial = path_in ("cut.partial.mp4");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) last = NULL;
  gboolean signalled = FALSE;
  char *line;

  test_write_video (long_clip, 64, 64, FPS, 30.0, 16000, 1, -1.0);
  process = g_subprocess_launcher_spawn (launcher, &error, test_soundstyle_bin (), "video", long_clip,
                                         "-o", out, "--size", "128", "--model", fixture.model,
                                         "--device", "cpu", "--json", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *event;

      json_parser_load_from_data (parser, line, -1, &error);
      g_free (line);
      g_assert_no_error (error);
      event = json_node_get_object (json_parser_get_root (parser));
      g_clear_pointer (&last, json_object_unref);
      last = json_object_ref (event);
      if (!signalled && g_str_equal (json_object_get_string_member (event, "event"), "progress") &&
          json_object_get_int_member (event, "frame") >= 5)
        {
          g_subprocess_send_signal (process, SIGINT);
          signalled = TRUE;
        }
    }
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (signalled);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_cmpstr (json_object_get_string_member (last, "event"), ==, "interrupted");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  if (json_object_get_null_member (last, "partial"))
    g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  else
    {
      g_autoptr(AdisVideo) video = adis_video_open (partial, &error);
      g_autoptr(AdisImage) frame = NULL;
      gint64 frames = json_object_get_int_member (last, "frames");

      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (last, "partial"), ==, partial);
      g_test_message ("interrupted after %" G_GINT64_FORMAT " frames; partial lasts %.2f s",
                      frames, adis_video_get_duration (video));
      g_assert_cmpint (frames, >=, 5);
      g_assert_cmpfloat (adis_video_get_duration (video), <, 30.0);
      g_assert_cmpfloat (fabs (adis_video_get_duration (video) - frames / (double) FPS), <, 0.2);
      frame = adis_video_read_frame (video, frames / (double) FPS - 0.05, &error);
      g_assert_no_error (error);
      g_assert_cmpint (adis_image_get_width (frame), ==, 128);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dataset = NULL;
  g_autofree char *err = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  fixture.dir = test_make_tmpdir ("video-cli");
  fixture.model = path_in ("tiny.safetensors");
  fixture.clip = path_in ("clip.mp4");
  fixture.silent = path_in ("silent.mp4");
  fixture.tone = path_in ("tone.wav");
  test_write_video (fixture.clip, 64, 64, FPS, SECONDS, 44100, 2, -1.0);
  test_write_video (fixture.silent, 64, 64, FPS, SECONDS, 0, 0, -1.0);
  test_write_tone_wav (fixture.tone, 880.0, 0.3, 1.0, 16000, 1);

  /* A tiny model, trained for a few steps: what matters here is the video
   * path around it, not its looks */
  dataset = test_make_tiny_dataset (fixture.dir, 4, 32);
  if (run (NULL, &err, "train", dataset, "--output", fixture.model, "--preset", "tiny",
           "--size", "32", "--batch", "2", "--max-steps", "2", "--seed", "1",
           "--device", "cpu", NULL) != 0)
    g_error ("training the test model failed: %s", err);

  g_test_add_func ("/soundstyle/video-cli/restyle", test_restyle);
  g_test_add_func ("/soundstyle/video-cli/sound-track", test_sound_track);
  g_test_add_func ("/soundstyle/video-cli/refusals", test_refusals);
  g_test_add_func ("/soundstyle/video-cli/interrupt", test_interrupt);

  status = g_test_run ();
  test_rm_rf (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.model);
  g_free (fixture.clip);
  g_free (fixture.silent);
  g_free (fixture.tone);
  return status;
}
