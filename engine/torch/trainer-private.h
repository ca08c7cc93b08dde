// trainer-private.h: the trainer's state, shared by trainer.cpp and
// checkpoint.cpp
//
// SPDX-License-Identifier: MIT
#pragma once

#include "model-file.h"
#include "step.h"

extern "C" {
#include "adis-trainer.h"
}

#define ADIS_CHECKPOINT_METADATA_KEY   "soundstyle-checkpoint"
#define ADIS_CHECKPOINT_FORMAT         "soundstyle-checkpoint"
#define ADIS_CHECKPOINT_FORMAT_VERSION 1

struct _AdisTrainer
{
  AdisTrainOptions   options = {};   /* owned: config and strings copied */
  AdisDataset       *dataset = nullptr;
  AdisLoader        *loader = nullptr;
  torch::Device      device{torch::kCPU};
  std::string        device_name;
  adis::Networks     nets{nullptr};
  adis::Optimizers   opt;
  gint64             step = 0;             /* steps done = batches consumed */
  gint64             steps_per_epoch = 1;
  gint64             total_steps = 0;
  double             images_per_second = 0;
  int                skipped_in_a_row = 0;   /* steps whose loss was not finite */
  /* The networks' and the inputs' dtype: float, or double for
   * adis_testing_use_double */
  torch::ScalarType  dtype = torch::kFloat;
  /* Test hook (adis_testing_poison_steps): steps whose inputs become NaN */
  gint64             poison_first = -1;
  gint64             poison_count = 0;
};

namespace adis {

void train_options_copy (AdisTrainOptions *dest, const AdisTrainOptions *src);

// Builds everything for options; load_init skips init_model/audio_init
// when the weights are about to come from a checkpoint
AdisTrainer *trainer_create (const AdisTrainOptions *options, AdisDataset *dataset,
                             bool load_init, GError **error);

}  // namespace adis
