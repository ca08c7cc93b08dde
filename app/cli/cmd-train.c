/* cmd-train.c: `soundstyle train`, options, checks and the training loop
 *
 * SPDX-License-Identifier: MIT
 *
 * The loop runs the engine in chunks that end on checkpoint boundaries, so
 * this file decides when checkpoints are written and can say so (to people
 * and in --json) only once they are on disk. Progress reporting lives in
 * train-report.c.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "soundstyle-cli.h"
#include "adis-distributed.h"
#include "train-report.h"

typedef struct
{
  char     *dataset;
  char     *output;
  char     *preset;
  char     *epochs;
  char     *resume;
  char     *checkpoint;
  char     *seed;
  char     *device;
  char     *objective;
  char     *fusion;
  char     *audio_init;
  char     *init_model;
  char     *samples;
  char     *split;
  int       size;
  int       batch;
  int       checkpoint_every;
  int       sample_every;
  int       log_every;
  gint64    max_steps;
  double    lr;
  double    gain_augment;
  double    oracle;
  gboolean  no_identity;
  gboolean  no_augment;
  gboolean  keyword;
  gboolean  audio_film;
  gboolean  audio_level;
  gboolean  rain_streaks;
  char     *head;
  int       grid_cell;
  int       grid_bins;
  int       overlay_cell;
  gboolean  json;
  double    collective_timeout;
  gboolean  sync_batchnorm;
  gboolean  no_overlap;
} TrainArgs;

static void
train_args_clear (TrainArgs *args)
{
  g_clear_pointer (&args->dataset, g_free);
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->preset, g_free);
  g_clear_pointer (&args->head, g_free);
  g_clear_pointer (&args->epochs, g_free);
  g_clear_pointer (&args->resume, g_free);
  g_clear_pointer (&args->checkpoint, g_free);
  g_clear_pointer (&args->seed, g_free);
  g_clear_pointer (&args->device, g_free);
  g_clear_pointer (&args->objective, g_free);
  g_clear_pointer (&args->fusion, g_free);
  g_clear_pointer (&args->audio_init, g_free);
  g_clear_pointer (&args->init_model, g_free);
  g_clear_pointer (&args->samples, g_free);
  g_clear_pointer (&args->split, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TrainArgs, train_args_clear)

#define usage_error(error, ...) soundstyle_cli_usage_error (error, "train", __VA_ARGS__)

/* "30+20": constant epochs, then epochs of linear decay; "30" has no decay */
static gboolean
parse_epochs (const char  *text,
              int         *out_constant,
              int         *out_decay,
              GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, "+", -1);
  guint64 values[2] = { 0, 0 };
  guint n = g_strv_length (parts);

  if (n < 1 || n > 2)
    return usage_error (error, "--epochs “%s” is not A+B", text);

  for (guint i = 0; i < n; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 100000, &values[i], NULL))
      return usage_error (error, "--epochs “%s” is not A+B (two whole numbers)", text);

  if (values[0] + values[1] == 0)
    return usage_error (error, "--epochs “%s” trains for no epoch at all", text);

  *out_constant = (int) values[0];
  *out_decay = (int) values[1];
  return TRUE;
}

static gboolean
check_folder_of (const char  *option,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    return usage_error (error, "the folder “%s” of %s “%s” does not exist", folder, option, path);
  return TRUE;
}

/* --head and the grid's shape; the shape options need --head grid */
static gboolean
apply_head_args (const TrainArgs  *args,
                 AdisConfig       *config,
                 GError          **error)
{
  gboolean shape_given = args->grid_cell > 0 || args->grid_bins > 0 || args->overlay_cell > 0;

  /* Also with --init-model alone: the trainer checks that the model it
   * fine-tunes has the grid head */
  config->grid.rain_streaks = args->rain_streaks;

  if (args->head == NULL || g_strcmp0 (args->head, "pixels") == 0)
    {
      if (shape_given)
        return usage_error (error, "--grid-cell, --grid-bins and --overlay-cell need --head grid");
      return TRUE;
    }
  if (g_strcmp0 (args->head, "grid") != 0)
    return usage_error (error, "--head is “%s”: use pixels or grid", args->head);

  adis_config_use_grid_head (config);
  if (args->grid_cell > 0)
    config->grid.grid_cell = args->grid_cell;
  if (args->grid_bins > 0)
    config->grid.bins = args->grid_bins;
  if (args->overlay_cell > 0)
    config->grid.overlay_cell = args->overlay_cell;
  return adis_config_validate (config, error);
}

/* What the checkpoint fixes cannot be changed on resuming: say so rather
 * than ignore it */
static gboolean
check_resume_args (const TrainArgs  *args,
                   GError          **error)
{
  const struct { const char *option; gboolean given; } fixed[] = {
    { "--preset", args->preset != NULL },
    { "--size", args->size >= 0 },
    { "--batch", args->batch >= 0 },
    { "--epochs", args->epochs != NULL },
    { "--lr", !isnan (args->lr) },
    { "--objective", args->objective != NULL },
    { "--fusion", args->fusion != NULL },
    { "--no-identity", args->no_identity },
    { "--keyword", args->keyword },
    { "--audio-film", args->audio_film },
    { "--audio-level", args->audio_level },
    { "--rain-streaks", args->rain_streaks },
    { "--head", args->head != NULL },
    { "--grid-cell", args->grid_cell > 0 },
    { "--grid-bins", args->grid_bins > 0 },
    { "--overlay-cell", args->overlay_cell > 0 },
    { "--audio-init", args->audio_init != NULL },
    { "--init-model", args->init_model != NULL },
    { "--gain-augment", !isnan (args->gain_augment) },
    { "--no-augment", args->no_augment },
    { "--oracle", !isnan (args->oracle) },
    { "--seed", args->seed != NULL },
  };

  if (!g_file_test (args->resume, G_FILE_TEST_IS_REGULAR))
    return usage_error (error, "checkpoint “%s” does not exist or is not a file", args->resume);

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    if (fixed[i].given)
      return usage_error (error, "%s cannot be combined with --resume: the checkpoint fixes it",
                          fixed[i].option);

  return TRUE;
}

static gboolean
check_args (TrainArgs  *args,
            AdisDevice *out_device,
            GError    **error)
{
  if (args->output == NULL)
    return usage_error (error, "no --output given");
  if (!check_folder_of ("--output", args->output, error))
    return FALSE;

  if (args->checkpoint == NULL)
    args->checkpoint = g_strconcat (args->output, ".ckpt", NULL);
  if (!check_folder_of ("--checkpoint", args->checkpoint, error))
    return FALSE;
  if (g_str_equal (args->checkpoint, args->output))
    return usage_error (error, "--checkpoint and --output must be different files");

  if (!adis_device_parse (args->device ? args->device : "auto", out_device, error))
    return FALSE;

  if (args->size >= 0 && (args->size < 16 || args->size % 4 != 0 || args->size > 4096))
    return usage_error (error, "--size %d must be a multiple of 4 from 16 to 4096", args->size);
  if (args->batch >= 0 && (args->batch < 1 || args->batch > 4096))
    return usage_error (error, "--batch %d must be at least 1", args->batch);
  if (!isnan (args->lr) && !(args->lr > 0.0 && args->lr < 1.0))
    return usage_error (error, "--lr %g must be between 0 and 1", args->lr);
  if (!isnan (args->oracle) && !(args->oracle >= 0.0 && args->oracle <= 1000.0))
    return usage_error (error, "--oracle %g must be from 0 (off) to 1000", args->oracle);
  if (!isnan (args->gain_augment) && !(args->gain_augment >= 0.0 && args->gain_augment <= ADIS_MAX_GAIN))
    return usage_error (error, "--gain-augment %g must be from 0 to %g",
                        args->gain_augment, (double) ADIS_MAX_GAIN);
  if (args->max_steps != -1 && args->max_steps < 1)
    return usage_error (error, "--max-steps %" G_GINT64_FORMAT " must be at least 1", args->max_steps);
  if (args->checkpoint_every < 0)
    return usage_error (error, "--checkpoint-every %d must be 0 (never) or more", args->checkpoint_every);
  if (args->log_every < 1)
    return usage_error (error, "--log-every %d must be at least 1", args->log_every);
  if (!isnan (args->collective_timeout) &&
      !(args->collective_timeout >= 1.0 && args->collective_timeout <= 86400.0))
    return usage_error (error, "--collective-timeout %g must be from 1 to 86400 seconds",
                        args->collective_timeout);

  if (args->samples == NULL && args->sample_every >= 0)
    return usage_error (error, "--sample-every needs --samples DIR");
  if (args->samples != NULL)
    {
      if (args->sample_every < 0)
        args->sample_every = 500;
      else if (args->sample_every < 1)
        return usage_error (error, "--sample-every %d must be at least 1", args->sample_every);
    }
  else
    args->sample_every = 0;

  if (args->resume != NULL)
    return check_resume_args (args, error);

  if (args->objective != NULL && !g_str_equal (args->objective, "nce") && !g_str_equal (args->objective, "cycle"))
    return usage_error (error, "--objective “%s” must be nce or cycle", args->objective);
  if (args->fusion != NULL && !g_str_equal (args->fusion, "early") && !g_str_equal (args->fusion, "late"))
    return usage_error (error, "--fusion “%s” must be early or late", args->fusion);
  if (args->audio_init != NULL && !g_file_test (args->audio_init, G_FILE_TEST_IS_REGULAR))
    return usage_error (error, "--audio-init “%s” does not exist or is not a file", args->audio_init);
  if (args->init_model != NULL && !g_file_test (args->init_model, G_FILE_TEST_IS_REGULAR))
    return usage_error (error, "--init-model “%s” does not exist or is not a file", args->init_model);
  if (args->seed != NULL && !g_ascii_string_to_unsigned (args->seed, 10, 0, G_MAXUINT64, NULL, NULL))
    return usage_error (error, "--seed “%s” is not a whole number", args->seed);

  return TRUE;
}

static AdisTrainer *
new_trainer (const TrainArgs  *args,
             AdisDataset      *dataset,
             AdisDevice        device,
             GError          **error)
{
  AdisConfig config = { 0 };
  AdisTrainOptions options = { 0 };
  AdisTrainer *trainer = NULL;

  if (!adis_config_init_preset (&config, args->preset ? args->preset : "paper", error))
    return NULL;

  /* The label baseline learns one embedding per category of labels.tsv */
  if (args->keyword)
    {
      const char *const *categories = adis_dataset_get_categories (dataset);

      if (categories == NULL || categories[0] == NULL)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "--keyword needs categories, but dataset “%s” has no labels.tsv",
                       args->dataset);
          adis_config_clear (&config);
          return NULL;
        }
      config.conditioning = ADIS_CONDITIONING_KEYWORD;
      config.keywords = g_strdupv ((char **) categories);
      config.n_keywords = (int) g_strv_length (config.keywords);
    }

  config.audio_film = args->audio_film;
  config.audio_level = args->audio_level;
  if (!apply_head_args (args, &config, error))
    {
      adis_config_clear (&config);
      return NULL;
    }
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);

  if (args->size >= 0)
    {
      /* The reference's 286/256: resize a little larger, crop back */
      options.crop_size = args->size;
      options.load_size = (args->size * 286 + 128) / 256;
    }
  if (args->batch >= 0)
    options.batch_size = args->batch;
  if (args->epochs != NULL &&
      !parse_epochs (args->epochs, &options.epochs_constant, &options.epochs_decay, error))
    goto out;
  if (!isnan (args->lr))
    options.lr = args->lr;
  if (args->objective != NULL)
    options.objective = g_str_equal (args->objective, "cycle") ? ADIS_OBJECTIVE_CYCLE : ADIS_OBJECTIVE_NCE;
  if (args->fusion != NULL)
    options.fusion = g_str_equal (args->fusion, "late") ? ADIS_FUSION_LATE : ADIS_FUSION_EARLY;
  if (args->no_identity)
    options.identity = FALSE;
  if (args->audio_init != NULL)
    {
      g_free (options.audio_init);
      options.audio_init = g_strdup (args->audio_init);
    }
  if (args->init_model != NULL)
    {
      g_free (options.init_model);
      options.init_model = g_strdup (args->init_model);
    }
  if (!isnan (args->gain_augment))
    options.gain_augment = (float) args->gain_augment;
  if (args->no_augment)
    options.media_augment = FALSE;
  if (!isnan (args->oracle))
    options.lambda_oracle = args->oracle;
  if (args->seed != NULL)
    options.seed = g_ascii_strtoull (args->seed, NULL, 10);
  options.device = device;

  trainer = adis_trainer_new (&options, dataset, error);

out:
  adis_train_options_clear (&options);
  return trainer;
}

/* Under torchrun (its RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): joins
 * the job, quiets every rank but 0, and after a restart by torchrun's
 * --max_restarts picks the run up from its checkpoint. Alone: nothing. */
static gboolean
join_job (TrainArgs    *args,
          TrainReport  *report,
          AdisDevice   *device,
          const char  **out_resume,
          GError      **error)
{
  AdisDistributedEnv env;
  AdisDistributedOptions options;
  gboolean joined;

  *out_resume = args->resume;
  if (!adis_distributed_env_read (&env, error))
    {
      if (error != NULL && *error != NULL)
        return FALSE;
      if (!isnan (args->collective_timeout) || args->sync_batchnorm || args->no_overlap)
        return usage_error (error, "%s is for a job that torchrun launches "
                            "(RANK and WORLD_SIZE are not set)",
                            !isnan (args->collective_timeout) ? "--collective-timeout"
                            : args->sync_batchnorm ? "--sync-batchnorm" : "--no-overlap");
      return TRUE;
    }

  adis_distributed_options_init (&options);
  if (!isnan (args->collective_timeout))
    options.timeout_seconds = args->collective_timeout;
  options.sync_batchnorm = args->sync_batchnorm;
  options.no_overlap = args->no_overlap;
  /* Gloo on the CPU unless CUDA is asked for by name: then NCCL, one GPU
   * per rank (LOCAL_RANK) */
  options.cuda = *device == ADIS_DEVICE_CUDA;
  if (!options.cuda)
    *device = ADIS_DEVICE_CPU;

  joined = adis_distributed_join (&env, &options, error);
  if (joined)
    {
      train_report_set_rank (report, env.rank, env.world_size);
      soundstyle_cli_interrupt_repeatable ();
      if (env.rank != 0)
        args->sample_every = 0;
      /* torchrun restarted the job after a failure: its checkpoint, if
       * one was written, is where the job stands */
      if (args->resume == NULL && env.restart_count > 0 &&
          g_file_test (args->checkpoint, G_FILE_TEST_IS_REGULAR))
        {
          *out_resume = args->checkpoint;
          if (env.rank == 0)
            g_printerr ("soundstyle: restart %d: resuming from %s\n", env.restart_count,
                        args->checkpoint);
        }
    }
  adis_distributed_env_clear (&env);
  return joined;
}

/* Quotes only what the shell would otherwise split or expand, so the hint
 * reads like what the user typed */
static char *
shell_word (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_./-+,:@%=", *p) == NULL)
      return g_shell_quote (text);
  return text[0] != '\0' ? g_strdup (text) : g_shell_quote (text);
}

static char *
resume_hint (const TrainArgs *args)
{
  g_autofree char *dataset = shell_word (args->dataset);
  g_autofree char *output = shell_word (args->output);
  g_autofree char *checkpoint = shell_word (args->checkpoint);

  return g_strdup_printf ("soundstyle train %s --output %s --resume %s",
                          dataset, output, checkpoint);
}

/* Data parallel: every rank holds the same weights, rank 0 writes them */
static gboolean
save_checkpoint (AdisTrainer  *trainer,
                 const char   *path,
                 GError      **error)
{
  if (adis_distributed_get_rank () != 0)
    return TRUE;
  return adis_trainer_save_checkpoint (trainer, path, error);
}

/* FALSE with a cancelled error when any rank was interrupted */
static gboolean
stop_requested (GCancellable  *cancellable,
                GError       **error)
{
  gboolean stop;

  if (!adis_distributed_any (g_cancellable_is_cancelled (cancellable), &stop, error))
    return FALSE;
  if (stop)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Training cancelled");
      return FALSE;
    }
  return TRUE;
}

/* Runs until the end, --max-steps or an error; checkpoints on the way */
static gboolean
run_training (AdisTrainer  *trainer,
              TrainArgs    *args,
              TrainReport  *report,
              GCancellable *cancellable,
              gint64       *out_saved_step,
              GError      **error)
{
  gint64 total = adis_trainer_get_total_steps (trainer);
  gint64 first = adis_trainer_get_step (trainer);

  while (adis_trainer_get_step (trainer) < total)
    {
      gint64 step = adis_trainer_get_step (trainer);
      gint64 chunk = total - step;

      if (args->max_steps > 0)
        {
          gint64 left = args->max_steps - (step - first);

          if (left <= 0)
            break;
          chunk = MIN (chunk, left);
        }
      if (args->checkpoint_every > 0)
        chunk = MIN (chunk, args->checkpoint_every - step % args->checkpoint_every);

      if (!adis_trainer_run (trainer, chunk,
                             train_report_progress_cb, train_report_sample_cb, report,
                             args->sample_every, NULL, 0, cancellable, error))
        return FALSE;

      /* Cancelling after the chunk's last step still stops here (on every
       * rank together, whichever was interrupted) */
      if (!stop_requested (cancellable, error))
        return FALSE;

      step = adis_trainer_get_step (trainer);
      /* Not in the middle of skipped (non-finite) steps: if they go on, the
       * run stops and the checkpoint from before them is the one to keep */
      if (args->checkpoint_every > 0 && step % args->checkpoint_every == 0 && step < total &&
          adis_trainer_get_skipped_in_a_row (trainer) == 0)
        {
          if (!save_checkpoint (trainer, args->checkpoint, error))
            return FALSE;
          train_report_checkpoint (report, step, args->checkpoint);
          *out_saved_step = step;
        }
    }

  return TRUE;
}

static int
train (TrainArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(TrainReport) report = NULL;
  GCancellable *cancellable;
  AdisDevice device;
  AdisSplit split = ADIS_SPLIT_TRAIN;
  const char *resume = NULL;
  gint64 saved_step = -1;
  gint64 step;
  gint64 total;

  report = train_report_new (args->json, args->log_every, args->samples);

  /* Watch for Ctrl-C from the start: loading a big dataset takes a while */
  cancellable = soundstyle_cli_interrupt_cancellable ();

  if (!check_args (args, &device, &error) ||
      (args->samples != NULL && !train_report_prepare_samples (report, &error)))
    return train_report_fail (report, error);

  if (args->split != NULL && !adis_split_parse (args->split, &split, &error))
    {
      g_prefix_error (&error, "--split: ");
      return train_report_fail (report, error);
    }
  if (!join_job (args, report, &device, &resume, &error))
    return train_report_fail (report, error);
  if ((dataset = adis_dataset_open_split (args->dataset, split, &error)) == NULL)
    return train_report_fail (report, error);

  if (resume != NULL)
    trainer = adis_trainer_resume (resume, dataset, device, &error);
  else
    trainer = new_trainer (args, dataset, device, &error);
  if (trainer == NULL ||
      !adis_distributed_check_same (adis_trainer_get_step (trainer),
                                    "the step to start from: every rank must read the same "
                                    "checkpoint (on a file system they all share)", &error))
    return train_report_fail (report, error);

  train_report_start (report, trainer, dataset, args->output, args->checkpoint,
                      resume != NULL, args->max_steps);

  if (!run_training (trainer, args, report, cancellable, &saved_step, &error))
    {
      g_autofree char *hint = NULL;

      if (soundstyle_cli_exit_status (error) != SOUNDSTYLE_EXIT_CANCELLED)
        return train_report_fail (report, error);

      /* Interrupted: keep what was learnt */
      g_clear_error (&error);
      step = adis_trainer_get_step (trainer);
      if (step != saved_step)
        {
          if (!save_checkpoint (trainer, args->checkpoint, &error))
            return train_report_fail (report, error);
          train_report_checkpoint (report, step, args->checkpoint);
        }
      hint = resume_hint (args);
      train_report_interrupted (report, step, adis_trainer_get_total_steps (trainer),
                                args->checkpoint, hint);
      return SOUNDSTYLE_EXIT_CANCELLED;
    }

  step = adis_trainer_get_step (trainer);
  total = adis_trainer_get_total_steps (trainer);

  /* Stopped by --max-steps: the checkpoint lets the run go on later */
  if (step < total && step != saved_step)
    {
      if (!save_checkpoint (trainer, args->checkpoint, &error))
        return train_report_fail (report, error);
      train_report_checkpoint (report, step, args->checkpoint);
    }

  if (adis_distributed_get_rank () == 0 &&
      !adis_trainer_export_model (trainer, args->output, FALSE, &error))
    return train_report_fail (report, error);

  if (step < total)
    {
      g_autofree char *hint = resume_hint (args);
      train_report_done (report, step, total, args->output, hint);
    }
  else
    train_report_done (report, step, total, args->output, NULL);

  return SOUNDSTYLE_EXIT_OK;
}

int
soundstyle_cmd_train (int    argc,
                      char **argv)
{
  g_auto(TrainArgs) args = {
    .size = -1, .batch = -1, .checkpoint_every = 1000, .sample_every = -1,
    .log_every = 50, .max_steps = -1, .lr = NAN, .gain_augment = NAN, .oracle = NAN,
    .collective_timeout = NAN,
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "The model file to write at the end", "MODEL" },
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &args.preset, "Model shape: paper, desktop, compact or tiny (default: paper)", "NAME" },
    { "size", 's', 0, G_OPTION_ARG_INT, &args.size, "Training crop in pixels (default: 256)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &args.batch, "Images per step (default: 16)", "N" },
    { "epochs", 'e', 0, G_OPTION_ARG_STRING, &args.epochs, "Constant+decaying learning-rate epochs (default: 30+20)", "A+B" },
    { "resume", 'r', 0, G_OPTION_ARG_FILENAME, &args.resume, "Go on from a checkpoint", "CKPT" },
    { "checkpoint", 'c', 0, G_OPTION_ARG_FILENAME, &args.checkpoint, "Checkpoint file to write (default: MODEL.ckpt)", "FILE" },
    { "checkpoint-every", 0, 0, G_OPTION_ARG_INT, &args.checkpoint_every, "Steps between checkpoints, 0: only at the end (default: 1000)", "N" },
    { "max-steps", 0, 0, G_OPTION_ARG_INT64, &args.max_steps, "Stop after this many steps and export the model", "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &args.seed, "Random seed; the same seed repeats the run", "S" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &args.lr, "Learning rate (default: 0.0002)", "LR" },
    { "objective", 0, 0, G_OPTION_ARG_STRING, &args.objective, "nce (the paper) or cycle (ablation)", "NAME" },
    { "fusion", 0, 0, G_OPTION_ARG_STRING, &args.fusion, "early (the paper) or late (ablation)", "NAME" },
    { "no-identity", 0, 0, G_OPTION_ARG_NONE, &args.no_identity, "Leave out the identity NCE term", NULL },
    { "keyword", 0, 0, G_OPTION_ARG_NONE, &args.keyword, "Condition on labels.tsv categories instead of sounds (baseline)", NULL },
    { "head", 0, 0, G_OPTION_ARG_STRING, &args.head, "Beyond the paper: what paints the picture: pixels (the paper's decoder, default) or grid (a bilateral grid of colour transforms and an overlay, applied to the photo's own pixels at any size; kept when fine-tuning a model that has it)", "KIND" },
    { "grid-cell", 0, 0, G_OPTION_ARG_INT, &args.grid_cell, "With --head grid: working-size pixels per grid cell, 8, 16 or 32 (default 16)", "PX" },
    { "grid-bins", 0, 0, G_OPTION_ARG_INT, &args.grid_bins, "With --head grid: luminance bins of the grid, 2 to 32 (default 8)", "N" },
    { "overlay-cell", 0, 0, G_OPTION_ARG_INT, &args.overlay_cell, "With --head grid: working-size pixels per overlay pixel, 2 or 4 (default 2)", "PX" },
    { "audio-film", 0, 0, G_OPTION_ARG_NONE, &args.audio_film, "Beyond the paper: the sound also scales and shifts the decoder's normalised features (FiLM), so loudness reaches the picture directly (kept when fine-tuning a model that has it)", NULL },
    { "audio-level", 0, 0, G_OPTION_ARG_NONE, &args.audio_level, "Beyond the paper: the audio encoder hears every clip at one level and is told the level apart, so a quiet sound is still recognised and drawn lightly (kept when fine-tuning a model that has it)", NULL },
    { "rain-streaks", 0, 0, G_OPTION_ARG_NONE, &args.rain_streaks, "Beyond the paper, with the grid head and --oracle: the sound also sets how strong the rain streaks are, and Soundstyle draws them at the picture's own size (the renderer's targets leave them out); kept when fine-tuning a model that has it", NULL },
    { "audio-init", 0, 0, G_OPTION_ARG_FILENAME, &args.audio_init, "Start the audio encoder from this model or checkpoint", "FILE" },
    { "init-model", 0, 0, G_OPTION_ARG_FILENAME, &args.init_model, "Fine-tune from this model file", "FILE" },
    { "gain-augment", 0, 0, G_OPTION_ARG_DOUBLE, &args.gain_augment, "Random clip gain in [1/(1+G), 1+G] (default: 0, off)", "G" },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &args.no_augment, "Train without the sound and photo augmentations (equalisation, microphone band, reverberation, background, time shift, speed, level spread; colour jitter, random crops of part of the image): the reference's crops and flips stay", NULL },
    { "oracle", 0, 0, G_OPTION_ARG_DOUBLE, &args.oracle, "On a soundstyle synth set: also pull G(x) towards the known render, by weight W (default: 0, off, as the paper)", "W" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &args.split, "Clips of a prepared dataset to train on: train, test or all (default: train)", "NAME" },
    { "samples", 0, 0, G_OPTION_ARG_FILENAME, &args.samples, "Write sample images to this folder", "DIR" },
    { "sample-every", 0, 0, G_OPTION_ARG_INT, &args.sample_every, "Steps between samples (default: 500)", "N" },
    { "log-every", 0, 0, G_OPTION_ARG_INT, &args.log_every, "Steps between progress lines when not on a terminal (default: 50)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args.json, "One JSON object per line on stdout: start, progress, sample, checkpoint, done, error", NULL },
    { "collective-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &args.collective_timeout, "Under torchrun: a rank that waits this long for the others ends the job with an error (default: 600)", "SECONDS" },
    { "sync-batchnorm", 0, 0, G_OPTION_ARG_NONE, &args.sync_batchnorm, "Under torchrun: the audio encoder's BatchNorm normalises with the statistics of the whole global batch, as one process would (default: each rank's own part of the batch, as DDP)", NULL },
    { "no-overlap", 0, 0, G_OPTION_ARG_NONE, &args.no_overlap, "Under torchrun: average the gradients after the backward pass instead of during it (the same numbers; for measuring the all-reduce)", NULL },
    { NULL }
  };

  context = g_option_context_new ("DATASET");
  g_option_context_set_summary (context,
    "Train a model on DATASET: a prepared dataset (manifest.tsv, as soundstyle\n"
    "prepare writes), or a folder with images/ and clips/ whose files pair up by\n"
    "name (images/a.jpg with clips/a.wav), and an optional labels.tsv.");
  description = g_strdup_printf (
    "Ctrl-C stops between steps, writes a checkpoint and tells how to resume.\n"
    "With --resume, the checkpoint fixes the model, the schedule and the seed.\n"
    "\n"
    "Data parallel: under PyTorch's torchrun, one process per rank; --batch is the\n"
    "global batch, shared equally by the ranks; only rank 0 writes. After a restart\n"
    "(torchrun --max_restarts K) the job resumes from its checkpoint by itself.\n"
    "The gradients' all-reduce overlaps the backward pass (in buckets, as DDP).\n"
    "BatchNorm (the audio encoder's) uses each rank's own part of the batch, as DDP,\n"
    "unless --sync-batchnorm. This build's c10d backends: %s.\n"
    "\n"
    "Examples:\n"
    "  soundstyle train ~/data/into-the-wild --output wild.safetensors\n"
    "  soundstyle prepare hikes/*.mp4 --output hikes && soundstyle train hikes -o hikes.safetensors\n"
    "  soundstyle train data --preset desktop --size 128 --batch 8 --epochs 10+10 -o small.safetensors\n"
    "  soundstyle train data --output wild.safetensors --resume wild.safetensors.ckpt\n"
    "  soundstyle train data --preset tiny --max-steps 100 --json -o test.safetensors\n"
    "  torchrun --nproc_per_node 2 -r 2 -t 2 --no_python soundstyle train data -o wild.safetensors\n",
    adis_distributed_backends ()[0] != '\0'
    ? adis_distributed_backends ()
    : "none (built without libgloo-dev's headers): one process only");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc != 2)
    {
      g_set_error_literal (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           argc < 2 ? "no dataset given; see soundstyle train --help"
                                    : "train takes one dataset; see soundstyle train --help");
      return soundstyle_cli_report_error (error);
    }
  args.dataset = g_strdup (argv[1]);

  status = train (&args);
  adis_distributed_leave ();
  return status;
}
