// losses.h: LSGAN and PatchNCE, as the reference computes them
//
// SPDX-License-Identifier: MIT
#pragma once

#include <torch/torch.h>

namespace adis {

// Mean squared error of every patch prediction to 1 (real) or 0 (fake)
torch::Tensor lsgan_loss (const torch::Tensor &prediction, bool target_is_real);

// PatchNCE for one layer: q, k [B * P, C] (k detached by the caller),
// negatives only from the same image, diagonal of the negatives filled with
// -10 before dividing by the temperature; cross-entropy against index 0,
// averaged over all patches.
torch::Tensor patch_nce_loss (const torch::Tensor &q, const torch::Tensor &k,
                              int64_t batch_size, double temperature);

// L1 for the cycle-consistency ablation
torch::Tensor cycle_loss (const torch::Tensor &reconstruction, const torch::Tensor &target);

}  // namespace adis
