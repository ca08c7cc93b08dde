/* adis-video.h: reading and writing videos through FFmpeg's libraries
 *
 * SPDX-License-Identifier: MIT
 *
 * Reading gives the frame shown at any time (exact to the frame) and the
 * sound track as 16-kHz mono floats, the engine's rate, with channels
 * averaged as adis-audio does. Requests that move forward decode forward;
 * going back seeks. Writing makes MP4 or MKV files (H.264 where FFmpeg has
 * it, else MPEG-4 part 2; AAC sound), for tests and for restyled videos.
 */
#pragma once

#include "adis-types.h"
#include "adis-image.h"

G_BEGIN_DECLS

/* --- reading ------------------------------------------------------------- */

typedef struct _AdisVideo AdisVideo;

/* Opens a file FFmpeg can demux. Not a video, corrupt, or no video stream:
 * ADIS_ERROR_INVALID_INPUT naming the file. A missing sound track is not an
 * error here (adis_video_has_audio says). Not thread-safe: one user at a time. */
AdisVideo    *adis_video_open              (const char   *path,
                                            GError      **error);
void          adis_video_free              (AdisVideo    *video);

const char   *adis_video_get_path          (AdisVideo    *video);
/* Seconds, from the container or the longest stream; 0 when unknown */
double        adis_video_get_duration      (AdisVideo    *video);
/* Frames as shown: a phone's portrait video, stored turned, is upright */
int           adis_video_get_width         (AdisVideo    *video);
int           adis_video_get_height        (AdisVideo    *video);
/* Clockwise degrees (0, 90, 180, 270) applied to the stored frames */
int           adis_video_get_rotation      (AdisVideo    *video);
/* Frames per second as the stream declares it (average), 0 when unknown */
double        adis_video_get_frame_rate    (AdisVideo    *video);
gboolean      adis_video_has_audio         (AdisVideo    *video);

/* The frame on screen at `seconds` from the start: the last frame whose
 * time is not after it. Past the last frame gives the last frame; a
 * decoding failure is ADIS_ERROR_INVALID_INPUT naming the file and time. */
AdisImage    *adis_video_read_frame        (AdisVideo    *video,
                                            double        seconds,
                                            GError      **error);

/* Fills out with n_samples of the sound track at 16 kHz mono from `seconds`
 * on. Where the track ends early the rest is zeros and *out_n_read says how
 * many samples were real. No sound track: ADIS_ERROR_INVALID_INPUT. */
gboolean      adis_video_read_audio        (AdisVideo    *video,
                                            double        seconds,
                                            float        *out,
                                            gsize         n_samples,
                                            gsize        *out_n_read,
                                            GError      **error);

/* --- writing ------------------------------------------------------------- */

typedef struct _AdisVideoWriter AdisVideoWriter;

/* The container follows path's extension (.mp4, .mkv, ...). Frames must be
 * width x height (even sizes); fps may be fractional (29.97). Sound, when
 * audio_rate > 0, is interleaved floats at audio_rate with audio_channels
 * channels. Written to a temporary file and renamed by
 * adis_video_writer_finish. */
AdisVideoWriter *adis_video_writer_new     (const char        *path,
                                            int                width,
                                            int                height,
                                            double             fps,
                                            int                audio_rate,
                                            int                audio_channels,
                                            GError           **error);
/* Marks the video to be shown turned clockwise by degrees (a multiple of
 * 90), as phones do; before the first frame */
gboolean      adis_video_writer_set_rotation (AdisVideoWriter *writer,
                                            int                degrees,
                                            GError           **error);
gboolean      adis_video_writer_add_frame  (AdisVideoWriter   *writer,
                                            AdisImage         *frame,
                                            GError           **error);
gboolean      adis_video_writer_add_audio  (AdisVideoWriter   *writer,
                                            const float       *interleaved,
                                            gsize              n_frames,
                                            GError           **error);
/* Flushes the encoders, writes the trailer and renames into place */
gboolean      adis_video_writer_finish     (AdisVideoWriter   *writer,
                                            GError           **error);
/* Frees; an unfinished file's temporary is removed */
void          adis_video_writer_free       (AdisVideoWriter   *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisVideo, adis_video_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisVideoWriter, adis_video_writer_free)

G_END_DECLS
