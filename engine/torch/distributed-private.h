// distributed-private.h: what the three files of one rank of a
// data-parallel job share: distributed.cpp (the store, the process group,
// the C API of adis-distributed.h), distributed-gradients.cpp (averaging the
// gradients, overlapped with the backward pass as DDP's Reducer) and
// distributed-replicas.cpp (rank 0's weights, the averaged losses,
// synchronised BatchNorm). Only these files see c10d's headers and their
// USE_C10D_* switches (adis-c10d in engine/meson.build).
//
// SPDX-License-Identifier: MIT
#pragma once

#include "distributed.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#endif

namespace adis {

#ifdef USE_C10D_GLOO
struct Overlap;   // distributed-gradients.cpp
#endif

struct Group {
#ifdef USE_C10D_GLOO
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  // After pg, so that they go first
  std::map<Averaged, std::unique_ptr<Overlap>> overlaps;
#endif
  int rank = 0;
  int local_rank = 0;
  int world_size = 1;
  std::string backend;
  torch::Device device{torch::kCPU};   // where collectives' small tensors live
  bool sync_batchnorm = false;
  bool overlap = true;
  int64_t bucket_bytes = 0;            // 0: DDP's sizes
  double timeout_seconds = 600;
  // adis_distributed_get_stats
  double seconds = 0;
  guint64 bytes = 0;
  guint64 steps = 0;

  // Made and destroyed in distributed-gradients.cpp, where Overlap is
  // complete
  Group ();
  ~Group ();
};

// This rank's place in the job, from adis_distributed_join to
// adis_distributed_leave; null in one process
extern std::unique_ptr<Group> group;

// Throws a runtime_error that says which collective failed, what bounds the
// wait and what c10d said (its first line)
[[noreturn]] void collective_failed (const char *what, const std::exception &e);

#ifdef USE_C10D_GLOO
// Waits for every one of works; a failure goes through collective_failed
void wait_all (std::vector<c10::intrusive_ptr<c10d::Work>> &works, const char *what);

// t reduced with op over the ranks, in place
void all_reduce (torch::Tensor &t, c10d::ReduceOp op, const char *what);
#endif

}  // namespace adis
