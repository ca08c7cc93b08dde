/* test-safetensors.c: the model-file container, good files and broken ones
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-util.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Writes an 8-byte length, the header text as given, then data_length
 * bytes of data: the way to make files the writer would never make. */
static char *
write_raw (const char *name,
           const char *header,
           gsize       data_length)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint64 length = strlen (header);
  char *path = tmp_path (name);
  guint8 le[8];

  for (int i = 0; i < 8; i++)
    le[i] = (guint8) (length >> (8 * i));
  g_byte_array_append (bytes, le, 8);
  g_byte_array_append (bytes, (const guint8 *) header, (guint) length);
  for (gsize i = 0; i < data_length; i++)
    g_byte_array_append (bytes, (const guint8 *) "\x01", 1);
  g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  return path;
}

static void
expect_model_file_error (const char *path,
                         const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorFile) file = adis_tensor_file_open (path, &error);

  g_assert_null (file);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_test_message ("%s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  for (const char *c = error->message; *c != '\0'; c++)
    g_assert_cmpint ((guchar) *c, >=, 0x20);
}

static void
test_round_trip (void)
{
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("round-trip.safetensors");
  float weights[6] = { 0.f, 1.f, -2.5f, 3.14159f, 65504.f, 1e-6f };
  float halves[4] = { 0.5f, -1.f, 0.333333f, 1000.f };
  gint64 counts[3] = { 1, -7, G_MAXINT64 };
  guint8 bytes[5] = { 0, 1, 127, 200, 255 };
  gint64 shape_w[2] = { 2, 3 };
  gint64 shape_h[1] = { 4 };
  gint64 shape_c[1] = { 3 };
  gint64 shape_b[2] = { 1, 5 };
  gint64 shape_e[2] = { 0, 4 };
  const AdisTensorView *view;

  adis_tensor_writer_add (writer, "G.model.1.weight", ADIS_DTYPE_F32, 2, shape_w, weights);
  adis_tensor_writer_add_f32_as (writer, "halves", ADIS_DTYPE_F16, 1, shape_h, halves);
  adis_tensor_writer_add (writer, "counts", ADIS_DTYPE_I64, 1, shape_c, counts);
  adis_tensor_writer_add (writer, "bytes", ADIS_DTYPE_U8, 2, shape_b, bytes);
  adis_tensor_writer_add (writer, "empty", ADIS_DTYPE_F32, 2, shape_e, NULL);
  adis_tensor_writer_set_metadata (writer, "config", "{\"ngf\": 8}");
  adis_tensor_writer_set_metadata (writer, "format", "soundstyle");
  g_assert_true (adis_tensor_writer_save (writer, path, &error));
  g_assert_no_error (error);

  file = adis_tensor_file_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_cmpuint (adis_tensor_file_get_n_tensors (file), ==, 5);
  g_assert_cmpstr (adis_tensor_file_get_metadata (file, "config"), ==, "{\"ngf\": 8}");
  g_assert_cmpstr (adis_tensor_file_get_metadata (file, "format"), ==, "soundstyle");
  g_assert_null (adis_tensor_file_get_metadata (file, "missing"));

  /* Sorted by name */
  g_assert_cmpstr (adis_tensor_file_get_tensor (file, 0)->name, ==, "G.model.1.weight");
  g_assert_cmpstr (adis_tensor_file_get_tensor (file, 4)->name, ==, "halves");

  view = adis_tensor_file_lookup (file, "G.model.1.weight");
  g_assert_nonnull (view);
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_F32);
  g_assert_cmpint (view->n_dims, ==, 2);
  g_assert_cmpint (view->shape[0], ==, 2);
  g_assert_cmpint (view->shape[1], ==, 3);
  g_assert_cmpuint (view->n_elements, ==, 6);
  g_assert_cmpuint (view->n_bytes, ==, 24);
  g_assert_cmpmem (view->data, 24, weights, sizeof weights);

  view = adis_tensor_file_lookup (file, "halves");
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_F16);
  g_assert_cmpuint (view->n_bytes, ==, 8);
  for (int i = 0; i < 4; i++)
    {
      guint16 h;

      memcpy (&h, view->data + 2 * i, 2);
      /* Half precision keeps 11 significant bits */
      g_assert_cmpfloat_with_epsilon (adis_f16_to_f32 (h), halves[i], fabsf (halves[i]) / 1024.f);
    }

  view = adis_tensor_file_lookup (file, "counts");
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_I64);
  g_assert_cmpmem (view->data, view->n_bytes, counts, sizeof counts);
  /* Wider types come first in the data, so each starts aligned */
  g_assert_cmpuint (((guintptr) view->data) % 8, ==, 0);

  view = adis_tensor_file_lookup (file, "bytes");
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_U8);
  g_assert_cmpmem (view->data, view->n_bytes, bytes, sizeof bytes);

  view = adis_tensor_file_lookup (file, "empty");
  g_assert_cmpuint (view->n_elements, ==, 0);
  g_assert_cmpuint (view->n_bytes, ==, 0);

  g_assert_null (adis_tensor_file_lookup (file, "nope"));
}

static void
test_header_alignment (void)
{
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("aligned.safetensors");
  g_autofree char *contents = NULL;
  gsize length;
  guint64 header_length = 0;
  float value = 1.f;
  gint64 shape[1] = { 1 };

  adis_tensor_writer_add (writer, "abc", ADIS_DTYPE_F32, 1, shape, &value);
  g_assert_true (adis_tensor_writer_save (writer, path, &error));
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  for (int i = 7; i >= 0; i--)
    header_length = (header_length << 8) | (guint8) contents[i];
  g_assert_cmpuint ((8 + header_length) % 8, ==, 0);
  g_assert_cmpuint (length, ==, 8 + header_length + 4);
  g_assert_cmpint (contents[8], ==, '{');
}

static void
test_half_conversions (void)
{
  /* Exact values, both ways */
  g_assert_cmpuint (adis_f32_to_f16 (0.f), ==, 0x0000);
  g_assert_cmpuint (adis_f32_to_f16 (-0.f), ==, 0x8000);
  g_assert_cmpuint (adis_f32_to_f16 (1.f), ==, 0x3c00);
  g_assert_cmpuint (adis_f32_to_f16 (-2.f), ==, 0xc000);
  g_assert_cmpuint (adis_f32_to_f16 (65504.f), ==, 0x7bff);
  g_assert_cmpuint (adis_f32_to_f16 (1e6f), ==, 0x7c00);
  g_assert_cmpuint (adis_f32_to_f16 (-INFINITY), ==, 0xfc00);
  g_assert_true (isnan (adis_f16_to_f32 (adis_f32_to_f16 (NAN))));
  g_assert_cmpuint (adis_f32_to_f16 (ldexpf (1.f, -24)), ==, 0x0001);  /* smallest subnormal */
  g_assert_cmpuint (adis_f32_to_f16 (ldexpf (1.f, -14)), ==, 0x0400);  /* smallest normal */
  g_assert_cmpfloat (adis_f16_to_f32 (0x3c00), ==, 1.f);
  g_assert_cmpfloat (adis_f16_to_f32 (0x0001), ==, ldexpf (1.f, -24));
  g_assert_cmpfloat (adis_f16_to_f32 (0x7bff), ==, 65504.f);
  g_assert_true (isinf (adis_f16_to_f32 (0x7c00)));

  /* Ties go to the even mantissa: 1 + 2^-11 lies halfway between 1 and
   * the next half, 1 + 3 * 2^-11 between two halves, the upper even */
  g_assert_cmpuint (adis_f32_to_f16 (1.f + ldexpf (1.f, -11)), ==, 0x3c00);
  g_assert_cmpuint (adis_f32_to_f16 (1.f + 3 * ldexpf (1.f, -11)), ==, 0x3c02);
  g_assert_cmpuint (adis_f32_to_f16 (ldexpf (1.f, -25)), ==, 0x0000);
  g_assert_cmpuint (adis_f32_to_f16 (ldexpf (3.f, -26)), ==, 0x0001);

  /* Every half survives a round trip through float */
  for (guint32 h = 0; h < 0x10000; h++)
    {
      float f = adis_f16_to_f32 ((guint16) h);

      if (isnan (f))
        continue;
      g_assert_cmpuint (adis_f32_to_f16 (f), ==, h);
    }

  g_assert_cmpfloat (adis_bf16_to_f32 (0x3f80), ==, 1.f);
  g_assert_cmpfloat (adis_bf16_to_f32 (0xc040), ==, -3.f);
}

static void
test_bf16_writer (void)
{
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("bf16.safetensors");
  float values[3] = { 1.f, -3.f, 0.1f };
  gint64 shape[1] = { 3 };
  const AdisTensorView *view;

  adis_tensor_writer_add_f32_as (writer, "w", ADIS_DTYPE_BF16, 1, shape, values);
  g_assert_true (adis_tensor_writer_save (writer, path, &error));
  file = adis_tensor_file_open (path, &error);
  g_assert_no_error (error);
  view = adis_tensor_file_lookup (file, "w");
  g_assert_cmpint (view->dtype, ==, ADIS_DTYPE_BF16);
  for (int i = 0; i < 3; i++)
    {
      guint16 h;

      memcpy (&h, view->data + 2 * i, 2);
      g_assert_cmpfloat_with_epsilon (adis_bf16_to_f32 (h), values[i], fabsf (values[i]) / 128.f);
    }
}

static void
test_truncated (void)
{
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("truncated.safetensors");
  g_autofree char *contents = NULL;
  float weights[64] = { 0 };
  gint64 shape[1] = { 64 };
  gsize length;

  adis_tensor_writer_add (writer, "G.model.1.weight", ADIS_DTYPE_F32, 1, shape, weights);
  g_assert_true (adis_tensor_writer_save (writer, path, &error));
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  /* Cut in the data, in the header, and in the length prefix */
  g_file_set_contents (path, contents, (gssize) length - 10, &error);
  expect_model_file_error (path, "tensor G.model.1.weight: data runs past the end of the file (truncated?)");
  g_file_set_contents (path, contents, 20, &error);
  expect_model_file_error (path, "header runs past the end of the file");
  g_file_set_contents (path, contents, 5, &error);
  expect_model_file_error (path, "too short");
  g_file_set_contents (path, "", 0, &error);
  expect_model_file_error (path, "too short");
}

static void
test_bad_headers (void)
{
  g_autofree char *bad_json = write_raw ("bad-json.safetensors", "{\"a\": {\"dtype\": ", 0);
  /* A tensor name with a line break and a control byte in it must not
   * break the one-line message (fuzz-model-file found the like) */
  g_autofree char *broken_string = write_raw ("broken-string.safetensors", "{'{\"format\":o\nsd\x01': 1}", 0);
  g_autofree char *not_object = write_raw ("array.safetensors", "[1, 2, 3]", 0);
  g_autofree char *past_end = write_raw ("past-end.safetensors",
                                         "{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8);
  g_autofree char *overlap = write_raw ("overlap.safetensors",
                                        "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                                        " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12);
  g_autofree char *mismatch = write_raw ("mismatch.safetensors",
                                         "{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8);
  g_autofree char *dtype = write_raw ("dtype.safetensors",
                                      "{\"w\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8);
  g_autofree char *negative = write_raw ("negative.safetensors",
                                         "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4);
  g_autofree char *metadata = write_raw ("metadata.safetensors",
                                         "{\"__metadata__\": {\"epoch\": 3}}", 0);
  g_autofree char *huge = NULL;
  g_autofree char *tiny = NULL;
  guint8 huge_header[16] = { 0, 0, 0, 0, 0, 0, 0, 1, '{', '}' };
  g_autoptr(GError) error = NULL;

  expect_model_file_error (bad_json, "header is not valid JSON");
  expect_model_file_error (broken_string, "entry is not an object");
  expect_model_file_error (not_object, "not a JSON object");
  expect_model_file_error (past_end, "tensor w: data runs past the end of the file (truncated?)");
  expect_model_file_error (overlap, "tensors a and b overlap");
  expect_model_file_error (mismatch, "tensor w: shape and dtype need 12 bytes but the data has 8");
  expect_model_file_error (dtype, "tensor w: unsupported dtype “F64”");
  expect_model_file_error (negative, "tensor w: shape[0] is not a non-negative integer");
  expect_model_file_error (metadata, "__metadata__ value “epoch” is not a string");

  huge = tmp_path ("huge-header.safetensors");
  g_file_set_contents (huge, (const char *) huge_header, sizeof huge_header, &error);
  g_assert_no_error (error);
  expect_model_file_error (huge, "header length");
  tiny = write_raw ("tiny-header.safetensors", "{", 0);
  expect_model_file_error (tiny, "header length 1 is not plausible");
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("does-not-exist.safetensors");
  g_autoptr(AdisTensorFile) file = adis_tensor_file_open (path, &error);

  g_assert_null (file);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_IO);
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
test_atomic_write (void)
{
  g_autofree char *dir = tmp_path ("atomic");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *unwritable = g_build_filename (dir, "no-such-dir", "model.safetensors", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  float value = 2.f;
  gint64 shape[1] = { 1 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  for (int round = 0; round < 2; round++)
    {
      g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();

      adis_tensor_writer_add (writer, round == 0 ? "first" : "second", ADIS_DTYPE_F32, 1, shape, &value);
      g_assert_true (adis_tensor_writer_save (writer, path, &error));
      g_assert_no_error (error);
    }
  /* The second save replaced the first whole, and left no temporaries */
  g_assert_cmpuint (count_entries (dir), ==, 1);
  {
    g_autoptr(AdisTensorFile) file = adis_tensor_file_open (path, &error);

    g_assert_no_error (error);
    g_assert_null (adis_tensor_file_lookup (file, "first"));
    g_assert_nonnull (adis_tensor_file_lookup (file, "second"));
  }

  g_assert_false (adis_write_file_atomic (unwritable, "x", 1, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_IO);
  g_assert_cmpuint (count_entries (dir), ==, 1);

  g_clear_error (&error);
  g_assert_true (adis_write_file_atomic (path, "abc", 3, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "abc");
  g_assert_cmpuint (count_entries (dir), ==, 1);
}

static void
test_dtype_names (void)
{
  g_assert_cmpstr (adis_dtype_to_string (ADIS_DTYPE_F32), ==, "F32");
  g_assert_cmpstr (adis_dtype_to_string (ADIS_DTYPE_BF16), ==, "BF16");
  g_assert_cmpuint (adis_dtype_size (ADIS_DTYPE_F16), ==, 2);
  g_assert_cmpuint (adis_dtype_size (ADIS_DTYPE_I64), ==, 8);
  g_assert_cmpuint (adis_dtype_size (ADIS_DTYPE_U8), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = test_make_tmpdir ("test-safetensors");

  g_test_add_func ("/soundstyle/safetensors/round-trip", test_round_trip);
  g_test_add_func ("/soundstyle/safetensors/header-alignment", test_header_alignment);
  g_test_add_func ("/soundstyle/safetensors/half-conversions", test_half_conversions);
  g_test_add_func ("/soundstyle/safetensors/bf16-writer", test_bf16_writer);
  g_test_add_func ("/soundstyle/safetensors/truncated", test_truncated);
  g_test_add_func ("/soundstyle/safetensors/bad-headers", test_bad_headers);
  g_test_add_func ("/soundstyle/safetensors/missing-file", test_missing_file);
  g_test_add_func ("/soundstyle/safetensors/atomic-write", test_atomic_write);
  g_test_add_func ("/soundstyle/safetensors/dtype-names", test_dtype_names);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
