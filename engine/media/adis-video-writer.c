/* adis-video-writer.c: a small MP4/MKV writer (H.264 or MPEG-4 video, AAC
 * sound), written to a temporary file and renamed when finished
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

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>

#include "adis-audio.h"
#include "adis-video-private.h"

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

  adis_video_quiet_ffmpeg ();
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
