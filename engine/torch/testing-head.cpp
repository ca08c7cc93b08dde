// testing-head.cpp: the grid head's test hooks (adis-testing.h)
//
// SPDX-License-Identifier: MIT

#include "model-private.h"

extern "C" {
#include "adis-testing.h"
}

extern "C" gboolean
adis_testing_write_random_model (const AdisConfig *config,
                                 guint64           seed,
                                 const char       *path,
                                 GError          **error)
{
  return adis::guard (error, [&] () {
    torch::manual_seed (seed);
    adis::Generator G (*config);
    adis::AudioEncoder A (config->audio_width, config->embed_dim);

    if (G->head)
      {
        torch::NoGradGuard no_grad;

        for (auto &p : G->head->parameters ())
          p.add_ (0.3 * torch::randn_like (p));
      }
    return adis::write_model_file (path, *config, *G, A.get (), nullptr, nullptr, false, error);
  });
}

extern "C" AdisImage *
adis_testing_apply_with_torch (AdisStyle  *style,
                               int         width,
                               int         height,
                               GError    **error)
{
  AdisModel *model = style->image_code->model;
  AdisImage *result = nullptr;

  g_return_val_if_fail (model->G->head, nullptr);

  ModelLocker locker (model);
  adis::guard (error, [&] () {
    c10::InferenceMode inference;
    const AdisGridLook &l = style->look;
    g_autoptr(AdisImage) photo = adis_image_resize (style->image_code->photo, width, height);
    adis::GridLook look;

    look.grid = torch::from_blob (style->grid.data (),
                                  {1, ADIS_GRID_COEFFS * l.bins, l.grid_height, l.grid_width}, torch::kFloat)
                  .to (model->device);
    look.overlay = torch::from_blob (style->overlay.data (),
                                     {1, 4, l.overlay_height, l.overlay_width}, torch::kFloat)
                     .to (model->device);
    auto x = torch::from_blob ((void *) adis_image_get_planes (photo), {1, 3, height, width}, torch::kFloat);
    auto head = model->G->head;

    // In double, so that the comparison measures the C apply's rounding, not
    // the float guide's: the bins magnify any difference in the guide
    look.grid = look.grid.to (torch::kDouble);
    look.overlay = look.overlay.to (torch::kDouble);
    head->guide->to (torch::kDouble);
    auto out = head->apply (look, x.to (model->device, torch::kDouble)).clamp (-1.0, 1.0);
    head->guide->to (torch::kFloat);
    out = out.to (torch::kCPU, torch::kFloat).contiguous ();

    result = adis_image_new_from_planes (out.data_ptr<float> (), width, height);
    return true;
  });
  return result;
}
