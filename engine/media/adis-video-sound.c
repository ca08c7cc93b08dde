/* adis-video-sound.c: a video's sound track as 16-kHz mono, read at any
 * time (the frames are in adis-video.c)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include <libavutil/channel_layout.h>

#include "adis-audio.h"
#include "adis-video-private.h"

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
  if (!adis_video_track_open (&self->audio, self->path, AVMEDIA_TYPE_AUDIO, error))
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
    return adis_video_fail_av (error, self->path, "cannot convert the sound track", ret);
  /* Channels are averaged, as adis-audio does, rather than FFmpeg's
   * surround downmix, so a clip sounds the same whichever way it came in */
  matrix = g_new (double, n_in);
  for (int i = 0; i < n_in; i++)
    matrix[i] = 1.0 / n_in;
  ret = swr_set_matrix (self->swr, matrix, n_in);
  if (ret >= 0)
    ret = swr_init (self->swr);
  if (ret < 0)
    return adis_video_fail_av (error, self->path, "cannot convert the sound track", ret);

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
    return adis_video_fail_av (error, self->path, "cannot resample the sound track", room);
  fifo_reserve (self, (gsize) room + 16);
  out = (uint8_t *) (self->fifo + self->fifo_len);
  n = swr_convert (self->swr, &out, room + 16,
                   frame ? (const uint8_t **) frame->extended_data : NULL, in_count);
  if (n < 0)
    return adis_video_fail_av (error, self->path, "cannot resample the sound track", n);
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
  if (!adis_video_track_seek (&self->audio, self->path, seconds - 0.5, error))
    return FALSE;
  swr_close (self->swr);
  ret = swr_init (self->swr);
  if (ret < 0)
    return adis_video_fail_av (error, self->path, "cannot resample the sound track", ret);
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
      int got = adis_video_track_decode_next (&video->audio, video->path, error);

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
          double t = adis_video_track_frame_time (&video->audio, video->audio.frame);

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
