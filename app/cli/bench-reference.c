/* bench-reference.c: `soundstyle bench --reference`, the same work timed on
 * the PyTorch reference architecture
 *
 * SPDX-License-Identifier: MIT
 *
 * The reference (tests/reference/avstyle_ref.py) is the published model in
 * plain PyTorch; bench_ref.py times it in a child process right after our
 * own figures, on the same machine, with the same sizes and repeats.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>

#include "bench-work.h"
#include "soundstyle-cli.h"

#define BENCH_SCRIPT "bench_ref.py"

/* $SOUNDSTYLE_REFERENCE_DIR, the source tree (a build run in place), or
 * the installed copy */
static char *
find_script (GError **error)
{
  const char *dirs[] = {
    g_getenv ("SOUNDSTYLE_REFERENCE_DIR"),
    SOUNDSTYLE_SOURCE_DIR "/tests/reference",
    SOUNDSTYLE_DATADIR "/reference",
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = NULL;

      if (dirs[i] == NULL || dirs[i][0] == '\0')
        continue;
      path = g_build_filename (dirs[i], BENCH_SCRIPT, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "--reference: %s is neither in the source tree nor installed; "
               "set SOUNDSTYLE_REFERENCE_DIR", BENCH_SCRIPT);
  return NULL;
}

static char *
join_sizes (GArray *sizes)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < sizes->len; i++)
    g_string_append_printf (text, "%s%d", i ? "," : "", g_array_index (sizes, int, i));
  return g_string_free (text, FALSE);
}

JsonObject *
bench_work_run_reference (BenchWork  *work,
                          int         threads,
                          GError    **error)
{
  g_autofree char *script = find_script (error);
  g_autofree char *config = NULL;
  g_autofree char *sizes = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) config_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *python = g_getenv ("SOUNDSTYLE_PYTHON");
  char repeat[16], warmup[16], preview[16], train_size[16], train_batch[16], n_threads[16];
  JsonNode *root;

  if (script == NULL)
    return NULL;
  if (python == NULL || python[0] == '\0')
    python = SOUNDSTYLE_PYTHON;

  json_node_take_object (config_node, adis_config_to_json (&work->config));
  config = json_to_string (config_node, FALSE);
  sizes = join_sizes (work->sizes);
  g_snprintf (repeat, sizeof repeat, "%d", work->repeat);
  g_snprintf (warmup, sizeof warmup, "%d", work->warmup);
  g_snprintf (preview, sizeof preview, "%d", work->preview);
  g_snprintf (train_size, sizeof train_size, "%d", work->train_size);
  g_snprintf (train_batch, sizeof train_batch, "%d", work->train_batch);
  g_snprintf (n_threads, sizeof n_threads, "%d", threads);

  g_printerr ("bench: timing the PyTorch reference with %s\n", python);
  /* stderr passes through: its progress, and its words if it fails */
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &local_error,
                            python, script, "--config", config, "--sizes", sizes,
                            "--preview", preview, "--repeat", repeat, "--warmup", warmup,
                            "--train-size", train_size, "--train-batch", train_batch,
                            "--threads", n_threads,
                            "--clock", work->cpu_clock ? "cpu" : "wall", NULL);
  if (child == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--reference: cannot run %s: %s", python, local_error->message);
      return NULL;
    }
  if (!g_subprocess_communicate_utf8 (child, NULL, work->cancellable, &out, NULL, &local_error))
    {
      g_subprocess_force_exit (child);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_CANCELLED, "Cancelled");
      else
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "--reference: %s", local_error->message);
      return NULL;
    }
  if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED,
                   "--reference: %s %s failed (see its messages above)", python, script);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, out, -1, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED,
                   "--reference: %s did not print a JSON object", script);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static double
ratio (double numerator,
       double denominator)
{
  return denominator > 0 ? round (numerator / denominator * 100) / 100 : 0;
}

/* For each key both objects have: reference / ours */
static JsonObject *
ratios_by_size (JsonObject *ours,
                JsonObject *reference)
{
  JsonObject *out = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (ours);

  for (GList *l = members; l != NULL; l = l->next)
    if (json_object_has_member (reference, l->data))
      json_object_set_double_member (out, l->data,
                                     ratio (json_object_get_double_member (reference, l->data),
                                            json_object_get_double_member (ours, l->data)));
  return out;
}

void
bench_work_add_ratios (JsonObject *result,
                       JsonObject *reference)
{
  JsonObject *out = json_object_new ();

  json_object_set_string_member (out, "meaning",
                                 "times faster than the reference: its time / ours; "
                                 "training: our images per second / its");
  json_object_set_object_member (out, "full_ms",
                                 ratios_by_size (json_object_get_object_member (result, "full_ms"),
                                                 json_object_get_object_member (reference, "full_ms")));
  json_object_set_object_member (out, "slider_ms",
                                 ratios_by_size (json_object_get_object_member (result, "slider_ms"),
                                                 json_object_get_object_member (reference, "slider_ms")));
  json_object_set_double_member (out, "audio_ms",
                                 ratio (json_object_get_double_member (reference, "audio_ms"),
                                        json_object_get_double_member (result, "audio_ms")));
  if (json_object_has_member (result, "train") && json_object_has_member (reference, "train"))
    {
      JsonObject *ours = json_object_get_object_member (result, "train");
      JsonObject *theirs = json_object_get_object_member (reference, "train");

      json_object_set_double_member (out, "train_images_per_second",
                                     ratio (json_object_get_double_member (ours, "images_per_second"),
                                            json_object_get_double_member (theirs, "images_per_second")));
    }
  json_object_set_object_member (result, "ratio", out);
}
