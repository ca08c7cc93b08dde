// trainer.cpp: the training loop around adis::train_step: schedule, batches,
// progress, samples, model export
//
// SPDX-License-Identifier: MIT

#include "trainer-private.h"

#include "distributed.h"

extern "C" {
#include "adis-loader-shard.h"
#include "adis-testing-distributed.h"
}

#include <limits>

#include <cmath>

extern "C" void
adis_train_options_init (AdisTrainOptions *options,
                         const AdisConfig *model)
{
  g_return_if_fail (options != NULL && model != NULL);

  /* The reference's published configuration */
  *options = AdisTrainOptions {};
  adis_config_copy (&options->model, model);
  options->crop_size = 256;
  options->load_size = 286;
  options->batch_size = 16;
  options->epochs_constant = 30;
  options->epochs_decay = 20;
  options->lr = 2e-4;
  options->beta1 = 0.5;
  options->beta2 = 0.999;
  options->lambda_gan = 1.0;
  options->lambda_nce = 0.5;
  options->lambda_cycle = 10.0;
  options->lambda_oracle = 0.0;
  options->nce_temperature = 0.07;
  options->nce_patches = 256;
  options->identity = TRUE;
  options->objective = ADIS_OBJECTIVE_NCE;
  options->fusion = ADIS_FUSION_EARLY;
  options->audio_init = NULL;
  options->init_model = NULL;
  options->gain_augment = 0.0f;
  options->media_augment = TRUE;
  options->seed = 0;
  options->device = ADIS_DEVICE_AUTO;
  options->n_workers = 0;
}

extern "C" void
adis_train_options_clear (AdisTrainOptions *options)
{
  g_return_if_fail (options != NULL);

  adis_config_clear (&options->model);
  g_clear_pointer (&options->audio_init, g_free);
  g_clear_pointer (&options->init_model, g_free);
}

namespace adis {

void
train_options_copy (AdisTrainOptions       *dest,
                    const AdisTrainOptions *src)
{
  *dest = *src;
  adis_config_copy (&dest->model, &src->model);
  dest->audio_init = g_strdup (src->audio_init);
  dest->init_model = g_strdup (src->init_model);
}

static bool
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static bool
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, message);
  return false;
}

static bool
validate_options (AdisTrainOptions *options,
                  AdisDataset      *dataset,
                  GError          **error)
{
  if (options->crop_size < 16 || options->crop_size % 4 != 0)
    return invalid (error, "Training crop size %d: it must be a multiple of 4, at least 16",
                    options->crop_size);
  if (options->load_size < options->crop_size)
    return invalid (error, "Training load size %d is smaller than the crop size %d",
                    options->load_size, options->crop_size);
  if (options->batch_size < 1)
    return invalid (error, "Batch size %d: it must be at least 1", options->batch_size);
  /* Equal shards keep the average of the ranks' gradients the gradient of
   * the global batch */
  if (options->batch_size % adis_distributed_get_world_size () != 0)
    return invalid (error, "Batch size %d cannot be shared equally by %d ranks: "
                    "the global batch must be a multiple of the world size",
                    options->batch_size, adis_distributed_get_world_size ());
  if (options->epochs_constant < 0 || options->epochs_decay < 0 ||
      options->epochs_constant + options->epochs_decay < 1)
    return invalid (error, "Epochs %d + %d: at least one epoch is needed",
                    options->epochs_constant, options->epochs_decay);
  if (!(options->lr > 0) || !(options->beta1 >= 0 && options->beta1 < 1) ||
      !(options->beta2 >= 0 && options->beta2 < 1))
    return invalid (error, "Learning rate %g, betas %g/%g: need lr > 0 and betas in [0, 1)",
                    options->lr, options->beta1, options->beta2);
  if (!(options->nce_temperature > 0) || options->nce_patches < 1)
    return invalid (error, "PatchNCE needs a positive temperature and at least one patch");
  if (options->gain_augment < 0)
    return invalid (error, "Gain augmentation %g: it must be 0 or more", options->gain_augment);
  if (!(options->lambda_oracle >= 0 && options->lambda_oracle <= 1000))
    return invalid (error, "Oracle weight %g: use 0 (off) to 1000", options->lambda_oracle);
  if (options->lambda_oracle > 0 && options->objective != ADIS_OBJECTIVE_NCE)
    return invalid (error, "The oracle term is for the NCE objective only");
  if (options->model.grid.rain_streaks && options->model.head != ADIS_HEAD_GRID)
    return invalid (error, "The streak layer is part of the grid head (add --head grid)");
  if (options->model.audio_level && options->model.conditioning == ADIS_CONDITIONING_KEYWORD)
    return invalid (error, "The level split is part of the audio encoder: a keyword model has none");

  if (options->model.conditioning == ADIS_CONDITIONING_KEYWORD)
    {
      const char *const *categories = adis_dataset_get_categories (dataset);

      if (categories == NULL || categories[0] == NULL)
        return invalid (error, "Keyword mode needs a labelled dataset (labels.tsv); %s has none",
                        adis_dataset_get_path (dataset));
      /* The model's keywords are the dataset's categories, in order; a
       * config that already names others belongs to another dataset */
      if (options->model.keywords != NULL &&
          !g_strv_equal ((const char *const *) options->model.keywords, categories))
        return invalid (error, "The model's keywords differ from the dataset's categories");
      g_strfreev (options->model.keywords);
      options->model.keywords = g_strdupv ((char **) categories);
      options->model.n_keywords = (int) g_strv_length (options->model.keywords);
    }

  return adis_config_validate (&options->model, error);
}

/* A model that already has the audio FiLM or the grid head keeps them when
 * fine-tuned, so that a run started without --audio-film or --head (the
 * window's) can load it. A pixel decoder cannot become a grid head: the
 * head's weights would all be new, and its decoder's would be thrown away. */
static bool
inherit_beyond_paper (AdisTrainOptions *options,
                      GError          **error)
{
  AdisConfig config = {};
  g_autoptr(AdisTensorFile) file = NULL;

  if (options->init_model == NULL)
    return true;
  if ((file = open_model_file (options->init_model, &config, NULL, error)) == NULL)
    {
      g_prefix_error (error, "Initial model %s: ", options->init_model);
      return false;
    }
  if (options->model.head == ADIS_HEAD_GRID && config.head != ADIS_HEAD_GRID)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Initial model %s has the pixel decoder; a grid head is trained from the start "
                   "(leave out --init-model or --head grid)", options->init_model);
      adis_config_clear (&config);
      return false;
    }
  if (config.head == ADIS_HEAD_GRID)
    {
      gboolean streaks = options->model.grid.rain_streaks;

      options->model.head = config.head;
      options->model.grid = config.grid;
      /* Asked for, or kept from the model */
      options->model.grid.rain_streaks = streaks || config.grid.rain_streaks;
    }
  options->model.audio_film = options->model.audio_film || config.audio_film;
  options->model.audio_level = options->model.audio_level || config.audio_level;
  adis_config_clear (&config);
  return true;
}

/* The audio encoder of a model file or checkpoint, when this run's may have
 * the level split that the file's lacks: then the ResNet's modules one by
 * one, and the level network keeps its start */
static bool
load_audio_encoder (adis::AudioEncoderImpl &A,
                    AdisTensorFile         *file,
                    GError                **error)
{
  if (!A.level || adis_tensor_file_lookup (file, "A.level.0.weight") != NULL)
    return load_module (A, file, "A.", error);
  for (const auto &child : A.named_children ())
    if (child.key () != "level" && !load_module (*child.value (), file, "A." + child.key () + ".", error))
      return false;
  return true;
}

static bool
load_init_weights (AdisTrainer *trainer,
                   GError     **error)
{
  const AdisTrainOptions *options = &trainer->options;
  Networks &nets = trainer->nets;

  if (options->init_model != NULL)
    {
      AdisConfig config = {};
      g_autoptr(AdisTensorFile) file = open_model_file (options->init_model, &config, NULL, error);
      bool ok;

      if (file == NULL)
        return false;
      /* Fine-tuning a model of another shape is a mismatch of presets, and
       * saying so helps more than the first tensor whose shape differs */
      if (config.ngf != options->model.ngf || config.n_blocks != options->model.n_blocks ||
          config.audio_width != options->model.audio_width ||
          config.embed_dim != options->model.embed_dim || config.conditioning != options->model.conditioning)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "Initial model %s is a “%s” model (ngf %d, %d blocks, audio width %d, embedding %d, %s) "
                       "but this run trains “%s” (ngf %d, %d blocks, audio width %d, embedding %d, %s); "
                       "choose the preset the model was trained with",
                       options->init_model, config.preset, config.ngf, config.n_blocks, config.audio_width,
                       config.embed_dim, config.conditioning == ADIS_CONDITIONING_KEYWORD ? "keywords" : "audio",
                       options->model.preset, options->model.ngf, options->model.n_blocks,
                       options->model.audio_width, options->model.embed_dim,
                       options->model.conditioning == ADIS_CONDITIONING_KEYWORD ? "keywords" : "audio");
          adis_config_clear (&config);
          return false;
        }
      /* Adding the audio FiLM, the streak layer or the level split to a
       * model without them: everything else loads as it is, and they start
       * at (near) zero, so the first step starts from the model given (the
       * level split's ResNet then hears every clip at -20 dBFS, and the
       * level network has that to learn) */
      if ((options->model.audio_film && !config.audio_film) ||
          (options->model.grid.rain_streaks && !config.grid.rain_streaks) ||
          (options->model.audio_level && !config.audio_level))
        ok = load_module (*nets->G->model, file, "G.model.", error) &&
             (!nets->G->head || load_module (*nets->G->head, file, "G.head.", error)) &&
             (!config.audio_film || load_module (*nets->G->audio_film, file, "G.audio_film.", error)) &&
             (!config.grid.rain_streaks || load_module (*nets->G->rain_streaks, file, "G.rain_streaks.", error)) &&
             (nets->A ? load_audio_encoder (*nets->A, file, error)
                      : load_module (*nets->K, file, "K.", error));
      else
        ok = load_model_tensors (file, *nets->G, nets->A ? nets->A.get () : nullptr,
                                 nets->K ? nets->K.get () : nullptr, error);
      adis_config_clear (&config);
      if (!ok)
        {
          g_prefix_error (error, "Initial model %s: ", options->init_model);
          return false;
        }
    }

  if (options->audio_init != NULL)
    {
      g_autoptr(AdisTensorFile) file = NULL;

      if (!nets->A)
        return invalid (error, "An audio encoder to start from makes no sense in keyword mode");
      /* A model file or a checkpoint: both keep the encoder under "A." */
      file = adis_tensor_file_open (options->audio_init, error);
      if (file == NULL || !load_audio_encoder (*nets->A, file, error))
        {
          g_prefix_error (error, "Audio encoder %s: ", options->audio_init);
          return false;
        }
    }

  return true;
}

AdisTrainer *
trainer_create (const AdisTrainOptions *options,
                AdisDataset            *dataset,
                bool                    load_init,
                GError                **error)
{
  AdisTrainer *trainer = new AdisTrainer ();
  AdisLoaderOptions loader_options;
  guint n_items;

  train_options_copy (&trainer->options, options);
  trainer->dataset = adis_dataset_ref (dataset);

  if (!validate_options (&trainer->options, dataset, error) ||
      (load_init && !inherit_beyond_paper (&trainer->options, error)) ||
      !resolve_device (trainer->options.device, &trainer->device, error))
    {
      adis_trainer_free (trainer);
      return NULL;
    }
  trainer->device = adis::rank_device (trainer->device);
  trainer->device_name = device_name (trainer->device);

  n_items = adis_dataset_get_n_items (dataset);
  trainer->steps_per_epoch = MAX (1, ((gint64) n_items + options->batch_size - 1) / options->batch_size);
  trainer->total_steps = trainer->steps_per_epoch *
                         (options->epochs_constant + options->epochs_decay);

  bool ok = guard (error, [&] () {
    torch::manual_seed (trainer->options.seed);
    trainer->nets = Networks (trainer->options);
    trainer->nets->reset_parameters ();
    if (load_init && !load_init_weights (trainer, error))
      return false;
    trainer->nets->to (trainer->device);
    trainer->nets->train ();
    trainer->opt = make_optimizers (trainer->nets, trainer->options);
    return true;
  });
  if (!ok)
    {
      adis_trainer_free (trainer);
      return NULL;
    }

  adis_loader_options_init (&loader_options);
  loader_options.batch_size = options->batch_size;
  loader_options.load_size = options->load_size;
  loader_options.crop_size = options->crop_size;
  loader_options.augment = TRUE;
  loader_options.gain_augment = options->gain_augment;
  loader_options.media_augment = options->media_augment;
  loader_options.paired = options->lambda_oracle > 0;
  /* Only a paired run knows the streaks its targets leave out */
  loader_options.streak_layer = loader_options.paired && options->model.head == ADIS_HEAD_GRID &&
                                options->model.grid.rain_streaks;
  loader_options.seed = options->seed;
  loader_options.n_workers = options->n_workers;
  trainer->loader = adis_loader_new_shard (dataset, &loader_options, adis_distributed_get_rank (),
                                           adis_distributed_get_world_size (), error);
  if (trainer->loader == NULL)
    {
      adis_trainer_free (trainer);
      return NULL;
    }

  return trainer;
}

/* CUT's "linear" policy: constant, then down by one step per decay epoch */
static double
lr_for_epoch (const AdisTrainOptions *options,
              int                     epoch)
{
  double factor = 1.0 - MAX (0, epoch - options->epochs_constant + 1) /
                        (double) (options->epochs_decay + 1);

  return options->lr * factor;
}

static torch::Tensor
category_tensor (const int *categories,
                 int        n)
{
  torch::Tensor t = torch::empty ({n}, torch::kLong);

  for (int i = 0; i < n; i++)
    t[i] = (int64_t) MAX (categories[i], 0);
  return t;
}

}  // namespace adis

extern "C" AdisTrainer *
adis_trainer_new (const AdisTrainOptions *options,
                  AdisDataset            *dataset,
                  GError                **error)
{
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (dataset != NULL, NULL);

  return adis::trainer_create (options, dataset, true, error);
}

extern "C" void
adis_trainer_free (AdisTrainer *trainer)
{
  if (trainer == NULL)
    return;

  g_clear_pointer (&trainer->loader, adis_loader_free);
  g_clear_pointer (&trainer->dataset, adis_dataset_unref);
  adis_train_options_clear (&trainer->options);
  delete trainer;
}

extern "C" const AdisTrainOptions *
adis_trainer_get_options (AdisTrainer *trainer)
{
  g_return_val_if_fail (trainer != NULL, NULL);
  return &trainer->options;
}

extern "C" gint64
adis_trainer_get_step (AdisTrainer *trainer)
{
  g_return_val_if_fail (trainer != NULL, 0);
  return trainer->step;
}

extern "C" gint64
adis_trainer_get_total_steps (AdisTrainer *trainer)
{
  g_return_val_if_fail (trainer != NULL, 0);
  return trainer->total_steps;
}

extern "C" const char *
adis_trainer_get_device_name (AdisTrainer *trainer)
{
  g_return_val_if_fail (trainer != NULL, NULL);
  return trainer->device_name.c_str ();
}

extern "C" int
adis_trainer_get_skipped_in_a_row (AdisTrainer *trainer)
{
  g_return_val_if_fail (trainer != NULL, 0);
  return trainer->skipped_in_a_row;
}

extern "C" gboolean
adis_trainer_step (AdisTrainer       *trainer,
                   AdisTrainProgress *out_progress,
                   GError           **error)
{
  const AdisTrainOptions *options;
  g_autoptr(AdisBatch) batch = NULL;
  adis::StepResult result;
  gint64 start = g_get_monotonic_time ();
  int epoch;
  double lr;

  g_return_val_if_fail (trainer != NULL, FALSE);
  options = &trainer->options;

  if (trainer->step >= trainer->total_steps)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Training is complete: all %" G_GINT64_FORMAT " steps are done",
                   trainer->total_steps);
      return FALSE;
    }

  epoch = (int) (trainer->step / trainer->steps_per_epoch);
  lr = adis::lr_for_epoch (options, epoch);

  /* The decay epochs see whole images resized to the crop, as the
   * reference's loader does once the constant epochs are over */
  adis_loader_set_augment (trainer->loader, epoch < options->epochs_constant);
  batch = adis_loader_next (trainer->loader, error);
  if (batch == NULL)
    return FALSE;

  bool ok = adis::guard (error, [&] () {
    int n = batch->n, s = batch->size;
    adis::StepInputs in;
    auto on_device = [&] (float *data, std::vector<int64_t> shape) {
      return torch::from_blob (data, shape, torch::kFloat).to (trainer->device, trainer->dtype,
                                                              false, true);
    };

    in.x = on_device (batch->x, {n, 3, s, s});
    in.y = on_device (batch->y, {n, 3, s, s});
    in.wave_x = on_device (batch->wave_x, {n, ADIS_CLIP_SAMPLES});
    in.wave_y = on_device (batch->wave_y, {n, ADIS_CLIP_SAMPLES});
    in.category_x = adis::category_tensor (batch->category_x, n).to (trainer->device);
    in.category_y = adis::category_tensor (batch->category_y, n).to (trainer->device);
    in.streaks = on_device (batch->streaks, {n});
    if (trainer->step >= trainer->poison_first &&
        trainer->step < trainer->poison_first + trainer->poison_count)
      in.x = in.x * std::numeric_limits<float>::quiet_NaN ();

    /* As DDP: everyone starts from rank 0's weights (fresh or resumed:
     * the trainer's first step, before any rate is measured), and
     * BatchNorm's running statistics follow rank 0's */
    adis::sync_replicas (*trainer->nets, trainer->images_per_second > 0);

    trainer->opt.set_lr (lr);
    result = adis::train_step (trainer->nets, trainer->opt, in);
    adis::finish_step (result);
    return true;
  });
  if (!ok)
    return FALSE;

  trainer->step++;

  /* One bad batch is skipped; several in a row mean the run has diverged
   * (learning rate too high, broken data) and going on would only waste
   * time: stop, leaving the last checkpoint as it is */
  trainer->skipped_in_a_row = result.skipped ? trainer->skipped_in_a_row + 1 : 0;
  if (trainer->skipped_in_a_row >= ADIS_TRAIN_MAX_SKIPPED)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED,
                   "Training diverged: the loss was not finite (NaN or infinite) at %d steps in a row, "
                   "%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT "; stopped without saving them "
                   "(resume from the last checkpoint, perhaps with a lower --lr)",
                   trainer->skipped_in_a_row, trainer->step - trainer->skipped_in_a_row + 1,
                   trainer->step);
      return FALSE;
    }

  {
    double seconds = MAX (1e-6, (g_get_monotonic_time () - start) / 1e6);
    double rate = batch->n * adis_distributed_get_world_size () / seconds;

    /* Smoothed so that the ETA does not jump with every batch */
    trainer->images_per_second = trainer->images_per_second > 0
                                 ? 0.9 * trainer->images_per_second + 0.1 * rate
                                 : rate;
  }

  if (out_progress != NULL)
    {
      AdisTrainProgress *p = out_progress;

      *p = AdisTrainProgress {};
      p->step = trainer->step;
      p->total_steps = trainer->total_steps;
      p->epoch = epoch;
      p->total_epochs = options->epochs_constant + options->epochs_decay;
      p->lr = lr;
      p->loss_d = result.loss_d;
      p->loss_g_gan = result.loss_g_gan;
      p->loss_nce = result.loss_nce;
      p->loss_nce_y = result.loss_nce_y;
      p->loss_oracle = result.loss_oracle;
      p->loss_streaks = result.loss_streaks;
      p->loss_g_total = result.loss_g_total;
      p->grad_norm_g = result.grad_norm_g;
      p->grad_norm_d = result.grad_norm_d;
      p->images_per_second = trainer->images_per_second;
      p->eta_seconds = (trainer->total_steps - trainer->step) * (double) options->batch_size /
                       trainer->images_per_second;
      p->skipped = result.skipped;
    }

  return TRUE;
}

/* A fixed source (the first item's image) restyled by a fixed clip (the
 * second item's), so successive samples show the generator changing */
static gboolean
make_sample (AdisTrainer  *trainer,
             AdisImage   **out_source,
             AdisImage   **out_styled,
             GError      **error)
{
  AdisDataset *dataset = trainer->dataset;
  guint clip_index = MIN (1u, adis_dataset_get_n_items (dataset) - 1);
  int size = trainer->options.crop_size;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisImage) source = NULL;
  g_autoptr(AdisSound) sound = NULL;
  AdisImage *styled = NULL;

  image = adis_dataset_load_image (dataset, 0, error);
  if (image == NULL)
    return FALSE;
  sound = adis_dataset_load_sound (dataset, clip_index, error);
  if (sound == NULL)
    return FALSE;
  source = adis_image_resize (image, size, size);

  bool ok = adis::guard (error, [&] () {
    adis::Networks &nets = trainer->nets;
    torch::NoGradGuard no_grad;
    int category = MAX (0, adis_dataset_get_item_category (dataset, clip_index));
    torch::Tensor x = torch::from_blob ((void *) adis_image_get_planes (source),
                                        {1, 3, size, size}, torch::kFloat).to (trainer->device);
    torch::Tensor wave = torch::from_blob ((void *) adis_sound_get_samples (sound),
                                           {1, ADIS_CLIP_SAMPLES}, torch::kFloat).to (trainer->device);
    torch::Tensor categories = torch::full ({1}, (int64_t) category,
                                            torch::TensorOptions ().dtype (torch::kLong).device (trainer->device));

    /* Eval so the audio encoder's BatchNorm uses its running statistics
     * and does not update them from this one clip */
    nets->eval ();
    torch::Tensor out = nets->G->forward (x, nets->embed (wave, categories));
    nets->train ();

    out = out.clamp (-1.0, 1.0).to (torch::kCPU).contiguous ();
    styled = adis_image_new_from_planes (out.data_ptr<float> (), size, size);
    return true;
  });
  if (!ok)
    return FALSE;

  *out_source = (AdisImage *) g_steal_pointer (&source);
  *out_styled = styled;
  return TRUE;
}

extern "C" gboolean
adis_trainer_run (AdisTrainer           *trainer,
                  gint64                 max_steps,
                  AdisTrainProgressFunc  progress,
                  AdisTrainSampleFunc    sample,
                  gpointer               user_data,
                  int                    sample_every,
                  const char            *checkpoint_path,
                  int                    checkpoint_every,
                  GCancellable          *cancellable,
                  GError               **error)
{
  gint64 done = 0;

  g_return_val_if_fail (trainer != NULL, FALSE);

  while (trainer->step < trainer->total_steps && (max_steps < 0 || done < max_steps))
    {
      AdisTrainProgress p;
      gboolean cancelled;

      /* Every rank stops at the same step, whichever was interrupted */
      if (!adis_distributed_any (cancellable != NULL && g_cancellable_is_cancelled (cancellable),
                                 &cancelled, error))
        return FALSE;
      if (cancelled)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED,
                       "Training cancelled after step %" G_GINT64_FORMAT, trainer->step);
          return FALSE;
        }

      if (!adis_trainer_step (trainer, &p, error))
        return FALSE;
      done++;

      if (progress != NULL)
        progress (&p, user_data);

      if (sample != NULL && sample_every > 0 && trainer->step % sample_every == 0)
        {
          AdisImage *source = NULL;
          AdisImage *styled = NULL;

          if (!make_sample (trainer, &source, &styled, error))
            return FALSE;
          sample (trainer->step, source, styled, user_data);
        }

      if (checkpoint_path != NULL && checkpoint_every > 0 && trainer->step % checkpoint_every == 0 &&
          trainer->skipped_in_a_row == 0 &&
          !adis_trainer_save_checkpoint (trainer, checkpoint_path, error))
        return FALSE;
    }

  return TRUE;
}

extern "C" gboolean
adis_trainer_export_model (AdisTrainer *trainer,
                           const char  *path,
                           gboolean     half_precision,
                           GError     **error)
{
  g_return_val_if_fail (trainer != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return adis::guard (error, [&] () {
    adis::Networks &nets = trainer->nets;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    JsonObject *training = json_object_new ();

    json_object_set_string_member (training, "dataset", adis_dataset_get_path (trainer->dataset));
    json_object_set_int_member (training, "dataset_items", adis_dataset_get_n_items (trainer->dataset));
    json_object_set_int_member (training, "steps", trainer->step);
    json_object_set_double_member (training, "epochs",
                                   trainer->step / (double) trainer->steps_per_epoch);
    json_object_set_int_member (training, "batch_size", trainer->options.batch_size);
    json_object_set_int_member (training, "crop_size", trainer->options.crop_size);
    json_object_set_string_member (training, "objective",
                                   trainer->options.objective == ADIS_OBJECTIVE_CYCLE ? "cycle" : "nce");
    json_object_set_string_member (training, "fusion",
                                   trainer->options.fusion == ADIS_FUSION_LATE ? "late" : "early");
    json_object_set_string_member (training, "device", trainer->device_name.c_str ());
    g_autofree char *date = g_date_time_format_iso8601 (now);

    json_object_set_string_member (training, "date", date);

    return adis::write_model_file (path, trainer->options.model, *nets->G,
                                   nets->A ? nets->A.get () : nullptr,
                                   nets->K ? nets->K.get () : nullptr,
                                   training, half_precision, error);
  });
}

extern "C" gboolean
adis_testing_use_double (AdisTrainer *trainer,
                         GError     **error)
{
  g_return_val_if_fail (trainer != NULL && trainer->step == 0, FALSE);

  return adis::guard (error, [&] () {
    /* In place: the optimisers keep the same parameters, and their state
     * is made at the first step */
    trainer->nets->to (torch::kDouble);
    trainer->dtype = torch::kDouble;
    return true;
  });
}

extern "C" gboolean
adis_testing_save_gradients (AdisTrainer *trainer,
                             const char  *path,
                             GError     **error)
{
  g_return_val_if_fail (trainer != NULL && path != NULL, FALSE);

  return adis::guard (error, [&] () {
    g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
    /* As float32, and for a double tensor the rest too, so that the sum of
     * the two gives it back to 48 bits */
    auto save = [&] (const std::string &name, const torch::Tensor &t) {
      auto value = t.detach ();

      adis::save_tensor (writer, name, value, ADIS_DTYPE_F32);
      if (value.scalar_type () == torch::kDouble)
        adis::save_tensor (writer, "lo." + name,
                           value - value.to (torch::kFloat).to (torch::kDouble), ADIS_DTYPE_F32);
    };

    for (const auto &p : trainer->nets->named_parameters (true))
      {
        save ("param." + p.key (), p.value ());
        if (p.value ().grad ().defined ())
          save ("grad." + p.key (), p.value ().grad ());
      }
    /* BatchNorm's running statistics (and the blur filters, constant) */
    for (const auto &b : trainer->nets->named_buffers (true))
      if (b.value ().is_floating_point ())
        save ("buffer." + b.key (), b.value ());
    return (bool) adis_tensor_writer_save (writer, path, error);
  });
}
