/* synth-test-util.h: what test-synth.c (the renderer, the audio builder)
 * and test-synth-set.c (factors.tsv, the set builder) share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <math.h>

#include "adis.h"
#include "test-util.h"

/* The bundled samples, resources/samples in the source tree */
static inline char *
samples_dir (void)
{
  return g_build_filename (test_source_dir (), "resources", "samples", NULL);
}

/* The mean |a - b| over two images' planes, on 0..1 (half the planes' -1..1) */
static inline double
mean_abs_diff (AdisImage *a, AdisImage *b)
{
  const float *pa = adis_image_get_planes (a), *pb = adis_image_get_planes (b);
  gsize n = 3 * (gsize) adis_image_get_width (a) * adis_image_get_height (a);
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += fabs (pa[i] - pb[i]) / 2;
  return sum / n;
}
