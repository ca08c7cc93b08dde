/* test-prepare.c: `soundstyle prepare` on videos the test makes: frames from
 * the right times, the sound's length, rate and pitch, skipped clips, the
 * split, resume, a corrupt video, and training on the result
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"

#define SIZE    32
#define FRAMES  4

static char *tmpdir;

static char *
path_in (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
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
  return status;
}

static AdisManifest *
load_manifest (const char *dataset)
{
  g_autoptr(GError) error = NULL;
  AdisManifest *manifest = adis_manifest_load (dataset, &error);

  g_assert_no_error (error);
  return manifest;
}

static guint
wav_rate (const char *path)
{
  g_autofree char *bytes = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &bytes, &length, NULL));
  g_assert_cmpuint (length, >, 28);
  g_assert_true (memcmp (bytes, "RIFF", 4) == 0);
  return (guint8) bytes[24] | (guint8) bytes[25] << 8 | (guint8) bytes[26] << 16 | (guint) (guint8) bytes[27] << 24;
}

/* Every frame shows the video frame on screen at its time, and the sound
 * has the pitch of each second it spans */
static void
check_clip (const char     *dataset,
            const AdisClip *clip,
            int             fps,
            double          silent_from)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *audio = g_build_filename (dataset, clip->audio, NULL);
  g_autoptr(AdisSound) sound = NULL;

  g_assert_cmpuint (g_strv_length (clip->frames), ==, FRAMES);
  for (guint i = 0; i < FRAMES; i++)
    {
      g_autofree char *path = g_build_filename (dataset, clip->frames[i], NULL);
      g_autoptr(AdisImage) frame = adis_image_load (path, &error);
      double t = clip->start + i * 3.0 / FRAMES;
      int expected = (int) floor (t * fps + 1e-9);

      g_assert_no_error (error);
      g_assert_true (g_str_has_suffix (path, ".jpg"));
      g_assert_cmpint (adis_image_get_width (frame), ==, SIZE);
      g_assert_cmpint (adis_image_get_height (frame), ==, SIZE);
      if (test_video_frame_index (frame) != expected)
        g_error ("%s frame %u (%.3f s): shows video frame %d, expected %d",
                 clip->clip_id, i, t, test_video_frame_index (frame), expected);
    }

  g_assert_cmpuint (wav_rate (audio), ==, ADIS_SAMPLE_RATE);
  sound = adis_sound_load (audio, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (adis_sound_get_source_seconds (sound) - 3.0), <, 1e-6);
  for (int s = 0; s < 3; s++)
    {
      const float *second = adis_sound_get_samples (sound) + s * ADIS_SAMPLE_RATE;
      double pitch = test_estimate_pitch (second + ADIS_SAMPLE_RATE / 4, ADIS_SAMPLE_RATE / 2,
                                          ADIS_SAMPLE_RATE);
      double expected = TEST_VIDEO_PITCH (floor (clip->start) + s);

      /* The video went quiet before this second's middle */
      if (silent_from >= 0.0 && clip->start + s + 0.75 > silent_from)
        continue;
      if (fabs (pitch - expected) > 0.03 * expected)
        g_error ("%s second %d: %.1f Hz, expected %.0f Hz", clip->clip_id, s, pitch, expected);
    }
}

static void
test_prepare (void)
{
  g_autofree char *a = path_in ("walk.mp4");
  g_autofree char *b = path_in ("quiet.mkv");
  g_autofree char *bad = path_in ("broken.mp4");
  g_autofree char *c = path_in ("later.mp4");
  g_autofree char *dataset = path_in ("prepared");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *frame0 = NULL;
  g_autoptr(AdisManifest) manifest = NULL;
  g_autoptr(AdisDataset) all = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf before;
  GStatBuf after;
  int status;

  /* 7 s: two clips, a second left over. 6.5 s at another rate and shape
   * whose sound stops after 2.5 s: one clip, one silent, half a second over. */
  test_write_video (a, 160, 120, 10, 7.0, 44100, 2, -1);
  test_write_video (b, 96, 64, 12, 6.5, 16000, 1, 2.5);
  {
    g_autofree char *contents = NULL;
    gsize length;

    /* A real video cut in half: its index is gone */
    g_assert_true (g_file_get_contents (a, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (bad, contents, length / 2, NULL));
  }

  status = run (&out, &err, "prepare", a, bad, b, "--output", dataset,
                "--size", G_STRINGIFY (SIZE), "--frames", G_STRINGIFY (FRAMES), NULL);
  g_test_message ("stdout:\n%sstderr:\n%s", out, err);
  /* The broken video is named, the others are prepared, the status says so */
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "broken.mp4: not a video"));
  g_assert_nonnull (strstr (out, "Prepared 3 clips"));
  g_assert_nonnull (strstr (out, "Skipped 3 clips: 1 silent"));
  g_assert_nonnull (strstr (out, "2 too short"));
  g_assert_nonnull (strstr (out, "broken.mp4"));

  manifest = load_manifest (dataset);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const AdisClip *clip = adis_manifest_get_clip (manifest, i);
      gboolean from_a = g_str_equal (clip->source, a);

      g_assert_true (from_a || g_str_equal (clip->source, b));
      check_clip (dataset, clip, from_a ? 10 : 12, from_a ? -1.0 : 2.5);
      /* The split is the rule's, by clip, seed 0, a fifth held out */
      g_assert_cmpint (clip->split, ==, adis_split_choose (ADIS_SPLIT_BY_CLIP, clip->clip_id, NULL,
                                                           0, 0.2));
    }
  g_assert_cmpfloat (adis_manifest_get_clip (manifest, 1)->start, ==, 3.0);

  /* What train reads: every clip, its frames */
  all = adis_dataset_open_split (dataset, ADIS_SPLIT_ALL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_dataset_get_n_items (all), ==, 3);
  g_assert_cmpuint (adis_dataset_get_item_n_frames (all, 0), ==, FRAMES);
  g_assert_cmpstr (adis_dataset_get_format (all), ==, "manifest");

  /* Again: nothing is redone */
  manifest_text = path_in ("prepared/manifest.tsv");
  frame0 = g_build_filename (dataset, adis_manifest_get_clip (manifest, 0)->frames[0], NULL);
  g_assert_cmpint (g_stat (frame0, &before), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_usleep (20000);
  status = run (&out, &err, "prepare", a, b, "--output", dataset,
                "--size", G_STRINGIFY (SIZE), "--frames", G_STRINGIFY (FRAMES), NULL);
  g_test_message ("again:\n%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Prepared 0 clips"));
  g_assert_nonnull (strstr (out, "2 videos were already prepared"));
  g_assert_cmpint (g_stat (frame0, &after), ==, 0);
  g_assert_cmpint (before.st_mtime, ==, after.st_mtime);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);

  /* A video added later is prepared; the rest stays as it was */
  test_write_video (c, 64, 48, 10, 3.2, 22050, 1, -1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run (&out, &err, "prepare", a, b, c, "--output", dataset,
                "--size", G_STRINGIFY (SIZE), "--frames", G_STRINGIFY (FRAMES), NULL);
  g_test_message ("with a new video:\n%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Prepared 1 clip "));
  {
    g_autoptr(AdisManifest) grown = load_manifest (dataset);

    g_assert_cmpuint (adis_manifest_get_n_clips (grown), ==, 4);
    for (guint i = 0; i < 3; i++)
      g_assert_cmpstr (adis_manifest_get_clip (grown, i)->clip_id, ==,
                       adis_manifest_get_clip (manifest, i)->clip_id);
    g_assert_cmpstr (adis_manifest_get_clip (grown, 3)->source, ==, c);
    check_clip (dataset, adis_manifest_get_clip (grown, 3), 10, -1.0);
  }

  /* Other options would mix two kinds of clip: refused, nothing changes */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (NULL, &err, "prepare", a, "--output", dataset, "--size", "64",
                        "--frames", G_STRINGIFY (FRAMES), NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--size 32"));

  /* Training reads the result (the train split, three steps of the tiny model) */
  {
    g_autofree char *model = path_in ("prepared.safetensors");

    g_clear_pointer (&err, g_free);
    status = run (NULL, &err, "train", dataset, "--output", model, "--preset", "tiny",
                  "--size", "32", "--batch", "2", "--max-steps", "3", "--device", "cpu",
                  "--split", "all", NULL);
    if (status != 0)
      g_error ("train on a prepared dataset failed (%d): %s", status, err);
    g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));

    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (NULL, &err, "train", dataset, "--output", model, "--preset", "tiny",
                          "--split", "validation", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "validation"));
  }
}

/* The split follows the seed and, by video, keeps each video on one side */
static void
test_split (void)
{
  g_autoptr(GPtrArray) videos = g_ptr_array_new_with_free_func (g_free);
  const char *seeds[] = { "1", "1", "2" };
  g_autofree char *by_video = path_in ("by-video");
  g_autoptr(GHashTable) side_of_video = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(AdisManifest) first = NULL;
  g_autofree char *out = NULL;
  guint n_differ = 0;

  for (guint v = 0; v < 6; v++)
    {
      char *path = g_strdup_printf ("%s/trip%u.mp4", tmpdir, v);

      test_write_video (path, 32, 32, 4, 9.0, 16000, 1, -1);
      g_ptr_array_add (videos, path);
    }

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autofree char *dataset = g_strdup_printf ("%s/seed%u", tmpdir, i);
      g_autoptr(AdisManifest) manifest = NULL;
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      int status;

      g_ptr_array_add (argv, (char *) test_soundstyle_bin ());
      g_ptr_array_add (argv, (char *) "prepare");
      for (guint v = 0; v < videos->len; v++)
        g_ptr_array_add (argv, videos->pdata[v]);
      g_ptr_array_add (argv, (char *) "--output");
      g_ptr_array_add (argv, dataset);
      g_ptr_array_add (argv, (char *) "--size=16");
      g_ptr_array_add (argv, (char *) "--frames=1");
      g_ptr_array_add (argv, (char *) "--test-fraction=0.5");
      g_ptr_array_add (argv, (char *) "--seed");
      g_ptr_array_add (argv, (char *) seeds[i]);
      g_ptr_array_add (argv, NULL);
      status = test_run ((const char * const *) argv->pdata, &out, NULL);
      g_assert_cmpint (status, ==, 0);
      g_clear_pointer (&out, g_free);

      manifest = load_manifest (dataset);
      g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 18);
      if (i == 0)
        {
          first = adis_manifest_ref (manifest);
          continue;
        }
      for (guint k = 0; k < 18; k++)
        {
          const AdisClip *x = adis_manifest_get_clip (first, k);
          const AdisClip *y = adis_manifest_get_clip (manifest, k);

          g_assert_cmpstr (x->clip_id, ==, y->clip_id);
          if (i == 1)
            g_assert_cmpint (x->split, ==, y->split);
          else
            n_differ += x->split != y->split;
        }
    }
  /* Two independent halvings of 18 clips agree on all of them once in 2^18 */
  g_test_message ("seed 2 moved %u of 18 clips", n_differ);
  g_assert_cmpuint (n_differ, >, 0);

  {
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();
    g_autoptr(AdisManifest) manifest = NULL;
    guint n_test = 0;

    g_ptr_array_add (argv, (char *) test_soundstyle_bin ());
    g_ptr_array_add (argv, (char *) "prepare");
    for (guint v = 0; v < videos->len; v++)
      g_ptr_array_add (argv, videos->pdata[v]);
    g_ptr_array_add (argv, (char *) "--output");
    g_ptr_array_add (argv, by_video);
    g_ptr_array_add (argv, (char *) "--size=16");
    g_ptr_array_add (argv, (char *) "--frames=1");
    g_ptr_array_add (argv, (char *) "--test-fraction=0.5");
    g_ptr_array_add (argv, (char *) "--split-by=video");
    g_ptr_array_add (argv, NULL);
    g_assert_cmpint (test_run ((const char * const *) argv->pdata, &out, NULL), ==, 0);

    manifest = load_manifest (by_video);
    for (guint k = 0; k < adis_manifest_get_n_clips (manifest); k++)
      {
        const AdisClip *clip = adis_manifest_get_clip (manifest, k);
        gpointer side;

        if (g_hash_table_lookup_extended (side_of_video, clip->source, NULL, &side))
          g_assert_cmpint (GPOINTER_TO_INT (side), ==, clip->split);
        else
          g_hash_table_insert (side_of_video, clip->source, GINT_TO_POINTER (clip->split));
        n_test += clip->split == ADIS_SPLIT_TEST;
      }
    g_test_message ("by video: %u of 18 clips in test", n_test);
    g_assert_cmpuint (g_hash_table_size (side_of_video), ==, 6);
    /* Whole videos of three clips move */
    g_assert_cmpuint (n_test % 3, ==, 0);
  }
}

/* --crop keeps the aspect: a 96 x 64 video whose left sixth is a bright
 * band loses the band to the centre crop, and keeps it when stretched */
static void
test_crop (void)
{
  g_autofree char *video = path_in ("band.mp4");
  g_autofree float *planes = g_new (float, 3 * 96 * 64);
  g_autoptr(AdisVideoWriter) writer = NULL;
  g_autoptr(AdisImage) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *samples = g_new (float, 3 * 16000);
  const char *modes[] = { "stretched", "cropped" };

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 64; y++)
      for (int x = 0; x < 96; x++)
        planes[(gsize) c * 96 * 64 + y * 96 + x] = x < 16 ? 0.9f : -0.9f;
  frame = adis_image_new_from_planes (planes, 96, 64);
  for (int i = 0; i < 3 * 16000; i++)
    samples[i] = 0.3f * sinf (2.f * G_PI * 440.f * i / 16000.f);
  writer = adis_video_writer_new (video, 96, 64, 5, 16000, 1, &error);
  g_assert_no_error (error);
  for (int n = 0; n < 15; n++)
    g_assert_true (adis_video_writer_add_frame (writer, frame, &error));
  g_assert_true (adis_video_writer_add_audio (writer, samples, 3 * 16000, &error));
  g_assert_true (adis_video_writer_finish (writer, &error));
  g_assert_no_error (error);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *dataset = path_in (modes[m]);
      g_autoptr(AdisManifest) manifest = NULL;
      g_autoptr(AdisImage) image = NULL;
      g_autofree char *first = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const float *p;
      double left = 0.0;

      if (run (&out, &err, "prepare", video, "--output", dataset, "--size", "48", "--frames", "2",
               m == 1 ? "--crop" : "--seed=0", NULL) != 0)
        g_error ("prepare %s: %s", modes[m], err);
      manifest = load_manifest (dataset);
      g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 1);
      first = g_build_filename (dataset, adis_manifest_get_clip (manifest, 0)->frames[0], NULL);
      image = adis_image_load (first, &error);
      g_assert_no_error (error);
      g_assert_cmpint (adis_image_get_width (image), ==, 48);
      g_assert_cmpint (adis_image_get_height (image), ==, 48);
      /* The mean of the first four columns */
      p = adis_image_get_planes (image);
      for (int y = 0; y < 48; y++)
        for (int x = 0; x < 4; x++)
          left += p[y * 48 + x] / (48.0 * 4);
      g_test_message ("%s: left edge mean %.2f", modes[m], left);
      if (m == 0)
        g_assert_cmpfloat (left, >, 0.5);
      else
        g_assert_cmpfloat (left, <, -0.5);
    }
}

static void
test_refusals (void)
{
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *video = path_in ("walk.mp4");
  g_autofree char *dataset = path_in ("refused");

  g_assert_cmpint (run (&out, NULL, "prepare", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--split-by"));
  g_assert_nonnull (strstr (out, "Examples"));

  g_assert_cmpint (run (NULL, &err, "prepare", "--output", dataset, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "no video"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (NULL, &err, "prepare", video, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--output"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (NULL, &err, "prepare", video, "-o", dataset, "--split-by", "day", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--split-by"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (NULL, &err, "prepare", video, "-o", dataset, "--test-fraction", "1.5", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--test-fraction"));
  g_assert_false (g_file_test (dataset, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = test_make_tmpdir ("prepare");

  g_test_add_func ("/soundstyle/prepare/prepare-resume-train", test_prepare);
  g_test_add_func ("/soundstyle/prepare/split", test_split);
  g_test_add_func ("/soundstyle/prepare/crop", test_crop);
  g_test_add_func ("/soundstyle/prepare/refusals", test_refusals);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  return status;
}
