/* eval-set.h: the held-out clips `soundstyle eval` measures on, and the
 * weather renderer (the oracle) that knows what each should look like
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-cli.h"
#include "eval-report.h"
#include "adis-synth.h"
#include "adis-manifest.h"

G_BEGIN_DECLS

typedef struct
{
  char       *clip_id;
  /* What the model restyles, at the evaluation size: on a synthetic set the
   * photo crop the clip's frames were rendered from; otherwise the clip's
   * first frame */
  AdisImage  *input;
  /* Synthetic: the clip's own sound. Otherwise another clip's, so that the
   * input and the sound are not a pair the model has seen together */
  AdisSound  *sound;
  int         category;     /* index into EvalSet.categories; -1 unknown */
  float       intensity;    /* NAN without factors */
  int         category_b;   /* the mixed-in category; -1 none */
  float       weight;       /* its share, 0 when pure */
  guint64     seed;         /* the renderer's seed for this clip */
  AdisImage  *oracle;       /* the renderer's image; NULL without factors */
  char       *photo;        /* factors.tsv's photo (photos/NAME.png); NULL without factors */
  /* The renderer's images of input for every category at each of
   * eval_oracle_intensities (adis_eval_oracle_grids); unmixed synthetic
   * clips only, else NULL */
  double     *oracle_grids;
  /* No train clip uses its recordings / its photo: 1 yes, 0 no, -1 the
   * set does not say (no factors, or a table without recordings) */
  int         new_recordings;
  int         new_photo;
} EvalClip;

/* The intensities the oracle-nearest figure renders each category at */
#define EVAL_N_ORACLE_INTENSITIES 3
extern const float eval_oracle_intensities[EVAL_N_ORACLE_INTENSITIES];   /* 0.2, 0.5, 0.8 */

/* A photo the detail figure restyles whole, at its own size */
typedef struct
{
  char     *name;        /* as factors.tsv names it */
  char     *path;        /* the file loaded: the original, else the set's copy */
  gboolean  original;    /* path is the original media.tsv records */
} EvalPhoto;

/* Two clips whose sounds are mixed: a pure clip of category a and one of b
 * (synthetic), or any two clips (b's category then read by the probe) */
typedef struct
{
  guint  clip_a;
  guint  clip_b;
} EvalPair;

typedef struct
{
  char       *path;
  gboolean    synthetic;     /* factors.tsv is there: the oracle knows each clip */
  char      **categories;    /* the renderer's categories: the probe's classes */
  int         n_categories;
  GPtrArray  *clips;         /* EvalClip, the test split, at most max_clips */
  GArray     *pairs;         /* EvalPair */
  guint       n_test;        /* test clips in the manifest */
  int        *synth_category; /* the renderer's category of each class */
  /* The detail figure: the held-out photos, whole, and per class the clip
   * whose sound restyles them (-1: no unmixed clip of that class) */
  GPtrArray  *detail_photos; /* EvalPhoto */
  int        *detail_clip;
  char       *detail_note;   /* what the photos are, when not the held-out originals */
} EvalSet;

/* Reads DATASET's manifest (and factors.tsv when there), keeps the test
 * split (max_clips of it, chosen by seed), loads inputs and sounds, and
 * renders the oracle's images. A missing manifest, a set without a test
 * split or an unreadable file is ADIS_ERROR_INVALID_INPUT naming it. */
EvalSet    *eval_set_load            (const char    *dataset,
                                      int            size,
                                      int            max_clips,
                                      guint64        seed,
                                      EvalProgress  *progress,
                                      GCancellable  *cancellable,
                                      GError       **error);
void        eval_set_free            (EvalSet       *set);

/* The oracle: input restyled as the factors say */
AdisImage  *eval_set_render          (EvalSet       *set,
                                      AdisImage     *input,
                                      int            category,
                                      float          intensity,
                                      int            category_b,
                                      float          weight,
                                      guint64        seed,
                                      GError       **error);
/* -1 when the renderer has no such category */
int         eval_set_find_category   (EvalSet       *set,
                                      const char    *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalSet, eval_set_free)

G_END_DECLS
