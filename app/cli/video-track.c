/* video-track.c: the edited soundtrack of `soundstyle video`
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "video-track.h"

/* The whole of a sound file at 16 kHz mono, repeated or cut to n samples */
static float *
load_sound_file (const char  *path,
                 gsize        n_samples,
                 GError     **error)
{
  g_autofree float *recording = NULL;
  float *samples;
  gsize n_read = 0;

  recording = adis_audio_load_recording (path, 0.0, &n_read, error);
  if (recording == NULL)
    {
      if (error != NULL && *error != NULL && strstr ((*error)->message, path) == NULL)
        g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (n_read == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: the sound is empty", path);
      return NULL;
    }

  samples = g_new (float, n_samples);
  for (gsize i = 0; i < n_samples; i += n_read)
    memcpy (samples + i, recording, MIN (n_read, n_samples - i) * sizeof (float));
  return samples;
}

VideoTrack *
video_track_new (AdisVideo   *video,
                 const char  *audio_path,
                 const char  *mix_path,
                 double       gain,
                 double       weight,
                 gsize        n_samples,
                 GError     **error)
{
  g_autoptr(VideoTrack) track = g_new0 (VideoTrack, 1);
  g_autofree float *mix = NULL;

  g_return_val_if_fail (n_samples > 0, NULL);

  if (audio_path != NULL)
    track->samples = load_sound_file (audio_path, n_samples, error);
  else if (!adis_video_has_audio (video))
    g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                 "%s has no sound track; give it one with --audio FILE",
                 adis_video_get_path (video));
  else
    {
      gsize n_read = 0;

      track->samples = g_new (float, n_samples);
      /* A track that ends early is padded with silence, as it sounds */
      if (!adis_video_read_audio (video, 0.0, track->samples, n_samples, &n_read, error))
        g_clear_pointer (&track->samples, g_free);
    }
  if (track->samples == NULL)
    return NULL;
  track->n_samples = n_samples;

  if (mix_path != NULL && (mix = load_sound_file (mix_path, n_samples, error)) == NULL)
    return NULL;

  /* adis_sound_mix's law, over the whole track; the gain is applied as the
   * samples are used */
  for (gsize i = 0; i < n_samples; i++)
    {
      float b = mix != NULL ? mix[i] : 0.0f;

      track->samples[i] = (float) ((1.0 - weight) * track->samples[i] + weight * b);
    }
  track->gain = (float) gain;
  return g_steal_pointer (&track);
}

void
video_track_free (VideoTrack *track)
{
  if (track == NULL)
    return;
  g_free (track->samples);
  g_free (track);
}

AdisSound *
video_track_window (VideoTrack  *track,
                    double       seconds,
                    GError     **error)
{
  gint64 start = (gint64) (seconds * ADIS_SAMPLE_RATE) - ADIS_CLIP_SAMPLES / 2;
  gint64 last_start = MAX (0, (gint64) track->n_samples - ADIS_CLIP_SAMPLES);
  gsize length = MIN ((gsize) ADIS_CLIP_SAMPLES, track->n_samples);
  g_autoptr(AdisSound) window = NULL;

  start = CLAMP (start, 0, last_start);
  window = adis_sound_new_from_samples (track->samples + start, length, ADIS_SAMPLE_RATE, 1, error);
  if (window == NULL)
    return NULL;
  return adis_sound_mix (window, NULL, track->gain, 0.0f, error);
}

void
video_track_copy_clipped (VideoTrack *track,
                          gsize       from,
                          gsize       to,
                          float      *out)
{
  g_return_if_fail (from <= to && to <= track->n_samples);

  for (gsize i = from; i < to; i++)
    out[i - from] = CLAMP (track->gain * track->samples[i], -1.0f, 1.0f);
}
