/* adis-dataset-private.h: what the dataset formats share inside the engine
 *
 * SPDX-License-Identifier: MIT
 *
 * A format recognises its layout and fills the dataset's item list; loading
 * is shared, because every format names plain image and sound files.
 */
#pragma once

#include "adis-dataset.h"

G_BEGIN_DECLS

typedef struct
{
  char   *id;
  char  **image_paths;   /* NULL-terminated, at least one: a clip's frames */
  char   *sound_path;
  int     category;      /* -1 when unlabelled */
} AdisDatasetItem;

typedef struct
{
  const char *name;
  gboolean  (*probe) (const char *path);
  /* Fills items (and categories) with the items of the split asked for */
  gboolean  (*open)  (AdisDataset *self, GError **error);
} AdisDatasetFormat;

struct _AdisDataset
{
  const AdisDatasetFormat *format;
  char                    *path;
  AdisSplit                split;
  GPtrArray               *items;        /* AdisDatasetItem* */
  GPtrArray               *categories;   /* char*, NULL-terminated; NULL when unlabelled */
  /* clip id -> AdisSynthClip*: how each clip's frame was made from an
   * unstyled photo, when the set knows it (soundstyle synth writes
   * factors.tsv); NULL otherwise */
  GHashTable              *inputs;
};

extern const AdisDatasetFormat adis_dataset_format_folder;
extern const AdisDatasetFormat adis_dataset_format_manifest;

AdisDatasetItem *adis_dataset_item_new  (const char *id,
                                         char      **image_paths,
                                         const char *sound_path,
                                         int         category);
void             adis_dataset_item_free (gpointer    data);

G_END_DECLS
