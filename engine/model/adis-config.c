/* adis-config.c: model shapes, their presets, and their JSON form
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>

#include "adis-config.h"

typedef struct
{
  const char *name;
  int         ngf;
  int         ndf;
  int         n_blocks;
  int         audio_width;
  int         embed_dim;
  int         mlp_dim;
} Preset;

/* "paper" is the published model number for number. "desktop" halves the
 * widths and keeps 6 blocks: about 4x fewer MACs, for CPU inference.
 * "compact" quarters the widths and keeps 4 blocks, about 25x fewer MACs:
 * the size a 2-core CPU can train in an afternoon and restyle at slider
 * speed (the shipped default model). "tiny" exists so tests can train in
 * seconds. The embedding is kept at 4 ngf so
 * the decoder input is always twice the bottleneck, as in the paper. */
static const Preset presets[] = {
  { "paper",   64, 64, 9, 64, 256, 256 },
  { "desktop", 32, 64, 6, 32, 128, 256 },
  { "compact", 16, 32, 4, 16,  64, 128 },
  { "tiny",     8,  8, 2,  8,  32,  32 },
};

static const char *preset_names[] = { "paper", "desktop", "compact", "tiny", NULL };

const char *const *
adis_config_list_presets (void)
{
  return preset_names;
}

gboolean
adis_config_init_preset (AdisConfig  *config,
                         const char  *preset,
                         GError     **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      const Preset *p = &presets[i];

      if (g_strcmp0 (p->name, preset) != 0)
        continue;

      memset (config, 0, sizeof *config);
      g_strlcpy (config->preset, p->name, sizeof config->preset);
      config->ngf = p->ngf;
      config->ndf = p->ndf;
      config->n_blocks = p->n_blocks;
      config->audio_width = p->audio_width;
      config->embed_dim = p->embed_dim;
      config->mlp_dim = p->mlp_dim;
      config->conditioning = ADIS_CONDITIONING_AUDIO;
      return TRUE;
    }

  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "Unknown preset “%s”: use paper, desktop, compact or tiny", preset ? preset : "");
  return FALSE;
}

void
adis_config_copy (AdisConfig       *dest,
                  const AdisConfig *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  if (dest == src)
    return;
  *dest = *src;
  dest->keywords = g_strdupv (src->keywords);
}

void
adis_config_clear (AdisConfig *config)
{
  g_clear_pointer (&config->keywords, g_strfreev);
}

int
adis_config_nce_layers (const AdisConfig *config,
                        int               layers[ADIS_MAX_NCE_LAYERS])
{
  /* Input pixels, the two down-sampling convs, residual blocks 1 and 5
   * (or the last block when there are fewer). */
  int last_block = MIN (config->n_blocks, 5);

  layers[0] = 0;
  layers[1] = 4;
  layers[2] = 8;
  layers[3] = 12;
  if (last_block <= 1)
    return 4;
  layers[4] = 12 + last_block - 1;
  return 5;
}

void
adis_config_use_grid_head (AdisConfig *config)
{
  /* 16-px cells and 8 bins: the measured prototype's (docs/grid-head-notes
   * in the project's notes); an overlay at half the working size beat a
   * quarter by about 3 dB on heavy rain */
  config->head = ADIS_HEAD_GRID;
  config->grid.grid_cell = 16;
  config->grid.bins = 8;
  config->grid.overlay_cell = 2;
  config->grid.guide_knots = 16;
  config->grid.working_size = 256;
}

static gboolean
check_range (const char  *field,
             int          value,
             int          min,
             int          max,
             GError     **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "Model config: %s is %d, expected %d to %d", field, value, min, max);
  return FALSE;
}

gboolean
adis_config_validate (const AdisConfig  *config,
                      GError           **error)
{
  if (!check_range ("ngf", config->ngf, 1, 1024, error) ||
      !check_range ("ndf", config->ndf, 1, 1024, error) ||
      !check_range ("n_blocks", config->n_blocks, 1, 64, error) ||
      !check_range ("audio_width", config->audio_width, 1, 1024, error) ||
      !check_range ("embed_dim", config->embed_dim, 1, 4096, error) ||
      !check_range ("mlp_dim", config->mlp_dim, 1, 4096, error))
    return FALSE;

  /* The decoder halves the fused width twice */
  if ((4 * config->ngf + config->embed_dim) % 4 != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Model config: 4 ngf + embed_dim (%d) must be a multiple of 4",
                   4 * config->ngf + config->embed_dim);
      return FALSE;
    }

  if (config->head == ADIS_HEAD_GRID)
    {
      const AdisGridHead *g = &config->grid;

      if (g->grid_cell != 8 && g->grid_cell != 16 && g->grid_cell != 32)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "Model config: grid_cell is %d, expected 8, 16 or 32", g->grid_cell);
          return FALSE;
        }
      if (g->overlay_cell != 2 && g->overlay_cell != 4)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "Model config: overlay_cell is %d, expected 2 or 4", g->overlay_cell);
          return FALSE;
        }
      if (!check_range ("bins", g->bins, 2, 32, error) ||
          !check_range ("guide_knots", g->guide_knots, 2, 64, error) ||
          !check_range ("working_size", g->working_size, 64, 2048, error))
        return FALSE;
    }
  else if (config->head != ADIS_HEAD_PIXELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Model config: unknown head %d", config->head);
      return FALSE;
    }

  if (config->conditioning == ADIS_CONDITIONING_KEYWORD)
    {
      if (!check_range ("n_keywords", config->n_keywords, 1, 10000, error))
        return FALSE;
      if (config->keywords == NULL || (int) g_strv_length (config->keywords) != config->n_keywords)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "Model config: keyword mode needs %d keyword names", config->n_keywords);
          return FALSE;
        }
    }
  else if (config->conditioning != ADIS_CONDITIONING_AUDIO)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Model config: unknown conditioning %d", config->conditioning);
      return FALSE;
    }

  return TRUE;
}

JsonObject *
adis_config_to_json (const AdisConfig *config)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "preset", config->preset);
  json_object_set_int_member (object, "ngf", config->ngf);
  json_object_set_int_member (object, "ndf", config->ndf);
  json_object_set_int_member (object, "n_blocks", config->n_blocks);
  json_object_set_int_member (object, "audio_width", config->audio_width);
  json_object_set_int_member (object, "embed_dim", config->embed_dim);
  json_object_set_int_member (object, "mlp_dim", config->mlp_dim);
  json_object_set_string_member (object, "conditioning",
                                 config->conditioning == ADIS_CONDITIONING_KEYWORD ? "keyword" : "audio");
  if (config->conditioning == ADIS_CONDITIONING_KEYWORD)
    {
      JsonArray *array = json_array_new ();

      for (int i = 0; i < config->n_keywords; i++)
        json_array_add_string_element (array, config->keywords[i]);
      json_object_set_array_member (object, "keywords", array);
    }
  /* Written only when set, so every other model's config stays as it was */
  if (config->audio_film)
    json_object_set_boolean_member (object, "audio_film", TRUE);
  if (config->audio_level)
    json_object_set_boolean_member (object, "audio_level", TRUE);
  if (config->head == ADIS_HEAD_GRID)
    {
      JsonObject *head = json_object_new ();

      json_object_set_string_member (head, "kind", "grid");
      json_object_set_int_member (head, "grid_cell", config->grid.grid_cell);
      json_object_set_int_member (head, "bins", config->grid.bins);
      json_object_set_int_member (head, "overlay_cell", config->grid.overlay_cell);
      json_object_set_int_member (head, "guide_knots", config->grid.guide_knots);
      json_object_set_int_member (head, "working_size", config->grid.working_size);
      /* Written only when set: models without the layer keep their config */
      if (config->grid.rain_streaks)
        json_object_set_boolean_member (head, "rain_streaks", TRUE);
      json_object_set_object_member (object, "head", head);
    }

  return object;
}

/* The file is untrusted: every member is checked for its type before it is
 * read, since json-glib's getters only warn about the wrong one */
static gboolean
read_int (JsonObject  *object,
          const char  *member,
          int         *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Model config: “%s” is missing or not an integer", member);
      return FALSE;
    }
  /* Out-of-range values must not wrap into plausible ones */
  value = json_node_get_int (node);
  *out = (int) CLAMP (value, G_MININT, G_MAXINT);
  return TRUE;
}

/* A string member, fallback when absent; NULL (and an error) when it is
 * something else */
static const char *
read_string (JsonObject  *object,
             const char  *member,
             const char  *fallback,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Model config: “%s” is not a string", member);
      return NULL;
    }
  return json_node_get_string (node);
}

/* A boolean member that is FALSE when absent (the switches beyond the
 * paper, written only when set) */
static gboolean
read_switch (JsonObject  *object,
             const char  *member,
             gboolean    *out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      *out = FALSE;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Model config: “%s” is not true or false", member);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* "head": {"kind": "grid", ...}; absent in pixel-decoder models */
static gboolean
read_head (JsonObject  *object,
           AdisConfig  *config,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, "head");
  JsonObject *head;
  const char *kind;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE, "Model config: “head” is not an object");
      return FALSE;
    }
  head = json_node_get_object (node);
  if ((kind = read_string (head, "kind", NULL, error)) == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE, "Model config: the head has no “kind”");
      return FALSE;
    }
  if (g_strcmp0 (kind, "pixels") == 0)
    {
      config->head = ADIS_HEAD_PIXELS;
      return TRUE;
    }
  if (g_strcmp0 (kind, "grid") != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Model config: unknown head “%s” (a newer Soundstyle may know it)", kind);
      return FALSE;
    }
  config->head = ADIS_HEAD_GRID;
  if (!read_int (head, "grid_cell", &config->grid.grid_cell, error) ||
      !read_int (head, "bins", &config->grid.bins, error) ||
      !read_int (head, "overlay_cell", &config->grid.overlay_cell, error) ||
      !read_int (head, "guide_knots", &config->grid.guide_knots, error) ||
      !read_int (head, "working_size", &config->grid.working_size, error))
    return FALSE;
  return read_switch (head, "rain_streaks", &config->grid.rain_streaks, error);
}

gboolean
adis_config_from_json (AdisConfig  *config,
                       JsonObject  *object,
                       GError     **error)
{
  AdisConfig parsed = { 0 };
  const char *preset;
  const char *conditioning;

  g_return_val_if_fail (config != NULL && object != NULL, FALSE);

  if ((preset = read_string (object, "preset", "custom", error)) == NULL)
    return FALSE;
  g_strlcpy (parsed.preset, preset, sizeof parsed.preset);

  if (!read_int (object, "ngf", &parsed.ngf, error) ||
      !read_int (object, "ndf", &parsed.ndf, error) ||
      !read_int (object, "n_blocks", &parsed.n_blocks, error) ||
      !read_int (object, "audio_width", &parsed.audio_width, error) ||
      !read_int (object, "embed_dim", &parsed.embed_dim, error) ||
      !read_int (object, "mlp_dim", &parsed.mlp_dim, error))
    return FALSE;

  if ((conditioning = read_string (object, "conditioning", "audio", error)) == NULL)
    return FALSE;
  if (g_strcmp0 (conditioning, "keyword") == 0)
    {
      JsonArray *array;
      guint n;

      if (!json_object_has_member (object, "keywords") ||
          JSON_NODE_TYPE (json_object_get_member (object, "keywords")) != JSON_NODE_ARRAY)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "Model config: keyword mode without a “keywords” list");
          return FALSE;
        }
      array = json_object_get_array_member (object, "keywords");
      n = json_array_get_length (array);
      parsed.conditioning = ADIS_CONDITIONING_KEYWORD;
      parsed.n_keywords = (int) n;
      parsed.keywords = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *word = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (word) || json_node_get_value_type (word) != G_TYPE_STRING)
            {
              g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                           "Model config: keyword %u is not a string", i + 1);
              adis_config_clear (&parsed);
              return FALSE;
            }
          parsed.keywords[i] = g_strdup (json_node_get_string (word));
        }
    }
  else if (g_strcmp0 (conditioning, "audio") == 0)
    parsed.conditioning = ADIS_CONDITIONING_AUDIO;
  else
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Model config: unknown conditioning “%s”", conditioning);
      return FALSE;
    }

  if (!read_switch (object, "audio_film", &parsed.audio_film, error) ||
      !read_switch (object, "audio_level", &parsed.audio_level, error))
    {
      adis_config_clear (&parsed);
      return FALSE;
    }

  if (json_object_has_member (object, "head") && !read_head (object, &parsed, error))
    {
      adis_config_clear (&parsed);
      return FALSE;
    }

  if (!adis_config_validate (&parsed, error))
    {
      adis_config_clear (&parsed);
      return FALSE;
    }

  *config = parsed;
  return TRUE;
}
