// distributed.cpp: one rank of a data-parallel job on libtorch's c10d
//
// SPDX-License-Identifier: MIT
//
// The store and the process group are libtorch's own (TCPStore, and
// ProcessGroupGloo on the CPU or ProcessGroupNCCL on a CUDA build), set up
// the way torch.distributed.init_process_group does under torchrun: with
// torchrun's agent serving the store, every rank is its client under the
// "/worker/attempt_N" prefix of the restart; otherwise rank 0 serves it.

#include "distributed.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "runtime.h"

namespace adis {

namespace {

#ifdef USE_C10D_GLOO
struct Overlap;
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
};

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

// Sums x over the ranks; its gradient is the sum of the ranks' gradients,
// since every rank's loss depends on the total
struct AllReduceSum : public torch::autograd::Function<AllReduceSum> {
  static torch::Tensor
  forward (torch::autograd::AutogradContext *, torch::Tensor x)
  {
    auto y = x.clone ();
#ifdef USE_C10D_GLOO
    all_reduce (y, c10d::ReduceOp::SUM, "synchronised BatchNorm");
#endif
    return y;
  }

  static torch::autograd::variable_list
  backward (torch::autograd::AutogradContext *, torch::autograd::variable_list grads)
  {
    auto g = grads[0].contiguous ().clone ();
#ifdef USE_C10D_GLOO
    all_reduce (g, c10d::ReduceOp::SUM, "synchronised BatchNorm's backward");
#endif
    return {g};
  }
};

constexpr int64_t kBucketBytes = 25 * 1024 * 1024;   // DDP's default bucket_cap_mb
constexpr int64_t kFirstBucketBytes = 1024 * 1024;   // and its first bucket's

#ifdef USE_C10D_GLOO
// Overlapping the all-reduce with the backward pass, as DDP's Reducer does
// (c10d::Reducer itself is in Debian's libtorch_cpu, but its header needs
// torch/csrc/distributed/autograd/context/context.h, which libtorch-dev
// 1.13 does not ship, so it cannot be built against): a post hook on every
// parameter's gradient accumulator runs once the backward pass has summed
// that parameter's gradient; a bucket whose gradients are all there is
// flattened and its all-reduce launched, asynchronously, while the pass
// goes on. Buckets are launched strictly in their order, which is the same
// on every rank (Gloo pairs collectives by the order of their launch).
struct Overlap {
  std::vector<torch::Tensor> params;              // those that require a gradient
  std::vector<std::vector<size_t>> buckets;       // indices into params
  std::vector<size_t> bucket_of;                  // params[i]'s bucket
  std::vector<std::pair<std::shared_ptr<torch::autograd::Node>, uintptr_t>> hooks;

  // The current backward pass
  bool armed = false;
  std::vector<size_t> waiting;                    // gradients a bucket still waits for
  size_t next = 0;                                // the next bucket to launch
  std::vector<std::vector<size_t>> members;       // those launched with a gradient
  std::vector<torch::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  std::atomic<gint64> first_launch{0}, last_done{0};

  Overlap (const std::vector<torch::Tensor> &trained, int64_t first_bytes, int64_t bytes)
    : params (trained), bucket_of (trained.size ())
  {
    int64_t filled = 0;

    // As DDP: the last parameters' gradients come first in the backward
    // pass, so buckets fill from the end, the first one small
    for (size_t k = params.size (); k-- > 0;)
      {
        const auto &p = params[k];
        int64_t size = p.numel () * (int64_t) p.element_size ();
        int64_t cap = buckets.size () <= 1 ? first_bytes : bytes;

        if (buckets.empty () ||
            (!buckets.back ().empty () &&
             (filled + size > cap || params[buckets.back ()[0]].scalar_type () != p.scalar_type ())))
          {
            buckets.emplace_back ();
            filled = 0;
          }
        buckets.back ().push_back (k);
        bucket_of[k] = buckets.size () - 1;
        filled += size;
      }

    for (size_t k = 0; k < params.size (); k++)
      {
        auto accumulator = torch::autograd::impl::grad_accumulator (params[k]);
        auto key = accumulator->add_post_hook (std::make_unique<torch::autograd::utils::LambdaPostHook> (
          [this, k] (const torch::autograd::variable_list &outputs,
                     const torch::autograd::variable_list &) {
            ready (k);
            return outputs;
          }));
        hooks.emplace_back (accumulator, key);
      }
  }

  ~Overlap ()
  {
    for (auto &[accumulator, key] : hooks)
      accumulator->del_post_hook (key);
  }

  void
  arm ()
  {
    armed = true;
    next = 0;
    waiting.clear ();
    for (const auto &bucket : buckets)
      waiting.push_back (bucket.size ());
    members.assign (buckets.size (), {});
    flats.assign (buckets.size (), torch::Tensor ());
    works.clear ();
    first_launch = 0;
    last_done = 0;
  }

  // params[k]'s gradient is summed (on the backward pass's thread)
  void
  ready (size_t k)
  {
    if (!armed)
      return;
    waiting[bucket_of[k]]--;
    while (next < buckets.size () && waiting[next] == 0)
      launch (next++);
  }

  // The bucket's defined gradients, flattened, on their way: the same
  // parameters as average_gradients takes, so the same sums
  void
  launch (size_t b)
  {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> parts;

    for (size_t k : buckets[b])
      if (params[k].grad ().defined ())
        {
          members[b].push_back (k);
          parts.push_back (params[k].grad ().reshape ({-1}));
        }
    if (parts.empty ())
      return;
    flats[b] = torch::cat (parts);

    gint64 unset = 0;
    first_launch.compare_exchange_strong (unset, g_get_monotonic_time ());
    std::vector<torch::Tensor> tensors{flats[b]};
    works.push_back (group->pg->allreduce (tensors));
    works.back ()->getFuture ()->addCallback ([this] (c10::ivalue::Future &) {
      gint64 now = g_get_monotonic_time ();
      gint64 seen = last_done;

      while (seen < now && !last_done.compare_exchange_weak (seen, now))
        ;
    });
    group->bytes += flats[b].numel () * flats[b].element_size ();
  }

  // After the backward pass: what a parameter the loss did not reach held
  // back goes now; then every sum comes back divided by the world size
  void
  finish ()
  {
    armed = false;
    while (next < buckets.size ())
      launch (next++);
    wait_all (works, "averaging gradients");

    torch::NoGradGuard no_grad;
    for (size_t b = 0; b < buckets.size (); b++)
      {
        int64_t offset = 0;

        if (members[b].empty ())
          continue;
        flats[b].div_ ((double) group->world_size);
        for (size_t k : members[b])
          {
            auto grad = params[k].grad ();
            int64_t n = grad.numel ();

            grad.copy_ (flats[b].slice (0, offset, offset + n).view (grad.sizes ()));
            offset += n;
          }
      }
    if (first_launch > 0 && last_done >= first_launch)
      group->seconds += (last_done - first_launch) / 1e6;
    flats.clear ();
    works.clear ();
  }
};

bool
same_tensors (const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
  if (a.size () != b.size ())
    return false;
  for (size_t i = 0; i < a.size (); i++)
    if (!a[i].is_same (b[i]))
      return false;
  return true;
}

// The hooks for one parameter set, made on first use (and again for
// another trainer's parameters)
Overlap &
overlap_for (Averaged which, const std::vector<torch::Tensor> &trained)
{
  auto &o = group->overlaps[which];

  if (!o || !same_tensors (o->params, trained))
    {
      o.reset ();
      o = std::make_unique<Overlap> (trained,
                                     group->bucket_bytes > 0 ? group->bucket_bytes : kFirstBucketBytes,
                                     group->bucket_bytes > 0 ? group->bucket_bytes : kBucketBytes);
    }
  return *o;
}
#endif

}  // namespace

torch::Tensor
average_gradients (const std::vector<torch::Tensor> &params,
                   const torch::Tensor              &loss)
{
  if (!group || group->world_size == 1)
    return loss;
#ifdef USE_C10D_GLOO
  gint64 start = g_get_monotonic_time ();
  std::vector<torch::Tensor> grads;
  std::vector<std::vector<size_t>> buckets (1);
  std::vector<torch::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  int64_t bucket_bytes = 0;

  torch::NoGradGuard no_grad;
  for (const auto &p : params)
    if (p.grad ().defined ())
      grads.push_back (p.grad ());

  // Buckets of one dtype and device each, in parameter order
  for (size_t i = 0; i < grads.size (); i++)
    {
      int64_t bytes = grads[i].numel () * (int64_t) grads[i].element_size ();
      auto &bucket = buckets.back ();

      if (!bucket.empty () &&
          (bucket_bytes + bytes > (group->bucket_bytes > 0 ? group->bucket_bytes : kBucketBytes) ||
           grads[bucket[0]].scalar_type () != grads[i].scalar_type () ||
           grads[bucket[0]].device () != grads[i].device ()))
        {
          buckets.emplace_back ();
          bucket_bytes = 0;
        }
      buckets.back ().push_back (i);
      bucket_bytes += bytes;
    }

  for (size_t b = 0; b < buckets.size (); b++)
    {
      std::vector<torch::Tensor> parts;

      for (size_t i : buckets[b])
        parts.push_back (grads[i].reshape ({-1}));
      if (b + 1 == buckets.size ())
        {
          auto options = parts.empty () ? loss.options () : parts[0].options ();
          parts.push_back (loss.detach ().reshape ({1}).to (options));
        }
      flats.push_back (torch::cat (parts));
    }

  try
    {
      for (auto &flat : flats)
        {
          std::vector<torch::Tensor> tensors{flat};
          works.push_back (group->pg->allreduce (tensors));
          group->bytes += flat.numel () * flat.element_size ();
        }
    }
  catch (const std::exception &e)
    {
      collective_failed ("averaging gradients", e);
    }
  wait_all (works, "averaging gradients");

  torch::Tensor mean_loss;
  for (size_t b = 0; b < buckets.size (); b++)
    {
      auto &flat = flats[b];
      int64_t offset = 0;

      flat.div_ ((double) group->world_size);
      for (size_t i : buckets[b])
        {
          int64_t n = grads[i].numel ();
          grads[i].copy_ (flat.slice (0, offset, offset + n).view (grads[i].sizes ()));
          offset += n;
        }
      if (b + 1 == buckets.size ())
        mean_loss = flat[offset].to (loss.dtype ());
    }

  group->seconds += (g_get_monotonic_time () - start) / 1e6;
  return mean_loss;
#else
  return loss;
#endif
}

torch::Tensor
backward_averaged (Averaged                          which,
                   const std::vector<torch::Tensor> &params,
                   const torch::Tensor              &loss)
{
  if (!group || group->world_size == 1 || !group->overlap)
    {
      loss.backward ();
      return average_gradients (params, loss);
    }
#ifdef USE_C10D_GLOO
  // Only a parameter that requires a gradient has an accumulator to hook
  std::vector<torch::Tensor> trained;
  for (const auto &p : params)
    if (p.requires_grad ())
      trained.push_back (p);
  auto &o = overlap_for (which, trained);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  auto mean_loss = loss.detach ().reshape ({1}).clone ();

  // The loss's all-reduce goes first
  try
    {
      std::vector<torch::Tensor> tensors{mean_loss};
      works.push_back (group->pg->allreduce (tensors));
      group->bytes += mean_loss.numel () * mean_loss.element_size ();
    }
  catch (const std::exception &e)
    {
      collective_failed ("averaging the loss", e);
    }

  o.arm ();
  try
    {
      loss.backward ();
    }
  catch (const std::exception &e)
    {
      o.armed = false;
      collective_failed ("the backward pass, with its gradients' all-reduce,", e);
    }
  o.finish ();
  wait_all (works, "averaging the loss");
  return mean_loss.div_ ((double) group->world_size).reshape ({});
#else
  loss.backward ();
  return loss;
#endif
}

void
broadcast_from_rank0 (const std::vector<torch::Tensor> &tensors)
{
  if (!group || group->world_size == 1)
    return;
#ifdef USE_C10D_GLOO
  torch::NoGradGuard no_grad;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  std::vector<std::pair<torch::Tensor, std::vector<torch::Tensor>>> flats;

  // One flat tensor per dtype and device, in order
  for (const auto &t : tensors)
    {
      if (!t.defined () || t.numel () == 0)
        continue;
      if (flats.empty () || flats.back ().second[0].scalar_type () != t.scalar_type () ||
          flats.back ().second[0].device () != t.device ())
        flats.push_back ({torch::Tensor (), {}});
      flats.back ().second.push_back (t);
    }
  for (auto &[flat, members] : flats)
    {
      std::vector<torch::Tensor> parts;

      for (const auto &t : members)
        parts.push_back (t.reshape ({-1}));
      flat = torch::cat (parts);
    }

  try
    {
      for (auto &[flat, members] : flats)
        {
          std::vector<torch::Tensor> one{flat};
          works.push_back (group->pg->broadcast (one));
        }
    }
  catch (const std::exception &e)
    {
      collective_failed ("broadcasting rank 0's weights", e);
    }
  wait_all (works, "broadcasting rank 0's weights");

  for (auto &[flat, members] : flats)
    {
      int64_t offset = 0;

      for (auto &t : members)
        {
          int64_t n = t.numel ();
          t.copy_ (flat.slice (0, offset, offset + n).view (t.sizes ()));
          offset += n;
        }
    }
#endif
}

void
average_values (std::vector<double> &values)
{
  if (!group || group->world_size == 1 || values.empty ())
    return;
#ifdef USE_C10D_GLOO
  auto t = torch::from_blob (values.data (), {(int64_t) values.size ()}, torch::kDouble)
             .to (group->device);
  all_reduce (t, c10d::ReduceOp::SUM, "averaging the losses");
  t = t.div (group->world_size).to (torch::kCPU).contiguous ();
  std::copy (t.data_ptr<double> (), t.data_ptr<double> () + values.size (), values.begin ());
#endif
}

torch::Tensor
batch_norm (torch::nn::BatchNorm2dImpl &bn, const torch::Tensor &x)
{
  if (!group || group->world_size == 1 || !group->sync_batchnorm || !bn.is_training ())
    return bn.forward (x);

  // The statistics of the whole global batch: per channel, the sums of x
  // and x^2 and the count, summed over the ranks (in double, so that the
  // variance as E[x^2] - E[x]^2 loses nothing next to one process's)
  const auto &o = bn.options;
  int64_t c = x.size (1);
  auto xd = x.to (torch::kDouble);
  auto local = torch::cat ({xd.sum ({0, 2, 3}), (xd * xd).sum ({0, 2, 3}),
                            torch::full ({1}, (double) (x.numel () / c), xd.options ())});
  auto total = AllReduceSum::apply (local.to (group->device)).to (x.device ());
  auto count = total[2 * c].detach ().item<double> ();
  auto mean = total.slice (0, 0, c) / count;
  auto var = total.slice (0, c, 2 * c) / count - mean * mean;
  auto shape = std::vector<int64_t>{1, c, 1, 1};
  auto y = (xd - mean.view (shape)) * torch::rsqrt (var + o.eps ()).view (shape);

  y = y.to (x.scalar_type ());
  if (o.affine ())
    y = y * bn.weight.view (shape) + bn.bias.view (shape);

  if (o.track_running_stats ())
    {
      torch::NoGradGuard no_grad;
      bn.num_batches_tracked.add_ (1);
      double f = o.momentum ().has_value () ? *o.momentum ()
                                            : 1.0 / bn.num_batches_tracked.item<double> ();
      auto unbiased = var.detach () * (count / std::max (1.0, count - 1));

      bn.running_mean.mul_ (1 - f).add_ (mean.detach ().to (bn.running_mean.dtype ()) * f);
      bn.running_var.mul_ (1 - f).add_ (unbiased.to (bn.running_var.dtype ()) * f);
    }
  return y;
}

void
sync_replicas (torch::nn::Module &nets, bool buffers_only)
{
  std::vector<torch::Tensor> tensors;

  if (!group || group->world_size == 1)
    return;
  if (!buffers_only)
    tensors = nets.parameters ();
  for (const auto &b : nets.buffers ())
    tensors.push_back (b);
  broadcast_from_rank0 (tensors);
}

void
finish_step (StepResult &r)
{
  if (!group || group->world_size == 1)
    return;

  std::vector<double> values{r.loss_d, r.loss_g_gan, r.loss_nce, r.loss_nce_y,
                             r.loss_oracle, r.loss_g_total};
  average_values (values);
  r.loss_d = values[0];
  r.loss_g_gan = values[1];
  r.loss_nce = values[2];
  r.loss_nce_y = values[3];
  r.loss_oracle = values[4];
  r.loss_g_total = values[5];
  group->steps++;
}

torch::Device
rank_device (const torch::Device &device)
{
  if (group && device.is_cuda ())
    return torch::Device (torch::kCUDA, group->local_rank);
  return device;
}

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
