/* adis-streaks.c: rain streaks, one drawing for the renderer and the product
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>

#include "adis-streaks.h"
#include "adis-synth-private.h"

const float adis_streaks_colour[3] = { 0.78f, 0.8f, 0.84f };

static inline float
smoothstep (float e0, float e1, float x)
{
  float t = CLAMP ((x - e0) / (e1 - e0), 0.f, 1.f);

  return t * t * (3.f - 2.f * t);
}

/* Light streaks: short slanted segments, all at about one angle. Every
 * streak draws its numbers whatever the strength, so streak i lies in the
 * same place at every strength; the strength decides how many are drawn */
static void
draw_streaks (float *alpha, int width, int height, float scale, float s, guint64 seed)
{
  AdisSynthRng rng;
  double area = (double) width * height / (256.0 * 256.0);
  int count, i;
  double angle;

  adis_synth_rng_init (&rng, seed, 0x5241494e);
  angle = adis_synth_rng_range (&rng, -0.3, 0.3);
  /* So many per 256 x 256 of the picture at 256 px; above that the
   * streaks grow with the picture (scale), so their count per pixel falls
   * as they do, and a large picture looks like a 256-px one */
  count = (int) ((120 + 1100 * s) * area / (MAX (1.f, scale) * MAX (1.f, scale)));

  for (i = 0; i < count; i++)
    {
      double a = angle + adis_synth_rng_range (&rng, -0.04, 0.04);
      double len = adis_synth_rng_range (&rng, 6, 18) * scale * (0.7 + 0.6 * s);
      double half_width = adis_synth_rng_range (&rng, 0.35, 0.7) * MAX (1.f, scale);
      double strength = adis_synth_rng_range (&rng, 0.15, 0.4) * (0.6 + 0.4 * s);
      double x0 = adis_synth_rng_range (&rng, -len, width + len);
      double y0 = adis_synth_rng_range (&rng, -len, height);
      double ux = sin (a), uy = cos (a);
      double x1 = x0 + ux * len, y1 = y0 + uy * len;
      int bx0 = (int) floor (MIN (x0, x1) - 2), bx1 = (int) ceil (MAX (x0, x1) + 2);
      int by0 = (int) floor (MIN (y0, y1) - 2), by1 = (int) ceil (MAX (y0, y1) + 2);

      for (int y = MAX (0, by0); y < MIN (height, by1); y++)
        for (int x = MAX (0, bx0); x < MIN (width, bx1); x++)
          {
            double px = x + 0.5 - x0, py = y + 0.5 - y0;
            double t = CLAMP (px * ux + py * uy, 0.0, len);
            double dx = px - t * ux, dy = py - t * uy;
            double d = sqrt (dx * dx + dy * dy);
            /* Brightest mid-streak, fading at both ends */
            double along = sin (G_PI * t / len);
            float w = (float) (strength * along * (1.0 - smoothstep ((float) half_width * 0.5f,
                                                                     (float) half_width * 1.6f,
                                                                     (float) d)));
            gsize k = (gsize) y * width + x;

            alpha[k] = 1.f - (1.f - alpha[k]) * (1.f - w);
          }
    }
}

void
adis_streaks_draw_alpha (float   *alpha,
                         int      width,
                         int      height,
                         float    scale,
                         float    strength,
                         guint64  seed)
{
  g_return_if_fail (alpha != NULL && width > 0 && height > 0);

  for (gsize i = 0; i < (gsize) width * height; i++)
    alpha[i] = 0.f;
  draw_streaks (alpha, width, height, scale, strength, seed);
  adis_synth_box_blur (alpha, width, height, scale >= 2.f ? 1 : 0);
}

void
adis_streaks_composite (float   *planes,
                        int      width,
                        int      height,
                        float    strength,
                        guint64  seed)
{
  gsize n = (gsize) width * height;
  int long_side = MAX (width, height);
  int dw = width, dh = height;
  float fade, colour[3];
  g_autofree float *alpha = NULL;

  g_return_if_fail (planes != NULL && width > 0 && height > 0);

  strength = CLAMP (strength, 0.f, 1.f);
  if (strength <= 0.f)
    return;
  /* Weaker than the renderer's lightest rain: those streaks, fainter */
  fade = MIN (1.f, strength / ADIS_STREAKS_MIN_STRENGTH);
  strength = MAX (strength, ADIS_STREAKS_MIN_STRENGTH);

  if (long_side > ADIS_STREAKS_MAX_DRAW_SIDE)
    {
      double f = (double) ADIS_STREAKS_MAX_DRAW_SIDE / long_side;

      dw = MAX (1, (int) lround (width * f));
      dh = MAX (1, (int) lround (height * f));
    }
  alpha = g_new (float, (gsize) dw * dh);
  adis_streaks_draw_alpha (alpha, dw, dh, MIN (dw, dh) / 256.f, strength, seed);
  for (int c = 0; c < 3; c++)
    colour[c] = adis_streaks_colour[c] * 2.f - 1.f;

  for (int y = 0; y < height; y++)
    {
      /* Bilinear, pixel centres aligned (the identity when not resized) */
      float sy = CLAMP ((y + 0.5f) * dh / height - 0.5f, 0.f, dh - 1.f);
      int y0 = (int) sy, y1 = MIN (y0 + 1, dh - 1);
      float wy = sy - y0;

      for (int x = 0; x < width; x++)
        {
          float sx = CLAMP ((x + 0.5f) * dw / width - 0.5f, 0.f, dw - 1.f);
          int x0 = (int) sx, x1 = MIN (x0 + 1, dw - 1);
          float wx = sx - x0;
          float top = alpha[(gsize) y0 * dw + x0] + wx * (alpha[(gsize) y0 * dw + x1] - alpha[(gsize) y0 * dw + x0]);
          float bottom = alpha[(gsize) y1 * dw + x0] + wx * (alpha[(gsize) y1 * dw + x1] - alpha[(gsize) y1 * dw + x0]);
          float a = fade * (top + wy * (bottom - top));
          gsize i = (gsize) y * width + x;

          if (a <= 0.f)
            continue;
          for (int c = 0; c < 3; c++)
            planes[c * n + i] += a * (colour[c] - planes[c * n + i]);
        }
    }
}
