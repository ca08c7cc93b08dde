// nets-generator.cpp: the generator: encoder, audio FiLM, decoder and heads
//
// SPDX-License-Identifier: MIT
//
// Every module is built in the order, and with the names, of the reference's
// state dicts: a weight file written by the PyTorch implementation loads
// here name for name and gives the same numbers.

#include "nets-private.h"

namespace F = torch::nn::functional;

namespace adis {

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
      if (config.grid.rain_streaks)
        {
          rain_streaks = register_module ("rain_streaks", torch::nn::Linear (config.embed_dim, 1));
          reset_rain_streaks ();
        }
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

// The same gain as the FiLM's (see film ()), for the same reason
constexpr double kStreakGain = 10.0;

void
GeneratorImpl::reset_rain_streaks ()
{
  torch::NoGradGuard no_grad;

  if (rain_streaks)
    {
      // sigmoid (-4) = 0.018: streaks 6 % of the faintest rain's, unseen
      rain_streaks->weight.zero_ ();
      rain_streaks->bias.fill_ (-4.0 / kStreakGain);
    }
}

torch::Tensor
GeneratorImpl::streak_strength (const torch::Tensor &embedding)
{
  TORCH_CHECK (rain_streaks, "streak_strength: this generator has no streak layer");
  return torch::sigmoid (rain_streaks->forward (embedding) * kStreakGain).squeeze (1);
}

void
GeneratorImpl::reset_beyond_paper ()
{
  zero_audio_film ();
  reset_rain_streaks ();
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

}  // namespace adis
