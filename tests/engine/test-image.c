/* test-image.c: reading, the size rule, resizing, cropping, saving
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "test-util.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static GdkPixbuf *
read_pixbuf (const char *path)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &error);

  g_assert_no_error (error);
  return pixbuf;
}

static float
to_float (guint8 v)
{
  return v / 127.5f - 1.f;
}

static void
test_load_png (void)
{
  g_autofree char *path = tmp_path ("pattern.png");
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(GError) error = NULL;
  const float *planes;
  const guint8 *pixels;
  int stride;

  test_write_pattern_png (path, 37, 23, 7);
  image = adis_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (image), ==, 37);
  g_assert_cmpint (adis_image_get_height (image), ==, 23);

  /* Planar [3, H, W], each value v / 127.5 - 1, straight from the file */
  pixbuf = read_pixbuf (path);
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  planes = adis_image_get_planes (image);
  for (int y = 0; y < 23; y++)
    for (int x = 0; x < 37; x++)
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat (planes[(c * 23 + y) * 37 + x], ==, to_float (pixels[y * stride + x * 3 + c]));
}

static void
test_load_jpeg_and_alpha (void)
{
  g_autofree char *jpeg = tmp_path ("photo.jpg");
  g_autofree char *rgba = tmp_path ("alpha.png");
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 8, 8);
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisImage) translucent = NULL;
  g_autoptr(GError) error = NULL;
  const float *planes;

  /* Mid grey, half transparent */
  gdk_pixbuf_fill (pixbuf, 0xc8641e80);
  gdk_pixbuf_save (pixbuf, rgba, "png", &error, NULL);
  g_assert_no_error (error);
  translucent = adis_image_load (rgba, &error);
  g_assert_no_error (error);
  planes = adis_image_get_planes (translucent);
  g_assert_cmpfloat_with_epsilon (planes[0], (0xc8 * 128 / 255.f) / 127.5f - 1.f, 1e-5);
  g_assert_cmpfloat_with_epsilon (planes[64], (0x64 * 128 / 255.f) / 127.5f - 1.f, 1e-5);
  g_assert_cmpfloat_with_epsilon (planes[128], (0x1e * 128 / 255.f) / 127.5f - 1.f, 1e-5);

  {
    g_autoptr(GdkPixbuf) opaque = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 30);

    gdk_pixbuf_fill (opaque, 0x3080c0ff);
    gdk_pixbuf_save (opaque, jpeg, "jpeg", &error, "quality", "100", NULL);
    g_assert_no_error (error);
  }
  image = adis_image_load (jpeg, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (image), ==, 40);
  g_assert_cmpint (adis_image_get_height (image), ==, 30);
  planes = adis_image_get_planes (image);
  g_assert_cmpfloat_with_epsilon (planes[0], to_float (0x30), 4 / 127.5f);
  g_assert_cmpfloat_with_epsilon (planes[1200], to_float (0x80), 4 / 127.5f);
  g_assert_cmpfloat_with_epsilon (planes[2400], to_float (0xc0), 4 / 127.5f);
}

static void
test_exif_orientation (void)
{
  g_autofree char *path = tmp_path ("rotated.jpg");
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 20);
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *jpeg = NULL;
  gsize length;
  /* An APP1 segment holding a little-endian TIFF directory with the one
   * tag Orientation = 6: the camera was turned a quarter clockwise, and
   * the viewer turns the picture back. gdk-pixbuf cannot write it. */
  static const guint8 app1[] = {
    0xff, 0xe1, 0x00, 34,
    'E', 'x', 'i', 'f', 0, 0,
    'I', 'I', 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x01, 0x00,
    0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
  };

  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &length, "jpeg", &error, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint ((guint8) jpeg[0], ==, 0xff);
  g_assert_cmpuint ((guint8) jpeg[1], ==, 0xd8);
  g_byte_array_append (bytes, (const guint8 *) jpeg, 2);
  g_byte_array_append (bytes, app1, sizeof app1);
  g_byte_array_append (bytes, (const guint8 *) jpeg + 2, (guint) length - 2);
  g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);

  image = adis_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (image), ==, 20);
  g_assert_cmpint (adis_image_get_height (image), ==, 40);
}

static void
test_size_rule (void)
{
  static const struct { int w, h, long_side, out_w, out_h; } cases[] = {
    { 1024, 1024, 512, 512, 512 },
    { 1920, 1080, 512, 512, 288 },   /* 288 exactly */
    { 1080, 1920, 512, 288, 512 },
    { 640, 480, 256, 256, 192 },
    { 1000, 333, 256, 256, 84 },     /* 85.25 -> 84 */
    { 1000, 10, 256, 256, 4 },       /* 2.56 -> never below 4 */
    { 3, 2, 256, 256, 172 },         /* 170.67 -> 172 (42.67 fours -> 43) */
    { 1, 1, 9, 8, 8 },               /* 9 rounds to 8 */
    { 300, 200, 286, 288, 192 },     /* 71.5 fours rounds up */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int w = 0, h = 0;

      adis_image_size_for_long_side (cases[i].w, cases[i].h, cases[i].long_side, &w, &h);
      g_test_message ("%d×%d at %d: %d×%d", cases[i].w, cases[i].h, cases[i].long_side, w, h);
      g_assert_cmpint (w, ==, cases[i].out_w);
      g_assert_cmpint (h, ==, cases[i].out_h);
      g_assert_cmpint (w % 4, ==, 0);
      g_assert_cmpint (h % 4, ==, 0);
    }
}

static AdisImage *
make_gradient (int width,
               int height)
{
  g_autofree float *planes = g_new (float, 3 * width * height);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        planes[(c * height + y) * width + x] = (float) (c + 1) * (x + 2 * y) / (width + 2 * height) / 3.f - 0.5f;
  return adis_image_new_from_planes (planes, width, height);
}

static void
test_resize (void)
{
  g_autoptr(AdisImage) image = make_gradient (64, 48);
  g_autoptr(AdisImage) small = adis_image_resize (image, 32, 24);
  g_autoptr(AdisImage) big = adis_image_resize (image, 100, 75);
  g_autoptr(AdisImage) same = adis_image_resize (image, 64, 48);
  const float *src = adis_image_get_planes (image);
  const float *dst = adis_image_get_planes (small);

  g_assert_cmpint (adis_image_get_width (small), ==, 32);
  g_assert_cmpint (adis_image_get_height (small), ==, 24);
  g_assert_cmpint (adis_image_get_width (big), ==, 100);
  g_assert_cmpint (adis_image_get_height (big), ==, 75);
  g_assert_true (same == image);

  /* Halving a linear ramp averages pixel pairs: within 8-bit rounding of
   * the mean of each 2×2 block */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 24; y++)
      for (int x = 0; x < 32; x++)
        {
          const float *block = src + (c * 48 + 2 * y) * 64 + 2 * x;
          float mean = (block[0] + block[1] + block[64] + block[65]) / 4.f;

          g_assert_cmpfloat_with_epsilon (dst[(c * 24 + y) * 32 + x], mean, 2.5f / 127.5f);
        }
}

/* A loaded image resizes from its decoded pixels; the same planes without
 * them go through floats: both must give the same result */
static void
test_resize_loaded (void)
{
  g_autofree char *path = tmp_path ("to-resize.png");
  g_autoptr(AdisImage) loaded = NULL;
  g_autoptr(AdisImage) copy = NULL;
  g_autoptr(AdisImage) a = NULL;
  g_autoptr(AdisImage) b = NULL;
  g_autoptr(GError) error = NULL;

  test_write_pattern_png (path, 50, 30, 11);
  loaded = adis_image_load (path, &error);
  g_assert_no_error (error);
  copy = adis_image_new_from_planes (adis_image_get_planes (loaded), 50, 30);
  a = adis_image_resize (loaded, 21, 13);
  b = adis_image_resize (copy, 21, 13);
  g_assert_cmpmem (adis_image_get_planes (a), sizeof (float) * 3 * 21 * 13,
                   adis_image_get_planes (b), sizeof (float) * 3 * 21 * 13);
}

static void
test_crop_and_flip (void)
{
  g_autoptr(AdisImage) image = make_gradient (20, 10);
  g_autoptr(AdisImage) crop = adis_image_crop (image, 3, 2, 5, 4);
  g_autoptr(AdisImage) flip = adis_image_flip_horizontal (image);
  g_autoptr(AdisImage) back = adis_image_flip_horizontal (flip);
  const float *src = adis_image_get_planes (image);
  const float *c = adis_image_get_planes (crop);
  const float *f = adis_image_get_planes (flip);

  g_assert_cmpint (adis_image_get_width (crop), ==, 5);
  g_assert_cmpint (adis_image_get_height (crop), ==, 4);
  for (int ch = 0; ch < 3; ch++)
    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 5; x++)
        g_assert_cmpfloat (c[(ch * 4 + y) * 5 + x], ==, src[(ch * 10 + y + 2) * 20 + x + 3]);

  for (int ch = 0; ch < 3; ch++)
    for (int y = 0; y < 10; y++)
      for (int x = 0; x < 20; x++)
        g_assert_cmpfloat (f[(ch * 10 + y) * 20 + x], ==, src[(ch * 10 + y) * 20 + 19 - x]);
  g_assert_cmpmem (adis_image_get_planes (back), sizeof (float) * 600, src, sizeof (float) * 600);
}

static void
test_rgb8 (void)
{
  guint8 pixels[2 * 8] = { 0, 127, 255, 10, 20, 30, 0, 0,
                           40, 50, 60, 70, 80, 90, 0, 0 };
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgb = NULL;

  image = adis_image_new_from_rgb8 (pixels, 2, 2, 8, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (adis_image_get_planes (image)[0], ==, -1.f);
  g_assert_cmpfloat (adis_image_get_planes (image)[8], ==, 1.f);
  rgb = adis_image_to_rgb8 (image);
  g_assert_cmpmem (rgb, 6, pixels, 6);
  g_assert_cmpmem (rgb + 6, 6, pixels + 8, 6);

  /* Every 8-bit value survives the trip through floats */
  {
    guint8 ramp[256 * 3];
    g_autoptr(AdisImage) all = NULL;
    g_autofree guint8 *back = NULL;

    for (int i = 0; i < 256 * 3; i++)
      ramp[i] = (guint8) (i / 3);
    all = adis_image_new_from_rgb8 (ramp, 256, 1, 256 * 3, 3, &error);
    g_assert_no_error (error);
    back = adis_image_to_rgb8 (all);
    g_assert_cmpmem (back, sizeof ramp, ramp, sizeof ramp);
  }

  g_assert_null (adis_image_new_from_rgb8 (pixels, 2, 2, 4, 3, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_image_new_from_rgb8 (pixels, 0, 2, 8, 3, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

static void
test_save_round_trip (void)
{
  g_autoptr(AdisImage) image = make_gradient (33, 17);
  g_autofree char *png = tmp_path ("saved.png");
  g_autofree char *jpeg = tmp_path ("saved.JPEG");
  g_autofree char *bmp = tmp_path ("saved.bmp");
  g_autoptr(AdisImage) from_png = NULL;
  g_autoptr(AdisImage) from_jpeg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *expected = adis_image_to_rgb8 (image);
  g_autofree guint8 *got = NULL;
  double error_sum = 0.0;

  g_assert_true (adis_image_save (image, png, &error));
  g_assert_no_error (error);
  from_png = adis_image_load (png, &error);
  g_assert_no_error (error);
  got = adis_image_to_rgb8 (from_png);
  /* PNG is lossless: the 8-bit pixels come back exactly */
  g_assert_cmpmem (got, 33 * 17 * 3, expected, 33 * 17 * 3);

  g_assert_true (adis_image_save (image, jpeg, &error));
  g_assert_no_error (error);
  from_jpeg = adis_image_load (jpeg, &error);
  g_assert_no_error (error);
  g_clear_pointer (&got, g_free);
  got = adis_image_to_rgb8 (from_jpeg);
  for (int i = 0; i < 33 * 17 * 3; i++)
    error_sum += fabs ((double) got[i] - expected[i]);
  /* Quality 95 on a smooth ramp: off by about a level on average */
  g_assert_cmpfloat (error_sum / (33 * 17 * 3), <, 3.0);

  g_assert_false (adis_image_save (image, bmp, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_false (g_file_test (bmp, G_FILE_TEST_EXISTS));
}

static guint
count_entries (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_save_unwritable (void)
{
  g_autoptr(AdisImage) image = make_gradient (8, 8);
  g_autofree char *dir = tmp_path ("unwritable");
  g_autofree char *blocker = g_build_filename (dir, "a-file", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "out.png", NULL);
  g_autofree char *under_file = g_build_filename (blocker, "out.png", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (blocker, "x", 1, &error);
  g_assert_no_error (error);

  /* Both fail even for root; either way nothing new appears */
  g_assert_false (adis_image_save (image, missing, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (adis_image_save (image, under_file, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_IO);
  g_assert_cmpuint (count_entries (dir), ==, 1);
}

static void
expect_invalid (const char *path,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) image = adis_image_load (path, &error);

  g_assert_null (image);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
}

static guint32
crc32 (const guint8 *data,
       gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  return ~crc;
}

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static void
test_huge_header (void)
{
  g_autofree char *path = tmp_path ("huge.png");
  g_autoptr(GError) error = NULL;
  /* Signature and a valid IHDR for 100000×100000 RGB, then nothing: a
   * decoder that tried would need 30 GB. */
  guint8 png[8 + 25 + 12 + 12] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 *ihdr = png + 8;
  guint8 *idat = ihdr + 25;
  guint8 *iend = idat + 12;

  put_be32 (ihdr, 13);
  memcpy (ihdr + 4, "IHDR", 4);
  put_be32 (ihdr + 8, 100000);
  put_be32 (ihdr + 12, 100000);
  ihdr[16] = 8;   /* bit depth */
  ihdr[17] = 2;   /* RGB */
  put_be32 (ihdr + 21, crc32 (ihdr + 4, 17));
  /* Readers report the size when the first chunk after IHDR begins */
  memcpy (idat + 4, "IDAT", 4);
  put_be32 (idat + 8, crc32 (idat + 4, 4));
  memcpy (iend + 4, "IEND", 4);
  put_be32 (iend + 8, crc32 (iend + 4, 4));

  g_file_set_contents (path, (const char *) png, sizeof png, &error);
  g_assert_no_error (error);
  expect_invalid (path, "100000×100000");
}

static void
test_bad_files (void)
{
  g_autofree char *good = tmp_path ("good.png");
  g_autofree char *truncated = tmp_path ("truncated.png");
  g_autofree char *text = tmp_path ("notes.png");
  g_autofree char *empty = tmp_path ("empty.jpg");
  g_autofree char *missing = tmp_path ("missing.png");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  test_write_pattern_png (good, 64, 64, 3);
  g_file_get_contents (good, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (truncated, contents, (gssize) length / 2, &error);
  g_assert_no_error (error);
  expect_invalid (truncated, NULL);

  g_file_set_contents (text, "not an image\n", -1, &error);
  expect_invalid (text, NULL);
  g_file_set_contents (empty, "", 0, &error);
  expect_invalid (empty, NULL);
  expect_invalid (missing, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = test_make_tmpdir ("test-image");

  g_test_add_func ("/soundstyle/image/load-png", test_load_png);
  g_test_add_func ("/soundstyle/image/load-jpeg-and-alpha", test_load_jpeg_and_alpha);
  g_test_add_func ("/soundstyle/image/exif-orientation", test_exif_orientation);
  g_test_add_func ("/soundstyle/image/size-rule", test_size_rule);
  g_test_add_func ("/soundstyle/image/resize", test_resize);
  g_test_add_func ("/soundstyle/image/resize-loaded", test_resize_loaded);
  g_test_add_func ("/soundstyle/image/crop-and-flip", test_crop_and_flip);
  g_test_add_func ("/soundstyle/image/rgb8", test_rgb8);
  g_test_add_func ("/soundstyle/image/save-round-trip", test_save_round_trip);
  g_test_add_func ("/soundstyle/image/save-unwritable", test_save_unwritable);
  g_test_add_func ("/soundstyle/image/huge-header", test_huge_header);
  g_test_add_func ("/soundstyle/image/bad-files", test_bad_files);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
