/* video-style.h: the sound code each frame of `soundstyle video` gets
 *
 * SPDX-License-Identifier: MIT
 *
 * Without smoothing, frame t gets the code of the 3-s window centred on t.
 * Neighbouring windows differ by a few hundredths of a second of sound, yet
 * the encoder's output can jump between them, and every jump shows as
 * flicker. With smoothing (width S seconds), codes are computed at key
 * times every VIDEO_STYLE_KEY_SECONDS and frame t gets their average,
 * weighted by a triangle of base S centred on t: the style then drifts
 * with the sound instead of twitching, and far fewer windows are encoded.
 */
#pragma once

#include "adis.h"
#include "video-track.h"

G_BEGIN_DECLS

#define VIDEO_STYLE_KEY_SECONDS 0.25

typedef struct _VideoStyle VideoStyle;

/* smooth_seconds 0 turns smoothing off; the model and track must outlive it */
VideoStyle    *video_style_new       (AdisModel     *model,
                                      VideoTrack    *track,
                                      double         smooth_seconds);
void           video_style_free      (VideoStyle    *style);

/* The code for the frame shown at `seconds`. Times must not go back by
 * more than the smoothing width (keys behind are dropped). */
AdisSoundCode *video_style_code_at   (VideoStyle    *style,
                                      double         seconds,
                                      GCancellable  *cancellable,
                                      GError       **error);
/* 3-s windows encoded so far */
guint          video_style_get_n_encoded (VideoStyle *style);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VideoStyle, video_style_free)

G_END_DECLS
