// features.cpp: FID and KID by the clean-fid protocol, on the features of a
// TorchScript network the user supplies (Inception-v3's pool3 in practice)
//
// SPDX-License-Identifier: MIT

#include "runtime.h"

#include <torch/script.h>
#include <vector>

extern "C" {
#include "adis-eval.h"
}

/* Images go through the network this many at a time: Inception at 299 px
 * takes about 100 MB of activations per image on the CPU */
#define FEATURE_BATCH 16

struct _AdisFeatureNet
{
  torch::jit::script::Module  module;
  torch::Device               device{torch::kCPU};
  bool                        takes_flag;   // forward (x, return_features)
};

AdisFeatureNet *
adis_feature_net_load (const char  *path,
                       AdisDevice   device,
                       GError     **error)
{
  torch::Device torch_device (torch::kCPU);
  AdisFeatureNet *net;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "feature network “%s” does not exist or is not a file", path);
      return NULL;
    }
  if (!adis::resolve_device (device, &torch_device, error))
    return NULL;

  net = new AdisFeatureNet ();
  net->device = torch_device;

  try
    {
      net->module = torch::jit::load (path, torch_device);
      net->module.eval ();
      /* self, the images, and perhaps clean-fid's return_features */
      net->takes_flag = net->module.get_method ("forward").function ().getSchema ().arguments ().size () >= 3;
    }
  catch (const std::exception &e)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "“%s” is not a TorchScript network with a forward method (save one with torch.jit.save): %s",
                   path, adis::first_line (e.what ()).c_str ());
      delete net;
      return NULL;
    }

  return net;
}

void
adis_feature_net_free (AdisFeatureNet *net)
{
  delete net;
}

/* The clean-fid input: 299 × 299, bilinear, floats 0..255 */
static void
append_inception_input (std::vector<float> &dest,
                        AdisImage          *image)
{
  g_autoptr(AdisImage) resized = adis_image_resize (image, ADIS_INCEPTION_SIZE, ADIS_INCEPTION_SIZE);
  const float *planes = adis_image_get_planes (resized);
  gsize n = (gsize) 3 * ADIS_INCEPTION_SIZE * ADIS_INCEPTION_SIZE;

  for (gsize i = 0; i < n; i++)
    dest.push_back ((planes[i] + 1.0f) * 127.5f);
}

float *
adis_feature_net_extract (AdisFeatureNet  *net,
                          AdisImage      **images,
                          guint            n,
                          int             *out_dim,
                          GCancellable    *cancellable,
                          GError         **error)
{
  std::vector<float> features;
  int64_t dim = -1;

  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (n == 0 || images != NULL, NULL);

  if (n == 0)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "no images to extract features from");
      return NULL;
    }

  bool ok = adis::guard (error, [&] () {
    c10::InferenceMode inference;

    for (guint start = 0; start < n; start += FEATURE_BATCH)
      {
        guint count = MIN (n - start, (guint) FEATURE_BATCH);
        std::vector<float> pixels;
        std::vector<torch::jit::IValue> inputs;

        if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
          {
            g_set_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED, "Cancelled");
            return false;
          }

        for (guint i = 0; i < count; i++)
          append_inception_input (pixels, images[start + i]);
        inputs.push_back (torch::from_blob (pixels.data (),
                                            {count, 3, ADIS_INCEPTION_SIZE, ADIS_INCEPTION_SIZE},
                                            torch::kFloat).to (net->device));
        if (net->takes_flag)
          inputs.push_back (true);

        torch::jit::IValue output = net->module.forward (inputs);
        if (!output.isTensor ())
          {
            g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                                 "the feature network returns something other than one tensor");
            return false;
          }

        /* [N, D] or [N, D, 1, 1] */
        torch::Tensor batch = output.toTensor ().to (torch::kCPU, torch::kFloat).reshape ({count, -1}).contiguous ();
        if (dim < 0)
          dim = batch.size (1);
        features.insert (features.end (), batch.data_ptr<float> (), batch.data_ptr<float> () + batch.numel ());
      }
    return true;
  });

  if (!ok)
    return NULL;

  *out_dim = (int) dim;
  return (float *) g_memdup2 (features.data (), sizeof (float) * features.size ());
}

static torch::Tensor
as_double (const float *rows,
           gsize        n,
           int          dim)
{
  return torch::from_blob ((void *) rows, {(int64_t) n, dim}, torch::kFloat).to (torch::kDouble);
}

/* Tr (S_a S_b)^½ = Tr (S_a^½ S_b S_a^½)^½: the right side is symmetric
 * positive semi-definite, so two symmetric eigendecompositions give it
 * stably, without a general matrix square root */
static double
trace_sqrt_product (const torch::Tensor &sa,
                    const torch::Tensor &sb)
{
  auto [values_a, vectors_a] = torch::linalg::eigh (sa, "L");
  torch::Tensor root_a = vectors_a.matmul (torch::diag (values_a.clamp_min (0.0).sqrt ())).matmul (vectors_a.t ());
  torch::Tensor inner = root_a.matmul (sb).matmul (root_a);
  torch::Tensor values = torch::linalg::eigvalsh ((inner + inner.t ()) * 0.5, "L");

  return values.clamp_min (0.0).sqrt ().sum ().item<double> ();
}

gboolean
adis_eval_fid (const float  *a,
               gsize         n_a,
               const float  *b,
               gsize         n_b,
               int           dim,
               double       *out_fid,
               GError      **error)
{
  g_return_val_if_fail (a != NULL && b != NULL && out_fid != NULL && dim > 0, FALSE);

  if (n_a < 2 || n_b < 2)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "FID needs at least 2 images in each set, not %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
                   n_a, n_b);
      return FALSE;
    }

  return adis::guard (error, [&] () {
    torch::Tensor xa = as_double (a, n_a, dim);
    torch::Tensor xb = as_double (b, n_b, dim);
    torch::Tensor mu_a = xa.mean (0);
    torch::Tensor mu_b = xb.mean (0);
    torch::Tensor ca = xa - mu_a;
    torch::Tensor cb = xb - mu_b;
    torch::Tensor sa = ca.t ().matmul (ca) / (double) (n_a - 1);
    torch::Tensor sb = cb.t ().matmul (cb) / (double) (n_b - 1);
    double mean_term = (mu_a - mu_b).pow (2).sum ().item<double> ();
    double trace_term = sa.trace ().item<double> () + sb.trace ().item<double> () -
                        2.0 * trace_sqrt_product (sa, sb);

    *out_fid = mean_term + trace_term;
    return true;
  });
}

/* m of n row indices, without replacement (a partial Fisher-Yates shuffle) */
static torch::Tensor
random_subset (GRand *rand,
               gsize  n,
               gsize  m)
{
  std::vector<int64_t> index (n);

  for (gsize i = 0; i < n; i++)
    index[i] = (int64_t) i;
  for (gsize i = 0; i < m; i++)
    {
      gsize j = i + (gsize) g_rand_int_range (rand, 0, (gint32) (n - i));
      std::swap (index[i], index[j]);
    }
  return torch::tensor (std::vector<int64_t> (index.begin (), index.begin () + m), torch::kLong);
}

gboolean
adis_eval_kid (const float  *a,
               gsize         n_a,
               const float  *b,
               gsize         n_b,
               int           dim,
               int           n_subsets,
               int           subset_size,
               guint64       seed,
               double       *out_kid,
               double       *out_std,
               GError      **error)
{
  gsize m;

  g_return_val_if_fail (a != NULL && b != NULL && out_kid != NULL && dim > 0, FALSE);
  g_return_val_if_fail (n_subsets >= 1 && subset_size >= 2, FALSE);

  m = MIN (MIN (n_a, n_b), (gsize) subset_size);
  if (m < 2 || n_a > G_MAXINT32 || n_b > G_MAXINT32)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "KID needs at least 2 images in each set, not %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
                   n_a, n_b);
      return FALSE;
    }

  return adis::guard (error, [&] () {
    g_autoptr(GRand) rand = g_rand_new_with_seed_array ((const guint32 *) &seed, 2);
    torch::Tensor xa = as_double (a, n_a, dim);
    torch::Tensor xb = as_double (b, n_b, dim);
    std::vector<double> estimates;
    double sum = 0.0, spread = 0.0;

    for (int s = 0; s < n_subsets; s++)
      {
        torch::Tensor x = xa.index_select (0, random_subset (rand, n_a, m));
        torch::Tensor y = xb.index_select (0, random_subset (rand, n_b, m));
        torch::Tensor k_xx = (x.matmul (x.t ()) / dim + 1.0).pow (3);
        torch::Tensor k_yy = (y.matmul (y.t ()) / dim + 1.0).pow (3);
        torch::Tensor k_xy = (x.matmul (y.t ()) / dim + 1.0).pow (3);
        /* Unbiased: the diagonals of K_xx and K_yy are left out */
        double within = (k_xx.sum () - k_xx.trace () + k_yy.sum () - k_yy.trace ()).item<double> () / (double) (m - 1);
        double across = 2.0 * k_xy.sum ().item<double> () / (double) m;
        double estimate = (within - across) / (double) m;

        estimates.push_back (estimate);
        sum += estimate;
      }

    *out_kid = sum / n_subsets;
    for (double estimate : estimates)
      spread += (estimate - *out_kid) * (estimate - *out_kid);
    if (out_std != NULL)
      *out_std = sqrt (spread / n_subsets);
    return true;
  });
}
