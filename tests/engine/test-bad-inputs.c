/* test-bad-inputs.c: every row of docs/BAD-INPUTS.md, with its exact message
 *
 * SPDX-License-Identifier: MIT
 *
 * Each case makes its bad input by code (or from a file another case made),
 * feeds it to the engine's reader and checks the whole message, so the table
 * in docs/ stays true. Accepted inputs check the sane result instead.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>
#include <glib/gstdio.h>

#include "test-util.h"
#include "test-raw-images.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static void
write_bytes (const char *path,
             const void *data,
             gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) length, &error);
  g_assert_no_error (error);
}

/* The first length bytes of source, as path */
static void
write_truncated (const char *source,
                 const char *path,
                 gsize       length)
{
  g_autofree char *contents = NULL;
  gsize full = 0;

  g_assert_true (g_file_get_contents (source, &contents, &full, NULL));
  g_assert_cmpuint (length, <, full);
  write_bytes (path, contents, length);
}

static void
write_float_wav (const char  *path,
                 const float *interleaved,
                 gsize        n_frames,
                 int          rate,
                 int          channels,
                 int          subformat)
{
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = SF_FORMAT_WAV | subformat };
  SNDFILE *file = sf_open (path, SFM_WRITE, &info);

  g_assert_nonnull (file);
  g_assert_cmpint (sf_writef_float (file, interleaved, (sf_count_t) n_frames), ==, (sf_count_t) n_frames);
  g_assert_cmpint (sf_close (file), ==, 0);
}

#define assert_message(error, ...) G_STMT_START {                         \
    g_autofree char *expected_ = g_strdup_printf (__VA_ARGS__);           \
    g_assert_nonnull (error);                                             \
    g_assert_cmpstr ((error)->message, ==, expected_);                    \
  } G_STMT_END

/* --- audio ---------------------------------------------------------------- */

static void
test_audio_refused (void)
{
  g_autofree char *empty = tmp_path ("empty.wav");
  g_autofree char *good = tmp_path ("good.wav");
  g_autofree char *header_only = tmp_path ("header-only.wav");
  g_autofree char *png = tmp_path ("picture.wav");
  g_autofree char *one = tmp_path ("one-sample.wav");
  g_autofree char *nan_wav = tmp_path ("nan.wav");
  g_autofree char *huge = tmp_path ("huge.wav");
  float samples[800];
  g_autoptr(GError) error = NULL;

  write_bytes (empty, "", 0);
  g_assert_null (adis_sound_load (empty, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  assert_message (error, "Cannot read audio “%s”: the file is empty (0 bytes)", empty);
  g_clear_error (&error);

  /* A WAV cut inside its header */
  test_write_tone_wav (good, 440, 0.5, 0.5, 16000, 1);
  write_truncated (good, header_only, 20);
  g_assert_null (adis_sound_load (header_only, &error));
  assert_message (error, "Cannot read audio “%s”: Error in WAV/W64/RF64 file. Malformed 'fmt ' chunk.", header_only);
  g_clear_error (&error);

  /* Another format under a .wav name */
  test_write_png (png, 8, 8, 8, TEST_PNG_RGB, FALSE);
  g_assert_null (adis_sound_load (png, &error));
  assert_message (error, "Cannot read audio “%s”: Format not recognised.", png);
  g_clear_error (&error);

  samples[0] = 0.25f;
  write_float_wav (one, samples, 1, 16000, 1, SF_FORMAT_PCM_16);
  g_assert_null (adis_sound_load (one, &error));
  assert_message (error, "“%s”: 1 sample at 16000 Hz (0.06 ms) is too short; a sound needs at least 25 ms", one);
  g_clear_error (&error);

  for (int i = 0; i < 800; i++)
    samples[i] = 0.1f * sinf (i * 0.3f);
  samples[123] = NAN;
  write_float_wav (nan_wav, samples, 800, 16000, 1, SF_FORMAT_FLOAT);
  g_assert_null (adis_sound_load (nan_wav, &error));
  assert_message (error, "“%s”: sample 123 is not a number (NaN); the audio is damaged", nan_wav);
  g_clear_error (&error);

  samples[123] = 1e30f;
  write_float_wav (huge, samples, 800, 16000, 1, SF_FORMAT_FLOAT);
  g_assert_null (adis_sound_load (huge, &error));
  assert_message (error, "“%s”: sample 123 is 1e+30, far outside full scale (-1 to 1); the audio is damaged", huge);
}

static void
test_audio_accepted (void)
{
  g_autofree char *good = tmp_path ("tone-2s.wav");
  g_autofree char *truncated = tmp_path ("truncated.wav");
  g_autofree char *silent = tmp_path ("silent.wav");
  g_autofree char *six = tmp_path ("six-channels.wav");
  g_autofree char *hi_rate = tmp_path ("192k.wav");
  g_autofree float *zeros = g_new0 (float, 16000);
  g_autofree float *interleaved = g_new (float, 48000 * 6);
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(GError) error = NULL;
  const float *samples;

  /* A file cut in its data: the samples that are there are used */
  test_write_tone_wav (good, 440, 0.5, 2.0, 16000, 1);
  write_truncated (good, truncated, 44 + 2 * 8000);
  sound = adis_sound_load (truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (sound), 0.5, 1e-6);
  g_clear_pointer (&sound, adis_sound_unref);

  /* Silence is a sound (the style of no sound, as --gain 0 gives) */
  write_float_wav (silent, zeros, 16000, 16000, 1, SF_FORMAT_PCM_16);
  sound = adis_sound_load (silent, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (adis_sound_get_peak (sound), ==, 0.f);
  g_clear_pointer (&sound, adis_sound_unref);

  /* Six channels are averaged: channel c holds c / 10, the mean is 0.25 */
  for (int i = 0; i < 48000; i++)
    for (int c = 0; c < 6; c++)
      interleaved[i * 6 + c] = c / 10.f;
  write_float_wav (six, interleaved, 48000, 48000, 6, SF_FORMAT_FLOAT);
  sound = adis_sound_load (six, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (sound);
  g_assert_cmpfloat_with_epsilon (samples[ADIS_CLIP_SAMPLES / 2], 0.25f, 1e-3);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (sound), 1.0, 1e-9);
  g_clear_pointer (&sound, adis_sound_unref);

  /* 192 kHz is resampled: a 1 kHz tone keeps its pitch (zero crossings) */
  test_write_tone_wav (hi_rate, 1000, 0.5, 3.0, 192000, 1);
  sound = adis_sound_load (hi_rate, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (sound);
  {
    int crossings = 0;

    for (int i = 1000; i < 17000; i++)
      crossings += (samples[i - 1] < 0) != (samples[i] < 0);
    g_assert_cmpint (crossings, >=, 1998);
    g_assert_cmpint (crossings, <=, 2002);
  }
}

/* --- images --------------------------------------------------------------- */

static void
test_image_refused (void)
{
  g_autofree char *empty = tmp_path ("empty.png");
  g_autofree char *good = tmp_path ("good.png");
  g_autofree char *truncated = tmp_path ("truncated.png");
  g_autofree char *wav = tmp_path ("sound.png");
  g_autofree char *huge = tmp_path ("huge.png");
  g_autoptr(GError) error = NULL;

  write_bytes (empty, "", 0);
  g_assert_null (adis_image_load (empty, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  assert_message (error, "“%s” is not an image in a format that can be read", empty);
  g_clear_error (&error);

  test_write_png (good, 64, 64, 8, TEST_PNG_RGB, FALSE);
  write_truncated (good, truncated, 100);
  g_assert_null (adis_image_load (truncated, &error));
  assert_message (error, "Failed to load image “%s”: Fatal error in PNG image file: Read Error", truncated);
  g_clear_error (&error);

  test_write_tone_wav (wav, 440, 0.5, 0.1, 16000, 1);
  g_assert_null (adis_image_load (wav, &error));
  assert_message (error, "“%s” is not an image in a format that can be read", wav);
  g_clear_error (&error);

  /* Refused from the header: the file has no pixel data at all, so any
   * attempt to decode first would fail with another message */
  test_write_png (huge, 20000, 20000, 8, TEST_PNG_RGB, TRUE);
  g_assert_null (adis_image_load (huge, &error));
  assert_message (error, "“%s”: the image is 20000×20000 pixels, larger than the 16384-pixel side "
                  "or 64-megapixel limit", huge);
}

/* Loads path and checks pixel (x, y) against the expected 8-bit RGB */
static void
assert_pixel (const char *path,
              int         x,
              int         y,
              int         r,
              int         g,
              int         b,
              int         tolerance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) image = adis_image_load (path, &error);
  g_autofree guint8 *rgb = NULL;
  const guint8 *p;

  g_assert_no_error (error);
  rgb = adis_image_to_rgb8 (image);
  p = rgb + ((gsize) y * adis_image_get_width (image) + x) * 3;
  g_assert_cmpint (ABS (p[0] - r), <=, tolerance);
  g_assert_cmpint (ABS (p[1] - g), <=, tolerance);
  g_assert_cmpint (ABS (p[2] - b), <=, tolerance);
}

static void
test_image_formats (void)
{
  g_autofree char *rgb16 = tmp_path ("rgb16.png");
  g_autofree char *grey = tmp_path ("grey.png");
  g_autofree char *grey_alpha = tmp_path ("grey-alpha.png");
  g_autofree char *rgba = tmp_path ("rgba.png");
  g_autofree char *cmyk = tmp_path ("cmyk.jpg");

  /* test_png_bytes: value = 40 + 160 x / w + 40 y / h + 10 c (first byte of
   * a 16-bit sample, so the 8-bit reading is the same); alpha 0x80 on the
   * left half, 0xff on the right */
  test_write_png (rgb16, 16, 16, 16, TEST_PNG_RGB, FALSE);
  assert_pixel (rgb16, 8, 0, 120, 130, 140, 1);

  test_write_png (grey, 16, 16, 8, TEST_PNG_GREY, FALSE);
  assert_pixel (grey, 8, 0, 120, 120, 120, 0);

  /* Alpha is composited over black */
  test_write_png (grey_alpha, 16, 16, 8, TEST_PNG_GREY_ALPHA, FALSE);
  assert_pixel (grey_alpha, 8, 0, 120, 120, 120, 0);
  assert_pixel (grey_alpha, 0, 0, 20, 20, 20, 1);

  test_write_png (rgba, 16, 16, 8, TEST_PNG_RGBA, FALSE);
  assert_pixel (rgba, 0, 0, 20, 25, 30, 1);

  /* CMYK (Adobe-inverted) becomes RGB: with inverted values c' m' y' k',
   * R = c' k' / 255 and so on; pixel (0, 0) has c' = m' = 255, y' = 200,
   * k' = 230 */
  test_write_cmyk_jpeg (cmyk, 16, 16);
  assert_pixel (cmyk, 0, 0, 230, 230, 180, 6);
}

/* --- model files ---------------------------------------------------------- */

static char *model_tiny;

static void
make_tiny_model (void)
{
  g_autofree char *data = test_make_tiny_dataset (tmpdir, 2, 40);
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  AdisTrainOptions options;
  AdisConfig config;

  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 2;
  options.nce_patches = 8;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;
  dataset = adis_dataset_open (data, &error);
  g_assert_no_error (error);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  model_tiny = tmp_path ("tiny.safetensors");
  g_assert_true (adis_trainer_export_model (trainer, model_tiny, FALSE, &error));
  adis_train_options_clear (&options);
}

static void
test_model_refused (void)
{
  g_autofree char *empty = tmp_path ("empty.safetensors");
  g_autofree char *truncated = tmp_path ("truncated.safetensors");
  g_autofree char *png = tmp_path ("picture.safetensors");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  write_bytes (empty, "", 0);
  g_assert_null (adis_model_load (empty, ADIS_DEVICE_CPU, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  assert_message (error, "%s: too short to be a safetensors file (0 bytes)", empty);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (model_tiny, &contents, &length, NULL));
  write_truncated (model_tiny, truncated, length - 1000);
  g_assert_null (adis_model_load (truncated, ADIS_DEVICE_CPU, &error));
  assert_message (error, "%s: tensor G.model.8.weight: data runs past the end of the file (truncated?)", truncated);
  g_clear_error (&error);

  test_write_png (png, 8, 8, 8, TEST_PNG_RGB, FALSE);
  g_assert_null (adis_model_load (png, ADIS_DEVICE_CPU, &error));
  assert_message (error, "%s: header length 727905341920923785 is not plausible (not a safetensors file?)", png);
}

/* A tiny model whose metadata claims another preset, and a tiny model
 * given to a desktop fine-tuning run */
static void
test_model_other_preset (void)
{
  g_autofree char *data = g_build_filename (tmpdir, "tiny-dataset", NULL);
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  AdisTrainOptions options;
  AdisConfig config;

  g_assert_true (adis_config_init_preset (&config, "desktop", &error));
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 2;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;
  options.init_model = g_strdup (model_tiny);
  dataset = adis_dataset_open (data, &error);
  g_assert_no_error (error);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_null (trainer);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  assert_message (error, "Initial model %s is a “tiny” model (ngf 8, 2 blocks, audio width 8, embedding 32, audio) "
                  "but this run trains “desktop” (ngf 32, 6 blocks, audio width 32, embedding 128, audio); "
                  "choose the preset the model was trained with", model_tiny);
  adis_train_options_clear (&options);
}

/* --- datasets ------------------------------------------------------------- */

static void
test_dataset_missing_files (void)
{
  g_autofree char *dir = tmp_path ("missing");
  g_autofree char *data = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *image = NULL;
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisImage) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  data = test_make_tiny_dataset (dir, 4, 16);

  /* Missing when the set is opened: refused, naming the file */
  clip = g_build_filename (data, "clips", "item-002.wav", NULL);
  g_assert_cmpint (g_unlink (clip), ==, 0);
  g_assert_null (adis_dataset_open (data, &error));
  assert_message (error, "Dataset “%s”: images/item-002.png has no clip: expected clips/item-002.wav "
                  "(or another audio type)", data);
  g_clear_error (&error);
  test_write_tone_wav (clip, 440, 0.5, 3, 16000, 1);

  /* Gone after it was opened: that item fails by name */
  dataset = adis_dataset_open (data, &error);
  g_assert_no_error (error);
  image = g_build_filename (data, "images", "item-001.png", NULL);
  g_assert_cmpint (g_unlink (image), ==, 0);
  loaded = adis_dataset_load_image (dataset, 1, &error);
  g_assert_null (loaded);
  assert_message (error, "“%s”: no such file", image);
}

/* A prepared dataset (manifest.tsv) whose rows name files that are not
 * there: refused when opened, naming the clip and the file */
static void
test_dataset_manifest_missing (void)
{
  g_autofree char *dir = tmp_path ("prepared");
  g_autofree char *manifest = g_build_filename (dir, ADIS_MANIFEST_FILE, NULL);
  g_autofree char *frame_dir = g_build_filename (dir, ADIS_DATASET_FRAMES_DIR, NULL);
  g_autofree char *frame = g_build_filename (frame_dir, "rain-000.png", NULL);
  g_autoptr(GError) error = NULL;
  const char *text = ADIS_MANIFEST_MAGIC "\t1\n" ADIS_MANIFEST_HEADER "\n"
                     "rain-000\train.mp4\t0\tframes/rain-000.png\taudio/rain-000.wav\ttrain\train\n";

  g_assert_cmpint (g_mkdir_with_parents (frame_dir, 0755), ==, 0);
  test_write_png (frame, 16, 16, 8, TEST_PNG_RGB, FALSE);
  write_bytes (manifest, text, strlen (text));
  g_assert_null (adis_dataset_open (dir, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  assert_message (error, "Dataset “%s”: manifest.tsv: clip “rain-000”: audio/rain-000.wav is missing", dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  adis_set_num_threads (1);
  tmpdir = test_make_tmpdir ("bad-inputs");

  g_test_add_func ("/soundstyle/bad-inputs/audio-refused", test_audio_refused);
  g_test_add_func ("/soundstyle/bad-inputs/audio-accepted", test_audio_accepted);
  g_test_add_func ("/soundstyle/bad-inputs/image-refused", test_image_refused);
  g_test_add_func ("/soundstyle/bad-inputs/image-formats", test_image_formats);
  g_test_add_func ("/soundstyle/bad-inputs/model-refused", test_model_refused);
  g_test_add_func ("/soundstyle/bad-inputs/model-other-preset", test_model_other_preset);
  g_test_add_func ("/soundstyle/bad-inputs/dataset-missing-files", test_dataset_missing_files);
  g_test_add_func ("/soundstyle/bad-inputs/dataset-manifest-missing", test_dataset_manifest_missing);

  make_tiny_model ();
  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (model_tiny);
  return status;
}
