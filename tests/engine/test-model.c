/* test-model.c: model files and inference through the slider API
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"

static char *tmpdir;
static char *model_path;
static char *half_path;
static AdisDataset *dataset;

static AdisImage *
test_image (int width,
            int height)
{
  g_autofree char *path = g_build_filename (tmpdir, "input.png", NULL);
  g_autoptr(GError) error = NULL;
  AdisImage *image;

  test_write_pattern_png (path, width, height, 3);
  image = adis_image_load (path, &error);
  g_assert_no_error (error);
  return image;
}

static AdisImage *
stylize (AdisModel *model,
         AdisImage *image,
         int        long_side,
         AdisSound *a,
         AdisSound *b,
         float      gain,
         float      weight)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImageCode) icode = NULL;
  g_autoptr(AdisSoundCode) scode = NULL;
  AdisImage *out;

  icode = adis_model_encode_image (model, image, long_side, NULL, &error);
  g_assert_no_error (error);
  scode = adis_model_encode_sound (model, a, b, gain, weight, NULL, &error);
  g_assert_no_error (error);
  out = adis_model_decode (model, icode, scode, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
test_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autofree char *json = NULL;
  const AdisConfig *config;

  g_assert_no_error (error);
  config = adis_model_get_config (model);
  g_assert_cmpstr (config->preset, ==, "tiny");
  g_assert_cmpint (config->ngf, ==, 8);
  g_assert_cmpstr (adis_model_get_device_name (model), ==, "cpu");
  g_assert_cmpint (adis_model_get_n_parameters (model), >, 1000);
  json = adis_model_dup_metadata_json (model);
  g_assert_nonnull (strstr (json, "\"soundstyle-model\""));
  g_assert_nonnull (strstr (json, "\"steps\" : 2"));

  if (!adis_cuda_available ())
    {
      g_autoptr(AdisModel) on_gpu = adis_model_load (model_path, ADIS_DEVICE_CUDA, &error);

      g_assert_null (on_gpu);
      g_assert_error (error, ADIS_ERROR, ADIS_ERROR_DEVICE);
    }
}

static void
check_size (AdisModel *model,
            AdisSound *sound,
            int        width,
            int        height,
            int        long_side)
{
  g_autoptr(AdisImage) image = test_image (width, height);
  g_autoptr(AdisImage) out = stylize (model, image, long_side, sound, NULL, 1, 0);
  int want_w, want_h;

  adis_image_size_for_long_side (width, height, long_side > 0 ? long_side : MAX (width, height),
                                 &want_w, &want_h);
  g_assert_cmpint (adis_image_get_width (out), ==, want_w);
  g_assert_cmpint (adis_image_get_height (out), ==, want_h);
  g_assert_cmpint (want_w % 4, ==, 0);
  g_assert_cmpint (want_h % 4, ==, 0);

  for (gsize i = 0; i < 3 * (gsize) want_w * want_h; i++)
    g_assert_true (adis_image_get_planes (out)[i] >= -1 && adis_image_get_planes (out)[i] <= 1);
}

static void
test_sizes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, 0, &error);

  g_assert_no_error (error);
  check_size (model, sound, 40, 40, 32);
  check_size (model, sound, 60, 30, 50);
  check_size (model, sound, 30, 45, 0);
  check_size (model, sound, 37, 23, 0);
}

static void
test_sound_controls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) rain = adis_dataset_load_sound (dataset, 0, &error);
  g_autoptr(AdisSound) birds = adis_dataset_load_sound (dataset, 1, &error);
  g_autoptr(AdisImage) image = test_image (48, 32);
  g_autoptr(AdisImage) silent = stylize (model, image, 32, rain, NULL, 0, 0);
  g_autoptr(AdisImage) loud = stylize (model, image, 32, rain, NULL, 1, 0);
  g_autoptr(AdisImage) mixed = stylize (model, image, 32, rain, birds, 1, 0.5f);
  g_autoptr(AdisImageCode) icode = NULL;
  g_autoptr(AdisSoundCode) scode = NULL;
  g_autoptr(AdisImage) again = NULL;
  g_autoptr(AdisImage) again2 = NULL;
  const float *embedding;
  int dim = 0;

  g_assert_no_error (error);
  g_test_message ("gain 0 vs 1: %g; mix vs one: %g",
                  test_image_max_diff (silent, loud), test_image_max_diff (mixed, loud));
  g_assert_cmpfloat (test_image_max_diff (silent, loud), >, 1e-6);
  g_assert_cmpfloat (test_image_max_diff (mixed, loud), >, 1e-6);
  g_assert_cmpfloat (test_image_max_diff (mixed, silent), >, 1e-6);

  /* A code reused gives what a fresh one gives */
  icode = adis_model_encode_image (model, image, 32, NULL, &error);
  g_assert_no_error (error);
  scode = adis_model_encode_sound (model, rain, NULL, 1, 0, NULL, &error);
  g_assert_no_error (error);
  again = adis_model_decode (model, icode, scode, NULL, &error);
  g_assert_no_error (error);
  again2 = adis_model_decode (model, icode, scode, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (test_image_max_diff (again, loud), ==, 0);
  g_assert_cmpfloat (test_image_max_diff (again2, loud), ==, 0);

  embedding = adis_sound_code_get_embedding (scode, &dim);
  g_assert_cmpint (dim, ==, adis_model_get_config (model)->embed_dim);
  g_assert_true (isfinite (embedding[0]));

  /* Out-of-range controls are refused, not clamped */
  g_assert_null (adis_model_encode_sound (model, rain, NULL, 100, 0, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_model_encode_keyword (model, "rain", &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

/* A blend's embedding is the weighted mean of its parts'; one part alone
 * is that part; bad weights are refused */
static void
test_blend (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) rain = adis_dataset_load_sound (dataset, 0, &error);
  g_autoptr(AdisSound) birds = adis_dataset_load_sound (dataset, 1, &error);
  g_autoptr(AdisSoundCode) a = NULL;
  g_autoptr(AdisSoundCode) b = NULL;
  g_autoptr(AdisSoundCode) blend = NULL;
  g_autoptr(AdisSoundCode) only_a = NULL;
  AdisSoundCode *codes[2];
  const float weights[2] = { 3.0f, 1.0f };
  const float zeros[2] = { 0.0f, 0.0f };
  const float *ea, *eb, *eblend, *eonly;
  int dim = 0;

  g_assert_no_error (error);
  a = adis_model_encode_sound (model, rain, NULL, 1, 0, NULL, &error);
  b = adis_model_encode_sound (model, birds, NULL, 1, 0, NULL, &error);
  g_assert_no_error (error);
  codes[0] = a;
  codes[1] = b;
  blend = adis_sound_code_blend (codes, weights, 2, &error);
  g_assert_no_error (error);
  only_a = adis_sound_code_blend (codes, (const float[]) { 1.0f, 0.0f }, 2, &error);
  g_assert_no_error (error);

  ea = adis_sound_code_get_embedding (a, &dim);
  eb = adis_sound_code_get_embedding (b, NULL);
  eblend = adis_sound_code_get_embedding (blend, NULL);
  eonly = adis_sound_code_get_embedding (only_a, NULL);
  for (int i = 0; i < dim; i++)
    {
      g_assert_cmpfloat_with_epsilon (eblend[i], 0.75f * ea[i] + 0.25f * eb[i], 1e-5);
      g_assert_cmpfloat_with_epsilon (eonly[i], ea[i], 1e-6);
    }

  g_assert_null (adis_sound_code_blend (codes, zeros, 2, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_code_blend (codes, (const float[]) { 1.0f, -1.0f }, 2, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

static void
test_spectrogram (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, 0, &error);
  g_autofree float *spec = NULL;
  double sum = 0;

  g_assert_no_error (error);
  spec = adis_model_spectrogram (model, sound, &error);
  g_assert_no_error (error);
  for (int i = 0; i < ADIS_STFT_BINS * ADIS_STFT_FRAMES; i++)
    {
      g_assert_cmpfloat (spec[i], >=, 0);
      sum += spec[i];
    }
  g_assert_cmpfloat (sum, >, 0);
}

/* Rewrites the model file with one tensor changed (shape halved) or left
 * out; the metadata is kept, so only the tensor check can catch it */
static char *
rewrite_model (const char *name,
               const char *target,
               gboolean    drop)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorFile) file = adis_tensor_file_open (model_path, &error);
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    {
      const AdisTensorView *view = adis_tensor_file_get_tensor (file, i);
      gint64 shape[ADIS_TENSOR_MAX_DIMS];

      memcpy (shape, view->shape, sizeof shape);
      if (g_strcmp0 (view->name, target) == 0)
        {
          if (drop)
            continue;
          shape[0] /= 2;
        }
      adis_tensor_writer_add (writer, view->name, view->dtype, view->n_dims, shape, view->data);
    }
  adis_tensor_writer_set_metadata (writer, ADIS_MODEL_METADATA_KEY,
                                   adis_tensor_file_get_metadata (file, ADIS_MODEL_METADATA_KEY));
  g_assert_true (adis_tensor_writer_save (writer, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
expect_refusal (const char *path,
                const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (path, ADIS_DEVICE_CPU, &error);

  g_assert_null (model);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, words));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  g_autofree char *truncated = g_build_filename (tmpdir, "truncated.safetensors", NULL);
  g_autofree char *foreign = g_build_filename (tmpdir, "foreign.safetensors", NULL);
  g_autofree char *reshaped = rewrite_model ("reshaped.safetensors", "G.model.1.weight", FALSE);
  g_autofree char *missing = rewrite_model ("missing.safetensors", "A.fc.bias", TRUE);
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  float data[4] = { 1, 2, 3, 4 };
  gint64 shape[1] = { 4 };

  g_assert_true (g_file_get_contents (model_path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (truncated, contents, (gssize) length / 2, &error));
  expect_refusal (truncated, "");

  adis_tensor_writer_add (writer, "weight", ADIS_DTYPE_F32, 1, shape, data);
  adis_tensor_writer_set_metadata (writer, "format", "pt");
  g_assert_true (adis_tensor_writer_save (writer, foreign, &error));
  expect_refusal (foreign, "not a Soundstyle model");

  expect_refusal (reshaped, "tensor G.model.1.weight has shape [4, 3, 7, 7] in the file "
                            "but the config needs [8, 3, 7, 7]");
  expect_refusal (missing, "tensor A.fc.bias is missing");
}

static void
test_half_precision (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) full = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisModel) half = adis_model_load (half_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, 1, &error);
  g_autoptr(AdisImage) image = test_image (40, 28);
  g_autoptr(AdisImage) a = NULL;
  g_autoptr(AdisImage) b = NULL;
  g_autofree char *json = NULL;
  struct stat full_stat, half_stat;

  g_assert_no_error (error);
  a = stylize (full, image, 0, sound, NULL, 1, 0);
  b = stylize (half, image, 0, sound, NULL, 1, 0);
  g_test_message ("F16 vs F32: %g", test_image_max_diff (a, b));
  g_assert_cmpfloat (test_image_max_diff (a, b), <, 1e-2);
  json = adis_model_dup_metadata_json (half);
  g_assert_nonnull (strstr (json, "\"F16\""));

  g_assert_cmpint (g_stat (model_path, &full_stat), ==, 0);
  g_assert_cmpint (g_stat (half_path, &half_stat), ==, 0);
  g_assert_cmpint (half_stat.st_size, <, full_stat.st_size * 6 / 10);
}

typedef struct
{
  AdisModel     *model;
  AdisImageCode *icode;
  AdisSoundCode *scode;
} DecodeJob;

static gpointer
decode_thread (gpointer data)
{
  DecodeJob *job = data;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(AdisImage) out = adis_model_decode (job->model, job->icode, job->scode, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (out);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, 0, &error);
  g_autoptr(AdisImage) image = test_image (32, 32);
  DecodeJob job = { model, NULL, NULL };
  GThread *thread;
  int reads = 0;

  job.icode = adis_model_encode_image (model, image, 32, NULL, &error);
  job.scode = adis_model_encode_sound (model, sound, NULL, 1, 0, NULL, &error);
  g_assert_no_error (error);

  thread = g_thread_new ("decode", decode_thread, &job);
  for (int i = 0; i < 1000; i++)
    reads += adis_model_get_config (model)->ngf == 8;
  g_thread_join (thread);
  g_assert_cmpint (reads, ==, 1000);

  adis_image_code_unref (job.icode);
  adis_sound_code_unref (job.scode);
}

static void
test_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, 0, &error);
  g_autoptr(AdisImage) image = test_image (32, 32);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, image, 32, NULL, &error);
  g_autoptr(AdisSoundCode) scode = adis_model_encode_sound (model, sound, NULL, 1, 0, NULL, &error);

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_null (adis_model_encode_image (model, image, 32, cancellable, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (adis_model_encode_sound (model, sound, NULL, 1, 0, cancellable, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (adis_model_decode (model, icode, scode, cancellable, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED);
}

/* b brought to a's RMS level */
static AdisSound *
at_level_of (AdisSound *b,
             AdisSound *a)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *samples = g_memdup2 (adis_sound_get_samples (b), sizeof (float) * ADIS_CLIP_SAMPLES);
  float scale = adis_sound_get_rms (a) / adis_sound_get_rms (b);
  AdisSound *scaled;

  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    samples[i] *= scale;
  scaled = adis_sound_new_from_samples (samples, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);
  return scaled;
}

/* How much the difference of two sounds' embeddings changes between
 * gain 1 and gain 1/4 (its largest element) */
static double
gain_change_of_difference (AdisModel *model,
                           AdisSound *a,
                           AdisSound *b)
{
  float gains[2] = { 1.0f, 0.25f };
  g_autofree float *difference = NULL;
  double change = 0.0;
  int dim = 0;

  for (int g = 0; g < 2; g++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AdisSoundCode) code_a = adis_model_encode_sound (model, a, NULL, gains[g], 0, NULL, &error);
      g_autoptr(AdisSoundCode) code_b = adis_model_encode_sound (model, b, NULL, gains[g], 0, NULL, &error);
      const float *e_a, *e_b;

      g_assert_no_error (error);
      e_a = adis_sound_code_get_embedding (code_a, &dim);
      e_b = adis_sound_code_get_embedding (code_b, &dim);
      if (difference == NULL)
        difference = g_new0 (float, dim);
      for (int i = 0; i < dim; i++)
        {
          if (g == 0)
            difference[i] = e_a[i] - e_b[i];
          else
            change = MAX (change, fabs ((e_a[i] - e_b[i]) - difference[i]));
        }
    }
  return change;
}

/* The level split (config.audio_level): the ResNet hears every clip at
 * one level and the level network is told the level, so two sounds of one
 * level differ by the same embedding at every gain; without it, the gain
 * reaches the ResNet and the difference changes. Fine-tuned from a model
 * without it, everything else is that model's. */
static void
test_level_split (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autofree char *level_path = g_build_filename (tmpdir, "tiny-level.safetensors", NULL);
  g_autoptr(AdisModel) plain = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisModel) level = NULL;
  g_autoptr(AdisSound) rain = adis_dataset_load_sound (dataset, 0, &error);
  g_autoptr(AdisSound) birds = adis_dataset_load_sound (dataset, 1, &error);
  g_autoptr(AdisSound) level_birds = NULL;
  g_autoptr(AdisSoundCode) full = NULL;
  g_autoptr(AdisSoundCode) quiet = NULL;
  AdisTrainOptions options;
  double plain_gap, level_gap, moved = 0.0;
  const float *e_full, *e_quiet;
  int dim = 0;

  g_assert_no_error (error);
  test_tiny_train_options (&options);
  options.model.audio_level = TRUE;
  options.init_model = g_strdup (model_path);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_true (adis_trainer_run (trainer, 2, NULL, NULL, NULL, 0, NULL, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (adis_trainer_export_model (trainer, level_path, FALSE, &error));
  g_assert_no_error (error);
  adis_train_options_clear (&options);

  level = adis_model_load (level_path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  g_assert_true (adis_model_get_config (level)->audio_level);
  g_assert_false (adis_model_get_config (plain)->audio_level);

  level_birds = at_level_of (birds, rain);
  plain_gap = gain_change_of_difference (plain, rain, level_birds);
  level_gap = gain_change_of_difference (level, rain, level_birds);
  g_test_message ("two sounds of one level, how much their embeddings' difference changes from gain 1 "
                  "to 1/4: %.3g without the level split, %.3g with it", plain_gap, level_gap);
  g_assert_cmpfloat (plain_gap, >, 1e-3);
  g_assert_cmpfloat (level_gap, <, 1e-5);

  /* After two steps the level network says something: the gain moves it */
  full = adis_model_encode_sound (level, rain, NULL, 1.0f, 0, NULL, &error);
  quiet = adis_model_encode_sound (level, rain, NULL, 0.25f, 0, NULL, &error);
  g_assert_no_error (error);
  e_full = adis_sound_code_get_embedding (full, &dim);
  e_quiet = adis_sound_code_get_embedding (quiet, &dim);
  for (int i = 0; i < dim; i++)
    moved = MAX (moved, fabs (e_full[i] - e_quiet[i]));
  g_test_message ("largest move of the embedding from gain 1/4 to 1: %.3g", moved);
  g_assert_cmpfloat (moved, >, 1e-6);
}

static void
make_models (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  AdisTrainOptions options;

  test_tiny_train_options (&options);

  /* Two steps so the weights are not just their initial values */
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_true (adis_trainer_run (trainer, 2, NULL, NULL, NULL, 0, NULL, 0, NULL, &error));
  g_assert_no_error (error);

  model_path = g_build_filename (tmpdir, "tiny.safetensors", NULL);
  half_path = g_build_filename (tmpdir, "tiny-f16.safetensors", NULL);
  g_assert_true (adis_trainer_export_model (trainer, model_path, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (adis_trainer_export_model (trainer, half_path, TRUE, &error));
  g_assert_no_error (error);
  adis_train_options_clear (&options);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  adis_set_num_threads (2);

  tmpdir = test_make_tmpdir ("test-model");
  path = test_make_tiny_dataset (tmpdir, 4, 40);
  dataset = adis_dataset_open (path, &error);
  g_assert_no_error (error);
  make_models ();

  g_test_add_func ("/soundstyle/model/load", test_load);
  g_test_add_func ("/soundstyle/model/sizes", test_sizes);
  g_test_add_func ("/soundstyle/model/sound-controls", test_sound_controls);
  g_test_add_func ("/soundstyle/model/blend", test_blend);
  g_test_add_func ("/soundstyle/model/spectrogram", test_spectrogram);
  g_test_add_func ("/soundstyle/model/refusals", test_refusals);
  g_test_add_func ("/soundstyle/model/half-precision", test_half_precision);
  g_test_add_func ("/soundstyle/model/threads", test_threads);
  g_test_add_func ("/soundstyle/model/cancelled", test_cancelled);
  g_test_add_func ("/soundstyle/model/level-split", test_level_split);

  status = g_test_run ();

  adis_dataset_unref (dataset);
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  g_free (model_path);
  g_free (half_path);
  return status;
}
