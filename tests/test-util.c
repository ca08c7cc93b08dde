/* test-util.c: scratch folders, synthetic sounds and images, tiny datasets
 *
 * SPDX-License-Identifier: MIT
 *
 * Files are written here with libsndfile and gdk-pixbuf directly, never
 * through the engine, so the engine's readers are tested against an
 * independent writer.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <sndfile.h>

#include "test-util.h"

char *
test_make_tmpdir (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", prefix ? prefix : "soundstyle-test");
  char *path = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return path;
}

void
test_rm_rf (const char *path)
{
  if (path == NULL)
    return;

  /* A symlink is removed, never followed */
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          test_rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
write_wav (const char  *path,
           const float *interleaved,
           gsize        n_frames,
           int          sample_rate,
           int          n_channels)
{
  SF_INFO info = { 0 };
  SNDFILE *file;

  info.samplerate = sample_rate;
  info.channels = n_channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  file = sf_open (path, SFM_WRITE, &info);
  if (file == NULL)
    g_error ("Cannot write %s: %s", path, sf_strerror (NULL));
  sf_command (file, SFC_SET_CLIPPING, NULL, SF_TRUE);
  g_assert_cmpint (sf_writef_float (file, interleaved, (sf_count_t) n_frames), ==, (sf_count_t) n_frames);
  sf_close (file);
}

void
test_write_tone_wav (const char *path,
                     double      freq,
                     double      amplitude,
                     double      seconds,
                     int         sample_rate,
                     int         n_channels)
{
  gsize n_frames = (gsize) llround (seconds * sample_rate);
  g_autofree float *samples = g_new (float, MAX (n_frames, 1) * n_channels);

  for (gsize i = 0; i < n_frames; i++)
    {
      float v = (float) (amplitude * sin (2.0 * G_PI * freq * i / sample_rate));

      for (int c = 0; c < n_channels; c++)
        samples[i * n_channels + c] = v;
    }
  write_wav (path, samples, n_frames, sample_rate, n_channels);
}

static void
save_png (const char *path,
          guint8     *rgb,
          int         width,
          int         height)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;

  pixbuf = gdk_pixbuf_new_from_data (rgb, GDK_COLORSPACE_RGB, FALSE, 8,
                                     width, height, width * 3, NULL, NULL);
  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
}

/* A diagonal gradient with a soft ripple: smooth enough that resampling is
 * well behaved, varied enough that crops and flips change the pixels. */
static void
fill_pattern (guint8       *rgb,
              int           width,
              int           height,
              const double  base[3],
              const double  swing[3],
              double        phase)
{
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double u = (double) x / MAX (width - 1, 1);
        double v = (double) y / MAX (height - 1, 1);
        double ripple = sin (6.0 * u + 4.0 * v + phase);

        for (int c = 0; c < 3; c++)
          {
            double value = base[c] + swing[c] * (0.6 * (u - v) + 0.4 * ripple);

            rgb[((gsize) y * width + x) * 3 + c] = (guint8) CLAMP (lround (value), 0, 255);
          }
      }
}

void
test_write_pattern_png (const char *path,
                        int         width,
                        int         height,
                        guint       seed)
{
  g_autofree guint8 *rgb = g_new (guint8, (gsize) width * height * 3);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  double base[3];
  double swing[3];

  for (int c = 0; c < 3; c++)
    {
      base[c] = g_rand_double_range (rand, 60, 200);
      swing[c] = g_rand_double_range (rand, 20, 55);
    }
  fill_pattern (rgb, width, height, base, swing, g_rand_double_range (rand, 0, 2 * G_PI));
  save_png (path, rgb, width, height);
}

/* "rain": a loud high tone under broadband noise; "birds": quiet chirps
 * sweeping upward in short bursts. Different enough in pitch, loudness and
 * texture that a tiny model can tell them apart. */
static void
write_item_sound (const char *path,
                  int         category,
                  GRand      *rand)
{
  const int rate = 16000;
  const gsize n = 3 * rate;
  g_autofree float *samples = g_new (float, n);
  double pitch = category == 0 ? g_rand_double_range (rand, 2800, 3400)
                               : g_rand_double_range (rand, 1400, 1800);
  double phase = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double t = (double) i / rate;
      double v;

      if (category == 0)
        {
          phase += 2.0 * G_PI * pitch / rate;
          v = 0.25 * sin (phase) + 0.2 * g_rand_double_range (rand, -1.0, 1.0);
        }
      else
        {
          double burst = fmod (t, 0.25);
          double envelope = burst < 0.12 ? sin (G_PI * burst / 0.12) : 0.0;

          phase += 2.0 * G_PI * pitch * (1.0 + 4.0 * burst) / rate;
          v = 0.1 * envelope * sin (phase);
        }
      samples[i] = (float) v;
    }
  write_wav (path, samples, n, rate, 1);
}

static void
write_item_image (const char *path,
                  int         size,
                  int         category,
                  GRand      *rand)
{
  static const double rain[3] = { 105, 120, 150 };    /* bluish grey */
  static const double birds[3] = { 200, 140, 70 };    /* warm */
  static const double swing[3] = { 30, 30, 30 };
  g_autofree guint8 *rgb = g_new (guint8, (gsize) size * size * 3);
  double base[3];

  for (int c = 0; c < 3; c++)
    base[c] = (category == 0 ? rain[c] : birds[c]) + g_rand_double_range (rand, -15, 15);
  fill_pattern (rgb, size, size, base, swing, g_rand_double_range (rand, 0, 2 * G_PI));
  save_png (path, rgb, size, size);
}

void
test_tiny_train_options (AdisTrainOptions *options)
{
  g_autoptr(GError) error = NULL;
  AdisConfig config;

  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_train_options_init (options, &config);
  adis_config_clear (&config);
  options->crop_size = 32;
  options->load_size = 36;
  options->batch_size = 2;
  options->nce_patches = 32;
  options->device = ADIS_DEVICE_CPU;
  options->n_workers = 1;
}

char *
test_make_tiny_dataset (const char *dir,
                        int         n_items,
                        int         size)
{
  static const char *categories[] = { "rain", "birds" };
  g_autofree char *root = g_build_filename (dir, "tiny-dataset", NULL);
  g_autofree char *images = g_build_filename (root, "images", NULL);
  g_autofree char *clips = g_build_filename (root, "clips", NULL);
  g_autofree char *labels_path = g_build_filename (root, "labels.tsv", NULL);
  g_autoptr(GString) labels = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (clips, 0755), ==, 0);

  for (int i = 0; i < n_items; i++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (1000 + (guint32) i);
      g_autofree char *id = g_strdup_printf ("item-%03d", i);
      g_autofree char *image_name = g_strconcat (id, ".png", NULL);
      g_autofree char *clip_name = g_strconcat (id, ".wav", NULL);
      g_autofree char *image_path = g_build_filename (images, image_name, NULL);
      g_autofree char *clip_path = g_build_filename (clips, clip_name, NULL);
      int category = i % 2;

      write_item_image (image_path, size, category, rand);
      write_item_sound (clip_path, category, rand);
      g_string_append_printf (labels, "%s\t%s\n", id, categories[category]);
    }

  g_file_set_contents (labels_path, labels->str, (gssize) labels->len, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&root);
}

const char *
test_source_dir (void)
{
  const char *dir = g_getenv ("SOUNDSTYLE_SOURCE_DIR");

  return dir ? dir : SOUNDSTYLE_SOURCE_DIR;
}

const char *
test_build_dir (void)
{
  const char *dir = g_getenv ("SOUNDSTYLE_BUILD_DIR");

  return dir ? dir : ".";
}

const char *
test_soundstyle_bin (void)
{
  static char *fallback;
  const char *bin = g_getenv ("SOUNDSTYLE_BIN");

  if (bin != NULL)
    return bin;
  if (fallback == NULL)
    fallback = g_build_filename (test_build_dir (), "app", "cli", "soundstyle", NULL);
  return fallback;
}

const char *
test_python (void)
{
  const char *python = g_getenv ("SOUNDSTYLE_PYTHON");

  /* Not the first python3 on PATH: that one may lack torch */
  return python ? python : "/usr/bin/python3";
}

int
test_run (const char * const  *argv,
          char               **out_stdout,
          char               **out_stderr)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, -1);

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, out_stdout, out_stderr, &wait_status, &error))
    {
      g_test_message ("Cannot run %s: %s", argv[0], error->message);
      return -1;
    }

  if (g_spawn_check_wait_status (wait_status, &error))
    return 0;
  if (error->domain == G_SPAWN_EXIT_ERROR)
    return error->code;
  g_test_message ("%s did not exit normally: %s", argv[0], error->message);
  return -1;
}

/* Three digits in base 8, one per channel, on levels 32 apart: far more
 * than lossy video coding moves a flat colour */
static void
frame_colour (int     n,
              guint8  rgb[3])
{
  for (int c = 0; c < 3; c++)
    {
      rgb[c] = (guint8) (16 + 32 * (n % 8));
      n /= 8;
    }
}

void
test_write_video (const char *path,
                  int         width,
                  int         height,
                  int         fps,
                  double      seconds,
                  int         audio_rate,
                  int         audio_channels,
                  double      silent_from)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideoWriter) writer = NULL;
  g_autofree guint8 *rgb = g_new (guint8, (gsize) width * height * 3);
  int n_frames = (int) llround (seconds * fps);

  g_assert_cmpint (n_frames, <, 512);
  writer = adis_video_writer_new (path, width, height, fps, audio_rate, audio_channels, &error);
  g_assert_no_error (error);

  for (int n = 0; n < n_frames; n++)
    {
      g_autoptr(AdisImage) frame = NULL;
      guint8 colour[3];

      frame_colour (n, colour);
      for (gsize i = 0; i < (gsize) width * height; i++)
        memcpy (rgb + 3 * i, colour, 3);
      frame = adis_image_new_from_rgb8 (rgb, width, height, width * 3, 3, &error);
      g_assert_no_error (error);
      g_assert_true (adis_video_writer_add_frame (writer, frame, &error));
      g_assert_no_error (error);
    }

  if (audio_rate > 0)
    {
      gsize n_samples = (gsize) llround (seconds * audio_rate);
      g_autofree float *samples = g_new (float, n_samples * audio_channels);
      double phase = 0.0;

      for (gsize i = 0; i < n_samples; i++)
        {
          double t = (double) i / audio_rate;
          /* The phase runs on across pitch changes, so there is no click */
          float v = silent_from >= 0.0 && t >= silent_from ? 0.f : (float) (0.5 * sin (phase));

          phase += 2.0 * G_PI * TEST_VIDEO_PITCH (floor (t)) / audio_rate;
          for (int c = 0; c < audio_channels; c++)
            samples[i * audio_channels + c] = v;
        }
      g_assert_true (adis_video_writer_add_audio (writer, samples, n_samples, &error));
      g_assert_no_error (error);
    }

  g_assert_true (adis_video_writer_finish (writer, &error));
  g_assert_no_error (error);
}

int
test_video_frame_index (AdisImage *frame)
{
  int w = adis_image_get_width (frame);
  int h = adis_image_get_height (frame);
  const float *planes = adis_image_get_planes (frame);
  int n = 0;

  for (int c = 2; c >= 0; c--)
    {
      /* Planes are in [-1, 1] */
      double v = (planes[(gsize) c * w * h + (gsize) (h / 2) * w + w / 2] + 1.0) * 127.5;
      double digit = (v - 16.0) / 32.0;
      int d = (int) lround (digit);

      if (fabs (digit - d) > 0.4 || d < 0 || d > 7)
        return -1;
      n = n * 8 + d;
    }
  return n;
}

double
test_estimate_pitch (const float *samples,
                     gsize        n_samples,
                     int          sample_rate)
{
  guint crossings = 0;

  for (gsize i = 1; i < n_samples; i++)
    crossings += (samples[i - 1] < 0.f) != (samples[i] < 0.f);
  return crossings / 2.0 / ((double) n_samples / sample_rate);
}

static double
image_diff (AdisImage *a,
            AdisImage *b,
            gboolean   mean)
{
  const float *pa = adis_image_get_planes (a);
  const float *pb = adis_image_get_planes (b);
  gsize n = 3 * (gsize) adis_image_get_width (a) * adis_image_get_height (a);
  double worst = 0, sum = 0;

  g_assert_cmpint (adis_image_get_width (a), ==, adis_image_get_width (b));
  g_assert_cmpint (adis_image_get_height (a), ==, adis_image_get_height (b));
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) pa[i] - pb[i]);

      worst = MAX (worst, d);
      sum += d;
    }
  return mean ? sum / n : worst;
}

double
test_image_max_diff (AdisImage *a,
                     AdisImage *b)
{
  return image_diff (a, b, FALSE);
}

double
test_image_mean_diff (AdisImage *a,
                      AdisImage *b)
{
  return image_diff (a, b, TRUE);
}
