/* test-eval.c: the evaluation metrics, the probe, FID and KID
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

/* --- images made here ------------------------------------------------------ */

/* A smooth pattern with edges of several strengths, in [-1, 1] */
static AdisImage *
make_pattern (int   width,
              int   height,
              guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *planes = g_new (float, (gsize) 3 * width * height);
  double phase = g_rand_double_range (rand, 0, 2 * G_PI);
  double tint[3];

  for (int c = 0; c < 3; c++)
    tint[c] = g_rand_double_range (rand, -0.3, 0.3);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        {
          double u = (double) x / width;
          double v = (double) y / height;
          double value = tint[c] + 0.4 * sin (9.0 * u + 5.0 * v + phase) + (u > 0.5 ? 0.25 : -0.25);

          planes[((gsize) c * height + y) * width + x] = (float) CLAMP (value, -1.0, 1.0);
        }
  return adis_image_new_from_planes (planes, width, height);
}

/* out = scale * in + offset, per value, unclamped */
static AdisImage *
affine (AdisImage *image,
        float      scale,
        float      offset)
{
  int w = adis_image_get_width (image);
  int h = adis_image_get_height (image);
  gsize n = (gsize) 3 * w * h;
  g_autofree float *planes = g_memdup2 (adis_image_get_planes (image), n * sizeof (float));

  for (gsize i = 0; i < n; i++)
    planes[i] = scale * planes[i] + offset;
  return adis_image_new_from_planes (planes, w, h);
}

static AdisImage *
constant_image (int   width,
                int   height,
                float value)
{
  g_autofree float *planes = g_new (float, (gsize) 3 * width * height);

  for (gsize i = 0; i < (gsize) 3 * width * height; i++)
    planes[i] = value;
  return adis_image_new_from_planes (planes, width, height);
}

/* --- image metrics ------------------------------------------------------- */

static void
test_psnr (void)
{
  g_autoptr(AdisImage) a = make_pattern (64, 48, 1);
  g_autoptr(AdisImage) b = NULL;
  g_autoptr(AdisImage) other_size = make_pattern (48, 48, 1);
  g_autofree float *planes = NULL;
  gsize n = (gsize) 3 * 64 * 48;

  g_assert_true (isinf (adis_eval_psnr (a, a)) && adis_eval_psnr (a, a) > 0);
  g_assert_true (isnan (adis_eval_psnr (a, other_size)));

  /* ±0.05 in [0, 1] units everywhere (±0.1 in the image's [-1, 1]):
   * MSE 0.0025, PSNR 26.0206 dB */
  planes = g_memdup2 (adis_image_get_planes (a), n * sizeof (float));
  for (gsize i = 0; i < n; i++)
    planes[i] += (i % 2 == 0) ? 0.1f : -0.1f;
  b = adis_image_new_from_planes (planes, 64, 48);
  g_assert_cmpfloat_with_epsilon (adis_eval_psnr (a, b), 10.0 * log10 (1.0 / 0.0025), 1e-3);
  g_assert_cmpfloat_with_epsilon (adis_eval_psnr (b, a), adis_eval_psnr (a, b), 1e-9);
}

static void
test_ssim (void)
{
  g_autoptr(AdisImage) a = make_pattern (64, 48, 2);
  g_autoptr(AdisImage) dark = constant_image (32, 32, -0.6f);   /* luminance 0.2 */
  g_autoptr(AdisImage) light = constant_image (32, 32, 0.2f);   /* luminance 0.6 */
  g_autoptr(AdisImage) tiny = make_pattern (10, 40, 2);
  double previous = 1.0;
  double expected;

  g_assert_cmpfloat_with_epsilon (adis_eval_ssim (a, a), 1.0, 1e-12);
  g_assert_true (isnan (adis_eval_ssim (tiny, tiny)));

  /* Flat images: only the luminance term is left (to float precision),
   * (2 mu_a mu_b + C1) / (mu_a² + mu_b² + C1) */
  expected = (2 * 0.2 * 0.6 + 1e-4) / (0.2 * 0.2 + 0.6 * 0.6 + 1e-4);
  g_assert_cmpfloat_with_epsilon (adis_eval_ssim (dark, light), expected, 1e-6);

  /* More noise, less similarity */
  for (int level = 1; level <= 4; level++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (level);
      gsize n = (gsize) 3 * 64 * 48;
      g_autofree float *planes = g_memdup2 (adis_image_get_planes (a), n * sizeof (float));
      g_autoptr(AdisImage) noisy = NULL;
      double ssim;

      for (gsize i = 0; i < n; i++)
        planes[i] += (float) (0.08 * level * g_rand_double_range (rand, -1, 1));
      noisy = adis_image_new_from_planes (planes, 64, 48);
      ssim = adis_eval_ssim (a, noisy);
      g_assert_cmpfloat (ssim, <, previous);
      g_assert_cmpfloat (ssim, >, 0.0);
      previous = ssim;
    }
}

static void
test_edge_correlation (void)
{
  g_autoptr(AdisImage) a = make_pattern (64, 48, 3);
  g_autoptr(AdisImage) dimmer = affine (a, 0.5f, -0.2f);
  g_autoptr(AdisImage) negative = affine (a, -1.0f, 0.0f);
  g_autoptr(AdisImage) flat = constant_image (64, 48, 0.1f);
  g_autoptr(AdisImage) unrelated = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *noise = g_new (float, (gsize) 3 * 64 * 48);

  g_assert_cmpfloat_with_epsilon (adis_eval_edge_correlation (a, a), 1.0, 1e-12);
  /* Gradient magnitudes scale with contrast and ignore its sign */
  g_assert_cmpfloat_with_epsilon (adis_eval_edge_correlation (a, dimmer), 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (adis_eval_edge_correlation (a, negative), 1.0, 1e-6);
  g_assert_true (isnan (adis_eval_edge_correlation (a, flat)));

  for (gsize i = 0; i < (gsize) 3 * 64 * 48; i++)
    noise[i] = (float) g_rand_double_range (rand, -1, 1);
  unrelated = adis_image_new_from_planes (noise, 64, 48);
  g_assert_cmpfloat (fabs (adis_eval_edge_correlation (a, unrelated)), <, 0.3);
}

/* --- rank statistics ----------------------------------------------------- */

static void
test_spearman (void)
{
  const double x1[] = { 1, 2, 2, 3 };
  const double y1[] = { 1, 3, 2, 4 };
  const double x2[] = { 10, 20, 30, 40, 50 };
  const double y2[] = { 5, 5, 5, 1, 1 };
  const double x3[] = { 0.25, 0.5, 1, 2, 4 };
  const double y3[] = { 0.1, 0.3, 0.35, 0.9, 0.95 };   /* monotone, not linear */
  const double flat[] = { 2, 2, 2, 2, 2 };
  const double with_nan[] = { 1, NAN, 3, 4, 5 };

  /* By hand: ranks (1, 2.5, 2.5, 4) and (1, 3, 2, 4): 4.5 / sqrt (4.5 * 5) */
  g_assert_cmpfloat_with_epsilon (adis_eval_spearman (x1, y1, 4), 4.5 / sqrt (22.5), 1e-12);
  /* Ranks (1..5) and (4, 4, 4, 1.5, 1.5): -7.5 / sqrt (10 * 7.5) */
  g_assert_cmpfloat_with_epsilon (adis_eval_spearman (x2, y2, 5), -7.5 / sqrt (75.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (adis_eval_spearman (x3, y3, 5), 1.0, 1e-12);
  g_assert_cmpfloat (adis_eval_pearson (x3, y3, 5), <, 0.99);
  g_assert_true (isnan (adis_eval_spearman (x3, flat, 5)));
  g_assert_true (isnan (adis_eval_spearman (x3, with_nan, 5)));
  g_assert_true (isnan (adis_eval_spearman (x3, y3, 1)));
}

/* --- the probe ----------------------------------------------------------- */

/* Three made-up weathers over varied patterns, each applied with a strength
 * in [0, 1]: a warm tint, a darkening with vertical streaks, a whitening with
 * speckles. The probe must read both the kind and the strength. */
static AdisImage *
weather_example (int    category,
                 double intensity,
                 guint  seed)
{
  g_autoptr(AdisImage) base = make_pattern (64, 64, seed);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed * 7 + 1);
  const float *in = adis_image_get_planes (base);
  gsize n = 64 * 64;
  g_autofree float *out = g_new (float, 3 * n);

  for (gsize i = 0; i < n; i++)
    {
      int x = (int) (i % 64);
      float r = in[i], g = in[n + i], b = in[2 * n + i];
      float k = (float) intensity;

      if (category == 0)
        {
          r += 0.5f * k;
          g += 0.15f * k;
          b -= 0.4f * k;
        }
      else if (category == 1)
        {
          float streak = (x % 6 == 0) ? 0.5f * k : 0.0f;

          r = r * (1 - 0.5f * k) - 0.3f * k + streak;
          g = g * (1 - 0.5f * k) - 0.25f * k + streak;
          b = b * (1 - 0.5f * k) - 0.1f * k + streak;
        }
      else
        {
          float speck = g_rand_double (rand) < 0.05 * k ? 1.0f : 0.0f;

          r = r + (1 - r) * 0.6f * k + speck;
          g = g + (1 - g) * 0.6f * k + speck;
          b = b + (1 - b) * 0.6f * k + speck;
        }
      out[i] = CLAMP (r, -1.0f, 1.0f);
      out[n + i] = CLAMP (g, -1.0f, 1.0f);
      out[2 * n + i] = CLAMP (b, -1.0f, 1.0f);
    }
  return adis_image_new_from_planes (out, 64, 64);
}

static AdisProbe *
train_weather_probe (guint64 seed)
{
  AdisProbeOptions options;
  g_autoptr(GError) error = NULL;
  AdisProbe *probe;

  adis_probe_options_init (&options);
  options.seed = seed;
  probe = adis_probe_new (3, &options);

  for (guint i = 0; i < 240; i++)
    {
      g_autoptr(AdisImage) image = NULL;
      float target[3] = { 0, 0, 0 };
      int category = (int) (i % 3);
      double intensity = 0.2 + 0.8 * ((i * 37) % 100) / 100.0;

      target[category] = 1;
      image = weather_example (category, intensity, 100 + i);
      adis_probe_add_example (probe, image, target, (float) intensity);
    }
  g_assert_cmpuint (adis_probe_get_n_examples (probe), ==, 240);

  adis_probe_train (probe, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return probe;
}

static void
test_probe_learns (void)
{
  g_autoptr(AdisProbe) probe = train_weather_probe (5);
  g_autoptr(AdisProbe) again = train_weather_probe (5);
  double truth[60], predicted[60];
  int correct = 0;

  /* Held out: patterns the probe never saw */
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AdisImage) image = NULL;
      float probs[3], probs_again[3];
      float intensity, intensity_again;
      int category = (int) (i % 3);
      int best = 0;

      truth[i] = 0.2 + 0.8 * ((i * 13) % 60) / 60.0;
      image = weather_example (category, truth[i], 5000 + i);
      adis_probe_predict (probe, image, probs, &intensity, &error);
      g_assert_no_error (error);
      for (int c = 1; c < 3; c++)
        if (probs[c] > probs[best])
          best = c;
      correct += best == category;
      predicted[i] = intensity;
      g_assert_cmpfloat (fabs (probs[0] + probs[1] + probs[2] - 1.0), <, 1e-5);

      /* The same seed learns the same probe */
      adis_probe_predict (again, image, probs_again, &intensity_again, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (intensity_again, ==, intensity);
      g_assert_cmpmem (probs_again, sizeof probs_again, probs, sizeof probs);
    }

  g_test_message ("probe: accuracy %d/60, intensity Spearman %.3f",
                  correct, adis_eval_spearman (truth, predicted, 60));
  /* Chance is 20 of 60 */
  g_assert_cmpint (correct, >=, 50);
  g_assert_cmpfloat (adis_eval_spearman (truth, predicted, 60), >, 0.7);
}

static void
test_probe_refuses (void)
{
  AdisProbeOptions options;
  g_autoptr(AdisProbe) probe = NULL;
  g_autoptr(AdisImage) image = make_pattern (32, 32, 1);
  g_autoptr(GError) error = NULL;
  float probs[2];
  const float target[2] = { 1, 0 };

  adis_probe_options_init (&options);
  probe = adis_probe_new (2, &options);
  g_assert_false (adis_probe_predict (probe, image, probs, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_FAILED);
  g_clear_error (&error);

  adis_probe_add_example (probe, image, target, 0.5f);
  g_assert_false (adis_probe_train (probe, NULL, NULL, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

/* --- FID and KID against the Python reference --------------------------- */

static GPtrArray *
images_from_tensor (const AdisTensorView *view)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);
  gsize per_image;

  g_assert_nonnull (view);
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_U8);
  g_assert_cmpint (view->n_dims, ==, 4);
  per_image = (gsize) 3 * view->shape[2] * view->shape[3];

  for (gint64 i = 0; i < view->shape[0]; i++)
    {
      g_autofree float *planes = g_new (float, per_image);

      /* As the engine's own 8-bit reader scales */
      for (gsize k = 0; k < per_image; k++)
        planes[k] = (float) view->data[i * per_image + k] / 127.5f - 1.0f;
      g_ptr_array_add (images, adis_image_new_from_planes (planes, (int) view->shape[3], (int) view->shape[2]));
    }
  return images;
}

static void
assert_relative (double actual,
                 double expected,
                 double tolerance,
                 const char *what)
{
  if (!(fabs (actual - expected) <= tolerance * fabs (expected)))
    g_error ("%s: %.10g, reference %.10g (relative error %.3g)",
             what, actual, expected, fabs (actual - expected) / fabs (expected));
}

static void
test_fid_kid (void)
{
  g_autofree char *dir = test_make_tmpdir ("soundstyle-eval");
  g_autofree char *script = g_build_filename (test_source_dir (), "tests", "engine", "eval-reference.py", NULL);
  g_autofree char *net_path = g_build_filename (dir, "features.pt", NULL);
  g_autofree char *sets_path = g_build_filename (dir, "sets.safetensors", NULL);
  const char *argv[] = { test_python (), script, dir, NULL };
  g_autofree char *err = NULL;
  g_autoptr(AdisTensorFile) sets = NULL;
  g_autoptr(AdisFeatureNet) net = NULL;
  g_autoptr(GPtrArray) set_a = NULL;
  g_autoptr(GPtrArray) set_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *features_a = NULL;
  g_autofree float *features_b = NULL;
  const AdisTensorView *reference_a;
  double fid, kid, kid_std, fid_self, kid_random;
  int dim_a = 0, dim_b = 0;
  gsize n;

  if (test_run (argv, NULL, &err) != 0)
    g_error ("%s failed: %s", script, err ? err : "");

  sets = adis_tensor_file_open (sets_path, &error);
  g_assert_no_error (error);
  set_a = images_from_tensor (adis_tensor_file_lookup (sets, "a"));
  set_b = images_from_tensor (adis_tensor_file_lookup (sets, "b"));
  n = set_a->len;

  net = adis_feature_net_load (net_path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  features_a = adis_feature_net_extract (net, (AdisImage **) set_a->pdata, set_a->len, &dim_a, NULL, &error);
  g_assert_no_error (error);
  features_b = adis_feature_net_extract (net, (AdisImage **) set_b->pdata, set_b->len, &dim_b, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dim_a, ==, 16);
  g_assert_cmpint (dim_b, ==, 16);

  /* The network itself: the same features as PyTorch computed */
  reference_a = adis_tensor_file_lookup (sets, "features_a");
  g_assert_nonnull (reference_a);
  for (gsize i = 0; i < n * 16; i++)
    g_assert_cmpfloat_with_epsilon (features_a[i], ((const float *) reference_a->data)[i], 1e-5);

  g_assert_true (adis_eval_fid (features_a, n, features_b, set_b->len, 16, &fid, &error));
  g_assert_no_error (error);
  assert_relative (fid, g_ascii_strtod (adis_tensor_file_get_metadata (sets, "fid"), NULL), 1e-4, "FID");

  /* Subsets as large as the sets: every subset is the whole set */
  g_assert_true (adis_eval_kid (features_a, n, features_b, set_b->len, 16, 3, 1000, 1, &kid, &kid_std, &error));
  g_assert_no_error (error);
  assert_relative (kid, g_ascii_strtod (adis_tensor_file_get_metadata (sets, "kid"), NULL), 1e-4, "KID");
  /* The same value each time, up to the order of the sums */
  g_assert_cmpfloat (kid_std, <, 1e-6 * fabs (kid));

  /* A set against itself is at distance 0 */
  g_assert_true (adis_eval_fid (features_a, n, features_a, n, 16, &fid_self, &error));
  g_assert_cmpfloat (fabs (fid_self), <, 1e-6 * fid);

  /* Random subsets: repeatable under the seed, near the full-set value */
  g_assert_true (adis_eval_kid (features_a, n, features_b, set_b->len, 16, 50, 12, 9, &kid_random, NULL, &error));
  {
    double repeat;

    g_assert_true (adis_eval_kid (features_a, n, features_b, set_b->len, 16, 50, 12, 9, &repeat, NULL, &error));
    g_assert_cmpfloat (repeat, ==, kid_random);
  }
  g_assert_cmpfloat (kid_random, >, 0.3 * kid);
  g_assert_cmpfloat (kid_random, <, 3.0 * kid);

  g_assert_false (adis_eval_fid (features_a, 1, features_b, n, 16, &fid, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);

  test_rm_rf (dir);
}

static void
test_feature_net_refuses (void)
{
  g_autofree char *dir = test_make_tmpdir ("soundstyle-eval");
  g_autofree char *bogus = g_build_filename (dir, "inception.pt", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pt", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (bogus, "not a TorchScript archive", -1, NULL));
  g_assert_null (adis_feature_net_load (bogus, ADIS_DEVICE_CPU, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, bogus));
  g_clear_error (&error);

  g_assert_null (adis_feature_net_load (missing, ADIS_DEVICE_CPU, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, missing));

  test_rm_rf (dir);
}

/* --- colour layout, detail, the oracle's nearest weather ----------------- */

static AdisImage *
make_constant (int width, int height, float r, float g, float b)
{
  g_autofree float *planes = g_new (float, (gsize) 3 * width * height);
  float rgb[3] = { r, g, b };

  for (int c = 0; c < 3; c++)
    for (gsize i = 0; i < (gsize) width * height; i++)
      planes[(gsize) c * width * height + i] = rgb[c];
  return adis_image_new_from_planes (planes, width, height);
}

/* Values every CIELAB table gives (D65): sRGB grey 0.5 and pure red */
static void
test_lab_known_values (void)
{
  g_autoptr(AdisImage) grey = make_constant (16, 16, 0.0f, 0.0f, 0.0f);
  g_autoptr(AdisImage) red = make_constant (32, 17, 1.0f, -1.0f, -1.0f);
  g_autoptr(AdisImage) white = make_constant (16, 20, 1.0f, 1.0f, 1.0f);
  g_autofree double *g = adis_eval_lab_grid (grey, 16);
  g_autofree double *r = adis_eval_lab_grid (red, 16);
  g_autofree double *w = adis_eval_lab_grid (white, 4);

  for (int cell = 0; cell < 256; cell++)
    {
      g_assert_cmpfloat_with_epsilon (g[3 * cell], 53.3890, 1e-3);
      g_assert_cmpfloat_with_epsilon (g[3 * cell + 1], 0.0, 1e-4);
      g_assert_cmpfloat_with_epsilon (g[3 * cell + 2], 0.0, 1e-4);
      g_assert_cmpfloat_with_epsilon (r[3 * cell], 53.2408, 1e-3);
      g_assert_cmpfloat_with_epsilon (r[3 * cell + 1], 80.0925, 1e-3);
      g_assert_cmpfloat_with_epsilon (r[3 * cell + 2], 67.2032, 1e-3);
    }
  g_assert_cmpfloat_with_epsilon (w[0], 100.0, 1e-5);
  /* Red against grey: the distance of the two colours, in every cell */
  g_assert_cmpfloat_with_epsilon (adis_eval_lab_grid_distance (g, r, 16),
                                  sqrt (pow (53.3890 - 53.2408, 2) + pow (80.0925, 2) + pow (67.2032, 2)), 2e-3);
  g_assert_cmpfloat (adis_eval_layout_distance (grey, grey), ==, 0.0);
  /* Too small for the grid */
  {
    g_autoptr(AdisImage) tiny = make_constant (15, 40, 0.f, 0.f, 0.f);

    g_assert_true (isnan (adis_eval_layout_distance (tiny, grey)));
    g_assert_true (isnan (adis_eval_detail_correlation (tiny, tiny)));
  }
  /* No detail at all: undefined, not 1 */
  g_assert_true (isnan (adis_eval_detail_correlation (grey, grey)));
}

static AdisImage *
image_from_planes_view (const AdisTensorView *view)
{
  g_assert_nonnull (view);
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_F32);
  g_assert_cmpint (view->n_dims, ==, 3);
  return adis_image_new_from_planes ((const float *) view->data, (int) view->shape[2], (int) view->shape[1]);
}

/* The grid, its distance and the LoG correlation against torch */
static void
test_layout_detail_reference (void)
{
  g_autofree char *dir = test_make_tmpdir ("soundstyle-layout");
  g_autofree char *script = g_build_filename (test_source_dir (), "tests", "engine", "layout-reference.py", NULL);
  g_autofree char *path = g_build_filename (dir, "layout.safetensors", NULL);
  const char *argv[] = { test_python (), script, dir, NULL };
  g_autofree char *err = NULL;
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(AdisImage) a = NULL;
  g_autoptr(AdisImage) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *grid_a = NULL;
  g_autofree double *grid_b = NULL;
  const char *names[] = { "grid_a", "grid_b" };
  double detail;

  if (test_run (argv, NULL, &err) != 0)
    g_error ("%s failed: %s", script, err ? err : "");
  file = adis_tensor_file_open (path, &error);
  g_assert_no_error (error);
  a = image_from_planes_view (adis_tensor_file_lookup (file, "a"));
  b = image_from_planes_view (adis_tensor_file_lookup (file, "b"));
  grid_a = adis_eval_lab_grid (a, ADIS_EVAL_LAYOUT_CELLS);
  grid_b = adis_eval_lab_grid (b, ADIS_EVAL_LAYOUT_CELLS);

  for (int k = 0; k < 2; k++)
    {
      const AdisTensorView *view = adis_tensor_file_lookup (file, names[k]);
      const double *grid = k == 0 ? grid_a : grid_b;

      g_assert_nonnull (view);
      for (int i = 0; i < ADIS_EVAL_LAYOUT_CELLS * ADIS_EVAL_LAYOUT_CELLS * 3; i++)
        g_assert_cmpfloat_with_epsilon (grid[i], ((const float *) view->data)[i], 1e-4);
    }
  assert_relative (adis_eval_lab_grid_distance (grid_a, grid_b, ADIS_EVAL_LAYOUT_CELLS),
                   g_ascii_strtod (adis_tensor_file_get_metadata (file, "distance"), NULL), 1e-6, "layout distance");
  assert_relative (adis_eval_layout_distance (a, b),
                   g_ascii_strtod (adis_tensor_file_get_metadata (file, "distance"), NULL), 1e-6, "layout distance");

  detail = adis_eval_detail_correlation (a, b);
  assert_relative (detail, g_ascii_strtod (adis_tensor_file_get_metadata (file, "detail"), NULL), 1e-5, "detail");
  g_assert_cmpfloat (detail, >, 0.3);
  g_assert_cmpfloat (detail, <, 0.99);
  g_assert_cmpfloat_with_epsilon (adis_eval_detail_correlation (a, a), 1.0, 1e-12);
  /* Sizes must agree */
  {
    g_autoptr(AdisImage) cut = adis_image_crop (a, 0, 0, 40, 30);

    g_assert_true (isnan (adis_eval_detail_correlation (a, cut)));
  }
  test_rm_rf (dir);
}

/* The renderer's own images are nearest their own category: accuracy 1 */
static void
test_oracle_nearest (void)
{
  g_autofree char *path = g_build_filename (test_source_dir (), "resources", "samples", "photos",
                                            "aitzgorri_by_Aitzol_Berasategi.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) photo = adis_image_load (path, &error);
  g_autoptr(AdisImage) input = NULL;
  g_autofree double *grids = NULL;
  const AdisSynthCategory categories[] = { ADIS_SYNTH_SUNNY, ADIS_SYNTH_RAIN, ADIS_SYNTH_SNOW, ADIS_SYNTH_FOG };
  const float intensities[] = { 0.2f, 0.5f, 0.8f };
  guint correct = 0, n = 0;

  g_assert_no_error (error);
  input = adis_image_resize (photo, 96, 64);
  grids = adis_eval_oracle_grids (input, categories, 4, intensities, 3, 11, &error);
  g_assert_no_error (error);

  for (int c = 0; c < 4; c++)
    for (int i = 0; i < 3; i++)
      {
        g_autoptr(AdisImage) render = NULL;
        AdisSynthFactors factors;
        double distance = -1;

        adis_synth_factors_init (&factors);
        factors.category = factors.category_b = categories[c];
        factors.intensity = intensities[i];
        factors.seed = 11;
        render = adis_synth_render (input, &factors, &error);
        g_assert_no_error (error);
        correct += adis_eval_oracle_nearest (render, grids, 4, 3, &distance) == c;
        n++;
        g_assert_cmpfloat (distance, ==, 0.0);
      }
  g_assert_cmpuint (correct, ==, n);

  /* The categories the grids were made for, in their order: an index into them */
  {
    const AdisSynthCategory two[] = { ADIS_SYNTH_FOG, ADIS_SYNTH_RAIN };
    g_autofree double *fog_rain = adis_eval_oracle_grids (input, two, 2, intensities, 3, 11, &error);
    g_autoptr(AdisImage) rain = NULL;
    AdisSynthFactors factors;

    adis_synth_factors_init (&factors);
    factors.category = factors.category_b = ADIS_SYNTH_RAIN;
    factors.intensity = 0.5f;
    factors.seed = 11;
    rain = adis_synth_render (input, &factors, &error);
    g_assert_cmpint (adis_eval_oracle_nearest (rain, fog_rain, 2, 3, NULL), ==, 1);
  }

  /* Too small to lay out */
  {
    g_autoptr(AdisImage) tiny = adis_image_resize (photo, 12, 8);

    g_assert_null (adis_eval_oracle_grids (tiny, categories, 4, intensities, 3, 11, &error));
    g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
    g_assert_cmpint (adis_eval_oracle_nearest (tiny, grids, 4, 3, NULL), ==, -1);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/eval/psnr", test_psnr);
  g_test_add_func ("/eval/ssim", test_ssim);
  g_test_add_func ("/eval/edge-correlation", test_edge_correlation);
  g_test_add_func ("/eval/spearman", test_spearman);
  g_test_add_func ("/eval/probe/learns", test_probe_learns);
  g_test_add_func ("/eval/probe/refuses", test_probe_refuses);
  g_test_add_func ("/eval/fid-kid", test_fid_kid);
  g_test_add_func ("/eval/feature-net-refuses", test_feature_net_refuses);
  g_test_add_func ("/eval/layout/known-values", test_lab_known_values);
  g_test_add_func ("/eval/layout/detail-reference", test_layout_detail_reference);
  g_test_add_func ("/eval/layout/oracle-nearest", test_oracle_nearest);

  return g_test_run ();
}
