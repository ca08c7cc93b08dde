/* adis-safetensors-dtype.c: the tensors' element types and the conversions
 * between float and its 16-bit forms
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>
#include <math.h>

#include "adis-safetensors-private.h"

static const struct
{
  AdisDType   dtype;
  const char *name;
  gsize       size;
} dtypes[] = {
  { ADIS_DTYPE_F32,  "F32",  4 },
  { ADIS_DTYPE_F16,  "F16",  2 },
  { ADIS_DTYPE_BF16, "BF16", 2 },
  { ADIS_DTYPE_I64,  "I64",  8 },
  { ADIS_DTYPE_U8,   "U8",   1 },
};

gsize
adis_dtype_size (AdisDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].size;
  g_return_val_if_reached (0);
}

const char *
adis_dtype_to_string (AdisDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].name;
  g_return_val_if_reached ("?");
}

gboolean
adis_dtype_from_string (const char *name,
                        AdisDType  *out_dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (g_strcmp0 (dtypes[i].name, name) == 0)
      {
        *out_dtype = dtypes[i].dtype;
        return TRUE;
      }
  return FALSE;
}

/* --- half precision ------------------------------------------------------ */

float
adis_f16_to_f32 (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exponent = (h >> 10) & 0x1f;
  guint32 mantissa = h & 0x3ff;
  guint32 bits;
  float f;

  if (exponent == 0)
    {
      /* Zero or subnormal: exactly mantissa * 2^-24 */
      f = ldexpf ((float) mantissa, -24);
      return sign ? -f : f;
    }
  if (exponent == 31)
    bits = sign | 0x7f800000 | (mantissa << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);

  memcpy (&f, &bits, sizeof f);
  return f;
}

guint16
adis_f32_to_f16 (float f)
{
  guint32 bits;
  guint32 sign;
  guint32 mantissa;
  guint32 half;
  guint32 rest;
  int exponent;

  memcpy (&bits, &f, sizeof bits);
  sign = (bits >> 16) & 0x8000;
  mantissa = bits & 0x7fffff;
  exponent = (int) ((bits >> 23) & 0xff);

  if (exponent == 0xff)
    return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >> 13) : 0);

  exponent = exponent - 127 + 15;
  if (exponent >= 31)
    return sign | 0x7c00;

  if (exponent <= 0)
    {
      guint shift;
      guint32 halfway;

      /* Below half the smallest subnormal: rounds to zero */
      if (exponent < -10)
        return sign;
      mantissa |= 0x800000;
      shift = (guint) (14 - exponent);
      half = mantissa >> shift;
      rest = mantissa & ((1u << shift) - 1);
      halfway = 1u << (shift - 1);
      if (rest > halfway || (rest == halfway && (half & 1)))
        half++;
      return sign | half;
    }

  /* Round to nearest even; a carry out of the mantissa bumps the exponent,
   * which is also right at the top of the range (becomes infinity). */
  half = sign | ((guint32) exponent << 10) | (mantissa >> 13);
  rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    half++;
  return (guint16) half;
}

float
adis_bf16_to_f32 (guint16 h)
{
  guint32 bits = (guint32) h << 16;
  float f;

  memcpy (&f, &bits, sizeof f);
  return f;
}

guint16
adis_f32_to_bf16 (float f)
{
  guint32 bits;

  memcpy (&bits, &f, sizeof bits);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return (guint16) ((bits >> 16) | 0x40);   /* keep NaN a NaN */
  bits += 0x7fff + ((bits >> 16) & 1);
  return (guint16) (bits >> 16);
}
