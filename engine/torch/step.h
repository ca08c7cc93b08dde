// step.h: the networks that train together, and one training step
//
// SPDX-License-Identifier: MIT
//
// The reference's step: forward (audio embedding, G(x), G(y)); D step on
// detached fakes; then G + audio encoder + MLP step with D frozen.
#pragma once

#include <torch/torch.h>
#include <memory>
#include <vector>

#include "nets.h"

extern "C" {
#include "adis-trainer.h"
}

namespace adis {

// Every module that a training run holds. Registered names are the
// prefixes used in model and checkpoint files:
//   "G" generator, "A" audio encoder (audio mode) or "K" keyword table,
//   "D" discriminator (early or late fusion), "F" the PatchSample MLPs,
//   "G_B" and "D_B" for the cycle objective only.
struct NetworksImpl : torch::nn::Module {
  explicit NetworksImpl (const AdisTrainOptions &options);
  // Audio mode: wave [B, 48000] -> [B, E]; keyword mode: categories int64 [B]
  torch::Tensor embed (const torch::Tensor &wave, const torch::Tensor &categories);
  // Runs whichever D this run has; spec is the spectrogram of the clip
  torch::Tensor discriminate (const torch::Tensor &image, const torch::Tensor &spec);
  // Xavier-normal gain 0.02 on G, D, F (and G_B, D_B); A keeps its default
  void reset_parameters ();

  AdisTrainOptions options;   // a shallow copy; strings are not owned
  Generator G{nullptr}, G_B{nullptr};
  AudioEncoder A{nullptr};
  KeywordEmbedding K{nullptr};
  Discriminator D{nullptr}, D_B{nullptr};
  LateFusionDiscriminator D_late{nullptr};   // registered as "D" when fusion is late
  PatchSampleMLP F{nullptr};
};
TORCH_MODULE (Networks);

// Adam (lr, beta1, beta2) for: g = G (+ G_B) + A or K; d = D (+ D_B); f = F
struct Optimizers {
  std::unique_ptr<torch::optim::Adam> g, d, f;
  void set_lr (double lr);
};
Optimizers make_optimizers (Networks &nets, const AdisTrainOptions &options);

struct StepInputs {
  torch::Tensor x;            // [B, 3, S, S] source images in [-1, 1]
  torch::Tensor y;            // [B, 3, S, S] target images
  torch::Tensor wave_x;       // [B, 48000] x's own clip (cycle objective)
  torch::Tensor wave_y;       // [B, 48000] y's clip
  torch::Tensor category_x;   // int64 [B] (keyword mode)
  torch::Tensor category_y;   // int64 [B]
  // [B] the strength of the rain streaks y leaves out (AdisBatch.streaks);
  // defined when G has the streak layer and lambda_oracle > 0
  torch::Tensor streaks;
  // Fixed patch positions per NCE layer (int64 [P]); empty: drawn from
  // torch's RNG as the reference does. Used by the parity tests.
  std::vector<torch::Tensor> patch_ids;
};

struct StepResult {
  double loss_d = 0, loss_g_gan = 0, loss_nce = 0, loss_nce_y = 0, loss_g_total = 0;
  double loss_oracle = 0;     // mean |G(x) - y| when lambda_oracle > 0
  double loss_streaks = 0;    // mean |strength - target| with the streak layer
  double grad_norm_g = 0, grad_norm_d = 0;
  // A loss or gradient was not finite: that network's update was skipped
  bool skipped = false;
  torch::Tensor fake;         // G(x), detached, for samples
};

// One full step; leaves the modules in train mode
StepResult train_step (Networks &nets, Optimizers &opt, const StepInputs &in);

// G's total for the NCE objective, exposed for the parity tests:
// lambda_gan * LSGAN(D(G(x)), real) + lambda_nce * (NCE(x) + NCE(y)) / ...
// and PatchNCE summed over layers / n_layers for one (source, generated) pair
torch::Tensor nce_total (Networks &nets, const torch::Tensor &source,
                         const torch::Tensor &generated,
                         const std::vector<torch::Tensor> &patch_ids,
                         std::vector<torch::Tensor> *out_ids);

// The same with the source's encoder features already at hand (taken from
// the pass that made generated, detached): PatchNCE's keys need no second
// pass through the encoder
torch::Tensor nce_total_from_features (Networks &nets,
                                       const std::vector<torch::Tensor> &source_features,
                                       const torch::Tensor &generated,
                                       const std::vector<torch::Tensor> &patch_ids,
                                       std::vector<torch::Tensor> *out_ids);

// Global L2 norm of the gradients of a parameter list
double grad_norm (const std::vector<torch::Tensor> &params);

}  // namespace adis
