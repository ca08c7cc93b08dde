/* adis-trainer.h: training a model, resuming it, and watching it train
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-types.h"
#include "adis-config.h"
#include "adis-dataset.h"
#include "adis-image.h"

G_BEGIN_DECLS

typedef enum
{
  ADIS_OBJECTIVE_NCE,     /* the paper: PatchNCE keeps the structure */
  ADIS_OBJECTIVE_CYCLE,   /* ablation: CycleGAN-style second generator and cycle loss */
} AdisObjective;

typedef enum
{
  ADIS_FUSION_EARLY,      /* the paper: spectrogram channels stacked on the image */
  ADIS_FUSION_LATE,       /* ablation: separate image and audio branches joined late */
} AdisFusion;

typedef struct
{
  AdisConfig     model;
  int            crop_size;          /* 256 */
  int            load_size;          /* 286 */
  int            batch_size;         /* 16 */
  int            epochs_constant;    /* 30 */
  int            epochs_decay;       /* 20 */
  double         lr;                 /* 2e-4 */
  double         beta1;              /* 0.5 */
  double         beta2;              /* 0.999 */
  double         lambda_gan;         /* 1.0 */
  double         lambda_nce;         /* 0.5 (the paper's lambda = mu) */
  double         lambda_cycle;       /* 10.0, cycle objective only */
  double         lambda_oracle;      /* 0: off (the paper). > 0: on a set that knows each
                                      * frame's unstyled input (soundstyle synth), x is that
                                      * input and G(x, a_y) is also pulled towards the frame y
                                      * by this weight times their mean absolute difference */
  double         nce_temperature;    /* 0.07 */
  int            nce_patches;        /* 256 */
  gboolean       identity;           /* NCE(y, G(y, f(a_y))) term; TRUE */
  AdisObjective  objective;
  AdisFusion     fusion;
  char          *audio_init;         /* model or checkpoint whose audio encoder starts training, or NULL */
  char          *init_model;         /* model file to fine-tune from (G and audio encoder), or NULL */
  float          gain_augment;       /* 0: off (default; see adis-audio.h on loudness) */
  gboolean       media_augment;      /* TRUE (default): the loader's waveform, colour and crop
                                      * augmentations (adis-augment.h); FALSE: as the reference */
  guint64        seed;
  AdisDevice     device;
  int            n_workers;          /* loader threads, 0: auto */
} AdisTrainOptions;

/* Fills in the reference's values for a preset's model */
void      adis_train_options_init   (AdisTrainOptions       *options,
                                     const AdisConfig       *model);
void      adis_train_options_clear  (AdisTrainOptions       *options);

typedef struct
{
  gint64   step;               /* steps done, 1-based after the first */
  gint64   total_steps;
  int      epoch;              /* 0-based epoch of the step just done */
  int      total_epochs;
  double   lr;
  double   loss_d;             /* (D(real) + D(fake)) / 2, LSGAN */
  double   loss_g_gan;
  double   loss_nce;           /* NCE(x, G(x)) (cycle objective: the cycle loss) */
  double   loss_nce_y;         /* identity NCE(y, G(y)), 0 when off */
  double   loss_oracle;        /* mean |G(x) - y| of a paired run, 0 when off */
  double   loss_streaks;       /* mean |streak strength - target| with the streak layer, else 0 */
  double   loss_g_total;
  double   grad_norm_g;        /* global L2 norm of G's (and the audio encoder's) gradients */
  double   grad_norm_d;
  double   images_per_second;
  double   eta_seconds;
  /* A loss or gradient was not finite (NaN or infinite): the updates it
   * would have made were skipped. ADIS_TRAIN_MAX_SKIPPED such steps in a
   * row stop the run with ADIS_ERROR_FAILED (the weights stay as they were
   * before the first of them; no checkpoint is written for them). */
  gboolean skipped;
} AdisTrainProgress;

#define ADIS_TRAIN_MAX_SKIPPED 5

typedef struct _AdisTrainer AdisTrainer;

typedef void (*AdisTrainProgressFunc) (const AdisTrainProgress *progress,
                                       gpointer                 user_data);
/* A sample of the current generator: a fixed source image restyled by a
 * fixed clip; the callback owns both images and must unref them */
typedef void (*AdisTrainSampleFunc)   (gint64                   step,
                                       AdisImage               *source,
                                       AdisImage               *styled,
                                       gpointer                 user_data);

AdisTrainer *adis_trainer_new       (const AdisTrainOptions *options,
                                     AdisDataset            *dataset,
                                     GError                **error);
/* Everything comes back from the checkpoint: weights, optimiser states,
 * step, schedule, loader position and RNG states; so the next step's losses
 * equal those of an uninterrupted run. */
AdisTrainer *adis_trainer_resume    (const char             *checkpoint_path,
                                     AdisDataset            *dataset,
                                     AdisDevice              device,
                                     GError                **error);
void         adis_trainer_free      (AdisTrainer            *trainer);

const AdisTrainOptions *adis_trainer_get_options (AdisTrainer *trainer);
gint64       adis_trainer_get_step        (AdisTrainer *trainer);
gint64       adis_trainer_get_total_steps (AdisTrainer *trainer);
const char  *adis_trainer_get_device_name (AdisTrainer *trainer);
/* Steps just done whose loss was not finite (0 after a good step); while it
 * is above 0, periodic checkpoints are held back, so the last one on disk
 * stays the one from before the trouble */
int          adis_trainer_get_skipped_in_a_row (AdisTrainer *trainer);

/* One step on the loader's next batch */
gboolean     adis_trainer_step      (AdisTrainer            *trainer,
                                     AdisTrainProgress      *out_progress,
                                     GError                **error);

/* Runs until total_steps or max_steps more (-1: no limit), calling progress
 * after every step and sample every sample_every steps (0: never); writes a
 * checkpoint every checkpoint_every steps (0: never) to checkpoint_path.
 * Cancelling stops between steps with ADIS_ERROR_CANCELLED. */
gboolean     adis_trainer_run       (AdisTrainer            *trainer,
                                     gint64                  max_steps,
                                     AdisTrainProgressFunc   progress,
                                     AdisTrainSampleFunc     sample,
                                     gpointer                user_data,
                                     int                     sample_every,
                                     const char             *checkpoint_path,
                                     int                     checkpoint_every,
                                     GCancellable           *cancellable,
                                     GError                **error);

/* Atomic (temporary file, fsync, rename) */
gboolean     adis_trainer_save_checkpoint (AdisTrainer      *trainer,
                                     const char             *path,
                                     GError                **error);
/* The inference model file: G, the audio encoder (or keyword table), config
 * and training metadata; F16 halves the size */
gboolean     adis_trainer_export_model (AdisTrainer         *trainer,
                                     const char             *path,
                                     gboolean                half_precision,
                                     GError                **error);

/* Converts the reference's torch.save'd state dicts (generator, audio
 * encoder) into a Soundstyle model file for the given config. */
gboolean     adis_import_checkpoint (const char             *generator_pt,
                                     const char             *audio_pt,
                                     const AdisConfig       *config,
                                     const char             *output_path,
                                     gboolean                half_precision,
                                     GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisTrainer, adis_trainer_free)

G_END_DECLS
