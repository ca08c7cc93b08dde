/* adis-synth-render.c: the procedural weather renderer, the oracle of the
 * synthetic data set
 *
 * SPDX-License-Identifier: MIT
 *
 * Each category is a handful of photographic operations driven by a strength
 * s in [~0.3, 1] that grows with intensity, so that intensity 0 is still
 * recognisably that weather. Masks come from the photo itself: a sky mask
 * (bright, smooth, high up), a ground prior (low down) and, for snow, a score
 * for surfaces that face up (bright for their surroundings, lit from above).
 * Everything random (streaks, flakes, noise, the sun's place) comes from the
 * factors' seed through a counter-based generator, never from thread timing.
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include "adis-synth.h"
#include "adis-synth-private.h"
#include "adis-streaks.h"

/* Working image: three [0, 1] planes plus the masks that several effects share */
typedef struct
{
  int     width;
  int     height;
  gsize   n;
  float  *r, *g, *b;     /* views into rgb */
  float  *rgb;
  float  *luma;          /* of the photo, before any effect */
  float  *sky;           /* 0..1 */
  float  *ground;        /* 0..1, a prior on rows */
  float   scale;         /* short side / 256: effects are sized in 256-px units */
  gboolean streaks;      /* rain draws its streaks (not when the model draws them) */
} Canvas;

static inline float
clampf (float x, float lo, float hi)
{
  return x < lo ? lo : (x > hi ? hi : x);
}

static inline float
smoothstep (float e0, float e1, float x)
{
  float t = clampf ((x - e0) / (e1 - e0), 0.f, 1.f);
  return t * t * (3.f - 2.f * t);
}

static inline float
lerpf (float a, float b, float t)
{
  return a + (b - a) * t;
}

static inline float
luma_of (float r, float g, float b)
{
  return 0.299f * r + 0.587f * g + 0.114f * b;
}

/* ---- masks ------------------------------------------------------------------ */

static void
compute_masks (Canvas *c)
{
  g_autofree float *detail = g_new (float, c->n);
  int radius = MAX (1, (int) (3 * c->scale));

  for (gsize i = 0; i < c->n; i++)
    c->luma[i] = luma_of (c->r[i], c->g[i], c->b[i]);

  /* Sky is smooth: small local deviation from a blurred copy */
  memcpy (detail, c->luma, c->n * sizeof (float));
  adis_synth_box_blur (detail, c->width, c->height, radius);
  for (gsize i = 0; i < c->n; i++)
    detail[i] = fabsf (c->luma[i] - detail[i]);
  adis_synth_box_blur (detail, c->width, c->height, radius);

  for (int y = 0; y < c->height; y++)
    {
      float v = (float) y / c->height;
      float high = 1.f - smoothstep (0.25f, 0.7f, v);
      float low = smoothstep (0.4f, 0.95f, v);

      for (int x = 0; x < c->width; x++)
        {
          gsize i = (gsize) y * c->width + x;
          float bright = smoothstep (0.35f, 0.7f, c->luma[i]);
          float bluish = 0.7f + 0.3f * smoothstep (-0.05f, 0.1f, c->b[i] - c->r[i]);
          float smooth = 1.f - smoothstep (0.015f, 0.06f, detail[i]);

          c->sky[i] = bright * bluish * smooth * high;
          c->ground[i] = low;
        }
    }
  /* Blur, then keep only what stays high: the mask shrinks away from the
   * horizon instead of bleeding onto hills (which made bright halos) */
  adis_synth_box_blur (c->sky, c->width, c->height, MAX (1, (int) (4 * c->scale)));
  for (gsize i = 0; i < c->n; i++)
    c->sky[i] = smoothstep (0.45f, 0.9f, c->sky[i]);

  /* Then let the sky flow down each column while the colour changes
   * smoothly, so it reaches the horizon and stops at the ridge */
  for (int y = 1; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        gsize i = (gsize) y * c->width + x, up = i - c->width;
        float diff = fabsf (c->r[i] - c->r[up]) + fabsf (c->g[i] - c->g[up]) + fabsf (c->b[i] - c->b[up]);

        c->sky[i] = MAX (c->sky[i], c->sky[up] * clampf (1.f - diff * 10.f / MAX (1.f, c->scale), 0.f, 1.f));
      }
  adis_synth_box_blur (c->sky, c->width, c->height, MAX (1, (int) c->scale));
}

/* ---- colour operations ---------------------------------------------------- */

static void
saturate (Canvas *c, gsize i, float factor)
{
  float y = luma_of (c->r[i], c->g[i], c->b[i]);

  c->r[i] = y + (c->r[i] - y) * factor;
  c->g[i] = y + (c->g[i] - y) * factor;
  c->b[i] = y + (c->b[i] - y) * factor;
}

static void
blend_towards (Canvas *c, gsize i, float r, float g, float b, float t)
{
  c->r[i] = lerpf (c->r[i], r, t);
  c->g[i] = lerpf (c->g[i], g, t);
  c->b[i] = lerpf (c->b[i], b, t);
}

/* ---- sunny ------------------------------------------------------------------ */

static void
render_sunny (Canvas *c, float intensity, guint64 seed)
{
  float s = 0.35f + 0.65f * intensity;
  AdisSynthRng rng;
  float sun_x, sun_y, radius;

  adis_synth_rng_init (&rng, seed, 0x53554e);
  sun_x = (float) adis_synth_rng_range (&rng, 0.15, 0.85) * c->width;
  sun_y = (float) adis_synth_rng_range (&rng, -0.15, 0.1) * c->height;
  radius = 0.65f * MAX (c->width, c->height);

  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        gsize i = (gsize) y * c->width + x;
        float v = (float) y / c->height;
        float dx = (x - sun_x) / radius, dy = (y - sun_y) / radius;
        float glow = expf (-3.f * (dx * dx + dy * dy)) * 0.4f * s;
        float sky = c->sky[i] * 0.55f * s;
        float lift = 0.35f * s;

        /* Warm white balance, richer colour */
        c->r[i] *= 1.f + 0.10f * s;
        c->g[i] *= 1.f + 0.03f * s;
        c->b[i] *= 1.f - 0.12f * s;
        saturate (c, i, 1.f + 0.6f * s);

        /* A clear blue sky, deeper at the top */
        blend_towards (c, i,
                       lerpf (0.22f, 0.55f, v), lerpf (0.48f, 0.75f, v), lerpf (0.92f, 0.98f, v),
                       sky);

        /* Brighter midtones: x + lift * x * (1 - x) keeps black and white */
        c->r[i] += lift * c->r[i] * (1.f - clampf (c->r[i], 0.f, 1.f));
        c->g[i] += lift * c->g[i] * (1.f - clampf (c->g[i], 0.f, 1.f));
        c->b[i] += lift * c->b[i] * (1.f - clampf (c->b[i], 0.f, 1.f));

        /* Sunlight from above the frame, screened on */
        c->r[i] += glow * 1.00f * (1.f - clampf (c->r[i], 0.f, 1.f));
        c->g[i] += glow * 0.85f * (1.f - clampf (c->g[i], 0.f, 1.f));
        c->b[i] += glow * 0.55f * (1.f - clampf (c->b[i], 0.f, 1.f));
      }
}

/* ---- rain ------------------------------------------------------------------- */

/* Rain's strength: what the streaks' count, length and brightness follow,
 * and what a model's streak layer is taught (adis_synth_streak_strength) */
static inline float
rain_strength (float intensity)
{
  return ADIS_STREAKS_MIN_STRENGTH + (1.f - ADIS_STREAKS_MIN_STRENGTH) * intensity;
}

static void
render_rain (Canvas *c, float intensity, guint64 seed)
{
  float s = rain_strength (intensity);
  float gain = 1.f - (0.22f + 0.33f * s);
  g_autofree float *alpha = NULL;

  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        gsize i = (gsize) y * c->width + x;
        float v = (float) y / c->height;
        float wet = c->ground[i] * (1.f - c->sky[i]);
        float haze = (0.10f + 0.22f * s) * (1.f - 0.6f * v);
        float y0;

        /* Overcast: greyer, cooler, darker, flatter */
        saturate (c, i, 1.f - (0.3f + 0.4f * s));
        c->r[i] *= 1.f - 0.07f * s;
        c->b[i] *= 1.f + 0.05f * s;
        c->r[i] *= gain;
        c->g[i] *= gain;
        c->b[i] *= gain;

        /* A heavy grey sky, and rain haze that hides the distance */
        blend_towards (c, i, 0.42f, 0.45f, 0.5f, c->sky[i] * (0.55f + 0.35f * s));
        blend_towards (c, i, 0.5f * gain + 0.1f, 0.53f * gain + 0.1f, 0.58f * gain + 0.1f, haze);

        /* Wet ground: darker, with a sheen on what was bright */
        y0 = c->luma[i];
        c->r[i] *= 1.f - 0.28f * s * wet;
        c->g[i] *= 1.f - 0.28f * s * wet;
        c->b[i] *= 1.f - 0.25f * s * wet;
        if (y0 > 0.5f)
          {
            float sheen = 0.35f * s * wet * (y0 - 0.5f);

            c->r[i] += sheen;
            c->g[i] += sheen;
            c->b[i] += sheen * 1.1f;
          }
      }

  if (!c->streaks)
    return;
  alpha = g_new (float, c->n);
  adis_streaks_draw_alpha (alpha, c->width, c->height, c->scale, s, seed);
  for (gsize i = 0; i < c->n; i++)
    blend_towards (c, i, adis_streaks_colour[0], adis_streaks_colour[1], adis_streaks_colour[2], alpha[i]);
}

/* ---- snow ------------------------------------------------------------------- */

/* Soft round flakes of a few sizes: a few big near ones, many small far ones */
static void
draw_flakes (Canvas *c, float s, guint64 seed)
{
  AdisSynthRng rng;
  double area = (double) c->width * c->height / (256.0 * 256.0);
  int count = (int) ((150 + 900 * s) * area);

  adis_synth_rng_init (&rng, seed, 0x464c414b);
  for (int i = 0; i < count; i++)
    {
      double near = pow (adis_synth_rng_uniform (&rng), 4.0);
      double radius = (0.6 + 2.4 * near) * c->scale;
      double strength = adis_synth_rng_range (&rng, 0.55, 0.95) * (1.0 - 0.35 * near);
      double cx = adis_synth_rng_range (&rng, 0, c->width);
      double cy = adis_synth_rng_range (&rng, 0, c->height);
      int r = (int) ceil (radius) + 1;

      for (int y = MAX (0, (int) cy - r); y < MIN (c->height, (int) cy + r + 1); y++)
        for (int x = MAX (0, (int) cx - r); x < MIN (c->width, (int) cx + r + 1); x++)
          {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            float d = (float) sqrt (dx * dx + dy * dy);
            float w = (float) strength * (1.f - smoothstep ((float) radius * 0.3f,
                                                            (float) radius + 0.5f, d));

            blend_towards (c, (gsize) y * c->width + x, 0.97f, 0.98f, 1.f, w);
          }
    }
}

static void
render_snow (Canvas *c, float intensity, guint64 seed)
{
  float s = 0.3f + 0.7f * intensity;
  float coverage = 0.2f + 0.5f * intensity;   /* of the non-sky area */
  g_autofree float *score = g_new (float, c->n);
  g_autofree float *around = g_new (float, c->n);
  g_autofree float *noise = g_new (float, c->n);
  float threshold;
  int shift = MAX (1, (int) (2 * c->scale));

  memcpy (around, c->luma, c->n * sizeof (float));
  adis_synth_box_blur (around, c->width, c->height, MAX (2, (int) (8 * c->scale)));
  adis_synth_fbm (noise, c->width, c->height, 40.f * c->scale, seed ^ 0x534e4f57);

  /* Upward-facing: bright for its surroundings, brighter than what lies just
   * below it (lit from above), lower in the frame, and patchy */
  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        gsize i = (gsize) y * c->width + x;
        gsize below = (gsize) MIN (c->height - 1, y + shift) * c->width + x;
        float top_lit = clampf ((around[i] - around[below]) * 6.f, -0.3f, 0.3f);

        score[i] = 0.9f * c->luma[i] + 0.3f * (c->luma[i] - around[i])
                   + top_lit + 0.35f * c->ground[i] + 0.5f * (noise[i] - 0.5f);
      }

  /* A little blur: snow lies in soft drifts, not on single bright pixels */
  adis_synth_box_blur (score, c->width, c->height, MAX (1, (int) (1.5f * c->scale)));
  threshold = adis_synth_quantile (score, c->sky, c->n, 1.f - coverage);

  for (gsize i = 0; i < c->n; i++)
    {
      float cover = smoothstep (threshold - 0.1f, threshold + 0.1f, score[i]) * (1.f - c->sky[i]);
      /* Keep a little of the shading underneath so the snow has form */
      float shade = clampf (0.86f + 0.5f * (c->luma[i] - around[i]) + 0.1f * c->luma[i], 0.7f, 1.05f);

      /* Cold light: greyer, bluer, paler overall */
      saturate (c, i, 1.f - (0.35f + 0.4f * s));
      c->r[i] *= 1.f - 0.05f * s;
      c->b[i] *= 1.f + 0.05f * s;
      blend_towards (c, i, 0.9f, 0.92f, 0.95f, 0.12f + 0.15f * s);
      blend_towards (c, i, 0.86f, 0.88f, 0.9f, c->sky[i] * (0.6f + 0.3f * s));

      blend_towards (c, i, 0.95f * shade, 0.96f * shade, 0.99f * shade, 0.95f * cover);
    }

  draw_flakes (c, s, seed);
}

/* ---- fog -------------------------------------------------------------------- */

static void
render_fog (Canvas *c, float intensity, guint64 seed)
{
  float s = 0.3f + 0.7f * intensity;
  g_autofree float *noise = g_new (float, c->n);

  adis_synth_fbm (noise, c->width, c->height, 64.f * c->scale, seed ^ 0x464f47);
  for (int y = 0; y < c->height; y++)
    for (int x = 0; x < c->width; x++)
      {
        gsize i = (gsize) y * c->width + x;
        float v = (float) y / c->height;
        /* Higher in the frame is further away, and the sky is furthest */
        float depth = MAX (1.f - smoothstep (0.2f, 1.05f, v), c->sky[i]);
        float amount = clampf ((0.2f + 0.7f * s) * (0.35f + 0.65f * depth)
                               * (0.75f + 0.5f * noise[i]), 0.f, 0.97f);

        saturate (c, i, 1.f - 0.45f * s);
        blend_towards (c, i, 0.8f, 0.82f, 0.84f, amount);
      }
}

/* ---- the oracle ------------------------------------------------------------- */

static void
render_one (Canvas *c, AdisSynthCategory category, float intensity, guint64 seed)
{
  switch (category)
    {
    case ADIS_SYNTH_SUNNY: render_sunny (c, intensity, seed); break;
    case ADIS_SYNTH_RAIN:  render_rain (c, intensity, seed); break;
    case ADIS_SYNTH_SNOW:  render_snow (c, intensity, seed); break;
    case ADIS_SYNTH_FOG:   render_fog (c, intensity, seed); break;
    case ADIS_SYNTH_N_CATEGORIES:
    default: g_assert_not_reached ();
    }
}

static void
canvas_init (Canvas *c, AdisImage *photo)
{
  const float *planes = adis_image_get_planes (photo);

  c->width = adis_image_get_width (photo);
  c->height = adis_image_get_height (photo);
  c->n = (gsize) c->width * c->height;
  c->scale = MIN (c->width, c->height) / 256.f;
  c->rgb = g_new (float, 3 * c->n);
  c->r = c->rgb;
  c->g = c->rgb + c->n;
  c->b = c->rgb + 2 * c->n;
  for (gsize i = 0; i < 3 * c->n; i++)
    c->rgb[i] = (planes[i] + 1.f) * 0.5f;
  c->luma = g_new (float, c->n);
  c->sky = g_new (float, c->n);
  c->ground = g_new (float, c->n);
  compute_masks (c);
}

static void
canvas_clear (Canvas *c)
{
  g_free (c->rgb);
  g_free (c->luma);
  g_free (c->sky);
  g_free (c->ground);
}

/* A second canvas that shares the first's masks but has its own pixels */
static float *
render_copy (const Canvas *base, AdisSynthCategory category, float intensity, guint64 seed)
{
  Canvas c = *base;

  c.rgb = g_memdup2 (base->rgb, 3 * base->n * sizeof (float));
  c.r = c.rgb;
  c.g = c.rgb + c.n;
  c.b = c.rgb + 2 * c.n;
  render_one (&c, category, intensity, seed);
  for (gsize i = 0; i < 3 * c.n; i++)
    c.rgb[i] = clampf (c.rgb[i], 0.f, 1.f);
  return c.rgb;
}

AdisImage *
adis_synth_render (AdisImage               *photo,
                   const AdisSynthFactors  *factors,
                   GError                 **error)
{
  return adis_synth_render_layers (photo, factors, TRUE, error);
}

float
adis_synth_streak_strength (const AdisSynthFactors *factors)
{
  float share = 0.f;

  g_return_val_if_fail (factors != NULL, 0.f);

  if (factors->category == ADIS_SYNTH_RAIN)
    share += 1.f - CLAMP (factors->weight, 0.f, 1.f);
  if (factors->weight > 0.f && factors->category_b == ADIS_SYNTH_RAIN)
    share += CLAMP (factors->weight, 0.f, 1.f);
  return share * rain_strength (CLAMP (factors->intensity, 0.f, 1.f));
}

AdisImage *
adis_synth_render_layers (AdisImage               *photo,
                          const AdisSynthFactors  *factors,
                          gboolean                 with_streaks,
                          GError                 **error)
{
  Canvas c;
  g_autofree float *a = NULL;
  g_autofree float *out = NULL;
  float w;
  AdisImage *image;

  g_return_val_if_fail (photo != NULL, NULL);
  g_return_val_if_fail (factors != NULL, NULL);

  if (!adis_synth_factors_validate (factors, error))
    return NULL;

  canvas_init (&c, photo);
  c.streaks = with_streaks;
  w = factors->weight;
  if (w <= 0.f)
    a = render_copy (&c, factors->category, factors->intensity, factors->seed);
  else if (w >= 1.f)
    a = render_copy (&c, factors->category_b, factors->intensity, factors->seed);
  else
    {
      g_autofree float *b = render_copy (&c, factors->category_b, factors->intensity, factors->seed);

      a = render_copy (&c, factors->category, factors->intensity, factors->seed);
      for (gsize i = 0; i < 3 * c.n; i++)
        a[i] = (1.f - w) * a[i] + w * b[i];
    }

  out = g_new (float, 3 * c.n);
  for (gsize i = 0; i < 3 * c.n; i++)
    out[i] = a[i] * 2.f - 1.f;
  image = adis_image_new_from_planes (out, c.width, c.height);
  canvas_clear (&c);
  return image;
}
