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

// The parameter sets whose gradients are averaged, one backward pass each
enum class Averaged { kDiscriminators, kGenerators };

// loss.backward (), with the gradients of params averaged over the ranks
// as DDP does; returns the ranks' mean loss, so that every rank agrees on
// whether the update is finite. By default the all-reduce overlaps the
// backward pass as in DDP's Reducer: hooks on the parameters' gradient
// accumulators launch a bucket's asynchronous all-reduce (DDP's buckets:
// 1 MB for the first, 25 MB for the others, in reverse order of the
// parameters) as soon as the pass has summed all its gradients, and the
// sums come back divided by the world size once the pass is over, before
// the optimiser steps. With no_overlap, the same sums after the backward
// pass (average_gradients). Alone: loss.backward ().
torch::Tensor backward_averaged (Averaged                          which,
                                 const std::vector<torch::Tensor> &params,
                                 const torch::Tensor              &loss);

// After the backward pass: the gradients of params, flattened into buckets,
// every bucket's all-reduce in flight at once, the sums divided by the
// world size. loss rides along in the last bucket and comes back averaged
// too. Parameters without a gradient are left out (they are the same on
// every rank).
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

// The audio encoder's BatchNorm (AudioEncoder, nets-audio.cpp, calls it for
// every one of its BatchNorm2d): when training in a job with synchronised
// statistics (AdisDistributedOptions.sync_batchnorm), it normalises with
// the mean and variance of the whole global batch and updates the running
// statistics with them, as one process on that batch would; else, and
// always in one process, bn.forward (x) itself
torch::Tensor batch_norm (torch::nn::BatchNorm2dImpl &bn, const torch::Tensor &x);

}  // namespace adis
