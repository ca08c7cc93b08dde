/* prepare-state.h: what `soundstyle prepare` remembers between runs
 *
 * SPDX-License-Identifier: MIT
 *
 * DATASET/prepare-state.json holds the options the dataset was made with
 * (a later run must use the same ones, or the dataset would mix two kinds
 * of clip) and, per video, the short name its clips are filed under and
 * whether it is finished. Written atomically after every change.
 */
#pragma once

#include "adis.h"

G_BEGIN_DECLS

#define PREPARE_STATE_FILE "prepare-state.json"

typedef struct
{
  int          size;
  gboolean     crop;
  int          frames;
  double       clip_seconds;
  double       test_fraction;
  double       silence_db;
  guint64      seed;
  AdisSplitBy  split_by;
} PrepareSettings;

typedef struct _PrepareState PrepareState;

/* Reads the state of dataset_dir, or starts one; settings that differ from
 * the dataset's are ADIS_ERROR_INVALID_INPUT naming the option */
PrepareState  *prepare_state_open       (const char             *dataset_dir,
                                         const PrepareSettings  *settings,
                                         GError                **error);
void           prepare_state_free       (PrepareState           *state);

gboolean       prepare_state_is_done    (PrepareState           *state,
                                         const char             *video);
/* The name the video's clips are filed under ([A-Za-z0-9._-], unique in
 * the dataset, the same on every run); remembered at once */
const char    *prepare_state_stem_for   (PrepareState           *state,
                                         const char             *video);
gboolean       prepare_state_mark_done  (PrepareState           *state,
                                         const char             *video,
                                         guint                   n_clips,
                                         GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PrepareState, prepare_state_free)

G_END_DECLS
