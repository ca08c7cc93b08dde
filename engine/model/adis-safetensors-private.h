/* adis-safetensors-private.h: what the safetensors reader and writer share
 * of the element types (adis-safetensors-dtype.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-safetensors.h"

G_BEGIN_DECLS

/* The element type of a header's "dtype" name; FALSE if not one of ours */
gboolean adis_dtype_from_string (const char *name,
                                 AdisDType  *out_dtype);
/* Round to nearest even, NaN kept a NaN */
guint16  adis_f32_to_bf16       (float       f);

G_END_DECLS
