/* cli-test-util.c: the fixture of test-cli.c and test-cli-usage.c, and
 * running the soundstyle command as a user would
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <string.h>

#include "test-util.h"
#include "cli-test-util.h"

CliFixture fixture;

void
cli_fixture_setup (const char *name)
{
  fixture.dir = test_make_tmpdir (name);
  fixture.dataset = test_make_tiny_dataset (fixture.dir, 8, 32);
  fixture.image = g_build_filename (fixture.dir, "wide.png", NULL);
  fixture.image2 = g_build_filename (fixture.dir, "square.png", NULL);
  fixture.wav = g_build_filename (fixture.dir, "low.wav", NULL);
  fixture.wav2 = g_build_filename (fixture.dir, "high.wav", NULL);
  fixture.model = g_build_filename (fixture.dir, "tiny.safetensors", NULL);
  fixture.samples = g_build_filename (fixture.dir, "samples", NULL);
  test_write_pattern_png (fixture.image, 96, 64, 1);
  test_write_pattern_png (fixture.image2, 80, 80, 2);
  test_write_tone_wav (fixture.wav, 220.0, 0.3, 1.5, 44100, 2);
  test_write_tone_wav (fixture.wav2, 1760.0, 0.1, 3.0, 16000, 1);
}

void
cli_fixture_teardown (void)
{
  test_rm_rf (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.dataset);
  g_free (fixture.image);
  g_free (fixture.image2);
  g_free (fixture.wav);
  g_free (fixture.wav2);
  g_free (fixture.model);
  g_free (fixture.train_json);
  g_free (fixture.samples);
}

/* --- running the command -------------------------------------------------- */

GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* A model the developer has in the environment must not leak in, and the
   * messages' quotes stay UTF-8 */
  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MODEL");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* With OMP_NUM_THREADS set, libgomp's threads spin while they wait; on two
   * busy cores that makes a tiny model's step a hundred times slower */
  g_subprocess_launcher_setenv (launcher, "OMP_WAIT_POLICY", "PASSIVE", FALSE);
  return launcher;
}

static GPtrArray *
build_argv (const char *first,
            va_list     args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (test_soundstyle_bin ()));
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

int
exit_status_of (GSubprocess *process)
{
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

int
run_with_env (const char  *env_name,
              const char  *env_value,
              char       **out_stdout,
              char       **out_stderr,
              const char  *first,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list args;

  va_start (args, first);
  argv = build_argv (first, args);
  va_end (args);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (env_name != NULL)
    g_subprocess_launcher_setenv (launcher, env_name, env_value, TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("# stderr: %s", err);

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);

  return exit_status_of (process);
}

void
assert_usage_error (int          status,
                    char *const *err_ptr,
                    const char  *must_mention)
{
  const char *err = *err_ptr;

  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (err);
  g_assert_true (g_str_has_prefix (err, "soundstyle: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  if (must_mention != NULL && strstr (err, must_mention) == NULL)
    g_error ("stderr “%s” does not mention “%s”", err, must_mention);
}

void
assert_folder_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  if ((name = g_dir_read_name (dir)) != NULL)
    g_error ("“%s” should be empty but holds “%s”", path, name);
}

GPtrArray *
parse_json_lines (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonNode *root;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
      g_assert_true (json_object_has_member (json_node_get_object (root), "event"));
      g_ptr_array_add (events, json_object_ref (json_node_get_object (root)));
    }

  return events;
}

const char *
event_name (JsonObject *event)
{
  return json_object_get_string_member (event, "event");
}

JsonObject *
find_event (GPtrArray  *events,
            const char *name)
{
  for (guint i = 0; i < events->len; i++)
    if (g_str_equal (event_name (g_ptr_array_index (events, i)), name))
      return g_ptr_array_index (events, i);
  return NULL;
}

void
write_file (const char *path,
            const void *data,
            gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
}

