/* adis-mask.h: where the style applies, and the composite through it
 *
 * SPDX-License-Identifier: MIT
 *
 * A mask is one 8-bit grey value per pixel: 0 keeps the original, 255 takes
 * the restyled picture, values between blend (a feathered edge). The same
 * file serves the window's brush, `stylize --mask` and `batch`.
 */
#pragma once

#include "adis-image.h"

G_BEGIN_DECLS

/* Immutable and reference counted, like AdisImage */
typedef struct _AdisMask AdisMask;

/* Takes a copy of width * height values, rows packed */
AdisMask     *adis_mask_new                 (const guint8   *values,
                                             int             width,
                                             int             height);
/* Any image gdk-pixbuf reads: its luminance (Rec. 601) times its alpha, so
 * a transparent pixel counts as unpainted. Not an image, empty or too
 * large: ADIS_ERROR_INVALID_INPUT naming the file. */
AdisMask     *adis_mask_load                (const char     *path,
                                             GError        **error);
/* An 8-bit greyscale PNG, written atomically; the name must end in .png */
gboolean      adis_mask_save                (AdisMask       *mask,
                                             const char     *path,
                                             GError        **error);

AdisMask     *adis_mask_ref                 (AdisMask       *mask);
void          adis_mask_unref               (AdisMask       *mask);

int           adis_mask_get_width           (AdisMask       *mask);
int           adis_mask_get_height          (AdisMask       *mask);
const guint8 *adis_mask_get_values          (AdisMask       *mask);
/* TRUE when every value is 255: the whole picture restyled, as without a mask */
gboolean      adis_mask_is_full             (AdisMask       *mask);

/* Smooth resampling (a triangle filter as wide as the scale asks, so a
 * shrink averages and a stretch interpolates): edges stay soft at any size.
 * The same size returns the mask itself. */
AdisMask     *adis_mask_resize              (AdisMask       *mask,
                                             int             width,
                                             int             height);
/* 255 - value everywhere */
AdisMask     *adis_mask_invert              (AdisMask       *mask);

/* original + mask * (restyled - original), at the restyled picture's size:
 * the original is resampled to it when its size differs (a photo's full
 * size under the size rule may differ by a few pixels), the mask likewise.
 * Where the mask is 0 the original's values come through untouched, where
 * it is 255 the restyled ones. */
AdisImage    *adis_image_composite_masked   (AdisImage      *original,
                                             AdisImage      *restyled,
                                             AdisMask       *mask);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisMask, adis_mask_unref)

G_END_DECLS
