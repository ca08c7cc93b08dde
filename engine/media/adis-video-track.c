/* adis-video-track.c: one decoding stream of a video (the reader's frames
 * and its sound each have their own), and FFmpeg's errors and log
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "adis-video-private.h"

/* A stream that keeps failing is corrupt, not merely damaged in places */
#define MAX_BAD_PACKETS     64

gboolean
adis_video_fail_av (GError     **error,
                    const char  *path,
                    const char  *what,
                    int          av_error)
{
  char text[AV_ERROR_MAX_STRING_SIZE] = "";

  av_strerror (av_error, text, sizeof text);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: %s (%s)", path, what, text);
  return FALSE;
}

/* FFmpeg's own messages go to the debug log: errors reach the caller as
 * GErrors that name the file, and a library should not write to stderr */
static void
log_to_debug (void       *context,
              int         level,
              const char *format,
              va_list     args)
{
  g_autofree char *message = NULL;

  if (level > AV_LOG_WARNING)
    return;
  message = g_strdup_vprintf (format, args);
  g_debug ("ffmpeg: %s", g_strchomp (message));
}

void
adis_video_quiet_ffmpeg (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      av_log_set_callback (log_to_debug);
      g_once_init_leave (&once, 1);
    }
}

/* --- one decoding stream ------------------------------------------------- */

void
adis_video_track_clear (Track *track)
{
  avcodec_free_context (&track->codec);
  avformat_close_input (&track->format);
  av_packet_free (&track->packet);
  av_frame_free (&track->frame);
}

gboolean
adis_video_track_open (Track               *track,
                       const char          *path,
                       enum AVMediaType     type,
                       GError             **error)
{
  const AVCodec *decoder = NULL;
  AVStream *stream;
  int ret;

  memset (track, 0, sizeof *track);
  ret = avformat_open_input (&track->format, path, NULL, NULL);
  if (ret < 0)
    return adis_video_fail_av (error, path, "not a video FFmpeg can read", ret);
  ret = avformat_find_stream_info (track->format, NULL);
  if (ret < 0)
    return adis_video_fail_av (error, path, "cannot read the streams", ret);

  ret = av_find_best_stream (track->format, type, -1, -1, &decoder, 0);
  if (ret < 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: %s", path,
                   type == AVMEDIA_TYPE_VIDEO ? "no video stream" : "no sound track");
      return FALSE;
    }
  track->stream = ret;
  stream = track->format->streams[ret];
  if (decoder == NULL)
    return adis_video_fail_av (error, path, "no decoder for the stream's codec", AVERROR_DECODER_NOT_FOUND);

  track->codec = avcodec_alloc_context3 (decoder);
  avcodec_parameters_to_context (track->codec, stream->codecpar);
  track->codec->pkt_timebase = stream->time_base;
  track->codec->thread_count = 0;
  ret = avcodec_open2 (track->codec, decoder, NULL);
  if (ret < 0)
    return adis_video_fail_av (error, path, "cannot open the decoder", ret);

  track->packet = av_packet_alloc ();
  track->frame = av_frame_alloc ();
  /* Time 0 is the first frame of the video; the sound keeps its offset
   * from it (an AAC track's priming starts a little before) */
  {
    AVStream *video = track->format->streams[MAX (0, av_find_best_stream (track->format, AVMEDIA_TYPE_VIDEO,
                                                                           -1, -1, NULL, 0))];

    if (video->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && video->start_time != AV_NOPTS_VALUE)
      track->origin = video->start_time * av_q2d (video->time_base);
    else if (track->format->start_time != AV_NOPTS_VALUE)
      track->origin = track->format->start_time / (double) AV_TIME_BASE;
  }
  return TRUE;
}

double
adis_video_track_frame_time (Track   *track,
                             AVFrame *frame)
{
  AVStream *stream = track->format->streams[track->stream];
  int64_t ts = frame->best_effort_timestamp;

  if (ts == AV_NOPTS_VALUE)
    ts = frame->pts;
  if (ts == AV_NOPTS_VALUE)
    return NAN;
  return ts * av_q2d (stream->time_base) - track->origin;
}

/* The next decoded frame into track->frame: 1, or 0 at the end */
int
adis_video_track_decode_next (Track       *track,
                              const char  *path,
                              GError     **error)
{
  for (;;)
    {
      int ret = avcodec_receive_frame (track->codec, track->frame);

      if (ret == 0)
        return 1;
      if (ret == AVERROR_EOF)
        return 0;
      if (ret != AVERROR (EAGAIN))
        {
          adis_video_fail_av (error, path, "decoding failed", ret);
          return -1;
        }
      if (track->draining)
        return 0;

      ret = av_read_frame (track->format, track->packet);
      if (ret < 0)
        {
          /* A file cut short ends where its data ends */
          if (ret != AVERROR_EOF)
            g_debug ("%s: reading stopped early: %s", path, av_err2str (ret));
          avcodec_send_packet (track->codec, NULL);
          track->draining = TRUE;
          continue;
        }
      if (track->packet->stream_index == track->stream)
        {
          ret = avcodec_send_packet (track->codec, track->packet);
          if (ret < 0 && ret != AVERROR (EAGAIN) && ++track->n_bad > MAX_BAD_PACKETS)
            {
              av_packet_unref (track->packet);
              adis_video_fail_av (error, path, "too many damaged packets", ret);
              return -1;
            }
        }
      av_packet_unref (track->packet);
    }
}

gboolean
adis_video_track_seek (Track       *track,
                       const char  *path,
                       double       seconds,
                       GError     **error)
{
  AVStream *stream = track->format->streams[track->stream];
  int64_t ts = (int64_t) floor ((MAX (seconds, 0.0) + track->origin) / av_q2d (stream->time_base));
  int ret;

  ret = avformat_seek_file (track->format, track->stream, INT64_MIN, ts, ts, 0);
  if (ret < 0)
    ret = av_seek_frame (track->format, track->stream, ts, AVSEEK_FLAG_BACKWARD);
  if (ret < 0)
    return adis_video_fail_av (error, path, "cannot seek", ret);
  avcodec_flush_buffers (track->codec);
  track->draining = FALSE;
  return TRUE;
}
