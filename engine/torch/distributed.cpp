// distributed.cpp: joining a data-parallel job on libtorch's c10d, and the
// C API of adis-distributed.h
//
// SPDX-License-Identifier: MIT
//
// The store and the process group are libtorch's own (TCPStore, and
// ProcessGroupGloo on the CPU or ProcessGroupNCCL on a CUDA build), set up
// the way torch.distributed.init_process_group does under torchrun: with
// torchrun's agent serving the store, every rank is its client under the
// "/worker/attempt_N" prefix of the restart; otherwise rank 0 serves it.
// What the training step calls is in distributed-gradients.cpp and
// distributed-replicas.cpp.

#include "distributed-private.h"

#include <chrono>

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "runtime.h"

namespace adis {

std::unique_ptr<Group> group;

// A collective that failed means a rank died, hung past the timeout, or
// the network went: say which rank saw it and what bounds the wait
[[noreturn]] void
collective_failed (const char *what, const std::exception &e)
{
  std::string detail = e.what ();
  auto c10 = dynamic_cast<const c10::Error *> (&e);

  if (c10 != nullptr)
    detail = c10->what_without_backtrace ();
  detail = detail.substr (0, detail.find ('\n'));
  throw std::runtime_error (
    std::string (what) + " failed (another rank has stopped, or it took longer than the " +
    std::to_string ((int) group->timeout_seconds) + " s collective timeout): " + detail);
}

#ifdef USE_C10D_GLOO
void
wait_all (std::vector<c10::intrusive_ptr<c10d::Work>> &works, const char *what)
{
  try
    {
      for (auto &work : works)
        work->wait ();
    }
  catch (const std::exception &e)
    {
      collective_failed (what, e);
    }
}

void
all_reduce (torch::Tensor &t, c10d::ReduceOp op, const char *what)
{
  std::vector<torch::Tensor> tensors{t};
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  c10d::AllreduceOptions options;

  options.reduceOp = op;
  try
    {
      works.push_back (group->pg->allreduce (tensors, options));
    }
  catch (const std::exception &e)
    {
      collective_failed (what, e);
    }
  wait_all (works, what);
}
#endif

}  // namespace adis

extern "C" const char *
adis_distributed_backends (void)
{
#if defined (USE_C10D_GLOO) && defined (USE_C10D_NCCL)
  return "gloo, nccl";
#elif defined (USE_C10D_GLOO)
  return "gloo";
#else
  return "";
#endif
}

static bool
env_int (const char *name,
         int         fallback,
         gint64      min,
         int        *out,
         GError    **error)
{
  const char *text = g_getenv (name);
  gint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return true;
    }
  if (!g_ascii_string_to_signed (text, 10, min, G_MAXINT, &value, NULL))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "The environment variable %s=“%s” is not a whole number of at least %" G_GINT64_FORMAT,
                   name, text, min);
      return false;
    }
  *out = (int) value;
  return true;
}

extern "C" gboolean
adis_distributed_env_read (AdisDistributedEnv *env,
                           GError            **error)
{
  g_return_val_if_fail (env != NULL, FALSE);

  *env = AdisDistributedEnv {};
  if (g_getenv ("RANK") == NULL || g_getenv ("WORLD_SIZE") == NULL)
    return FALSE;

  if (!env_int ("WORLD_SIZE", 1, 1, &env->world_size, error) ||
      !env_int ("RANK", 0, 0, &env->rank, error) ||
      !env_int ("LOCAL_RANK", 0, 0, &env->local_rank, error) ||
      !env_int ("TORCHELASTIC_RESTART_COUNT", 0, 0, &env->restart_count, error) ||
      !env_int ("MASTER_PORT", -1, 1, &env->master_port, error))
    return FALSE;
  if (env->rank >= env->world_size)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "RANK %d is not below WORLD_SIZE %d", env->rank, env->world_size);
      return FALSE;
    }
  if (g_getenv ("MASTER_ADDR") == NULL || env->master_port < 1 || env->master_port > 65535)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "RANK and WORLD_SIZE are set but MASTER_ADDR or MASTER_PORT (1 to 65535) is not: "
                   "launch with torchrun, or set all four");
      return FALSE;
    }
  env->master_addr = g_strdup (g_getenv ("MASTER_ADDR"));
  env->agent_store = g_strcmp0 (g_getenv ("TORCHELASTIC_USE_AGENT_STORE"), "True") == 0;
  return TRUE;
}

extern "C" void
adis_distributed_env_clear (AdisDistributedEnv *env)
{
  g_return_if_fail (env != NULL);
  g_clear_pointer (&env->master_addr, g_free);
}

extern "C" void
adis_distributed_options_init (AdisDistributedOptions *options)
{
  g_return_if_fail (options != NULL);

  *options = AdisDistributedOptions {};
  options->timeout_seconds = 600;
}

extern "C" gboolean
adis_distributed_join (const AdisDistributedEnv     *env,
                       const AdisDistributedOptions *options,
                       GError                      **error)
{
  g_return_val_if_fail (env != NULL && options != NULL, FALSE);
  g_return_val_if_fail (!adis::group, FALSE);

#ifndef USE_C10D_GLOO
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED,
               "This Soundstyle was built without c10d (Gloo's headers, libgloo-dev, were missing): "
               "it cannot train as rank %d of %d", env->rank, env->world_size);
  return FALSE;
#else
#ifndef USE_C10D_NCCL
  if (options->cuda)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED,
                   "This Soundstyle's libtorch has no NCCL (its backends: %s): "
                   "train on the CPU (--device cpu) or build against a CUDA libtorch (-Dlibtorch=DIR)",
                   adis_distributed_backends ());
      return FALSE;
    }
#endif
  auto group = std::make_unique<adis::Group> ();
  auto timeout = std::chrono::milliseconds ((int64_t) (options->timeout_seconds * 1000));

  group->rank = env->rank;
  group->local_rank = env->local_rank;
  group->world_size = env->world_size;
  group->sync_batchnorm = options->sync_batchnorm;
  group->overlap = !options->no_overlap;
  group->bucket_bytes = options->bucket_bytes;
  group->timeout_seconds = options->timeout_seconds;

  bool ok = adis::guard (error, [&] () {
    c10d::TCPStoreOptions store_options;

    store_options.port = (std::uint16_t) env->master_port;
    store_options.isServer = !env->agent_store && env->rank == 0;
    store_options.numWorkers = env->world_size;
    store_options.timeout = timeout;
    store_options.multiTenant = true;
    auto tcp = c10::make_intrusive<c10d::TCPStore> (env->master_addr, store_options);
    if (env->agent_store)
      group->store = c10::make_intrusive<c10d::PrefixStore> (
        "/worker/attempt_" + std::to_string (env->restart_count), tcp);
    else
      group->store = tcp;

#ifdef USE_C10D_NCCL
    if (options->cuda)
      {
        auto nccl = c10d::ProcessGroupNCCL::Options::create ();
        nccl->timeout = timeout;
        group->device = torch::Device (torch::kCUDA, env->local_rank);
        group->pg = c10::make_intrusive<c10d::ProcessGroupNCCL> (group->store, env->rank,
                                                                 env->world_size, nccl);
        group->backend = "nccl";
        return true;
      }
#endif
    auto gloo = c10d::ProcessGroupGloo::Options::create (timeout);
    const char *interface = g_getenv ("GLOO_SOCKET_IFNAME");

    gloo->devices.push_back (interface != NULL
                             ? c10d::ProcessGroupGloo::createDeviceForInterface (interface)
                             : c10d::ProcessGroupGloo::createDefaultDevice ());
    group->pg = c10::make_intrusive<c10d::ProcessGroupGloo> (group->store, env->rank,
                                                             env->world_size, gloo);
    group->backend = "gloo";
    return true;
  });
  if (!ok)
    {
      g_prefix_error (error, "Joining rank %d of %d at %s:%d: ", env->rank, env->world_size,
                      env->master_addr, env->master_port);
      return FALSE;
    }

  adis::group = std::move (group);
  return TRUE;
#endif
}

extern "C" void
adis_distributed_leave (void)
{
  adis::group.reset ();
}

extern "C" gboolean
adis_distributed_is_active (void)
{
  return adis::group != nullptr;
}

extern "C" int
adis_distributed_get_rank (void)
{
  return adis::group ? adis::group->rank : 0;
}

extern "C" int
adis_distributed_get_world_size (void)
{
  return adis::group ? adis::group->world_size : 1;
}

extern "C" const char *
adis_distributed_get_backend (void)
{
  return adis::group ? adis::group->backend.c_str () : NULL;
}

extern "C" gboolean
adis_distributed_any (gboolean  flag,
                      gboolean *out_any,
                      GError  **error)
{
  g_return_val_if_fail (out_any != NULL, FALSE);

  *out_any = flag;
  if (!adis::group || adis::group->world_size == 1)
    return TRUE;
#ifdef USE_C10D_GLOO
  return adis::guard (error, [&] () {
    auto t = torch::full ({1}, flag ? 1 : 0, torch::TensorOptions ().dtype (torch::kInt)
                                                                   .device (adis::group->device));
    adis::all_reduce (t, c10d::ReduceOp::MAX, "agreeing whether to stop");
    *out_any = t.item<int> () != 0;
    return true;
  });
#else
  return TRUE;
#endif
}

extern "C" gboolean
adis_distributed_check_same (gint64      value,
                             const char *what,
                             GError    **error)
{
  g_return_val_if_fail (what != NULL, FALSE);

  if (!adis::group || adis::group->world_size == 1)
    return TRUE;
#ifdef USE_C10D_GLOO
  gint64 low = 0, high = 0;
  bool ok = adis::guard (error, [&] () {
    auto t = torch::tensor ({(int64_t) value, -(int64_t) value},
                            torch::TensorOptions ().dtype (torch::kLong)).to (adis::group->device);
    adis::all_reduce (t, c10d::ReduceOp::MAX, "comparing the ranks");
    t = t.to (torch::kCPU);
    high = t[0].item<int64_t> ();
    low = -t[1].item<int64_t> ();
    return true;
  });
  if (!ok)
    return FALSE;
  if (low != high)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "the ranks disagree on %s (from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                   what, low, high);
      return FALSE;
    }
#endif
  return TRUE;
}

extern "C" void
adis_distributed_get_stats (double  *out_seconds,
                            guint64 *out_bytes,
                            guint64 *out_steps)
{
  if (out_seconds != NULL)
    *out_seconds = adis::group ? adis::group->seconds : 0;
  if (out_bytes != NULL)
    *out_bytes = adis::group ? adis::group->bytes : 0;
  if (out_steps != NULL)
    *out_steps = adis::group ? adis::group->steps : 0;
}
