/* adis-manifest.h: the one prepared-dataset format, its reader and its writer
 *
 * SPDX-License-Identifier: MIT
 *
 * A prepared dataset is a folder (`prepare` and `synth` write it; `train`
 * and `eval` read it):
 *
 *   DATASET/manifest.tsv    the clips, one row each (below)
 *   DATASET/frames/         the frames (JPEG or PNG)
 *   DATASET/audio/          the clips' sound (16-kHz mono WAV, 3 s)
 *   DATASET/factors.tsv ... optional further tables keyed by clip_id
 *
 * manifest.tsv is UTF-8 text, tab-separated, '\n'-terminated lines:
 *
 *   #soundstyle-dataset<TAB>1
 *   clip_id<TAB>source<TAB>start<TAB>frames<TAB>audio<TAB>split<TAB>category
 *   ROW...
 *
 * clip_id: unique, 1-200 of [A-Za-z0-9._-]; source: the video or photo the
 * clip came from, as given; start: seconds into the source; frames: one or
 * more paths relative to DATASET separated by ';'; audio: a path relative to
 * DATASET; split: "train" or "test"; category: may be empty. Paths are
 * relative and never leave DATASET: no leading '/', no "." or ".." parts.
 */
#pragma once

#include "adis-types.h"

G_BEGIN_DECLS

#define ADIS_MANIFEST_FILE        "manifest.tsv"
#define ADIS_MANIFEST_MAGIC       "#soundstyle-dataset"
#define ADIS_MANIFEST_VERSION     1
#define ADIS_MANIFEST_HEADER      "clip_id\tsource\tstart\tframes\taudio\tsplit\tcategory"
#define ADIS_DATASET_FRAMES_DIR   "frames"
#define ADIS_DATASET_AUDIO_DIR    "audio"
#define ADIS_CLIP_ID_MAX          200
#define ADIS_CLIP_MAX_FRAMES      1024

typedef enum
{
  ADIS_SPLIT_TRAIN,
  ADIS_SPLIT_TEST,
  ADIS_SPLIT_ALL,   /* a selection only: no clip is in "all" */
} AdisSplit;

typedef enum
{
  ADIS_SPLIT_BY_CLIP,     /* each clip on its own */
  ADIS_SPLIT_BY_SOURCE,   /* all clips of a video on one side: nothing leaks */
} AdisSplitBy;

#define ADIS_DEFAULT_TEST_FRACTION 0.2

/* "train", "test" or "all" */
gboolean      adis_split_parse          (const char   *name,
                                         AdisSplit    *out_split,
                                         GError      **error);
const char   *adis_split_to_string      (AdisSplit     split);

/* The deterministic split: a hash of (seed, key) against test_fraction,
 * where key is the clip id or the source. The same inputs give the same
 * answer on every machine, and about test_fraction of keys go to test. */
AdisSplit     adis_split_choose         (AdisSplitBy   by,
                                         const char   *clip_id,
                                         const char   *source,
                                         guint64       seed,
                                         double        test_fraction);

/* One row. Paths are relative to the dataset folder. */
typedef struct
{
  char       *clip_id;
  char       *source;
  double      start;
  char      **frames;     /* NULL-terminated, at least one */
  char       *audio;
  AdisSplit   split;      /* ADIS_SPLIT_TRAIN or ADIS_SPLIT_TEST */
  char       *category;   /* "" when none */
} AdisClip;

/* Checks one row's fields as the reader would; the error names the field */
gboolean      adis_clip_validate        (const AdisClip *clip,
                                         GError        **error);
/* Path rule for frames and audio: relative, inside the dataset */
gboolean      adis_manifest_path_is_safe (const char   *path);
gboolean      adis_clip_id_is_valid     (const char   *clip_id);

/* --- reading ------------------------------------------------------------- */

typedef struct _AdisManifest AdisManifest;

/* Reads DATASET/manifest.tsv. Untrusted input: every line is checked, and
 * a bad one is ADIS_ERROR_INVALID_INPUT "FILE line N: what is wrong". */
AdisManifest   *adis_manifest_load        (const char    *dataset_dir,
                                           GError       **error);
/* The same rules on text in memory; name is used in messages */
AdisManifest   *adis_manifest_parse       (const char    *name,
                                           const char    *text,
                                           gsize          length,
                                           GError       **error);
AdisManifest   *adis_manifest_ref         (AdisManifest  *manifest);
void            adis_manifest_unref       (AdisManifest  *manifest);

guint           adis_manifest_get_n_clips (AdisManifest  *manifest);
/* Rows in file order */
const AdisClip *adis_manifest_get_clip    (AdisManifest  *manifest,
                                           guint          index);
/* The row's index, or -1 */
int             adis_manifest_find        (AdisManifest  *manifest,
                                           const char    *clip_id);

/* --- writing ------------------------------------------------------------- */

typedef struct _AdisManifestWriter AdisManifestWriter;

/* Creates DATASET (and frames/, audio/) or re-opens it to append: the rows
 * already there are kept and their ids stay taken. Only one writer at a
 * time per dataset (a second is refused). Rows go to a journal beside the
 * manifest and are folded into manifest.tsv (temporary file, fsync, rename)
 * from time to time and on close, so manifest.tsv is always whole; rows of
 * a run that was killed are recovered from the journal on the next open. */
AdisManifestWriter *adis_manifest_writer_open   (const char          *dataset_dir,
                                                 GError             **error);
/* Appends one row; call it after the clip's files are on disk (they are
 * checked). A taken id or a bad field is ADIS_ERROR_INVALID_INPUT. */
gboolean            adis_manifest_writer_add    (AdisManifestWriter  *writer,
                                                 const AdisClip      *clip,
                                                 GError             **error);
gboolean            adis_manifest_writer_has_clip (AdisManifestWriter *writer,
                                                 const char          *clip_id);
guint               adis_manifest_writer_get_n_clips (AdisManifestWriter *writer);
/* Folds the journal into manifest.tsv now */
gboolean            adis_manifest_writer_commit (AdisManifestWriter  *writer,
                                                 GError             **error);
/* Commits and releases the dataset; the writer is freed either way */
gboolean            adis_manifest_writer_close  (AdisManifestWriter  *writer,
                                                 GError             **error);
/* Frees without committing (the journal stays for the next open) */
void                adis_manifest_writer_free   (AdisManifestWriter  *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisManifest, adis_manifest_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisManifestWriter, adis_manifest_writer_free)

G_END_DECLS
