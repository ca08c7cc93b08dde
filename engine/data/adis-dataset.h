/* adis-dataset.h: training sets and the threaded batch loader
 *
 * SPDX-License-Identifier: MIT
 *
 * A dataset is a list of items, each a clip: one or more frames with the
 * sound they came with (and, for the keyword baseline, a category). Two
 * on-disk formats sit behind this one interface: a prepared dataset
 * (manifest.tsv, see adis-manifest.h), whose clips are split into train and
 * test, and a folder with images/ and clips/ whose files pair up by name
 * (images/a.jpg + clips/a.wav), with an optional labels.tsv
 * ("name<TAB>category" per line), whose pairs are all for training.
 */
#pragma once

#include "adis-types.h"
#include "adis-audio.h"
#include "adis-image.h"
#include "adis-manifest.h"

G_BEGIN_DECLS

typedef struct _AdisDataset AdisDataset;

/* Finds the format from what is at path and keeps the items of one split
 * (ADIS_SPLIT_ALL: every item). A folder with no usable pair, an image
 * without its clip, a manifest line that is wrong or names a missing file,
 * and an empty split are ADIS_ERROR_INVALID_INPUT naming the offending file. */
AdisDataset  *adis_dataset_open_split       (const char   *path,
                                             AdisSplit     split,
                                             GError      **error);
/* The training split: what a trainer wants */
AdisDataset  *adis_dataset_open             (const char   *path,
                                             GError      **error);
AdisDataset  *adis_dataset_ref              (AdisDataset  *dataset);
void          adis_dataset_unref            (AdisDataset  *dataset);

guint         adis_dataset_get_n_items      (AdisDataset  *dataset);
const char   *adis_dataset_get_path         (AdisDataset  *dataset);
/* "manifest" or "folder" */
const char   *adis_dataset_get_format       (AdisDataset  *dataset);
AdisSplit     adis_dataset_get_split        (AdisDataset  *dataset);
const char   *adis_dataset_get_item_id      (AdisDataset  *dataset,
                                             guint         index);
/* A clip's frames: the training loader picks one per use */
guint         adis_dataset_get_item_n_frames (AdisDataset *dataset,
                                             guint         index);
/* Category names (labels.tsv order; a manifest's sorted by name), NULL-terminated; NULL when unlabelled */
const char *const *adis_dataset_get_categories (AdisDataset *dataset);
/* Index into the categories, -1 when unlabelled */
int           adis_dataset_get_item_category (AdisDataset *dataset,
                                             guint         index);
/* The item's first frame */
AdisImage    *adis_dataset_load_image       (AdisDataset  *dataset,
                                             guint         index,
                                             GError      **error);
AdisImage    *adis_dataset_load_frame       (AdisDataset  *dataset,
                                             guint         index,
                                             guint         frame,
                                             GError      **error);
AdisSound    *adis_dataset_load_sound       (AdisDataset  *dataset,
                                             guint         index,
                                             GError      **error);
/* Whether every item's unstyled input is known (a set made by soundstyle
 * synth, whose factors.tsv says how each frame was rendered from a photo) */
gboolean      adis_dataset_has_inputs       (AdisDataset  *dataset);
/* The unstyled image whose render is the item's frame, size x size */
AdisImage    *adis_dataset_load_input       (AdisDataset  *dataset,
                                             guint         index,
                                             int           size,
                                             GError      **error);
/* The item's input (from adis_dataset_load_input) rendered as the item's
 * sound played at gain asks: the loudness law (adis-synth.h) moves the
 * intensity, clamped to [0, 1]. Gain 1 gives the item's own frame, up to
 * the frame file's JPEG coding. Without streaks, rain's streaks are left
 * out, and out_streaks (may be NULL) gets the strength they would have had
 * (adis_synth_streak_strength). */
AdisImage    *adis_dataset_render_input     (AdisDataset  *dataset,
                                             guint         index,
                                             AdisImage    *input,
                                             float         gain,
                                             gboolean      with_streaks,
                                             float        *out_streaks,
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
  gboolean paired;        /* FALSE: x and y from different items, as the paper trains;
                           TRUE: x is y's own unstyled input (adis_dataset_has_inputs) */
  gboolean media_augment; /* TRUE: adis-augment.h's waveform augmentations on every clip,
                           colour jitter on x, random crops of every image (with augment);
                           paired, the target is re-rendered from the jittered input at the
                           level the spread gives. FALSE (default here; the trainer's
                           default is TRUE): none of them, as the reference */
  gboolean streak_layer;  /* paired only: targets are drawn without rain's streaks, whose
                           strength goes in AdisBatch.streaks (the grid head's streak layer) */
} AdisLoaderOptions;

void          adis_loader_options_init      (AdisLoaderOptions *options);

/* One training batch, unpaired as in the reference: x[i] is any image;
 * y[i] is an image and wave_y[i] the clip of the same item. Of a clip with
 * several frames, one is drawn per use, as the reference samples a frame. */
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
  guint  *frame_x;      /* [n] which of the item's frames x[i] is */
  guint  *frame_y;      /* [n] */
  float  *streaks;      /* [n] with streak_layer: the strength of the rain streaks y's
                           target leaves out (adis_synth_streak_strength), else 0 */
} AdisBatch;

void          adis_batch_free               (AdisBatch    *batch);

typedef struct _AdisLoader AdisLoader;

AdisLoader   *adis_loader_new               (AdisDataset             *dataset,
                                             const AdisLoaderOptions *options,
                                             GError                 **error);
void          adis_loader_free              (AdisLoader   *loader);
/* Batches are numbered from 0; batch k depends only on the options (seed
 * among them), k and augment, never on thread timing. Skips nothing silently: an item that fails to
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
/* Decoded batches waiting to be handed out: never more than queue_depth */
guint         adis_loader_get_n_ready       (AdisLoader   *loader);
/* Seconds adis_loader_next has spent waiting for a batch to be decoded: the
 * time training lost to loading */
double        adis_loader_get_wait_seconds  (AdisLoader   *loader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisDataset, adis_dataset_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisBatch, adis_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisLoader, adis_loader_free)

G_END_DECLS
