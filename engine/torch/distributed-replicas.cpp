// distributed-replicas.cpp: what keeps the ranks' replicas one model
// besides the averaged gradients: rank 0's weights and buffers, the losses'
// means, BatchNorm's statistics of the whole global batch
//
// SPDX-License-Identifier: MIT

#include "distributed-private.h"

#include <algorithm>

namespace adis {

namespace {

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

}  // namespace

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
                             r.loss_oracle, r.loss_g_total, r.loss_streaks};
  average_values (values);
  r.loss_d = values[0];
  r.loss_g_gan = values[1];
  r.loss_nce = values[2];
  r.loss_nce_y = values[3];
  r.loss_oracle = values[4];
  r.loss_g_total = values[5];
  r.loss_streaks = values[6];
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
