/* adis-eval-layout.c: the two figures a probe cannot be fooled on: where
 * the colours are (CIELAB on a coarse grid, and which of the renderer's
 * weathers an image is nearest to), and whether fine detail survived (the
 * Laplacian of Gaussian of L*)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include "adis-eval.h"

/* ---- CIELAB ----------------------------------------------------------------- */

static double
srgb_to_linear (double c)
{
  c = CLAMP (c, 0.0, 1.0);
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
lab_f (double t)
{
  const double delta = 6.0 / 29.0;

  return t > delta * delta * delta ? cbrt (t) : t / (3.0 * delta * delta) + 4.0 / 29.0;
}

/* An AdisImage pixel ([-1, 1] per channel, sRGB-encoded) to L*, a*, b* (D65) */
static void
pixel_to_lab (float r, float g, float b, double lab[3])
{
  double lr = srgb_to_linear ((r + 1.0) * 0.5);
  double lg = srgb_to_linear ((g + 1.0) * 0.5);
  double lb = srgb_to_linear ((b + 1.0) * 0.5);
  double x = 0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb;
  double y = 0.2126729 * lr + 0.7151522 * lg + 0.0721750 * lb;
  double z = 0.0193339 * lr + 0.1191920 * lg + 0.9503041 * lb;
  double fx = lab_f (x / 0.95047), fy = lab_f (y), fz = lab_f (z / 1.08883);

  lab[0] = 116.0 * fy - 16.0;
  lab[1] = 500.0 * (fx - fy);
  lab[2] = 200.0 * (fy - fz);
}

double *
adis_eval_lab_grid (AdisImage *image,
                    int        cells)
{
  int w, h;
  const float *p;
  gsize plane;
  double *grid;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (cells > 0, NULL);
  w = adis_image_get_width (image);
  h = adis_image_get_height (image);
  g_return_val_if_fail (w >= cells && h >= cells, NULL);

  p = adis_image_get_planes (image);
  plane = (gsize) w * h;
  grid = g_new0 (double, (gsize) cells * cells * 3);
  for (int cy = 0; cy < cells; cy++)
    for (int cx = 0; cx < cells; cx++)
      {
        int x0 = (int) ((gint64) cx * w / cells), x1 = (int) ((gint64) (cx + 1) * w / cells);
        int y0 = (int) ((gint64) cy * h / cells), y1 = (int) ((gint64) (cy + 1) * h / cells);
        double sum[3] = { 0, 0, 0 };
        double *out = grid + ((gsize) cy * cells + cx) * 3;

        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            {
              gsize i = (gsize) y * w + x;
              double lab[3];

              pixel_to_lab (p[i], p[plane + i], p[2 * plane + i], lab);
              sum[0] += lab[0];
              sum[1] += lab[1];
              sum[2] += lab[2];
            }
        for (int c = 0; c < 3; c++)
          out[c] = sum[c] / ((double) (x1 - x0) * (y1 - y0));
      }
  return grid;
}

double
adis_eval_lab_grid_distance (const double *a,
                             const double *b,
                             int           cells)
{
  double sum = 0.0;
  gsize n = (gsize) cells * cells;

  for (gsize i = 0; i < n; i++)
    {
      double dl = a[3 * i] - b[3 * i], da = a[3 * i + 1] - b[3 * i + 1], db = a[3 * i + 2] - b[3 * i + 2];

      sum += sqrt (dl * dl + da * da + db * db);
    }
  return sum / n;
}

double
adis_eval_layout_distance (AdisImage *a,
                           AdisImage *b)
{
  g_autofree double *ga = NULL;
  g_autofree double *gb = NULL;

  if (adis_image_get_width (a) < ADIS_EVAL_LAYOUT_CELLS || adis_image_get_height (a) < ADIS_EVAL_LAYOUT_CELLS ||
      adis_image_get_width (b) < ADIS_EVAL_LAYOUT_CELLS || adis_image_get_height (b) < ADIS_EVAL_LAYOUT_CELLS)
    return NAN;
  ga = adis_eval_lab_grid (a, ADIS_EVAL_LAYOUT_CELLS);
  gb = adis_eval_lab_grid (b, ADIS_EVAL_LAYOUT_CELLS);
  return adis_eval_lab_grid_distance (ga, gb, ADIS_EVAL_LAYOUT_CELLS);
}

/* ---- the oracle's nearest weather --------------------------------------------- */

double *
adis_eval_oracle_grids (AdisImage                *photo,
                        const AdisSynthCategory  *categories,
                        int                       n_categories,
                        const float              *intensities,
                        int                       n_intensities,
                        guint64                   seed,
                        GError                  **error)
{
  gsize per_grid = (gsize) ADIS_EVAL_LAYOUT_CELLS * ADIS_EVAL_LAYOUT_CELLS * 3;
  g_autofree double *grids = NULL;

  g_return_val_if_fail (photo != NULL, NULL);
  g_return_val_if_fail (n_categories > 0 && n_intensities > 0, NULL);

  if (adis_image_get_width (photo) < ADIS_EVAL_LAYOUT_CELLS ||
      adis_image_get_height (photo) < ADIS_EVAL_LAYOUT_CELLS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "A %d x %d image is too small for a %d x %d colour layout",
                   adis_image_get_width (photo), adis_image_get_height (photo),
                   ADIS_EVAL_LAYOUT_CELLS, ADIS_EVAL_LAYOUT_CELLS);
      return NULL;
    }
  grids = g_new (double, per_grid * n_categories * n_intensities);
  for (int c = 0; c < n_categories; c++)
    for (int i = 0; i < n_intensities; i++)
      {
        g_autoptr(AdisImage) render = NULL;
        g_autofree double *grid = NULL;
        AdisSynthFactors factors;

        adis_synth_factors_init (&factors);
        factors.category = categories[c];
        factors.category_b = categories[c];
        factors.intensity = intensities[i];
        factors.seed = seed;
        if ((render = adis_synth_render (photo, &factors, error)) == NULL)
          return NULL;
        grid = adis_eval_lab_grid (render, ADIS_EVAL_LAYOUT_CELLS);
        memcpy (grids + per_grid * ((gsize) c * n_intensities + i), grid, per_grid * sizeof (double));
      }
  return g_steal_pointer (&grids);
}

int
adis_eval_oracle_nearest (AdisImage     *image,
                          const double  *grids,
                          int            n_categories,
                          int            n_intensities,
                          double        *out_distance)
{
  gsize per_grid = (gsize) ADIS_EVAL_LAYOUT_CELLS * ADIS_EVAL_LAYOUT_CELLS * 3;
  g_autofree double *grid = NULL;
  double best = INFINITY;
  int best_category = -1;

  g_return_val_if_fail (image != NULL && grids != NULL, -1);

  if (adis_image_get_width (image) < ADIS_EVAL_LAYOUT_CELLS ||
      adis_image_get_height (image) < ADIS_EVAL_LAYOUT_CELLS)
    return -1;
  grid = adis_eval_lab_grid (image, ADIS_EVAL_LAYOUT_CELLS);
  for (int c = 0; c < n_categories; c++)
    for (int i = 0; i < n_intensities; i++)
      {
        double d = adis_eval_lab_grid_distance (grid, grids + per_grid * ((gsize) c * n_intensities + i),
                                                ADIS_EVAL_LAYOUT_CELLS);

        /* Ties go to the first: deterministic */
        if (d < best)
          {
            best = d;
            best_category = c;
          }
      }
  if (out_distance != NULL)
    *out_distance = best;
  return best_category;
}

/* ---- detail: the Laplacian of Gaussian of L* ------------------------------------ */

#define LOG_RADIUS 4   /* 4 sigma, sigma 1 */

/* The sampled Gaussian (sigma 1, normalised to sum 1) and its second
 * derivative, (x^2 - 1) g(x): the 1-D factors of the LoG kernel
 * g''(x) g(y) + g(x) g''(y) */
static void
log_kernels (float g[2 * LOG_RADIUS + 1], float g2[2 * LOG_RADIUS + 1])
{
  double sum = 0.0, raw[2 * LOG_RADIUS + 1];

  for (int k = -LOG_RADIUS; k <= LOG_RADIUS; k++)
    sum += raw[k + LOG_RADIUS] = exp (-0.5 * k * k);
  for (int k = -LOG_RADIUS; k <= LOG_RADIUS; k++)
    {
      double v = raw[k + LOG_RADIUS] / sum;

      g[k + LOG_RADIUS] = (float) v;
      g2[k + LOG_RADIUS] = (float) ((k * k - 1.0) * v);
    }
}

/* L* of every pixel */
static float *
lightness_plane (AdisImage *image)
{
  int w = adis_image_get_width (image), h = adis_image_get_height (image);
  gsize n = (gsize) w * h;
  const float *p = adis_image_get_planes (image);
  float *out = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    {
      double y = 0.2126729 * srgb_to_linear ((p[i] + 1.0) * 0.5) +
                 0.7151522 * srgb_to_linear ((p[n + i] + 1.0) * 0.5) +
                 0.0721750 * srgb_to_linear ((p[2 * n + i] + 1.0) * 0.5);

      out[i] = (float) (116.0 * lab_f (y) - 16.0);
    }
  return out;
}

/* The LoG of image's L* over the pixels whose 9 x 9 kernel lies inside:
 * (w - 8) x (h - 8) values. Separable: a row pass with g and g'', then a
 * column pass that combines them. */
static float *
log_of_lightness (AdisImage *image, int *out_w, int *out_h)
{
  int w = adis_image_get_width (image), h = adis_image_get_height (image);
  int vw = w - 2 * LOG_RADIUS, vh = h - 2 * LOG_RADIUS;
  g_autofree float *l = lightness_plane (image);
  g_autofree float *rows_g = g_new (float, (gsize) vw * h);
  g_autofree float *rows_g2 = g_new (float, (gsize) vw * h);
  float *out = g_new (float, (gsize) vw * vh);
  float g[2 * LOG_RADIUS + 1], g2[2 * LOG_RADIUS + 1];

  log_kernels (g, g2);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < vw; x++)
      {
        const float *src = l + (gsize) y * w + x;
        float a = 0.f, b = 0.f;

        for (int k = 0; k <= 2 * LOG_RADIUS; k++)
          {
            a += g[k] * src[k];
            b += g2[k] * src[k];
          }
        rows_g[(gsize) y * vw + x] = a;
        rows_g2[(gsize) y * vw + x] = b;
      }
  for (int y = 0; y < vh; y++)
    for (int x = 0; x < vw; x++)
      {
        float v = 0.f;

        /* d2/dx2 smoothed in y, plus d2/dy2 of the row-smoothed */
        for (int k = 0; k <= 2 * LOG_RADIUS; k++)
          {
            gsize at = (gsize) (y + k) * vw + x;

            v += g[k] * rows_g2[at] + g2[k] * rows_g[at];
          }
        out[(gsize) y * vw + x] = v;
      }
  *out_w = vw;
  *out_h = vh;
  return out;
}

double
adis_eval_detail_correlation (AdisImage *a,
                              AdisImage *b)
{
  g_autofree float *la = NULL;
  g_autofree float *lb = NULL;
  int w, h, vw, vh;
  gsize n;
  double mean_a = 0.0, mean_b = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0;

  g_return_val_if_fail (a != NULL && b != NULL, NAN);

  w = adis_image_get_width (a);
  h = adis_image_get_height (a);
  if (w != adis_image_get_width (b) || h != adis_image_get_height (b) ||
      w < 2 * LOG_RADIUS + 2 || h < 2 * LOG_RADIUS + 2)
    return NAN;

  la = log_of_lightness (a, &vw, &vh);
  lb = log_of_lightness (b, &vw, &vh);
  n = (gsize) vw * vh;
  /* Two passes in double: 12 million terms lose nothing that matters */
  for (gsize i = 0; i < n; i++)
    {
      mean_a += la[i];
      mean_b += lb[i];
    }
  mean_a /= n;
  mean_b /= n;
  for (gsize i = 0; i < n; i++)
    {
      double da = la[i] - mean_a, db = lb[i] - mean_b;

      saa += da * da;
      sbb += db * db;
      sab += da * db;
    }
  if (!(saa > 0.0) || !(sbb > 0.0))
    return NAN;
  return sab / sqrt (saa * sbb);
}
