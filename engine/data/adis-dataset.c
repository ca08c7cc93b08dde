/* adis-dataset.c: training sets on disk, behind one small format table
 *
 * SPDX-License-Identifier: MIT
 *
 * The formats live in adis-dataset-folder.c (image + sound pairs) and
 * adis-dataset-manifest.c (prepared datasets); the threaded batch loader
 * in adis-loader.c.
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>

#include "adis-dataset-private.h"
#include "adis-synth.h"

/* Probed in order: a prepared dataset may also hold other folders */
static const AdisDatasetFormat *formats[] = {
  &adis_dataset_format_manifest,
  &adis_dataset_format_folder,
};

AdisDatasetItem *
adis_dataset_item_new (const char  *id,
                       char       **image_paths,
                       const char  *sound_path,
                       int          category)
{
  AdisDatasetItem *item = g_new0 (AdisDatasetItem, 1);

  g_assert (image_paths != NULL && image_paths[0] != NULL);

  item->id = g_strdup (id);
  item->image_paths = image_paths;
  item->sound_path = g_strdup (sound_path);
  item->category = category;
  return item;
}

void
adis_dataset_item_free (gpointer data)
{
  AdisDatasetItem *item = data;

  g_free (item->id);
  g_strfreev (item->image_paths);
  g_free (item->sound_path);
  g_free (item);
}

AdisDataset *
adis_dataset_open (const char  *path,
                   GError     **error)
{
  return adis_dataset_open_split (path, ADIS_SPLIT_TRAIN, error);
}

AdisDataset *
adis_dataset_open_split (const char  *path,
                         AdisSplit    split,
                         GError     **error)
{
  g_autoptr(AdisDataset) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (split == ADIS_SPLIT_TRAIN || split == ADIS_SPLIT_TEST ||
                        split == ADIS_SPLIT_ALL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Dataset “%s” does not exist", path);
      return NULL;
    }

  self = g_atomic_rc_box_new0 (AdisDataset);
  self->path = g_strdup (path);
  self->split = split;
  self->items = g_ptr_array_new_with_free_func (adis_dataset_item_free);

  for (guint i = 0; i < G_N_ELEMENTS (formats) && self->format == NULL; i++)
    if (formats[i]->probe (path))
      self->format = formats[i];

  if (self->format == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Dataset “%s”: not a known layout (expected a prepared dataset with "
                   "manifest.tsv, or a folder with images/ and clips/)", path);
      return NULL;
    }

  if (!self->format->open (self, error))
    {
      g_prefix_error (error, "Dataset “%s”: ", path);
      return NULL;
    }

  if (self->items->len == 0)
    {
      if (self->format == &adis_dataset_format_folder)
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                     "Dataset “%s” has no image and clip pairs", path);
      else
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                     "Dataset “%s” has no clips in the %s split", path, adis_split_to_string (split));
      return NULL;
    }

  return g_steal_pointer (&self);
}

static void
dataset_clear (gpointer data)
{
  AdisDataset *self = data;

  g_free (self->path);
  g_ptr_array_unref (self->items);
  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->inputs, g_hash_table_unref);
}

AdisDataset *
adis_dataset_ref (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return g_atomic_rc_box_acquire (dataset);
}

void
adis_dataset_unref (AdisDataset *dataset)
{
  g_return_if_fail (dataset != NULL);
  g_atomic_rc_box_release_full (dataset, dataset_clear);
}

guint
adis_dataset_get_n_items (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, 0);
  return dataset->items->len;
}

const char *
adis_dataset_get_path (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return dataset->path;
}

const char *
adis_dataset_get_format (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  return dataset->format->name;
}

AdisSplit
adis_dataset_get_split (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, ADIS_SPLIT_ALL);
  return dataset->split;
}

static AdisDatasetItem *
get_item (AdisDataset *dataset,
          guint        index)
{
  return g_ptr_array_index (dataset->items, index);
}

const char *
adis_dataset_get_item_id (AdisDataset *dataset,
                          guint        index)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (index < dataset->items->len, NULL);
  return get_item (dataset, index)->id;
}

guint
adis_dataset_get_item_n_frames (AdisDataset *dataset,
                                guint        index)
{
  g_return_val_if_fail (dataset != NULL, 0);
  g_return_val_if_fail (index < dataset->items->len, 0);
  return g_strv_length (get_item (dataset, index)->image_paths);
}

const char *const *
adis_dataset_get_categories (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  if (dataset->categories == NULL)
    return NULL;
  return (const char *const *) dataset->categories->pdata;
}

int
adis_dataset_get_item_category (AdisDataset *dataset,
                                guint        index)
{
  g_return_val_if_fail (dataset != NULL, -1);
  g_return_val_if_fail (index < dataset->items->len, -1);
  return get_item (dataset, index)->category;
}

AdisImage *
adis_dataset_load_image (AdisDataset  *dataset,
                         guint         index,
                         GError      **error)
{
  return adis_dataset_load_frame (dataset, index, 0, error);
}

AdisImage *
adis_dataset_load_frame (AdisDataset  *dataset,
                         guint         index,
                         guint         frame,
                         GError      **error)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (index < dataset->items->len, NULL);
  g_return_val_if_fail (frame < adis_dataset_get_item_n_frames (dataset, index), NULL);
  return adis_image_load (get_item (dataset, index)->image_paths[frame], error);
}

AdisSound *
adis_dataset_load_sound (AdisDataset  *dataset,
                         guint         index,
                         GError      **error)
{
  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (index < dataset->items->len, NULL);
  return adis_sound_load (get_item (dataset, index)->sound_path, error);
}

gboolean
adis_dataset_has_inputs (AdisDataset *dataset)
{
  g_return_val_if_fail (dataset != NULL, FALSE);
  return dataset->inputs != NULL;
}

/* The factors that made the item's frame, or NULL with an error */
static const AdisSynthClip *
lookup_input (AdisDataset  *dataset,
              guint         index,
              GError      **error)
{
  const AdisDatasetItem *item = get_item (dataset, index);
  const AdisSynthClip *clip = dataset->inputs != NULL ? g_hash_table_lookup (dataset->inputs, item->id) : NULL;

  if (clip == NULL)
    g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                 "Dataset “%s”: clip “%s” has no known unstyled input (only sets made by "
                 "soundstyle synth have one)", dataset->path, item->id);
  return clip;
}

AdisImage *
adis_dataset_load_input (AdisDataset  *dataset,
                         guint         index,
                         int           size,
                         GError      **error)
{
  const AdisSynthClip *clip;

  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (index < dataset->items->len, NULL);
  g_return_val_if_fail (size > 0, NULL);

  if ((clip = lookup_input (dataset, index, error)) == NULL)
    return NULL;
  return adis_synth_clip_load_input (dataset->path, clip, size, error);
}

AdisImage *
adis_dataset_render_input (AdisDataset  *dataset,
                           guint         index,
                           AdisImage    *input,
                           float         gain,
                           gboolean      with_streaks,
                           float        *out_streaks,
                           GError      **error)
{
  const AdisSynthClip *clip;
  AdisSynthFactors factors;

  g_return_val_if_fail (dataset != NULL, NULL);
  g_return_val_if_fail (index < dataset->items->len, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (gain > 0.f, NULL);

  if ((clip = lookup_input (dataset, index, error)) == NULL)
    return NULL;
  factors = clip->factors;
  factors.intensity = adis_synth_intensity_for_rms (adis_synth_rms_for_intensity (factors.intensity) * gain);
  if (out_streaks != NULL)
    *out_streaks = adis_synth_streak_strength (&factors);
  return adis_synth_render_layers (input, &factors, with_streaks, error);
}
