/* adis-dataset-manifest.c: prepared datasets (manifest.tsv) as training sets
 *
 * SPDX-License-Identifier: MIT
 *
 * An item is a clip of the chosen split; its frames all stay available and
 * the loader draws one per use. Categories are gathered over the whole
 * manifest, not the split, so that a category has the same index in the
 * train and test splits.
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>

#include "adis-dataset-private.h"
#include "adis-synth.h"

static gboolean
manifest_probe (const char *path)
{
  g_autofree char *manifest = g_build_filename (path, ADIS_MANIFEST_FILE, NULL);

  return g_file_test (manifest, G_FILE_TEST_IS_REGULAR);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted category names, or NULL when no clip has one. Labelling only some
 * clips is refused: the keyword baseline could not use the others. */
static gboolean
gather_categories (AdisDataset   *self,
                   AdisManifest  *manifest,
                   GHashTable   **out_index,
                   GError       **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *unlabelled = NULL;
  guint n = adis_manifest_get_n_clips (manifest);

  for (guint i = 0; i < n; i++)
    {
      const AdisClip *clip = adis_manifest_get_clip (manifest, i);

      if (clip->category[0] == '\0')
        unlabelled = unlabelled ? unlabelled : clip->clip_id;
      else if (g_hash_table_add (seen, clip->category))
        g_ptr_array_add (names, clip->category);
    }

  *out_index = NULL;
  if (names->len == 0)
    return TRUE;
  if (unlabelled != NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: clip “%s” has no category while others have one; label all clips or none",
                   ADIS_MANIFEST_FILE, unlabelled);
      return FALSE;
    }

  g_ptr_array_sort (names, compare_names);
  self->categories = g_ptr_array_new_with_free_func (g_free);
  *out_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < names->len; i++)
    {
      g_ptr_array_add (self->categories, g_strdup (names->pdata[i]));
      g_hash_table_insert (*out_index, self->categories->pdata[i], GUINT_TO_POINTER (i));
    }
  g_ptr_array_add (self->categories, NULL);
  return TRUE;
}

/* Files are looked for now, so that a missing one is named at once rather
 * than hours into training */
static char *
existing_file (AdisDataset     *self,
               const AdisClip  *clip,
               const char      *relative,
               GError         **error)
{
  g_autofree char *path = g_build_filename (self->path, relative, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: clip “%s”: %s is missing", ADIS_MANIFEST_FILE, clip->clip_id, relative);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* A set made by soundstyle synth says in factors.tsv how each frame was
 * rendered from a photo. The inputs are kept only when every item has one,
 * so that a trainer asking for them never meets a gap mid-run. */
static gboolean
gather_inputs (AdisDataset  *self,
               GError      **error)
{
  g_autofree char *factors = g_build_filename (self->path, ADIS_SYNTH_FACTORS_FILE, NULL);
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GHashTable) inputs = NULL;

  if (!g_file_test (factors, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  clips = adis_synth_read_factors (self->path, error);
  if (clips == NULL)
    return FALSE;

  inputs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                  (GDestroyNotify) adis_synth_clip_free);
  for (guint i = 0; i < clips->len; i++)
    {
      AdisSynthClip *clip = clips->pdata[i];

      clips->pdata[i] = NULL;
      g_hash_table_replace (inputs, clip->clip_id, clip);
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      const AdisDatasetItem *item = self->items->pdata[i];

      if (!g_hash_table_contains (inputs, item->id))
        return TRUE;
    }
  self->inputs = g_steal_pointer (&inputs);
  return TRUE;
}

static gboolean
manifest_open (AdisDataset  *self,
               GError      **error)
{
  g_autoptr(AdisManifest) manifest = NULL;
  g_autoptr(GHashTable) category_index = NULL;
  guint n;

  manifest = adis_manifest_load (self->path, error);
  if (manifest == NULL)
    return FALSE;
  if (!gather_categories (self, manifest, &category_index, error))
    return FALSE;

  n = adis_manifest_get_n_clips (manifest);
  for (guint i = 0; i < n; i++)
    {
      const AdisClip *clip = adis_manifest_get_clip (manifest, i);
      g_autofree char *sound_path = NULL;
      g_auto(GStrv) image_paths = NULL;
      guint n_frames = g_strv_length (clip->frames);
      int category = -1;

      if (self->split != ADIS_SPLIT_ALL && clip->split != self->split)
        continue;

      sound_path = existing_file (self, clip, clip->audio, error);
      if (sound_path == NULL)
        return FALSE;
      image_paths = g_new0 (char *, n_frames + 1);
      for (guint f = 0; f < n_frames; f++)
        if ((image_paths[f] = existing_file (self, clip, clip->frames[f], error)) == NULL)
          return FALSE;
      if (category_index != NULL)
        category = GPOINTER_TO_INT (g_hash_table_lookup (category_index, clip->category));

      g_ptr_array_add (self->items, adis_dataset_item_new (clip->clip_id, g_steal_pointer (&image_paths),
                                                           sound_path, category));
    }
  return gather_inputs (self, error);
}

const AdisDatasetFormat adis_dataset_format_manifest = {
  "manifest", manifest_probe, manifest_open,
};
