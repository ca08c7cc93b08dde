/* adis-dataset.h: training sets and the threaded batch loader
 *
 * SPDX-License-Identifier: MIT
 *
 * A dataset is a list of items, each an image with the sound of the clip it
 * came from (and, for the keyword baseline, a category). Several on-disk
 * formats sit behind this one interface; today: a folder with images/ and
 * clips/ whose files pair up by name (images/a.jpg + clips/a.wav), with an
 * optional labels.tsv ("name<TAB>category" per line).
 */
#pragma once

#include "adis-types.h"
#include "adis-audio.h"
#include "adis-image.h"

G_BEGIN_DECLS

typedef struct _AdisDataset AdisDataset;

/* Finds the format from what is at path. A folder with no usable pair, an
 * image without its clip and so on are ADIS_ERROR_INVALID_INPUT naming the
 * offending file. */
AdisDataset  *adis_dataset_open             (const char   *path,
                                             GError      **error);
AdisDataset  *adis_dataset_ref              (AdisDataset  *dataset);
void          adis_dataset_unref            (AdisDataset  *dataset);

guint         adis_dataset_get_n_items      (AdisDataset  *dataset);
const char   *adis_dataset_get_path         (AdisDataset  *dataset);
const char   *adis_dataset_get_item_id      (AdisDataset  *dataset,
                                             guint         index);
/* Category names in labels.tsv order, NULL-terminated; NULL when unlabelled */
const char *const *adis_dataset_get_categories (AdisDataset *dataset);
/* Index into the categories, -1 when unlabelled */
int           adis_dataset_get_item_category (AdisDataset *dataset,
                                             guint         index);
AdisImage    *adis_dataset_load_image       (AdisDataset  *dataset,
                                             guint         index,
                                             GError      **error);
AdisSound    *adis_dataset_load_sound       (AdisDataset  *dataset,
                                             guint         index,
                                             GError      **error);

typedef struct
{
  int      batch_size;    /* 16 */
  int      load_size;     /* 286: resize to this, then random crop */
  int      crop_size;     /* 256 */
  gboolean augment;       /* TRUE: resize, random crop, random flip; FALSE: resize straight to crop_size */
  float    gain_augment;  /* 0: off; g > 0: each clip times a random gain in [1/(1+g), 1+g] */
  guint64  seed;          /* the same seed gives the same batches */
  int      n_workers;     /* decoding threads; 0 picks from the core count */
  int      queue_depth;   /* batches decoded ahead; 0 picks 4 */
} AdisLoaderOptions;

void          adis_loader_options_init      (AdisLoaderOptions *options);

/* One training batch, unpaired as in the reference: x[i] is any image;
 * y[i] is an image and wave_y[i] the clip of the same item. */
typedef struct
{
  int     n;            /* batch size */
  int     size;         /* crop size: images are [n, 3, size, size] */
  float  *x;            /* [n, 3, size, size] in [-1, 1] */
  float  *y;            /* [n, 3, size, size] in [-1, 1] */
  float  *wave_x;       /* [n, ADIS_CLIP_SAMPLES] x's own clip (the cycle ablation uses it) */
  float  *wave_y;       /* [n, ADIS_CLIP_SAMPLES] */
  int    *category_x;   /* [n], -1 when unlabelled */
  int    *category_y;   /* [n], -1 when unlabelled */
  guint  *index_x;      /* [n] dataset items used, for logs and tests */
  guint  *index_y;      /* [n] */
} AdisBatch;

void          adis_batch_free               (AdisBatch    *batch);

typedef struct _AdisLoader AdisLoader;

AdisLoader   *adis_loader_new               (AdisDataset             *dataset,
                                             const AdisLoaderOptions *options,
                                             GError                 **error);
void          adis_loader_free              (AdisLoader   *loader);
/* Batches are numbered from 0; batch k depends only on (seed, k, augment),
 * never on thread timing. Skips nothing silently: an item that fails to
 * decode is an error naming the file. */
AdisBatch    *adis_loader_next              (AdisLoader   *loader,
                                             GError      **error);
/* Jumps to batch number k (resume after a checkpoint) */
void          adis_loader_seek              (AdisLoader   *loader,
                                             guint64       batch_index);
/* The decay epochs resize straight to the crop size; takes effect from the
 * next batch number not yet handed out */
void          adis_loader_set_augment       (AdisLoader   *loader,
                                             gboolean      augment);
/* Batches handed out per second since creation, for benchmarks */
double        adis_loader_get_rate          (AdisLoader   *loader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisDataset, adis_dataset_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisBatch, adis_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisLoader, adis_loader_free)

G_END_DECLS
