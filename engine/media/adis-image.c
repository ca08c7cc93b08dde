/* adis-image.c: images as [-1, 1] float planes, through gdk-pixbuf
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "adis-image.h"
#include "adis-safetensors.h"

struct _AdisImage
{
  int        width;
  int        height;
  float     *planes;   /* [3, height, width] */
  /* The 8-bit RGB pixels the planes were made from, when they hold them
   * exactly: resizing and saving start here instead of converting back */
  GdkPixbuf *pixels;
};

static void
image_clear (gpointer data)
{
  AdisImage *image = data;

  g_free (image->planes);
  g_clear_object (&image->pixels);
}

static AdisImage *
image_alloc (int width,
             int height)
{
  AdisImage *image = g_atomic_rc_box_new0 (AdisImage);

  image->width = width;
  image->height = height;
  image->planes = g_new (float, (gsize) 3 * width * height);
  return image;
}

AdisImage *
adis_image_ref (AdisImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);
  return g_atomic_rc_box_acquire (image);
}

void
adis_image_unref (AdisImage *image)
{
  g_return_if_fail (image != NULL);
  g_atomic_rc_box_release_full (image, image_clear);
}

int
adis_image_get_width (AdisImage *image)
{
  g_return_val_if_fail (image != NULL, 0);
  return image->width;
}

int
adis_image_get_height (AdisImage *image)
{
  g_return_val_if_fail (image != NULL, 0);
  return image->height;
}

const float *
adis_image_get_planes (AdisImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);
  return image->planes;
}

static gboolean
check_size (int          width,
            int          height,
            const char  *what,
            GError     **error)
{
  if (width <= 0 || height <= 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: the image is empty (%d×%d)", what, width, height);
      return FALSE;
    }
  if (width > ADIS_IMAGE_MAX_SIDE || height > ADIS_IMAGE_MAX_SIDE ||
      (gint64) width * height > ADIS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: the image is %d×%d pixels, larger than the %d-pixel side or %d-megapixel limit",
                   what, width, height, ADIS_IMAGE_MAX_SIDE, ADIS_IMAGE_MAX_PIXELS / (1024 * 1024));
      return FALSE;
    }
  return TRUE;
}

/* Alpha is composited over black: the colour stored under a transparent
 * pixel is arbitrary (editors leave anything there), black is a fixed answer. */
static AdisImage *
image_from_rgb8 (const guint8 *pixels,
                 int           width,
                 int           height,
                 int           rowstride,
                 int           n_channels)
{
  AdisImage *image = image_alloc (width, height);
  gsize plane = (gsize) width * height;
  float to_float[256];

  for (int v = 0; v < 256; v++)
    to_float[v] = v / 127.5f - 1.f;

  if (n_channels == 3)
    {
      float *r = image->planes;
      float *g = r + plane;
      float *b = g + plane;

      for (int y = 0; y < height; y++)
        {
          const guint8 *p = pixels + (gsize) y * rowstride;
          gsize at = (gsize) y * width;

          for (int x = 0; x < width; x++, p += 3)
            {
              r[at + x] = to_float[p[0]];
              g[at + x] = to_float[p[1]];
              b[at + x] = to_float[p[2]];
            }
        }
      return image;
    }

  for (int y = 0; y < height; y++)
    {
      const guint8 *row = pixels + (gsize) y * rowstride;

      for (int x = 0; x < width; x++)
        {
          const guint8 *p = row + (gsize) x * n_channels;
          gsize at = (gsize) y * width + x;

          for (int c = 0; c < 3; c++)
            {
              float v = p[c];

              if (n_channels == 4)
                v = v * p[3] / 255.f;
              image->planes[c * plane + at] = v / 127.5f - 1.f;
            }
        }
    }
  return image;
}

AdisImage *
adis_image_new_from_rgb8 (const guint8  *pixels,
                          int            width,
                          int            height,
                          int            rowstride,
                          int            n_channels,
                          GError       **error)
{
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (n_channels == 3 || n_channels == 4, NULL);

  if (!check_size (width, height, "Pixels", error))
    return NULL;
  if (rowstride < width * n_channels)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Pixels: row stride %d is shorter than a row of %d pixels",
                   rowstride, width);
      return NULL;
    }

  return image_from_rgb8 (pixels, width, height, rowstride, n_channels);
}

AdisImage *
adis_image_new_from_planes (const float *planes,
                            int          width,
                            int          height)
{
  AdisImage *image;

  g_return_val_if_fail (planes != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  image = image_alloc (width, height);
  memcpy (image->planes, planes, sizeof (float) * 3 * width * height);
  return image;
}

AdisImage *
adis_image_new_take_planes (float *planes,
                            int    width,
                            int    height)
{
  AdisImage *image;

  g_return_val_if_fail (planes != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  image = g_atomic_rc_box_new0 (AdisImage);
  image->width = width;
  image->height = height;
  image->planes = planes;
  return image;
}

static AdisImage *
image_from_pixbuf (GdkPixbuf *pixbuf)
{
  AdisImage *image;

  g_assert (gdk_pixbuf_get_bits_per_sample (pixbuf) == 8);

  image = image_from_rgb8 (gdk_pixbuf_read_pixels (pixbuf),
                           gdk_pixbuf_get_width (pixbuf),
                           gdk_pixbuf_get_height (pixbuf),
                           gdk_pixbuf_get_rowstride (pixbuf),
                           gdk_pixbuf_get_n_channels (pixbuf));
  /* v / 127.5 - 1 maps back to v exactly, so without alpha the pixbuf is
   * the same image; with alpha the composite is not a whole number */
  if (!gdk_pixbuf_get_has_alpha (pixbuf))
    image->pixels = g_object_ref (pixbuf);
  return image;
}

AdisImage *
adis_image_load (const char  *path,
                 GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *what = NULL;
  int width = 0;
  int height = 0;

  g_return_val_if_fail (path != NULL, NULL);

  what = g_strdup_printf ("“%s”", path);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: no such file", what);
      return NULL;
    }

  /* Reads only the header: a small file claiming a huge size is refused
   * before anything is allocated for it. */
  if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s is not an image in a format that can be read", what);
      return NULL;
    }
  if (!check_size (width, height, what, error))
    return NULL;

  pixbuf = gdk_pixbuf_new_from_file (path, &local_error);
  if (pixbuf == NULL)
    {
      /* gdk-pixbuf usually names the file itself already */
      if (strstr (local_error->message, path) != NULL)
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s", local_error->message);
      else
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                     "Cannot read image %s: %s", what, local_error->message);
      return NULL;
    }
  /* Some loaders' headers do not bind what they decode (animations, icons
   * with several sizes): the decoded size must pass the rule too */
  if (!check_size (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf), what, error))
    return NULL;
  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_n_channels (pixbuf) != (gdk_pixbuf_get_has_alpha (pixbuf) ? 4 : 3))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: unsupported pixel format", what);
      return NULL;
    }

  /* Cameras store portrait photos sideways with an EXIF tag saying so */
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (oriented == NULL)
    oriented = g_object_ref (pixbuf);

  return image_from_pixbuf (oriented);
}

guint8 *
adis_image_to_rgb8 (AdisImage *image)
{
  gsize plane;
  guint8 *rgb;

  g_return_val_if_fail (image != NULL, NULL);

  plane = (gsize) image->width * image->height;
  rgb = g_new (guint8, plane * 3);
  if (image->pixels != NULL)
    {
      const guint8 *src = gdk_pixbuf_read_pixels (image->pixels);
      int stride = gdk_pixbuf_get_rowstride (image->pixels);

      for (int y = 0; y < image->height; y++)
        memcpy (rgb + (gsize) y * image->width * 3, src + (gsize) y * stride, (gsize) image->width * 3);
      return rgb;
    }
  for (gsize i = 0; i < plane; i++)
    for (int c = 0; c < 3; c++)
      {
        float v = rintf ((image->planes[c * plane + i] + 1.f) * 127.5f);

        /* Written so that NaN comes out black rather than undefined */
        rgb[i * 3 + c] = v >= 255.f ? 255 : v > 0.f ? (guint8) v : 0;
      }
  return rgb;
}

static void
free_pixels (guchar   *pixels,
             gpointer  user_data)
{
  g_free (pixels);
}

static GdkPixbuf *
pixbuf_from_image (AdisImage *image)
{
  guint8 *rgb;

  if (image->pixels != NULL)
    return g_object_ref (image->pixels);
  rgb = adis_image_to_rgb8 (image);

  return gdk_pixbuf_new_from_data (rgb, GDK_COLORSPACE_RGB, FALSE, 8,
                                   image->width, image->height, image->width * 3,
                                   free_pixels, NULL);
}

static int
round_to_4 (double side)
{
  return MAX (4, (int) lround (side / 4.0) * 4);
}

void
adis_image_size_for_long_side (int  width,
                               int  height,
                               int  long_side,
                               int *out_width,
                               int *out_height)
{
  double scale;

  g_return_if_fail (width > 0 && height > 0 && long_side > 0);
  g_return_if_fail (out_width != NULL && out_height != NULL);

  scale = (double) long_side / MAX (width, height);
  *out_width = round_to_4 (width * scale);
  *out_height = round_to_4 (height * scale);
}

AdisImage *
adis_image_resize (AdisImage *image,
                   int        width,
                   int        height)
{
  g_autoptr(GdkPixbuf) source = NULL;
  g_autoptr(GdkPixbuf) scaled = NULL;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  /* Immutable, so the same size can share */
  if (width == image->width && height == image->height)
    return adis_image_ref (image);

  source = pixbuf_from_image (image);
  scaled = gdk_pixbuf_scale_simple (source, width, height, GDK_INTERP_BILINEAR);
  if (scaled == NULL)
    g_error ("Out of memory resizing an image to %d×%d", width, height);

  return image_from_pixbuf (scaled);
}

AdisImage *
adis_image_crop (AdisImage *image,
                 int        x,
                 int        y,
                 int        width,
                 int        height)
{
  AdisImage *cropped;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (x >= 0 && y >= 0 && width > 0 && height > 0, NULL);
  g_return_val_if_fail (x + width <= image->width && y + height <= image->height, NULL);

  cropped = image_alloc (width, height);
  for (int c = 0; c < 3; c++)
    for (int row = 0; row < height; row++)
      memcpy (cropped->planes + ((gsize) c * height + row) * width,
              image->planes + ((gsize) c * image->height + y + row) * image->width + x,
              sizeof (float) * width);
  return cropped;
}

AdisImage *
adis_image_flip_horizontal (AdisImage *image)
{
  AdisImage *flipped;
  int w;

  g_return_val_if_fail (image != NULL, NULL);

  w = image->width;
  flipped = image_alloc (w, image->height);
  for (gsize row = 0; row < (gsize) 3 * image->height; row++)
    {
      const float *src = image->planes + row * w;
      float *dst = flipped->planes + row * w;

      for (int x = 0; x < w; x++)
        dst[x] = src[w - 1 - x];
    }
  return flipped;
}

gboolean
adis_image_save (AdisImage   *image,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *buffer = NULL;
  gsize length = 0;
  gboolean ok;

  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  pixbuf = pixbuf_from_image (image);
  if (g_str_has_suffix (lower, ".png"))
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", &local_error, NULL);
  else if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg"))
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "jpeg", &local_error,
                                    "quality", "95", NULL);
  else
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Cannot save “%s”: the name must end in .png, .jpg or .jpeg", path);
      return FALSE;
    }

  if (!ok)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "Cannot encode “%s”: %s", path, local_error->message);
      return FALSE;
    }

  return adis_write_file_atomic (path, buffer, length, error);
}
