/* bench-export.c: the export figure of `soundstyle bench`
 *
 * SPDX-License-Identifier: MIT
 *
 * What a photographer waits for and what can get the program killed: a
 * large photo restyled at its own size, the window's Export and `stylize
 * --size 0`. Timed as a user meets it, end to end in a child process
 * (`soundstyle stylize`: read the JPEG, restyle, write the PNG), with the
 * child's peak resident memory (its VmHWM), against the same photo
 * stylized at 256 px in the same run.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench-work.h"
#include "soundstyle-cli.h"

extern char **environ;

/* A photo-like JPEG: smooth fields, edges and fine texture at every scale */
static gboolean
write_photo (const char  *path,
             int          width,
             int          height,
             GError     **error)
{
  g_autofree guint8 *pixels = g_try_malloc ((gsize) width * height * 3);
  g_autoptr(AdisImage) image = NULL;

  if (pixels == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "Not enough memory for a %d x %d photo", width, height);
      return FALSE;
    }
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + ((gsize) y * width + x) * 3;
        double u = (double) x / width, v = (double) y / height;
        int texture = (int) (24 * sin (x * 0.9) * sin (y * 1.1));

        p[0] = (guint8) CLAMP (255 * (0.5 + 0.4 * sin (7.0 * u)) + texture, 0, 255);
        p[1] = (guint8) CLAMP (255 * (v < 0.4 ? 0.8 : 0.4 * v) + texture, 0, 255);
        p[2] = (guint8) CLAMP ((((x / 97 + y / 89) % 2) ? 190 : 70) + texture, 0, 255);
      }
  image = adis_image_new_from_rgb8 (pixels, width, height, width * 3, 3, error);
  return image != NULL && adis_image_save (image, path, error);
}

static char *
self_path (GError **error)
{
  char *path = g_file_read_link ("/proc/self/exe", error);

  return path;
}

/* The peak resident memory of a running process so far (VmHWM, KiB), or
 * -1 once it has exited */
static gint64
process_peak_kib (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, "VmHWM:")) == NULL)
    return -1;
  return g_ascii_strtoll (line + 6, NULL, 10);
}

/* Runs argv to the end: its wall time and peak resident memory. Not
 * wait4's ru_maxrss: Linux keeps a process's high-water mark across
 * execve, so a child spawned by this large process would report at least
 * this process's size. The child's own VmHWM is read every few
 * milliseconds instead (it is its new program's alone, and only grows); the
 * last read comes at most one interval before the child exits. */
#define POLL_US 5000

static gboolean
run_measured (char   **argv,
              double  *out_ms,
              double  *out_peak_mb,
              GError **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 peak = 0;
  pid_t pid;
  int status = 0;
  int rc;

  rc = posix_spawn (&pid, argv[0], NULL, NULL, argv, environ);
  if (rc != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "cannot run %s: %s", argv[0], g_strerror (rc));
      return FALSE;
    }
  for (;;)
    {
      pid_t done = waitpid (pid, &status, WNOHANG);

      if (done == pid)
        break;
      if (done < 0 && errno != EINTR)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "lost %s: %s", argv[0], g_strerror (errno));
          return FALSE;
        }
      peak = MAX (peak, process_peak_kib (pid));
      g_usleep (POLL_US);
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "soundstyle stylize %s %s failed (%s %d)",
                   argv[8], argv[9], WIFEXITED (status) ? "exit status" : "signal",
                   WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
      return FALSE;
    }
  *out_ms = (g_get_monotonic_time () - start) / 1000.0;
  *out_peak_mb = peak / 1024.0;
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median time of runs (and the largest peak) of one stylize */
static gboolean
time_stylize (BenchWork   *work,
              const char  *self,
              const char  *photo,
              const char  *sound,
              const char  *size,
              double      *out_ms,
              double      *out_peak_mb,
              GError     **error)
{
  g_autofree char *output = g_build_filename (work->tmpdir, "export.png", NULL);
  char *argv[] = { (char *) self, "stylize", "--model", work->model_path, "--image", (char *) photo,
                   "--audio", (char *) sound, "--size", (char *) size, "--output", output, NULL };
  int runs = MAX (1, work->repeat);
  g_autofree double *times = g_new (double, runs);

  *out_peak_mb = 0.0;
  for (int i = 0; i < runs; i++)
    {
      double peak;

      if (g_cancellable_set_error_if_cancelled (work->cancellable, error) ||
          !run_measured (argv, &times[i], &peak, error))
        return FALSE;
      *out_peak_mb = MAX (*out_peak_mb, peak);
    }
  g_unlink (output);
  qsort (times, runs, sizeof (double), compare_doubles);
  *out_ms = times[runs / 2];
  return TRUE;
}

JsonObject *
bench_export_run (BenchWork  *work,
                  int         width,
                  int         height,
                  GError    **error)
{
  g_autoptr(JsonObject) result = json_object_new ();
  g_autofree char *self = NULL;
  g_autofree char *photo = g_build_filename (work->tmpdir, "photo.jpg", NULL);
  g_autofree char *sound = g_build_filename (work->tmpdir, "rain.wav", NULL);
  g_autofree char *size_text = g_strdup_printf ("%dx%d", width, height);
  g_autofree float *samples = g_new (float, ADIS_CLIP_SAMPLES);
  g_autoptr(AdisSound) tone = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  double small_ms, small_mb, export_ms, export_mb;

  if ((self = self_path (error)) == NULL || !write_photo (photo, width, height, error))
    return NULL;
  /* Noise, louder and softer: something like rain */
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    samples[i] = (float) ((g_rand_double (rand) - 0.5) * (0.2 + 0.1 * sin (i * 0.0007)));
  if ((tone = adis_sound_new_from_samples (samples, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, error)) == NULL ||
      !adis_sound_save_wav (tone, sound, error))
    return NULL;

  g_printerr ("bench: timing the export of a %s photo (soundstyle stylize --size 0)\n", size_text);
  if (!time_stylize (work, self, photo, sound, "256", &small_ms, &small_mb, error) ||
      !time_stylize (work, self, photo, sound, "0", &export_ms, &export_mb, error))
    return NULL;
  g_unlink (photo);
  g_unlink (sound);

  json_object_set_string_member (result, "photo", size_text);
  json_object_set_double_member (result, "stylize_256_ms", round (small_ms * 10) / 10);
  json_object_set_double_member (result, "stylize_256_peak_mb", round (small_mb * 10) / 10);
  json_object_set_double_member (result, "export_ms", round (export_ms * 10) / 10);
  json_object_set_double_member (result, "export_peak_mb", round (export_mb * 10) / 10);
  json_object_set_double_member (result, "export_over_256", round (export_ms / small_ms * 100) / 100);
  return g_steal_pointer (&result);
}
