/* adis-video.c: frames at exact times from any video FFmpeg reads; its
 * sound is in adis-video-sound.c, the MP4/MKV writer in adis-video-writer.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include <libavutil/display.h>

#include "adis-video-private.h"

/* Times within this of each other are the same instant (timestamps are
 * rationals; requests are doubles) */
#define TIME_EPSILON        1e-4

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

  adis_video_quiet_ffmpeg ();
  self->path = g_strdup (path);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: no such file", path);
      return NULL;
    }
  if (!adis_video_track_open (&self->video, path, AVMEDIA_TYPE_VIDEO, error))
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
  adis_video_track_clear (&video->video);
  adis_video_track_clear (&video->audio);
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

      got = adis_video_track_decode_next (&self->video, self->path, error);
      if (got < 0)
        return FALSE;
      if (got == 0)
        {
          self->video_ended = TRUE;
          continue;
        }
      self->ahead = av_frame_clone (self->video.frame);
      av_frame_unref (self->video.frame);
      self->ahead_time = adis_video_track_frame_time (&self->video, self->ahead);
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
      if (!adis_video_track_seek (&video->video, video->path, target, error) ||
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
