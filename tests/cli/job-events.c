/* job-events.c: a training job's --json lines, read back from its stdout file
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "job-events.h"

GPtrArray *
job_events_read (const char *path)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return events;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (lines[i][0] != '{' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      root = json_parser_get_root (parser);
      if (JSON_NODE_HOLDS_OBJECT (root))
        g_ptr_array_add (events, json_object_ref (json_node_get_object (root)));
    }
  return events;
}

const char *
job_event_name (JsonObject *event)
{
  return json_object_get_string_member_with_default (event, "event", "");
}

char *
job_event_losses (JsonObject *event)
{
  const char *names[] = { "loss_d", "loss_g_gan", "loss_nce", "loss_nce_y", "loss_g_total",
                          "grad_norm_g", "grad_norm_d" };
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_string_append_printf (text, "%s=%.17g ", names[i], json_object_get_double_member (event, names[i]));
  return g_string_free (text, FALSE);
}
