/* adis-synth-set-private.h: what the set builder's run (adis-synth-set.c)
 * and its setup (adis-synth-set-setup.c) share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-manifest.h"
#include "adis-synth.h"

G_BEGIN_DECLS

#define PHOTOS_DIR       "photos"

typedef struct
{
  char      *name;     /* photos/NAME.png, relative to the set */
  AdisImage *image;
} Photo;

/* Which split uses a photo or a recording */
typedef enum
{
  USE_TRAIN = 1 << ADIS_SPLIT_TRAIN,
  USE_TEST  = 1 << ADIS_SPLIT_TEST,
  USE_BOTH  = USE_TRAIN | USE_TEST,
} Use;

typedef struct
{
  const AdisSynthSetOptions *options;
  AdisSynthMedia   *media;
  char             *dir;
  GPtrArray        *photos;                 /* Photo * */
  GArray           *train_photos;           /* guint indices into photos */
  GArray           *test_photos;
  /* Per split (AdisSplit): the recordings it may use, and the categories
   * it has recordings for, which are the only ones its clips show */
  gboolean         *allowed[2];
  AdisSynthCategory categories[2][ADIS_SYNTH_N_CATEGORIES];
  int               n_categories[2];
  GCancellable     *cancellable;            /* the caller's, may be NULL */
  GCancellable     *stop;                   /* ours: set on the first error */
  GAsyncQueue      *finished;               /* Finished * */
} Build;

/* A resumed run's settings must be the ones it started with */
gboolean adis_synth_set_check_settings     (const Build  *build,
                                            GError      **error);
/* The photos, copied into the set at most PHOTO_MAX_SIDE long */
gboolean adis_synth_set_load_photos        (Build        *build,
                                            GError      **error);
void     adis_synth_set_split_photos       (Build        *build);
/* Which split may use each recording (use: one per recording) */
gboolean adis_synth_set_split_recordings   (Build        *build,
                                            Use          *use,
                                            GError      **error);
gboolean adis_synth_set_choose_split_media (Build        *build,
                                            const Use    *use,
                                            GError      **error);
/* media.tsv: where each photo and recording came from, and its split */
gboolean adis_synth_set_write_media_table  (Build        *build,
                                            const Use    *recording_use,
                                            GError      **error);

G_END_DECLS
