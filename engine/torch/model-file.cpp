// model-file.cpp: the inference model file: a safetensors file whose
// metadata holds the model's shape, checked before it is trusted, and its
// writer (model-file.h)
//
// SPDX-License-Identifier: MIT

#include "model-private.h"

#include <cmath>
#include <cstring>

namespace adis {

static bool
model_file_error (GError    **error,
                  const char *path,
                  const char *format,
                  ...) G_GNUC_PRINTF (3, 4);

static bool
model_file_error (GError    **error,
                  const char *path,
                  const char *format,
                  ...)
{
  va_list args;
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base = g_path_get_basename (path);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  // The format or sample rate a hostile file gives can hold line breaks
  line = adis_one_line_text (message);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE, "%s: %s", base, line);
  return false;
}

/* The metadata is untrusted: members are checked for their type before
 * they are read, since json-glib's getters only warn about the wrong one.
 * NULL when absent or not a string. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* fallback when absent, G_MININT64 when not an integer */
static gint64
int_member (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return G_MININT64;
  return json_node_get_int (node);
}

/* A lower bound on the weights the networks of a config hold: the
 * generator's residual blocks and decoder convs, the audio encoder's last
 * stage (or the keyword table). */
static gint64
config_min_weights (const AdisConfig &config)
{
  gint64 w4 = 4 * (gint64) config.ngf;
  gint64 c0 = w4 + config.embed_dim;
  gint64 g = config.n_blocks * 2 * 9 * w4 * w4 + 9 * c0 * (c0 / 2) + 9 * (c0 / 2) * (c0 / 4);
  gint64 a8 = 8 * (gint64) config.audio_width;

  if (config.conditioning == ADIS_CONDITIONING_KEYWORD)
    return g + (gint64) config.n_keywords * config.embed_dim;
  return g + 3 * 9 * a8 * a8 + a8 * config.embed_dim;
}

static bool
check_model_file_size (AdisTensorFile   *file,
                       const AdisConfig &config,
                       const char       *path,
                       GError          **error)
{
  gint64 held = 0;
  gint64 needed = config_min_weights (config);

  /* The config decides how much memory the networks take before a weight is
   * read: a file of a few hundred bytes claiming the widest config would
   * have tens of GB allocated for it. Every weight must be in the file, so
   * one holding fewer is refused before anything is built. */
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    held += (gint64) adis_tensor_file_get_tensor (file, i)->n_elements;
  if (held < needed)
    return model_file_error (error, path,
                             "it holds %" G_GINT64_FORMAT " weights but its config (%s) needs at least %"
                             G_GINT64_FORMAT " (truncated, or tensors missing)",
                             held, config.preset, needed);
  return true;
}

AdisTensorFile *
open_model_file (const char  *path,
                 AdisConfig  *config,
                 JsonObject **out_metadata,
                 GError     **error)
{
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *text;
  const char *format;
  gint64 version;

  file = adis_tensor_file_open (path, error);
  if (file == NULL)
    return NULL;

  text = adis_tensor_file_get_metadata (file, ADIS_MODEL_METADATA_KEY);
  if (text == NULL)
    {
      model_file_error (error, path, "not a Soundstyle model: it has no “%s” metadata",
                        ADIS_MODEL_METADATA_KEY);
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      model_file_error (error, path, "not a Soundstyle model: its metadata is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  format = string_member (object, "format");
  if (g_strcmp0 (format, ADIS_MODEL_FORMAT) != 0)
    {
      model_file_error (error, path, "not a Soundstyle model: its format is “%s”, not “%s”",
                        format ? format : "", ADIS_MODEL_FORMAT);
      return NULL;
    }

  version = int_member (object, "format_version", 0);
  if (version < 1 || version > ADIS_MODEL_FORMAT_VERSION)
    {
      model_file_error (error, path,
                        "format version %" G_GINT64_FORMAT " is not one this Soundstyle reads (1 to %d); "
                        "a newer Soundstyle may read it", version, ADIS_MODEL_FORMAT_VERSION);
      return NULL;
    }

  /* The audio rules are fixed by the engine; a file made for others would
   * give wrong embeddings silently */
  if (int_member (object, "sample_rate", ADIS_SAMPLE_RATE) != ADIS_SAMPLE_RATE ||
      int_member (object, "clip_samples", ADIS_CLIP_SAMPLES) != ADIS_CLIP_SAMPLES)
    {
      model_file_error (error, path, "made for audio other than %d Hz, %d samples",
                        ADIS_SAMPLE_RATE, ADIS_CLIP_SAMPLES);
      return NULL;
    }

  if (!json_object_has_member (object, "config") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "config")))
    {
      model_file_error (error, path, "its metadata has no “config” object");
      return NULL;
    }
  if (!adis_config_from_json (config, json_object_get_object_member (object, "config"), &local_error))
    {
      model_file_error (error, path, "%s", local_error->message);
      return NULL;
    }
  if (!check_model_file_size (file, *config, path, error))
    {
      adis_config_clear (config);
      return NULL;
    }

  if (out_metadata != NULL)
    *out_metadata = json_object_ref (object);
  return (AdisTensorFile *) g_steal_pointer (&file);
}

bool
load_model_tensors (AdisTensorFile    *file,
                    torch::nn::Module &G,
                    torch::nn::Module *A,
                    torch::nn::Module *K,
                    GError           **error)
{
  const char *cond = A != nullptr ? "A." : "K.";

  /* Anything outside G and the conditioning net is a foreign tensor */
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    {
      const char *name = adis_tensor_file_get_tensor (file, i)->name;

      if (!g_str_has_prefix (name, "G.") && !g_str_has_prefix (name, cond))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "the file has a tensor %s that the config does not have", name);
          return false;
        }
    }

  if (!load_module (G, file, "G.", error))
    return false;
  return load_module (A != nullptr ? *A : *K, file, cond, error);
}

bool
write_model_file (const char              *path,
                  const AdisConfig        &config,
                  const torch::nn::Module &G,
                  const torch::nn::Module *A,
                  const torch::nn::Module *K,
                  JsonObject              *training,
                  bool                     half_precision,
                  GError                 **error,
                  const AdisInputRules    *input)
{
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  JsonObject *input_json = input != nullptr ? adis_input_rules_to_json (input) : nullptr;
  g_autoptr(JsonObject) meta = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  AdisDType dtype = half_precision ? ADIS_DTYPE_F16 : ADIS_DTYPE_F32;

  save_module (G, writer, "G.", dtype);
  if (A != nullptr)
    save_module (*A, writer, "A.", dtype);
  if (K != nullptr)
    save_module (*K, writer, "K.", dtype);

  json_object_set_string_member (meta, "format", ADIS_MODEL_FORMAT);
  json_object_set_int_member (meta, "format_version",
                              config.head == ADIS_HEAD_GRID || input_json != nullptr ? 2 : 1);
  json_object_set_object_member (meta, "config", adis_config_to_json (&config));
  json_object_set_int_member (meta, "sample_rate", ADIS_SAMPLE_RATE);
  json_object_set_int_member (meta, "clip_samples", ADIS_CLIP_SAMPLES);
  json_object_set_string_member (meta, "dtype", adis_dtype_to_string (dtype));
  json_object_set_object_member (meta, "training", training ? training : json_object_new ());
  json_object_set_string_member (meta, "created", created);
  json_object_set_string_member (meta, "soundstyle_version", adis_version ());
  if (input_json != nullptr)
    json_object_set_object_member (meta, ADIS_MODEL_INPUT_KEY, input_json);

  json_node_set_object (node, meta);
  text = json_to_string (node, FALSE);
  adis_tensor_writer_set_metadata (writer, ADIS_MODEL_METADATA_KEY, text);
  return adis_tensor_writer_save (writer, path, error);
}

}  // namespace adis
