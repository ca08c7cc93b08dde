/* audio-backend.c: starting PortAudio, finding devices, naming its errors
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-audio"

#include "config.h"

#include <math.h>
#include <stdarg.h>

#ifdef HAVE_ALSA
#include <alsa/asoundlib.h>
#endif
#ifdef HAVE_JACK
#include <jack/jack.h>
#endif

#include "audio-backend.h"

G_DEFINE_QUARK (soundstyle-audio-error-quark, soundstyle_audio_error)

/* Guards PortAudio's global state: initialisation and stream management */
static GRecMutex backend_mutex;
static guint backend_holders;

void
audio_backend_lock (void)
{
  g_rec_mutex_lock (&backend_mutex);
}

void
audio_backend_unlock (void)
{
  g_rec_mutex_unlock (&backend_mutex);
}

/* PortAudio probes every host API it was built with. Without this, libjack
 * prints several lines on stderr when no JACK server runs, and ALSA plugins
 * one per device that cannot open, breaking the command line's one-line
 * errors: their words go to the debug log instead (G_MESSAGES_DEBUG). */
#ifdef HAVE_JACK
static void
log_jack_message (const char *message)
{
  g_debug ("JACK: %s", message);
}
#endif

#ifdef HAVE_ALSA
static void
log_alsa_message (const char *file,
                  int         line,
                  const char *function,
                  int         err,
                  const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("ALSA: %s:%d (%s): %s", file, line, function, message);
}
#endif

static void
quiet_host_libraries (void)
{
#ifdef HAVE_JACK
  jack_set_error_function (log_jack_message);
  jack_set_info_function (log_jack_message);
#endif
#ifdef HAVE_ALSA
  snd_lib_error_set_handler (log_alsa_message);
#endif
}

gboolean
audio_backend_acquire (GError **error)
{
  static gsize quieted;
  PaError pa_error = paNoError;

  if (g_once_init_enter (&quieted))
    {
      quiet_host_libraries ();
      g_once_init_leave (&quieted, 1);
    }

  audio_backend_lock ();
  if (backend_holders == 0)
    pa_error = Pa_Initialize ();
  if (pa_error == paNoError)
    backend_holders++;
  audio_backend_unlock ();

  if (pa_error != paNoError)
    {
      audio_backend_set_error (error, pa_error, "start the audio system", NULL);
      return FALSE;
    }
  return TRUE;
}

void
audio_backend_release (void)
{
  audio_backend_lock ();
  g_assert (backend_holders > 0);
  if (--backend_holders == 0)
    Pa_Terminate ();
  audio_backend_unlock ();
}

static int
device_channels (const PaDeviceInfo *info,
                 gboolean            input)
{
  return input ? info->maxInputChannels : info->maxOutputChannels;
}

PaDeviceIndex
audio_backend_resolve (SoundstyleAudioDevice  *device,
                       gboolean                input,
                       GError                **error)
{
  const char *direction = input ? "input" : "output";
  const char *name;
  const char *host_api;
  const PaDeviceInfo *info;
  PaDeviceIndex index;
  int count;

  g_assert (backend_holders > 0);

  if (device == NULL)
    {
      index = input ? Pa_GetDefaultInputDevice () : Pa_GetDefaultOutputDevice ();
      if (index == paNoDevice)
        {
          g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE,
                       input ? "No microphone or other audio input device was found"
                             : "No speaker or other audio output device was found");
          return paNoDevice;
        }
      return index;
    }

  /* The listing's index first, then the same name on the same host API */
  name = soundstyle_audio_device_get_name (device);
  host_api = audio_device_get_host_api (device);
  count = Pa_GetDeviceCount ();
  index = soundstyle_audio_device_get_index (device);
  for (int i = -1; i < count; i++)
    {
      PaDeviceIndex candidate = i < 0 ? index : i;
      const PaHostApiInfo *api;

      if (candidate < 0 || candidate >= count)
        continue;
      info = Pa_GetDeviceInfo (candidate);
      api = info != NULL ? Pa_GetHostApiInfo (info->hostApi) : NULL;
      if (info != NULL && api != NULL &&
          g_strcmp0 (info->name, name) == 0 &&
          g_strcmp0 (api->name, host_api) == 0 &&
          device_channels (info, input) > 0)
        return candidate;
    }

  g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE,
               "The audio %s device “%s” is no longer available", direction, name);
  return paNoDevice;
}

const PaDeviceInfo *
audio_backend_stream_params (SoundstyleAudioDevice  *device,
                             gboolean                input,
                             double                  min_latency,
                             PaStreamParameters     *params,
                             GError                **error)
{
  PaDeviceIndex index = audio_backend_resolve (device, input, error);
  const PaDeviceInfo *info;
  const PaStreamParameters *in = input ? params : NULL;
  const PaStreamParameters *out = input ? NULL : params;

  if (index == paNoDevice)
    return NULL;
  info = Pa_GetDeviceInfo (index);

  *params = (PaStreamParameters) { 0 };
  params->device = index;
  params->sampleFormat = paFloat32;
  params->suggestedLatency = MAX (input ? info->defaultHighInputLatency : info->defaultHighOutputLatency,
                                  min_latency);
  params->channelCount = 1;
  /* Some hardware only opens in stereo; then the callbacks mix or copy */
  if (Pa_IsFormatSupported (in, out, info->defaultSampleRate) != paFormatIsSupported)
    params->channelCount = MAX (1, MIN (device_channels (info, input), 2));
  return info;
}

PaStream *
audio_backend_open_stream (const PaStreamParameters *params,
                           gboolean                  input,
                           double                    sample_rate,
                           PaStreamCallback         *callback,
                           gpointer                  user_data,
                           const char               *doing,
                           const char               *device_name,
                           GError                  **error)
{
  PaStream *stream = NULL;
  PaError pa_error = Pa_OpenStream (&stream, input ? params : NULL, input ? NULL : params, sample_rate,
                                    paFramesPerBufferUnspecified, paNoFlag, callback, user_data);

  if (pa_error != paNoError)
    {
      audio_backend_set_error (error, pa_error, doing, device_name);
      return NULL;
    }
  return stream;
}

gboolean
audio_backend_start_stream (PaStream    *stream,
                            const char  *doing,
                            const char  *device_name,
                            GError     **error)
{
  PaError pa_error = Pa_StartStream (stream);

  if (pa_error != paNoError)
    {
      Pa_CloseStream (stream);
      audio_backend_set_error (error, pa_error, doing, device_name);
      return FALSE;
    }
  return TRUE;
}

void
audio_backend_close_stream (PaStream *stream,
                            gboolean  abort)
{
  audio_backend_lock ();
  if (abort)
    Pa_AbortStream (stream);
  Pa_CloseStream (stream);
  audio_backend_unlock ();
  audio_backend_release ();
}

void
audio_backend_set_error (GError     **error,
                         PaError      pa_error,
                         const char  *doing,
                         const char  *device_name)
{
  g_autofree char *on_device = NULL;
  const char *why;

  on_device = device_name != NULL ? g_strdup_printf (" on “%s”", device_name)
                                  : g_strdup ("");

  switch (pa_error)
    {
    case paDeviceUnavailable:
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_BUSY,
                   "Cannot %s%s: the device is in use by another program",
                   doing, on_device);
      return;

    case paInvalidDevice:
    case paNoDevice:
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE,
                   "Cannot %s%s: the device is gone", doing, on_device);
      return;

    case paUnanticipatedHostError:
      /* The host's own words say more than PortAudio's generic text */
      why = Pa_GetLastHostErrorInfo ()->errorText;
      if (why == NULL || why[0] == '\0')
        why = Pa_GetErrorText (pa_error);
      break;

    default:
      why = Pa_GetErrorText (pa_error);
      break;
    }

  g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED,
               "Cannot %s%s: %s", doing, on_device, why);
}

double
audio_level_to_db (double level)
{
  double floor_level = pow (10.0, SOUNDSTYLE_AUDIO_SILENCE_DB / 20.0);

  if (!(level > floor_level))
    return SOUNDSTYLE_AUDIO_SILENCE_DB;
  return 20.0 * log10 (level);
}
