// nets.cpp: the networks' shared layers: fast convolutions, the
// spectrogram, blur up- and downsampling, the ResNet block, and Xavier
// initialisation; each network has a file of its own (nets-generator.cpp,
// nets-audio.cpp, nets-discriminator.cpp, nets-patch-mlp.cpp)
//
// SPDX-License-Identifier: MIT
//
// Every module is built in the order, and with the names, of the reference's
// state dicts: a weight file written by the PyTorch implementation loads
// here name for name and gives the same numbers.

#include "nets-private.h"

#include <ATen/ops/mkldnn_convolution.h>
#include <atomic>
#include <cmath>

namespace F = torch::nn::functional;

namespace adis {

namespace {

// -1 until read from the environment
std::atomic<int> fast_kernels_on{-1};

}  // namespace

void
set_fast_kernels (bool on)
{
  fast_kernels_on = on;
}

bool
fast_kernels ()
{
  int on = fast_kernels_on;

  if (on < 0)
    fast_kernels_on = on = g_strcmp0 (g_getenv ("ADIS_FAST_KERNELS"), "0") != 0;
  return on;
}

torch::Tensor
conv_forward (torch::nn::Conv2dImpl &conv, const torch::Tensor &x)
{
  const auto &o = conv.options;
  const auto *padding = c10::get_if<torch::ExpandingArray<2>> (&o.padding ());

  // libtorch 1.13 sends a batch-1 convolution with a kernel of at most
  // 3 x 3 on fewer than 20,480 input values to its own im2col path over
  // Debian's generic BLAS instead of oneDNN: 20 to 30 times slower here
  // (the audio encoder's last two stages: 30 of its 38 ms at batch 1). With
  // no gradient to track, oneDNN is called directly: the same sums, in
  // another order.
  if (fast_kernels () && !torch::GradMode::is_enabled () && padding != nullptr &&
      c10::get_if<torch::enumtype::kZeros> (&o.padding_mode ()) != nullptr &&
      x.device ().is_cpu () && x.scalar_type () == torch::kFloat && at::hasMKLDNN ())
    return at::mkldnn_convolution (x, conv.weight,
                                   conv.bias.defined () ? c10::optional<torch::Tensor> (conv.bias)
                                                        : c10::nullopt,
                                   *padding, *o.stride (), *o.dilation (), o.groups ());
  return conv.forward (x);
}

torch::Tensor
forward_layer (torch::nn::AnyModule &layer, const torch::Tensor &x)
{
  if (auto *c = layer.ptr ()->as<torch::nn::Conv2d> ())
    return conv_forward (*c, x);
  return layer.forward (x);
}

torch::Tensor
spectrogram (const torch::Tensor &wave)
{
  TORCH_CHECK (wave.dim () == 2, "spectrogram: expected [B, samples], got ", wave.sizes ());

  // A periodic Hann window of 400 that stft centres inside the 512 frame
  auto window = torch::hann_window (400, /* periodic */ true,
                                    torch::TensorOptions ().dtype (wave.scalar_type ())
                                                           .device (wave.device ()));
  auto spec = torch::stft (wave, 512, 160, 400, window,
                           /* center */ true, "reflect",
                           /* normalized */ false, /* onesided */ true,
                           /* return_complex */ true);

  return spec.abs ().unsqueeze (1);
}

BlurDownsampleImpl::BlurDownsampleImpl (int64_t channels_)
  : channels (channels_)
{
  filt = register_buffer ("filt", binomial_filter ({1.0, 2.0, 1.0}, channels, 1.0));
}

torch::Tensor
BlurDownsampleImpl::forward (const torch::Tensor &x)
{
  auto padded = F::pad (x, F::PadFuncOptions ({1, 1, 1, 1}).mode (torch::kReflect));

  return F::conv2d (padded, filt, F::Conv2dFuncOptions ().stride (2).groups (channels));
}

BlurUpsampleImpl::BlurUpsampleImpl (int64_t channels_)
  : channels (channels_)
{
  // Times stride squared: the transposed conv spreads each input pixel
  // over four outputs, so the filter must sum to 4 to keep the mean
  filt = register_buffer ("filt", binomial_filter ({1.0, 3.0, 3.0, 1.0}, channels, 4.0));
}

torch::Tensor
BlurUpsampleImpl::forward (const torch::Tensor &x)
{
  return apply (x, filt);
}

torch::Tensor
BlurUpsampleImpl::apply (const torch::Tensor &x, const torch::Tensor &filt)
{
  // The filter's rows [1 3 3 1] / 4 on a stride of 2 give each output
  // 3/4 of its nearer input and 1/4 of the other, and replicate padding
  // repeats the edge: exactly bilinear doubling with half-pixel centres.
  // libtorch's bilinear kernel runs 5 to 10 times faster than the depthwise
  // transposed conv (and its gradient too); the filter is a fixed buffer,
  // never trained. apply_plain is the published form, for the tests.
  if (fast_kernels ())
    return F::interpolate (x, F::InterpolateFuncOptions ()
                                .scale_factor (std::vector<double> {2.0, 2.0})
                                .mode (torch::kBilinear)
                                .align_corners (false));
  return apply_plain (x, filt);
}

torch::Tensor
BlurUpsampleImpl::apply_plain (const torch::Tensor &x, const torch::Tensor &filt)
{
  int64_t channels = x.size (1);
  auto padded = F::pad (x, F::PadFuncOptions ({1, 1, 1, 1}).mode (torch::kReplicate));
  auto up = F::conv_transpose2d (padded, filt.slice (0, 0, channels),
                                 F::ConvTranspose2dFuncOptions ().stride (2)
                                                                 .padding (2)
                                                                 .groups (channels));
  int64_t h = up.size (2), w = up.size (3);

  // The even filter leaves one extra row and column on each side
  return up.slice (2, 1, h - 1).slice (3, 1, w - 1);
}

ResnetBlockImpl::ResnetBlockImpl (int64_t dim)
{
  conv_block = torch::nn::Sequential (
    torch::nn::ReflectionPad2d (1),
    conv (dim, dim, 3, 1, 0),
    instance_norm (dim),
    torch::nn::ReLU (),
    torch::nn::ReflectionPad2d (1),
    conv (dim, dim, 3, 1, 0),
    instance_norm (dim));
  register_module ("conv_block", conv_block);
}

torch::Tensor
ResnetBlockImpl::forward (const torch::Tensor &x)
{
  auto h = x;

  for (auto &layer : *conv_block)
    h = forward_layer (layer, h);
  return x + h;
}

void
init_xavier (torch::nn::Module &module, double gain)
{
  torch::NoGradGuard no_grad;

  for (auto &m : module.modules (/* include_self */ true))
    {
      torch::Tensor weight, bias;

      if (auto *c = m->as<torch::nn::Conv2d> ())
        weight = c->weight, bias = c->bias;
      else if (auto *l = m->as<torch::nn::Linear> ())
        weight = l->weight, bias = l->bias;
      else
        continue;

      torch::nn::init::xavier_normal_ (weight, gain);
      if (bias.defined ())
        bias.zero_ ();
    }
}

}  // namespace adis
