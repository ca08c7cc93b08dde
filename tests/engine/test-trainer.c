/* test-trainer.c: training steps, the schedule, checkpoints and resuming
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"

static char *tmpdir;
static AdisDataset *dataset;

static void
test_options_defaults (void)
{
  AdisConfig config;
  AdisTrainOptions options;

  g_assert_true (adis_config_init_preset (&config, "paper", NULL));
  adis_train_options_init (&options, &config);
  g_assert_cmpint (options.crop_size, ==, 256);
  g_assert_cmpint (options.load_size, ==, 286);
  g_assert_cmpint (options.batch_size, ==, 16);
  g_assert_cmpint (options.epochs_constant, ==, 30);
  g_assert_cmpint (options.epochs_decay, ==, 20);
  g_assert_cmpfloat (options.lr, ==, 2e-4);
  g_assert_cmpfloat (options.beta1, ==, 0.5);
  g_assert_cmpfloat (options.lambda_nce, ==, 0.5);
  g_assert_cmpfloat (options.nce_temperature, ==, 0.07);
  g_assert_cmpint (options.nce_patches, ==, 256);
  g_assert_true (options.identity);
  g_assert_cmpint (options.objective, ==, ADIS_OBJECTIVE_NCE);
  g_assert_cmpint (options.fusion, ==, ADIS_FUSION_EARLY);
  g_assert_cmpint (options.model.ngf, ==, 64);
  adis_train_options_clear (&options);
  adis_config_clear (&config);
}

static void
test_nce_falls (void)
{
  AdisTrainOptions options;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  double first = 0, last = 0;
  const int n_steps = 50;

  test_tiny_train_options (&options);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (adis_trainer_get_device_name (trainer), ==, "cpu");
  /* 8 items in batches of 2, 50 epochs */
  g_assert_cmpint (adis_trainer_get_total_steps (trainer), ==, 4 * 50);

  for (int i = 0; i < n_steps; i++)
    {
      AdisTrainProgress p;

      g_assert_true (adis_trainer_step (trainer, &p, &error));
      g_assert_no_error (error);
      g_assert_cmpint (p.step, ==, i + 1);
      g_assert_true (isfinite (p.loss_d) && isfinite (p.loss_g_total) && isfinite (p.loss_nce));
      g_assert_cmpfloat (p.loss_nce_y, >, 0);
      if (i < 5)
        first += p.loss_nce / 5;
      if (i >= n_steps - 5)
        last += p.loss_nce / 5;
    }

  g_test_message ("NCE loss: first 5 steps %.4f, last 5 %.4f", first, last);
  g_assert_cmpfloat (last, <, first);
  adis_train_options_clear (&options);
}

static void
test_schedule (void)
{
  AdisTrainOptions options;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  AdisTrainProgress p;

  test_tiny_train_options (&options);
  options.epochs_constant = 1;
  options.epochs_decay = 1;
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_trainer_get_total_steps (trainer), ==, 8);

  for (int i = 0; i < 8; i++)
    {
      g_assert_true (adis_trainer_step (trainer, &p, &error));
      /* Constant for the first epoch, then CUT's linear decay: x (1 - 1/2) */
      g_assert_cmpfloat_with_epsilon (p.lr, i < 4 ? 2e-4 : 1e-4, 1e-12);
      g_assert_cmpint (p.epoch, ==, i / 4);
      g_assert_cmpint (p.total_epochs, ==, 2);
      g_assert_cmpfloat (p.images_per_second, >, 0);
    }
  g_assert_cmpfloat (p.eta_seconds, ==, 0);

  g_assert_false (adis_trainer_step (trainer, &p, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  adis_train_options_clear (&options);
}

static gboolean
dir_has_only (const char *dir,
              const char *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;
  int n = 0;

  while ((entry = g_dir_read_name (d)) != NULL)
    {
      if (g_strcmp0 (entry, name) != 0)
        return FALSE;
      n++;
    }
  return n == 1;
}

static void
test_resume_exact (void)
{
  AdisTrainOptions options;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(AdisTrainer) resumed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmpdir, "resume", NULL);
  g_autofree char *path = g_build_filename (dir, "run.ckpt", NULL);
  AdisTrainProgress a, b;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  test_tiny_train_options (&options);
  options.seed = 7;
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);

  /* Three steps with a checkpoint after the third */
  g_assert_true (adis_trainer_run (trainer, 3, NULL, NULL, NULL, 0, path, 3, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (adis_trainer_get_step (trainer), ==, 3);
  g_assert_true (dir_has_only (dir, "run.ckpt"));

  g_assert_true (adis_trainer_step (trainer, &a, &error));
  g_assert_no_error (error);

  resumed = adis_trainer_resume (path, dataset, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_trainer_get_step (resumed), ==, 3);
  g_assert_cmpint (adis_trainer_get_options (resumed)->seed, ==, 7);
  g_assert_true (adis_trainer_step (resumed, &b, &error));
  g_assert_no_error (error);

  g_test_message ("step 4: loss_d %.9g vs %.9g, loss_nce %.9g vs %.9g",
                  a.loss_d, b.loss_d, a.loss_nce, b.loss_nce);
  g_assert_cmpint (b.step, ==, 4);
  g_assert_cmpfloat_with_epsilon (a.loss_d, b.loss_d, 1e-6);
  g_assert_cmpfloat_with_epsilon (a.loss_g_gan, b.loss_g_gan, 1e-6);
  g_assert_cmpfloat_with_epsilon (a.loss_nce, b.loss_nce, 1e-6);
  g_assert_cmpfloat_with_epsilon (a.loss_nce_y, b.loss_nce_y, 1e-6);
  g_assert_cmpfloat_with_epsilon (a.grad_norm_g, b.grad_norm_g, 1e-6 * MAX (1, a.grad_norm_g));

  /* A model file is not a checkpoint */
  {
    g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
    g_autoptr(AdisTrainer) wrong = NULL;

    g_assert_true (adis_trainer_export_model (trainer, model, FALSE, &error));
    g_assert_no_error (error);
    wrong = adis_trainer_resume (model, dataset, ADIS_DEVICE_CPU, &error);
    g_assert_null (wrong);
    g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
    g_assert_nonnull (strstr (error->message, "checkpoint"));
  }

  test_rm_rf (dir);
  adis_train_options_clear (&options);
}

static void
cancel_after_two (const AdisTrainProgress *progress,
                  gpointer                 user_data)
{
  if (progress->step == 2)
    g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
test_cancel (void)
{
  AdisTrainOptions options;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  test_tiny_train_options (&options);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);

  g_assert_false (adis_trainer_run (trainer, -1, cancel_after_two, NULL, cancellable, 0,
                                    NULL, 0, cancellable, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED);
  g_assert_cmpint (adis_trainer_get_step (trainer), ==, 2);
  adis_train_options_clear (&options);
}

typedef struct
{
  int    n_samples;
  gint64 last_step;
} SampleLog;

static void
on_sample (gint64     step,
           AdisImage *source,
           AdisImage *styled,
           gpointer   user_data)
{
  SampleLog *log = user_data;

  g_assert_cmpint (adis_image_get_width (source), ==, 32);
  g_assert_cmpint (adis_image_get_height (styled), ==, 32);
  log->n_samples++;
  log->last_step = step;
  adis_image_unref (source);
  adis_image_unref (styled);
}

static void
run_one_step (AdisTrainOptions *options)
{
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  SampleLog log = { 0 };

  trainer = adis_trainer_new (options, dataset, &error);
  g_assert_no_error (error);
  g_assert_true (adis_trainer_run (trainer, 2, NULL, on_sample, &log, 2, NULL, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (adis_trainer_get_step (trainer), ==, 2);
  g_assert_cmpint (log.n_samples, ==, 1);
  g_assert_cmpint (log.last_step, ==, 2);
}

static void
test_keyword (void)
{
  AdisTrainOptions options;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(AdisModel) model = NULL;
  g_autoptr(AdisSoundCode) code = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "keyword.safetensors", NULL);
  AdisTrainProgress p;

  test_tiny_train_options (&options);
  options.model.conditioning = ADIS_CONDITIONING_KEYWORD;
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  /* The dataset's categories become the model's keywords */
  g_assert_cmpint (adis_trainer_get_options (trainer)->model.n_keywords, ==, 2);
  g_assert_true (adis_trainer_step (trainer, &p, &error));
  g_assert_true (isfinite (p.loss_g_total));

  g_assert_true (adis_trainer_export_model (trainer, path, FALSE, &error));
  g_assert_no_error (error);
  model = adis_model_load (path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  code = adis_model_encode_keyword (model, "birds", &error);
  g_assert_no_error (error);
  g_assert_null (adis_model_encode_keyword (model, "thunder", &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  adis_train_options_clear (&options);
}

static void
test_keyword_needs_labels (void)
{
  AdisTrainOptions options;
  g_autoptr(AdisDataset) unlabelled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmpdir, "unlabelled", NULL);
  g_autofree char *path = NULL;
  g_autofree char *labels = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = test_make_tiny_dataset (dir, 2, 32);
  labels = g_build_filename (path, "labels.tsv", NULL);
  g_assert_cmpint (g_remove (labels), ==, 0);
  unlabelled = adis_dataset_open (path, &error);
  g_assert_no_error (error);

  test_tiny_train_options (&options);
  options.model.conditioning = ADIS_CONDITIONING_KEYWORD;
  g_assert_null (adis_trainer_new (&options, unlabelled, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "labelled"));
  adis_train_options_clear (&options);
}

static void
test_cycle (void)
{
  AdisTrainOptions options;

  test_tiny_train_options (&options);
  options.objective = ADIS_OBJECTIVE_CYCLE;
  run_one_step (&options);
  adis_train_options_clear (&options);
}

static void
test_late_fusion (void)
{
  AdisTrainOptions options;

  test_tiny_train_options (&options);
  options.fusion = ADIS_FUSION_LATE;
  run_one_step (&options);
  adis_train_options_clear (&options);
}

static void
test_bad_options (void)
{
  AdisTrainOptions options;
  g_autoptr(GError) error = NULL;

  test_tiny_train_options (&options);
  options.crop_size = 30;
  g_assert_null (adis_trainer_new (&options, dataset, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  options.crop_size = 32;
  options.init_model = g_build_filename (tmpdir, "no-such-model.safetensors", NULL);
  g_assert_null (adis_trainer_new (&options, dataset, &error));
  g_assert_nonnull (error);
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

  tmpdir = test_make_tmpdir ("test-trainer");
  path = test_make_tiny_dataset (tmpdir, 8, 40);
  dataset = adis_dataset_open (path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/soundstyle/trainer/options-defaults", test_options_defaults);
  g_test_add_func ("/soundstyle/trainer/nce-falls", test_nce_falls);
  g_test_add_func ("/soundstyle/trainer/schedule", test_schedule);
  g_test_add_func ("/soundstyle/trainer/resume-exact", test_resume_exact);
  g_test_add_func ("/soundstyle/trainer/cancel", test_cancel);
  g_test_add_func ("/soundstyle/trainer/keyword", test_keyword);
  g_test_add_func ("/soundstyle/trainer/keyword-needs-labels", test_keyword_needs_labels);
  g_test_add_func ("/soundstyle/trainer/cycle", test_cycle);
  g_test_add_func ("/soundstyle/trainer/late-fusion", test_late_fusion);
  g_test_add_func ("/soundstyle/trainer/bad-options", test_bad_options);

  status = g_test_run ();

  adis_dataset_unref (dataset);
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
