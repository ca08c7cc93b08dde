/* adis-eval.c: image metrics and rank statistics (the probe and FID/KID are
 * in torch/probe.cpp and torch/features.cpp)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adis-eval.h"

#define SSIM_WINDOW 11
#define SSIM_SIGMA  1.5
#define SSIM_C1     (0.01 * 0.01)
#define SSIM_C2     (0.03 * 0.03)

static gboolean
same_size (AdisImage *a,
           AdisImage *b)
{
  return adis_image_get_width (a) == adis_image_get_width (b) &&
         adis_image_get_height (a) == adis_image_get_height (b);
}

/* [-1, 1] planes to luminance in [0, 1] (ITU-R BT.601 weights, as
 * MATLAB's rgb2gray and most SSIM implementations) */
static double *
luminance (AdisImage *image)
{
  gsize n = (gsize) adis_image_get_width (image) * adis_image_get_height (image);
  const float *planes = adis_image_get_planes (image);
  double *y = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      double r = 0.5 * (planes[i] + 1.0);
      double g = 0.5 * (planes[n + i] + 1.0);
      double b = 0.5 * (planes[2 * n + i] + 1.0);

      y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    }
  return y;
}

double
adis_eval_psnr (AdisImage *a,
                AdisImage *b)
{
  const float *pa;
  const float *pb;
  gsize n;
  double sum = 0.0;
  double mse;

  g_return_val_if_fail (a != NULL && b != NULL, NAN);

  if (!same_size (a, b))
    return NAN;

  pa = adis_image_get_planes (a);
  pb = adis_image_get_planes (b);
  n = (gsize) 3 * adis_image_get_width (a) * adis_image_get_height (a);
  for (gsize i = 0; i < n; i++)
    {
      /* Halved: the difference in [0, 1] units */
      double d = 0.5 * ((double) pa[i] - (double) pb[i]);

      sum += d * d;
    }
  mse = sum / (double) n;

  if (mse == 0.0)
    return INFINITY;
  return 10.0 * log10 (1.0 / mse);
}

/* Separable Gaussian filtering, 'valid' positions only: out is
 * (w - 10) × (h - 10) */
static void
gaussian_valid (const double *in,
                int           w,
                int           h,
                const double *kernel,
                double       *tmp,
                double       *out)
{
  int ow = w - SSIM_WINDOW + 1;
  int oh = h - SSIM_WINDOW + 1;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < ow; x++)
      {
        double s = 0.0;

        for (int k = 0; k < SSIM_WINDOW; k++)
          s += kernel[k] * in[(gsize) y * w + x + k];
        tmp[(gsize) y * ow + x] = s;
      }

  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      {
        double s = 0.0;

        for (int k = 0; k < SSIM_WINDOW; k++)
          s += kernel[k] * tmp[(gsize) (y + k) * ow + x];
        out[(gsize) y * ow + x] = s;
      }
}

double
adis_eval_ssim (AdisImage *a,
                AdisImage *b)
{
  g_autofree double *ya = NULL;
  g_autofree double *yb = NULL;
  g_autofree double *products = NULL;
  g_autofree double *tmp = NULL;
  g_autofree double *mu_a = NULL;
  g_autofree double *mu_b = NULL;
  g_autofree double *e_aa = NULL;
  g_autofree double *e_bb = NULL;
  g_autofree double *e_ab = NULL;
  double kernel[SSIM_WINDOW];
  double kernel_sum = 0.0;
  double total = 0.0;
  int w, h, ow, oh;
  gsize n, n_out;

  g_return_val_if_fail (a != NULL && b != NULL, NAN);

  w = adis_image_get_width (a);
  h = adis_image_get_height (a);
  if (!same_size (a, b) || w < SSIM_WINDOW || h < SSIM_WINDOW)
    return NAN;

  for (int k = 0; k < SSIM_WINDOW; k++)
    {
      double d = k - SSIM_WINDOW / 2;

      kernel[k] = exp (-d * d / (2.0 * SSIM_SIGMA * SSIM_SIGMA));
      kernel_sum += kernel[k];
    }
  for (int k = 0; k < SSIM_WINDOW; k++)
    kernel[k] /= kernel_sum;

  n = (gsize) w * h;
  ow = w - SSIM_WINDOW + 1;
  oh = h - SSIM_WINDOW + 1;
  n_out = (gsize) ow * oh;

  ya = luminance (a);
  yb = luminance (b);
  products = g_new (double, n);
  tmp = g_new (double, (gsize) ow * h);
  mu_a = g_new (double, n_out);
  mu_b = g_new (double, n_out);
  e_aa = g_new (double, n_out);
  e_bb = g_new (double, n_out);
  e_ab = g_new (double, n_out);

  gaussian_valid (ya, w, h, kernel, tmp, mu_a);
  gaussian_valid (yb, w, h, kernel, tmp, mu_b);
  for (gsize i = 0; i < n; i++)
    products[i] = ya[i] * ya[i];
  gaussian_valid (products, w, h, kernel, tmp, e_aa);
  for (gsize i = 0; i < n; i++)
    products[i] = yb[i] * yb[i];
  gaussian_valid (products, w, h, kernel, tmp, e_bb);
  for (gsize i = 0; i < n; i++)
    products[i] = ya[i] * yb[i];
  gaussian_valid (products, w, h, kernel, tmp, e_ab);

  for (gsize i = 0; i < n_out; i++)
    {
      double var_a = e_aa[i] - mu_a[i] * mu_a[i];
      double var_b = e_bb[i] - mu_b[i] * mu_b[i];
      double cov = e_ab[i] - mu_a[i] * mu_b[i];

      total += ((2.0 * mu_a[i] * mu_b[i] + SSIM_C1) * (2.0 * cov + SSIM_C2)) /
               ((mu_a[i] * mu_a[i] + mu_b[i] * mu_b[i] + SSIM_C1) * (var_a + var_b + SSIM_C2));
    }

  return total / (double) n_out;
}

/* Sobel gradient magnitude of the interior pixels, (w - 2) × (h - 2) */
static double *
sobel_magnitude (const double *y,
                 int           w,
                 int           h)
{
  double *out = g_new (double, (gsize) (w - 2) * (h - 2));

  for (int r = 1; r < h - 1; r++)
    for (int c = 1; c < w - 1; c++)
      {
        const double *up = y + (gsize) (r - 1) * w + c;
        const double *mid = y + (gsize) r * w + c;
        const double *down = y + (gsize) (r + 1) * w + c;
        double gx = (up[1] + 2.0 * mid[1] + down[1]) - (up[-1] + 2.0 * mid[-1] + down[-1]);
        double gy = (down[-1] + 2.0 * down[0] + down[1]) - (up[-1] + 2.0 * up[0] + up[1]);

        out[(gsize) (r - 1) * (w - 2) + (c - 1)] = sqrt (gx * gx + gy * gy);
      }
  return out;
}

double
adis_eval_edge_correlation (AdisImage *a,
                            AdisImage *b)
{
  g_autofree double *ya = NULL;
  g_autofree double *yb = NULL;
  g_autofree double *ea = NULL;
  g_autofree double *eb = NULL;
  int w, h;

  g_return_val_if_fail (a != NULL && b != NULL, NAN);

  w = adis_image_get_width (a);
  h = adis_image_get_height (a);
  if (!same_size (a, b) || w < 3 || h < 3)
    return NAN;

  ya = luminance (a);
  yb = luminance (b);
  ea = sobel_magnitude (ya, w, h);
  eb = sobel_magnitude (yb, w, h);

  return adis_eval_pearson (ea, eb, (gsize) (w - 2) * (h - 2));
}

double
adis_eval_pearson (const double *x,
                   const double *y,
                   gsize         n)
{
  double mean_x = 0.0, mean_y = 0.0;
  double sxx = 0.0, syy = 0.0, sxy = 0.0;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), NAN);

  if (n < 2)
    return NAN;

  for (gsize i = 0; i < n; i++)
    {
      mean_x += x[i];
      mean_y += y[i];
    }
  mean_x /= (double) n;
  mean_y /= (double) n;

  /* Two passes: the centred sums do not cancel catastrophically */
  for (gsize i = 0; i < n; i++)
    {
      double dx = x[i] - mean_x;
      double dy = y[i] - mean_y;

      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }

  if (sxx <= 0.0 || syy <= 0.0)
    return NAN;

  return CLAMP (sxy / sqrt (sxx * syy), -1.0, 1.0);
}

typedef struct
{
  double value;
  gsize  index;
} Ranked;

static int
compare_ranked (const void *pa,
                const void *pb)
{
  const Ranked *a = pa;
  const Ranked *b = pb;

  if (a->value < b->value)
    return -1;
  if (a->value > b->value)
    return 1;
  /* A stable order for equal values, so the result never depends on qsort */
  return a->index < b->index ? -1 : a->index > b->index;
}

/* 1-based ranks; a run of ties gets the mean of the ranks it spans */
static double *
ranks (const double *values,
       gsize         n)
{
  g_autofree Ranked *sorted = g_new (Ranked, n);
  double *out = g_new (double, n);
  gsize i = 0;

  for (gsize k = 0; k < n; k++)
    {
      sorted[k].value = values[k];
      sorted[k].index = k;
    }
  qsort (sorted, n, sizeof (Ranked), compare_ranked);

  while (i < n)
    {
      gsize j = i;
      double mean_rank;

      while (j + 1 < n && sorted[j + 1].value == sorted[i].value)
        j++;
      mean_rank = 0.5 * (double) (i + j) + 1.0;
      for (gsize k = i; k <= j; k++)
        out[sorted[k].index] = mean_rank;
      i = j + 1;
    }

  return out;
}

double
adis_eval_spearman (const double *x,
                    const double *y,
                    gsize         n)
{
  g_autofree double *rx = NULL;
  g_autofree double *ry = NULL;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), NAN);

  if (n < 2)
    return NAN;

  for (gsize i = 0; i < n; i++)
    if (isnan (x[i]) || isnan (y[i]))
      return NAN;

  rx = ranks (x, n);
  ry = ranks (y, n);
  return adis_eval_pearson (rx, ry, n);
}
