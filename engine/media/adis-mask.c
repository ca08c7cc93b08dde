/* adis-mask.c: greyscale masks, their smooth resampling and the composite
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <png.h>

#include "adis-mask.h"
#include "adis-safetensors.h"

struct _AdisMask
{
  int     width;
  int     height;
  guint8 *values;   /* [height, width] */
};

static void
mask_clear (gpointer data)
{
  AdisMask *mask = data;

  g_free (mask->values);
}

static AdisMask *
mask_alloc (int width,
            int height)
{
  AdisMask *mask = g_atomic_rc_box_new0 (AdisMask);

  mask->width = width;
  mask->height = height;
  mask->values = g_new (guint8, (gsize) width * height);
  return mask;
}

AdisMask *
adis_mask_new (const guint8 *values,
               int           width,
               int           height)
{
  AdisMask *mask;

  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  mask = mask_alloc (width, height);
  memcpy (mask->values, values, (gsize) width * height);
  return mask;
}

AdisMask *
adis_mask_ref (AdisMask *mask)
{
  g_return_val_if_fail (mask != NULL, NULL);
  return g_atomic_rc_box_acquire (mask);
}

void
adis_mask_unref (AdisMask *mask)
{
  g_return_if_fail (mask != NULL);
  g_atomic_rc_box_release_full (mask, mask_clear);
}

int
adis_mask_get_width (AdisMask *mask)
{
  g_return_val_if_fail (mask != NULL, 0);
  return mask->width;
}

int
adis_mask_get_height (AdisMask *mask)
{
  g_return_val_if_fail (mask != NULL, 0);
  return mask->height;
}

const guint8 *
adis_mask_get_values (AdisMask *mask)
{
  g_return_val_if_fail (mask != NULL, NULL);
  return mask->values;
}

gboolean
adis_mask_is_full (AdisMask *mask)
{
  gsize n;

  g_return_val_if_fail (mask != NULL, FALSE);

  n = (gsize) mask->width * mask->height;
  for (gsize i = 0; i < n; i++)
    if (mask->values[i] != 255)
      return FALSE;
  return TRUE;
}

/* --- reading and writing --------------------------------------------------- */

AdisMask *
adis_mask_load (const char  *path,
                GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *pixels;
  AdisMask *mask;
  int width = 0, height = 0, stride, channels;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "Mask “%s”: no such file", path);
      return NULL;
    }
  /* The header first: a small file claiming a huge size costs nothing */
  if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mask “%s” is not an image in a format that can be read", path);
      return NULL;
    }
  if (width <= 0 || height <= 0 || width > ADIS_IMAGE_MAX_SIDE || height > ADIS_IMAGE_MAX_SIDE ||
      (gint64) width * height > ADIS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mask “%s” is %d×%d pixels, outside the sizes an image may have", path, width, height);
      return NULL;
    }
  if ((pixbuf = gdk_pixbuf_new_from_file (path, &local_error)) == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mask “%s” cannot be read: %s", path, local_error->message);
      return NULL;
    }
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (oriented == NULL)
    oriented = g_object_ref (pixbuf);

  width = gdk_pixbuf_get_width (oriented);
  height = gdk_pixbuf_get_height (oriented);
  channels = gdk_pixbuf_get_n_channels (oriented);
  if (gdk_pixbuf_get_bits_per_sample (oriented) != 8 || channels < 3 ||
      width > ADIS_IMAGE_MAX_SIDE || height > ADIS_IMAGE_MAX_SIDE ||
      (gint64) width * height > ADIS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mask “%s”: unsupported pixel format or size", path);
      return NULL;
    }

  pixels = gdk_pixbuf_read_pixels (oriented);
  stride = gdk_pixbuf_get_rowstride (oriented);
  mask = mask_alloc (width, height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
        /* Luminance in 16.16 fixed point: a grey pixel comes back exactly */
        guint32 luma = (19595 * p[0] + 38470 * p[1] + 7471 * p[2] + 32768) >> 16;

        if (channels == 4)
          luma = (luma * p[3] + 127) / 255;
        mask->values[(gsize) y * width + x] = (guint8) MIN (luma, 255);
      }
  return mask;
}

static void
png_write_to_array (png_structp  png,
                    png_bytep    data,
                    png_size_t   length)
{
  g_byte_array_append (png_get_io_ptr (png), data, length);
}

static void
png_flush_nothing (png_structp png)
{
}

gboolean
adis_mask_save (AdisMask    *mask,
                const char  *path,
                GError     **error)
{
  g_autoptr(GByteArray) buffer = NULL;
  g_autofree char *lower = NULL;
  png_structp png;
  png_infop info;

  g_return_val_if_fail (mask != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (!g_str_has_suffix (lower, ".png"))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Cannot save the mask “%s”: the name must end in .png", path);
      return FALSE;
    }

  buffer = g_byte_array_new ();
  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    g_error ("Out of memory encoding a mask");

  /* libpng reports an encoding failure by jumping back here */
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_write_struct (&png, &info);
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "Cannot encode the mask “%s”", path);
      return FALSE;
    }
  png_set_write_fn (png, buffer, png_write_to_array, png_flush_nothing);
  png_set_IHDR (png, info, mask->width, mask->height, 8, PNG_COLOR_TYPE_GRAY,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (int y = 0; y < mask->height; y++)
    png_write_row (png, mask->values + (gsize) y * mask->width);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);

  return adis_write_file_atomic (path, (const char *) buffer->data, buffer->len, error);
}

/* --- resampling ------------------------------------------------------------ */

/* For each output index, the source indices and weights of a triangle
 * filter centred on it: radius 1 source pixel when stretching, the scale
 * when shrinking (then every source pixel contributes) */
typedef struct
{
  int    n_taps;
  int   *first;     /* [dst] */
  float *weights;   /* [dst, n_taps], each row summing to 1 */
} Taps;

static void
taps_init (Taps *taps,
           int   src,
           int   dst)
{
  double scale = (double) src / dst;
  double radius = MAX (1.0, scale);

  taps->n_taps = (int) ceil (2 * radius) + 1;
  taps->first = g_new (int, dst);
  taps->weights = g_new0 (float, (gsize) dst * taps->n_taps);

  for (int i = 0; i < dst; i++)
    {
      double centre = (i + 0.5) * scale - 0.5;
      int first = (int) floor (centre - radius) + 1;
      float *w = taps->weights + (gsize) i * taps->n_taps;
      double sum = 0;

      taps->first[i] = first;
      for (int k = 0; k < taps->n_taps; k++)
        {
          double t = fabs (first + k - centre) / radius;

          w[k] = t < 1.0 ? (float) (1.0 - t) : 0.f;
          sum += w[k];
        }
      for (int k = 0; k < taps->n_taps; k++)
        w[k] = (float) (w[k] / sum);
    }
}

static void
taps_clear (Taps *taps)
{
  g_free (taps->first);
  g_free (taps->weights);
}

AdisMask *
adis_mask_resize (AdisMask *mask,
                  int       width,
                  int       height)
{
  Taps across, down;
  g_autofree float *row = NULL;
  AdisMask *resized;

  g_return_val_if_fail (mask != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (width == mask->width && height == mask->height)
    return adis_mask_ref (mask);

  taps_init (&across, mask->width, width);
  taps_init (&down, mask->height, height);
  row = g_new (float, mask->width);
  resized = mask_alloc (width, height);

  /* One output row at a time: the vertical filter into a row of floats,
   * then the horizontal one, so memory stays one row whatever the size.
   * Taps past an edge repeat the edge pixel. */
  for (int y = 0; y < height; y++)
    {
      const float *wy = down.weights + (gsize) y * down.n_taps;
      guint8 *out = resized->values + (gsize) y * width;

      memset (row, 0, sizeof (float) * mask->width);
      for (int k = 0; k < down.n_taps; k++)
        {
          const guint8 *src;

          if (wy[k] == 0.f)
            continue;
          src = mask->values + (gsize) CLAMP (down.first[y] + k, 0, mask->height - 1) * mask->width;
          for (int x = 0; x < mask->width; x++)
            row[x] += wy[k] * src[x];
        }
      for (int x = 0; x < width; x++)
        {
          const float *wx = across.weights + (gsize) x * across.n_taps;
          float v = 0.f;

          for (int k = 0; k < across.n_taps; k++)
            v += wx[k] * row[CLAMP (across.first[x] + k, 0, mask->width - 1)];
          out[x] = (guint8) CLAMP (lrintf (v), 0, 255);
        }
    }

  taps_clear (&across);
  taps_clear (&down);
  return resized;
}

AdisMask *
adis_mask_invert (AdisMask *mask)
{
  AdisMask *inverted;
  gsize n;

  g_return_val_if_fail (mask != NULL, NULL);

  inverted = mask_alloc (mask->width, mask->height);
  n = (gsize) mask->width * mask->height;
  for (gsize i = 0; i < n; i++)
    inverted->values[i] = 255 - mask->values[i];
  return inverted;
}

/* --- the composite --------------------------------------------------------- */

AdisImage *
adis_image_composite_masked (AdisImage *original,
                             AdisImage *restyled,
                             AdisMask  *mask)
{
  g_autoptr(AdisImage) base = NULL;
  g_autoptr(AdisMask) fitted = NULL;
  const float *o, *s;
  const guint8 *m;
  float *out;
  int width, height;
  gsize plane;

  g_return_val_if_fail (original != NULL, NULL);
  g_return_val_if_fail (restyled != NULL, NULL);
  g_return_val_if_fail (mask != NULL, NULL);

  width = adis_image_get_width (restyled);
  height = adis_image_get_height (restyled);
  base = adis_image_resize (original, width, height);
  fitted = adis_mask_resize (mask, width, height);

  plane = (gsize) width * height;
  o = adis_image_get_planes (base);
  s = adis_image_get_planes (restyled);
  m = fitted->values;
  out = g_new (float, 3 * plane);

  /* 0 and 255 copy rather than blend, so unpainted pixels are the
   * original's exactly and fully painted ones the restyled picture's */
  for (int c = 0; c < 3; c++)
    {
      const float *oc = o + c * plane;
      const float *sc = s + c * plane;
      float *dst = out + c * plane;

      for (gsize i = 0; i < plane; i++)
        {
          guint8 v = m[i];

          if (v == 0)
            dst[i] = oc[i];
          else if (v == 255)
            dst[i] = sc[i];
          else
            dst[i] = oc[i] + (sc[i] - oc[i]) * (v * (1.f / 255.f));
        }
    }

  return adis_image_new_take_planes (out, width, height);
}
