/* adis-image-private.h: for the engine's own image producers
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-image.h"

G_BEGIN_DECLS

/* An image that owns planes ([3, height, width], g_malloc'd, values in
 * [-1, 1]) without copying them: a 50-MP result is not held twice */
AdisImage    *adis_image_new_take_planes   (float          *planes,
                                            int             width,
                                            int             height);

G_END_DECLS
