/* fuzz-image.c: libFuzzer harness for the image reader (adis_image_load)
 *
 * SPDX-License-Identifier: MIT
 *
 * gdk-pixbuf's loaders do the decoding (they are not instrumented, so
 * coverage guides only through our code); what is fuzzed is our wrapper:
 * the size checks before and after decoding, the pixel format checks, EXIF
 * orientation, alpha, and what the engine does next with an image (the size
 * rule, resize, crop, flip, back to 8 bits).
 */
#include "config.h"

#include <math.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fuzz-util.h"

#define FUZZ_MAX_PIXELS (1024 * 1024)

static guint32
read_le32 (const uint8_t *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) image = NULL;
  const char *path;
  int header_width = 0;
  int header_height = 0;

  if (!initialized)
    {
      fuzz_init ();
      initialized = TRUE;
    }

  /* gdk-pixbuf 2.42's BMP loader reserves as many bytes as the file
   * header's pixel offset or the info header's size says (g_try_realloc, up
   * to 4 GiB) before it reads on; for a small file they are never touched,
   * and a failed reservation is a clean error, so Soundstyle is not hurt,
   * but under ASan the reservation is slow and counted as out-of-memory.
   * Such headers (no real BMP has an info header over 124 bytes, pixels
   * 16 MiB into the file or a palette of more than 256 colours) are left
   * out: see corpus/image/bmp-*-4gb.bmp, found by this harness. A field it
   * has not met yet still passes, as libFuzzer is told to allow one
   * reservation of up to 4 GiB (-malloc_limit_mb in meson.build). */
  if (size >= 18 && data[0] == 'B' && data[1] == 'M' &&
      (read_le32 (data + 10) > (16u << 20) || read_le32 (data + 14) > 124 ||
       (size >= 50 && read_le32 (data + 46) > 256)))
    return 0;

  path = fuzz_input_path (data, size);

  /* A few bytes of header can declare a legal but big image (up to 64
   * megapixels): decoding and converting it takes seconds and gigabytes
   * under ASan, and the fuzzer would spend its time there. Such inputs go
   * through the same code as small ones, so they are left out; sizes
   * beyond the limit are kept, since refusing them is what is tested. */
  if (gdk_pixbuf_get_file_info (path, &header_width, &header_height) != NULL &&
      header_width > 0 && header_height > 0 &&
      (gint64) header_width * header_height > FUZZ_MAX_PIXELS &&
      header_width <= ADIS_IMAGE_MAX_SIDE && header_height <= ADIS_IMAGE_MAX_SIDE &&
      (gint64) header_width * header_height <= ADIS_IMAGE_MAX_PIXELS)
    return 0;

  image = adis_image_load (path, &error);
  fuzz_check_outcome (image != NULL, error, path);

  if (image != NULL)
    {
      int width = adis_image_get_width (image);
      int height = adis_image_get_height (image);
      const float *planes = adis_image_get_planes (image);
      g_autoptr(AdisImage) resized = NULL;
      g_autoptr(AdisImage) cropped = NULL;
      g_autoptr(AdisImage) flipped = NULL;
      g_autofree guint8 *rgb = NULL;
      int w, h;

      if (width <= 0 || height <= 0 || width > ADIS_IMAGE_MAX_SIDE || height > ADIS_IMAGE_MAX_SIDE ||
          (gint64) width * height > ADIS_IMAGE_MAX_PIXELS)
        g_error ("loaded a %d×%d image", width, height);
      for (gsize i = 0; i < (gsize) 3 * width * height; i++)
        if (!(planes[i] >= -1.f && planes[i] <= 1.f))
          g_error ("pixel value %g outside [-1, 1]", planes[i]);

      adis_image_size_for_long_side (width, height, 32, &w, &h);
      resized = adis_image_resize (image, w, h);
      cropped = adis_image_crop (resized, 0, 0, MIN (w, 4), MIN (h, 4));
      flipped = adis_image_flip_horizontal (cropped);
      rgb = adis_image_to_rgb8 (flipped);
    }

  return 0;
}
