/* test-cli-usage.c: the soundstyle command as a user first meets it: its
 * help, version and usage errors, the default model, import-checkpoint's
 * refusals, and training interrupted with Ctrl-C then resumed (none needs
 * the model test-cli.c trains)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "test-cli-usage"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"
#include "cli-test-util.h"

static void
test_help (void)
{
  const struct { const char *command; const char *options[4]; } cases[] = {
    { "stylize", { "--image", "--audio", "--mask", "--output" } },
    { "batch", { "--size", "--model", "mask", "mix_audio" } },
    { "train", { "--preset", "--resume", "--max-steps", "--json" } },
    { "info", { "--json", "MODEL", "Examples", NULL } },
    { "import-checkpoint", { "--generator", "--audio", "--half", "--output" } },
  };
  g_autofree char *out = NULL;

  g_assert_cmpint (run (&out, NULL, "--help"), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_nonnull (strstr (out, cases[i].command));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *help = NULL;
      g_autofree char *via_help = NULL;

      g_assert_cmpint (run (&help, NULL, cases[i].command, "--help"), ==, 0);
      g_assert_nonnull (strstr (help, "Usage:"));
      g_assert_nonnull (strstr (help, "Examples:"));
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].options) && cases[i].options[j]; j++)
        if (strstr (help, cases[i].options[j]) == NULL)
          g_error ("%s --help does not mention %s", cases[i].command, cases[i].options[j]);

      g_assert_cmpint (run (&via_help, NULL, "help", cases[i].command), ==, 0);
      g_assert_cmpstr (via_help, ==, help);
    }
}

static void
test_version (void)
{
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (run (&out, NULL, "--version"), ==, 0);
  expected = g_strdup_printf ("soundstyle %s (libtorch, cuda: %s)\n",
                              PACKAGE_VERSION, adis_cuda_available () ? "yes" : "no");
  g_assert_cmpstr (out, ==, expected);
}

static void
test_unknown (void)
{
  g_autofree char *err1 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *err4 = NULL;

  assert_usage_error (run (NULL, &err1, "restyle"), &err1, "restyle");
  assert_usage_error (run (NULL, &err2, "--frobnicate"), &err2, "--frobnicate");
  assert_usage_error (run (NULL, &err3, "stylize", "--frobnicate"), &err3, "--frobnicate");
  assert_usage_error (run (NULL, &err4, "train", fixture.dataset, "--output", "x.safetensors",
                           "--resume", fixture.wav, "--preset", "tiny"), &err4, "--preset");
  g_assert_cmpint (run (NULL, NULL, "stylize", "--size", "many"), ==, 2);
}

/* Without --model, stylize uses the default model: the one in the
 * repository (resources/models/), or the installed one */
static void
test_default_model (void)
{
  g_autofree char *installed = g_build_filename (SOUNDSTYLE_DATADIR, "models", "default.safetensors", NULL);
  g_autofree char *in_source = g_build_filename (SOUNDSTYLE_SOURCE_DIR, "resources", "models",
                                                 "default.safetensors", NULL);
  g_autofree char *output = g_build_filename (fixture.dir, "default-model.png", NULL);
  g_autofree char *err = NULL;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (installed, G_FILE_TEST_EXISTS) && !g_file_test (in_source, G_FILE_TEST_EXISTS))
    {
      assert_usage_error (run (NULL, &err, "stylize", "-i", fixture.image, "-a", fixture.wav,
                               "-o", output), &err, "no model given and no default model installed");
      g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
      return;
    }

  g_assert_cmpint (run (NULL, &err, "stylize", "-i", fixture.image, "-a", fixture.wav,
                        "--size", "128", "-o", output), ==, 0);
  image = adis_image_load (output, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (image), ==, 128);
}

static void
test_interrupt_resume (void)
{
  g_autofree char *model = g_build_filename (fixture.dir, "interrupted.safetensors", NULL);
  g_autofree char *checkpoint = g_build_filename (fixture.dir, "interrupted.ckpt", NULL);
  g_autofree char *err_path = g_build_filename (fixture.dir, "interrupted.err", NULL);
  g_autofree char *err = NULL;
  g_autofree char *resumed_out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) resumed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean signalled = FALSE;
  JsonObject *saved;
  JsonObject *first_progress = NULL;
  gint64 saved_step;
  char *line;

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawn (launcher, &error, test_soundstyle_bin (), "train",
                                         fixture.dataset, "--output", model, "--checkpoint", checkpoint,
                                         "--preset", "tiny", "--size", "32", "--batch", "2",
                                         "--epochs", "500+0", "--seed", "3", "--device", "cpu",
                                         "--json", NULL);
  g_assert_no_error (error);

  /* Read events as they come; interrupt once training is under way */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *event;

      json_parser_load_from_data (parser, line, -1, &error);
      g_free (line);
      g_assert_no_error (error);
      event = json_node_get_object (json_parser_get_root (parser));
      g_ptr_array_add (events, json_object_ref (event));

      if (!signalled && g_str_equal (event_name (event), "progress") &&
          json_object_get_int_member (event, "step") >= 2)
        {
          g_subprocess_send_signal (process, SIGINT);
          signalled = TRUE;
        }
    }
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (signalled);
  g_assert_cmpint (exit_status_of (process), ==, 130);
  g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
  g_assert_nonnull (strstr (err, "resume with: soundstyle train"));
  g_assert_cmpstr (event_name (g_ptr_array_index (events, events->len - 1)), ==, "interrupted");
  g_assert_nonnull ((saved = find_event (events, "checkpoint")));
  saved_step = json_object_get_int_member (saved, "step");
  g_assert_cmpint (saved_step, >=, 2);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
  /* An interrupted run exports nothing */
  g_assert_false (g_file_test (model, G_FILE_TEST_EXISTS));

  /* Resuming goes on from the step after the checkpoint's */
  g_assert_cmpint (run (&resumed_out, NULL, "train", fixture.dataset, "--output", model,
                        "--checkpoint", checkpoint, "--resume", checkpoint, "--max-steps", "2",
                        "--device", "cpu", "--json"), ==, 0);
  resumed = parse_json_lines (resumed_out);
  g_assert_cmpint (json_object_get_int_member (find_event (resumed, "start"), "step"), ==, saved_step);
  g_assert_nonnull ((first_progress = find_event (resumed, "progress")));
  g_assert_cmpint (json_object_get_int_member (first_progress, "step"), ==, saved_step + 1);
  g_assert_cmpint (json_object_get_int_member (find_event (resumed, "done"), "step"), ==, saved_step + 2);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
}

static void
test_import_errors (void)
{
  g_autofree char *dir = g_build_filename (fixture.dir, "import", NULL);
  g_autofree char *text_pth = g_build_filename (dir, "text.pth", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pth", NULL);
  g_autofree char *output = g_build_filename (dir, "imported.safetensors", NULL);
  g_autofree char *err1 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *err4 = NULL;
  const char *text = "not a pickle\n";

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  write_file (text_pth, text, strlen (text));

  assert_usage_error (run (NULL, &err1, "import-checkpoint", "--audio", text_pth, "--output", output),
                      &err1, "--generator");
  assert_usage_error (run (NULL, &err2, "import-checkpoint", "--generator", missing, "--audio", text_pth,
                           "--output", output), &err2, "missing.pth");
  assert_usage_error (run (NULL, &err3, "import-checkpoint", "--generator", text_pth, "--audio", text_pth,
                           "--preset", "huge", "--output", output), &err3, "huge");
  g_unlink (text_pth);
  g_assert_cmpint (run (NULL, &err4, "import-checkpoint", "--generator", fixture.wav, "--audio", fixture.wav,
                        "--preset", "tiny", "--output", output), ==, 2);
  g_assert_true (g_str_has_prefix (err4, "soundstyle: "));
  assert_folder_empty (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cli_fixture_setup ("cli-usage");

  g_test_add_func ("/soundstyle/cli/help", test_help);
  g_test_add_func ("/soundstyle/cli/version", test_version);
  g_test_add_func ("/soundstyle/cli/unknown", test_unknown);
  g_test_add_func ("/soundstyle/cli/default-model", test_default_model);
  g_test_add_func ("/soundstyle/cli/import-errors", test_import_errors);
  g_test_add_func ("/soundstyle/cli/interrupt-resume", test_interrupt_resume);

  status = g_test_run ();

  cli_fixture_teardown ();
  return status;
}
