/* soundstyle-history.c: pictures made before, with the settings that made them
 *
 * SPDX-License-Identifier: MIT
 *
 * A folder under the user's data folder holds history.json (the entries,
 * newest first) and, per entry, a small PNG thumbnail and the mask when
 * there was one. The index is rewritten whole and atomically after each
 * change; at most SOUNDSTYLE_HISTORY_MAX_ENTRIES are kept, the oldest going
 * with their files. Sounds are kept by path: a recording, which exists only
 * in memory, is not kept.
 */
#define G_LOG_DOMAIN "soundstyle-history"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "soundstyle-history.h"

#define INDEX_NAME "history.json"
#define THUMBNAIL_SIDE 160

/* --- entries --------------------------------------------------------------- */

struct _SoundstyleHistoryEntry
{
  GObject  parent_instance;

  char    *id;
  char    *photo;
  char    *sound_a;
  char    *sound_b;
  double   gain_a;
  double   gain_b;
  double   mix;
  char    *model;
  char    *thumbnail;   /* full paths */
  char    *mask;
};

G_DEFINE_FINAL_TYPE (SoundstyleHistoryEntry, soundstyle_history_entry, G_TYPE_OBJECT)

static void
soundstyle_history_entry_finalize (GObject *object)
{
  SoundstyleHistoryEntry *self = SOUNDSTYLE_HISTORY_ENTRY (object);

  g_free (self->id);
  g_free (self->photo);
  g_free (self->sound_a);
  g_free (self->sound_b);
  g_free (self->model);
  g_free (self->thumbnail);
  g_free (self->mask);

  G_OBJECT_CLASS (soundstyle_history_entry_parent_class)->finalize (object);
}

static void
soundstyle_history_entry_class_init (SoundstyleHistoryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = soundstyle_history_entry_finalize;
}

static void
soundstyle_history_entry_init (SoundstyleHistoryEntry *self)
{
}

const char *soundstyle_history_entry_get_photo (SoundstyleHistoryEntry *self) { return self->photo; }
const char *soundstyle_history_entry_get_sound_a (SoundstyleHistoryEntry *self) { return self->sound_a; }
const char *soundstyle_history_entry_get_sound_b (SoundstyleHistoryEntry *self) { return self->sound_b; }
double soundstyle_history_entry_get_gain_a (SoundstyleHistoryEntry *self) { return self->gain_a; }
double soundstyle_history_entry_get_gain_b (SoundstyleHistoryEntry *self) { return self->gain_b; }
double soundstyle_history_entry_get_mix (SoundstyleHistoryEntry *self) { return self->mix; }
const char *soundstyle_history_entry_get_model (SoundstyleHistoryEntry *self) { return self->model; }
const char *soundstyle_history_entry_get_thumbnail (SoundstyleHistoryEntry *self) { return self->thumbnail; }
const char *soundstyle_history_entry_get_mask (SoundstyleHistoryEntry *self) { return self->mask; }

static const char *
base_or_none (const char *path,
              char      **owned)
{
  if (path == NULL)
    return _("none");
  *owned = g_path_get_basename (path);
  return *owned;
}

char *
soundstyle_history_entry_describe (SoundstyleHistoryEntry *self)
{
  g_autofree char *photo = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *model = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_HISTORY_ENTRY (self), NULL);

  /* Translators: a history entry's tooltip; the photo, sound A and its
   * volume, sound B and its volume, the mix, the model, and whether a
   * region was painted */
  return g_strdup_printf (_("%s\nA: %s ×%.2f\nB: %s ×%.2f\nMix: %.2f\nModel: %s\n%s"),
                          base_or_none (self->photo, &photo),
                          base_or_none (self->sound_a, &a), self->gain_a,
                          base_or_none (self->sound_b, &b), self->gain_b, self->mix,
                          base_or_none (self->model, &model),
                          self->mask != NULL ? _("Painted region") : _("Whole photo"));
}

/* --- the list -------------------------------------------------------------- */

struct _SoundstyleHistory
{
  GObject     parent_instance;

  char       *dir;
  GListStore *entries;
};

G_DEFINE_FINAL_TYPE (SoundstyleHistory, soundstyle_history, G_TYPE_OBJECT)

static void
soundstyle_history_finalize (GObject *object)
{
  SoundstyleHistory *self = SOUNDSTYLE_HISTORY (object);

  g_free (self->dir);
  g_clear_object (&self->entries);

  G_OBJECT_CLASS (soundstyle_history_parent_class)->finalize (object);
}

static void
soundstyle_history_class_init (SoundstyleHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = soundstyle_history_finalize;
}

static void
soundstyle_history_init (SoundstyleHistory *self)
{
  self->entries = g_list_store_new (SOUNDSTYLE_TYPE_HISTORY_ENTRY);
}

static char *
dup_member (JsonObject *object,
            const char *name)
{
  const char *value = json_object_get_string_member_with_default (object, name, NULL);

  return value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

/* A stored file's name, back to a path inside the folder; names with a
 * separator are refused, so an edited index cannot point elsewhere */
static char *
stored_path (SoundstyleHistory *self,
             const char        *name)
{
  if (name == NULL || name[0] == '\0' || name[0] == '.' || strchr (name, G_DIR_SEPARATOR) != NULL)
    return NULL;
  return g_build_filename (self->dir, name, NULL);
}

static void
load_index (SoundstyleHistory *self)
{
  g_autofree char *path = g_build_filename (self->dir, INDEX_NAME, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *array;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (!json_parser_load_from_file (parser, path, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_autofree char *aside = g_strconcat (path, ".damaged", NULL);

      g_warning ("%s cannot be read (%s); kept as %s, history starts empty",
                 path, error ? error->message : "not a list", aside);
      g_rename (path, aside);
      return;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      g_autoptr(SoundstyleHistoryEntry) entry = NULL;
      g_autofree char *thumbnail = NULL;
      g_autofree char *mask = NULL;

      if (object == NULL)
        continue;
      thumbnail = stored_path (self, json_object_get_string_member_with_default (object, "thumbnail", NULL));
      if (thumbnail == NULL || !g_file_test (thumbnail, G_FILE_TEST_IS_REGULAR))
        continue;
      mask = stored_path (self, json_object_get_string_member_with_default (object, "mask", NULL));

      entry = g_object_new (SOUNDSTYLE_TYPE_HISTORY_ENTRY, NULL);
      entry->id = dup_member (object, "id");
      entry->photo = dup_member (object, "photo");
      entry->sound_a = dup_member (object, "sound_a");
      entry->sound_b = dup_member (object, "sound_b");
      entry->gain_a = CLAMP (json_object_get_double_member_with_default (object, "gain_a", 1.0), 0.0, ADIS_MAX_GAIN);
      entry->gain_b = CLAMP (json_object_get_double_member_with_default (object, "gain_b", 1.0), 0.0, ADIS_MAX_GAIN);
      entry->mix = CLAMP (json_object_get_double_member_with_default (object, "mix", 0.0), 0.0, 1.0);
      entry->model = dup_member (object, "model");
      entry->thumbnail = g_steal_pointer (&thumbnail);
      entry->mask = g_steal_pointer (&mask);
      if (entry->id != NULL)
        g_list_store_append (self->entries, entry);
    }
}

static gboolean
save_index (SoundstyleHistory  *self,
            GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (self->dir, INDEX_NAME, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));

  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoundstyleHistoryEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->entries), i);
      g_autofree char *thumbnail = g_path_get_basename (entry->thumbnail);
      g_autofree char *mask = entry->mask ? g_path_get_basename (entry->mask) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, entry->id);
      json_builder_set_member_name (builder, "photo");
      json_builder_add_string_value (builder, entry->photo ? entry->photo : "");
      json_builder_set_member_name (builder, "sound_a");
      json_builder_add_string_value (builder, entry->sound_a ? entry->sound_a : "");
      json_builder_set_member_name (builder, "sound_b");
      json_builder_add_string_value (builder, entry->sound_b ? entry->sound_b : "");
      json_builder_set_member_name (builder, "gain_a");
      json_builder_add_double_value (builder, entry->gain_a);
      json_builder_set_member_name (builder, "gain_b");
      json_builder_add_double_value (builder, entry->gain_b);
      json_builder_set_member_name (builder, "mix");
      json_builder_add_double_value (builder, entry->mix);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, entry->model ? entry->model : "");
      json_builder_set_member_name (builder, "thumbnail");
      json_builder_add_string_value (builder, thumbnail);
      json_builder_set_member_name (builder, "mask");
      json_builder_add_string_value (builder, mask ? mask : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  /* g_file_set_contents writes a temporary file and renames it */
  return g_file_set_contents (path, text, -1, error);
}

static void
delete_files (SoundstyleHistoryEntry *entry)
{
  g_unlink (entry->thumbnail);
  if (entry->mask != NULL)
    g_unlink (entry->mask);
}

SoundstyleHistory *
soundstyle_history_new (const char *dir)
{
  SoundstyleHistory *self;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (SOUNDSTYLE_TYPE_HISTORY, NULL);
  self->dir = g_strdup (dir);
  load_index (self);
  return self;
}

GListModel *
soundstyle_history_get_model (SoundstyleHistory *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_HISTORY (self), NULL);

  return G_LIST_MODEL (self->entries);
}

gboolean
soundstyle_history_add (SoundstyleHistory  *self,
                        AdisImage          *picture,
                        const char         *photo,
                        const char         *sound_a,
                        const char         *sound_b,
                        double              gain_a,
                        double              gain_b,
                        double              mix,
                        const char         *model,
                        AdisMask           *mask,
                        GError            **error)
{
  static guint counter;
  g_autoptr(SoundstyleHistoryEntry) entry = NULL;
  g_autoptr(AdisImage) thumbnail = NULL;
  g_autofree char *name = NULL;
  int width, height;

  g_return_val_if_fail (SOUNDSTYLE_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (picture != NULL, FALSE);

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", self->dir, g_strerror (saved));
      return FALSE;
    }

  entry = g_object_new (SOUNDSTYLE_TYPE_HISTORY_ENTRY, NULL);
  entry->id = g_strdup_printf ("%" G_GINT64_FORMAT "-%u", g_get_real_time (), ++counter);
  entry->photo = g_strdup (photo);
  entry->sound_a = g_strdup (sound_a);
  entry->sound_b = g_strdup (sound_b);
  entry->gain_a = gain_a;
  entry->gain_b = gain_b;
  entry->mix = mix;
  entry->model = g_strdup (model);

  adis_image_size_for_long_side (adis_image_get_width (picture), adis_image_get_height (picture),
                                 THUMBNAIL_SIDE, &width, &height);
  thumbnail = adis_image_resize (picture, width, height);
  name = g_strdup_printf ("%s.png", entry->id);
  entry->thumbnail = g_build_filename (self->dir, name, NULL);
  if (!adis_image_save (thumbnail, entry->thumbnail, error))
    return FALSE;
  if (mask != NULL)
    {
      g_autofree char *mask_name = g_strdup_printf ("%s-mask.png", entry->id);

      entry->mask = g_build_filename (self->dir, mask_name, NULL);
      if (!adis_mask_save (mask, entry->mask, error))
        {
          g_unlink (entry->thumbnail);
          return FALSE;
        }
    }

  g_list_store_insert (self->entries, 0, entry);
  while (g_list_model_get_n_items (G_LIST_MODEL (self->entries)) > SOUNDSTYLE_HISTORY_MAX_ENTRIES)
    {
      guint last = g_list_model_get_n_items (G_LIST_MODEL (self->entries)) - 1;
      g_autoptr(SoundstyleHistoryEntry) oldest = g_list_model_get_item (G_LIST_MODEL (self->entries), last);

      delete_files (oldest);
      g_list_store_remove (self->entries, last);
    }
  return save_index (self, error);
}

gboolean
soundstyle_history_clear (SoundstyleHistory  *self,
                          GError            **error)
{
  g_autofree char *path = NULL;
  guint n;

  g_return_val_if_fail (SOUNDSTYLE_IS_HISTORY (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoundstyleHistoryEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->entries), i);

      delete_files (entry);
    }
  g_list_store_remove_all (self->entries);

  path = g_build_filename (self->dir, INDEX_NAME, NULL);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
