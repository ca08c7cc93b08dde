/* soundstyle-audio-device.c: one input or output device, and the lists of them
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-audio"

#include "config.h"

#include "audio-backend.h"

struct _SoundstyleAudioDevice
{
  GObject   parent_instance;

  char     *name;
  char     *host_api;
  int       index;
  gboolean  is_default;
  int       max_channels;
  double    default_sample_rate;
};

G_DEFINE_FINAL_TYPE (SoundstyleAudioDevice, soundstyle_audio_device, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_INDEX,
  PROP_IS_DEFAULT,
  PROP_MAX_CHANNELS,
  PROP_DEFAULT_SAMPLE_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
soundstyle_audio_device_finalize (GObject *object)
{
  SoundstyleAudioDevice *self = (SoundstyleAudioDevice *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->host_api, g_free);

  G_OBJECT_CLASS (soundstyle_audio_device_parent_class)->finalize (object);
}

static void
soundstyle_audio_device_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  SoundstyleAudioDevice *self = SOUNDSTYLE_AUDIO_DEVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_INDEX:
      g_value_set_int (value, self->index);
      break;
    case PROP_IS_DEFAULT:
      g_value_set_boolean (value, self->is_default);
      break;
    case PROP_MAX_CHANNELS:
      g_value_set_int (value, self->max_channels);
      break;
    case PROP_DEFAULT_SAMPLE_RATE:
      g_value_set_double (value, self->default_sample_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_audio_device_class_init (SoundstyleAudioDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = soundstyle_audio_device_finalize;
  object_class->get_property = soundstyle_audio_device_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_INDEX] =
    g_param_spec_int ("index", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_IS_DEFAULT] =
    g_param_spec_boolean ("is-default", NULL, NULL, FALSE, flags);
  properties[PROP_MAX_CHANNELS] =
    g_param_spec_int ("max-channels", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_DEFAULT_SAMPLE_RATE] =
    g_param_spec_double ("default-sample-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
soundstyle_audio_device_init (SoundstyleAudioDevice *self)
{
  self->index = -1;
}

SoundstyleAudioDevice *
audio_device_new (PaDeviceIndex       index,
                  const PaDeviceInfo *info,
                  gboolean            input,
                  gboolean            is_default)
{
  SoundstyleAudioDevice *self = g_object_new (SOUNDSTYLE_TYPE_AUDIO_DEVICE, NULL);
  const PaHostApiInfo *api = Pa_GetHostApiInfo (info->hostApi);

  self->name = g_strdup (info->name);
  self->host_api = g_strdup (api != NULL ? api->name : "");
  self->index = index;
  self->is_default = is_default;
  self->max_channels = input ? info->maxInputChannels : info->maxOutputChannels;
  self->default_sample_rate = info->defaultSampleRate;
  return self;
}

const char *
audio_device_get_host_api (SoundstyleAudioDevice *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_AUDIO_DEVICE (self), NULL);
  return self->host_api;
}

const char *
soundstyle_audio_device_get_name (SoundstyleAudioDevice *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_AUDIO_DEVICE (self), NULL);
  return self->name;
}

int
soundstyle_audio_device_get_index (SoundstyleAudioDevice *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_AUDIO_DEVICE (self), -1);
  return self->index;
}

gboolean
soundstyle_audio_device_get_is_default (SoundstyleAudioDevice *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_AUDIO_DEVICE (self), FALSE);
  return self->is_default;
}

int
soundstyle_audio_device_get_max_channels (SoundstyleAudioDevice *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_AUDIO_DEVICE (self), 0);
  return self->max_channels;
}

double
soundstyle_audio_device_get_default_sample_rate (SoundstyleAudioDevice *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_AUDIO_DEVICE (self), 0.0);
  return self->default_sample_rate;
}

static GListModel *
list_devices (gboolean   input,
              GError   **error)
{
  g_autoptr(GListStore) store = NULL;
  PaDeviceIndex default_index;
  int count;

  if (!audio_backend_acquire (error))
    return NULL;

  store = g_list_store_new (SOUNDSTYLE_TYPE_AUDIO_DEVICE);
  default_index = input ? Pa_GetDefaultInputDevice () : Pa_GetDefaultOutputDevice ();
  count = Pa_GetDeviceCount ();
  for (PaDeviceIndex i = 0; i < count; i++)
    {
      const PaDeviceInfo *info = Pa_GetDeviceInfo (i);
      g_autoptr(SoundstyleAudioDevice) device = NULL;

      if (info == NULL || (input ? info->maxInputChannels : info->maxOutputChannels) <= 0)
        continue;
      device = audio_device_new (i, info, input, i == default_index);
      g_list_store_append (store, device);
    }

  audio_backend_release ();
  return G_LIST_MODEL (g_steal_pointer (&store));
}

GListModel *
soundstyle_audio_list_input_devices (GError **error)
{
  return list_devices (TRUE, error);
}

GListModel *
soundstyle_audio_list_output_devices (GError **error)
{
  return list_devices (FALSE, error);
}
