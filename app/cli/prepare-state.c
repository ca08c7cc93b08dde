/* prepare-state.c: DATASET/prepare-state.json
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>

#include "prepare-state.h"

#define STATE_FORMAT   "soundstyle-prepare-state"
#define STATE_VERSION  1
#define MAX_STEM       80

typedef struct
{
  char     *stem;
  gboolean  done;
  guint     n_clips;
} VideoEntry;

struct _PrepareState
{
  char            *path;
  PrepareSettings  settings;
  GHashTable      *videos;   /* canonical path -> VideoEntry* */
  GHashTable      *stems;    /* stems in use */
};

static void
video_entry_free (gpointer data)
{
  VideoEntry *entry = data;

  g_free (entry->stem);
  g_free (entry);
}

void
prepare_state_free (PrepareState *state)
{
  if (state == NULL)
    return;
  g_hash_table_unref (state->videos);
  g_hash_table_unref (state->stems);
  g_free (state->path);
  g_free (state);
}

/* Videos are known by their absolute path, whatever folder the command
 * runs from */
static char *
video_key (const char *video)
{
  return g_canonicalize_filename (video, NULL);
}

static JsonNode *
settings_to_json (const PrepareSettings *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, s->seed);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, s->size);
  json_builder_set_member_name (b, "crop");
  json_builder_add_boolean_value (b, s->crop);
  json_builder_set_member_name (b, "frames");
  json_builder_add_int_value (b, s->frames);
  json_builder_set_member_name (b, "clip_seconds");
  json_builder_add_double_value (b, s->clip_seconds);
  json_builder_set_member_name (b, "test_fraction");
  json_builder_add_double_value (b, s->test_fraction);
  json_builder_set_member_name (b, "silence_db");
  json_builder_add_double_value (b, s->silence_db);
  /* As text: JSON numbers lose 64-bit integers */
  json_builder_set_member_name (b, "seed");
  json_builder_add_string_value (b, seed);
  json_builder_set_member_name (b, "split_by");
  json_builder_add_string_value (b, s->split_by == ADIS_SPLIT_BY_SOURCE ? "video" : "clip");
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
save (PrepareState  *self,
      GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GList) keys = g_hash_table_get_keys (self->videos);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, STATE_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, STATE_VERSION);
  json_builder_set_member_name (b, "settings");
  json_builder_add_value (b, settings_to_json (&self->settings));
  json_builder_set_member_name (b, "videos");
  json_builder_begin_array (b);
  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      VideoEntry *entry = g_hash_table_lookup (self->videos, l->data);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, l->data);
      json_builder_set_member_name (b, "stem");
      json_builder_add_string_value (b, entry->stem);
      json_builder_set_member_name (b, "done");
      json_builder_add_boolean_value (b, entry->done);
      json_builder_set_member_name (b, "clips");
      json_builder_add_int_value (b, entry->n_clips);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return adis_write_file_atomic (self->path, text, strlen (text), error);
}

/* Names the first option that differs, in the words of --help */
static gboolean
check_settings (const char             *path,
                const PrepareSettings  *want,
                JsonObject             *have,
                GError                **error)
{
  g_autoptr(JsonNode) wanted_node = settings_to_json (want);
  JsonObject *wanted = json_node_get_object (wanted_node);
  static const char *names[] = {
    "size", "crop", "frames", "clip_seconds", "test_fraction", "silence_db", "seed", "split_by",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *a = json_object_get_member (wanted, names[i]);
      JsonNode *b = json_object_get_member (have, names[i]);
      g_autofree char *option = g_strdelimit (g_strdup (names[i]), "_", '-');

      if (b == NULL || !json_node_equal (a, b))
        {
          g_autofree char *was = b ? json_to_string (b, FALSE) : g_strdup ("nothing");

          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "%s: this dataset was prepared with --%s %s; use the same options "
                       "to add to it, or another --output", path, option, was);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load (PrepareState  *self,
      GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *videos;

  if (!json_parser_load_from_mapped_file (parser, self->path, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""), STATE_FORMAT) != 0 ||
      json_object_get_int_member_with_default (root, "version", 0) != STATE_VERSION ||
      !json_object_has_member (root, "settings") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "settings")) ||
      !json_object_has_member (root, "videos") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "videos")))
    goto bad;

  if (!check_settings (self->path, &self->settings,
                       json_object_get_object_member (root, "settings"), error))
    return FALSE;

  videos = json_object_get_array_member (root, "videos");
  for (guint i = 0; i < json_array_get_length (videos); i++)
    {
      JsonNode *node = json_array_get_element (videos, i);
      JsonObject *object;
      const char *path;
      const char *stem;
      VideoEntry *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto bad;
      object = json_node_get_object (node);
      path = json_object_get_string_member_with_default (object, "path", NULL);
      stem = json_object_get_string_member_with_default (object, "stem", NULL);
      if (path == NULL || !adis_clip_id_is_valid (stem) || strlen (stem) > MAX_STEM + 8 ||
          g_hash_table_contains (self->stems, stem))
        goto bad;
      entry = g_new0 (VideoEntry, 1);
      entry->stem = g_strdup (stem);
      entry->done = json_object_get_boolean_member_with_default (object, "done", FALSE);
      entry->n_clips = (guint) json_object_get_int_member_with_default (object, "clips", 0);
      g_hash_table_insert (self->videos, g_strdup (path), entry);
      g_hash_table_add (self->stems, entry->stem);
    }
  return TRUE;

bad:
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "%s: not a state file this Soundstyle wrote%s%s; remove it to start the dataset over",
               self->path, local_error ? ": " : "", local_error ? local_error->message : "");
  return FALSE;
}

PrepareState *
prepare_state_open (const char             *dataset_dir,
                    const PrepareSettings  *settings,
                    GError                **error)
{
  g_autoptr(PrepareState) self = g_new0 (PrepareState, 1);

  self->path = g_build_filename (dataset_dir, PREPARE_STATE_FILE, NULL);
  self->settings = *settings;
  self->videos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, video_entry_free);
  self->stems = g_hash_table_new (g_str_hash, g_str_equal);

  if (g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      if (!load (self, error))
        return NULL;
    }
  else if (!save (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
prepare_state_is_done (PrepareState *state,
                       const char   *video)
{
  g_autofree char *key = video_key (video);
  VideoEntry *entry = g_hash_table_lookup (state->videos, key);

  return entry != NULL && entry->done;
}

/* The file name without its extension, in clip-id characters */
static char *
make_stem (PrepareState *self,
           const char   *video)
{
  g_autofree char *base = g_path_get_basename (video);
  char *dot = strrchr (base, '.');
  GString *stem;
  g_autofree char *candidate = NULL;

  if (dot != NULL && dot != base)
    *dot = '\0';
  stem = g_string_new (NULL);
  for (const char *p = base; *p && stem->len < MAX_STEM; p++)
    g_string_append_c (stem, g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '_');
  if (stem->len == 0)
    g_string_append (stem, "video");

  /* Two videos of one name in different folders get -2, -3, ... */
  candidate = g_strdup (stem->str);
  for (guint n = 2; g_hash_table_contains (self->stems, candidate); n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s-%u", stem->str, n);
    }
  g_string_free (stem, TRUE);
  return g_steal_pointer (&candidate);
}

const char *
prepare_state_stem_for (PrepareState *state,
                        const char   *video)
{
  g_autofree char *key = video_key (video);
  VideoEntry *entry = g_hash_table_lookup (state->videos, key);
  g_autoptr(GError) error = NULL;

  if (entry != NULL)
    return entry->stem;

  entry = g_new0 (VideoEntry, 1);
  entry->stem = make_stem (state, video);
  g_hash_table_add (state->stems, entry->stem);
  g_hash_table_insert (state->videos, g_steal_pointer (&key), entry);
  /* If this fails the dataset is unwritable, which the first clip will say */
  if (!save (state, &error))
    g_debug ("%s", error->message);
  return entry->stem;
}

gboolean
prepare_state_mark_done (PrepareState  *state,
                         const char    *video,
                         guint          n_clips,
                         GError       **error)
{
  g_autofree char *key = video_key (video);
  VideoEntry *entry = g_hash_table_lookup (state->videos, key);

  g_return_val_if_fail (entry != NULL, FALSE);
  entry->done = TRUE;
  entry->n_clips += n_clips;
  return save (state, error);
}
