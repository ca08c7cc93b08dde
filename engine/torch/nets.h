// nets.h: the networks of the published model, as libtorch modules
//
// SPDX-License-Identifier: MIT
//
// Parameter names follow the reference's state dicts (CUT's numbered
// Sequential "model.N" for G and D, torchvision's ResNet names for the audio
// encoder), so model files and imported checkpoints line up name for name.
#pragma once

#include <torch/torch.h>
#include <vector>

extern "C" {
#include "adis-config.h"
}

#include "head.h"

namespace adis {

// The exact fast kernels (oneDNN for batch-1 convolutions in inference and
// for PatchNCE's MLPs and negatives in training, bilinear blur-upsampling
// everywhere) are on unless ADIS_FAST_KERNELS=0 is in the environment (to
// time the plain, published form) or a test turns them off (to compare
// results with it, or with the reference)
void set_fast_kernels (bool on);
bool fast_kernels ();

// conv.forward (x), or the same through oneDNN when no gradient is tracked
// (see nets.cpp: libtorch leaves small batch-1 inputs to a slow path)
torch::Tensor conv_forward (torch::nn::Conv2dImpl &conv, const torch::Tensor &x);
// layer.forward (x), through conv_forward for a Conv2d
torch::Tensor forward_layer (torch::nn::AnyModule &layer, const torch::Tensor &x);

// STFT magnitude: n_fft 512, periodic Hann 400 zero-padded to 512 and
// centred, hop 160, reflect centre padding, no log.
// [B, 48000] -> [B, 1, 257, 301]; runs on the wave's device.
torch::Tensor spectrogram (const torch::Tensor &wave);

// Reflect-pad 1, depthwise conv with outer([1,2,1],[1,2,1])/16, stride 2.
// The filter is a buffer named "filt", as in the reference.
struct BlurDownsampleImpl : torch::nn::Module {
  explicit BlurDownsampleImpl (int64_t channels);
  torch::Tensor forward (const torch::Tensor &x);
  int64_t channels;
  torch::Tensor filt;
};
TORCH_MODULE (BlurDownsample);

// Replicate-pad 1, depthwise transposed conv stride 2 padding 2 with
// outer([1,3,3,1],[1,3,3,1])/64 * 4, then drop the outer row and column on
// each side: exactly 2x. Buffer "filt".
struct BlurUpsampleImpl : torch::nn::Module {
  explicit BlurUpsampleImpl (int64_t channels);
  // The same on the first x.size (1) channels' filters only (the filter is
  // equal for every channel), for the folded decoder
  static torch::Tensor apply (const torch::Tensor &x, const torch::Tensor &filt);
  // The transposed conv itself; apply () computes the same as bilinear
  // doubling when fast kernels are on
  static torch::Tensor apply_plain (const torch::Tensor &x, const torch::Tensor &filt);
  torch::Tensor forward (const torch::Tensor &x);
  int64_t channels;
  torch::Tensor filt;
};
TORCH_MODULE (BlurUpsample);

// x + [reflect 1, conv 3x3, IN, ReLU, reflect 1, conv 3x3, IN](x);
// convs are "conv_block.1" and "conv_block.5".
struct ResnetBlockImpl : torch::nn::Module {
  explicit ResnetBlockImpl (int64_t dim);
  torch::Tensor forward (const torch::Tensor &x);
  torch::nn::Sequential conv_block{nullptr};
};
TORCH_MODULE (ResnetBlock);

// The anti-aliased ResNet generator. One Sequential "model": indices
// 0..11 the stem and two blur-downsamplings, 12..(11 + n_blocks) the residual
// blocks (the encoder), then the decoder: blur-up(C0), conv C0->C0/2, IN,
// ReLU, blur-up(C0/2), conv C0/2->C0/4, IN, ReLU, reflect 3, conv 7x7
// C0/4->3, tanh; where C0 = 4 ngf + embed_dim (512 in the paper).
// With config.head == ADIS_HEAD_GRID, "model" ends after the encoder and
// the module "head" (head.h) takes the decoder's place.
struct GeneratorImpl : torch::nn::Module {
  explicit GeneratorImpl (const AdisConfig &config);
  // The encoder's output at H/4 x W/4, 4 ngf channels
  torch::Tensor encode (const torch::Tensor &x);
  // Outputs of the encoder layers with the given indices (ascending), e.g.
  // adis_config_nce_layers; stops after the last one
  std::vector<torch::Tensor> encode_features (const torch::Tensor &x,
                                              const std::vector<int64_t> &layers);
  // The encoder's output, and the outputs of the given layers (ascending)
  // on the way: one pass serves both G(x) and PatchNCE's keys
  torch::Tensor encode_with_features (const torch::Tensor &x,
                                      const std::vector<int64_t> &layers,
                                      std::vector<torch::Tensor> *feats);
  // Tiles embedding [B, E] over code [B, 4 ngf, h, w], concatenates, decodes
  // (the pixel decoder only)
  torch::Tensor decode (const torch::Tensor &code, const torch::Tensor &embedding);
  // The same fused code through the grid head (grid models only)
  GridLook decode_look (const torch::Tensor &code, const torch::Tensor &embedding);
  // The picture for code and embedding: decode () for the pixel decoder; for
  // the grid head its look applied to photo, the image the code was made of
  torch::Tensor render (const torch::Tensor &code, const torch::Tensor &embedding,
                        const torch::Tensor &photo);

  // The same decoder, folded for sliders (equal to decode () up to float
  // rounding). The first decoder conv is linear in its input, which is the
  // up-sampled code stacked on the up-sampled tiled embedding; so its output
  // is the code's share plus the embedding's share. The code's share (bias
  // included) does not depend on the sound: compute it once per photo with
  // decode_image_share and finish each sound with decode_from_share.
  // [B, 4 ngf, h, w] -> [B, C0 / 2, 2 h, 2 w]
  torch::Tensor decode_image_share (const torch::Tensor &code);
  // The tiled embedding stays constant through the blur-upsampling, so its
  // share is one value per channel, except in the outer rows and columns
  // where the conv's zero padding drops taps: [B, C0 / 2, height, width]
  torch::Tensor decode_sound_share (const torch::Tensor &embedding,
                                    int64_t height, int64_t width);
  torch::Tensor decode_from_share (const torch::Tensor &image_share,
                                   const torch::Tensor &embedding);
  torch::Tensor forward (const torch::Tensor &x, const torch::Tensor &embedding);
  int64_t n_encoder_layers;   // 12 + n_blocks
  torch::nn::Sequential model{nullptr};
  GridHead head{nullptr};      // with ADIS_HEAD_GRID
  // With config.audio_film: embedding -> a scale and a shift for each
  // channel after every decoder (or head) norm, h (1 + scale) + shift (see
  // AdisConfig.audio_film); starts at zero, so it changes nothing until
  // training teaches it
  torch::nn::Linear audio_film{nullptr};
  std::vector<int64_t> film_channels;
  void zero_audio_film ();
  // With config.grid.rain_streaks: embedding -> the strength of the rain
  // streaks that adis-streaks.h draws (AdisGridHead.rain_streaks); starts
  // near zero, no streaks
  torch::nn::Linear rain_streaks{nullptr};
  // [B, E] -> [B] in (0, 1); needs rain_streaks
  torch::Tensor streak_strength (const torch::Tensor &embedding);
  void reset_rain_streaks ();
  // After a fresh initialisation (init_xavier): FiLM at zero and the grid
  // head at the identity, so training starts from "change nothing"
  void reset_beyond_paper ();
  // (scale, shift) per norm, [B, C, 1, 1] each; empty without FiLM
  std::vector<torch::Tensor> film (const torch::Tensor &embedding);

private:
  void add_audio_film (const AdisConfig &config);
  // The decoder from layer `first` on; the audio FiLM goes in after its norms
  torch::Tensor decode_rest (torch::Tensor h, const torch::Tensor &embedding, int64_t first);
};
TORCH_MODULE (Generator);

// ResNet-18 (BasicBlock 2-2-2-2, BatchNorm) on [B, 1, 257, 301] with the
// reference's stem (7x7 stride 2 padding 1, no bias), global average pool,
// fc (8 w -> embed_dim). torchvision's names: conv1, bn1, layer1..4, fc.
// Default (framework) initialisation.
//
// With level_split (config.audio_level, beyond the paper) the encoder also
// has "level": Linear (1, 16), ReLU, Linear (16, embed_dim), its last layer
// starting at zero.
struct AudioEncoderImpl : torch::nn::Module {
  AudioEncoderImpl (int64_t width, int64_t embed_dim, bool level_split = false);
  torch::Tensor forward (const torch::Tensor &spec);
  // The embedding of clips [B, samples]: forward (spectrogram (wave)); with
  // the level split, the ResNet hears each clip brought to -20 dBFS RMS and
  // "level" adds what its own RMS level, (dBFS + 20) / 24, says (below -80
  // dBFS it reads as -80)
  torch::Tensor embed_wave (const torch::Tensor &wave);
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::nn::Sequential level{nullptr};
};
TORCH_MODULE (AudioEncoder);

// The label baseline: one learned embedding per category ("weight")
struct KeywordEmbeddingImpl : torch::nn::Module {
  KeywordEmbeddingImpl (int64_t n_keywords, int64_t embed_dim);
  torch::Tensor forward (const torch::Tensor &categories);   // int64 [B] -> [B, E]
  torch::Tensor weight;
};
TORCH_MODULE (KeywordEmbedding);

// Builds D's input for early fusion: the spectrogram repeated to 3 channels,
// cropped to its first 256 bins x 256 frames and, for a crop size other than
// 256, resized bilinearly to size x size. [B,1,257,301] -> [B,3,size,size]
torch::Tensor discriminator_audio_planes (const torch::Tensor &spec, int64_t size);

// PatchGAN, 3 layers, anti-aliased, early fusion: input cat(image, audio
// planes) = 6 channels. Sequential "model": conv 4x4 s1 p1 6->ndf, LReLU
// 0.2, blur-down, conv ndf->2ndf, IN, LReLU, blur-down, conv 2ndf->4ndf, IN,
// LReLU, blur-down, conv 4ndf->8ndf, IN, LReLU, conv 8ndf->1. All biased.
struct DiscriminatorImpl : torch::nn::Module {
  DiscriminatorImpl (int64_t ndf, int64_t in_channels);
  // image [B,3,S,S], spec [B,1,257,301] (ignored when in_channels == 3)
  torch::Tensor forward (const torch::Tensor &image, const torch::Tensor &spec);
  int64_t in_channels;
  torch::nn::Sequential model{nullptr};
};
TORCH_MODULE (Discriminator);

// The paper's late-fusion ablation: the PatchGAN trunk on the image alone
// ("image"), a small conv encoder on the spectrogram pooled to a vector
// ("audio"), tiled and joined before a 4x4 classifier ("classifier").
struct LateFusionDiscriminatorImpl : torch::nn::Module {
  explicit LateFusionDiscriminatorImpl (int64_t ndf);
  torch::Tensor forward (const torch::Tensor &image, const torch::Tensor &spec);
  torch::nn::Sequential image{nullptr}, audio{nullptr}, classifier{nullptr};
};
TORCH_MODULE (LateFusionDiscriminator);

// PatchSample MLPs: per layer "mlp_K" = Linear(C_K, mlp_dim), ReLU,
// Linear(mlp_dim, mlp_dim); then x / (||x|| + 1e-7). Built for known channel
// counts (the reference creates the same layers lazily on the first batch).
struct PatchSampleMLPImpl : torch::nn::Module {
  PatchSampleMLPImpl (const std::vector<int64_t> &channels, int64_t mlp_dim);
  // For each feature map [B, C, H, W]: take the positions in patch_ids[k]
  // (or, when patch_ids is empty, the first n_patches of one random
  // permutation, shared by the batch, returned through out_ids), run the
  // MLP and normalise: [B * n_patches, mlp_dim].
  std::vector<torch::Tensor> forward (const std::vector<torch::Tensor> &feats,
                                      int64_t n_patches,
                                      const std::vector<torch::Tensor> &patch_ids,
                                      std::vector<torch::Tensor> *out_ids);
  std::vector<torch::nn::Sequential> mlps;
};
TORCH_MODULE (PatchSampleMLP);

// The channel counts of the generator's NCE taps for a config
std::vector<int64_t> nce_channels (const AdisConfig &config);
std::vector<int64_t> nce_layers (const AdisConfig &config);

// Xavier-normal with gain, zero biases, on every conv and linear weight
// below module (the reference's init for G, D and the MLPs)
void init_xavier (torch::nn::Module &module, double gain);

}  // namespace adis
