/* soundstyle-player.c: plays a sound (or any mono samples) with stop and an
 * end notice
 *
 * SPDX-License-Identifier: MIT
 *
 * As in the recorder, the callback only copies from a buffer that exists
 * before the stream starts and publishes its position atomically; a timer on
 * the owner context reports the position and notices the end. The callback
 * also notes when, on the stream's clock, the last sample will leave the
 * device, and plays silence until then, so "finished" comes when the sound
 * is heard out, not when it was handed over.
 */
#define G_LOG_DOMAIN "soundstyle-audio"

#include "config.h"

#include <math.h>
#include <stdatomic.h>
#include <samplerate.h>

#include "audio-backend.h"

struct _SoundstylePlayer
{
  GObject        parent_instance;

  GMainContext  *context;
  GSource       *timer;
  PaStream      *stream;

  /* Read by the callback; set up before the stream starts */
  float         *samples;
  gsize          n_samples;
  int            sample_rate;   /* the stream's, after any resampling */
  int            n_channels;    /* the mono samples go to each one */
  double         output_latency;
  atomic_size_t  played;        /* frames handed to the device */
  atomic_llong   start_usec;    /* stream time when the first one is heard */
  atomic_llong   end_usec;      /* stream time when the last one is heard */
  gint64         handed_over;   /* monotonic time when all were handed over */

  gboolean       playing;
  double         position;
  double         duration;
};

G_DEFINE_FINAL_TYPE (SoundstylePlayer, soundstyle_player, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PLAYING,
  PROP_POSITION,
  PROP_DURATION,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static int
play_callback (const void                     *input,
               void                           *output,
               unsigned long                   n_frames,
               const PaStreamCallbackTimeInfo *time_info,
               PaStreamCallbackFlags           status,
               void                           *user_data)
{
  SoundstylePlayer *self = user_data;
  float *out = output;
  gsize start = atomic_load_explicit (&self->played, memory_order_relaxed);
  gsize n = MIN ((gsize) n_frames, self->n_samples - start);
  int channels = self->n_channels;

  for (gsize i = 0; i < n_frames; i++)
    {
      float x = i < n ? self->samples[start + i] : 0.0f;

      for (int c = 0; c < channels; c++)
        out[i * channels + c] = x;
    }

  /* When the first and the last sample leave the device, on the stream's
   * clock: the position shown is what is heard, not what was handed over */
  if (n > 0 && (start == 0 || start + n >= self->n_samples))
    {
      double dac = time_info->outputBufferDacTime;

      if (dac <= 0.0)
        dac = time_info->currentTime + self->output_latency;
      if (start == 0)
        atomic_store_explicit (&self->start_usec, (long long) (dac * 1e6), memory_order_relaxed);
      if (start + n >= self->n_samples)
        atomic_store_explicit (&self->end_usec,
                               (long long) ((dac + (double) n / self->sample_rate) * 1e6),
                               memory_order_relaxed);
    }

  atomic_store_explicit (&self->played, start + n, memory_order_release);
  /* Silence after the end, until the timer sees the end heard: returning
   * paComplete would let PortAudio close before the server has played out
   * what it holds (PulseAudio via ALSA cut the last ~50 ms) */
  return paContinue;
}

static void
set_position (SoundstylePlayer *self,
              double            position)
{
  if (position != self->position)
    {
      self->position = position;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
    }
}

/* The heard position, or -1 when not known yet; call with the stream open */
static double
heard_position (SoundstylePlayer *self)
{
  gsize played = atomic_load_explicit (&self->played, memory_order_acquire);
  long long start = atomic_load (&self->start_usec);
  double now = Pa_GetStreamTime (self->stream);

  if (played == 0 || now <= 0.0)
    return -1.0;
  return CLAMP (now - start * 1e-6, 0.0, self->duration);
}

static void
finish (SoundstylePlayer *self,
        gboolean          reached_end)
{
  g_assert (self->playing);

  audio_backend_close_stream (self->stream, FALSE);
  self->stream = NULL;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  /* Handlers run only after the state is final */
  self->playing = FALSE;
  g_object_freeze_notify (G_OBJECT (self));
  if (reached_end)
    set_position (self, self->duration);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[FINISHED], 0, reached_end);
}

/* How long to wait past the end when the stream's clock does not say */
#define END_FALLBACK_USEC (2 * G_USEC_PER_SEC)

static gboolean
on_update_tick (gpointer user_data)
{
  g_autoptr(SoundstylePlayer) self = g_object_ref (user_data);
  gboolean heard_out = FALSE;
  double position;
  int active;

  audio_backend_lock ();
  position = heard_position (self);
  active = Pa_IsStreamActive (self->stream);
  if (active == 1 && atomic_load (&self->played) >= self->n_samples)
    {
      double now = Pa_GetStreamTime (self->stream);
      gint64 wall = g_get_monotonic_time ();

      if (self->handed_over == 0)
        self->handed_over = wall;
      heard_out = (now > 0.0 && now * 1e6 >= atomic_load (&self->end_usec)) ||
                  wall - self->handed_over > END_FALLBACK_USEC;
      /* Only silence is left in the device */
      if (heard_out)
        Pa_AbortStream (self->stream);
    }
  audio_backend_unlock ();

  /* A handler of this notification may stop the player */
  if (position >= 0.0)
    set_position (self, position);
  if (!self->playing)
    return G_SOURCE_REMOVE;

  if (active != 1 || heard_out)
    {
      finish (self, heard_out);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The device's default rate, with the samples converted to it */
static gboolean
resample_to (SoundstylePlayer  *self,
             int                rate,
             GError           **error)
{
  double ratio = (double) rate / self->sample_rate;
  gsize n_out = (gsize) ceil (self->n_samples * ratio);
  float *out = g_new0 (float, n_out + 1);
  SRC_DATA data = { 0 };
  int status;

  data.data_in = self->samples;
  data.input_frames = (long) self->n_samples;
  data.data_out = out;
  data.output_frames = (long) n_out + 1;
  data.src_ratio = ratio;
  status = src_simple (&data, SRC_SINC_MEDIUM_QUALITY, 1);
  if (status != 0)
    {
      g_free (out);
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED,
                   "Cannot convert the sound to %d Hz for playback: %s",
                   rate, src_strerror (status));
      return FALSE;
    }

  g_free (self->samples);
  self->samples = out;
  self->n_samples = (gsize) data.output_frames_gen;
  self->sample_rate = rate;
  return TRUE;
}

static gboolean
open_stream (SoundstylePlayer       *self,
             SoundstyleAudioDevice  *device,
             GError                **error)
{
  PaStreamParameters params;
  const PaDeviceInfo *info;

  /* A clip, not a live monitor: safety from underruns over low latency,
   * enough to ride out a busy machine descheduling the callback thread */
  info = audio_backend_stream_params (device, FALSE, 0.2, &params, error);
  if (info == NULL)
    return FALSE;
  self->n_channels = params.channelCount;

  if (Pa_IsFormatSupported (NULL, &params, self->sample_rate) != paFormatIsSupported &&
      !resample_to (self, (int) lround (info->defaultSampleRate), error))
    return FALSE;

  atomic_store (&self->played, 0);
  self->stream = audio_backend_open_stream (&params, FALSE, self->sample_rate, play_callback, self,
                                            "play", info->name, error);
  if (self->stream == NULL)
    return FALSE;
  /* What the callback reads, set before it first runs */
  self->output_latency = Pa_GetStreamInfo (self->stream)->outputLatency;
  self->handed_over = 0;
  atomic_store (&self->end_usec, G_MAXINT64);
  atomic_store (&self->start_usec, 0);
  if (!audio_backend_start_stream (self->stream, "play", info->name, error))
    {
      self->stream = NULL;
      return FALSE;
    }
  return TRUE;
}

/* ---- GObject ----------------------------------------------------------------- */

static void
soundstyle_player_dispose (GObject *object)
{
  SoundstylePlayer *self = (SoundstylePlayer *) object;

  if (self->playing)
    {
      audio_backend_close_stream (self->stream, TRUE);
      self->stream = NULL;
      self->playing = FALSE;
    }
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  G_OBJECT_CLASS (soundstyle_player_parent_class)->dispose (object);
}

static void
soundstyle_player_finalize (GObject *object)
{
  SoundstylePlayer *self = (SoundstylePlayer *) object;

  g_clear_pointer (&self->samples, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (soundstyle_player_parent_class)->finalize (object);
}

static void
soundstyle_player_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SoundstylePlayer *self = SOUNDSTYLE_PLAYER (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_POSITION:
      g_value_set_double (value, self->position);
      break;
    case PROP_DURATION:
      g_value_set_double (value, self->duration);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_player_class_init (SoundstylePlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = soundstyle_player_dispose;
  object_class->finalize = soundstyle_player_finalize;
  object_class->get_property = soundstyle_player_get_property;

  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE, flags);
  properties[PROP_POSITION] =
    g_param_spec_double ("position", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_DURATION] =
    g_param_spec_double ("duration", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
soundstyle_player_init (SoundstylePlayer *self)
{
  self->context = g_main_context_ref_thread_default ();
  atomic_init (&self->played, 0);
  atomic_init (&self->end_usec, G_MAXINT64);
  atomic_init (&self->start_usec, 0);
}

/* ---- Public API -------------------------------------------------------------- */

SoundstylePlayer *
soundstyle_player_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_PLAYER, NULL);
}

gboolean
soundstyle_player_play_samples (SoundstylePlayer       *self,
                                const float            *samples,
                                gsize                   n_samples,
                                int                     sample_rate,
                                SoundstyleAudioDevice  *device,
                                GError                **error)
{
  gboolean opened;

  g_return_val_if_fail (SOUNDSTYLE_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (samples != NULL || n_samples == 0, FALSE);
  g_return_val_if_fail (device == NULL || SOUNDSTYLE_IS_AUDIO_DEVICE (device), FALSE);

  if (n_samples == 0 || sample_rate < 1000 || sample_rate > 384000)
    {
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED,
                   "Cannot play %" G_GSIZE_FORMAT " samples at %d Hz",
                   n_samples, sample_rate);
      return FALSE;
    }

  soundstyle_player_stop (self);

  g_free (self->samples);
  self->samples = g_memdup2 (samples, n_samples * sizeof (float));
  self->n_samples = n_samples;
  self->sample_rate = sample_rate;

  if (!audio_backend_acquire (error))
    return FALSE;
  audio_backend_lock ();
  opened = open_stream (self, device, error);
  audio_backend_unlock ();
  if (!opened)
    {
      audio_backend_release ();
      return FALSE;
    }

  self->playing = TRUE;
  self->timer = g_timeout_source_new (1000 / SOUNDSTYLE_AUDIO_UPDATE_HZ);
  g_source_set_callback (self->timer, on_update_tick, self, NULL);
  g_source_set_static_name (self->timer, "[soundstyle] player update");
  g_source_attach (self->timer, self->context);

  g_object_freeze_notify (G_OBJECT (self));
  self->position = 0.0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
  self->duration = (double) n_samples / sample_rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

gboolean
soundstyle_player_play_sound (SoundstylePlayer       *self,
                              AdisSound              *sound,
                              SoundstyleAudioDevice  *device,
                              GError                **error)
{
  g_return_val_if_fail (sound != NULL, FALSE);

  return soundstyle_player_play_samples (self, adis_sound_get_samples (sound),
                                         ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE,
                                         device, error);
}

void
soundstyle_player_stop (SoundstylePlayer *self)
{
  double position;

  g_return_if_fail (SOUNDSTYLE_IS_PLAYER (self));

  if (!self->playing)
    return;

  /* Abort: the user wants silence now, not the device's queue played out */
  audio_backend_lock ();
  position = heard_position (self);
  Pa_AbortStream (self->stream);
  audio_backend_unlock ();

  g_object_ref (self);
  if (position >= 0.0)
    set_position (self, position);
  if (self->playing)
    finish (self, FALSE);
  g_object_unref (self);
}

gboolean
soundstyle_player_get_playing (SoundstylePlayer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_PLAYER (self), FALSE);
  return self->playing;
}

double
soundstyle_player_get_position (SoundstylePlayer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_PLAYER (self), 0.0);
  return self->position;
}

double
soundstyle_player_get_duration (SoundstylePlayer *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_PLAYER (self), 0.0);
  return self->duration;
}
