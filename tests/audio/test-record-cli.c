/* test-record-cli.c: `soundstyle record` and `soundstyle devices` against a
 * private PulseAudio daemon playing known tones
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sndfile.h>

#include "test-util.h"
#include "sound-server.h"

static SoundServer *server;
static char *workdir;

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

static char *
output_path (const char *name)
{
  return g_build_filename (workdir, name, NULL);
}

/* Reads a whole mono WAV; asserts it is one */
static float *
read_wav (const char *path,
          gsize      *out_n,
          int        *out_rate)
{
  SF_INFO info = { 0 };
  SNDFILE *file = sf_open (path, SFM_READ, &info);
  float *samples;

  g_assert_nonnull (file);
  g_assert_cmpint (info.channels, ==, 1);
  g_assert_cmpint (info.format & SF_FORMAT_TYPEMASK, ==, SF_FORMAT_WAV);
  samples = g_new (float, info.frames);
  g_assert_cmpint (sf_readf_float (file, samples, info.frames), ==, info.frames);
  sf_close (file);
  *out_n = (gsize) info.frames;
  *out_rate = info.samplerate;
  return samples;
}

static void
test_devices (void)
{
  const char *argv[] = { test_soundstyle_bin (), "devices", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!need_server ())
    return;

  g_assert_cmpint (test_run (argv, &out, &err), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "Input devices:\n"));
  g_assert_nonnull (strstr (out, "Output devices:\n"));
  /* The ALSA configuration of the test server has "pulse" and the default */
  g_assert_true (g_regex_match_simple ("^\\*\\s+\\d+\\s+default\\s", out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^\\s+\\d+\\s+pulse\\s", out, G_REGEX_MULTILINE, 0));
}

static void
test_record (void)
{
  g_autofree char *path = output_path ("take.wav");
  const char *argv[] = { test_soundstyle_bin (), "record", "--seconds", "3.5", "-o", path, NULL };
  g_autoptr(GSubprocess) tone = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree float *samples = NULL;
  gsize n = 0, first = 0, end = 0;
  int rate = 0;
  double pitch;

  if (!need_server ())
    return;

  /* A tone from before the take starts to after it ends, however long a
   * loaded machine takes to start the recorder: it is stopped right after */
  tone = sound_server_play_tone (server, 440.0, 0.5, 60.0);
  g_assert_cmpint (test_run (argv, &out, &err), ==, 0);
  g_subprocess_force_exit (tone);
  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "Recorded 3.50 s at "));

  samples = read_wav (path, &n, &rate);
  g_assert_cmpuint (n, ==, (gsize) lround (3.5 * rate));
  g_assert_true (tone_find_span (samples, n, rate, 0.1f, &first, &end));
  pitch = tone_estimate_pitch (samples, first + rate / 50, end, rate);
  g_test_message ("take: %" G_GSIZE_FORMAT " samples at %d Hz, tone over %.2f s at %.2f Hz, RMS %.2f dBFS",
                  n, rate, (double) (end - first) / rate, pitch,
                  20.0 * log10 (tone_rms (samples, first + rate / 50, end)));
  g_assert_cmpfloat_with_epsilon (pitch, 440.0, 2.0);
  /* The monitor starts late but then the tone runs to the end of the take */
  g_assert_cmpfloat ((double) (end - first) / rate, >=, 2.0);
  g_assert_cmpuint (end, ==, n);
}

static void
test_interrupt (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = output_path ("interrupted.wav");
  const char *argv[] = { test_soundstyle_bin (), "record", "--seconds", "10", "-o", path, NULL };
  g_autoptr(GSubprocess) record = NULL;
  g_autofree float *samples = NULL;
  gsize n = 0;
  int rate = 0;

  if (!need_server ())
    return;

  record = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  /* Long enough for a slow start on a loaded machine to still leave 3 s */
  g_usleep (8 * G_USEC_PER_SEC);
  g_subprocess_send_signal (record, SIGINT);
  g_subprocess_wait (record, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (record));
  g_assert_cmpint (g_subprocess_get_exit_status (record), ==, 0);

  /* Kept: what was heard in those seconds, less the monitor's slow start */
  samples = read_wav (path, &n, &rate);
  g_test_message ("interrupted after 8 s of wall time: %.2f s kept", (double) n / rate);
  g_assert_cmpfloat ((double) n / rate, >=, 3.0);
  g_assert_cmpfloat ((double) n / rate, <, 8.0);
}

typedef struct
{
  const char *args[6];
  const char *message;
} BadCall;

static void
test_refusals (void)
{
  g_autofree char *good = output_path ("never.wav");
  g_autofree char *missing_dir = output_path ("no/such/folder.wav");
  g_autofree char *not_wav = output_path ("take.ogg");
  const BadCall calls[] = {
    { { "--seconds", "2", "-o", good }, "--seconds must be between 3 and 10, not 2" },
    { { "--seconds", "11", "-o", good }, "--seconds must be between 3 and 10, not 11" },
    { { "--seconds", "four", "-o", good }, "--seconds" },
    { { "--device", "99", "-o", good }, "there is no input device 99; see soundstyle devices" },
    { { "-o", missing_dir }, missing_dir },
    { { "-o", not_wav }, "recordings are saved as .wav" },
    { { "--seconds", "3" }, "no output file; pass -o FILE.wav" },
  };

  if (!need_server ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      const char *argv[10] = { test_soundstyle_bin (), "record" };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      guint argc = 2;

      for (guint j = 0; calls[i].args[j] != NULL; j++)
        argv[argc++] = calls[i].args[j];
      g_assert_cmpint (test_run (argv, &out, &err), ==, 2);
      g_test_message ("%s", err);
      g_assert_true (g_str_has_prefix (err, "soundstyle: "));
      g_assert_nonnull (strstr (err, calls[i].message));
      /* One line */
      g_assert_cmpint (strchr (err, '\n') - err, ==, (long) strlen (err) - 1);
    }

  g_assert_false (g_file_test (good, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (not_wav, G_FILE_TEST_EXISTS));
}

static void
test_no_device (void)
{
  g_autofree char *path = output_path ("nodevice.wav");
  g_autofree char *socket = g_strdup_printf ("unix:%s/nobody-listens", workdir);
  const char *argv[] = { test_soundstyle_bin (), "record", "-o", path, NULL };
  const char *list_argv[] = { test_soundstyle_bin (), "devices", NULL };
  g_autofree char *saved = g_strdup (g_getenv ("PULSE_SERVER"));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  /* ALSA sees only PulseAudio (the config the server wrote, or a new one),
   * and no PulseAudio answers */
  if (server == NULL)
    sound_server_use_alsa_pulse (workdir);
  g_setenv ("PULSE_SERVER", socket, TRUE);
  status = test_run (argv, &out, &err);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (test_run (list_argv, &out, NULL), ==, 0);
  if (saved != NULL)
    g_setenv ("PULSE_SERVER", saved, TRUE);

  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "soundstyle: No microphone or other audio input device was found\n"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (out, "Input devices:\n  none found\n"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  workdir = test_make_tmpdir ("soundstyle-record-cli");

  g_test_add_func ("/record-cli/devices", test_devices);
  g_test_add_func ("/record-cli/record", test_record);
  g_test_add_func ("/record-cli/interrupt", test_interrupt);
  g_test_add_func ("/record-cli/refusals", test_refusals);
  g_test_add_func ("/record-cli/no-device", test_no_device);

  status = g_test_run ();
  g_clear_pointer (&server, sound_server_stop);
  test_rm_rf (workdir);
  g_free (workdir);
  return status;
}
