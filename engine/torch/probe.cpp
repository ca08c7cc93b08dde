// probe.cpp: the probe network that reads a weather category and intensity
// off an image, for `soundstyle eval`
//
// SPDX-License-Identifier: MIT
//
// Small on purpose: it is trained during every evaluation, on two CPU cores,
// at 64 px. Four strided convolutions see texture (streaks, flakes, snow
// cover); the image's per-channel mean and spread are fed to the heads as
// well, since much of the weather is in the colours.

#include "runtime.h"

#include <cstring>
#include <vector>

extern "C" {
#include "adis-eval.h"
}

namespace adis {

struct ProbeNetImpl : torch::nn::Module {
  ProbeNetImpl (int64_t n_categories)
  {
    const int64_t widths[] = { 3, 16, 32, 64, 64 };

    for (int i = 0; i < 4; i++)
      {
        features->push_back (torch::nn::Conv2d (torch::nn::Conv2dOptions (widths[i], widths[i + 1], 3)
                                                  .stride (2).padding (1)));
        features->push_back (torch::nn::LeakyReLU (torch::nn::LeakyReLUOptions ().negative_slope (0.1)));
      }
    register_module ("features", features);
    hidden = register_module ("hidden", torch::nn::Linear (64 + 6, 64));
    category = register_module ("category", torch::nn::Linear (64, n_categories));
    intensity = register_module ("intensity", torch::nn::Linear (64, 1));
  }

  // x: [B, 3, S, S] in [-1, 1] -> (logits [B, K], intensity [B] in [0, 1])
  std::pair<torch::Tensor, torch::Tensor>
  forward (const torch::Tensor &x)
  {
    torch::Tensor pooled = features->forward (x).mean ({2, 3});
    torch::Tensor colour_mean = x.mean ({2, 3});
    torch::Tensor colour_std = x.flatten (2).std (2);
    torch::Tensor h = torch::leaky_relu (hidden->forward (torch::cat ({pooled, colour_mean, colour_std}, 1)), 0.1);

    return { category->forward (h), torch::sigmoid (intensity->forward (h)).squeeze (1) };
  }

  torch::nn::Sequential features;
  torch::nn::Linear hidden{nullptr};
  torch::nn::Linear category{nullptr};
  torch::nn::Linear intensity{nullptr};
};
TORCH_MODULE (ProbeNet);

}  // namespace adis

struct _AdisProbe
{
  AdisProbeOptions    options;
  int                 n_categories;
  std::vector<float>  images;        // [N, 3, size, size]
  std::vector<float>  targets;       // [N, K]
  std::vector<float>  intensities;   // [N]
  adis::ProbeNet      net{nullptr};
};

/* The intensity error weighs as much as the category's: both are read */
#define INTENSITY_LOSS_WEIGHT 4.0

void
adis_probe_options_init (AdisProbeOptions *options)
{
  g_return_if_fail (options != NULL);

  options->size = 64;
  options->epochs = 20;
  options->batch_size = 32;
  options->lr = 2e-3;
  options->seed = 0;
}

AdisProbe *
adis_probe_new (int                     n_categories,
                const AdisProbeOptions *options)
{
  AdisProbe *probe;

  g_return_val_if_fail (n_categories >= 1, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->size >= 16 && options->epochs >= 1 && options->batch_size >= 1, NULL);

  probe = new AdisProbe ();
  probe->options = *options;
  probe->n_categories = n_categories;
  return probe;
}

void
adis_probe_free (AdisProbe *probe)
{
  delete probe;
}

int
adis_probe_get_n_categories (AdisProbe *probe)
{
  g_return_val_if_fail (probe != NULL, 0);
  return probe->n_categories;
}

guint
adis_probe_get_n_examples (AdisProbe *probe)
{
  g_return_val_if_fail (probe != NULL, 0);
  return (guint) probe->intensities.size ();
}

static void
append_resized (std::vector<float> &dest,
                AdisImage          *image,
                int                 size)
{
  g_autoptr(AdisImage) resized = adis_image_resize (image, size, size);
  const float *planes = adis_image_get_planes (resized);

  dest.insert (dest.end (), planes, planes + (gsize) 3 * size * size);
}

void
adis_probe_add_example (AdisProbe   *probe,
                        AdisImage   *image,
                        const float *category_probs,
                        float        intensity)
{
  g_return_if_fail (probe != NULL && image != NULL && category_probs != NULL);

  append_resized (probe->images, image, probe->options.size);
  probe->targets.insert (probe->targets.end (), category_probs, category_probs + probe->n_categories);
  probe->intensities.push_back (CLAMP (intensity, 0.0f, 1.0f));
}

gboolean
adis_probe_train (AdisProbe             *probe,
                  AdisProbeProgressFunc  progress,
                  gpointer               user_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  g_return_val_if_fail (probe != NULL, FALSE);

  int64_t n = (int64_t) probe->intensities.size ();
  int64_t size = probe->options.size;

  if (n < 2)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "the probe needs at least 2 examples to learn from, not %" G_GINT64_FORMAT, n);
      return FALSE;
    }

  return adis::guard (error, [&] () {
    /* The seed decides the initial weights and the order of the examples;
     * the caller's own random stream is left as it was */
    auto generator = at::detail::getDefaultCPUGenerator ();
    torch::Tensor saved_state = generator.get_state ();
    torch::manual_seed (probe->options.seed);

    torch::Tensor images = torch::from_blob (probe->images.data (), {n, 3, size, size}, torch::kFloat);
    torch::Tensor targets = torch::from_blob (probe->targets.data (), {n, probe->n_categories}, torch::kFloat);
    torch::Tensor intensities = torch::from_blob (probe->intensities.data (), {n}, torch::kFloat);

    probe->net = adis::ProbeNet (probe->n_categories);
    probe->net->train ();
    torch::optim::Adam optimizer (probe->net->parameters (), torch::optim::AdamOptions (probe->options.lr));

    for (int epoch = 0; epoch < probe->options.epochs; epoch++)
      {
        torch::Tensor order = torch::randperm (n, torch::kLong);
        double loss_sum = 0.0;
        int64_t batches = 0;

        for (int64_t start = 0; start < n; start += probe->options.batch_size)
          {
            if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
              {
                generator.set_state (saved_state);
                g_set_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED, "Cancelled");
                return false;
              }

            torch::Tensor index = order.slice (0, start, std::min (n, start + probe->options.batch_size));
            auto [logits, predicted] = probe->net->forward (images.index_select (0, index));
            torch::Tensor category_loss =
              -(targets.index_select (0, index) * torch::log_softmax (logits, 1)).sum (1).mean ();
            torch::Tensor intensity_loss = (predicted - intensities.index_select (0, index)).pow (2).mean ();
            torch::Tensor loss = category_loss + INTENSITY_LOSS_WEIGHT * intensity_loss;

            optimizer.zero_grad ();
            loss.backward ();
            optimizer.step ();
            loss_sum += loss.item<double> ();
            batches++;
          }

        if (progress != NULL)
          progress (epoch + 1, probe->options.epochs, loss_sum / (double) batches, user_data);
      }

    probe->net->eval ();
    generator.set_state (saved_state);
    return true;
  });
}

gboolean
adis_probe_predict (AdisProbe  *probe,
                    AdisImage  *image,
                    float      *out_probs,
                    float      *out_intensity,
                    GError    **error)
{
  g_return_val_if_fail (probe != NULL && image != NULL, FALSE);

  if (!probe->net)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_FAILED,
                           "the probe has not been trained");
      return FALSE;
    }

  return adis::guard (error, [&] () {
    c10::InferenceMode inference;
    std::vector<float> pixels;
    int64_t size = probe->options.size;

    append_resized (pixels, image, (int) size);
    torch::Tensor x = torch::from_blob (pixels.data (), {1, 3, size, size}, torch::kFloat);
    auto [logits, predicted] = probe->net->forward (x);

    if (out_probs != NULL)
      {
        torch::Tensor probs = torch::softmax (logits, 1).contiguous ();
        memcpy (out_probs, probs.data_ptr<float> (), sizeof (float) * probe->n_categories);
      }
    if (out_intensity != NULL)
      *out_intensity = predicted.item<float> ();
    return true;
  });
}
