/* adis-apply.h: a grid look applied to a photo's own pixels, at any size
 *
 * SPDX-License-Identifier: MIT
 *
 * The last, cheapest step of a restyle (engine/torch/head.h has the
 * formulas): per pixel, a guide from its colour picks a depth in a bilateral
 * grid of 3 x 4 affine colour transforms, the transform sampled there
 * (trilinearly) is applied to the pixel, and a low-resolution overlay is
 * composited over it. Plain C on the CPU, streamed over rows on every core,
 * so memory is the photo plus the result and the cost is a few dozen
 * operations per pixel. Also the carrier of the pixel decoder's picture to
 * sizes above what its network can run at: a guided filter's coefficients
 * are a grid with one bin and no guide.
 */
#pragma once

#include <gio/gio.h>

#include "adis-image.h"

G_BEGIN_DECLS

typedef struct
{
  int          bins;            /* 1: no guide (the guide fields are unused) */
  int          grid_width;
  int          grid_height;
  const float *grid;            /* [12 * bins][grid_height][grid_width]: channel (4 c + j) * bins + bin */
  int          overlay_width;   /* 0: no overlay */
  int          overlay_height;
  const float *overlay;         /* [4][overlay_height][overlay_width]: colour premultiplied by alpha, alpha */
  /* The guide: sigmoid (mix . curve (ccm u + ccm_bias) + mix_bias), u = (x + 1) / 2 */
  float        ccm[9];          /* row-major, out x in */
  float        ccm_bias[3];
  int          knots;
  const float *slopes;          /* [3][knots]; knot k at k / knots */
  float        mix[3];
  float        mix_bias;
  /* The streak layer (adis-streaks.h), drawn over everything at the
   * picture's own size: strength 0 draws none */
  float        streaks;
  guint64      streak_seed;
} AdisGridLook;

/* Called now and then from the calling thread with the share of rows done */
typedef void (*AdisApplyProgressFunc) (double   fraction,
                                       gpointer user_data);

/* The look applied at photo's size (resize the photo first for another),
 * clamped to [-1, 1], its streaks drawn last. Cancelled: NULL and ADIS_ERROR_CANCELLED. */
AdisImage   *adis_grid_look_apply      (const AdisGridLook    *look,
                                        AdisImage             *photo,
                                        AdisApplyProgressFunc  progress,
                                        gpointer               user_data,
                                        GCancellable          *cancellable,
                                        GError               **error);

/* The guide of one pixel (values in [-1, 1]), for tests */
float        adis_grid_look_guide      (const AdisGridLook    *look,
                                        const float            rgb[3]);

G_END_DECLS
