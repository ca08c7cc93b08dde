/* test-speed.c: the fast paths compute what the plain paths compute
 *
 * SPDX-License-Identifier: MIT
 *
 * adis_model_decode folds the sound into the decoder's first conv and
 * starts from a per-photo share computed by adis_model_encode_image; the
 * reference concatenates the tiled embedding and runs the whole decoder.
 * The two must agree to 1e-4 everywhere, borders included. So must the
 * channels-last layout inference runs in and plain NCHW, and the exact fast
 * kernels (oneDNN convolutions at batch 1, blur-upsampling as bilinear
 * doubling) and the plain ones.
 */
#include "config.h"

#include <math.h>

#include "test-util.h"
#include "adis-testing.h"
#include "adis-threads.h"

#define EXACT 1e-4

static char *tmpdir;

static void
compare_generator_film (const char *preset,
                         gboolean    audio_film,
                         int         code_height,
                         int         code_width)
{
  g_autoptr(GError) error = NULL;
  AdisConfig config;
  double diff = -1, effect = -1;

  g_assert_true (adis_config_init_preset (&config, preset, &error));
  config.audio_film = audio_film;
  g_assert_true (adis_testing_compare_decoders (&config, code_height, code_width, 5,
                                               &diff, &effect, &error));
  g_assert_no_error (error);
  g_test_message ("%s%s, code %d x %d: folded vs plain %.2g, sound moves the output by %.3g",
                  preset, audio_film ? " with the audio FiLM" : "", code_height, code_width, diff, effect);
  g_assert_cmpfloat (diff, <=, EXACT);
  /* The comparison means something only if the sound matters */
  g_assert_cmpfloat (effect, >, 1e-2);
  adis_config_clear (&config);
}

static void
compare_generator (const char *preset,
                   int         code_height,
                   int         code_width)
{
  compare_generator_film (preset, FALSE, code_height, code_width);
}

static void
test_fold_tiny (void)
{
  /* 1 x 1 and 2 x 3 codes: the first conv's output is all border */
  compare_generator ("tiny", 1, 1);
  compare_generator ("tiny", 2, 3);
  compare_generator ("tiny", 5, 4);
  compare_generator ("tiny", 16, 12);
  /* The FiLM goes in after both norms on both paths */
  compare_generator_film ("tiny", TRUE, 1, 1);
  compare_generator_film ("tiny", TRUE, 16, 12);
  compare_generator_film ("compact", TRUE, 6, 9);
}

static void
test_fold_presets (void)
{
  compare_generator ("desktop", 6, 9);
  compare_generator ("paper", 4, 5);
}

/* A tiny model with the training's initial weights, through the public API */
static char *
make_model_named (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = test_make_tiny_dataset (tmpdir, 4, 48);
  g_autoptr(AdisDataset) dataset = adis_dataset_open (data, &error);
  g_autoptr(AdisTrainer) trainer = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);
  AdisTrainOptions options;
  AdisConfig config;

  g_assert_no_error (error);
  g_assert_true (adis_config_init_preset (&config, "tiny", NULL));
  adis_train_options_init (&options, &config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 2;
  options.device = ADIS_DEVICE_CPU;
  options.seed = 3;
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  /* One step moves the weights off their initial, nearly flat state */
  g_assert_true (adis_trainer_step (trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (adis_trainer_export_model (trainer, path, FALSE, &error));
  g_assert_no_error (error);
  adis_train_options_clear (&options);
  adis_config_clear (&config);
  return path;
}

static char *
make_model (void)
{
  return make_model_named ("tiny.safetensors");
}

/* Photo -> code -> slider decode, as the window runs it */
static AdisImage *
stylize (AdisModel  *model,
         AdisImage  *image,
         AdisSound  *sound)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, image, 100, NULL, &error);
  g_autoptr(AdisSoundCode) scode = NULL;
  AdisImage *out;

  g_assert_no_error (error);
  scode = adis_model_encode_sound (model, sound, NULL, 1.5f, 0.0f, NULL, &error);
  g_assert_no_error (error);
  out = adis_model_decode (model, icode, scode, NULL, &error);
  g_assert_no_error (error);
  return out;
}

/* Inference runs channels-last; ADIS_CHANNELS_LAST=0 keeps the plain NCHW
 * layout. Both must give the same image. */
static void
test_channels_last (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png = g_build_filename (tmpdir, "photo-cl.png", NULL);
  g_autofree char *wav = g_build_filename (tmpdir, "cl.wav", NULL);
  g_autofree char *model_path = make_model_named ("cl.safetensors");
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(AdisModel) fast = NULL;
  g_autoptr(AdisModel) plain = NULL;
  g_autoptr(AdisImage) out_fast = NULL;
  g_autoptr(AdisImage) out_plain = NULL;
  double diff;

  test_write_pattern_png (png, 120, 80, 7);
  test_write_tone_wav (wav, 660, 0.3, 3.0, 16000, 1);
  image = adis_image_load (png, &error);
  g_assert_no_error (error);
  sound = adis_sound_load (wav, &error);
  g_assert_no_error (error);

  g_assert_true (adis_get_channels_last ());
  fast = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  g_setenv ("ADIS_CHANNELS_LAST", "0", TRUE);
  g_assert_false (adis_get_channels_last ());
  plain = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  g_unsetenv ("ADIS_CHANNELS_LAST");

  out_fast = stylize (fast, image, sound);
  out_plain = stylize (plain, image, sound);
  diff = test_image_max_diff (out_fast, out_plain);
  g_test_message ("channels-last vs NCHW: %.2g", diff);
  g_assert_cmpfloat (diff, <=, EXACT);
}

static void
compare_kernels (const char *preset,
                 int         height,
                 int         width)
{
  g_autoptr(GError) error = NULL;
  AdisConfig config;
  double embed_diff = -1, image_diff = -1, range = -1;

  g_assert_true (adis_config_init_preset (&config, preset, &error));
  adis_testing_compare_kernels (&config, height, width, 9, &embed_diff, &image_diff, &range, &error);
  g_assert_no_error (error);
  g_test_message ("%s, %d x %d, %s: fast vs plain kernels: embedding %.2g, image %.2g (values up to %.2f)",
                  preset, width, height, adis_get_channels_last () ? "channels-last" : "NCHW",
                  embed_diff, image_diff, range);
  g_assert_cmpfloat (embed_diff, <=, EXACT);
  g_assert_cmpfloat (image_diff, <=, EXACT);
  /* Not a flat picture: the comparison has something to compare */
  g_assert_cmpfloat (range, >, 0.05);
  adis_config_clear (&config);
}

/* The fast kernels on the networks, in both layouts: sizes from a 2 x 2
 * code (all border) to the window's preview, where the audio encoder's and
 * the residual blocks' batch-1 convolutions go through oneDNN */
static void
test_kernels (void)
{
  for (int layout = 0; layout < 2; layout++)
    {
      if (layout == 1)
        g_setenv ("ADIS_CHANNELS_LAST", "0", TRUE);
      compare_kernels ("tiny", 8, 8);
      compare_kernels ("tiny", 36, 20);
      compare_kernels ("compact", 64, 48);
      compare_kernels ("compact", 256, 192);
      compare_kernels ("desktop", 60, 92);
    }
  g_unsetenv ("ADIS_CHANNELS_LAST");
}

/* And through the public API, as the window and the CLI run a model */
static void
test_kernels_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model_path = make_model_named ("kernels.safetensors");
  g_autofree char *png = g_build_filename (tmpdir, "photo-kernels.png", NULL);
  g_autofree char *wav = g_build_filename (tmpdir, "kernels.wav", NULL);
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) sound = NULL;
  const int sides[] = { 24, 0, 100 };

  g_assert_no_error (error);
  test_write_pattern_png (png, 96, 64, 5);
  test_write_tone_wav (wav, 880, 0.3, 3.0, 16000, 1);
  image = adis_image_load (png, &error);
  g_assert_no_error (error);
  sound = adis_sound_load (wav, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      AdisImage *out[2] = { NULL, NULL };
      float first[256];
      float embed_diff = 0;

      for (int fast = 0; fast < 2; fast++)
        {
          g_autoptr(AdisImageCode) icode = NULL;
          g_autoptr(AdisSoundCode) scode = NULL;
          const float *embedding;
          int dim;

          adis_testing_set_fast_kernels (fast);
          icode = adis_model_encode_image (model, image, sides[i], NULL, &error);
          g_assert_no_error (error);
          scode = adis_model_encode_sound (model, sound, NULL, 1.5f, 0.0f, NULL, &error);
          g_assert_no_error (error);
          out[fast] = adis_model_decode (model, icode, scode, NULL, &error);
          g_assert_no_error (error);
          embedding = adis_sound_code_get_embedding (scode, &dim);
          g_assert_cmpint (dim, <=, (int) G_N_ELEMENTS (first));
          for (int k = 0; k < dim; k++)
            if (fast)
              embed_diff = MAX (embed_diff, fabsf (embedding[k] - first[k]));
            else
              first[k] = embedding[k];
        }
      adis_testing_set_fast_kernels (TRUE);
      g_test_message ("%d x %d: fast vs plain kernels: embedding %.2g, image %.2g",
                      adis_image_get_width (out[1]), adis_image_get_height (out[1]),
                      embed_diff, test_image_max_diff (out[0], out[1]));
      g_assert_cmpfloat (embed_diff, <=, EXACT);
      g_assert_cmpfloat (test_image_max_diff (out[0], out[1]), <=, EXACT);
      g_clear_pointer (&out[0], adis_image_unref);
      g_clear_pointer (&out[1], adis_image_unref);
    }
}

static void
test_model_decode (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *model_path = make_model ();
  g_autofree char *png = g_build_filename (tmpdir, "photo.png", NULL);
  g_autofree char *wav_a = g_build_filename (tmpdir, "a.wav", NULL);
  g_autofree char *wav_b = g_build_filename (tmpdir, "b.wav", NULL);
  g_autoptr(AdisModel) model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) a = NULL;
  g_autoptr(AdisSound) b = NULL;
  const int sides[] = { 0, 44, 100 };
  const float gains[] = { 1.0f, 2.5f, 0.3f };

  g_assert_no_error (error);
  test_write_pattern_png (png, 96, 64, 11);
  test_write_tone_wav (wav_a, 440, 0.4, 3.0, 16000, 1);
  test_write_tone_wav (wav_b, 1500, 0.2, 3.0, 16000, 1);
  image = adis_image_load (png, &error);
  g_assert_no_error (error);
  a = adis_sound_load (wav_a, &error);
  g_assert_no_error (error);
  b = adis_sound_load (wav_b, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, image, sides[i], NULL, &error);

      g_assert_no_error (error);
      /* Several sliders on one cached code: each decode starts from the
       * same share and must not disturb it */
      for (guint j = 0; j < G_N_ELEMENTS (gains); j++)
        {
          g_autoptr(AdisSoundCode) scode =
            adis_model_encode_sound (model, a, j == 2 ? b : NULL, gains[j], j == 2 ? 0.4f : 0.0f,
                                     NULL, &error);
          g_autoptr(AdisImage) fast = NULL;
          g_autoptr(AdisImage) again = NULL;
          g_autoptr(AdisImage) plain = NULL;
          double diff;

          g_assert_no_error (error);
          fast = adis_model_decode (model, icode, scode, NULL, &error);
          g_assert_no_error (error);
          plain = adis_testing_decode_plain (model, icode, scode, &error);
          g_assert_no_error (error);
          again = adis_model_decode (model, icode, scode, NULL, &error);
          g_assert_no_error (error);

          diff = test_image_max_diff (fast, plain);
          g_test_message ("%d x %d, gain %.1f: folded vs plain %.2g",
                          adis_image_get_width (fast), adis_image_get_height (fast), gains[j], diff);
          g_assert_cmpfloat (diff, <=, EXACT);
          g_assert_cmpfloat (test_image_max_diff (fast, again), ==, 0.0);
        }
    }
}

/* Training's fast kernels (oneDNN for PatchNCE's MLPs and negatives,
 * bilinear blur-upsampling) against the plain ones: one by one, every value
 * and gradient to 1e-4; then a whole training step from the same weights on
 * the same batch. In the whole step the losses agree to 1e-4 too; the
 * gradients are held to 1e-3 of the largest one instead, because the
 * decoder's first instance norm subtracts the sound's large per-channel
 * constant and divides by what is left, so its backward magnifies
 * last-bit differences of that constant (seen: 5e-7 with GCC, 2e-4 of a
 * largest 1.4 with clang's build, whose initial weights differ) */
static void
test_kernels_training (void)
{
  const char *presets[] = { "tiny", "compact" };
  g_autoptr(GError) error = NULL;
  double mlp_diff, nce_diff, upsample_diff;

  adis_testing_compare_training_ops (5, &mlp_diff, &nce_diff, &upsample_diff, &error);
  g_assert_no_error (error);
  g_test_message ("training kernels, fast vs plain: MLPs %.2g, PatchNCE %.2g, blur-upsampling %.2g",
                  mlp_diff, nce_diff, upsample_diff);
  g_assert_cmpfloat (mlp_diff, <=, EXACT);
  g_assert_cmpfloat (nce_diff, <=, EXACT);
  g_assert_cmpfloat (upsample_diff, <=, EXACT);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      AdisConfig config = { 0 };
      double loss_diff, grad_diff, grad_range;

      adis_config_init_preset (&config, presets[i], &error);
      g_assert_no_error (error);
      adis_testing_compare_training_kernels (&config, 64, 2, 11, &loss_diff, &grad_diff, &grad_range, &error);
      g_assert_no_error (error);
      g_test_message ("%s, 64 x 64, batch 2: fast vs plain kernels: losses %.2g, gradients %.2g (largest %.3g)",
                      presets[i], loss_diff, grad_diff, grad_range);
      g_assert_cmpfloat (loss_diff, <=, EXACT);
      g_assert_cmpfloat (grad_range, >, 1e-3);
      g_assert_cmpfloat (grad_diff, <=, 1e-3 * grad_range);
      adis_config_clear (&config);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  adis_set_num_threads (2);
  tmpdir = test_make_tmpdir ("speed");

  g_test_add_func ("/speed/fold/tiny", test_fold_tiny);
  g_test_add_func ("/speed/fold/presets", test_fold_presets);
  g_test_add_func ("/speed/model-decode", test_model_decode);
  g_test_add_func ("/speed/channels-last", test_channels_last);
  g_test_add_func ("/speed/kernels", test_kernels);
  g_test_add_func ("/speed/kernels/model", test_kernels_model);
  g_test_add_func ("/speed/kernels/training", test_kernels_training);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
