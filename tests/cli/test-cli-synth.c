/* test-cli-synth.c: `soundstyle synth` as a user runs it, on the bundled
 * samples: the oracle for one photo, a set that train reads, interruption and
 * resume, refusals, the contact sheet
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "test-cli-synth"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

static char *tmp_dir;
static char *empty_cache;   /* XDG_CACHE_HOME: no media cache, so the samples are the default */

static char *
samples (const char *part)
{
  return g_build_filename (test_source_dir (), "resources", "samples", part, NULL);
}

static GSubprocess *
spawn (GPtrArray *args, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MEDIA");
  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MODEL");
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", empty_cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "OMP_WAIT_POLICY", "PASSIVE", FALSE);
  g_ptr_array_insert (args, 0, g_strdup (test_soundstyle_bin ()));
  g_ptr_array_add (args, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, error);
}

static int
finish (GSubprocess *process, char **out, char **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &o, &e, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", e);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

static int
run (char **out, char **err, const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (a));
  va_end (ap);
  process = spawn (args, &error);
  g_assert_no_error (error);
  return finish (process, out, err);
}

static void
assert_one_line_error (const char *err, const char *needle)
{
  g_assert_nonnull (strstr (err, needle));
  g_assert_true (g_str_has_prefix (err, "soundstyle: "));
  g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
}

static void
test_help (void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run (&out, NULL, "synth", "--help", NULL), ==, 0);
  for (const char *const *w = (const char *const[]) { "--clips", "--render", "--contact-sheet",
                                                      "--mix-fraction", "--test-fraction",
                                                      "--media", "--holdout-source", "Examples", NULL }; *w; w++)
    g_assert_nonnull (strstr (out, *w));
}

static void
test_render (void)
{
  g_autofree char *photo = samples ("photos/aitzgorri_by_Aitzol_Berasategi.jpg");
  g_autofree char *media = samples (NULL);
  g_autofree char *png = g_build_filename (tmp_dir, "rain.png", NULL);
  g_autofree char *wav = g_build_filename (tmp_dir, "rain.wav", NULL);
  g_autofree char *bad = g_build_filename (tmp_dir, "hail.png", NULL);
  g_autofree char *err = NULL, *err2 = NULL;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run (NULL, NULL, "synth", "--render", photo, "--category", "rain",
                        "--intensity", "0.8", "--size", "128", "--media", media,
                        "--audio-output", wav, "-o", png, NULL), ==, 0);
  image = adis_image_load (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (MAX (adis_image_get_width (image), adis_image_get_height (image)), ==, 128);
  sound = adis_sound_load (wav, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabsf (adis_synth_intensity_for_rms (adis_sound_get_rms (sound)) - 0.8f), <, 0.02f);

  /* Bad input: one line naming it, no file */
  g_assert_cmpint (run (NULL, &err, "synth", "--render", photo, "--category", "hail",
                        "-o", bad, NULL), ==, 2);
  assert_one_line_error (err, "hail");
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_cmpint (run (NULL, &err2, "synth", "--render", "/nonexistent/x.jpg", "--category", "snow",
                        "-o", bad, NULL), ==, 2);
  assert_one_line_error (err2, "/nonexistent/x.jpg");
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
}

/* Without --media or a cache, the bundled samples are the media; the set is
 * in the prepared format */
static void
test_set (void)
{
  g_autofree char *set = g_build_filename (tmp_dir, "set", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *media = samples (NULL);
  g_autoptr(AdisManifest) manifest = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run (&out, &err, "synth", "--output", set, "--clips", "12", "--size", "64",
                        "--seed", "5", "-j", "2", NULL), ==, 0);
  g_assert_nonnull (strstr (out, media));
  g_assert_nonnull (strstr (err, "12/12"));
  manifest = adis_manifest_load (set, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 12);
  clips = adis_synth_read_factors (set, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 12);
  g_assert_nonnull (((AdisSynthClip *) clips->pdata[0])->recordings);
  /* What each split hears, and what is not held out, is said */
  g_assert_nonnull (strstr (out, "Recordings: "));
  g_assert_nonnull (strstr (out, "Not held out"));
  {
    g_autofree char *table = g_build_filename (set, ADIS_SYNTH_MEDIA_FILE, NULL);

    g_assert_true (g_file_test (table, G_FILE_TEST_IS_REGULAR));
  }

  /* The samples have no INVENTORY.tsv: no package to hold out, said in one
   * line, nothing written */
  {
    g_autofree char *by_package = g_build_filename (tmp_dir, "by-package", NULL);
    g_autofree char *err2 = NULL;

    g_assert_cmpint (run (NULL, &err2, "synth", "--output", by_package, "--clips", "4", "--size", "32",
                          "--holdout-source", "redeclipse-data", NULL), ==, 2);
    assert_one_line_error (err2, "redeclipse-data");
    g_assert_false (g_file_test (by_package, G_FILE_TEST_EXISTS));
  }

  /* A set of one split holds nothing out, and says so instead of calling
   * every recording the only one of its category */
  {
    g_autofree char *train_only = g_build_filename (tmp_dir, "train-only", NULL);
    g_autofree char *out2 = NULL;

    g_assert_cmpint (run (&out2, NULL, "synth", "--output", train_only, "--clips", "4", "--size", "32",
                          "--test-fraction", "0", NULL), ==, 0);
    g_assert_nonnull (strstr (out2, "every clip is a train clip"));
    g_assert_null (strstr (out2, "Not held out"));
  }
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static void
test_interrupt_resume (void)
{
  g_autofree char *set = g_build_filename (tmp_dir, "big", NULL);
  g_autofree char *frames = g_build_filename (set, "frames", NULL);
  g_autofree char *err = NULL, *err2 = NULL, *err3 = NULL;
  g_autofree char *media = samples (NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisManifest) manifest = NULL;
  int status;

  for (const char *const *a = (const char *const[]) { "synth", "--output", set, "--clips", "3000",
                                                      "--size", "96", "-j", "2", "--media", media,
                                                      NULL }; *a; a++)
    g_ptr_array_add (args, g_strdup (*a));
  process = spawn (args, &error);
  g_assert_no_error (error);
  /* Let it make some clips, then interrupt as Ctrl+C would */
  for (int waited = 0; count_files (frames) < 5 && waited < 1200; waited++)
    g_usleep (G_USEC_PER_SEC / 10);
  g_subprocess_send_signal (process, SIGINT);
  status = finish (process, NULL, &err);
  g_assert_cmpint (status, ==, 130);
  g_assert_nonnull (strstr (err, "resume"));
  manifest = adis_manifest_load (set, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), >, 0);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), <, 3000);

  /* Another seed is refused: the folder holds a different set */
  g_assert_cmpint (run (NULL, &err2, "synth", "--output", set, "--clips", "3000", "--size", "96",
                        "--seed", "4", "--media", media, NULL), ==, 2);
  assert_one_line_error (err2, set);

  /* Resume with fewer clips than were asked: the finished ones count */
  g_assert_cmpint (run (NULL, &err3, "synth", "--output", set, "--clips", "20", "--size", "96",
                        "--media", media, NULL), ==, 0);
  g_assert_nonnull (strstr (err3, "resumed"));
}

static void
test_contact_sheet (void)
{
  g_autofree char *media = samples (NULL);
  g_autofree char *png = g_build_filename (tmp_dir, "sheet.png", NULL);
  g_autoptr(AdisImage) sheet = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (run (NULL, NULL, "synth", "--contact-sheet", "--size", "32", "--media", media,
                        "-o", png, NULL), ==, 0);
  sheet = adis_image_load (png, &error);
  g_assert_no_error (error);
  /* 4 photos + the blend row; the photo and 4 categories x 3 intensities */
  g_assert_cmpint (adis_image_get_height (sheet), ==, 5 * (32 + 4) - 4);
  g_assert_cmpint (adis_image_get_width (sheet), ==, 32 + 4 * (12 + 3 * 36 - 4));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_make_tmpdir ("cli-synth");
  empty_cache = g_build_filename (tmp_dir, "cache", NULL);
  g_mkdir_with_parents (empty_cache, 0755);

  g_test_add_func ("/cli/synth/help", test_help);
  g_test_add_func ("/cli/synth/render", test_render);
  g_test_add_func ("/cli/synth/set", test_set);
  g_test_add_func ("/cli/synth/interrupt-resume", test_interrupt_resume);
  g_test_add_func ("/cli/synth/contact-sheet", test_contact_sheet);

  status = g_test_run ();
  test_rm_rf (tmp_dir);
  return status;
}
