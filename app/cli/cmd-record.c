/* cmd-record.c: `soundstyle record`, a clip from the microphone into a WAV file
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "soundstyle-audio-io.h"
#include "soundstyle-cli.h"

#define DEFAULT_SECONDS 5.0

typedef struct
{
  GMainLoop          *loop;
  SoundstyleRecorder *recorder;
  double              seconds;
  gboolean            show_meter;
  gboolean            interrupted;
} Recording;

static void
on_seconds (SoundstyleRecorder *recorder,
            GParamSpec         *pspec,
            Recording          *recording)
{
  double elapsed = soundstyle_recorder_get_seconds (recorder);

  if (recording->show_meter)
    {
      /* A bar of 40 cells over -60..0 dBFS */
      double rms = soundstyle_recorder_get_rms_db (recorder);
      int cells = (int) CLAMP ((rms + 60.0) / 60.0 * 40.0, 0.0, 40.0);
      g_autofree char *bar = g_strnfill (cells, '#');

      fprintf (stderr, "\rRecording %4.1f / %.1f s  %-40s %6.1f dBFS (peak %6.1f)",
               elapsed, recording->seconds, bar, rms,
               soundstyle_recorder_get_peak_db (recorder));
      fflush (stderr);
    }

  if (elapsed >= recording->seconds)
    soundstyle_recorder_stop (recorder);
}

static void
on_finished (SoundstyleRecorder *recorder,
             Recording          *recording)
{
  g_main_loop_quit (recording->loop);
}

static gboolean
on_interrupted (GCancellable *cancellable,
                gpointer      user_data)
{
  Recording *recording = user_data;

  /* Ctrl-C ends the take early; what was heard is kept */
  recording->interrupted = TRUE;
  soundstyle_recorder_stop (recording->recorder);
  return G_SOURCE_REMOVE;
}

static SoundstyleAudioDevice *
find_device (int      index,
             GError **error)
{
  g_autoptr(GListModel) devices = soundstyle_audio_list_input_devices (error);

  if (devices == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(SoundstyleAudioDevice) device = g_list_model_get_item (devices, i);

      if (soundstyle_audio_device_get_index (device) == index)
        return g_steal_pointer (&device);
    }
  g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE,
               "there is no input device %d; see soundstyle devices", index);
  return NULL;
}

static gboolean
check_wav_path (const char  *path,
                GError     **error)
{
  g_autofree char *lower = NULL;

  if (!soundstyle_cli_check_output_path (path, error))
    return FALSE;
  lower = g_ascii_strdown (path, -1);
  if (!g_str_has_suffix (lower, ".wav"))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "cannot write “%s”: recordings are saved as .wav", path);
      return FALSE;
    }
  return TRUE;
}

int
soundstyle_cmd_record (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstyleAudioDevice) device = NULL;
  g_autoptr(SoundstyleRecorder) recorder = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GSource) interrupt_source = NULL;
  g_autofree char *output = NULL;
  g_autofree char *seconds_text = NULL;
  g_autofree float *samples = NULL;
  Recording recording = { 0 };
  int device_index = -1;
  double seconds = DEFAULT_SECONDS;
  gsize n = 0;
  int rate = 0;
  double peak = 0.0;
  const GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_INT, &device_index,
      "Input device number, from “soundstyle devices” (default: the system's)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_STRING, &seconds_text,
      "Length of the take, 3 to 10 seconds (default 5)", "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The WAV file to write", "FILE.wav" },
    { NULL }
  };

  context = g_option_context_new ("-o FILE.wav");
  g_option_context_set_summary (context,
    "Records a clip from the microphone (or another input device) into a\n"
    "16-bit mono WAV file at the device's rate, for use as a sound.");
  g_option_context_set_description (context,
    "A live level meter shows while recording (on a terminal). Ctrl-C stops\n"
    "early and keeps the take if it is at least 3 s long; nothing is written\n"
    "otherwise.\n"
    "\n"
    "Examples:\n"
    "  soundstyle devices\n"
    "  soundstyle record -o rain.wav\n"
    "  soundstyle record --device 2 --seconds 8 -o birds.wav\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);
  if (argc > 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "unexpected argument “%s”; see soundstyle record --help", argv[1]);
      return soundstyle_cli_report_error (error);
    }
  if (output == NULL)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "no output file; pass -o FILE.wav");
      return soundstyle_cli_report_error (error);
    }
  if (seconds_text != NULL &&
      !soundstyle_cli_parse_double (seconds_text, "--seconds", &seconds, &error))
    return soundstyle_cli_report_error (error);
  if (seconds < SOUNDSTYLE_RECORDER_MIN_SECONDS || seconds > SOUNDSTYLE_RECORDER_MAX_SECONDS)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--seconds must be between %.0f and %.0f, not %s",
                   SOUNDSTYLE_RECORDER_MIN_SECONDS, SOUNDSTYLE_RECORDER_MAX_SECONDS, seconds_text);
      return soundstyle_cli_report_error (error);
    }
  if (!check_wav_path (output, &error))
    return soundstyle_cli_report_error (error);

  if (device_index >= 0 && (device = find_device (device_index, &error)) == NULL)
    return soundstyle_cli_report_error (error);

  loop = g_main_loop_new (NULL, FALSE);
  recorder = soundstyle_recorder_new ();
  recording.loop = loop;
  recording.recorder = recorder;
  recording.seconds = seconds;
  recording.show_meter = isatty (STDERR_FILENO);
  g_signal_connect (recorder, "notify::seconds", G_CALLBACK (on_seconds), &recording);
  g_signal_connect (recorder, "finished", G_CALLBACK (on_finished), &recording);

  interrupt_source = g_cancellable_source_new (soundstyle_cli_interrupt_cancellable ());
  g_source_set_callback (interrupt_source, G_SOURCE_FUNC (on_interrupted), &recording, NULL);
  g_source_attach (interrupt_source, NULL);

  if (!soundstyle_recorder_start (recorder, device, &error))
    return soundstyle_cli_report_error (error);
  g_main_loop_run (loop);
  g_source_destroy (interrupt_source);
  if (recording.show_meter)
    fprintf (stderr, "\n");

  samples = soundstyle_recorder_dup_samples (recorder, &n, &rate);
  /* The recorder stops on the first update past the length: cut to it */
  n = MIN (n, (gsize) lround (seconds * rate));
  if ((double) n / rate < SOUNDSTYLE_RECORDER_MIN_SECONDS)
    {
      g_set_error (&error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT,
                   "the take is %.1f s long%s; record at least %.0f s, nothing written",
                   floor ((double) n / rate * 10.0) / 10.0,
                   recording.interrupted ? " (interrupted)" : "",
                   SOUNDSTYLE_RECORDER_MIN_SECONDS);
      return soundstyle_cli_report_error (error);
    }

  if (!soundstyle_audio_save_wav (samples, n, rate, output, &error))
    return soundstyle_cli_report_error (error);

  for (gsize i = 0; i < n; i++)
    peak = MAX (peak, fabs (samples[i]));
  g_print ("Recorded %.2f s at %d Hz, peak %.1f dBFS: %s\n",
           (double) n / rate, rate, peak > 0.0 ? 20.0 * log10 (peak) : SOUNDSTYLE_AUDIO_SILENCE_DB,
           output);
  return SOUNDSTYLE_EXIT_OK;
}
