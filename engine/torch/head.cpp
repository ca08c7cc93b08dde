// head.cpp: the grid head (see head.h)
//
// SPDX-License-Identifier: MIT

#include "head.h"
#include "nets.h"

namespace F = torch::nn::functional;

namespace adis {

namespace {

constexpr double kNormEps = 1e-5;
// The overlay starts at alpha = sigmoid (-5), under 1 %: the photo shows
// through until training paints something
constexpr double kOverlayAlphaBias = -5.0;

torch::nn::Conv2d
head_conv (int64_t in, int64_t out, int64_t kernel)
{
  return torch::nn::Conv2d (torch::nn::Conv2dOptions (in, out, kernel).padding (kernel / 2));
}

// Instance norm, then the sound's scale and shift when the model has FiLM
torch::Tensor
norm_film (const torch::Tensor &h, const std::vector<torch::Tensor> &film, size_t index)
{
  auto n = F::instance_norm (h, F::InstanceNormFuncOptions ().eps (kNormEps));

  if (film.empty ())
    return n;
  return torch::addcmul (n + film[2 * index + 1], n, film[2 * index]);   // n (1 + scale) + shift
}

int64_t
halvings (int64_t factor)
{
  int64_t n = 0;

  while (factor > 1)
    {
      factor /= 2;
      n++;
    }
  return n;
}

}  // namespace

GridGuideImpl::GridGuideImpl (int64_t knots_) : knots (knots_)
{
  ccm = register_parameter ("ccm", torch::empty ({3, 3}));
  ccm_bias = register_parameter ("ccm_bias", torch::empty ({3}));
  slopes = register_parameter ("slopes", torch::empty ({3, knots}));
  mix = register_parameter ("mix", torch::empty ({3}));
  mix_bias = register_parameter ("mix_bias", torch::empty ({1}));
  reset ();
}

void
GridGuideImpl::reset ()
{
  torch::NoGradGuard no_grad;

  ccm.copy_ (torch::eye (3));
  ccm_bias.zero_ ();
  slopes.zero_ ();
  slopes.select (1, 0).fill_ (1.0);
  mix.fill_ (4.0 / 3.0);
  mix_bias.fill_ (-2.0);
}

torch::Tensor
GridGuideImpl::forward (const torch::Tensor &x)
{
  auto u = (x + 1.0) * 0.5;
  // [B, 3, H, W]: the colour matrix as a 1 x 1 convolution
  auto v = F::conv2d (u, ccm.view ({3, 3, 1, 1}), F::Conv2dFuncOptions ().bias (ccm_bias));
  auto curve = torch::zeros_like (v);

  // Knot by knot: a gather of the segment would build index tensors as large
  // as the image
  for (int64_t k = 0; k < knots; k++)
    curve = curve + slopes.select (1, k).view ({1, 3, 1, 1}) *
                    torch::relu (v - (double) k / (double) knots);
  return torch::sigmoid (F::conv2d (curve, mix.view ({1, 3, 1, 1}),
                                    F::Conv2dFuncOptions ().bias (mix_bias)));
}

GridHeadImpl::GridHeadImpl (const AdisConfig &config)
{
  int64_t c0 = 4 * (int64_t) config.ngf + config.embed_dim;
  int64_t c1 = c0 / 2, c2 = c0 / 4;
  // The code is at a quarter of the working size
  int64_t grid_halvings = halvings (config.grid.grid_cell / 4);
  int64_t overlay_doublings = 2 - halvings (config.grid.overlay_cell);

  bins = config.grid.bins;
  trunk = register_module ("trunk", head_conv (c0, c1, 3));
  grid_down = register_module ("grid_down", torch::nn::ModuleList ());
  grid_convs = register_module ("grid_convs", torch::nn::ModuleList ());
  for (int64_t i = 0; i < grid_halvings; i++)
    {
      grid_down->push_back (BlurDownsample (c1));
      grid_convs->push_back (head_conv (c1, c1, 3));
    }
  coeffs = register_module ("coeffs", head_conv (c1, ADIS_GRID_COEFFS * bins, 1));
  overlay_up = register_module ("overlay_up", torch::nn::ModuleList ());
  for (int64_t i = 0; i < overlay_doublings; i++)
    overlay_up->push_back (BlurUpsample (c1));
  overlay_conv = register_module ("overlay_conv", head_conv (c1, c2, 3));
  overlay_out = register_module ("overlay_out", head_conv (c2, 4, 3));
  guide = register_module ("guide", GridGuide (config.grid.guide_knots));
  reset_output ();
}

std::vector<int64_t>
GridHeadImpl::norm_channels () const
{
  std::vector<int64_t> channels;

  channels.push_back (trunk->weight.size (0));
  for (size_t i = 0; i < grid_convs->size (); i++)
    channels.push_back (trunk->weight.size (0));
  channels.push_back (overlay_conv->weight.size (0));
  return channels;
}

void
GridHeadImpl::reset_output ()
{
  torch::NoGradGuard no_grad;
  auto bias = coeffs->bias.view ({3, 4, bins});

  // Small weights, so the start is the identity plus a little of the code
  coeffs->weight.mul_ (0.01);
  bias.zero_ ();
  for (int64_t c = 0; c < 3; c++)
    bias[c][c].fill_ (1.0);
  overlay_out->bias.zero_ ();
  overlay_out->bias[3].fill_ (kOverlayAlphaBias);
  guide->reset ();
}

GridLook
GridHeadImpl::forward (const torch::Tensor &fused,
                       const std::vector<torch::Tensor> &film)
{
  GridLook look;
  size_t norm = 0;
  auto t = torch::relu (norm_film (conv_forward (*trunk, fused), film, norm++));
  auto g = t;

  for (size_t i = 0; i < grid_convs->size (); i++)
    {
      g = grid_down[i]->as<BlurDownsample> ()->forward (g);
      g = torch::relu (norm_film (conv_forward (*grid_convs[i]->as<torch::nn::Conv2d> (), g),
                                  film, norm++));
    }
  look.grid = conv_forward (*coeffs, g);

  auto o = t;
  for (size_t i = 0; i < overlay_up->size (); i++)
    o = overlay_up[i]->as<BlurUpsample> ()->forward (o);
  o = torch::relu (norm_film (conv_forward (*overlay_conv, o), film, norm++));
  o = conv_forward (*overlay_out, o);
  auto alpha = torch::sigmoid (o.slice (1, 3, 4));
  look.overlay = torch::cat ({ torch::tanh (o.slice (1, 0, 3)) * alpha, alpha }, 1);
  return look;
}

torch::Tensor
slice_grid (const torch::Tensor &grid,
            const torch::Tensor &guide,
            int64_t              bins)
{
  int64_t b = guide.size (0), h = guide.size (2), w = guide.size (3);
  auto opts = guide.options ();
  auto grid5 = grid.reshape ({ b, ADIS_GRID_COEFFS, bins, grid.size (2), grid.size (3) });
  // Pixel centres in grid_sample's normalised coordinates (align_corners false)
  auto xs = ((torch::arange (w, opts) + 0.5) / (double) w * 2.0 - 1.0).view ({1, 1, 1, w}).expand ({b, 1, h, w});
  auto ys = ((torch::arange (h, opts) + 0.5) / (double) h * 2.0 - 1.0).view ({1, 1, h, 1}).expand ({b, 1, h, w});
  auto zs = guide * 2.0 - 1.0;
  // [B, 1 (depth), H, W, (x, y, z)]
  auto where = torch::stack ({ xs, ys, zs }, -1);

  return F::grid_sample (grid5, where, F::GridSampleFuncOptions ()
                                         .mode (torch::kBilinear)
                                         .padding_mode (torch::kBorder)
                                         .align_corners (false))
           .squeeze (2);
}

torch::Tensor
GridHeadImpl::apply (const GridLook &look, const torch::Tensor &photo)
{
  int64_t b = photo.size (0), h = photo.size (2), w = photo.size (3);
  auto a = slice_grid (look.grid, guide->forward (photo), bins).view ({ b, 3, 4, h, w });
  auto y = (a.slice (2, 0, 3) * photo.unsqueeze (1)).sum (2) + a.select (2, 3);
  auto over = F::interpolate (look.overlay, F::InterpolateFuncOptions ()
                                              .size (std::vector<int64_t> { h, w })
                                              .mode (torch::kBilinear)
                                              .align_corners (false));

  return y * (1.0 - over.slice (1, 3, 4)) + over.slice (1, 0, 3);
}

}  // namespace adis
