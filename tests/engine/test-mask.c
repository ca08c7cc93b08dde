/* test-mask.c: masks read and written, resampled, and the composite through them
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <png.h>

#include "test-util.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Left half 0, right half 255, a ramp in the middle column band */
static AdisMask *
make_half_mask (int width,
                int height)
{
  g_autofree guint8 *values = g_new (guint8, (gsize) width * height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      values[y * width + x] = x < width / 2 ? 0 : 255;
  return adis_mask_new (values, width, height);
}

static void
test_save_load (void)
{
  g_autofree char *path = tmp_path ("mask.png");
  g_autofree guint8 *values = g_new (guint8, 37 * 23);
  g_autoptr(AdisMask) mask = NULL;
  g_autoptr(AdisMask) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  for (int i = 0; i < 37 * 23; i++)
    values[i] = (guint8) (i * 7);
  mask = adis_mask_new (values, 37, 23);
  g_assert_true (adis_mask_save (mask, path, &error));
  g_assert_no_error (error);

  /* A true greyscale PNG: colour type 0 in the header (byte 25) */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 26);
  g_assert_cmpint (contents[24], ==, 8);
  g_assert_cmpint (contents[25], ==, PNG_COLOR_TYPE_GRAY);

  loaded = adis_mask_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_mask_get_width (loaded), ==, 37);
  g_assert_cmpint (adis_mask_get_height (loaded), ==, 23);
  g_assert_cmpmem (adis_mask_get_values (loaded), 37 * 23, values, 37 * 23);

  /* Not .png: refused, nothing written */
  {
    g_autofree char *jpeg = tmp_path ("mask.jpg");

    g_assert_false (adis_mask_save (mask, jpeg, &error));
    g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    g_assert_false (g_file_test (jpeg, G_FILE_TEST_EXISTS));
  }
}

/* A colour image with alpha: luminance times alpha */
static void
test_load_colour (void)
{
  g_autofree char *path = tmp_path ("colour.png");
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 3, 1);
  guint8 *p = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(AdisMask) mask = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *v;

  /* white opaque, white half transparent, pure green opaque */
  memcpy (p, (guint8[]) { 255, 255, 255, 255, 255, 255, 255, 128, 0, 255, 0, 255 }, 12);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  mask = adis_mask_load (path, &error);
  g_assert_no_error (error);
  v = adis_mask_get_values (mask);
  g_assert_cmpint (v[0], ==, 255);
  g_assert_cmpint (v[1], ==, 128);
  g_assert_cmpint (v[2], ==, 150);   /* 0.587 * 255 */
}

static void
test_load_bad (void)
{
  g_autofree char *text = tmp_path ("notes.png");
  g_autofree char *missing = tmp_path ("missing.png");
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (text, "not an image\n", -1, NULL));
  g_assert_null (adis_mask_load (text, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "not an image"));
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);

  g_assert_null (adis_mask_load (missing, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

static void
test_resize (void)
{
  g_autofree guint8 *flat = g_new (guint8, 40 * 30);
  g_autoptr(AdisMask) grey = NULL;
  g_autoptr(AdisMask) grey_big = NULL;
  g_autoptr(AdisMask) half = make_half_mask (40, 30);
  g_autoptr(AdisMask) half_big = NULL;
  g_autoptr(AdisMask) half_small = NULL;
  g_autoptr(AdisMask) same = NULL;
  const guint8 *v;

  memset (flat, 77, 40 * 30);
  grey = adis_mask_new (flat, 40, 30);
  same = adis_mask_resize (grey, 40, 30);
  g_assert_true (same == grey);

  /* A flat mask stays flat at any size (weights sum to one) */
  grey_big = adis_mask_resize (grey, 123, 71);
  v = adis_mask_get_values (grey_big);
  for (int i = 0; i < 123 * 71; i++)
    g_assert_cmpint (v[i], ==, 77);

  /* A hard edge stretched 4x: far from it unchanged, a ramp across it
   * that never goes backwards (smooth, no ringing) */
  half_big = adis_mask_resize (half, 160, 120);
  v = adis_mask_get_values (half_big);
  for (int y = 0; y < 120; y++)
    {
      g_assert_cmpint (v[y * 160 + 0], ==, 0);
      g_assert_cmpint (v[y * 160 + 159], ==, 255);
      for (int x = 1; x < 160; x++)
        g_assert_cmpint (v[y * 160 + x], >=, v[y * 160 + x - 1]);
    }
  g_assert_cmpint (v[80 - 1], >, 0);
  g_assert_cmpint (v[80 - 1], <, 255);

  /* Shrunk: averages, still 0 and 255 at the far ends */
  half_small = adis_mask_resize (half, 7, 5);
  v = adis_mask_get_values (half_small);
  g_assert_cmpint (v[0], ==, 0);
  g_assert_cmpint (v[6], ==, 255);
  g_assert_cmpint (v[3], >, 0);
  g_assert_cmpint (v[3], <, 255);
}

static void
test_invert (void)
{
  g_autoptr(AdisMask) half = make_half_mask (8, 2);
  g_autoptr(AdisMask) inverted = adis_mask_invert (half);
  g_autoptr(AdisMask) twice = adis_mask_invert (inverted);

  g_assert_cmpint (adis_mask_get_values (inverted)[0], ==, 255);
  g_assert_cmpint (adis_mask_get_values (inverted)[7], ==, 0);
  g_assert_cmpmem (adis_mask_get_values (twice), 16, adis_mask_get_values (half), 16);
  g_assert_false (adis_mask_is_full (half));
}

static AdisImage *
flat_image (int   width,
            int   height,
            float value)
{
  g_autofree float *planes = g_new (float, (gsize) 3 * width * height);

  for (gsize i = 0; i < (gsize) 3 * width * height; i++)
    planes[i] = value;
  return adis_image_new_from_planes (planes, width, height);
}

static void
test_composite (void)
{
  g_autofree char *path = tmp_path ("photo.png");
  g_autoptr(AdisImage) original = NULL;
  g_autoptr(AdisImage) restyled = flat_image (48, 32, 0.25f);
  g_autoptr(AdisMask) half = make_half_mask (12, 8);   /* other size: scaled */
  g_autoptr(AdisImage) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgb_original = NULL;
  g_autofree guint8 *rgb_out = NULL;
  const float *o, *s, *r;
  gsize plane = 48 * 32;

  test_write_pattern_png (path, 48, 32, 3);
  original = adis_image_load (path, &error);
  g_assert_no_error (error);

  out = adis_image_composite_masked (original, restyled, half);
  g_assert_cmpint (adis_image_get_width (out), ==, 48);
  g_assert_cmpint (adis_image_get_height (out), ==, 32);
  o = adis_image_get_planes (original);
  s = adis_image_get_planes (restyled);
  r = adis_image_get_planes (out);

  /* Left quarter: the original exactly, also as 8-bit pixels; right
   * quarter: the restyled values exactly; the seam blends between */
  rgb_original = adis_image_to_rgb8 (original);
  rgb_out = adis_image_to_rgb8 (out);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 32; y++)
      {
        for (int x = 0; x < 16; x++)
          {
            g_assert_cmpfloat (r[c * plane + y * 48 + x], ==, o[c * plane + y * 48 + x]);
            g_assert_cmpint (rgb_out[(y * 48 + x) * 3 + c], ==, rgb_original[(y * 48 + x) * 3 + c]);
          }
        for (int x = 32; x < 48; x++)
          g_assert_cmpfloat (r[c * plane + y * 48 + x], ==, s[c * plane + y * 48 + x]);
        for (int x = 20; x < 28; x++)
          {
            float lo = MIN (o[c * plane + y * 48 + x], s[c * plane + y * 48 + x]);
            float hi = MAX (o[c * plane + y * 48 + x], s[c * plane + y * 48 + x]);

            g_assert_cmpfloat (r[c * plane + y * 48 + x], >=, lo - 1e-6f);
            g_assert_cmpfloat (r[c * plane + y * 48 + x], <=, hi + 1e-6f);
          }
      }

  /* An original of another size is resampled to the restyled one */
  {
    g_autoptr(AdisImage) small = flat_image (24, 16, -0.5f);
    g_autoptr(AdisImage) mixed = adis_image_composite_masked (small, restyled, half);

    g_assert_cmpint (adis_image_get_width (mixed), ==, 48);
    g_assert_cmpfloat_with_epsilon (adis_image_get_planes (mixed)[0], -0.5f, 0.01f);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = test_make_tmpdir ("soundstyle-test-mask");

  g_test_add_func ("/engine/mask/save-load", test_save_load);
  g_test_add_func ("/engine/mask/load-colour", test_load_colour);
  g_test_add_func ("/engine/mask/load-bad", test_load_bad);
  g_test_add_func ("/engine/mask/resize", test_resize);
  g_test_add_func ("/engine/mask/invert", test_invert);
  g_test_add_func ("/engine/mask/composite", test_composite);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
