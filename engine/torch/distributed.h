// distributed.h: what the training step and the trainer call to be one
// rank of a data-parallel job (see adis-distributed.h); each is a no-op, or
// the single-process computation, when no process group is active
//
// SPDX-License-Identifier: MIT
#pragma once

#include <torch/torch.h>
#include <vector>

#include "step.h"

extern "C" {
#include "adis-distributed.h"
}

namespace adis {

// Averages the gradients of params over the ranks, as DDP does: they are
// flattened into buckets of at most 25 MB, every bucket's all-reduce is in
// flight at once, and the sums come back divided by the world size. loss
// rides along in the last bucket and comes back averaged too, so that
// every rank agrees on whether the update is finite. Parameters without a
// gradient are left out (they are the same on every rank).
torch::Tensor average_gradients (const std::vector<torch::Tensor> &params,
                                 const torch::Tensor              &loss);

// Copies rank 0's values into every rank's tensors (one flattened
// broadcast per dtype)
void broadcast_from_rank0 (const std::vector<torch::Tensor> &tensors);

// Replaces each value by its mean over the ranks
void average_values (std::vector<double> &values);

// Before a step: every rank takes rank 0's parameters and buffers (the
// first step after creating or resuming), or only its buffers (BatchNorm's
// running statistics, as DDP's broadcast_buffers)
void sync_replicas (torch::nn::Module &nets, bool buffers_only);

// After a step: the losses become their means over the ranks (the global
// batch's), and the step is counted for adis_distributed_get_stats
void finish_step (StepResult &result);

// cuda:LOCAL_RANK for a CUDA rank; device itself otherwise
torch::Device rank_device (const torch::Device &device);

// The audio encoder's BatchNorm: with synchronised statistics when asked
// (adis_distributed_options.sync_batchnorm) and training, else bn's own.
// Not called yet: AudioEncoder (nets.cpp) calls its BatchNorm2d modules
// directly, so this is untested
torch::Tensor batch_norm (torch::nn::BatchNorm2dImpl &bn, const torch::Tensor &x);

}  // namespace adis
