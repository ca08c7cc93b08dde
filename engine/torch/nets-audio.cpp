// nets-audio.cpp: the audio encoder (a ResNet on the spectrogram) and the
// keyword embedding of the label baseline
//
// SPDX-License-Identifier: MIT
//
// Every module is built in the order, and with the names, of the reference's
// state dicts: a weight file written by the PyTorch implementation loads
// here name for name and gives the same numbers.

#include "nets-private.h"

#include "distributed.h"

namespace F = torch::nn::functional;

namespace adis {

namespace {

// torchvision's BasicBlock: two 3x3 convs with BatchNorm, and a 1x1 conv
// "downsample" on the shortcut when the shape changes. Every BatchNorm of
// the audio encoder goes through adis::batch_norm: bn's own forward, except
// when a data-parallel job synchronises the statistics over its ranks
struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl (int64_t in, int64_t out, int64_t stride)
  {
    conv1 = register_module ("conv1", conv (in, out, 3, stride, 1, false));
    bn1 = register_module ("bn1", torch::nn::BatchNorm2d (out));
    conv2 = register_module ("conv2", conv (out, out, 3, 1, 1, false));
    bn2 = register_module ("bn2", torch::nn::BatchNorm2d (out));
    if (stride != 1 || in != out)
      downsample = register_module ("downsample",
                                    torch::nn::Sequential (conv (in, out, 1, stride, 0, false),
                                                           torch::nn::BatchNorm2d (out)));
  }

  torch::Tensor
  forward (const torch::Tensor &x)
  {
    auto h = torch::relu (batch_norm (*bn1, conv_forward (*conv1, x)));
    auto shortcut = x;

    if (downsample)
      {
        for (auto &layer : *downsample)
          {
            auto *bn = layer.ptr ()->as<torch::nn::BatchNorm2d> ();
            shortcut = bn != nullptr ? batch_norm (*bn, shortcut) : forward_layer (layer, shortcut);
          }
      }
    h = batch_norm (*bn2, conv_forward (*conv2, h));
    return torch::relu (h + shortcut);
  }

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE (BasicBlock);

torch::nn::Sequential
resnet_layer (int64_t in, int64_t out, int64_t stride)
{
  return torch::nn::Sequential (BasicBlock (in, out, stride), BasicBlock (out, out, 1));
}

}  // namespace

// The level every clip is heard at with the level split, and the quietest
// one it is raised from (a near-silent clip is not amplified into noise).
// The scale matches the renderer's loudness law (adis-synth.h) but is the
// model's own: a model file's level network learnt it, so it must not move
// if the renderer's law does
constexpr double kLevelReferenceRms = 0.1;     // -20 dBFS
constexpr double kLevelFloorRms = 1e-4;        // -80 dBFS
constexpr double kLevelRangeDb = 24.0;
constexpr int64_t kLevelHidden = 16;
// The level network's output is scaled up so that Adam, whose steps are
// about lr for every weight, moves it from zero as fast as the embedding it
// adds to (as the audio FiLM's kFilmGain): unscaled, 200 fine-tuning steps
// at 1e-4 left the gain slider doing next to nothing
constexpr double kLevelGain = 10.0;

static torch::Tensor
clip_rms (const torch::Tensor &wave)
{
  return wave.pow (2).mean (1, /* keepdim */ true).sqrt ().clamp_min (kLevelFloorRms);
}

// (dBFS + 20) / 24: 0 at -20 dBFS, -1 at -44 dBFS
static torch::Tensor
level_of_rms (const torch::Tensor &rms)
{
  return (20.0 * torch::log10 (rms / kLevelReferenceRms)) / kLevelRangeDb;
}

AudioEncoderImpl::AudioEncoderImpl (int64_t width, int64_t embed_dim, bool level_split)
{
  // The reference's stem pads by 1, not torchvision's 3
  conv1 = register_module ("conv1", conv (1, width, 7, 2, 1, false));
  bn1 = register_module ("bn1", torch::nn::BatchNorm2d (width));
  layer1 = register_module ("layer1", resnet_layer (width, width, 1));
  layer2 = register_module ("layer2", resnet_layer (width, 2 * width, 2));
  layer3 = register_module ("layer3", resnet_layer (2 * width, 4 * width, 2));
  layer4 = register_module ("layer4", resnet_layer (4 * width, 8 * width, 2));
  fc = register_module ("fc", torch::nn::Linear (8 * width, embed_dim));
  if (level_split)
    {
      level = register_module ("level", torch::nn::Sequential (torch::nn::Linear (1, kLevelHidden),
                                                               torch::nn::ReLU (),
                                                               torch::nn::Linear (kLevelHidden, embed_dim)));
      // Added to a trained encoder, it starts by adding nothing
      torch::NoGradGuard no_grad;
      auto *last = level[2]->as<torch::nn::Linear> ();
      last->weight.zero_ ();
      last->bias.zero_ ();
    }
}

torch::Tensor
AudioEncoderImpl::embed_wave (const torch::Tensor &wave)
{
  if (!level)
    return forward (spectrogram (wave));

  auto rms = clip_rms (wave);

  return forward (spectrogram (wave * (kLevelReferenceRms / rms))) +
         level->forward (level_of_rms (rms)) * kLevelGain;
}

torch::Tensor
AudioEncoderImpl::forward (const torch::Tensor &spec)
{
  auto h = torch::relu (batch_norm (*bn1, conv_forward (*conv1, spec)));

  h = F::max_pool2d (h, F::MaxPool2dFuncOptions (3).stride (2).padding (1));
  h = layer4->forward (layer3->forward (layer2->forward (layer1->forward (h))));
  h = h.mean ({2, 3});
  return fc->forward (h);
}

KeywordEmbeddingImpl::KeywordEmbeddingImpl (int64_t n_keywords, int64_t embed_dim)
{
  weight = register_parameter ("weight", torch::randn ({n_keywords, embed_dim}));
}

torch::Tensor
KeywordEmbeddingImpl::forward (const torch::Tensor &categories)
{
  return weight.index_select (0, categories.to (torch::kLong));
}

}  // namespace adis
