/* soundstyle-recorder.c: clip recordings (3-10 s) and the live 3-s ring
 *
 * SPDX-License-Identifier: MIT
 *
 * The PortAudio callback runs on the audio thread. It only copies (and
 * downmixes) into a buffer allocated before the stream starts and publishes
 * how many frames it has written with an atomic store; it never locks or
 * allocates. Everything else (levels, the end of the stream, signals)
 * happens in a timer on the owner context that reads what the callback has
 * published. A clip buffer fills once from its start; a live buffer is a
 * ring one second longer than the clip, so a reader copying the latest 3 s
 * has a second of slack before the writer could reach the part it copies,
 * and checks afterwards that it did not.
 */
#define G_LOG_DOMAIN "soundstyle-audio"

#include "config.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "audio-backend.h"

/* Live snapshots need at least this much audio */
#define LIVE_MIN_SECONDS  0.1
/* The slack of the live ring beyond the clip */
#define LIVE_SLACK_SECONDS 1

struct _SoundstyleRecorder
{
  GObject        parent_instance;

  GMainContext  *context;
  GSource       *timer;
  PaStream      *stream;
  char          *device_name;

  /* Written by the callback; set up before the stream starts */
  float         *buffer;
  gsize          capacity;      /* frames */
  int            n_channels;    /* opened on the device, averaged to mono */
  int            sample_rate;
  atomic_size_t  written;       /* frames since start; wraps the ring when live */

  /* Owner-context state behind the properties */
  gsize          metered;       /* frames the level meter has seen */
  gboolean       recording;
  gboolean       live;
  double         seconds;
  double         rms_db;
  double         peak_db;
};

G_DEFINE_FINAL_TYPE (SoundstyleRecorder, soundstyle_recorder, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RECORDING,
  PROP_LIVE,
  PROP_SECONDS,
  PROP_RMS_DB,
  PROP_PEAK_DB,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- The audio thread ------------------------------------------------------ */

static int
record_callback (const void                     *input,
                 void                           *output,
                 unsigned long                   n_frames,
                 const PaStreamCallbackTimeInfo *time_info,
                 PaStreamCallbackFlags           status,
                 void                           *user_data)
{
  SoundstyleRecorder *self = user_data;
  const float *in = input;
  gsize start = atomic_load_explicit (&self->written, memory_order_relaxed);
  gsize n = n_frames;
  int channels = self->n_channels;

  if (!self->live)
    n = MIN (n, self->capacity - start);

  for (gsize i = 0; i < n; i++)
    {
      float sum = 0.0f;

      /* No input (an overflow) records as silence, keeping time right */
      if (in != NULL)
        for (int c = 0; c < channels; c++)
          sum += in[i * channels + c];
      self->buffer[(start + i) % self->capacity] = sum / channels;
    }

  atomic_store_explicit (&self->written, start + n, memory_order_release);

  if (!self->live && start + n >= self->capacity)
    return paComplete;
  return paContinue;
}

/* ---- Reading what the callback wrote ---------------------------------------- */

/* Copies the latest (at most) max_frames into a new array; for a ring, retries
 * if the writer overtook the copy while it ran. */
static float *
copy_latest (SoundstyleRecorder *self,
             gsize               max_frames,
             gsize              *out_n_frames)
{
  for (int attempt = 0; attempt < 4; attempt++)
    {
      gsize end = atomic_load_explicit (&self->written, memory_order_acquire);
      gsize n = MIN (end, max_frames);
      gsize first = end - n;
      float *copy;

      if (n == 0)
        break;

      copy = g_new (float, n);
      for (gsize i = 0; i < n; i++)
        copy[i] = self->buffer[(first + i) % self->capacity];

      /* The callback writes a block before it publishes it: half a second
       * of margin covers the block in flight */
      if (!self->live ||
          atomic_load_explicit (&self->written, memory_order_acquire) - first
            <= self->capacity - (gsize) self->sample_rate / 2)
        {
          *out_n_frames = n;
          return copy;
        }
      g_free (copy);
    }

  *out_n_frames = 0;
  return NULL;
}

static void
set_double (SoundstyleRecorder *self,
            double             *field,
            double              value,
            int                 prop)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
    }
}

/* Levels over the audio that arrived since the last update */
static void
update_levels (SoundstyleRecorder *self)
{
  gsize end = atomic_load_explicit (&self->written, memory_order_acquire);
  gsize first = self->metered;
  double sum_squares = 0.0;
  float peak = 0.0f;

  if (end == first)
    return;
  /* Behind by more than the ring holds (the owner context was busy):
   * meter the part that is still there */
  if (self->live && end - first > self->capacity - (gsize) self->sample_rate / 2)
    first = end - (self->capacity - (gsize) self->sample_rate / 2);

  for (gsize i = first; i < end; i++)
    {
      float x = self->buffer[i % self->capacity];

      sum_squares += (double) x * x;
      peak = MAX (peak, fabsf (x));
    }
  self->metered = end;

  g_object_freeze_notify (G_OBJECT (self));
  set_double (self, &self->rms_db, audio_level_to_db (sqrt (sum_squares / (end - first))), PROP_RMS_DB);
  set_double (self, &self->peak_db, audio_level_to_db (peak), PROP_PEAK_DB);
  set_double (self, &self->seconds, (double) end / self->sample_rate, PROP_SECONDS);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Closes the stream (stopped or ended) and says so */
static void
finish (SoundstyleRecorder *self)
{
  g_assert (self->recording);

  audio_backend_close_stream (self->stream, FALSE);
  self->stream = NULL;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  /* Handlers run only after the state is final: one that calls stop()
   * from a notification finds nothing left to stop */
  self->recording = FALSE;
  g_object_freeze_notify (G_OBJECT (self));
  update_levels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[FINISHED], 0);
}

static gboolean
on_update_tick (gpointer user_data)
{
  g_autoptr(SoundstyleRecorder) self = g_object_ref (user_data);
  int active;

  /* A handler of these notifications may stop the recording (the CLI stops
   * at its length) or drop its reference */
  update_levels (self);
  if (!self->recording)
    return G_SOURCE_REMOVE;

  /* 0 after a clip filled up (paComplete) or the device failed */
  audio_backend_lock ();
  active = Pa_IsStreamActive (self->stream);
  audio_backend_unlock ();
  if (active != 1)
    {
      if (active < 0 || (!self->live && atomic_load (&self->written) < self->capacity))
        g_warning ("Recording from “%s” ended early: %s", self->device_name,
                   active < 0 ? Pa_GetErrorText (active) : "the device stopped");
      finish (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- Starting ---------------------------------------------------------------- */

static gboolean
open_stream (SoundstyleRecorder     *self,
             SoundstyleAudioDevice  *device,
             GError                **error)
{
  PaStreamParameters params;
  const PaDeviceInfo *info;

  /* Dropouts cost more than latency here: the meter runs at 30 Hz and a
   * live picture a few times a second anyway */
  info = audio_backend_stream_params (device, TRUE, 0.1, &params, error);
  if (info == NULL)
    return FALSE;
  g_free (self->device_name);
  self->device_name = g_strdup (info->name);

  self->n_channels = params.channelCount;
  self->sample_rate = (int) lround (info->defaultSampleRate);
  if (self->sample_rate < 8000)
    self->sample_rate = 48000;
  /* Live snapshots are taken many times a second: capturing at the model's
   * rate, where the device (or its sound server) can, spares resampling
   * each one (about 40 ms for 3 s at 44.1 kHz on a busy CPU) */
  if (self->live &&
      Pa_IsFormatSupported (&params, NULL, ADIS_SAMPLE_RATE) == paFormatIsSupported)
    self->sample_rate = ADIS_SAMPLE_RATE;

  /* Everything the callback touches exists before the stream does */
  if (self->live)
    self->capacity = (gsize) self->sample_rate * (ADIS_CLIP_SECONDS + LIVE_SLACK_SECONDS);
  else
    self->capacity = (gsize) lround (self->sample_rate * SOUNDSTYLE_RECORDER_MAX_SECONDS);
  g_free (self->buffer);
  self->buffer = g_new0 (float, self->capacity);
  atomic_store (&self->written, 0);
  self->metered = 0;

  self->stream = audio_backend_open_stream (&params, TRUE, self->sample_rate, record_callback, self,
                                            "record", info->name, error);
  if (self->stream == NULL)
    return FALSE;
  if (!audio_backend_start_stream (self->stream, "record", info->name, error))
    {
      self->stream = NULL;
      return FALSE;
    }
  return TRUE;
}

static gboolean
start (SoundstyleRecorder     *self,
       SoundstyleAudioDevice  *device,
       gboolean                live,
       GError                **error)
{
  gboolean opened;

  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (device == NULL || SOUNDSTYLE_IS_AUDIO_DEVICE (device), FALSE);
  g_return_val_if_fail (!self->recording, FALSE);

  if (!audio_backend_acquire (error))
    return FALSE;

  self->live = live;
  audio_backend_lock ();
  opened = open_stream (self, device, error);
  audio_backend_unlock ();
  if (!opened)
    {
      audio_backend_release ();
      return FALSE;
    }

  self->recording = TRUE;
  self->timer = g_timeout_source_new (1000 / SOUNDSTYLE_AUDIO_UPDATE_HZ);
  g_source_set_callback (self->timer, on_update_tick, self, NULL);
  g_source_set_static_name (self->timer, "[soundstyle] recorder update");
  g_source_attach (self->timer, self->context);

  g_object_freeze_notify (G_OBJECT (self));
  set_double (self, &self->seconds, 0.0, PROP_SECONDS);
  set_double (self, &self->rms_db, SOUNDSTYLE_AUDIO_SILENCE_DB, PROP_RMS_DB);
  set_double (self, &self->peak_db, SOUNDSTYLE_AUDIO_SILENCE_DB, PROP_PEAK_DB);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/* ---- GObject ----------------------------------------------------------------- */

static void
soundstyle_recorder_dispose (GObject *object)
{
  SoundstyleRecorder *self = (SoundstyleRecorder *) object;

  /* No signal to a half-disposed object's handlers: close quietly */
  if (self->recording)
    {
      audio_backend_close_stream (self->stream, TRUE);
      self->stream = NULL;
      self->recording = FALSE;
    }
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  G_OBJECT_CLASS (soundstyle_recorder_parent_class)->dispose (object);
}

static void
soundstyle_recorder_finalize (GObject *object)
{
  SoundstyleRecorder *self = (SoundstyleRecorder *) object;

  g_clear_pointer (&self->buffer, g_free);
  g_clear_pointer (&self->device_name, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (soundstyle_recorder_parent_class)->finalize (object);
}

static void
soundstyle_recorder_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SoundstyleRecorder *self = SOUNDSTYLE_RECORDER (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recording);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_SECONDS:
      g_value_set_double (value, self->seconds);
      break;
    case PROP_RMS_DB:
      g_value_set_double (value, self->rms_db);
      break;
    case PROP_PEAK_DB:
      g_value_set_double (value, self->peak_db);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_recorder_class_init (SoundstyleRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = soundstyle_recorder_dispose;
  object_class->finalize = soundstyle_recorder_finalize;
  object_class->get_property = soundstyle_recorder_get_property;

  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE, flags);
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, FALSE, flags);
  properties[PROP_SECONDS] =
    g_param_spec_double ("seconds", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_RMS_DB] =
    g_param_spec_double ("rms-db", NULL, NULL, SOUNDSTYLE_AUDIO_SILENCE_DB, 0.0,
                         SOUNDSTYLE_AUDIO_SILENCE_DB, flags);
  /* Peaks of float input may exceed full scale */
  properties[PROP_PEAK_DB] =
    g_param_spec_double ("peak-db", NULL, NULL, SOUNDSTYLE_AUDIO_SILENCE_DB, G_MAXDOUBLE,
                         SOUNDSTYLE_AUDIO_SILENCE_DB, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
soundstyle_recorder_init (SoundstyleRecorder *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->rms_db = SOUNDSTYLE_AUDIO_SILENCE_DB;
  self->peak_db = SOUNDSTYLE_AUDIO_SILENCE_DB;
  atomic_init (&self->written, 0);
}

/* ---- Public API -------------------------------------------------------------- */

SoundstyleRecorder *
soundstyle_recorder_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_RECORDER, NULL);
}

gboolean
soundstyle_recorder_start (SoundstyleRecorder     *self,
                           SoundstyleAudioDevice  *device,
                           GError                **error)
{
  return start (self, device, FALSE, error);
}

gboolean
soundstyle_recorder_start_live (SoundstyleRecorder     *self,
                                SoundstyleAudioDevice  *device,
                                GError                **error)
{
  return start (self, device, TRUE, error);
}

void
soundstyle_recorder_stop (SoundstyleRecorder *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_RECORDER (self));

  if (!self->recording)
    return;

  /* Stop waits for the callback in flight, so what it wrote is final */
  audio_backend_lock ();
  Pa_StopStream (self->stream);
  audio_backend_unlock ();

  g_object_ref (self);
  finish (self);
  g_object_unref (self);
}

gboolean
soundstyle_recorder_get_recording (SoundstyleRecorder *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), FALSE);
  return self->recording;
}

gboolean
soundstyle_recorder_get_live (SoundstyleRecorder *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), FALSE);
  return self->live;
}

double
soundstyle_recorder_get_seconds (SoundstyleRecorder *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), 0.0);
  return self->seconds;
}

double
soundstyle_recorder_get_rms_db (SoundstyleRecorder *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), SOUNDSTYLE_AUDIO_SILENCE_DB);
  return self->rms_db;
}

double
soundstyle_recorder_get_peak_db (SoundstyleRecorder *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), SOUNDSTYLE_AUDIO_SILENCE_DB);
  return self->peak_db;
}

AdisSound *
soundstyle_recorder_get_sound (SoundstyleRecorder  *self,
                               GError             **error)
{
  g_autofree float *samples = NULL;
  gsize n = 0;
  double seconds;

  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), NULL);

  if (self->buffer == NULL || self->live)
    {
      g_set_error_literal (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED,
                           "Nothing has been recorded yet");
      return NULL;
    }

  samples = copy_latest (self, self->capacity, &n);
  seconds = (double) n / self->sample_rate;
  if (seconds < SOUNDSTYLE_RECORDER_MIN_SECONDS)
    {
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT,
                   "The recording is %.1f s long; record at least %.0f s",
                   floor (seconds * 10.0) / 10.0, SOUNDSTYLE_RECORDER_MIN_SECONDS);
      return NULL;
    }
  return adis_sound_new_from_samples (samples, n, self->sample_rate, 1, error);
}

AdisSound *
soundstyle_recorder_snapshot (SoundstyleRecorder  *self,
                              GError             **error)
{
  g_autofree float *samples = NULL;
  gsize n = 0;

  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), NULL);

  if (self->buffer == NULL || !self->live)
    {
      g_set_error_literal (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED,
                           "Live recording is not running");
      return NULL;
    }

  samples = copy_latest (self, (gsize) self->sample_rate * ADIS_CLIP_SECONDS, &n);
  if ((double) n / self->sample_rate < LIVE_MIN_SECONDS)
    {
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT,
                   "Live recording has not heard %.1f s yet", LIVE_MIN_SECONDS);
      return NULL;
    }
  return adis_sound_new_from_samples (samples, n, self->sample_rate, 1, error);
}

float *
soundstyle_recorder_dup_samples (SoundstyleRecorder *self,
                                 gsize              *out_n_samples,
                                 int                *out_sample_rate)
{
  gsize n = 0;
  float *samples = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_RECORDER (self), NULL);
  g_return_val_if_fail (out_n_samples != NULL, NULL);

  if (self->buffer != NULL)
    samples = copy_latest (self, self->live ? (gsize) self->sample_rate * ADIS_CLIP_SECONDS
                                            : self->capacity, &n);
  *out_n_samples = n;
  if (out_sample_rate != NULL)
    *out_sample_rate = self->sample_rate;
  return samples;
}
