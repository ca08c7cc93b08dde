/* test-video.c: videos written by the engine and read back: frames at exact
 * times forwards and backwards, the sound at 16 kHz mono, and refusals
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"

#define FPS      10
#define SECONDS  4.0

static char *tmpdir;
static char *video_path;   /* 96 x 64, 10 fps, 4 s, 44.1-kHz stereo tone */

static void
test_info (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = adis_video_open (video_path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (adis_video_get_width (video), ==, 96);
  g_assert_cmpint (adis_video_get_height (video), ==, 64);
  g_assert_cmpfloat_with_epsilon (adis_video_get_frame_rate (video), FPS, 1e-6);
  g_assert_cmpfloat (fabs (adis_video_get_duration (video) - SECONDS), <, 0.15);
  g_assert_true (adis_video_has_audio (video));
  g_assert_cmpstr (adis_video_get_path (video), ==, video_path);
}

static int
frame_at (AdisVideo *video,
          double     t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) frame = adis_video_read_frame (video, t, &error);

  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (frame), ==, adis_video_get_width (video));
  return test_video_frame_index (frame);
}

/* The frame on screen at t is floor(t * fps), going forwards, backwards
 * (a seek) and far ahead */
static void
test_frames (void)
{
  static const double times[] = {
    0.0, 0.05, 0.1, 0.1999, 0.2, 0.95, 1.0, 2.35, 3.9, 3.95,
    0.4, 0.0, 3.0, 1.25, 1.3, 2.0,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = adis_video_open (video_path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      int expected = (int) floor (times[i] * FPS + 1e-9);
      int got = frame_at (video, times[i]);

      if (got != expected)
        g_error ("at %.4f s: frame %d, expected %d", times[i], got, expected);
    }

  /* Past the end, the last frame stays on screen */
  g_assert_cmpint (frame_at (video, 10.0), ==, (int) (SECONDS * FPS) - 1);

  /* Times that are not times */
  g_assert_null (adis_video_read_frame (video, -1.0, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_video_read_frame (video, NAN, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

/* The stereo 44.1-kHz tone comes back at 16 kHz with the pitch of each
 * second, channels averaged (both carry the tone: the level is kept) */
static void
test_audio (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = adis_video_open (video_path, &error);
  float samples[ADIS_SAMPLE_RATE];
  gsize n_read = 0;

  g_assert_no_error (error);
  for (int s = 0; s < (int) SECONDS; s++)
    {
      double peak = 0.0;
      double pitch;

      /* The middle half of second s, away from the pitch changes */
      g_assert_true (adis_video_read_audio (video, s + 0.25, samples, ADIS_SAMPLE_RATE / 2,
                                            &n_read, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_read, ==, ADIS_SAMPLE_RATE / 2);
      pitch = test_estimate_pitch (samples, n_read, ADIS_SAMPLE_RATE);
      for (gsize i = 0; i < n_read; i++)
        peak = MAX (peak, fabs (samples[i]));
      g_test_message ("second %d: %.1f Hz (tone %.0f Hz), peak %.3f", s, pitch,
                      TEST_VIDEO_PITCH (s), peak);
      g_assert_cmpfloat (fabs (pitch - TEST_VIDEO_PITCH (s)), <, 0.03 * TEST_VIDEO_PITCH (s));
      g_assert_cmpfloat (fabs (peak - 0.5), <, 0.08);
    }

  /* The last half second, then the end of the track: zeros and a count */
  g_assert_true (adis_video_read_audio (video, SECONDS - 0.5, samples, ADIS_SAMPLE_RATE,
                                        &n_read, &error));
  g_assert_no_error (error);
  g_test_message ("reading 1 s from %.1f s gave %zu samples", SECONDS - 0.5, n_read);
  g_assert_cmpuint (n_read, >=, ADIS_SAMPLE_RATE / 2 - 400);
  g_assert_cmpuint (n_read, <=, ADIS_SAMPLE_RATE / 2 + 1200);
  g_assert_cmpfloat (samples[ADIS_SAMPLE_RATE - 1], ==, 0.f);

  /* Going back seeks: the pitch of second 1 again */
  g_assert_true (adis_video_read_audio (video, 1.25, samples, ADIS_SAMPLE_RATE / 2, &n_read, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (test_estimate_pitch (samples, n_read, ADIS_SAMPLE_RATE) - TEST_VIDEO_PITCH (1)),
                     <, 0.03 * TEST_VIDEO_PITCH (1));
}

/* A sound track at the engine's own rate is taken sample for sample: the
 * tone's onset lines up with the video's start within a few milliseconds */
static void
test_audio_timing (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "mono16k.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = NULL;
  float samples[ADIS_SAMPLE_RATE];
  gsize n_read = 0;
  gsize first_silent = 0;

  /* Silent from 1 s on: where the tone stops shows where the clock is */
  test_write_video (path, 32, 32, FPS, 2.0, ADIS_SAMPLE_RATE, 1, 1.0);
  video = adis_video_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (adis_video_read_audio (video, 0.5, samples, ADIS_SAMPLE_RATE, &n_read, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < n_read; i++)
    if (fabsf (samples[i]) > 0.05f)
      first_silent = i + 1;
  g_test_message ("the tone stops %.1f ms after 0.5 s (expected 500 ms)", first_silent / 16.0);
  g_assert_cmpfloat (fabs (first_silent / 16.0 - 500.0), <, 10.0);
}

static void
expect_refusal (const char *path,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = adis_video_open (path, &error);

  g_assert_null (video);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_refusals (void)
{
  g_autofree char *garbage = g_build_filename (tmpdir, "garbage.mp4", NULL);
  g_autofree char *truncated = g_build_filename (tmpdir, "truncated.mp4", NULL);
  g_autofree char *empty = g_build_filename (tmpdir, "empty.mkv", NULL);
  g_autofree char *sound_only = g_build_filename (tmpdir, "tone.wav", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.mp4", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  guint8 noise[4096];
  gsize length;

  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_rand_int (rand);
  g_assert_true (g_file_set_contents (garbage, (const char *) noise, sizeof noise, NULL));
  expect_refusal (garbage, "not a video");

  /* MP4 keeps its index at the end: cut short, it cannot be read */
  g_assert_true (g_file_get_contents (video_path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, length / 2, NULL));
  expect_refusal (truncated, "not a video");

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  expect_refusal (empty, "not a video");

  test_write_tone_wav (sound_only, 440, 0.5, 1.0, 16000, 1);
  expect_refusal (sound_only, "no video stream");

  expect_refusal (missing, "no such file");
}

static void
test_no_sound_track (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "silent-film.mkv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) video = NULL;
  float samples[16];

  test_write_video (path, 32, 32, FPS, 1.0, 0, 0, -1);
  video = adis_video_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (adis_video_has_audio (video));
  g_assert_cmpint (frame_at (video, 0.55), ==, 5);
  g_assert_false (adis_video_read_audio (video, 0.0, samples, 16, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "no sound track"));
}

static void
test_writer_refusals (void)
{
  g_autofree char *odd = g_build_filename (tmpdir, "odd.mp4", NULL);
  g_autofree char *unknown = g_build_filename (tmpdir, "clip.notavideo", NULL);
  g_autofree char *abandoned = g_build_filename (tmpdir, "abandoned.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) wrong = NULL;
  AdisVideoWriter *writer;
  float planes[3 * 16 * 16] = { 0 };

  g_assert_null (adis_video_writer_new (odd, 33, 32, 10, 0, 0, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_video_writer_new (unknown, 32, 32, 10, 0, 0, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* A frame of the wrong size, then given up: nothing is left behind */
  writer = adis_video_writer_new (abandoned, 32, 32, 10, 16000, 1, &error);
  g_assert_no_error (error);
  wrong = adis_image_new_from_planes (planes, 16, 16);
  g_assert_false (adis_video_writer_add_frame (writer, wrong, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  adis_video_writer_free (writer);
  g_assert_false (g_file_test (abandoned, G_FILE_TEST_EXISTS));
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".abandoned"));
  }
}

/* Mean brightness of a quadrant (qx, qy in 0..1) of a frame, in [-1, 1] */
static double
quadrant_mean (AdisImage *image,
               int        qx,
               int        qy)
{
  int w = adis_image_get_width (image);
  int h = adis_image_get_height (image);
  const float *planes = adis_image_get_planes (image);
  double sum = 0.0;

  for (int y = qy * h / 2; y < (qy + 1) * h / 2; y++)
    for (int x = qx * w / 2; x < (qx + 1) * w / 2; x++)
      sum += planes[(gsize) y * w + x];
  return sum / (w / 2 * (h / 2));
}

/* A phone's portrait video is stored turned with a display matrix: frames
 * come back upright. The stored frame is 64 x 32 with its top-left quarter
 * bright; turned clockwise by r, that quarter lands in a known corner. */
static void
test_rotation (void)
{
  static const struct { int degrees; int width; int qx; int qy; } cases[] = {
    { 0, 64, 0, 0 }, { 90, 32, 1, 0 }, { 180, 64, 1, 1 }, { 270, 32, 0, 1 },
  };
  g_autofree float *planes = g_new0 (float, 3 * 64 * 32);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 32; y++)
      for (int x = 0; x < 64; x++)
        planes[(gsize) c * 64 * 32 + y * 64 + x] = x < 32 && y < 16 ? 0.9f : -0.9f;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("turned%d.mp4", cases[i].degrees);
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_autoptr(AdisImage) stored = adis_image_new_from_planes (planes, 64, 32);
      g_autoptr(AdisVideoWriter) writer = NULL;
      g_autoptr(AdisVideo) video = NULL;
      g_autoptr(AdisImage) frame = NULL;
      g_autoptr(GError) error = NULL;

      writer = adis_video_writer_new (path, 64, 32, FPS, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_true (adis_video_writer_set_rotation (writer, cases[i].degrees, &error));
      for (int n = 0; n < 3; n++)
        g_assert_true (adis_video_writer_add_frame (writer, stored, &error));
      g_assert_true (adis_video_writer_finish (writer, &error));
      g_assert_no_error (error);

      video = adis_video_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (adis_video_get_rotation (video), ==, cases[i].degrees);
      g_assert_cmpint (adis_video_get_width (video), ==, cases[i].width);
      frame = adis_video_read_frame (video, 0.1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (adis_image_get_width (frame), ==, cases[i].width);
      g_assert_cmpint (adis_image_get_height (frame), ==, 64 * 32 / cases[i].width);
      for (int qy = 0; qy < 2; qy++)
        for (int qx = 0; qx < 2; qx++)
          {
            double mean = quadrant_mean (frame, qx, qy);
            gboolean bright = qx == cases[i].qx && qy == cases[i].qy;

            if (bright ? mean < 0.5 : mean > -0.5)
              g_error ("turned %d: quarter (%d, %d) has mean %.2f", cases[i].degrees, qx, qy, mean);
          }
    }
}

/* NTSC's 29.97 is 30000/1001: written and read back exactly, so that a
 * restyled video keeps its source's timing */
static void
test_fractional_rate (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "ntsc.mkv", NULL);
  g_autoptr(AdisImage) frame = adis_image_new_from_planes ((float[3 * 16 * 16]) { 0 }, 16, 16);
  g_autoptr(AdisVideoWriter) writer = NULL;
  g_autoptr(AdisVideo) video = NULL;
  g_autoptr(GError) error = NULL;

  writer = adis_video_writer_new (path, 16, 16, 30000.0 / 1001.0, 0, 0, &error);
  g_assert_no_error (error);
  for (int n = 0; n < 30; n++)
    g_assert_true (adis_video_writer_add_frame (writer, frame, &error));
  g_assert_true (adis_video_writer_finish (writer, &error));
  g_assert_no_error (error);

  video = adis_video_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_video_get_frame_rate (video), 30000.0 / 1001.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (adis_video_get_duration (video), 30 * 1001.0 / 30000.0, 0.01);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = test_make_tmpdir ("video");
  video_path = g_build_filename (tmpdir, "tones.mp4", NULL);
  test_write_video (video_path, 96, 64, FPS, SECONDS, 44100, 2, -1);

  g_test_add_func ("/soundstyle/video/info", test_info);
  g_test_add_func ("/soundstyle/video/frames", test_frames);
  g_test_add_func ("/soundstyle/video/audio", test_audio);
  g_test_add_func ("/soundstyle/video/audio-timing", test_audio_timing);
  g_test_add_func ("/soundstyle/video/refusals", test_refusals);
  g_test_add_func ("/soundstyle/video/no-sound-track", test_no_sound_track);
  g_test_add_func ("/soundstyle/video/writer-refusals", test_writer_refusals);
  g_test_add_func ("/soundstyle/video/rotation", test_rotation);
  g_test_add_func ("/soundstyle/video/fractional-rate", test_fractional_rate);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (video_path);
  return status;
}
