/* test-audio-io.c: recording, live buffer and playback against a real
 * PulseAudio daemon with a null sink (no mock anywhere)
 *
 * SPDX-License-Identifier: MIT
 *
 * paplay plays known tones into the null sink; the recorder records its
 * monitor through PortAudio -> ALSA "pulse" plugin -> the daemon; the player's
 * output is recorded with parec. Pitch, length and level are measured on
 * what came back.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "soundstyle-audio-io.h"
#include "test-util.h"
#include "sound-server.h"

#define TONE_AMPLITUDE  0.5
/* A sine of amplitude A has RMS A/sqrt(2) */
#define TONE_RMS_DB     (20.0 * log10 (TONE_AMPLITUDE / G_SQRT2))
#define TONE_PEAK_DB    (20.0 * log10 (TONE_AMPLITUDE))

static SoundServer *server;

/* Every test that needs the daemon calls this; a daemon that does not start
 * fails the test with its log, it never skips it */
static gboolean
need_server (void)
{
  g_autoptr(GError) error = NULL;

  if (server != NULL)
    return TRUE;
  if (!sound_server_available ())
    {
      g_test_skip ("pulseaudio is not installed (build-aux/test.sh installs it)");
      return FALSE;
    }
  server = sound_server_start (&error);
  g_assert_no_error (error);
  return TRUE;
}

static void
iterate_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static void
iterate_until (const gboolean *flag,
               double          timeout)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
on_finished_count (GObject *object,
                   gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* ---- Devices --------------------------------------------------------------- */

static void
test_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) inputs = NULL;
  g_autoptr(GListModel) outputs = NULL;
  guint n_defaults = 0;

  if (!need_server ())
    return;

  inputs = soundstyle_audio_list_input_devices (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (inputs), >=, 1);
  for (guint i = 0; i < g_list_model_get_n_items (inputs); i++)
    {
      g_autoptr(SoundstyleAudioDevice) device = g_list_model_get_item (inputs, i);
      g_autofree char *name = NULL;

      g_object_get (device, "name", &name, NULL);
      g_assert_cmpstr (name, ==, soundstyle_audio_device_get_name (device));
      g_assert_cmpstr (name, !=, "");
      g_assert_cmpint (soundstyle_audio_device_get_index (device), >=, 0);
      g_assert_cmpint (soundstyle_audio_device_get_max_channels (device), >=, 1);
      g_assert_cmpfloat (soundstyle_audio_device_get_default_sample_rate (device), >=, 8000.0);
      n_defaults += soundstyle_audio_device_get_is_default (device);
      g_test_message ("input %d: %s (%d channels, %.0f Hz)%s",
                      soundstyle_audio_device_get_index (device), name,
                      soundstyle_audio_device_get_max_channels (device),
                      soundstyle_audio_device_get_default_sample_rate (device),
                      soundstyle_audio_device_get_is_default (device) ? " default" : "");
    }
  g_assert_cmpuint (n_defaults, ==, 1);

  outputs = soundstyle_audio_list_output_devices (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (outputs), >=, 1);
}

/* A device from a listing that has since gone (unplugged) is refused by
 * name, not silently swapped for whatever took its number */
static void
test_device_gone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) inputs = NULL;
  g_autoptr(SoundstyleAudioDevice) pulse = NULL;
  g_autoptr(SoundstyleRecorder) recorder = soundstyle_recorder_new ();
  g_autofree char *saved = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;

  if (!need_server ())
    return;

  inputs = soundstyle_audio_list_input_devices (&error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (inputs) && pulse == NULL; i++)
    {
      g_autoptr(SoundstyleAudioDevice) device = g_list_model_get_item (inputs, i);

      if (g_strcmp0 (soundstyle_audio_device_get_name (device), "pulse") == 0)
        pulse = g_steal_pointer (&device);
    }
  g_assert_nonnull (pulse);

  /* The same sound server, but ALSA now offers only its default device */
  saved = g_strdup (g_getenv ("ALSA_CONFIG_PATH"));
  dir = test_make_tmpdir ("soundstyle-gone");
  config = g_build_filename (dir, "asound.conf", NULL);
  g_file_set_contents (config, "pcm.!default { type pulse }\nctl.!default { type pulse }\n", -1, &error);
  g_assert_no_error (error);
  g_setenv ("ALSA_CONFIG_PATH", config, TRUE);

  g_assert_false (soundstyle_recorder_start (recorder, pulse, &error));
  g_setenv ("ALSA_CONFIG_PATH", saved, TRUE);
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE);
  g_test_message ("%s", error->message);
  g_assert_cmpstr (error->message, ==, "The audio input device “pulse” is no longer available");
  g_clear_error (&error);

  /* Back again: the same object records */
  g_assert_true (soundstyle_recorder_start (recorder, pulse, &error));
  g_assert_no_error (error);
  soundstyle_recorder_stop (recorder);
  test_rm_rf (dir);
}

/* ---- No sound server: no device ---------------------------------------------- */

static void
test_no_device_subprocess (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) inputs = NULL;
  g_autoptr(SoundstyleRecorder) recorder = NULL;
  g_autoptr(SoundstylePlayer) player = NULL;
  g_autofree char *dir = test_make_tmpdir ("soundstyle-nodev");
  g_autofree char *socket = g_strdup_printf ("unix:%s/nobody-listens", dir);
  float samples[1600] = { 0 };

  /* ALSA sees only PulseAudio, and no PulseAudio answers */
  sound_server_use_alsa_pulse (dir);
  g_setenv ("PULSE_SERVER", socket, TRUE);

  inputs = soundstyle_audio_list_input_devices (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (inputs), ==, 0);

  recorder = soundstyle_recorder_new ();
  g_assert_false (soundstyle_recorder_start (recorder, NULL, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "No microphone"));
  g_printerr ("recorder: %s\n", error->message);
  g_clear_error (&error);
  g_assert_false (soundstyle_recorder_get_recording (recorder));

  g_assert_false (soundstyle_recorder_start_live (recorder, NULL, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE);
  g_clear_error (&error);

  player = soundstyle_player_new ();
  g_assert_false (soundstyle_player_play_samples (player, samples, G_N_ELEMENTS (samples),
                                                  16000, NULL, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE);
  g_printerr ("player: %s\n", error->message);
  g_assert_false (soundstyle_player_get_playing (player));

  test_rm_rf (dir);
}

static void
test_no_device (void)
{
  g_test_trap_subprocess ("/audio-io/no-device/subprocess", 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*recorder: No microphone or other audio input device was found*");
  g_test_trap_assert_stderr ("*player: No speaker or other audio output device was found*");
}

/* ---- Recording a tone ----------------------------------------------------------- */

typedef struct
{
  double time;
  double rms_db;
  double peak_db;
} Level;

static void
on_level (SoundstyleRecorder *recorder,
          GParamSpec         *pspec,
          GArray             *levels)
{
  Level level = {
    now_seconds (),
    soundstyle_recorder_get_rms_db (recorder),
    soundstyle_recorder_get_peak_db (recorder),
  };

  g_array_append_val (levels, level);
}

static void
wait_for_seconds (SoundstyleRecorder *recorder,
                  double              seconds,
                  double              timeout)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (soundstyle_recorder_get_seconds (recorder) < seconds)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      iterate_for (0.005);
    }
}

static void
test_record_tone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstyleRecorder) recorder = NULL;
  g_autoptr(GSubprocess) tone = NULL;
  g_autoptr(GArray) levels = g_array_new (FALSE, FALSE, sizeof (Level));
  g_autoptr(AdisSound) sound = NULL;
  g_autofree float *samples = NULL;
  guint n_finished = 0;
  double flowing_wall, flowing_recorded, tone_started, stopped;
  double max_rms = SOUNDSTYLE_AUDIO_SILENCE_DB, max_peak = SOUNDSTYLE_AUDIO_SILENCE_DB;
  double silent_rms = SOUNDSTYLE_AUDIO_SILENCE_DB;
  gsize n = 0, first = 0, end = 0;
  int rate = 0;
  double pitch, seconds, tone_seconds;

  if (!need_server ())
    return;

  recorder = soundstyle_recorder_new ();
  g_signal_connect (recorder, "notify::rms-db", G_CALLBACK (on_level), levels);
  g_signal_connect (recorder, "finished", G_CALLBACK (on_finished_count), &n_finished);

  g_assert_true (soundstyle_recorder_start (recorder, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (soundstyle_recorder_get_recording (recorder));
  g_assert_false (soundstyle_recorder_get_live (recorder));

  /* The null sink's monitor starts delivering after a delay (about 0.5 s
   * here); time is measured from when it flows */
  wait_for_seconds (recorder, 0.5, 5.0);
  flowing_wall = now_seconds ();
  flowing_recorded = soundstyle_recorder_get_seconds (recorder);

  /* Silence, then 2.5 s of 440 Hz, then silence again */
  tone_started = now_seconds ();
  tone = sound_server_play_tone (server, 440.0, TONE_AMPLITUDE, 2.5);
  while (g_subprocess_get_identifier (tone) != NULL)
    iterate_for (0.01);
  g_assert_true (g_subprocess_get_successful (tone));
  wait_for_seconds (recorder, soundstyle_recorder_get_seconds (recorder) + 1.0, 5.0);
  soundstyle_recorder_stop (recorder);
  stopped = now_seconds ();

  g_assert_cmpuint (n_finished, ==, 1);
  g_assert_false (soundstyle_recorder_get_recording (recorder));
  soundstyle_recorder_stop (recorder);
  g_assert_cmpuint (n_finished, ==, 1);

  /* Length: audio arrives at the pace of the clock */
  samples = soundstyle_recorder_dup_samples (recorder, &n, &rate);
  g_assert_nonnull (samples);
  seconds = (double) n / rate;
  g_test_message ("recorded %.3f s at %d Hz; %.3f s of it in %.3f s of wall time",
                  seconds, rate, seconds - flowing_recorded, stopped - flowing_wall);
  g_assert_cmpfloat_with_epsilon (seconds, soundstyle_recorder_get_seconds (recorder), 1e-9);
  g_assert_cmpfloat_with_epsilon (seconds - flowing_recorded, stopped - flowing_wall, 0.25);
  g_assert_cmpfloat (seconds, <, SOUNDSTYLE_RECORDER_MAX_SECONDS);

  /* The tone: all of it, at its pitch and level, after silence */
  g_assert_true (tone_find_span (samples, n, rate, 0.1f, &first, &end));
  tone_seconds = (double) (end - first) / rate;
  pitch = tone_estimate_pitch (samples, first + rate / 50, end - rate / 50, rate);
  g_test_message ("tone from %.3f s to %.3f s (%.3f s): %.2f Hz, RMS %.2f dBFS",
                  (double) first / rate, (double) end / rate, tone_seconds, pitch,
                  20.0 * log10 (tone_rms (samples, first + rate / 50, end - rate / 50)));
  g_assert_cmpfloat_with_epsilon (pitch, 440.0, 2.0);
  g_assert_cmpfloat_with_epsilon (tone_seconds, 2.5, 0.05);
  g_assert_cmpfloat_with_epsilon (20.0 * log10 (tone_rms (samples, first + rate / 50, end - rate / 50)),
                                  TONE_RMS_DB, 1.0);
  g_assert_cmpfloat ((double) first / rate, >=, 0.5);
  g_assert_cmpfloat (tone_rms (samples, 0, (gsize) (0.5 * rate)), <, 1e-4);
  /* (past the resampler's ringing at the cut) */
  g_assert_cmpfloat (tone_rms (samples, end + rate / 50, n), <, 1e-4);

  /* The meter: ~30 updates a second, silent at first, then the tone's level */
  g_test_message ("%u level updates in %.2f s", levels->len, stopped - flowing_wall);
  g_assert_cmpuint (levels->len, >=, (guint) (10 * (stopped - flowing_wall)));
  for (guint i = 0; i < levels->len; i++)
    {
      Level *level = &g_array_index (levels, Level, i);

      if (level->time < tone_started)
        silent_rms = MAX (silent_rms, level->rms_db);
      max_rms = MAX (max_rms, level->rms_db);
      max_peak = MAX (max_peak, level->peak_db);
    }
  g_test_message ("meter: %.1f dBFS before the tone, RMS up to %.2f dBFS, peak up to %.2f dBFS",
                  silent_rms, max_rms, max_peak);
  g_assert_cmpfloat (silent_rms, <=, -80.0);
  g_assert_cmpfloat_with_epsilon (max_rms, TONE_RMS_DB, 1.0);
  g_assert_cmpfloat_with_epsilon (max_peak, TONE_PEAK_DB, 1.0);

  /* The clip: the 3-s, 16-kHz rules applied to the recording's first 3 s */
  sound = soundstyle_recorder_get_sound (recorder, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (sound), seconds, 1e-6);
  g_assert_true (tone_find_span (adis_sound_get_samples (sound), ADIS_CLIP_SAMPLES,
                                 ADIS_SAMPLE_RATE, 0.1f, &first, &end));
  pitch = tone_estimate_pitch (adis_sound_get_samples (sound), first + 320, end - 320,
                               ADIS_SAMPLE_RATE);
  g_test_message ("as a 16-kHz sound: %.2f Hz", pitch);
  g_assert_cmpfloat_with_epsilon (pitch, 440.0, 2.0);

  /* Not live: no snapshot */
  g_assert_null (soundstyle_recorder_snapshot (recorder, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED);
}

static void
test_stop_early (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstyleRecorder) recorder = soundstyle_recorder_new ();
  guint n_finished = 0;

  if (!need_server ())
    return;

  g_signal_connect (recorder, "finished", G_CALLBACK (on_finished_count), &n_finished);
  g_assert_true (soundstyle_recorder_start (recorder, NULL, &error));
  g_assert_no_error (error);
  wait_for_seconds (recorder, 1.0, 5.0);
  soundstyle_recorder_stop (recorder);
  g_assert_cmpuint (n_finished, ==, 1);
  g_assert_false (soundstyle_recorder_get_recording (recorder));
  g_test_message ("stopped after %.3f s", soundstyle_recorder_get_seconds (recorder));
  g_assert_cmpfloat (soundstyle_recorder_get_seconds (recorder), >=, 1.0);
  g_assert_cmpfloat (soundstyle_recorder_get_seconds (recorder), <, 1.3);

  g_assert_null (soundstyle_recorder_get_sound (recorder, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "record at least 3 s"));
  g_clear_error (&error);

  /* Stopping at once, before any audio arrived, is fine too */
  g_assert_true (soundstyle_recorder_start (recorder, NULL, &error));
  soundstyle_recorder_stop (recorder);
  g_assert_cmpuint (n_finished, ==, 2);
  g_assert_null (soundstyle_recorder_get_sound (recorder, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT);
  g_clear_error (&error);

  /* Disposing a running recorder closes its stream quietly */
  g_assert_true (soundstyle_recorder_start (recorder, NULL, &error));
  iterate_for (0.2);
  g_assert_finalize_object (g_steal_pointer (&recorder));
}

static void
on_finished_flag (GObject *object,
                  gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_auto_stop (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstyleRecorder) recorder = soundstyle_recorder_new ();
  g_autoptr(AdisSound) sound = NULL;
  g_autofree float *samples = NULL;
  gboolean finished = FALSE;
  double started;
  gsize n = 0;
  int rate = 0;

  if (!need_server ())
    return;

  g_signal_connect (recorder, "finished", G_CALLBACK (on_finished_flag), &finished);
  g_assert_true (soundstyle_recorder_start (recorder, NULL, &error));
  g_assert_no_error (error);
  started = now_seconds ();
  iterate_until (&finished, SOUNDSTYLE_RECORDER_MAX_SECONDS + 5.0);
  g_test_message ("stopped by itself after %.3f s of wall time", now_seconds () - started);

  samples = soundstyle_recorder_dup_samples (recorder, &n, &rate);
  g_assert_cmpuint (n, ==, (gsize) (SOUNDSTYLE_RECORDER_MAX_SECONDS * rate));
  g_assert_cmpfloat (soundstyle_recorder_get_seconds (recorder), ==, SOUNDSTYLE_RECORDER_MAX_SECONDS);
  g_assert_cmpfloat (now_seconds () - started, >=, SOUNDSTYLE_RECORDER_MAX_SECONDS - 0.2);
  sound = soundstyle_recorder_get_sound (recorder, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (sound), 10.0, 1e-6);
}

/* ---- Live ------------------------------------------------------------------------ */

static void
test_live (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstyleRecorder) recorder = soundstyle_recorder_new ();
  g_autoptr(AdisSound) quiet = NULL;
  g_autoptr(AdisSound) loud = NULL;
  g_autoptr(GSubprocess) tone = NULL;
  g_autofree float *latest = NULL;
  const float *x;
  double tone_started, pitch, min_rms = 1.0;
  gsize n = 0;
  int rate = 0;

  if (!need_server ())
    return;

  g_assert_true (soundstyle_recorder_start_live (recorder, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (soundstyle_recorder_get_live (recorder));

  wait_for_seconds (recorder, 0.6, 5.0);
  quiet = soundstyle_recorder_snapshot (recorder, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (adis_sound_get_rms (quiet), <, 1e-4);

  tone_started = now_seconds ();
  tone = sound_server_play_tone (server, 550.0, TONE_AMPLITUDE, 6.0);
  /* Until the ring has wrapped (it holds 4 s) and its latest 3 s are all
   * tone; the tone lasts 6 s, so this must happen well before 8 s */
  while (TRUE)
    {
      g_assert_cmpfloat (now_seconds () - tone_started, <, 8.0);
      iterate_for (0.1);
      if (soundstyle_recorder_get_seconds (recorder) < 4.5)
        continue;
      g_clear_pointer (&loud, adis_sound_unref);
      loud = soundstyle_recorder_snapshot (recorder, &error);
      g_assert_no_error (error);
      x = adis_sound_get_samples (loud);
      min_rms = 1.0;
      for (gsize i = 0; i + 1600 <= ADIS_CLIP_SAMPLES; i += 1600)
        min_rms = MIN (min_rms, tone_rms (x, i, i + 1600));
      if (min_rms > 0.1)
        break;
    }
  g_assert_true (soundstyle_recorder_get_recording (recorder));

  pitch = tone_estimate_pitch (x, 0, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE);
  g_test_message ("live snapshot after %.2f s (tone for %.2f s): %.2f Hz, quietest 0.1 s at %.2f dBFS",
                  soundstyle_recorder_get_seconds (recorder), now_seconds () - tone_started,
                  pitch, 20.0 * log10 (min_rms));
  g_assert_cmpfloat_with_epsilon (pitch, 550.0, 2.0);
  g_assert_cmpfloat_with_epsilon (20.0 * log10 (min_rms), TONE_RMS_DB, 1.5);

  latest = soundstyle_recorder_dup_samples (recorder, &n, &rate);
  g_assert_cmpuint (n, ==, (gsize) rate * ADIS_CLIP_SECONDS);

  soundstyle_recorder_stop (recorder);
  g_subprocess_force_exit (tone);
  /* Stopped live audio is still there to look at */
  g_clear_pointer (&loud, adis_sound_unref);
  loud = soundstyle_recorder_snapshot (recorder, &error);
  g_assert_no_error (error);
  g_assert_null (soundstyle_recorder_get_sound (recorder, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED);
}

/* ---- Playback --------------------------------------------------------------------- */

typedef struct
{
  gboolean finished;
  gboolean reached_end;
  double   time;
} PlayEnd;

static void
on_play_finished (SoundstylePlayer *player,
                  gboolean          reached_end,
                  PlayEnd          *end)
{
  end->finished = TRUE;
  end->reached_end = reached_end;
  end->time = now_seconds ();
}

static AdisSound *
make_tone_sound (double freq)
{
  g_autoptr(GError) error = NULL;
  g_autofree float *x = g_new (float, ADIS_CLIP_SAMPLES);
  AdisSound *sound;

  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    x[i] = TONE_AMPLITUDE * sin (2.0 * G_PI * freq * i / ADIS_SAMPLE_RATE);
  sound = adis_sound_new_from_samples (x, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);
  return sound;
}

static void
test_play (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstylePlayer) player = soundstyle_player_new ();
  g_autoptr(AdisSound) sound = make_tone_sound (660.0);
  g_autoptr(GSubprocess) capture = NULL;
  g_autofree float *heard = NULL;
  PlayEnd end = { 0 };
  gsize n = 0, first = 0, last = 0;
  double started, pitch;
  const int rate = 16000;

  if (!need_server ())
    return;

  g_signal_connect (player, "finished", G_CALLBACK (on_play_finished), &end);
  capture = sound_server_start_capture (server, rate);

  g_assert_true (soundstyle_player_play_sound (player, sound, NULL, &error));
  g_assert_no_error (error);
  started = now_seconds ();
  g_assert_true (soundstyle_player_get_playing (player));
  g_assert_cmpfloat (soundstyle_player_get_duration (player), ==, 3.0);
  iterate_until (&end.finished, 10.0);
  g_test_message ("finished after %.3f s", end.time - started);
  g_assert_true (end.reached_end);
  g_assert_false (soundstyle_player_get_playing (player));
  g_assert_cmpfloat (soundstyle_player_get_position (player), ==, 3.0);
  g_assert_cmpfloat (end.time - started, >=, 2.9);
  g_assert_cmpfloat (end.time - started, <=, 8.0);

  iterate_for (0.3);
  heard = sound_server_stop_capture (server, capture, &n);
  g_assert_true (tone_find_span (heard, n, rate, 0.1f, &first, &last));
  pitch = tone_estimate_pitch (heard, first + rate / 50, last - rate / 50, rate);
  g_test_message ("parec heard %.3f s of tone at %.2f Hz, RMS %.2f dBFS",
                  (double) (last - first) / rate, pitch,
                  20.0 * log10 (tone_rms (heard, first + rate / 50, last - rate / 50)));
  g_assert_cmpfloat_with_epsilon (pitch, 660.0, 2.0);
  g_assert_cmpfloat_with_epsilon ((double) (last - first) / rate, 3.0, 0.03);
  g_assert_cmpfloat_with_epsilon (20.0 * log10 (tone_rms (heard, first + rate / 50, last - rate / 50)),
                                  TONE_RMS_DB, 1.0);
}

static void
test_play_stop (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoundstylePlayer) player = soundstyle_player_new ();
  g_autoptr(AdisSound) sound = make_tone_sound (330.0);
  g_autofree float *samples = NULL;
  PlayEnd end = { 0 };
  const int rate = 22050;

  if (!need_server ())
    return;

  g_signal_connect (player, "finished", G_CALLBACK (on_play_finished), &end);
  g_assert_true (soundstyle_player_play_sound (player, sound, NULL, &error));
  g_assert_no_error (error);
  iterate_for (0.5);
  soundstyle_player_stop (player);
  g_assert_true (end.finished);
  g_assert_false (end.reached_end);
  g_assert_false (soundstyle_player_get_playing (player));
  g_test_message ("stopped at %.3f s", soundstyle_player_get_position (player));
  /* The position is what has been heard, not what was handed over */
  g_assert_cmpfloat_with_epsilon (soundstyle_player_get_position (player), 0.5, 0.15);

  /* Any samples at any rate; a new play while playing ends the old one */
  samples = g_new (float, rate);
  for (int i = 0; i < rate; i++)
    samples[i] = 0.25f * sinf (2.0f * G_PI * 500.0f * i / rate);
  memset (&end, 0, sizeof end);
  g_assert_true (soundstyle_player_play_sound (player, sound, NULL, &error));
  g_assert_true (soundstyle_player_play_samples (player, samples, rate, rate, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (end.finished);
  g_assert_false (end.reached_end);
  memset (&end, 0, sizeof end);
  g_assert_cmpfloat (soundstyle_player_get_duration (player), ==, 1.0);
  iterate_until (&end.finished, 5.0);
  g_assert_true (end.reached_end);

  g_assert_false (soundstyle_player_play_samples (player, samples, 0, rate, NULL, &error));
  g_assert_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED);
}

/* ---- Files ---------------------------------------------------------------------------- */

static void
test_save_wav (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_tmpdir ("soundstyle-wav");
  g_autofree char *path = g_build_filename (dir, "take.wav", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "take.wav", NULL);
  g_autofree float *x = g_new (float, 44100 * 5);
  g_autoptr(AdisSound) sound = NULL;
  gsize first = 0, end = 0;

  for (int i = 0; i < 44100 * 5; i++)
    x[i] = 1.5f * sinf (2.0f * G_PI * 440.0f * i / 44100.0f);   /* clips */

  g_assert_true (soundstyle_audio_save_wav (x, 44100 * 5, 44100, path, &error));
  g_assert_no_error (error);

  /* Read back by libsndfile, through the engine */
  sound = adis_sound_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (sound), 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_peak (sound), 1.0, 0.02);
  g_assert_true (tone_find_span (adis_sound_get_samples (sound), ADIS_CLIP_SAMPLES,
                                 ADIS_SAMPLE_RATE, 0.1f, &first, &end));
  g_assert_cmpfloat_with_epsilon (tone_estimate_pitch (adis_sound_get_samples (sound), first, end,
                                                       ADIS_SAMPLE_RATE), 440.0, 1.0);

  g_assert_false (soundstyle_audio_save_wav (x, 100, 44100, missing, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audio-io/devices", test_devices);
  g_test_add_func ("/audio-io/device-gone", test_device_gone);
  g_test_add_func ("/audio-io/no-device", test_no_device);
  g_test_add_func ("/audio-io/no-device/subprocess", test_no_device_subprocess);
  g_test_add_func ("/audio-io/record/tone", test_record_tone);
  g_test_add_func ("/audio-io/record/stop-early", test_stop_early);
  g_test_add_func ("/audio-io/record/auto-stop", test_auto_stop);
  g_test_add_func ("/audio-io/record/live", test_live);
  g_test_add_func ("/audio-io/play/tone", test_play);
  g_test_add_func ("/audio-io/play/stop", test_play_stop);
  g_test_add_func ("/audio-io/save-wav", test_save_wav);

  status = g_test_run ();
  g_clear_pointer (&server, sound_server_stop);
  return status;
}
