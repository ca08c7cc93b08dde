/* cmd-info.c: `soundstyle info`, what a model file holds
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "soundstyle-cli.h"

/* 1234567 -> "1,234,567": parameter counts are read by people */
static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

static char *
format_value (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (type == G_TYPE_DOUBLE)
        return g_strdup_printf ("%g", json_node_get_double (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "yes" : "no");
    }

  return json_to_string (node, FALSE);
}

static void
print_model (const char *path,
             AdisModel  *model,
             JsonObject *metadata)
{
  const AdisConfig *config = adis_model_get_config (model);
  g_autofree char *parameters = format_count (adis_model_get_n_parameters (model));
  JsonObject *training = NULL;
  AdisInputRules input;

  g_print ("Model:          %s\n", path);
  g_print ("Format:         %s, version %" G_GINT64_FORMAT "\n",
           json_object_get_string_member_with_default (metadata, "format", "?"),
           json_object_get_int_member_with_default (metadata, "format_version", 0));
  g_print ("Preset:         %s\n", config->preset);
  g_print ("Generator:      width %d, %d residual blocks\n", config->ngf, config->n_blocks);
  if (config->head == ADIS_HEAD_GRID)
    g_print ("Head:           grid (beyond the paper): %d-px cells, %d bins, overlay at 1/%d, "
             "%d-knot guide, networks at %d px; applied at any size%s\n",
             config->grid.grid_cell, config->grid.bins, config->grid.overlay_cell,
             config->grid.guide_knots, config->grid.working_size,
             config->grid.rain_streaks ? "; rain streaks drawn at the picture's size" : "");
  else
    g_print ("Head:           pixel decoder (the paper's)\n");
  g_print ("Discriminator:  width %d (training only)\n", config->ndf);
  g_print ("Audio encoder:  width %d, embedding %d\n", config->audio_width, config->embed_dim);
  g_print ("PatchNCE MLP:   %d (training only)\n", config->mlp_dim);
  if (config->conditioning == ADIS_CONDITIONING_KEYWORD && config->keywords != NULL)
    {
      g_autofree char *words = g_strjoinv (", ", config->keywords);
      g_print ("Conditioning:   keywords (%d): %s\n", config->n_keywords, words);
    }
  else
    g_print ("Conditioning:   audio%s%s\n",
             config->audio_film ? ", with the audio FiLM after the decoder's norms (beyond the paper)" : "",
             config->audio_level ? "; heard at one level, told the level apart (beyond the paper)" : "");
  g_print ("Parameters:     %s\n", parameters);
  g_print ("Weights:        %s\n", json_object_get_string_member_with_default (metadata, "dtype", "?"));
  g_print ("Sample rate:    %" G_GINT64_FORMAT " Hz, clips of %" G_GINT64_FORMAT " samples\n",
           json_object_get_int_member_with_default (metadata, "sample_rate", 0),
           json_object_get_int_member_with_default (metadata, "clip_samples", 0));
  adis_model_get_input_rules (model, &input);
  if (input.peak_normalised)
    g_print ("Sound input:    peak-normalised to 1 / (%.1f max|wav|), then the gain (as avstyle trained it)\n",
             (double) ADIS_PEAK_HEADROOM);
  else
    g_print ("Sound input:    at its own loudness, times the gain\n");
  if (input.square_size > 0)
    g_print ("Photo input:    squashed to %d x %d by default, as avstyle's own code runs it "
             "(--aspect keep keeps the aspect)\n", input.square_size, input.square_size);
  else
    g_print ("Photo input:    any size, aspect kept\n");
  if (json_object_has_member (metadata, "created"))
    g_print ("Created:        %s\n", json_object_get_string_member_with_default (metadata, "created", "?"));

  if (json_object_has_member (metadata, "training") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (metadata, "training")))
    training = json_object_get_object_member (metadata, "training");

  if (training != NULL && json_object_get_size (training) > 0)
    {
      g_autoptr(GList) members = json_object_get_members (training);

      g_print ("Training:\n");
      for (const GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *value = format_value (json_object_get_member (training, l->data));
          g_print ("  %-14s%s\n", (const char *) l->data, value);
        }
    }
  else
    g_print ("Training:       not recorded\n");
}

/* A safetensors file starts with its header's length (8 bytes) and then
 * the JSON header itself: anything else is taken for a sound */
static gboolean
looks_like_model (const char *path)
{
  FILE *file = g_fopen (path, "rb");
  guint8 head[9] = { 0 };
  gsize got;

  if (file == NULL)
    return TRUE;   /* the model loader then says what is wrong */
  got = fread (head, 1, sizeof head, file);
  fclose (file);
  /* Too short for either: the model loader's message is the clearer */
  return got < sizeof head || head[8] == '{';
}

static double
to_dbfs (double level)
{
  return level > 0.0 ? 20.0 * log10 (level) : -INFINITY;
}

/* Length and level as the engine reads the file (libsndfile, 16 kHz mono),
 * for checking recordings without listening to them */
static int
print_sound (const char *path,
             gboolean    as_json)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *samples = NULL;
  gsize n = 0;
  double sum = 0.0, peak = 0.0, seconds, rms_db, peak_db;

  if ((samples = adis_audio_load_recording (path, 0.0, &n, &error)) == NULL)
    return soundstyle_cli_report_error (error);
  for (gsize i = 0; i < n; i++)
    {
      sum += (double) samples[i] * samples[i];
      peak = MAX (peak, fabs ((double) samples[i]));
    }
  seconds = (double) n / ADIS_SAMPLE_RATE;
  rms_db = to_dbfs (sqrt (sum / (double) MAX (n, 1)));
  peak_db = to_dbfs (peak);

  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sound");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, round (seconds * 1000.0) / 1000.0);
      /* Silence has no level in dB: null */
      json_builder_set_member_name (builder, "rms_dbfs");
      if (isfinite (rms_db))
        json_builder_add_double_value (builder, round (rms_db * 100.0) / 100.0);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "peak_dbfs");
      if (isfinite (peak_db))
        json_builder_add_double_value (builder, round (peak_db * 100.0) / 100.0);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, FALSE);
      g_print ("%s\n", text);
      return SOUNDSTYLE_EXIT_OK;
    }

  g_print ("Sound:          %s\n", path);
  g_print ("Length:         %.2f s (read at %d Hz, mono)\n", seconds, ADIS_SAMPLE_RATE);
  if (isfinite (rms_db))
    g_print ("Level:          %.1f dBFS RMS, peak %.1f dBFS\n", rms_db, peak_db);
  else
    g_print ("Level:          silent\n");
  return SOUNDSTYLE_EXIT_OK;
}

int
soundstyle_cmd_info (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *metadata = NULL;
  gboolean as_json = FALSE;
  JsonNode *root;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the file's metadata (a sound's length and level) as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("MODEL|SOUND");
  g_option_context_set_summary (context,
    "Describe a model file: preset, widths, conditioning, parameters, weights and\n"
    "how it was trained. Of a sound file: its length and level (RMS and peak in\n"
    "dBFS) as the engine reads it, at 16 kHz, mono.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  soundstyle info model.safetensors\n"
    "  soundstyle info --json model.safetensors\n"
    "  soundstyle info rain.ogg\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc != 2)
    {
      g_set_error_literal (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           argc < 2 ? "no model file given; see soundstyle info --help"
                                    : "info takes one model file; see soundstyle info --help");
      return soundstyle_cli_report_error (error);
    }

  if (!looks_like_model (argv[1]))
    return print_sound (argv[1], as_json);

  /* Loading checks every tensor against the config, so info also tells
   * whether the file is usable */
  if ((model = soundstyle_cli_load_model (argv[1], ADIS_DEVICE_CPU, &error)) == NULL)
    return soundstyle_cli_report_error (error);

  metadata = adis_model_dup_metadata_json (model);

  if (as_json)
    {
      g_print ("%s\n", metadata);
      return SOUNDSTYLE_EXIT_OK;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, metadata, -1, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autoptr(GError) bad = g_error_new (ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                                           "%s: metadata is not a JSON object", argv[1]);
      return soundstyle_cli_report_error (bad);
    }

  print_model (argv[1], model, json_node_get_object (root));
  return SOUNDSTYLE_EXIT_OK;
}
