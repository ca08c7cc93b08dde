/* soundstyle-batch.h: Restyle Photos…, many photos with the current settings
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "adis.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_BATCH (soundstyle_batch_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleBatch, soundstyle_batch, SOUNDSTYLE, BATCH, GObject)

/* The settings are copied (sounds, model and mask are immutable): changes
 * in the window after this do not reach a running batch. mask may be NULL
 * (whole photos); otherwise it is scaled to each photo. */
SoundstyleBatch *soundstyle_batch_new            (GPtrArray       *photo_paths,
                                                  const char      *folder,
                                                  AdisModel       *model,
                                                  AdisSound       *a,
                                                  double           gain_a,
                                                  AdisSound       *b,
                                                  double           gain_b,
                                                  double           mix,
                                                  AdisMask        *mask);

/* Runs in a thread; progress comes as property notifications on the
 * calling thread's main context, the end as ::finished */
void             soundstyle_batch_start          (SoundstyleBatch *self);
/* Stops after the photo in hand; no partial file is left */
void             soundstyle_batch_cancel         (SoundstyleBatch *self);

guint            soundstyle_batch_get_n_photos   (SoundstyleBatch *self);
guint            soundstyle_batch_get_n_done     (SoundstyleBatch *self);
double           soundstyle_batch_get_fraction   (SoundstyleBatch *self);
/* Seconds left, from the pace so far; negative until a photo is done */
double           soundstyle_batch_get_eta        (SoundstyleBatch *self);
gboolean         soundstyle_batch_get_running    (SoundstyleBatch *self);
gboolean         soundstyle_batch_get_cancelled  (SoundstyleBatch *self);
const char      *soundstyle_batch_get_folder     (SoundstyleBatch *self);
/* The files written, full paths in order */
GPtrArray       *soundstyle_batch_get_written    (SoundstyleBatch *self);
/* "name: reason" for each photo that could not be restyled */
GPtrArray       *soundstyle_batch_get_failures   (SoundstyleBatch *self);

/* Where photo_path's result goes in folder: NAME-restyled.EXT (JPEG stays
 * JPEG, anything else becomes PNG), numbered NAME-restyled-2.EXT, ... past
 * names taken; n counts from 1 */
char            *soundstyle_batch_output_name    (const char      *folder,
                                                  const char      *photo_path,
                                                  guint            n);

G_END_DECLS
