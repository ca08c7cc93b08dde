// style.cpp: a sound's style for one photo, and the style applied at any size
//
// SPDX-License-Identifier: MIT
//
// decode_style runs the part of the generator that depends on the sound, at
// the networks' size; apply is the only step that grows with the pixels,
// and for a grid head it is plain C (adis-apply.c) that needs no lock.

#include "model-private.h"

#include <cstring>

namespace F = torch::nn::functional;

namespace {

// The guided filter that carries the pixel decoder's picture to sizes above
// its network's (He, Sun and Tang, "Guided Image Filtering"; the fast
// variant of He and Sun 2015 that computes the linear coefficients at low
// resolution and applies them at full): each output channel is a local
// linear function of the same channel of the photo, a_c I_c + b_c, fitted
// over (2 r + 1)^2 windows of the network's size. A small window and eps
// keep the network's colours and take the edges and texture from the photo.
constexpr int64_t kCarryRadius = 2;
constexpr double kCarryEps = 1e-3;   // on values in [-1, 1]

torch::Tensor
box (const torch::Tensor &x)
{
  return F::avg_pool2d (x, F::AvgPool2dFuncOptions (2 * kCarryRadius + 1)
                             .stride (1)
                             .padding (kCarryRadius)
                             .count_include_pad (false));
}

// guide, picture [1, 3, h, w] -> the one-bin grid [12, 1, h, w] of
// a_c on the diagonal and b_c as the offset
torch::Tensor
carry_coefficients (const torch::Tensor &guide, const torch::Tensor &picture)
{
  auto mean_i = box (guide);
  auto mean_p = box (picture);
  auto var_i = box (guide * guide) - mean_i * mean_i;
  auto cov_ip = box (guide * picture) - mean_i * mean_p;
  auto a = cov_ip / (var_i + kCarryEps);
  auto b = mean_p - a * mean_i;
  auto mean_a = box (a)[0], mean_b = box (b)[0];
  auto coeffs = torch::zeros ({ 3, 4, mean_a.size (1), mean_a.size (2) });

  for (int64_t c = 0; c < 3; c++)
    {
      coeffs[c][c] = mean_a[c];
      coeffs[c][3] = mean_b[c];
    }
  return coeffs.reshape ({ ADIS_GRID_COEFFS, 1, mean_a.size (1), mean_a.size (2) }).contiguous ();
}

// Copies a (possibly CUDA, possibly strided) tensor into host floats; a
// failure throws, and adis::guard turns it into the caller's GError
void
tensor_to_host (const torch::Tensor &t, std::vector<float> *out)
{
  auto host = t.to (torch::kCPU, torch::kFloat).contiguous ();

  out->assign (host.data_ptr<float> (), host.data_ptr<float> () + host.numel ());
}

// Makes the pixel style's guided filter, once
bool
ensure_carry (AdisStyle *style, GError **error)
{
  AdisImageCode *code = style->image_code;
  AdisModel *model = code->model;

  ModelLocker locker (model);
  if (!style->carry.empty ())
    return true;
  return adis::guard (error, [&] () {
    c10::InferenceMode inference;
    int w = code->net_width, h = code->net_height;
    auto guide = torch::from_blob ((void *) adis_image_get_planes (code->net_input), {1, 3, h, w}, torch::kFloat);
    auto picture = torch::from_blob ((void *) adis_image_get_planes (style->picture), {1, 3, h, w}, torch::kFloat);

    tensor_to_host (carry_coefficients (guide, picture), &style->carry);
    style->carry_look.bins = 1;
    style->carry_look.grid_width = w;
    style->carry_look.grid_height = h;
    style->carry_look.grid = style->carry.data ();
    return true;
  });
}

AdisImage *
apply_look (const AdisGridLook     *look,
            AdisImageCode          *code,
            int                     width,
            int                     height,
            AdisStyleProgressFunc   progress,
            gpointer                user_data,
            GCancellable           *cancellable,
            GError                **error)
{
  g_autoptr(AdisImage) photo = adis_image_resize (code->photo, width, height);

  return adis_grid_look_apply (look, photo, progress, user_data, cancellable, error);
}

// The streak layer's seed (adis-streaks.h)
constexpr guint64 kStreakSeed = 0x5354524b;

}  // namespace

AdisStyle *
adis_model_decode_style (AdisModel      *model,
                         AdisImageCode  *image_code,
                         AdisSoundCode  *sound_code,
                         GCancellable   *cancellable,
                         GError        **error)
{
  AdisStyle *style;
  gboolean ok;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (image_code != NULL && sound_code != NULL, NULL);

  if (image_code->model != model || sound_code->model != model)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "The image or sound code was made by another model");
      return NULL;
    }

  if (check_cancelled (cancellable, error))
    return NULL;

  style = new AdisStyle ();
  {
    ModelLocker locker (model);

    if (check_cancelled (cancellable, error))
      {
        delete style;
        return NULL;
      }

    ok = adis::guard (error, [&] () {
      c10::InferenceMode inference;

      if (model->G->head)
        {
          auto look = model->G->decode_look (image_code->code, sound_code->embedding);

          tensor_to_host (look.grid, &style->grid);
          tensor_to_host (look.overlay, &style->overlay);
          style->look = model->guide;
          style->look.bins = model->config.grid.bins;
          style->look.grid_height = (int) look.grid.size (2);
          style->look.grid_width = (int) look.grid.size (3);
          style->look.grid = style->grid.data ();
          style->look.overlay_height = (int) look.overlay.size (2);
          style->look.overlay_width = (int) look.overlay.size (3);
          style->look.overlay = style->overlay.data ();
          /* One seed for every restyle: a slider move adds, lengthens or
           * fades streaks but never moves them */
          if (model->G->rain_streaks)
            {
              style->look.streaks = model->G->streak_strength (sound_code->embedding).item<float> ();
              style->look.streak_seed = kStreakSeed;
            }
        }
      else
        {
          torch::Tensor out = model->G->decode_from_share (image_code->share, sound_code->embedding);

          out = out.clamp (-1.0, 1.0).to (torch::kCPU).contiguous ();
          g_assert (out.size (2) == image_code->net_height && out.size (3) == image_code->net_width);
          style->picture = adis_image_new_from_planes (out.data_ptr<float> (),
                                                       image_code->net_width, image_code->net_height);
        }
      return true;
    });
  }

  if (!ok)
    {
      delete style;
      return NULL;
    }
  style->image_code = adis_image_code_ref (image_code);
  return style;
}

AdisStyle *
adis_style_ref (AdisStyle *style)
{
  g_return_val_if_fail (style != NULL, NULL);

  g_atomic_int_inc (&style->ref_count);
  return style;
}

void
adis_style_unref (AdisStyle *style)
{
  g_return_if_fail (style != NULL);

  if (g_atomic_int_dec_and_test (&style->ref_count))
    {
      g_clear_pointer (&style->picture, adis_image_unref);
      adis_image_code_unref (style->image_code);
      delete style;
    }
}

float
adis_style_get_streaks (AdisStyle *style)
{
  g_return_val_if_fail (style != NULL, 0.f);

  return style->look.streaks;
}

void
adis_style_set_streak_seed (AdisStyle *style,
                            guint64    seed)
{
  g_return_if_fail (style != NULL);

  style->look.streak_seed = seed;
}

AdisImage *
adis_style_apply (AdisStyle             *style,
                  int                    width,
                  int                    height,
                  AdisStyleProgressFunc  progress,
                  gpointer               user_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  AdisImageCode *code;

  g_return_val_if_fail (style != NULL, NULL);

  code = style->image_code;
  if (width <= 0 || height <= 0 || width > ADIS_IMAGE_MAX_SIDE || height > ADIS_IMAGE_MAX_SIDE ||
      (gint64) width * height > ADIS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "A picture of %d x %d cannot be made: the largest is %d pixels a side and %d megapixels",
                   width, height, ADIS_IMAGE_MAX_SIDE, ADIS_IMAGE_MAX_PIXELS / (1024 * 1024));
      return NULL;
    }
  if (check_cancelled (cancellable, error))
    return NULL;

  if (style->picture == NULL)
    return apply_look (&style->look, code, width, height, progress, user_data, cancellable, error);

  /* The pixel decoder: its own picture where it can be, smaller by
   * resizing, larger by the guided filter */
  if ((gint64) width * height <= (gint64) code->net_width * code->net_height)
    {
      AdisImage *result = adis_image_resize (style->picture, width, height);

      if (progress != NULL)
        progress (1.0, user_data);
      return result;
    }
  if (!ensure_carry (style, error))
    return NULL;
  return apply_look (&style->carry_look, code, width, height, progress, user_data, cancellable, error);
}

AdisImage *
adis_model_decode (AdisModel      *model,
                   AdisImageCode  *image_code,
                   AdisSoundCode  *sound_code,
                   GCancellable   *cancellable,
                   GError        **error)
{
  g_autoptr(AdisStyle) style = adis_model_decode_style (model, image_code, sound_code, cancellable, error);

  if (style == NULL)
    return NULL;
  return adis_style_apply (style, image_code->width, image_code->height, NULL, NULL, cancellable, error);
}
