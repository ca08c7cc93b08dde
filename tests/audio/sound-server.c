/* sound-server.c: a private PulseAudio daemon with a null sink, for tests
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include "test-util.h"
#include "sound-server.h"

struct _SoundServer
{
  char        *dir;
  char        *log_path;
  GSubprocess *daemon;
  GSubprocess *keep_running;
  guint        n_tones;
  guint        n_captures;
};

gboolean
sound_server_available (void)
{
  g_autofree char *path = g_find_program_in_path ("pulseaudio");

  return path != NULL;
}

void
sound_server_use_alsa_pulse (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "asound.conf", NULL);
  /* Only PulseAudio: no hardware card of the machine running the tests can
   * take part, so the device list is the same everywhere */
  const char *config =
    "pcm.!default { type pulse }\n"
    "ctl.!default { type pulse }\n"
    "pcm.pulse { type pulse }\n"
    "ctl.pulse { type pulse }\n";

  g_file_set_contents (path, config, -1, &error);
  g_assert_no_error (error);
  g_setenv ("ALSA_CONFIG_PATH", path, TRUE);
  /* PortAudio also probes JACK; there is none, and none must be started */
  g_setenv ("JACK_NO_START_SERVER", "1", TRUE);
}

static void
die_with_parent (gpointer user_data)
{
  /* A test that aborts must not leave its daemon behind */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_with_stdin (const char * const  *argv,
                  const char          *stdin_path,
                  const char          *stdout_path,
                  const char          *stderr_path,
                  GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (stdin_path == NULL ? G_SUBPROCESS_FLAGS_STDIN_INHERIT
                                                  : G_SUBPROCESS_FLAGS_NONE);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (stdin_path != NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
  if (stdout_path != NULL)
    g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  if (stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static GSubprocess *
spawn (const char * const  *argv,
       const char          *stdout_path,
       const char          *stderr_path,
       GError             **error)
{
  return spawn_with_stdin (argv, NULL, stdout_path, stderr_path, error);
}

static char *
log_tail (const char *path)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, NULL))
    return g_strdup ("(no log)");
  return g_strdup (length > 1500 ? text + length - 1500 : text);
}

static gboolean
server_answers (void)
{
  const char *argv[] = { "pactl", "info", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  return test_run (argv, &out, &err) == 0;
}

SoundServer *
sound_server_start (GError **error)
{
  g_autoptr(SoundServer) server = g_new0 (SoundServer, 1);
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *pulse_server = NULL;
  g_autofree char *socket_module = NULL;
  gint64 deadline;

  for (guint i = 0; i < 4; i++)
    {
      const char *tools[] = { "pactl", "paplay", "parec", "pacat" };
      g_autofree char *found = g_find_program_in_path (tools[i]);

      if (found == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "%s is missing: install pulseaudio-utils (build-aux/test.sh does)",
                       tools[i]);
          return NULL;
        }
    }

  server->dir = test_make_tmpdir ("soundstyle-pulse");
  server->log_path = g_build_filename (server->dir, "pulseaudio.log", NULL);
  home = g_build_filename (server->dir, "home", NULL);
  runtime = g_build_filename (server->dir, "run", NULL);
  socket = g_build_filename (runtime, "native", NULL);
  g_mkdir_with_parents (home, 0700);
  g_mkdir_with_parents (runtime, 0700);

  /* Nothing of the user's own session (or the machine's) is touched */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("PULSE_RUNTIME_PATH", runtime, TRUE);
  g_setenv ("PULSE_STATE_PATH", home, TRUE);
  pulse_server = g_strdup_printf ("unix:%s", socket);
  g_setenv ("PULSE_SERVER", pulse_server, TRUE);
  g_unsetenv ("PULSE_SINK");
  g_unsetenv ("PULSE_SOURCE");
  sound_server_use_alsa_pulse (server->dir);

  socket_module = g_strdup_printf ("--load=module-native-protocol-unix socket=%s auth-anonymous=1",
                                   socket);
  {
    const char *argv[] = {
      "pulseaudio", "-n", "--daemonize=no", "--system=no",
      "--exit-idle-time=-1", "--disallow-exit=yes", "--use-pid-file=no",
      "--realtime=no", "--high-priority=no", "--disable-shm=yes",
      "--log-target=stderr",
      "--load=module-null-sink sink_name=" SOUND_SERVER_SINK " rate=48000 channels=2",
      socket_module,
      NULL,
    };

    server->daemon = spawn (argv, NULL, server->log_path, error);
    if (server->daemon == NULL)
      return NULL;
  }

  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!server_answers ())
    {
      /* No identifier: the daemon has exited (GLib's worker reaped it) */
      if (g_get_monotonic_time () > deadline ||
          g_subprocess_get_identifier (server->daemon) == NULL)
        {
          g_autofree char *tail = log_tail (server->log_path);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The test sound server (pulseaudio) did not start; its log ends:\n%s",
                       tail);
          return NULL;
        }
      g_usleep (100 * 1000);
    }

  /* An idle null sink renders nothing, so its monitor would deliver no
   * audio at all while nothing plays, unlike a microphone. A stream of
   * zeros keeps the sink running in real time; tones mix onto it. */
  {
    const char *argv[] = {
      "pacat", "--playback", "--device=" SOUND_SERVER_SINK, "--raw",
      "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20", NULL,
    };

    server->keep_running = spawn_with_stdin (argv, "/dev/zero", NULL, NULL, error);
    if (server->keep_running == NULL)
      return NULL;
  }

  g_test_message ("PulseAudio test server at %s", pulse_server);
  return g_steal_pointer (&server);
}

void
sound_server_stop (SoundServer *server)
{
  if (server == NULL)
    return;

  if (server->keep_running != NULL)
    {
      g_subprocess_send_signal (server->keep_running, SIGTERM);
      g_subprocess_wait (server->keep_running, NULL, NULL);
      g_clear_object (&server->keep_running);
    }
  if (server->daemon != NULL)
    {
      g_subprocess_send_signal (server->daemon, SIGTERM);
      g_subprocess_wait (server->daemon, NULL, NULL);
      g_clear_object (&server->daemon);
    }
  test_rm_rf (server->dir);
  g_free (server->dir);
  g_free (server->log_path);
  g_free (server);
}

GSubprocess *
sound_server_play_tone (SoundServer *server,
                        double       freq,
                        double       amplitude,
                        double       seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("tone-%u.wav", server->n_tones++);
  g_autofree char *path = g_build_filename (server->dir, name, NULL);
  const char *argv[] = { "paplay", "--device=" SOUND_SERVER_SINK, path, NULL };
  GSubprocess *player;

  test_write_tone_wav (path, freq, amplitude, seconds, 48000, 1);
  player = spawn (argv, NULL, NULL, &error);
  g_assert_no_error (error);
  return player;
}

static char *
capture_path (SoundServer *server,
              guint        number)
{
  g_autofree char *name = g_strdup_printf ("capture-%u.f32", number);

  return g_build_filename (server->dir, name, NULL);
}

GSubprocess *
sound_server_start_capture (SoundServer *server,
                            int          rate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = capture_path (server, ++server->n_captures);
  g_autofree char *rate_arg = g_strdup_printf ("--rate=%d", rate);
  const char *argv[] = {
    "parec", "--device=" SOUND_SERVER_MONITOR, "--raw", "--format=float32le",
    rate_arg, "--channels=1", "--latency-msec=20", NULL,
  };
  GSubprocess *capture = spawn (argv, path, NULL, &error);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GStatBuf info = { 0 };

  g_assert_no_error (error);

  /* A monitor starts delivering only after a while (over a second on a
   * fresh daemon): wait until 0.2 s of audio has arrived */
  while (g_stat (path, &info) != 0 || info.st_size < (goffset) (rate / 5 * sizeof (float)))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_nonnull (g_subprocess_get_identifier (capture));
      g_usleep (10 * 1000);
    }
  return capture;
}

float *
sound_server_stop_capture (SoundServer *server,
                           GSubprocess *capture,
                           gsize       *out_n_samples)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = capture_path (server, server->n_captures);
  char *bytes = NULL;
  gsize length = 0;

  g_subprocess_send_signal (capture, SIGINT);
  g_subprocess_wait (capture, NULL, &error);
  g_assert_no_error (error);

  g_file_get_contents (path, &bytes, &length, &error);
  g_assert_no_error (error);
  *out_n_samples = length / sizeof (float);
  return (float *) bytes;
}

double
tone_rms (const float *samples,
          gsize        first,
          gsize        end)
{
  double sum = 0.0;

  for (gsize i = first; i < end; i++)
    sum += (double) samples[i] * samples[i];
  return end > first ? sqrt (sum / (end - first)) : 0.0;
}

gboolean
tone_find_span (const float *samples,
                gsize        n_samples,
                int          rate,
                float        threshold,
                gsize       *out_first,
                gsize       *out_end)
{
  gsize window = (gsize) rate / 100;
  gboolean found = FALSE;

  for (gsize start = 0; start + window <= n_samples; start += window)
    if (tone_rms (samples, start, start + window) > threshold)
      {
        if (!found)
          *out_first = start;
        *out_end = start + window;
        found = TRUE;
      }
  return found;
}

double
tone_estimate_pitch (const float *samples,
                     gsize        first,
                     gsize        end,
                     int          rate)
{
  double first_crossing = -1.0;
  double last_crossing = -1.0;
  guint n_crossings = 0;

  for (gsize i = first + 1; i < end; i++)
    if (samples[i - 1] < 0.0f && samples[i] >= 0.0f)
      {
        /* Where the line between the two samples crosses zero */
        double at = (i - 1) + samples[i - 1] / (double) (samples[i - 1] - samples[i]);

        if (first_crossing < 0.0)
          first_crossing = at;
        last_crossing = at;
        n_crossings++;
      }

  if (n_crossings < 2)
    return 0.0;
  return (n_crossings - 1) * rate / (last_crossing - first_crossing);
}
