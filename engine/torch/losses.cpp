// losses.cpp: LSGAN, PatchNCE and the cycle loss
//
// SPDX-License-Identifier: MIT

#include "losses.h"

#include "nets.h"

namespace adis {

torch::Tensor
lsgan_loss (const torch::Tensor &prediction, bool target_is_real)
{
  auto target = target_is_real ? torch::ones_like (prediction) : torch::zeros_like (prediction);

  return torch::mse_loss (prediction, target);
}

torch::Tensor
patch_nce_loss (const torch::Tensor &q, const torch::Tensor &k,
                int64_t batch_size, double temperature)
{
  TORCH_CHECK (q.dim () == 2 && q.sizes () == k.sizes (),
               "patch_nce_loss: q and k must both be [B * P, C], got ", q.sizes (), " and ", k.sizes ());
  TORCH_CHECK (batch_size > 0 && q.size (0) % batch_size == 0,
               "patch_nce_loss: ", q.size (0), " rows do not split into ", batch_size, " images");

  int64_t n_rows = q.size (0);
  int64_t dim = q.size (1);
  int64_t n_patches = n_rows / batch_size;
  auto keys = k.detach ();

  // The positive: each query against its own position's key
  auto l_pos = (q * keys).sum (1, /* keepdim */ true);

  // Negatives: every other position of the same image. The self entries are
  // the positive again, so they are pushed out with -10 (e^(-10/T) ~ 0)
  torch::Tensor l_neg;

  if (fast_kernels ())
    {
      // The same sums as the bmm below, as a 1 x 1 convolution with one
      // group per image: the queries are an P x 1 picture of B C channels,
      // the keys the weights. libtorch 1.13 runs bmm on Debian's generic
      // BLAS on one core; oneDNN runs this on all of them. The keys carry
      // no gradient, so only the queries' is computed.
      auto picture = q.view ({batch_size, n_patches, dim}).permute ({0, 2, 1})
                      .reshape ({1, batch_size * dim, n_patches, 1});
      auto weights = keys.view ({batch_size * n_patches, dim, 1, 1});
      // [1, B P (key j), P (query i), 1] -> [B, i, j]
      l_neg = torch::nn::functional::conv2d (picture, weights,
                                             torch::nn::functional::Conv2dFuncOptions ().groups (batch_size))
                .view ({batch_size, n_patches, n_patches}).transpose (1, 2);
    }
  else
    {
      auto qb = q.view ({batch_size, n_patches, dim});
      auto kb = keys.view ({batch_size, n_patches, dim});
      l_neg = torch::bmm (qb, kb.transpose (1, 2));
    }
  auto self = torch::eye (n_patches, torch::TensorOptions ().dtype (torch::kBool)
                                                            .device (q.device ()));

  l_neg = l_neg.masked_fill (self.unsqueeze (0), -10.0).reshape ({n_rows, n_patches});

  auto logits = torch::cat ({l_pos, l_neg}, 1) / temperature;
  auto target = torch::zeros ({n_rows}, torch::TensorOptions ().dtype (torch::kLong)
                                                               .device (q.device ()));

  return torch::nn::functional::cross_entropy (
    logits, target,
    torch::nn::functional::CrossEntropyFuncOptions ().reduction (torch::kNone)).mean ();
}

torch::Tensor
cycle_loss (const torch::Tensor &reconstruction, const torch::Tensor &target)
{
  return torch::l1_loss (reconstruction, target);
}

}  // namespace adis
