// nets-discriminator.cpp: the two discriminators, early and late fusion
//
// SPDX-License-Identifier: MIT
//
// Every module is built in the order, and with the names, of the reference's
// state dicts: a weight file written by the PyTorch implementation loads
// here name for name and gives the same numbers.

#include "nets-private.h"

namespace F = torch::nn::functional;

namespace adis {

torch::Tensor
discriminator_audio_planes (const torch::Tensor &spec, int64_t size)
{
  auto planes = spec.repeat ({1, 3, 1, 1}).slice (2, 0, 256).slice (3, 0, 256);

  // The reference trains at 256 only; other crops see the same 256 x 256
  // corner of the spectrogram, resized to the image (documented choice)
  if (size != 256)
    planes = F::interpolate (planes, F::InterpolateFuncOptions ()
                                       .size (std::vector<int64_t> {size, size})
                                       .mode (torch::kBilinear)
                                       .align_corners (false));
  return planes;
}

DiscriminatorImpl::DiscriminatorImpl (int64_t ndf, int64_t in_channels_)
  : in_channels (in_channels_)
{
  model = torch::nn::Sequential (
    conv (in_channels, ndf, 4, 1, 1), leaky_relu (), BlurDownsample (ndf),
    conv (ndf, 2 * ndf, 4, 1, 1), instance_norm (2 * ndf), leaky_relu (), BlurDownsample (2 * ndf),
    conv (2 * ndf, 4 * ndf, 4, 1, 1), instance_norm (4 * ndf), leaky_relu (), BlurDownsample (4 * ndf),
    conv (4 * ndf, 8 * ndf, 4, 1, 1), instance_norm (8 * ndf), leaky_relu (),
    conv (8 * ndf, 1, 4, 1, 1));
  register_module ("model", model);
}

torch::Tensor
DiscriminatorImpl::forward (const torch::Tensor &image, const torch::Tensor &spec)
{
  if (in_channels == 3)
    return model->forward (image);
  return model->forward (torch::cat ({image, discriminator_audio_planes (spec, image.size (2))}, 1));
}

LateFusionDiscriminatorImpl::LateFusionDiscriminatorImpl (int64_t ndf)
{
  image = torch::nn::Sequential (
    conv (3, ndf, 4, 1, 1), leaky_relu (), BlurDownsample (ndf),
    conv (ndf, 2 * ndf, 4, 1, 1), instance_norm (2 * ndf), leaky_relu (), BlurDownsample (2 * ndf),
    conv (2 * ndf, 4 * ndf, 4, 1, 1), instance_norm (4 * ndf), leaky_relu (), BlurDownsample (4 * ndf),
    conv (4 * ndf, 8 * ndf, 4, 1, 1), instance_norm (8 * ndf), leaky_relu ());
  // Strided convs shrink the 257 x 301 spectrogram to a vector; no norm so
  // a batch of one still has statistics to spare
  audio = torch::nn::Sequential (
    conv (1, ndf, 4, 2, 1), leaky_relu (),
    conv (ndf, 2 * ndf, 4, 2, 1), leaky_relu (),
    conv (2 * ndf, 4 * ndf, 4, 2, 1), leaky_relu (),
    conv (4 * ndf, 8 * ndf, 4, 2, 1), leaky_relu ());
  classifier = torch::nn::Sequential (
    conv (16 * ndf, 8 * ndf, 4, 1, 1), leaky_relu (),
    conv (8 * ndf, 1, 4, 1, 1));
  register_module ("image", image);
  register_module ("audio", audio);
  register_module ("classifier", classifier);
}

torch::Tensor
LateFusionDiscriminatorImpl::forward (const torch::Tensor &img, const torch::Tensor &spec)
{
  auto h = image->forward (img);
  auto a = audio->forward (spec).mean ({2, 3}, /* keepdim */ true);

  a = a.expand ({-1, -1, h.size (2), h.size (3)});
  return classifier->forward (torch::cat ({h, a}, 1));
}

}  // namespace adis
