/* adis-video-private.h: what the video reader's parts (frames in
 * adis-video.c, sound in adis-video-sound.c) share with the decoding stream
 * in adis-video-track.c, and what the writer shares of FFmpeg's set-up
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "adis-video.h"

G_BEGIN_DECLS

/* Forward requests closer than this decode on rather than seek */
#define MAX_DECODE_AHEAD    5.0

/* Video and sound each get their own demuxer on the file, so that reading
 * one forward never throws away packets the other still needs. */
typedef struct
{
  AVFormatContext *format;
  AVCodecContext  *codec;
  AVPacket        *packet;
  AVFrame         *frame;
  int              stream;
  double           origin;      /* seconds: the video's start time in the file */
  gboolean         draining;    /* the demuxer is done; the decoder empties */
  guint            n_bad;
} Track;

struct _AdisVideo
{
  char              *path;
  double             duration;
  int                width;
  int                height;
  double             frame_rate;
  gboolean           has_audio;
  int                rotation;      /* clockwise degrees to show frames upright */

  Track              video;
  AVFrame           *current;       /* on screen at the last request */
  double             current_time;
  AVFrame           *ahead;         /* decoded, not yet on screen */
  double             ahead_time;
  gboolean           video_ended;
  struct SwsContext *sws;

  Track              audio;
  gboolean           audio_open;
  SwrContext        *swr;
  float             *fifo;          /* 16-kHz mono samples from fifo_start on */
  gsize              fifo_len;
  gsize              fifo_cap;
  gint64             fifo_start;    /* in samples at 16 kHz from the origin */
  gboolean           fifo_valid;
  gboolean           audio_ended;
};

/* A GError naming the file, FFmpeg's reason in brackets; returns FALSE */
gboolean adis_video_fail_av            (GError          **error,
                                        const char       *path,
                                        const char       *what,
                                        int               av_error);
/* FFmpeg's own messages to the debug log, once per process */
void     adis_video_quiet_ffmpeg       (void);

/* One demuxer and decoder on the file's best stream of the type; times are
 * seconds from the video's first frame */
gboolean adis_video_track_open         (Track            *track,
                                        const char       *path,
                                        enum AVMediaType  type,
                                        GError          **error);
void     adis_video_track_clear        (Track            *track);
double   adis_video_track_frame_time   (Track            *track,
                                        AVFrame          *frame);
/* The next decoded frame into track->frame: 1, 0 at the end, -1 on error */
int      adis_video_track_decode_next  (Track            *track,
                                        const char       *path,
                                        GError          **error);
gboolean adis_video_track_seek         (Track            *track,
                                        const char       *path,
                                        double            seconds,
                                        GError          **error);

G_END_DECLS
