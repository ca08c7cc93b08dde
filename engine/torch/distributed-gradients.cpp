// distributed-gradients.cpp: the gradients of one rank of a data-parallel
// job averaged over the ranks, in buckets, as DDP does: after the backward
// pass (average_gradients), or overlapping it (backward_averaged)
//
// SPDX-License-Identifier: MIT

#include "distributed-private.h"

#include <atomic>

#include <torch/csrc/autograd/utils/lambda_post_hook.h>

namespace adis {

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

namespace {

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

}  // namespace
#endif

// Here, where Overlap is complete: a group's map of them is made and
// destroyed with it
Group::Group () = default;
Group::~Group () = default;

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

}  // namespace adis
