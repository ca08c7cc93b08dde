/* adis-synth-private.h: what the synth renderer, audio builder and set
 * builder share: a seeded generator, blur, noise, quantiles
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* splitmix64: tiny, fast, and the same numbers on every platform, so that a
 * seed means the same data set everywhere */
typedef struct
{
  guint64 state;
} AdisSynthRng;

/* stream separates independent uses of one seed (streaks, flakes, ...) */
void     adis_synth_rng_init     (AdisSynthRng *rng,
                                  guint64       seed,
                                  guint64       stream);
guint64  adis_synth_rng_next     (AdisSynthRng *rng);
/* [0, 1) */
double   adis_synth_rng_uniform  (AdisSynthRng *rng);
double   adis_synth_rng_range    (AdisSynthRng *rng,
                                  double        lo,
                                  double        hi);
/* [0, n) */
guint    adis_synth_rng_below    (AdisSynthRng *rng,
                                  guint         n);
/* A well-mixed 64-bit hash of two values (per-clip seeds) */
guint64  adis_synth_hash         (guint64       a,
                                  guint64       b);

/* Box blur in place, clamped at the edges; radius 0 does nothing */
void     adis_synth_box_blur     (float        *plane,
                                  int           width,
                                  int           height,
                                  int           radius);
/* Fractal value noise in [0, 1], features about cell pixels wide */
void     adis_synth_fbm          (float        *out,
                                  int           width,
                                  int           height,
                                  float         cell,
                                  guint64       seed);
/* The q-quantile of values, each weighted by 1 - exclude[i] (exclude may be NULL) */
float    adis_synth_quantile     (const float  *values,
                                  const float  *exclude,
                                  gsize         n,
                                  float         q);

/* A file name as factors.tsv and media.tsv write it (URI escapes for a
 * comma, tab, line break or percent sign), and back (NULL if malformed) */
char    *adis_synth_escape_name   (const char   *name);
char    *adis_synth_unescape_name (const char   *text);

G_END_DECLS
