/* test-bench.c: `soundstyle bench` runs and prints the figures it promises
 *
 * SPDX-License-Identifier: MIT
 *
 * Functional only: the figures are checked for presence and sense (positive
 * times), never against a speed. The tiny preset keeps it to seconds.
 */
#define G_LOG_DOMAIN "test-bench"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"

static char *tmpdir;

static int
run_bench (const char * const *args,
           char              **out_stdout,
           char              **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_soundstyle_bin ());
  g_ptr_array_add (argv, (char *) "bench");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return test_run ((const char * const *) argv->pdata, out_stdout, out_stderr);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, name)));
  return json_object_get_object_member (object, name);
}

static double
member_positive (JsonObject *object,
                 const char *name)
{
  double value;

  g_assert_true (json_object_has_member (object, name));
  value = json_object_get_double_member (object, name);
  g_assert_cmpfloat (value, >, 0.0);
  return value;
}

static void
check_figures (JsonObject *figures)
{
  JsonObject *full = member_object (figures, "full_ms");
  JsonObject *slider = member_object (figures, "slider_ms");
  JsonObject *train = member_object (figures, "train");

  member_positive (full, "32");
  member_positive (full, "64");
  g_assert_cmpuint (json_object_get_size (full), ==, 2);
  /* the preview size is timed too */
  member_positive (slider, "32");
  member_positive (slider, "48");
  member_positive (slider, "64");
  member_positive (figures, "audio_ms");
  member_positive (figures, "peak_rss_mb");
  g_assert_cmpint (json_object_get_int_member (train, "size"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (train, "batch"), ==, 2);
  member_positive (train, "step_ms");
  member_positive (train, "images_per_second");
}

static void
test_tiny (void)
{
  g_autofree char *output = g_build_filename (tmpdir, "bench.json", NULL);
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--preset", "tiny", "--sizes", "32,64", "--preview", "48",
                         "--repeat", "2", "--warmup", "1", "--train-size", "32",
                         "--train-batch", "2", "--reference", "--export", "320x240",
                         "--output", output, NULL };
  JsonObject *root, *model, *loader, *ratio, *export;

  g_assert_cmpint (run_bench (args, NULL, &err), ==, 0);
  /* progress with a time estimate on stderr */
  g_assert_nonnull (strstr (err, "s left"));

  g_assert_true (json_parser_load_from_file (parser, output, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  root = json_node_get_object (json_parser_get_root (parser));

  check_figures (root);
  /* Live mode: updates per second at the preview size */
  member_positive (root, "live_updates_per_s");
  g_assert_cmpstr (json_object_get_string_member (root, "device"), ==, "cpu");
  g_assert_cmpint (json_object_get_int_member (root, "threads"), >=, 1);
  model = member_object (root, "model");
  g_assert_cmpstr (json_object_get_string_member (model, "preset"), ==, "tiny");
  g_assert_cmpstr (json_object_get_string_member (model, "weights"), ==, "random");
  loader = member_object (root, "loader");
  member_positive (loader, "batches_per_second");
  member_positive (loader, "images_per_second");
  /* The export: a child stylize at the photo's own size against 256 px */
  export = member_object (root, "export");
  g_assert_cmpstr (json_object_get_string_member (export, "photo"), ==, "320x240");
  member_positive (export, "export_ms");
  member_positive (export, "export_peak_mb");
  member_positive (export, "stylize_256_ms");
  member_positive (export, "stylize_256_peak_mb");
  member_positive (export, "export_over_256");

  /* The reference did the same work, and each figure has its ratio */
  check_figures (member_object (root, "reference"));
  ratio = member_object (root, "ratio");
  member_positive (member_object (ratio, "full_ms"), "64");
  member_positive (member_object (ratio, "slider_ms"), "48");
  member_positive (ratio, "train_images_per_second");
}

/* A preset's shape with the grid head: the model says so, and a slider
 * move is timed at each size */
static void
test_grid_head (void)
{
  g_autofree char *output = g_build_filename (tmpdir, "grid.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--preset", "tiny", "--head", "grid", "--sizes", "64,300", "--preview", "64",
                         "--repeat", "1", "--warmup", "0", "--train-size", "0", "--export", "0",
                         "--output", output, NULL };
  JsonObject *root, *config;

  g_assert_cmpint (run_bench (args, NULL, NULL), ==, 0);
  g_assert_true (json_parser_load_from_file (parser, output, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  config = member_object (member_object (root, "model"), "config");
  g_assert_cmpstr (json_object_get_string_member (member_object (config, "head"), "kind"), ==, "grid");
  member_positive (member_object (root, "slider_ms"), "300");
  g_assert_false (json_object_has_member (root, "export"));
}

static void
test_bad_input (void)
{
  g_autofree char *output = g_build_filename (tmpdir, "never.json", NULL);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  const char *bad_sizes[] = { "--preset", "tiny", "--sizes", "32,big", "--output", output, NULL };
  const char *bad_preset[] = { "--preset", "huge", "--output", output, NULL };
  const char *both[] = { "--preset", "tiny", "--model", "m.safetensors", NULL };
  const char *help[] = { "--help", NULL };
  const char *bad_export[] = { "--preset", "tiny", "--export", "12MP", "--output", output, NULL };
  const char *bad_head[] = { "--preset", "tiny", "--head", "pixels", "--output", output, NULL };

  g_assert_cmpint (run_bench (bad_sizes, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "big"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_bench (bad_preset, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "huge"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_bench (both, NULL, NULL), ==, 2);
  g_assert_cmpint (run_bench (bad_export, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "12MP"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_bench (bad_head, NULL, NULL), ==, 2);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  g_assert_cmpint (run_bench (help, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "slider_ms"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("OMP_WAIT_POLICY", "PASSIVE", FALSE);
  g_unsetenv ("SOUNDSTYLE_MODEL");
  tmpdir = test_make_tmpdir ("bench");

  g_test_add_func ("/bench/tiny", test_tiny);
  g_test_add_func ("/bench/grid-head", test_grid_head);
  g_test_add_func ("/bench/bad-input", test_bad_input);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
