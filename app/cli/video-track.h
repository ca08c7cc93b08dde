/* video-track.h: the edited soundtrack of `soundstyle video`
 *
 * SPDX-License-Identifier: MIT
 *
 * The soundtrack is the video's own (or a replacement), optionally blended
 * with a second sound and scaled by a gain: the paper's manipulation,
 * gain * ((1 - weight) * a + weight * b), applied to the whole track. It is
 * held as 16-kHz mono floats, the engine's rate; each frame's style comes
 * from the 3-s window of it centred on the frame.
 */
#pragma once

#include "adis.h"

G_BEGIN_DECLS

typedef struct
{
  float *samples;     /* 16 kHz mono, blended at gain 1, not clipped */
  gsize  n_samples;
  /* Applied to each window through adis_sound_mix, so that a model that
   * peak-normalises its sound (adis-model-input.h) normalises the
   * soundtrack as it is and applies the gain after */
  float  gain;
} VideoTrack;

/* n_samples of the edited track. audio_path replaces the video's own sound
 * (required when it has none); mix_path, when given, is blended in with
 * weight. Sounds shorter than the video are repeated, as the 3-s rule
 * repeats short clips. Errors name the file. */
VideoTrack *video_track_new          (AdisVideo    *video,
                                      const char   *audio_path,
                                      const char   *mix_path,
                                      double        gain,
                                      double        weight,
                                      gsize         n_samples,
                                      GError      **error);
void        video_track_free         (VideoTrack   *track);

/* The 3-s window centred on `seconds`, moved inside the track at its ends
 * so that every window is all sound (a track shorter than 3 s is repeated) */
AdisSound  *video_track_window       (VideoTrack   *track,
                                      double        seconds,
                                      GError      **error);

/* Samples [from, to) clipped to [-1, 1] for the file, in out */
void        video_track_copy_clipped (VideoTrack   *track,
                                      gsize         from,
                                      gsize         to,
                                      float        *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VideoTrack, video_track_free)

G_END_DECLS
