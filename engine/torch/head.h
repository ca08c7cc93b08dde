// head.h: the grid head, the generator's resolution-free output (beyond the paper)
//
// SPDX-License-Identifier: MIT
//
// The paper's decoder up-samples the fused code back to every pixel, so its
// cost grows with the photo and every pixel passes through a network trained
// on small crops. The grid head instead predicts, at the working size, a
// bilateral grid of local affine colour transforms (Gharbi et al., HDRNet,
// SIGGRAPH 2017) and a low-resolution RGBA overlay for what a colour
// transform cannot make (streaks, flakes, haze). Both are applied to the
// photo's own pixels at any size: the photo carries the detail.
//
// Apply, per pixel p of the photo x (values in [-1, 1]):
//   guide g(p)  = sigmoid (mix . curve (ccm u + ccm_bias) + mix_bias),
//                 u = (x + 1) / 2, curve_c (v) = sum_k slopes[c][k] relu (v - k / K)
//   A(p)        = trilinear sample of the grid [12, bins, gh, gw] at the pixel's
//                 relative position and depth g (grid_sample, border, align_corners false)
//   y_c         = sum_j A[4c + j] x_j + A[4c + 3]
//   out         = y (1 - alpha) + premultiplied colour, both bilinearly up-sampled
//                 from the overlay
// engine/model/adis-apply.c does the same on the CPU, streamed over rows, for
// inference at any size; tests hold the two to 1e-5.
#pragma once

#include <torch/torch.h>
#include <vector>

extern "C" {
#include "adis-config.h"
}

namespace adis {

// The learned per-pixel guide: a 3 x 3 colour matrix, a piecewise-linear
// curve per channel, a 1 x 1 mix and a sigmoid. Parameters "ccm",
// "ccm_bias", "slopes", "mix", "mix_bias".
struct GridGuideImpl : torch::nn::Module {
  explicit GridGuideImpl (int64_t knots);
  // [B, 3, H, W] in [-1, 1] -> [B, 1, H, W] in (0, 1)
  torch::Tensor forward (const torch::Tensor &x);
  // The identity colour matrix and curves, and a mix that spreads a grey
  // ramp over most of the bins: sigmoid (4 (mean - 0.5))
  void reset ();
  int64_t knots;
  torch::Tensor ccm, ccm_bias, slopes, mix, mix_bias;
};
TORCH_MODULE (GridGuide);

// What the head predicts for one photo and sound, at the working size
struct GridLook {
  torch::Tensor grid;      // [B, 12 * bins, gh, gw], channel (4 c + j) * bins + bin
  torch::Tensor overlay;   // [B, 4, oh, ow]: colour premultiplied by alpha, alpha
};

// The head on the fused code [B, 4 ngf + E, h, w] (h, w = working size / 4):
//   trunk    conv 3x3 C0 -> C0/2, IN, (FiLM), ReLU
//   grid     per halving to the cell size: blur-down, conv 3x3, IN, (FiLM), ReLU;
//            then "coeffs", conv 1x1 -> 12 bins
//   overlay  (blur-up to half the working size), conv 3x3 C0/2 -> C0/4, IN,
//            (FiLM), ReLU, conv 3x3 -> 4: tanh colour, sigmoid alpha
struct GridHeadImpl : torch::nn::Module {
  explicit GridHeadImpl (const AdisConfig &config);
  // The channels of each norm, in the order film () pairs are given
  std::vector<int64_t> norm_channels () const;
  // film: a (scale, shift) pair [B, C, 1, 1] per norm, or empty
  GridLook forward (const torch::Tensor &fused, const std::vector<torch::Tensor> &film);
  // Slice, affine and composite at the size of photo [B, 3, H, W]
  torch::Tensor apply (const GridLook &look, const torch::Tensor &photo);
  // The coefficients start as the identity in every cell and bin, the
  // overlay nearly transparent, the guide as reset () says
  void reset_output ();

  int64_t bins;
  torch::nn::Conv2d trunk{nullptr};
  torch::nn::ModuleList grid_down{nullptr};    // BlurDownsample
  torch::nn::ModuleList grid_convs{nullptr};   // Conv2d
  torch::nn::Conv2d coeffs{nullptr};
  torch::nn::ModuleList overlay_up{nullptr};   // BlurUpsample, 0 or 1
  torch::nn::Conv2d overlay_conv{nullptr};
  torch::nn::Conv2d overlay_out{nullptr};
  GridGuide guide{nullptr};
};
TORCH_MODULE (GridHead);

// The trilinear slice alone: grid [B, 12 bins, gh, gw], guide [B, 1, H, W]
// -> coefficients [B, 12, H, W]
torch::Tensor slice_grid (const torch::Tensor &grid, const torch::Tensor &guide, int64_t bins);

}  // namespace adis
