/* eval-model.h: one model measured on the held-out clips
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "eval-set.h"

G_BEGIN_DECLS

/* The volume sweep and the mix sweep every clip and pair goes through */
#define EVAL_N_GAINS   5
#define EVAL_N_WEIGHTS 5
extern const float eval_gains[EVAL_N_GAINS];       /* 0.25, 0.5, 1, 2, 4 */
extern const float eval_weights[EVAL_N_WEIGHTS];   /* 0, 0.25, 0.5, 0.75, 1 */
#define EVAL_UNIT_GAIN_INDEX 2

typedef struct
{
  const char  *role;       /* "model" or "baseline": names its images */
  EvalOutput  *output;     /* NULL: no images saved */
  guint        n_grid;     /* clips whose outputs are saved for the page */
  guint        n_grid_pairs;
  int          detail_size;  /* the detail photos' long side at most; 0: their own */
} EvalModelOptions;

/* Image names in the report, one scheme for the writer and the page */
char       *eval_image_name          (const char   *clip_id,
                                      const char   *role,
                                      const char   *what);

/* Measures model on set's clips: an audio model through the volume and mix
 * sweeps, a keyword model (the baseline) by each clip's category name; with
 * model NULL, the renderer itself through the same sweeps (a synthetic set
 * only): the ceiling each figure can reach with this probe.
 * Returns the metrics object (keys as in the README); the outputs at gain 1
 * are appended to outputs (for FID) when it is non-NULL. */
JsonObject *eval_model               (AdisModel              *model,
                                      EvalSet                *set,
                                      AdisProbe              *probe,
                                      const EvalModelOptions *options,
                                      GPtrArray              *outputs,
                                      EvalProgress           *progress,
                                      GCancellable           *cancellable,
                                      GError                **error);

G_END_DECLS
