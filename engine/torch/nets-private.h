// nets-private.h: the small layer makers the networks' files share
//
// SPDX-License-Identifier: MIT

#pragma once

#include "nets.h"

namespace adis {

constexpr double kNormEps = 1e-5;
constexpr double kSlope = 0.2;

inline torch::nn::InstanceNorm2d
instance_norm (int64_t channels)
{
  // No affine parameters and no running statistics: nothing to save
  return torch::nn::InstanceNorm2d (torch::nn::InstanceNorm2dOptions (channels)
                                      .eps (kNormEps)
                                      .affine (false)
                                      .track_running_stats (false));
}

inline torch::nn::Conv2d
conv (int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool bias = true)
{
  return torch::nn::Conv2d (torch::nn::Conv2dOptions (in, out, kernel)
                              .stride (stride)
                              .padding (padding)
                              .bias (bias));
}

inline torch::nn::LeakyReLU
leaky_relu ()
{
  return torch::nn::LeakyReLU (torch::nn::LeakyReLUOptions ().negative_slope (kSlope));
}

// A depthwise filter [C, 1, k, k] from the binomial row taps, normalised
inline torch::Tensor
binomial_filter (const std::vector<double> &taps, int64_t channels, double scale)
{
  auto row = torch::tensor (taps, torch::kFloat32);
  auto filt = torch::outer (row, row);

  filt = filt / filt.sum () * scale;
  return filt.unsqueeze (0).unsqueeze (0).repeat ({channels, 1, 1, 1}).contiguous ();
}

}  // namespace adis
