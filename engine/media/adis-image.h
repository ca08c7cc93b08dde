/* adis-image.h: images as float planes, and the one size rule
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-types.h"

G_BEGIN_DECLS

/* Larger inputs are refused rather than exhausting memory */
#define ADIS_IMAGE_MAX_PIXELS  (64 * 1024 * 1024)
#define ADIS_IMAGE_MAX_SIDE    16384

/* An RGB image as planar floats [3, height, width] in [-1, 1]; immutable */
typedef struct _AdisImage AdisImage;

/* Reads PNG, JPEG, ... through gdk-pixbuf (alpha dropped over black, EXIF
 * orientation applied). Not an image, empty, or too large:
 * ADIS_ERROR_INVALID_INPUT with the reason. */
AdisImage    *adis_image_load              (const char     *path,
                                            GError        **error);
AdisImage    *adis_image_new_from_rgb8     (const guint8   *pixels,
                                            int             width,
                                            int             height,
                                            int             rowstride,
                                            int             n_channels,
                                            GError        **error);
/* Takes a copy of planar floats [3, height, width] */
AdisImage    *adis_image_new_from_planes   (const float    *planes,
                                            int             width,
                                            int             height);
/* Takes ownership of planes (g_malloc'd, [3, height, width]) without a copy:
 * for results made at full resolution, where a copy would double memory */
AdisImage    *adis_image_new_take_planes   (float          *planes,
                                            int             width,
                                            int             height);

AdisImage    *adis_image_ref               (AdisImage      *image);
void          adis_image_unref             (AdisImage      *image);

int           adis_image_get_width         (AdisImage      *image);
int           adis_image_get_height        (AdisImage      *image);
const float  *adis_image_get_planes        (AdisImage      *image);

/* Interleaved RGB, 8 bits, rowstride width * 3; free with g_free */
guint8       *adis_image_to_rgb8           (AdisImage      *image);

/* The size rule: scale so the long side is long_side, round both sides to a
 * multiple of 4 (at least 4), keep the aspect. */
void          adis_image_size_for_long_side (int            width,
                                            int             height,
                                            int             long_side,
                                            int            *out_width,
                                            int            *out_height);

/* Bilinear-quality resampling to an exact size */
AdisImage    *adis_image_resize            (AdisImage      *image,
                                            int             width,
                                            int             height);
AdisImage    *adis_image_crop              (AdisImage      *image,
                                            int             x,
                                            int             y,
                                            int             width,
                                            int             height);
AdisImage    *adis_image_flip_horizontal   (AdisImage      *image);

/* PNG or JPEG by the file name's extension; written to a temporary file and
 * renamed, so a failure leaves no partial output. */
gboolean      adis_image_save              (AdisImage      *image,
                                            const char     *path,
                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisImage, adis_image_unref)

G_END_DECLS
