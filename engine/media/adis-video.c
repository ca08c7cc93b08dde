/* adis-video.c: frames at exact times and 16-kHz mono sound from any video
 * FFmpeg reads, and a small MP4/MKV writer
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "adis-audio.h"
#include "adis-video.h"

/* Times within this of each other are the same instant (timestamps are
 * rationals; requests are doubles) */
#define TIME_EPSILON        1e-4
/* Forward requests closer than this decode on rather than seek */
#define MAX_DECODE_AHEAD    5.0
/* A stream that keeps failing is corrupt, not merely damaged in places */
#define MAX_BAD_PACKETS     64

static gboolean
fail_av (GError     **error,
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

static void
quiet_ffmpeg (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      av_log_set_callback (log_to_debug);
      g_once_init_leave (&once, 1);
    }
}

/* --- one decoding stream ------------------------------------------------- */

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

static void
track_clear (Track *track)
{
  avcodec_free_context (&track->codec);
  avformat_close_input (&track->format);
  av_packet_free (&track->packet);
  av_frame_free (&track->frame);
}

static gboolean
track_open (Track               *track,
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
    return fail_av (error, path, "not a video FFmpeg can read", ret);
  ret = avformat_find_stream_info (track->format, NULL);
  if (ret < 0)
    return fail_av (error, path, "cannot read the streams", ret);

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
    return fail_av (error, path, "no decoder for the stream's codec", AVERROR_DECODER_NOT_FOUND);

  track->codec = avcodec_alloc_context3 (decoder);
  avcodec_parameters_to_context (track->codec, stream->codecpar);
  track->codec->pkt_timebase = stream->time_base;
  track->codec->thread_count = 0;
  ret = avcodec_open2 (track->codec, decoder, NULL);
  if (ret < 0)
    return fail_av (error, path, "cannot open the decoder", ret);

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

static double
track_frame_time (Track   *track,
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
static int
track_decode_next (Track       *track,
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
          fail_av (error, path, "decoding failed", ret);
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
              fail_av (error, path, "too many damaged packets", ret);
              return -1;
            }
        }
      av_packet_unref (track->packet);
    }
}

static gboolean
track_seek (Track       *track,
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
    return fail_av (error, path, "cannot seek", ret);
  avcodec_flush_buffers (track->codec);
  track->draining = FALSE;
  return TRUE;
}

/* --- the reader ---------------------------------------------------------- */

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

/* Phones store portrait video as landscape frames plus a display matrix
 * that turns them upright: the rotation in quarter turns, clockwise */
static int
stream_rotation (AVStream *stream)
{
  size_t size = 0;
  const uint8_t *matrix = av_stream_get_side_data (stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
  double degrees;
  int quarter;

  if (matrix == NULL || size < 9 * sizeof (int32_t))
    return 0;
  degrees = -av_display_rotation_get ((const int32_t *) matrix);
  if (isnan (degrees))
    return 0;
  quarter = (int) lround (degrees / 90.0);
  return ((quarter % 4) + 4) % 4 * 90;
}

AdisVideo *
adis_video_open (const char  *path,
                 GError     **error)
{
  g_autoptr(AdisVideo) self = g_new0 (AdisVideo, 1);
  AVStream *stream;

  g_return_val_if_fail (path != NULL, NULL);

  quiet_ffmpeg ();
  self->path = g_strdup (path);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: no such file", path);
      return NULL;
    }
  if (!track_open (&self->video, path, AVMEDIA_TYPE_VIDEO, error))
    return NULL;

  stream = self->video.format->streams[self->video.stream];
  self->width = self->video.codec->width;
  self->height = self->video.codec->height;
  self->rotation = stream_rotation (stream);
  if (self->rotation % 180 != 0)
    {
      int t = self->width;

      self->width = self->height;
      self->height = t;
    }
  if (self->width <= 0 || self->height <= 0 ||
      (gint64) self->width * self->height > ADIS_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: frames of %d x %d cannot be used", path, self->width, self->height);
      return NULL;
    }
  /* The declared rate; the average is skewed by the last frame's length */
  if (stream->r_frame_rate.num > 0 && stream->r_frame_rate.den > 0 && av_q2d (stream->r_frame_rate) <= 1000.0)
    self->frame_rate = av_q2d (stream->r_frame_rate);
  else if (stream->avg_frame_rate.num > 0 && stream->avg_frame_rate.den > 0)
    self->frame_rate = av_q2d (stream->avg_frame_rate);
  if (self->video.format->duration > 0)
    self->duration = self->video.format->duration / (double) AV_TIME_BASE;
  else if (stream->duration > 0)
    self->duration = stream->duration * av_q2d (stream->time_base);
  self->has_audio = av_find_best_stream (self->video.format, AVMEDIA_TYPE_AUDIO,
                                         -1, -1, NULL, 0) >= 0;
  return g_steal_pointer (&self);
}

void
adis_video_free (AdisVideo *video)
{
  if (video == NULL)
    return;
  track_clear (&video->video);
  track_clear (&video->audio);
  av_frame_free (&video->current);
  av_frame_free (&video->ahead);
  sws_freeContext (video->sws);
  swr_free (&video->swr);
  g_free (video->fifo);
  g_free (video->path);
  g_free (video);
}

const char *adis_video_get_path (AdisVideo *video) { return video->path; }
double adis_video_get_duration (AdisVideo *video) { return video->duration; }
int adis_video_get_width (AdisVideo *video) { return video->width; }
int adis_video_get_height (AdisVideo *video) { return video->height; }
int adis_video_get_rotation (AdisVideo *video) { return video->rotation; }
double adis_video_get_frame_rate (AdisVideo *video) { return video->frame_rate; }
gboolean adis_video_has_audio (AdisVideo *video) { return video->has_audio; }

/* Turns packed RGB by 90, 180 or 270 degrees clockwise */
static guint8 *
rotate_rgb (const guint8 *rgb,
            int           width,
            int           height,
            int           degrees)
{
  guint8 *out = g_malloc ((gsize) width * height * 3);
  int out_w = degrees == 180 ? width : height;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        int ox, oy;

        if (degrees == 90)
          ox = height - 1 - y, oy = x;
        else if (degrees == 180)
          ox = width - 1 - x, oy = height - 1 - y;
        else
          ox = y, oy = width - 1 - x;
        memcpy (out + ((gsize) oy * out_w + ox) * 3, rgb + ((gsize) y * width + x) * 3, 3);
      }
  return out;
}

static AdisImage *
frame_to_image (AdisVideo  *self,
                AVFrame    *frame,
                GError    **error)
{
  g_autofree guint8 *rgb = NULL;
  int stride = frame->width * 3;
  uint8_t *planes[1];
  int strides[1] = { stride };

  self->sws = sws_getCachedContext (self->sws, frame->width, frame->height, frame->format,
                                    frame->width, frame->height, AV_PIX_FMT_RGB24,
                                    SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                    NULL, NULL, NULL);
  if (self->sws == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: frames in pixel format %d cannot be converted", self->path, frame->format);
      return NULL;
    }
  rgb = g_malloc ((gsize) stride * frame->height);
  planes[0] = rgb;
  sws_scale (self->sws, (const uint8_t * const *) frame->data, frame->linesize,
             0, frame->height, planes, strides);
  if (self->rotation != 0)
    {
      guint8 *upright = rotate_rgb (rgb, frame->width, frame->height, self->rotation);
      gboolean quarter = self->rotation % 180 != 0;
      int w = quarter ? frame->height : frame->width;
      int h = quarter ? frame->width : frame->height;

      g_free (rgb);
      rgb = upright;
      return adis_image_new_from_rgb8 (rgb, w, h, w * 3, 3, error);
    }
  return adis_image_new_from_rgb8 (rgb, frame->width, frame->height, stride, 3, error);
}

static void
forget_frames (AdisVideo *self)
{
  av_frame_free (&self->current);
  av_frame_free (&self->ahead);
  self->video_ended = FALSE;
}

/* Decodes from wherever the stream is until the frame after `seconds` is
 * in hand; current is then the frame on screen at `seconds` */
static gboolean
decode_up_to (AdisVideo  *self,
              double      seconds,
              GError    **error)
{
  for (;;)
    {
      int got;

      if (self->ahead != NULL)
        {
          if (!(self->ahead_time <= seconds + TIME_EPSILON))
            return TRUE;
          av_frame_free (&self->current);
          self->current = g_steal_pointer (&self->ahead);
          self->current_time = self->ahead_time;
          continue;
        }
      if (self->video_ended)
        return TRUE;

      got = track_decode_next (&self->video, self->path, error);
      if (got < 0)
        return FALSE;
      if (got == 0)
        {
          self->video_ended = TRUE;
          continue;
        }
      self->ahead = av_frame_clone (self->video.frame);
      av_frame_unref (self->video.frame);
      self->ahead_time = track_frame_time (&self->video, self->ahead);
      /* A frame without a time follows the one before it */
      if (isnan (self->ahead_time))
        self->ahead_time = self->current ? self->current_time + 1.0 / MAX (self->frame_rate, 1.0) : 0.0;
    }
}

AdisImage *
adis_video_read_frame (AdisVideo  *video,
                       double      seconds,
                       GError    **error)
{
  /* Seeks land on a key frame at or before the target, but not every
   * demuxer is exact about it: step further back until one is */
  static const double back_off[] = { 0.0, 2.0, 10.0, 60.0, -1.0 };

  g_return_val_if_fail (video != NULL, NULL);

  if (!isfinite (seconds) || seconds < 0.0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: no frame at %g s", video->path, seconds);
      return NULL;
    }

  if (video->current != NULL && video->current_time <= seconds + TIME_EPSILON &&
      (seconds - video->current_time < MAX_DECODE_AHEAD || video->video_ended))
    {
      if (!decode_up_to (video, seconds, error))
        return NULL;
      return frame_to_image (video, video->current, error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (back_off); i++)
    {
      double target = back_off[i] < 0.0 ? 0.0 : MAX (seconds - back_off[i], 0.0);

      forget_frames (video);
      if (!track_seek (&video->video, video->path, target, error) ||
          !decode_up_to (video, seconds, error))
        return NULL;
      if (video->current != NULL)
        return frame_to_image (video, video->current, error);
      /* Nothing at or before `seconds` from the very start: the first
       * frame is what shows until then */
      if (target <= 0.0 && video->ahead != NULL)
        return frame_to_image (video, video->ahead, error);
      if (target <= 0.0)
        break;
    }

  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "%s: no frame could be decoded at %.3f s", video->path, seconds);
  return NULL;
}

/* --- sound --------------------------------------------------------------- */

static gboolean
audio_open (AdisVideo  *self,
            GError    **error)
{
  AVCodecContext *codec;
  g_autofree double *matrix = NULL;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  int n_in;
  int ret;

  if (self->audio_open)
    return TRUE;
  if (!self->has_audio)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: no sound track", self->path);
      return FALSE;
    }
  if (!track_open (&self->audio, self->path, AVMEDIA_TYPE_AUDIO, error))
    return FALSE;

  codec = self->audio.codec;
  if (codec->ch_layout.nb_channels <= 0)
    av_channel_layout_default (&codec->ch_layout, 1);
  n_in = codec->ch_layout.nb_channels;
  if (codec->sample_rate <= 0 || n_in > 64)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: a sound track of %d channels at %d Hz cannot be used",
                   self->path, n_in, codec->sample_rate);
      return FALSE;
    }

  ret = swr_alloc_set_opts2 (&self->swr, &mono, AV_SAMPLE_FMT_FLT, ADIS_SAMPLE_RATE,
                             &codec->ch_layout, codec->sample_fmt, codec->sample_rate, 0, NULL);
  if (ret < 0)
    return fail_av (error, self->path, "cannot convert the sound track", ret);
  /* Channels are averaged, as adis-audio does, rather than FFmpeg's
   * surround downmix, so a clip sounds the same whichever way it came in */
  matrix = g_new (double, n_in);
  for (int i = 0; i < n_in; i++)
    matrix[i] = 1.0 / n_in;
  ret = swr_set_matrix (self->swr, matrix, n_in);
  if (ret >= 0)
    ret = swr_init (self->swr);
  if (ret < 0)
    return fail_av (error, self->path, "cannot convert the sound track", ret);

  self->audio_open = TRUE;
  return TRUE;
}

static void
fifo_reserve (AdisVideo *self,
              gsize      extra)
{
  if (self->fifo_len + extra <= self->fifo_cap)
    return;
  self->fifo_cap = MAX (self->fifo_len + extra, self->fifo_cap * 2);
  self->fifo = g_renew (float, self->fifo, self->fifo_cap);
}

/* Resamples frame (or, when NULL, what the resampler still holds) onto the
 * end of the fifo */
static gboolean
audio_push (AdisVideo  *self,
            AVFrame    *frame,
            GError    **error)
{
  int in_count = frame ? frame->nb_samples : 0;
  int room = swr_get_out_samples (self->swr, in_count);
  uint8_t *out;
  int n;

  if (room < 0)
    return fail_av (error, self->path, "cannot resample the sound track", room);
  fifo_reserve (self, (gsize) room + 16);
  out = (uint8_t *) (self->fifo + self->fifo_len);
  n = swr_convert (self->swr, &out, room + 16,
                   frame ? (const uint8_t **) frame->extended_data : NULL, in_count);
  if (n < 0)
    return fail_av (error, self->path, "cannot resample the sound track", n);
  self->fifo_len += n;
  return TRUE;
}

static gboolean
audio_restart (AdisVideo  *self,
               double      seconds,
               GError    **error)
{
  int ret;

  /* Start a little early: the first packet after a seek may begin late */
  if (!track_seek (&self->audio, self->path, seconds - 0.5, error))
    return FALSE;
  swr_close (self->swr);
  ret = swr_init (self->swr);
  if (ret < 0)
    return fail_av (error, self->path, "cannot resample the sound track", ret);
  self->fifo_len = 0;
  self->fifo_valid = FALSE;
  self->audio_ended = FALSE;
  return TRUE;
}

gboolean
adis_video_read_audio (AdisVideo  *video,
                       double      seconds,
                       float      *out,
                       gsize       n_samples,
                       gsize      *out_n_read,
                       GError    **error)
{
  gint64 want;
  gint64 offset;
  gsize n_read = 0;

  g_return_val_if_fail (video != NULL, FALSE);
  g_return_val_if_fail (out != NULL || n_samples == 0, FALSE);

  if (!isfinite (seconds) || seconds < 0.0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: no sound at %g s", video->path, seconds);
      return FALSE;
    }
  if (!audio_open (video, error))
    return FALSE;

  want = (gint64) llround (seconds * ADIS_SAMPLE_RATE);
  if (!video->fifo_valid || want < video->fifo_start ||
      want > video->fifo_start + (gint64) video->fifo_len + (gint64) (MAX_DECODE_AHEAD * ADIS_SAMPLE_RATE))
    {
      if (!audio_restart (video, seconds, error))
        return FALSE;
    }

  while (!video->audio_ended &&
         (!video->fifo_valid || video->fifo_start + (gint64) video->fifo_len < want + (gint64) n_samples))
    {
      int got = track_decode_next (&video->audio, video->path, error);

      if (got < 0)
        return FALSE;
      if (got == 0)
        {
          video->audio_ended = TRUE;
          if (video->fifo_valid && !audio_push (video, NULL, error))
            return FALSE;
          break;
        }
      if (!video->fifo_valid)
        {
          double t = track_frame_time (&video->audio, video->audio.frame);

          video->fifo_start = (gint64) llround ((isnan (t) ? 0.0 : t) * ADIS_SAMPLE_RATE);
          video->fifo_valid = TRUE;
        }
      if (!audio_push (video, video->audio.frame, error))
        {
          av_frame_unref (video->audio.frame);
          return FALSE;
        }
      av_frame_unref (video->audio.frame);
    }

  /* Before the track's first sample and after its last is silence */
  offset = want - video->fifo_start;
  for (gsize i = 0; i < n_samples; i++)
    {
      gint64 j = offset + (gint64) i;

      if (video->fifo_valid && j >= 0 && j < (gint64) video->fifo_len)
        {
          out[i] = video->fifo[j];
          n_read = i + 1;
        }
      else
        out[i] = 0.f;
    }

  /* Requests move forward: what lies before this one is not needed again */
  if (video->fifo_valid && offset > 0)
    {
      gsize drop = MIN ((gsize) offset, video->fifo_len);

      memmove (video->fifo, video->fifo + drop, (video->fifo_len - drop) * sizeof (float));
      video->fifo_len -= drop;
      video->fifo_start += (gint64) drop;
    }

  if (out_n_read)
    *out_n_read = n_read;
  return TRUE;
}

/* --- the writer ---------------------------------------------------------- */

struct _AdisVideoWriter
{
  char              *path;
  char              *tmp_path;
  AVFormatContext   *format;
  AVCodecContext    *video;
  AVCodecContext    *audio;
  AVStream          *video_stream;
  AVStream          *audio_stream;
  AVFrame           *video_frame;
  AVFrame           *audio_frame;
  AVAudioFifo       *audio_fifo;
  AVPacket          *packet;
  struct SwsContext *sws;
  int                width;
  int                height;
  int                audio_channels;
  gint64             n_frames;
  gint64             n_audio;
  gboolean           header_written;
  gboolean           finished;
};

static gboolean
writer_fail (AdisVideoWriter  *self,
             const char       *what,
             int               ret,
             GError          **error)
{
  char text[AV_ERROR_MAX_STRING_SIZE] = "";

  av_strerror (ret, text, sizeof text);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s: %s (%s)", self->path, what, text);
  return FALSE;
}

static AVCodecContext *
open_encoder (AdisVideoWriter  *self,
              const AVCodec    *codec,
              AVStream        **out_stream,
              void            (*setup) (AdisVideoWriter *, AVCodecContext *, gpointer),
              gpointer          data,
              GError          **error)
{
  AVCodecContext *context = avcodec_alloc_context3 (codec);
  int ret;

  setup (self, context, data);
  if (self->format->oformat->flags & AVFMT_GLOBALHEADER)
    context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  ret = avcodec_open2 (context, codec, NULL);
  if (ret < 0)
    {
      avcodec_free_context (&context);
      writer_fail (self, "cannot open the encoder", ret, error);
      return NULL;
    }
  *out_stream = avformat_new_stream (self->format, NULL);
  avcodec_parameters_from_context ((*out_stream)->codecpar, context);
  (*out_stream)->time_base = context->time_base;
  return context;
}

static void
setup_video (AdisVideoWriter *self,
             AVCodecContext  *context,
             gpointer         data)
{
  AVRational rate = *(const AVRational *) data;

  context->width = self->width;
  context->height = self->height;
  context->time_base = av_inv_q (rate);
  context->framerate = rate;
  context->pix_fmt = AV_PIX_FMT_YUV420P;
  /* A key frame every second keeps seeking cheap */
  context->gop_size = MAX (1, (int) lround (av_q2d (rate)));
  if (context->codec_id == AV_CODEC_ID_H264)
    {
      av_opt_set (context->priv_data, "preset", "veryfast", 0);
      av_opt_set (context->priv_data, "crf", "18", 0);
    }
  else
    {
      context->flags |= AV_CODEC_FLAG_QSCALE;
      context->global_quality = FF_QP2LAMBDA * 2;
    }
}

static void
setup_audio (AdisVideoWriter *self,
             AVCodecContext  *context,
             gpointer         data)
{
  int rate = GPOINTER_TO_INT (data);

  context->sample_fmt = AV_SAMPLE_FMT_FLTP;
  context->sample_rate = rate;
  av_channel_layout_default (&context->ch_layout, self->audio_channels);
  context->bit_rate = 64000 * self->audio_channels;
  context->time_base = (AVRational) { 1, rate };
}

AdisVideoWriter *
adis_video_writer_new (const char  *path,
                       int          width,
                       int          height,
                       double       fps,
                       int          audio_rate,
                       int          audio_channels,
                       GError     **error)
{
  g_autoptr(AdisVideoWriter) self = NULL;
  const AVOutputFormat *container;
  const AVCodec *video_codec;
  /* 29.97 is 30000/1001: a rational rate keeps long videos' timing exact */
  AVRational rate = av_d2q (fps, 1001000);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  int fd;
  int ret;

  g_return_val_if_fail (path != NULL, NULL);

  quiet_ffmpeg ();
  if (width < 16 || height < 16 || width % 2 || height % 2 || width > 8192 || height > 8192 ||
      !(fps >= 1.0 && fps <= 240.0) || audio_rate < 0 || audio_rate > 192000 ||
      (audio_rate > 0 && (audio_channels < 1 || audio_channels > 2)))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: cannot write %d x %d at %g fps with %d channels at %d Hz "
                   "(even sizes of 16 to 8192, 1 to 240 fps, mono or stereo)",
                   path, width, height, fps, audio_channels, audio_rate);
      return NULL;
    }
  container = av_guess_format (NULL, path, NULL);
  if (container == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: unknown video type; use .mp4 or .mkv", path);
      return NULL;
    }

  self = g_new0 (AdisVideoWriter, 1);
  self->path = g_strdup (path);
  self->width = width;
  self->height = height;
  self->audio_channels = audio_channels;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  self->tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp (self->tmp_path);
  if (fd < 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s: %s", path, g_strerror (errno));
      g_clear_pointer (&self->tmp_path, g_free);
      return NULL;
    }
  close (fd);

  ret = avformat_alloc_output_context2 (&self->format, container, NULL, self->tmp_path);
  if (ret < 0)
    {
      writer_fail (self, "cannot make the container", ret, error);
      return NULL;
    }

  video_codec = avcodec_find_encoder_by_name ("libx264");
  if (video_codec == NULL || avformat_query_codec (container, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) != 1)
    video_codec = avcodec_find_encoder (AV_CODEC_ID_MPEG4);
  if (video_codec == NULL)
    {
      writer_fail (self, "no video encoder", AVERROR_ENCODER_NOT_FOUND, error);
      return NULL;
    }
  self->video = open_encoder (self, video_codec, &self->video_stream, setup_video,
                              &rate, error);
  if (self->video == NULL)
    return NULL;

  if (audio_rate > 0)
    {
      const AVCodec *audio_codec = avcodec_find_encoder (AV_CODEC_ID_AAC);

      if (audio_codec == NULL)
        {
          writer_fail (self, "no AAC encoder", AVERROR_ENCODER_NOT_FOUND, error);
          return NULL;
        }
      self->audio = open_encoder (self, audio_codec, &self->audio_stream, setup_audio,
                                  GINT_TO_POINTER (audio_rate), error);
      if (self->audio == NULL)
        return NULL;
      self->audio_fifo = av_audio_fifo_alloc (AV_SAMPLE_FMT_FLTP, audio_channels, 4096);
      self->audio_frame = av_frame_alloc ();
    }

  self->video_frame = av_frame_alloc ();
  self->video_frame->format = AV_PIX_FMT_YUV420P;
  self->video_frame->width = width;
  self->video_frame->height = height;
  av_frame_get_buffer (self->video_frame, 0);
  self->packet = av_packet_alloc ();

  ret = avio_open (&self->format->pb, self->tmp_path, AVIO_FLAG_WRITE);
  if (ret < 0)
    {
      writer_fail (self, "cannot start the file", ret, error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

gboolean
adis_video_writer_set_rotation (AdisVideoWriter  *writer,
                                int               degrees,
                                GError          **error)
{
  uint8_t *matrix;

  g_return_val_if_fail (writer != NULL && !writer->header_written, FALSE);

  if (degrees % 90 != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: a rotation of %d degrees is not a multiple of 90", writer->path, degrees);
      return FALSE;
    }
  matrix = av_stream_new_side_data (writer->video_stream, AV_PKT_DATA_DISPLAYMATRIX,
                                    9 * sizeof (int32_t));
  if (matrix == NULL)
    return writer_fail (writer, "cannot store the rotation", AVERROR (ENOMEM), error);
  /* Setting takes a clockwise angle; getting (below) gives it back
   * counter-clockwise */
  av_display_rotation_set ((int32_t *) matrix, degrees);
  return TRUE;
}

/* The header goes out with the first data, so that the rotation (and any
 * stream property set after creation) is in it */
static gboolean
ensure_header (AdisVideoWriter  *self,
               GError          **error)
{
  int ret;

  if (self->header_written)
    return TRUE;
  ret = avformat_write_header (self->format, NULL);
  if (ret < 0)
    return writer_fail (self, "cannot start the file", ret, error);
  self->header_written = TRUE;
  return TRUE;
}

static gboolean
encode (AdisVideoWriter  *self,
        AVCodecContext   *context,
        AVStream         *stream,
        AVFrame          *frame,
        GError          **error)
{
  int ret = avcodec_send_frame (context, frame);

  if (ret < 0)
    return writer_fail (self, "encoding failed", ret, error);
  for (;;)
    {
      ret = avcodec_receive_packet (context, self->packet);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TRUE;
      if (ret < 0)
        return writer_fail (self, "encoding failed", ret, error);
      /* Without a duration the muxer ends the video at the last frame's
       * start, and MP4's edit list then hides that frame */
      if (self->packet->duration == 0 && context->codec_type == AVMEDIA_TYPE_VIDEO)
        self->packet->duration = 1;
      av_packet_rescale_ts (self->packet, context->time_base, stream->time_base);
      self->packet->stream_index = stream->index;
      ret = av_interleaved_write_frame (self->format, self->packet);
      if (ret < 0)
        return writer_fail (self, "writing failed", ret, error);
    }
}

gboolean
adis_video_writer_add_frame (AdisVideoWriter  *writer,
                             AdisImage        *frame,
                             GError          **error)
{
  g_autofree guint8 *rgb = NULL;
  const uint8_t *planes[1];
  int strides[1] = { writer->width * 3 };

  g_return_val_if_fail (writer != NULL && !writer->finished, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  if (adis_image_get_width (frame) != writer->width || adis_image_get_height (frame) != writer->height)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: a frame of %d x %d in a video of %d x %d", writer->path,
                   adis_image_get_width (frame), adis_image_get_height (frame),
                   writer->width, writer->height);
      return FALSE;
    }

  if (!ensure_header (writer, error))
    return FALSE;
  rgb = adis_image_to_rgb8 (frame);
  planes[0] = rgb;
  writer->sws = sws_getCachedContext (writer->sws, writer->width, writer->height, AV_PIX_FMT_RGB24,
                                      writer->width, writer->height, AV_PIX_FMT_YUV420P,
                                      SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
  av_frame_make_writable (writer->video_frame);
  sws_scale (writer->sws, planes, strides, 0, writer->height,
             writer->video_frame->data, writer->video_frame->linesize);
  writer->video_frame->pts = writer->n_frames++;
  return encode (writer, writer->video, writer->video_stream, writer->video_frame, error);
}

/* Sends whole encoder frames from the fifo; at the end, the rest too */
static gboolean
drain_audio_fifo (AdisVideoWriter  *self,
                  gboolean          final,
                  GError          **error)
{
  int frame_size = self->audio->frame_size > 0 ? self->audio->frame_size : 1024;

  while (av_audio_fifo_size (self->audio_fifo) >= frame_size ||
         (final && av_audio_fifo_size (self->audio_fifo) > 0))
    {
      int n = MIN (frame_size, av_audio_fifo_size (self->audio_fifo));

      av_frame_unref (self->audio_frame);
      self->audio_frame->nb_samples = n;
      self->audio_frame->format = AV_SAMPLE_FMT_FLTP;
      self->audio_frame->sample_rate = self->audio->sample_rate;
      av_channel_layout_copy (&self->audio_frame->ch_layout, &self->audio->ch_layout);
      av_frame_get_buffer (self->audio_frame, 0);
      av_audio_fifo_read (self->audio_fifo, (void **) self->audio_frame->data, n);
      self->audio_frame->pts = self->n_audio;
      self->n_audio += n;
      if (!encode (self, self->audio, self->audio_stream, self->audio_frame, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
adis_video_writer_add_audio (AdisVideoWriter  *writer,
                             const float      *interleaved,
                             gsize             n_frames,
                             GError          **error)
{
  int channels;
  g_autofree float *planar = NULL;
  void *planes[2];

  g_return_val_if_fail (writer != NULL && !writer->finished, FALSE);
  g_return_val_if_fail (writer->audio != NULL, FALSE);
  g_return_val_if_fail (interleaved != NULL || n_frames == 0, FALSE);

  if (!ensure_header (writer, error))
    return FALSE;
  channels = writer->audio_channels;
  planar = g_new (float, n_frames * channels);
  for (int c = 0; c < channels; c++)
    {
      planes[c] = planar + (gsize) c * n_frames;
      for (gsize i = 0; i < n_frames; i++)
        planar[(gsize) c * n_frames + i] = interleaved[i * channels + c];
    }
  if (av_audio_fifo_write (writer->audio_fifo, planes, (int) n_frames) < (int) n_frames)
    return writer_fail (writer, "out of memory", AVERROR (ENOMEM), error);
  return drain_audio_fifo (writer, FALSE, error);
}

gboolean
adis_video_writer_finish (AdisVideoWriter  *writer,
                          GError          **error)
{
  int ret;

  g_return_val_if_fail (writer != NULL && !writer->finished, FALSE);

  if (!ensure_header (writer, error))
    return FALSE;
  if (writer->audio != NULL &&
      (!drain_audio_fifo (writer, TRUE, error) ||
       !encode (writer, writer->audio, writer->audio_stream, NULL, error)))
    return FALSE;
  if (!encode (writer, writer->video, writer->video_stream, NULL, error))
    return FALSE;
  ret = av_write_trailer (writer->format);
  if (ret >= 0)
    ret = avio_closep (&writer->format->pb);
  if (ret < 0)
    return writer_fail (writer, "cannot finish the file", ret, error);
  if (g_rename (writer->tmp_path, writer->path) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s: %s", writer->path, g_strerror (errno));
      return FALSE;
    }
  writer->finished = TRUE;
  return TRUE;
}

void
adis_video_writer_free (AdisVideoWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->format != NULL)
    {
      if (writer->format->pb != NULL)
        avio_closep (&writer->format->pb);
      avformat_free_context (writer->format);
    }
  if (!writer->finished && writer->tmp_path != NULL)
    g_unlink (writer->tmp_path);
  avcodec_free_context (&writer->video);
  avcodec_free_context (&writer->audio);
  av_frame_free (&writer->video_frame);
  av_frame_free (&writer->audio_frame);
  av_packet_free (&writer->packet);
  if (writer->audio_fifo)
    av_audio_fifo_free (writer->audio_fifo);
  sws_freeContext (writer->sws);
  g_free (writer->tmp_path);
  g_free (writer->path);
  g_free (writer);
}
