/* adis-dataset-folder.c: the simplest dataset, a folder of image + sound pairs
 *
 * SPDX-License-Identifier: MIT
 *
 * images/ and clips/ whose files pair up by name (images/a.jpg with
 * clips/a.wav), and an optional labels.tsv ("name<TAB>category" per line).
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <sndfile.h>

#include "adis-dataset-private.h"

static gboolean
folder_probe (const char *path)
{
  g_autofree char *images = g_build_filename (path, "images", NULL);
  g_autofree char *clips = g_build_filename (path, "clips", NULL);

  return g_file_test (images, G_FILE_TEST_IS_DIR) && g_file_test (clips, G_FILE_TEST_IS_DIR);
}

static GHashTable *
image_extensions (void)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GSList *formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_auto(GStrv) extensions = gdk_pixbuf_format_get_extensions (l->data);

      for (guint i = 0; extensions && extensions[i]; i++)
        g_hash_table_add (set, g_ascii_strdown (extensions[i], -1));
    }
  g_slist_free (formats);
  return set;
}

static GHashTable *
audio_extensions (void)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Common names libsndfile's own table does not list */
  static const char *aliases[] = { "wave", "aif", "oga", "opus", "mp3", "m4a", NULL };
  int count = 0;

  sf_command (NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
  for (int i = 0; i < count; i++)
    {
      SF_FORMAT_INFO info = { .format = i };

      if (sf_command (NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof info) == 0 && info.extension)
        g_hash_table_add (set, g_ascii_strdown (info.extension, -1));
    }
  for (guint i = 0; aliases[i]; i++)
    g_hash_table_add (set, g_strdup (aliases[i]));
  return set;
}

/* Lists dir/sub as stem -> relative path, refusing files of an unknown
 * kind and two files with one stem: both would otherwise be guesses. */
static GHashTable *
list_folder (const char  *root,
             const char  *sub,
             GHashTable  *extensions,
             const char  *kind,
             GError     **error)
{
  g_autoptr(GHashTable) stems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *dir_path = g_build_filename (root, sub, NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s", local_error->message);
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = g_build_filename (dir_path, name, NULL);
      g_autofree char *extension = NULL;
      g_autofree char *stem = NULL;
      const char *dot = strrchr (name, '.');
      const char *other;

      /* Hidden files are the file manager's, not the user's data */
      if (name[0] == '.' || g_file_test (full, G_FILE_TEST_IS_DIR))
        continue;

      extension = dot ? g_ascii_strdown (dot + 1, -1) : NULL;
      if (dot == NULL || dot == name || !g_hash_table_contains (extensions, extension))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "%s/%s: not a known %s file type", sub, name, kind);
          return NULL;
        }

      stem = g_strndup (name, dot - name);
      other = g_hash_table_lookup (stems, stem);
      if (other == NULL)
        {
          g_hash_table_insert (stems, g_steal_pointer (&stem), g_strdup (name));
          continue;
        }
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s/%s and %s/%s have the same name: keep one", sub, other, sub, name);
      return NULL;
    }

  return g_steal_pointer (&stems);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const AdisDatasetItem *ia = *(AdisDatasetItem * const *) a;
  const AdisDatasetItem *ib = *(AdisDatasetItem * const *) b;

  return strcmp (ia->id, ib->id);
}

static gboolean
folder_read_labels (AdisDataset  *self,
                    GHashTable   *by_id,
                    GError      **error)
{
  g_autofree char *labels_path = g_build_filename (self->path, "labels.tsv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) category_index = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_test (labels_path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!g_file_get_contents (labels_path, &contents, NULL, &local_error))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s", local_error->message);
      return FALSE;
    }
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "labels.tsv is not UTF-8 text");
      return FALSE;
    }

  self->categories = g_ptr_array_new_with_free_func (g_free);
  category_index = g_hash_table_new (g_str_hash, g_str_equal);
  lines = g_strsplit (contents, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      char *line = g_strchomp (lines[n]);
      g_auto(GStrv) fields = NULL;
      gpointer index;
      AdisDatasetItem *item;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      fields = g_strsplit (line, "\t", -1);
      if (g_strv_length (fields) != 2 || fields[0][0] == '\0' || fields[1][0] == '\0')
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "labels.tsv line %u: expected “name<TAB>category”", n + 1);
          return FALSE;
        }
      item = g_hash_table_lookup (by_id, fields[0]);
      if (item == NULL)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "labels.tsv line %u: no image and clip named “%s”", n + 1, fields[0]);
          return FALSE;
        }
      if (item->category >= 0)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "labels.tsv line %u: “%s” is labelled twice", n + 1, fields[0]);
          return FALSE;
        }
      if (!g_hash_table_lookup_extended (category_index, fields[1], NULL, &index))
        {
          index = GINT_TO_POINTER (self->categories->len);
          g_ptr_array_add (self->categories, g_strdup (fields[1]));
          g_hash_table_insert (category_index, g_ptr_array_index (self->categories, self->categories->len - 1), index);
        }
      item->category = GPOINTER_TO_INT (index);
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      AdisDatasetItem *item = g_ptr_array_index (self->items, i);

      if (item->category < 0)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "labels.tsv has no category for “%s”", item->id);
          return FALSE;
        }
    }

  g_ptr_array_add (self->categories, NULL);
  return TRUE;
}

static gboolean
folder_open (AdisDataset  *self,
             GError      **error)
{
  g_autoptr(GHashTable) image_types = image_extensions ();
  g_autoptr(GHashTable) audio_types = audio_extensions ();
  g_autoptr(GHashTable) images = NULL;
  g_autoptr(GHashTable) clips = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  GHashTableIter iter;
  gpointer key, value;

  /* Pairs carry no split: they are all for training */
  if (self->split == ADIS_SPLIT_TEST)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "a folder of image and sound pairs has no test split "
                   "(only prepared datasets with a manifest.tsv do)");
      return FALSE;
    }

  images = list_folder (self->path, "images", image_types, "image", error);
  if (images == NULL)
    return FALSE;
  clips = list_folder (self->path, "clips", audio_types, "audio", error);
  if (clips == NULL)
    return FALSE;

  by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, images);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *clip = g_hash_table_lookup (clips, key);
      AdisDatasetItem *item;

      if (clip == NULL)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "images/%s has no clip: expected clips/%s.wav (or another audio type)",
                       (const char *) value, (const char *) key);
          return FALSE;
        }
      {
        g_autofree char *sound_path = g_build_filename (self->path, "clips", clip, NULL);
        char **image_paths = g_new0 (char *, 2);

        image_paths[0] = g_build_filename (self->path, "images", value, NULL);
        item = adis_dataset_item_new (key, image_paths, sound_path, -1);
      }
      g_ptr_array_add (self->items, item);
      g_hash_table_insert (by_id, item->id, item);
    }

  g_hash_table_iter_init (&iter, clips);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (images, key))
      {
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                     "clips/%s has no image: expected images/%s.jpg (or another image type)",
                     (const char *) value, (const char *) key);
        return FALSE;
      }

  /* Directory order is the file system's whim; batches must not be */
  g_ptr_array_sort (self->items, compare_items);

  return folder_read_labels (self, by_id, error);
}

const AdisDatasetFormat adis_dataset_format_folder = {
  "folder", folder_probe, folder_open,
};
