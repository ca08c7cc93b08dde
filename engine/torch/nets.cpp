// nets.cpp: the networks of the published model
//
// SPDX-License-Identifier: MIT
//
// Every module is built in the order, and with the names, of the reference's
// state dicts: a weight file written by the PyTorch implementation loads
// here name for name and gives the same numbers.

#include "nets.h"

#include <ATen/ops/mkldnn_convolution.h>
#include <atomic>
#include <cmath>

#include "distributed.h"

namespace F = torch::nn::functional;

namespace adis {

namespace {

constexpr double kNormEps = 1e-5;
constexpr double kSlope = 0.2;

torch::nn::InstanceNorm2d
instance_norm (int64_t channels)
{
  // No affine parameters and no running statistics: nothing to save
  return torch::nn::InstanceNorm2d (torch::nn::InstanceNorm2dOptions (channels)
                                      .eps (kNormEps)
                                      .affine (false)
                                      .track_running_stats (false));
}

torch::nn::Conv2d
conv (int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool bias = true)
{
  return torch::nn::Conv2d (torch::nn::Conv2dOptions (in, out, kernel)
                              .stride (stride)
                              .padding (padding)
                              .bias (bias));
}

torch::nn::LeakyReLU
leaky_relu ()
{
  return torch::nn::LeakyReLU (torch::nn::LeakyReLUOptions ().negative_slope (kSlope));
}

// A depthwise filter [C, 1, k, k] from the binomial row taps, normalised
torch::Tensor
binomial_filter (const std::vector<double> &taps, int64_t channels, double scale)
{
  auto row = torch::tensor (taps, torch::kFloat32);
  auto filt = torch::outer (row, row);

  filt = filt / filt.sum () * scale;
  return filt.unsqueeze (0).unsqueeze (0).repeat ({channels, 1, 1, 1}).contiguous ();
}

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

GeneratorImpl::GeneratorImpl (const AdisConfig &config)
{
  int64_t ngf = config.ngf;
  int64_t c0 = 4 * ngf + config.embed_dim;

  model = torch::nn::Sequential ();

  // Encoder: indices 0..11, then the residual blocks
  model->push_back (torch::nn::ReflectionPad2d (3));
  model->push_back (conv (3, ngf, 7, 1, 0));
  model->push_back (instance_norm (ngf));
  model->push_back (torch::nn::ReLU ());
  model->push_back (conv (ngf, 2 * ngf, 3, 1, 1));
  model->push_back (instance_norm (2 * ngf));
  model->push_back (torch::nn::ReLU ());
  model->push_back (BlurDownsample (2 * ngf));
  model->push_back (conv (2 * ngf, 4 * ngf, 3, 1, 1));
  model->push_back (instance_norm (4 * ngf));
  model->push_back (torch::nn::ReLU ());
  model->push_back (BlurDownsample (4 * ngf));
  for (int i = 0; i < config.n_blocks; i++)
    model->push_back (ResnetBlock (4 * ngf));
  n_encoder_layers = (int64_t) model->size ();

  if (config.head == ADIS_HEAD_GRID)
    {
      register_module ("model", model);
      head = register_module ("head", GridHead (config));
      film_channels = head->norm_channels ();
      add_audio_film (config);
      return;
    }

  // Decoder on the fused code
  model->push_back (BlurUpsample (c0));
  model->push_back (conv (c0, c0 / 2, 3, 1, 1));
  model->push_back (instance_norm (c0 / 2));
  model->push_back (torch::nn::ReLU ());
  model->push_back (BlurUpsample (c0 / 2));
  model->push_back (conv (c0 / 2, c0 / 4, 3, 1, 1));
  model->push_back (instance_norm (c0 / 4));
  model->push_back (torch::nn::ReLU ());
  model->push_back (torch::nn::ReflectionPad2d (3));
  model->push_back (conv (c0 / 4, 3, 7, 1, 0));
  model->push_back (torch::nn::Tanh ());

  register_module ("model", model);
  // Both decoder norms
  film_channels = { c0 / 2, c0 / 4 };
  add_audio_film (config);
}

void
GeneratorImpl::add_audio_film (const AdisConfig &config)
{
  int64_t total = 0;

  if (!config.audio_film)
    return;
  // A scale and a shift for each channel of every norm after the fusion
  for (int64_t c : film_channels)
    total += 2 * c;
  audio_film = register_module ("audio_film", torch::nn::Linear (config.embed_dim, total));
  zero_audio_film ();
}

void
GeneratorImpl::reset_beyond_paper ()
{
  zero_audio_film ();
  if (head)
    head->reset_output ();
}

std::vector<torch::Tensor>
GeneratorImpl::film (const torch::Tensor &embedding)
{
  std::vector<int64_t> sizes;
  std::vector<torch::Tensor> pairs;

  if (!audio_film)
    return pairs;

  // Scaled up so that Adam, whose steps are about lr for every weight,
  // moves this layer (from zero) about as fast as the normalised features
  // it modulates; the same trick as an equalised learning rate
  constexpr double kFilmGain = 10.0;
  auto all = audio_film->forward (embedding) * kFilmGain;
  int64_t b = all.size (0);

  for (int64_t c : film_channels)
    {
      sizes.push_back (c);
      sizes.push_back (c);
    }
  pairs = all.split_with_sizes (sizes, 1);
  for (auto &t : pairs)
    t = t.view ({ b, t.size (1), 1, 1 });
  return pairs;
}

void
GeneratorImpl::zero_audio_film ()
{
  torch::NoGradGuard no_grad;

  if (audio_film)
    {
      audio_film->weight.zero_ ();
      audio_film->bias.zero_ ();
    }
}

torch::Tensor
GeneratorImpl::decode_rest (torch::Tensor        h,
                            const torch::Tensor &embedding,
                            int64_t              first)
{
  // The decoder's norms: layers n + 2 (after blur-upsample and conv) and
  // n + 6 (after the second pair)
  const int64_t norms[2] = { n_encoder_layers + 2, n_encoder_layers + 6 };
  std::vector<torch::Tensor> pairs = film (embedding);
  int64_t i = 0;

  for (auto &layer : *model)
    {
      if (i < first)
        {
          i++;
          continue;
        }
      h = forward_layer (layer, h);
      for (int k = 0; k < 2 && !pairs.empty (); k++)
        if (i == norms[k])
          h = torch::addcmul (h + pairs[2 * k + 1], h, pairs[2 * k]);   // h (1 + scale) + shift
      i++;
    }
  return h;
}

torch::Tensor
GeneratorImpl::encode (const torch::Tensor &x)
{
  auto h = x;
  int64_t i = 0;

  for (auto &layer : *model)
    {
      if (i++ >= n_encoder_layers)
        break;
      h = forward_layer (layer, h);
    }
  return h;
}

torch::Tensor
GeneratorImpl::encode_with_features (const torch::Tensor &x,
                                     const std::vector<int64_t> &layers,
                                     std::vector<torch::Tensor> *feats)
{
  auto h = x;
  size_t next = 0;
  int64_t i = 0;

  feats->clear ();
  for (auto &layer : *model)
    {
      if (i >= n_encoder_layers)
        break;
      h = forward_layer (layer, h);
      if (next < layers.size () && i == layers[next])
        {
          feats->push_back (h);
          next++;
        }
      i++;
    }
  TORCH_CHECK (next == layers.size (), "encode_with_features: layer ", layers[next],
               " is beyond the encoder's ", n_encoder_layers, " layers");
  return h;
}

std::vector<torch::Tensor>
GeneratorImpl::encode_features (const torch::Tensor &x,
                                const std::vector<int64_t> &layers)
{
  std::vector<torch::Tensor> feats;
  size_t next = 0;
  int64_t i = 0;
  auto h = x;

  if (layers.empty ())
    return feats;

  for (auto &layer : *model)
    {
      if (i >= n_encoder_layers)
        break;
      h = forward_layer (layer, h);
      if (i == layers[next])
        {
          feats.push_back (h);
          if (++next == layers.size ())
            break;
        }
      i++;
    }
  TORCH_CHECK (next == layers.size (), "encode_features: layer ", layers[next],
               " is beyond the encoder's ", n_encoder_layers, " layers");
  return feats;
}

static torch::Tensor
fuse (const torch::Tensor &code, const torch::Tensor &embedding)
{
  auto tiled = embedding.view ({embedding.size (0), embedding.size (1), 1, 1})
                        .expand ({-1, -1, code.size (2), code.size (3)});
  return torch::cat ({code, tiled}, 1);
}

torch::Tensor
GeneratorImpl::decode (const torch::Tensor &code, const torch::Tensor &embedding)
{
  TORCH_CHECK (!head, "decode: this generator has the grid head");
  return decode_rest (fuse (code, embedding), embedding, n_encoder_layers);
}

GridLook
GeneratorImpl::decode_look (const torch::Tensor &code, const torch::Tensor &embedding)
{
  TORCH_CHECK (head, "decode_look: this generator has the pixel decoder");
  return head->forward (fuse (code, embedding), film (embedding));
}

torch::Tensor
GeneratorImpl::render (const torch::Tensor &code, const torch::Tensor &embedding,
                       const torch::Tensor &photo)
{
  if (head)
    return head->apply (decode_look (code, embedding), photo);
  return decode (code, embedding);
}

torch::Tensor
GeneratorImpl::decode_image_share (const torch::Tensor &code)
{
  auto *up = model->ptr (n_encoder_layers)->as<BlurUpsample> ();
  auto *first = model->ptr (n_encoder_layers + 1)->as<torch::nn::Conv2d> ();
  int64_t code_channels = code.size (1);

  TORCH_CHECK (!head && up != nullptr && first != nullptr, "decode_image_share: unexpected decoder layout");
  // Only the code's input channels of the conv; its bias goes here, once
  return F::conv2d (BlurUpsampleImpl::apply (code, up->filt),
                    first->weight.slice (1, 0, code_channels),
                    F::Conv2dFuncOptions ().bias (first->bias).padding (1));
}

torch::Tensor
GeneratorImpl::decode_sound_share (const torch::Tensor &embedding,
                                   int64_t height, int64_t width)
{
  auto *first = model->ptr (n_encoder_layers + 1)->as<torch::nn::Conv2d> ();
  int64_t batch = embedding.size (0);
  int64_t embed_dim = embedding.size (1);
  int64_t out_channels = first->weight.size (0);
  int64_t in_channels = first->weight.size (1);
  // [C_out, E, 3, 3]: the taps that read the embedding's channels
  auto w = first->weight.slice (1, in_channels - embed_dim, in_channels);
  // Per image and output channel, each tap's weight on this embedding:
  // [B, C_out * 9] -> [B C_out, 1, 3, 3]
  auto taps = torch::matmul (embedding, w.transpose (0, 1).reshape ({embed_dim, -1}))
                .reshape ({batch * out_channels, 1, 3, 3});
  // Convolving a field of ones of up to 3 x 3 gives every distinct value:
  // first row or column, inner ones, last
  int64_t rows = std::min<int64_t> (height, 3), cols = std::min<int64_t> (width, 3);
  auto ones = torch::ones ({1, 1, rows, cols}, embedding.options ());
  auto distinct = F::conv2d (ones.expand ({1, batch * out_channels, rows, cols}), taps,
                             F::Conv2dFuncOptions ().padding (1).groups (batch * out_channels))
                    .reshape ({batch, out_channels, rows, cols});
  auto spread = [&] (int64_t n, int64_t n_distinct) {
    auto index = torch::ones ({n}, torch::TensorOptions ().dtype (torch::kLong)
                                                          .device (embedding.device ()));
    index[0] = 0;
    index[n - 1] = n_distinct - 1;
    return index;
  };

  return distinct.index_select (2, spread (height, rows)).index_select (3, spread (width, cols));
}

torch::Tensor
GeneratorImpl::decode_from_share (const torch::Tensor &image_share,
                                  const torch::Tensor &embedding)
{
  auto h = image_share + decode_sound_share (embedding, image_share.size (2), image_share.size (3));

  // The rest of the decoder, after the blur-upsampling and the first conv
  return decode_rest (h, embedding, n_encoder_layers + 2);
}

torch::Tensor
GeneratorImpl::forward (const torch::Tensor &x, const torch::Tensor &embedding)
{
  return render (encode (x), embedding, x);
}

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

AudioEncoderImpl::AudioEncoderImpl (int64_t width, int64_t embed_dim)
{
  // The reference's stem pads by 1, not torchvision's 3
  conv1 = register_module ("conv1", conv (1, width, 7, 2, 1, false));
  bn1 = register_module ("bn1", torch::nn::BatchNorm2d (width));
  layer1 = register_module ("layer1", resnet_layer (width, width, 1));
  layer2 = register_module ("layer2", resnet_layer (width, 2 * width, 2));
  layer3 = register_module ("layer3", resnet_layer (2 * width, 4 * width, 2));
  layer4 = register_module ("layer4", resnet_layer (4 * width, 8 * width, 2));
  fc = register_module ("fc", torch::nn::Linear (8 * width, embed_dim));
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

PatchSampleMLPImpl::PatchSampleMLPImpl (const std::vector<int64_t> &channels, int64_t mlp_dim)
{
  for (size_t k = 0; k < channels.size (); k++)
    {
      auto mlp = torch::nn::Sequential (torch::nn::Linear (channels[k], mlp_dim),
                                        torch::nn::ReLU (),
                                        torch::nn::Linear (mlp_dim, mlp_dim));

      mlps.push_back (register_module ("mlp_" + std::to_string (k), mlp));
    }
}

namespace {

// Linear, ReLU, Linear on [N, C] rows, as 1 x 1 convolutions over an N x 1
// picture: the same sums, but through oneDNN on every core, where
// libtorch 1.13 sends Linear to Debian's generic BLAS on one core (the
// MLPs were a fifth of a training step's time on 2 cores). The weights are
// the Linears' own, viewed as [out, in, 1, 1], so their gradients land in
// the same tensors.
torch::Tensor
mlp_as_convolutions (torch::nn::SequentialImpl &mlp, const torch::Tensor &rows)
{
  auto *first = mlp.ptr (0)->as<torch::nn::Linear> ();
  auto *second = mlp.ptr (2)->as<torch::nn::Linear> ();

  TORCH_CHECK (first != nullptr && second != nullptr, "PatchSampleMLP: unexpected layout");
  auto h = rows.t ().unsqueeze (0).unsqueeze (-1);   // [1, C, N, 1]
  h = F::conv2d (h, first->weight.unsqueeze (-1).unsqueeze (-1), F::Conv2dFuncOptions ().bias (first->bias));
  h = torch::relu (h);
  h = F::conv2d (h, second->weight.unsqueeze (-1).unsqueeze (-1), F::Conv2dFuncOptions ().bias (second->bias));
  return h.squeeze (-1).squeeze (0).t ();           // [N, out]
}

}  // namespace

std::vector<torch::Tensor>
PatchSampleMLPImpl::forward (const std::vector<torch::Tensor> &feats,
                             int64_t n_patches,
                             const std::vector<torch::Tensor> &patch_ids,
                             std::vector<torch::Tensor> *out_ids)
{
  std::vector<torch::Tensor> out;

  TORCH_CHECK (feats.size () == mlps.size (), "PatchSampleMLP: ", feats.size (),
               " feature maps for ", mlps.size (), " MLPs");
  TORCH_CHECK (patch_ids.empty () || patch_ids.size () == feats.size (),
               "PatchSampleMLP: ", patch_ids.size (), " id lists for ", feats.size (), " layers");
  if (out_ids)
    out_ids->clear ();

  for (size_t k = 0; k < feats.size (); k++)
    {
      const auto &feat = feats[k];
      int64_t n_positions = feat.size (2) * feat.size (3);
      // [B, C, H, W] -> [B, H W, C]
      auto flat = feat.permute ({0, 2, 3, 1}).flatten (1, 2);
      torch::Tensor ids;

      if (!patch_ids.empty ())
        ids = patch_ids[k].to (feat.device (), torch::kLong);
      else
        ids = torch::randperm (n_positions, torch::TensorOptions ().dtype (torch::kLong)
                                                                   .device (feat.device ()))
                .slice (0, 0, std::min (n_patches, n_positions));
      TORCH_CHECK (ids.numel () == 0 || ids.max ().item<int64_t> () < n_positions,
                   "PatchSampleMLP: patch id beyond the ", n_positions, " positions of layer ", k);

      auto sample = flat.index_select (1, ids).flatten (0, 1);
      auto x = fast_kernels () ? mlp_as_convolutions (*mlps[k], sample) : mlps[k]->forward (sample);
      auto norm = x.pow (2).sum (1, /* keepdim */ true).sqrt ();

      out.push_back (x / (norm + 1e-7));
      if (out_ids)
        out_ids->push_back (ids);
    }
  return out;
}

std::vector<int64_t>
nce_layers (const AdisConfig &config)
{
  int layers[ADIS_MAX_NCE_LAYERS];
  int n = adis_config_nce_layers (&config, layers);

  return std::vector<int64_t> (layers, layers + n);
}

std::vector<int64_t>
nce_channels (const AdisConfig &config)
{
  std::vector<int64_t> channels;

  // Index 0 is the padded image; the widths double at 4 and at 8
  for (int64_t layer : nce_layers (config))
    channels.push_back (layer == 0 ? 3
                        : layer < 4 ? config.ngf
                        : layer < 8 ? 2 * config.ngf
                        : 4 * config.ngf);
  return channels;
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
