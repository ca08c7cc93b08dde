/* cmd-devices.c: `soundstyle devices`, the audio devices `record` can use
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include "soundstyle-audio-io.h"
#include "soundstyle-cli.h"

static void
print_devices (const char *title,
               GListModel *devices)
{
  guint n = g_list_model_get_n_items (devices);

  g_print ("%s:\n", title);
  if (n == 0)
    g_print ("  none found\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoundstyleAudioDevice) device = g_list_model_get_item (devices, i);

      g_print ("%s %3d  %-32s %2d channels, %.0f Hz\n",
               soundstyle_audio_device_get_is_default (device) ? "*" : " ",
               soundstyle_audio_device_get_index (device),
               soundstyle_audio_device_get_name (device),
               soundstyle_audio_device_get_max_channels (device),
               soundstyle_audio_device_get_default_sample_rate (device));
    }
}

int
soundstyle_cmd_devices (int    argc,
                        char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) inputs = NULL;
  g_autoptr(GListModel) outputs = NULL;
  const GOptionEntry entries[] = {
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Lists the audio input and output devices, numbered for\n"
    "“soundstyle record --device N”; * marks the system's default.");
  g_option_context_set_description (context,
    "Example:\n"
    "  soundstyle devices\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);
  if (argc > 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unexpected argument “%s”; see soundstyle devices --help", argv[1]);
      return soundstyle_cli_report_error (error);
    }

  inputs = soundstyle_audio_list_input_devices (&error);
  if (inputs == NULL)
    return soundstyle_cli_report_error (error);
  outputs = soundstyle_audio_list_output_devices (&error);
  if (outputs == NULL)
    return soundstyle_cli_report_error (error);

  print_devices ("Input devices", inputs);
  print_devices ("Output devices", outputs);
  return SOUNDSTYLE_EXIT_OK;
}
