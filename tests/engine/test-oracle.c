/* test-oracle.c: training in pairs on a set that knows its frames' inputs
 *
 * SPDX-License-Identifier: MIT
 *
 * A set made by soundstyle synth says how every frame was rendered from a
 * photo. The dataset gives that unstyled input back, the loader pairs it
 * with its own frame under the same augmentation, and the trainer's oracle
 * term pulls G(input, clip) towards the frame; with the grid head's streak
 * layer, towards the frame without rain's streaks, and the layer's
 * strength towards theirs.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "adis.h"
#include "test-util.h"

#define SET_SIZE 64

static char *
make_synth_set (guint n_clips)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *media_dir = g_build_filename (test_source_dir (), "resources", "samples", NULL);
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (media_dir, &error);
  g_autofree char *dir = test_make_tmpdir ("oracle");
  char *set = g_build_filename (dir, "set", NULL);
  AdisSynthSetOptions options;

  g_assert_no_error (error);
  adis_synth_set_options_init (&options);
  options.n_clips = n_clips;
  options.seed = 5;
  options.size = SET_SIZE;
  options.n_threads = 2;
  g_assert_true (adis_synth_build_set (media, set, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return set;
}

static void
remove_set (const char *set)
{
  g_autofree char *dir = g_path_get_dirname (set);

  test_rm_rf (dir);
}

static double
mean_abs_difference (AdisImage *a,
                     AdisImage *b)
{
  const float *pa = adis_image_get_planes (a);
  const float *pb = adis_image_get_planes (b);
  gsize n = (gsize) 3 * adis_image_get_width (a) * adis_image_get_height (a);
  double sum = 0.0;

  g_assert_cmpint (adis_image_get_width (a), ==, adis_image_get_width (b));
  g_assert_cmpint (adis_image_get_height (a), ==, adis_image_get_height (b));
  for (gsize i = 0; i < n; i++)
    sum += fabs (pa[i] - pb[i]);
  return sum / n;
}

/* The input, rendered again with the clip's factors, is the frame (up to
 * the frame's JPEG coding); another clip's input is not */
static void
test_inputs (void)
{
  g_autofree char *set = make_synth_set (12);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open_split (set, ADIS_SPLIT_ALL, &error);
  g_autoptr(GPtrArray) clips = NULL;
  guint n;

  g_assert_no_error (error);
  g_assert_true (adis_dataset_has_inputs (dataset));
  clips = adis_synth_read_factors (set, &error);
  g_assert_no_error (error);
  n = adis_dataset_get_n_items (dataset);
  g_assert_cmpuint (n, ==, 12);

  for (guint i = 0; i < 4; i++)
    {
      const AdisSynthClip *clip = NULL;
      g_autoptr(AdisImage) input = adis_dataset_load_input (dataset, i, SET_SIZE, &error);
      g_autoptr(AdisImage) other = adis_dataset_load_input (dataset, (i + n / 2) % n, SET_SIZE, &error);
      g_autoptr(AdisImage) frame = adis_dataset_load_image (dataset, i, &error);
      g_autoptr(AdisImage) again = NULL;
      g_autoptr(AdisImage) other_styled = NULL;
      double same, different;

      g_assert_no_error (error);
      for (guint c = 0; c < clips->len && clip == NULL; c++)
        if (g_strcmp0 (((AdisSynthClip *) clips->pdata[c])->clip_id,
                       adis_dataset_get_item_id (dataset, i)) == 0)
          clip = clips->pdata[c];
      g_assert_nonnull (clip);

      again = adis_synth_render (input, &clip->factors, &error);
      g_assert_no_error (error);
      other_styled = adis_synth_render (other, &clip->factors, &error);
      g_assert_no_error (error);
      same = mean_abs_difference (again, frame);
      different = mean_abs_difference (other_styled, frame);
      g_test_message ("clip %u: |render(input) - frame| %.4f, another input's %.4f", i, same, different);
      g_assert_cmpfloat (same, <, 0.08);   /* JPEG on streaks and flakes */
      g_assert_cmpfloat (different, >, 3 * same);

      /* Played at gain 1 the clip asks for its own frame; softer, for
       * lighter weather (intensity 0 at a 24 dB cut) */
      {
        g_autoptr(AdisImage) at_one = adis_dataset_render_input (dataset, i, input, 1.f, TRUE, NULL, &error);
        g_autoptr(AdisImage) softer = adis_dataset_render_input (dataset, i, input, 0.0625f, TRUE, NULL, &error);
        g_autoptr(AdisImage) clear = NULL;
        AdisSynthFactors none = clip->factors;

        g_assert_no_error (error);
        g_assert_cmpfloat (mean_abs_difference (at_one, again), <, 1e-6);
        none.intensity = 0.f;
        clear = adis_synth_render (input, &none, &error);
        g_assert_no_error (error);
        g_assert_cmpfloat (mean_abs_difference (softer, clear), <, 1e-6);
        if (clip->factors.intensity > 0.2f)
          g_assert_cmpfloat (mean_abs_difference (softer, again), >, 0.005);
      }
    }
  remove_set (set);
}

/* A set that does not know its inputs has none, and a paired loader says so */
static void
test_no_inputs (void)
{
  g_autofree char *dir = test_make_tmpdir ("oracle-none");
  g_autofree char *set = test_make_tiny_dataset (dir, 4, 32);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open (set, &error);
  g_autoptr(AdisImage) input = NULL;
  g_autoptr(AdisLoader) loader = NULL;
  AdisLoaderOptions options;

  g_assert_no_error (error);
  g_assert_false (adis_dataset_has_inputs (dataset));
  input = adis_dataset_load_input (dataset, 0, 32, &error);
  g_assert_null (input);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  adis_loader_options_init (&options);
  options.batch_size = 2;
  options.load_size = 36;
  options.crop_size = 32;
  options.paired = TRUE;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_null (loader);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "soundstyle synth"));
  test_rm_rf (dir);
}

/* Paired batches: x is y's own input, cropped and mirrored as y is */
static void
test_paired_batches (void)
{
  g_autofree char *set = make_synth_set (12);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open_split (set, ADIS_SPLIT_ALL, &error);
  g_autoptr(AdisLoader) loader = NULL;
  g_autoptr(AdisBatch) batch = NULL;
  AdisLoaderOptions options;
  gsize floats = (gsize) 3 * 48 * 48;

  g_assert_no_error (error);
  adis_loader_options_init (&options);
  options.batch_size = 4;
  options.load_size = 56;
  options.crop_size = 48;
  options.seed = 3;
  options.paired = TRUE;
  options.n_workers = 1;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  batch = adis_loader_next (loader, &error);
  g_assert_no_error (error);

  for (int i = 0; i < batch->n; i++)
    {
      g_autoptr(AdisImage) input = adis_dataset_load_input (dataset, batch->index_y[i], SET_SIZE, &error);
      g_autoptr(AdisImage) resized = NULL;
      const float *x = batch->x + i * floats;
      const float *y = batch->y + i * floats;
      double x_y = 0.0;
      gboolean found = FALSE;

      g_assert_no_error (error);
      g_assert_cmpuint (batch->index_x[i], ==, batch->index_y[i]);
      g_assert_cmpuint (batch->frame_x[i], ==, batch->frame_y[i]);
      g_assert_cmpmem (batch->wave_x + (gsize) i * ADIS_CLIP_SAMPLES, sizeof (float) * ADIS_CLIP_SAMPLES,
                       batch->wave_y + (gsize) i * ADIS_CLIP_SAMPLES, sizeof (float) * ADIS_CLIP_SAMPLES);
      for (gsize k = 0; k < floats; k++)
        x_y += fabs (x[k] - y[k]);
      g_assert_cmpfloat (x_y / floats, >, 1e-3);   /* styled, so not equal */

      /* x is one of the input's crops (either mirror) at the load size */
      resized = adis_image_resize (input, 56, 56);
      for (int cy = 0; cy <= 8 && !found; cy++)
        for (int cx = 0; cx <= 8 && !found; cx++)
          for (int flip = 0; flip < 2 && !found; flip++)
            {
              g_autoptr(AdisImage) crop = adis_image_crop (resized, cx, cy, 48, 48);
              g_autoptr(AdisImage) flipped = flip ? adis_image_flip_horizontal (crop) : adis_image_ref (crop);
              const float *p = adis_image_get_planes (flipped);

              found = memcmp (p, x, sizeof (float) * floats) == 0;
            }
      g_assert_true (found);
    }
  remove_set (set);
}

static double
clip_rms (const float *x)
{
  double sum = 0.0;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    sum += (double) x[i] * x[i];
  return sqrt (sum / ADIS_CLIP_SAMPLES);
}

static AdisBatch *
paired_batch (AdisDataset *dataset,
              gboolean     media_augment)
{
  g_autoptr(AdisLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  AdisLoaderOptions options;
  AdisBatch *batch;

  adis_loader_options_init (&options);
  options.batch_size = 6;
  options.load_size = SET_SIZE;
  options.crop_size = SET_SIZE;
  options.seed = 8;
  options.paired = TRUE;
  options.media_augment = media_augment;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  /* No crop or mirror, so that x and y can be checked pixel for pixel */
  adis_loader_set_augment (loader, FALSE);
  batch = adis_loader_next (loader, &error);
  g_assert_no_error (error);
  return batch;
}

/* With the media augmentation a paired target is the render of the
 * jittered photo x at the intensity of the clip's new level: the level
 * spread moves the weather as the volume slider does */
static void
test_paired_media_augment (void)
{
  g_autofree char *set = make_synth_set (12);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open_split (set, ADIS_SPLIT_ALL, &error);
  g_autoptr(AdisBatch) plain = NULL;
  g_autoptr(AdisBatch) batch = NULL;
  g_autoptr(AdisBatch) again = NULL;
  gsize floats = (gsize) 3 * SET_SIZE * SET_SIZE;
  double worst = 0.0;

  g_assert_no_error (error);
  plain = paired_batch (dataset, FALSE);
  batch = paired_batch (dataset, TRUE);
  again = paired_batch (dataset, TRUE);
  g_assert_cmpmem (batch->y, floats * batch->n * sizeof (float), again->y, floats * again->n * sizeof (float));
  g_assert_cmpmem (batch->wave_y, (gsize) ADIS_CLIP_SAMPLES * batch->n * sizeof (float),
                   again->wave_y, (gsize) ADIS_CLIP_SAMPLES * again->n * sizeof (float));

  for (int i = 0; i < batch->n; i++)
    {
      g_autoptr(AdisImage) x = adis_image_new_from_planes (batch->x + i * floats, SET_SIZE, SET_SIZE);
      g_autoptr(AdisImage) y = adis_image_new_from_planes (batch->y + i * floats, SET_SIZE, SET_SIZE);
      g_autoptr(AdisImage) x_plain = adis_image_new_from_planes (plain->x + i * floats, SET_SIZE, SET_SIZE);
      g_autoptr(AdisImage) expected = NULL;
      /* The spectral steps keep the level: what is left is the spread
       * (and up to 0.04 dB of background) */
      double gain = clip_rms (batch->wave_y + (gsize) i * ADIS_CLIP_SAMPLES) /
                    clip_rms (plain->wave_y + (gsize) i * ADIS_CLIP_SAMPLES);

      g_assert_cmpuint (batch->index_y[i], ==, plain->index_y[i]);
      g_assert_cmpfloat (fabs (20.0 * log10 (gain)), <=, 6.0 + 0.83);
      g_assert_cmpfloat (mean_abs_difference (x, x_plain), >, 1e-4);   /* jittered */
      expected = adis_dataset_render_input (dataset, batch->index_y[i], x, (float) gain, TRUE, NULL, &error);
      g_assert_no_error (error);
      worst = MAX (worst, mean_abs_difference (expected, y));
    }
  g_test_message ("paired targets vs the render of x at the clip's level: mean |difference| %.2g at worst", worst);
  g_assert_cmpfloat (worst, <, 0.01);
  remove_set (set);
}

typedef struct
{
  double first;
  double last;
  int    n;
} OracleLog;

static void
oracle_progress (const AdisTrainProgress *progress,
                 gpointer                 user_data)
{
  OracleLog *log = user_data;

  g_assert_cmpfloat (progress->loss_oracle, >, 0.0);
  if (log->n < 5)
    log->first += progress->loss_oracle / 5;
  if (progress->step > 75)
    log->last += progress->loss_oracle / 5;
  log->n++;
}

/* The oracle term falls as G learns the renders of two clips, and survives
 * a resume */
static void
test_oracle_training (void)
{
  g_autofree char *set = make_synth_set (2);
  g_autofree char *checkpoint = g_build_filename (set, "oracle.ckpt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open_split (set, ADIS_SPLIT_ALL, &error);
  AdisTrainOptions options;
  AdisTrainer *trainer;
  AdisTrainProgress progress;
  OracleLog log = { 0 };
  AdisConfig config;

  g_assert_no_error (error);
  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_train_options_init (&options, &config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 4;
  options.identity = FALSE;
  options.lambda_oracle = 10.0;
  options.lr = 2e-3;
  options.epochs_constant = 400;   /* two clips: an epoch is a step */
  options.epochs_decay = 1;
  options.seed = 11;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;

  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_true (adis_trainer_run (trainer, 80, oracle_progress, NULL, &log, 0,
                                   NULL, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (log.n, ==, 80);
  g_assert_true (adis_trainer_save_checkpoint (trainer, checkpoint, &error));
  g_assert_no_error (error);
  g_test_message ("oracle L1: first 5 steps %.4f, last 5 %.4f", log.first, log.last);
  g_assert_cmpfloat (log.last, <, 0.8 * log.first);
  adis_trainer_free (trainer);

  trainer = adis_trainer_resume (checkpoint, dataset, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (adis_trainer_get_options (trainer)->lambda_oracle, ==, 10.0);
  g_assert_true (adis_trainer_step (trainer, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (progress.loss_oracle, >, 0.0);
  adis_trainer_free (trainer);
  adis_train_options_clear (&options);
  remove_set (set);
}

/* With the streak layer a paired target is the render of x without rain's
 * streaks, and the batch carries the strength they would have had */
static void
test_streak_layer_batches (void)
{
  g_autofree char *set = make_synth_set (12);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open_split (set, ADIS_SPLIT_ALL, &error);
  AdisLoaderOptions options;
  AdisLoader *loader;
  g_autoptr(AdisBatch) batch = NULL;
  gsize floats = (gsize) 3 * SET_SIZE * SET_SIZE;
  int n_rain = 0, n_dry = 0;

  g_assert_no_error (error);
  adis_loader_options_init (&options);
  options.batch_size = 8;
  options.load_size = SET_SIZE;
  options.crop_size = SET_SIZE;
  options.seed = 8;
  options.streak_layer = TRUE;
  g_assert_null (adis_loader_new (dataset, &options, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("unpaired: %s", error->message);
  g_clear_error (&error);

  options.paired = TRUE;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  adis_loader_set_augment (loader, FALSE);
  batch = adis_loader_next (loader, &error);
  g_assert_no_error (error);
  for (int i = 0; i < batch->n; i++)
    {
      g_autoptr(AdisImage) x = adis_image_new_from_planes (batch->x + i * floats, SET_SIZE, SET_SIZE);
      g_autoptr(AdisImage) y = adis_image_new_from_planes (batch->y + i * floats, SET_SIZE, SET_SIZE);
      g_autoptr(AdisImage) bare = NULL;
      g_autoptr(AdisImage) full = NULL;
      float strength = -1.f;

      bare = adis_dataset_render_input (dataset, batch->index_y[i], x, 1.f, FALSE, &strength, &error);
      g_assert_no_error (error);
      full = adis_dataset_render_input (dataset, batch->index_y[i], x, 1.f, TRUE, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (mean_abs_difference (bare, y), ==, 0.0);
      g_assert_cmpfloat (batch->streaks[i], ==, strength);
      if (strength > 0.f)
        {
          g_assert_cmpfloat (strength, >=, 0.3f * 0.5f);   /* at least half of a mix */
          g_assert_cmpfloat (mean_abs_difference (full, y), >, 0.0);
          n_rain++;
        }
      else
        {
          g_assert_cmpfloat (mean_abs_difference (full, y), ==, 0.0);
          n_dry++;
        }
    }
  g_test_message ("%d targets with rain, %d without", n_rain, n_dry);
  g_assert_cmpint (n_rain, >, 0);
  g_assert_cmpint (n_dry, >, 0);
  adis_loader_free (loader);
  remove_set (set);
}

static void
streak_progress (const AdisTrainProgress *progress,
                 gpointer                 user_data)
{
  OracleLog *log = user_data;

  if (log->n < 10)
    log->first += progress->loss_streaks / 10;
  if (progress->step > 50)
    log->last += progress->loss_streaks / 10;
  log->n++;
}

/* The streak strength learns from the clips' sounds, and the model file
 * keeps the layer */
static void
test_streak_layer_training (void)
{
  g_autofree char *set = make_synth_set (8);
  g_autofree char *model_path = g_build_filename (set, "streaks.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open_split (set, ADIS_SPLIT_ALL, &error);
  g_autoptr(AdisModel) model = NULL;
  AdisTrainOptions options;
  AdisTrainer *trainer;
  OracleLog log = { 0 };
  AdisConfig config;
  double rain_strength = 0.0, dry_strength = 0.0;
  int n_rain = 0;

  g_assert_no_error (error);
  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_config_use_grid_head (&config);
  config.grid.rain_streaks = TRUE;
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 8;
  options.identity = FALSE;
  options.lambda_oracle = 10.0;
  /* The oracle and streak terms alone, at a modest rate: a tiny model on
   * eight clips learns the strength within the steps a test can afford only
   * without the adversarial and contrastive terms pulling the embedding
   * about (with them, or at 2e-3, it did in some runs and not in others) */
  options.lambda_gan = 0.0;
  options.lambda_nce = 0.0;
  options.lr = 5e-4;
  options.epochs_constant = 100;
  options.epochs_decay = 1;
  options.seed = 4;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;

  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_true (adis_trainer_run (trainer, 60, streak_progress, NULL, &log, 0,
                                   NULL, 0, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("streak strength |error|: first 10 steps %.4f, last 10 %.4f", log.first, log.last);
  g_assert_cmpfloat (log.first, >, 0.0);
  g_assert_cmpfloat (log.last, <, 0.7 * log.first);
  g_assert_true (adis_trainer_export_model (trainer, model_path, FALSE, &error));
  g_assert_no_error (error);
  adis_trainer_free (trainer);

  model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  g_assert_true (adis_model_get_config (model)->grid.rain_streaks);

  /* Inference reads the layer: the clips with rain get stronger streaks
   * than those without, and a seed moves them */
  for (guint i = 0; i < adis_dataset_get_n_items (dataset); i++)
    {
      g_autoptr(AdisImage) input = adis_dataset_load_input (dataset, i, SET_SIZE, &error);
      g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, i, &error);
      g_autoptr(AdisImage) bare = NULL;
      g_autoptr(AdisImageCode) image_code = NULL;
      g_autoptr(AdisSoundCode) sound_code = NULL;
      g_autoptr(AdisStyle) style = NULL;
      g_autoptr(AdisImage) first = NULL;
      g_autoptr(AdisImage) again = NULL;
      g_autoptr(AdisImage) moved = NULL;
      float target = 0.f, strength;

      g_assert_no_error (error);
      bare = adis_dataset_render_input (dataset, i, input, 1.f, FALSE, &target, &error);
      image_code = adis_model_encode_image (model, input, 0, NULL, &error);
      sound_code = adis_model_encode_sound (model, sound, NULL, 1.f, 0.f, NULL, &error);
      style = adis_model_decode_style (model, image_code, sound_code, NULL, &error);
      g_assert_no_error (error);
      strength = adis_style_get_streaks (style);
      g_test_message ("clip %u: streak strength %.3f, its target %.3f", i, strength, target);
      if (target > 0.f)
        {
          rain_strength += strength;
          n_rain++;
        }
      else
        dry_strength = MAX (dry_strength, strength);
      first = adis_style_apply (style, SET_SIZE, SET_SIZE, NULL, NULL, NULL, &error);
      again = adis_style_apply (style, SET_SIZE, SET_SIZE, NULL, NULL, NULL, &error);
      adis_style_set_streak_seed (style, 77);
      moved = adis_style_apply (style, SET_SIZE, SET_SIZE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (mean_abs_difference (first, again), ==, 0.0);
      if (strength > 0.05f)
        g_assert_cmpfloat (mean_abs_difference (first, moved), >, 0.0);
    }
  g_assert_cmpint (n_rain, >, 0);
  g_test_message ("mean streak strength with rain %.3f, the most without %.3f",
                  rain_strength / n_rain, dry_strength);
  g_assert_cmpfloat (rain_strength / n_rain, >, dry_strength);

  /* Without the grid head there is no layer to train */
  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  config.grid.rain_streaks = TRUE;
  adis_train_options_clear (&options);
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.lambda_oracle = 10.0;
  options.device = ADIS_DEVICE_CPU;
  g_assert_null (adis_trainer_new (&options, dataset, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  adis_train_options_clear (&options);
  remove_set (set);
}

/* The oracle term belongs to the NCE objective on a set that knows its inputs */
static void
test_oracle_refusals (void)
{
  g_autofree char *dir = test_make_tmpdir ("oracle-refuse");
  g_autofree char *set = test_make_tiny_dataset (dir, 4, 32);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open (set, &error);
  AdisTrainOptions options;
  AdisConfig config;

  g_assert_no_error (error);
  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_train_options_init (&options, &config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 2;
  options.lambda_oracle = 5.0;
  options.device = ADIS_DEVICE_CPU;

  g_assert_null (adis_trainer_new (&options, dataset, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  options.objective = ADIS_OBJECTIVE_CYCLE;
  g_assert_null (adis_trainer_new (&options, dataset, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  adis_train_options_clear (&options);
  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oracle/inputs", test_inputs);
  g_test_add_func ("/oracle/no-inputs", test_no_inputs);
  g_test_add_func ("/oracle/paired-batches", test_paired_batches);
  g_test_add_func ("/oracle/paired-media-augment", test_paired_media_augment);
  g_test_add_func ("/oracle/training", test_oracle_training);
  g_test_add_func ("/oracle/refusals", test_oracle_refusals);
  g_test_add_func ("/oracle/streak-layer-batches", test_streak_layer_batches);
  g_test_add_func ("/oracle/streak-layer-training", test_streak_layer_training);

  return g_test_run ();
}
