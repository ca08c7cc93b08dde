/* test-head.c: the grid head's style, applied at any size, and the pixel
 * decoder's style carried above its network's size
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "adis-apply.h"
#include "adis-safetensors.h"
#include "adis-testing.h"
#include "test-util.h"

/* Under AddressSanitizer freed blocks wait in its quarantine, so resident
 * memory says nothing about what the apply holds; checked in the ordinary
 * build only */
#if defined(__SANITIZE_ADDRESS__)
# define PEAK_MEMORY_MEANINGFUL FALSE
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define PEAK_MEMORY_MEANINGFUL FALSE
# endif
#endif
#ifndef PEAK_MEMORY_MEANINGFUL
# define PEAK_MEMORY_MEANINGFUL TRUE
#endif

static char *tmpdir;
static char *grid_model_path;
static char *pixel_model_path;
static AdisSound *tone;

static AdisImage *
pattern (int   width,
         int   height,
         guint seed)
{
  g_autofree char *path = g_build_filename (tmpdir, "pattern.png", NULL);
  g_autoptr(GError) error = NULL;
  AdisImage *image;

  test_write_pattern_png (path, width, height, seed);
  image = adis_image_load (path, &error);
  g_assert_no_error (error);
  return image;
}

/* A photo-like test picture without a PNG in between: smooth colour
 * fields, a sharp edge and fine stripes, so that every bin and both
 * interpolations are exercised */
static AdisImage *
synthetic_photo (int width,
                 int height)
{
  gsize plane = (gsize) width * height;
  float *planes = g_new (float, 3 * plane);
  AdisImage *image;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        gsize i = (gsize) y * width + x;
        double u = (double) x / width, v = (double) y / height;
        double stripes = 0.25 * sin (x * 1.3) * sin (y * 0.7);

        planes[i] = (float) CLAMP (2.0 * u - 1.0 + stripes, -1.0, 1.0);
        planes[plane + i] = (float) CLAMP (v > 0.5 ? 0.6 : -0.4 + stripes, -1.0, 1.0);
        planes[2 * plane + i] = (float) CLAMP (cos (6.0 * u * v) + stripes, -1.0, 1.0);
      }
  /* Taken, not copied, so that peak memory measures the apply alone */
  image = adis_image_new_take_planes (planes, width, height);
  return image;
}

static AdisStyle *
style_for (AdisModel *model,
           AdisImage *photo,
           int        long_side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, photo, long_side, NULL, &error);
  g_autoptr(AdisSoundCode) scode = NULL;
  AdisStyle *style;

  g_assert_no_error (error);
  scode = adis_model_encode_sound (model, tone, NULL, 1.0f, 0.0f, NULL, &error);
  g_assert_no_error (error);
  style = adis_model_decode_style (model, icode, scode, NULL, &error);
  g_assert_no_error (error);
  return style;
}

static AdisModel *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  AdisModel *model = adis_model_load (path, ADIS_DEVICE_CPU, &error);

  g_assert_no_error (error);
  return model;
}

/* The CPU apply (adis-apply.c) against the training graph's (guide,
 * grid_sample, interpolate) on the same grid, at the working size, larger,
 * and at an odd size */
static void
test_apply_matches_torch (void)
{
  g_autoptr(AdisModel) model = load (grid_model_path);
  g_autoptr(AdisImage) photo = synthetic_photo (300, 200);
  g_autoptr(AdisStyle) style = style_for (model, photo, 0);
  const int sizes[][2] = { { 300, 200 }, { 612, 404 }, { 133, 97 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AdisImage) fast = adis_style_apply (style, sizes[i][0], sizes[i][1],
                                                    NULL, NULL, NULL, &error);
      g_autoptr(AdisImage) direct = NULL;
      double diff, moved;

      g_assert_no_error (error);
      direct = adis_testing_apply_with_torch (style, sizes[i][0], sizes[i][1], &error);
      g_assert_no_error (error);
      diff = test_image_max_diff (fast, direct);
      {
        g_autoptr(AdisImage) resized = adis_image_resize (photo, sizes[i][0], sizes[i][1]);

        moved = test_image_mean_diff (fast, resized);
      }
      g_test_message ("%d x %d: max |C - torch| %.3g; mean change from the photo %.3f",
                      sizes[i][0], sizes[i][1], diff, moved);
      g_assert_cmpfloat (diff, <=, 1e-5);
      /* A random head must change the picture, or the comparison is empty */
      g_assert_cmpfloat (moved, >, 0.05);
    }
}

/* One pixel's guide against the formula written out */
static void
test_guide_formula (void)
{
  float slopes[3 * 4] = { 1.0f, 0.5f, -0.2f, 0.1f,  0.8f, 0.0f, 0.3f, -0.4f,  1.2f, -0.6f, 0.2f, 0.0f };
  AdisGridLook look = {
    .bins = 4, .knots = 4, .slopes = slopes,
    .ccm = { 0.9f, 0.1f, 0.0f,  0.05f, 1.1f, -0.1f,  0.0f, 0.2f, 0.8f },
    .ccm_bias = { 0.01f, -0.02f, 0.03f },
    .mix = { 1.5f, 1.0f, 1.2f }, .mix_bias = -1.7f,
  };
  const float rgb[3] = { 0.3f, -0.5f, 0.9f };
  double u[3], s = look.mix_bias;

  for (int c = 0; c < 3; c++)
    u[c] = (rgb[c] + 1.0) / 2.0;
  for (int c = 0; c < 3; c++)
    {
      double v = look.ccm[3 * c] * u[0] + look.ccm[3 * c + 1] * u[1] + look.ccm[3 * c + 2] * u[2] +
                 look.ccm_bias[c];
      double curve = 0;

      for (int k = 0; k < 4; k++)
        curve += slopes[4 * c + k] * fmax (v - k / 4.0, 0.0);
      s += look.mix[c] * curve;
    }
  g_assert_cmpfloat_with_epsilon (adis_grid_look_guide (&look, rgb), 1.0 / (1.0 + exp (-s)), 1e-6);
}

/* The same style at two sizes of one photo agrees once the larger result
 * is resized to the smaller: the grid follows the photo, not the pixels */
static void
test_two_sizes_agree (void)
{
  g_autoptr(AdisModel) model = load (grid_model_path);
  g_autoptr(AdisImage) photo = pattern (800, 600, 7);
  g_autoptr(AdisStyle) style = style_for (model, photo, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) large = adis_style_apply (style, 800, 600, NULL, NULL, NULL, &error);
  g_autoptr(AdisImage) small = NULL;
  g_autoptr(AdisImage) shrunk = NULL;
  double diff;

  g_assert_no_error (error);
  small = adis_style_apply (style, 200, 150, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  shrunk = adis_image_resize (large, 200, 150);
  diff = test_image_mean_diff (shrunk, small);
  g_test_message ("800 x 600 resized to 200 x 150 against 200 x 150: mean |diff| %.4f", diff);
  /* Resizing the photo first and resizing the result commute up to the
   * guide's non-linearity at edges: a few levels of 255 on average */
  g_assert_cmpfloat (diff, <, 0.02);
}

static void
record_progress (double   fraction,
                 gpointer user_data)
{
  GArray *seen = user_data;

  g_array_append_val (seen, fraction);
}

static gint64
peak_resident_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return -1;
  return g_ascii_strtoll (line + 6, NULL, 10);
}

/* A 12-MP apply holds the photo and the result, not the network's
 * activations at full size: peak resident memory grows by about the
 * result's 144 MB. Progress rises to 1. */
static void
test_apply_12mp_memory (void)
{
  g_autoptr(AdisModel) model = load (grid_model_path);
  g_autoptr(AdisImage) photo = synthetic_photo (4000, 3000);
  g_autoptr(AdisStyle) style = style_for (model, photo, 0);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) out = NULL;
  gint64 before = peak_resident_kb (), after;
  double result_mb = 3.0 * 4000 * 3000 * sizeof (float) / (1024.0 * 1024.0);

  out = adis_style_apply (style, 4000, 3000, record_progress, seen, NULL, &error);
  g_assert_no_error (error);
  after = peak_resident_kb ();
  g_assert_cmpint (adis_image_get_width (out), ==, 4000);
  g_assert_cmpint (adis_image_get_height (out), ==, 3000);
  g_assert_cmpuint (seen->len, >=, 2);
  for (guint i = 1; i < seen->len; i++)
    g_assert_cmpfloat (g_array_index (seen, double, i), >=, g_array_index (seen, double, i - 1));
  g_assert_cmpfloat (g_array_index (seen, double, seen->len - 1), ==, 1.0);

  g_test_message ("12-MP apply: peak resident %+.0f MB (the result alone is %.0f MB)",
                  (after - before) / 1024.0, result_mb);
  if (PEAK_MEMORY_MEANINGFUL && before > 0)
    g_assert_cmpfloat ((after - before) / 1024.0, <, result_mb + 64.0);
}

static void
test_apply_cancel_and_limits (void)
{
  g_autoptr(AdisModel) model = load (grid_model_path);
  g_autoptr(AdisImage) photo = pattern (128, 96, 3);
  g_autoptr(AdisStyle) style = style_for (model, photo, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  AdisImage *out;

  g_cancellable_cancel (cancellable);
  out = adis_style_apply (style, 1024, 768, NULL, NULL, cancellable, &error);
  g_assert_null (out);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED);
  g_clear_error (&error);

  out = adis_style_apply (style, 20000, 20000, NULL, NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

/* A grid model's networks run at its working size whatever the output
 * size; the image code's size is still the output's */
static void
test_grid_network_side (void)
{
  g_autoptr(AdisModel) model = load (grid_model_path);
  g_autoptr(AdisImage) photo = pattern (1000, 500, 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, photo, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (adis_model_get_network_side (model, 1000, 500), ==,
                   adis_model_get_config (model)->grid.working_size);
  g_assert_cmpint (adis_image_code_get_width (icode), ==, 1000);
  g_assert_cmpint (adis_image_code_get_height (icode), ==, 500);
}

/* Pixel-decoder models render as they always did within their network's
 * budget: the style's picture is adis_model_decode's, bit for bit */
static void
test_pixel_decoder_unchanged (void)
{
  g_autoptr(AdisModel) model = load (pixel_model_path);
  g_autoptr(AdisImage) photo = pattern (256, 192, 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, photo, 0, NULL, &error);
  g_autoptr(AdisSoundCode) scode = adis_model_encode_sound (model, tone, NULL, 1.0f, 0.0f, NULL, &error);
  g_autoptr(AdisStyle) style = adis_model_decode_style (model, icode, scode, NULL, &error);
  g_autoptr(AdisImage) decoded = adis_model_decode (model, icode, scode, NULL, &error);
  g_autoptr(AdisImage) applied = adis_style_apply (style, 256, 192, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (memcmp (adis_image_get_planes (decoded), adis_image_get_planes (applied),
                           sizeof (float) * 3 * 256 * 192), ==, 0);
}

/* Above its budget the pixel decoder runs at a capped size and a guided
 * filter carries the picture to the output size: the result, shrunk back,
 * is the network's own picture, and its fine detail is the photo's */
static void
test_pixel_decoder_carried (void)
{
  g_autoptr(AdisModel) model = load (pixel_model_path);
  g_autoptr(AdisImage) photo = synthetic_photo (2400, 1800);
  g_autoptr(GError) error = NULL;
  int side = adis_model_get_network_side (model, 2400, 1800);
  g_autoptr(AdisImageCode) icode = adis_model_encode_image (model, photo, 0, NULL, &error);
  g_autoptr(AdisSoundCode) scode = adis_model_encode_sound (model, tone, NULL, 1.0f, 0.0f, NULL, &error);
  g_autoptr(AdisStyle) style = adis_model_decode_style (model, icode, scode, NULL, &error);
  g_autoptr(AdisImage) large = adis_style_apply (style, 2400, 1800, NULL, NULL, NULL, &error);
  g_autoptr(AdisImage) small = NULL;
  g_autoptr(AdisImage) shrunk = NULL;
  int net_w, net_h;
  double diff;

  g_assert_no_error (error);
  g_test_message ("the tiny pixel decoder runs at %d px for a 2400 x 1800 photo", side);
  g_assert_cmpint (side, <, 2400);
  g_assert_cmpint (side, >=, 64);
  adis_image_size_for_long_side (2400, 1800, side, &net_w, &net_h);
  small = adis_style_apply (style, net_w, net_h, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  shrunk = adis_image_resize (large, net_w, net_h);
  diff = test_image_mean_diff (shrunk, small);
  g_test_message ("carried to 2400 x 1800 and shrunk back: mean |diff| %.4f from the network's", diff);
  g_assert_cmpfloat (diff, <, 0.05);
}

static gint64
file_format_version (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorFile) file = adis_tensor_file_open (path, &error);
  g_autoptr(JsonNode) meta = NULL;

  g_assert_no_error (error);
  meta = json_from_string (adis_tensor_file_get_metadata (file, ADIS_MODEL_METADATA_KEY), &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (meta), "format_version");
}

/* A version-1 reader ignores the config's "head" and would run a grid model
 * as a pixel decoder: grid files say version 2, so such a build refuses
 * them, while pixel files stay at 1 for every build that ever read them.
 * A version newer than this build's is refused with a clear error. */
static void
test_format_version (void)
{
  g_autofree char *newer_path = g_build_filename (tmpdir, "newer.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(JsonNode) meta = NULL;
  g_autofree char *text = NULL;
  AdisModel *model;

  g_assert_cmpint (file_format_version (grid_model_path), ==, 2);
  g_assert_cmpint (file_format_version (pixel_model_path), ==, 1);

  file = adis_tensor_file_open (grid_model_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    {
      const AdisTensorView *view = adis_tensor_file_get_tensor (file, i);
      adis_tensor_writer_add (writer, view->name, view->dtype, view->n_dims, view->shape, view->data);
    }
  meta = json_from_string (adis_tensor_file_get_metadata (file, ADIS_MODEL_METADATA_KEY), &error);
  g_assert_no_error (error);
  json_object_set_int_member (json_node_get_object (meta), "format_version", ADIS_MODEL_FORMAT_VERSION + 1);
  text = json_to_string (meta, FALSE);
  adis_tensor_writer_set_metadata (writer, ADIS_MODEL_METADATA_KEY, text);
  adis_tensor_writer_save (writer, newer_path, &error);
  g_assert_no_error (error);

  model = adis_model_load (newer_path, ADIS_DEVICE_CPU, &error);
  g_assert_null (model);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (error->message, "newer Soundstyle"));
  g_unlink (newer_path);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wav = NULL;
  AdisConfig config;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = test_make_tmpdir ("soundstyle-head");
  wav = g_build_filename (tmpdir, "tone.wav", NULL);
  test_write_tone_wav (wav, 440.0, 0.3, 3.0, 16000, 1);
  tone = adis_sound_load (wav, &error);
  g_assert_no_error (error);

  grid_model_path = g_build_filename (tmpdir, "grid.safetensors", NULL);
  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_config_use_grid_head (&config);
  g_assert_true (adis_testing_write_random_model (&config, 11, grid_model_path, &error));
  g_assert_no_error (error);
  adis_config_clear (&config);

  pixel_model_path = g_build_filename (tmpdir, "pixels.safetensors", NULL);
  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  g_assert_true (adis_testing_write_random_model (&config, 12, pixel_model_path, &error));
  g_assert_no_error (error);
  adis_config_clear (&config);

  g_test_add_func ("/head/guide-formula", test_guide_formula);
  g_test_add_func ("/head/apply-matches-torch", test_apply_matches_torch);
  g_test_add_func ("/head/two-sizes-agree", test_two_sizes_agree);
  g_test_add_func ("/head/apply-12mp-memory", test_apply_12mp_memory);
  g_test_add_func ("/head/apply-cancel-and-limits", test_apply_cancel_and_limits);
  g_test_add_func ("/head/grid-network-side", test_grid_network_side);
  g_test_add_func ("/head/pixel-decoder-unchanged", test_pixel_decoder_unchanged);
  g_test_add_func ("/head/pixel-decoder-carried", test_pixel_decoder_carried);
  g_test_add_func ("/head/format-version", test_format_version);

  status = g_test_run ();

  g_clear_pointer (&tone, adis_sound_unref);
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  g_free (grid_model_path);
  g_free (pixel_model_path);
  return status;
}
