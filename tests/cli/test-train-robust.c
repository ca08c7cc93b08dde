/* test-train-robust.c: training survives kill -9, a full disk and NaN losses
 *
 * SPDX-License-Identifier: MIT
 *
 * kill-9: one uninterrupted run is the reference. Then the same run is
 * killed with SIGKILL ten times at random moments (some right after a
 * checkpoint's temporary file appears, i.e. in the middle of writing it)
 * and resumed each time. After every kill the checkpoint on disk must be
 * whole and the resumed run must start from it; every loss any attempt
 * prints, and the final weights, must equal the reference's exactly (CPU,
 * fixed seed).
 *
 * full-disk: a file-size limit (RLIMIT_FSIZE, as `ulimit -f` sets; no root
 * needed, unlike a small tmpfs) makes the next checkpoint write fail: the
 * run says so in one line and the last good checkpoint is untouched.
 *
 * nan: the engine's test hook makes a step's inputs NaN: that step is
 * skipped and reported, and five in a row stop the run with a message,
 * without a checkpoint of the bad stretch.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"
#include "adis-testing.h"
#include "job-events.h"

#define CHECKPOINT_EVERY 2
#define EPOCHS           "12+0"   /* 4 items, batch 2: 24 steps */
#define N_KILLS          10

static char *tmpdir;
static char *dataset_path;

static GSubprocessLauncher *
new_launcher (const char *stdout_path,
              const char *stderr_path)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);

  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MODEL");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "OMP_WAIT_POLICY", "PASSIVE", FALSE);
  g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  return launcher;
}

/* train DATASET --output DIR/model --checkpoint DIR/ckpt ..., resuming
 * when the checkpoint exists */
static GSubprocess *
spawn_train (GSubprocessLauncher *launcher,
             const char          *dir,
             gint64               max_steps,
             GError             **error)
{
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *checkpoint = g_build_filename (dir, "ckpt", NULL);
  g_autofree char *every = g_strdup_printf ("%d", CHECKPOINT_EVERY);
  g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, max_steps);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) test_soundstyle_bin ());
  g_ptr_array_add (argv, "train");
  g_ptr_array_add (argv, dataset_path);
  g_ptr_array_add (argv, "--output");
  g_ptr_array_add (argv, model);
  g_ptr_array_add (argv, "--checkpoint");
  g_ptr_array_add (argv, checkpoint);
  g_ptr_array_add (argv, "--checkpoint-every");
  g_ptr_array_add (argv, every);
  g_ptr_array_add (argv, "--device");
  g_ptr_array_add (argv, "cpu");
  g_ptr_array_add (argv, "--json");
  if (max_steps > 0)
    {
      g_ptr_array_add (argv, "--max-steps");
      g_ptr_array_add (argv, max);
    }
  if (g_file_test (checkpoint, G_FILE_TEST_EXISTS))
    {
      g_ptr_array_add (argv, "--resume");
      g_ptr_array_add (argv, checkpoint);
    }
  else
    {
      const char *fresh[] = { "--preset", "tiny", "--size", "32", "--batch", "2",
                              "--epochs", EPOCHS, "--seed", "11" };

      for (guint i = 0; i < G_N_ELEMENTS (fresh); i++)
        g_ptr_array_add (argv, (char *) fresh[i]);
    }
  g_ptr_array_add (argv, NULL);

  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

/* The step stored in a checkpoint; the file must open as a whole */
static gint64
checkpoint_step (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorFile) file = adis_tensor_file_open (path, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *meta;

  g_assert_no_error (error);
  meta = adis_tensor_file_get_metadata (file, "soundstyle-checkpoint");
  g_assert_nonnull (meta);
  g_assert_true (json_parser_load_from_data (parser, meta, -1, NULL));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "step");
}

/* A temporary file that an atomic write of ckpt has while it works (GLib
 * names it ckpt.XXXXXX), other than those in stale: a write killed midway
 * leaves its temporary behind */
static gboolean
checkpoint_temp_exists (const char *dir,
                        GHashTable *stale)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "ckpt.") && (stale == NULL || !g_hash_table_contains (stale, name)))
      {
        if (stale != NULL)
          g_hash_table_add (stale, g_strdup (name));
        return TRUE;
      }
  return FALSE;
}

static guint
count_lines_with (const char *path,
                  const char *needle)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

static void
assert_same_weights (const char *a,
                     const char *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorFile) fa = adis_tensor_file_open (a, &error);
  g_autoptr(AdisTensorFile) fb = NULL;

  g_assert_no_error (error);
  fb = adis_tensor_file_open (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_tensor_file_get_n_tensors (fa), ==, adis_tensor_file_get_n_tensors (fb));
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (fa); i++)
    {
      const AdisTensorView *va = adis_tensor_file_get_tensor (fa, i);
      const AdisTensorView *vb = adis_tensor_file_lookup (fb, va->name);

      g_assert_nonnull (vb);
      g_assert_cmpuint (va->n_bytes, ==, vb->n_bytes);
      if (memcmp (va->data, vb->data, va->n_bytes) != 0)
        g_error ("tensor %s differs from the uninterrupted run's", va->name);
    }
}

static void
test_kill_9 (void)
{
  g_autofree char *ref_dir = g_build_filename (tmpdir, "reference", NULL);
  g_autofree char *run_dir = g_build_filename (tmpdir, "killed", NULL);
  g_autofree char *ref_out = g_build_filename (ref_dir, "out.jsonl", NULL);
  g_autofree char *ref_err = g_build_filename (ref_dir, "err.txt", NULL);
  g_autofree char *checkpoint = g_build_filename (run_dir, "ckpt", NULL);
  g_autofree char *model = g_build_filename (run_dir, "model.safetensors", NULL);
  g_autofree char *ref_model = g_build_filename (ref_dir, "model.safetensors", NULL);
  g_autoptr(GHashTable) reference = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GHashTable) stale = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  gint64 total = 0;
  gint64 last_seen_checkpoint = 0;
  guint n_kills = 0;
  guint n_in_write = 0;
  guint n_compared = 0;

  g_assert_cmpint (g_mkdir_with_parents (ref_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (run_dir, 0755), ==, 0);

  /* The reference: one run from start to end */
  {
    g_autoptr(GSubprocessLauncher) launcher = new_launcher (ref_out, ref_err);
    g_autoptr(GSubprocess) process = spawn_train (launcher, ref_dir, -1, &error);
    g_autoptr(GPtrArray) events = NULL;

    g_assert_no_error (error);
    g_subprocess_wait (process, NULL, &error);
    g_assert_no_error (error);
    if (!g_subprocess_get_successful (process))
      {
        g_autofree char *err = NULL;
        g_autofree char *out = NULL;

        g_file_get_contents (ref_err, &err, NULL, NULL);
        g_file_get_contents (ref_out, &out, NULL, NULL);
        g_error ("the reference run failed (%s): %s%s",
                 g_subprocess_get_if_signaled (process) ? "killed by a signal" : "exit status",
                 err, out != NULL && strstr (out, "\"error\"") != NULL ? strstr (out, "\"error\"") : "");
      }
    events = job_events_read (ref_out);
    for (guint i = 0; i < events->len; i++)
      {
        JsonObject *event = g_ptr_array_index (events, i);

        if (g_str_equal (job_event_name (event), "progress"))
          g_hash_table_insert (reference, g_memdup2 (&(gint64) { json_object_get_int_member (event, "step") }, sizeof (gint64)),
                               job_event_losses (event));
        if (g_str_equal (job_event_name (event), "start"))
          total = json_object_get_int_member (event, "total_steps");
      }
    g_assert_cmpint (total, ==, 24);
    g_assert_cmpuint (g_hash_table_size (reference), ==, total);
  }

  /* Attempts until the run is done; the first N_KILLS are killed */
  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *out = g_strdup_printf ("%s/out-%u.jsonl", run_dir, attempt);
      g_autofree char *err = g_strdup_printf ("%s/err-%u.txt", run_dir, attempt);
      g_autoptr(GSubprocessLauncher) launcher = new_launcher (out, err);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GPtrArray) events = NULL;
      gint64 expected_start = g_file_test (checkpoint, G_FILE_TEST_EXISTS) ? checkpoint_step (checkpoint) : 0;
      gboolean kill_this = n_kills < N_KILLS;
      gboolean in_write = kill_this && attempt % 3 == 2;
      /* Kill once the run has printed this many more steps, plus a bit */
      guint steps_before_kill = (guint) g_test_rand_int_range (1, 4);
      gulong extra_us = (gulong) g_test_rand_int_range (0, 150000);
      gboolean killed = FALSE;
      gboolean killed_in_write = FALSE;
      guint polls = 0;

      g_assert_cmpint (attempt, <, 40);
      while (checkpoint_temp_exists (run_dir, stale))
        ;
      process = spawn_train (launcher, run_dir, -1, &error);
      g_assert_no_error (error);

      /* Poll: the temporary file of a checkpoint write lives for a few
       * milliseconds; without one in sight, kill a few steps later anyway */
      while (kill_this)
        {
          gboolean exited = g_subprocess_get_identifier (process) == NULL;

          if (in_write && checkpoint_temp_exists (run_dir, stale))
            {
              g_subprocess_force_exit (process);
              killed = killed_in_write = TRUE;
              break;
            }
          if ((++polls % (in_write ? 50 : 1)) == 0 &&
              count_lines_with (out, "\"progress\"") >= steps_before_kill + (in_write ? 4 : 0))
            {
              g_usleep (extra_us);
              g_subprocess_force_exit (process);
              killed = TRUE;
              break;
            }
          if (exited)
            break;
          g_usleep (in_write ? 100 : 5000);
        }
      g_subprocess_wait (process, NULL, &error);
      g_assert_no_error (error);

      events = job_events_read (out);
      for (guint i = 0; i < events->len; i++)
        {
          JsonObject *event = g_ptr_array_index (events, i);
          const char *name = job_event_name (event);

          if (g_str_equal (name, "start"))
            g_assert_cmpint (json_object_get_int_member (event, "step"), ==, expected_start);
          else if (g_str_equal (name, "progress"))
            {
              gint64 step = json_object_get_int_member (event, "step");
              g_autofree char *losses = job_event_losses (event);

              g_assert_cmpstr (losses, ==, g_hash_table_lookup (reference, &step));
              n_compared++;
            }
          else if (g_str_equal (name, "checkpoint"))
            last_seen_checkpoint = json_object_get_int_member (event, "step");
        }

      if (killed && g_subprocess_get_if_signaled (process))
        {
          g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
          n_kills++;
          n_in_write += killed_in_write;
          /* The checkpoint is whole and at least as new as the last one the
           * run announced (a kill between rename and message makes it newer) */
          if (last_seen_checkpoint > 0)
            g_assert_cmpint (checkpoint_step (checkpoint), >=, last_seen_checkpoint);
          /* The model is written only at the end */
          g_assert_false (g_file_test (model, G_FILE_TEST_EXISTS));
          g_test_message ("attempt %u: killed%s after %u progress lines; checkpoint at step %" G_GINT64_FORMAT,
                          attempt, killed_in_write ? " while a checkpoint was being written" : "",
                          count_lines_with (out, "\"progress\""),
                          g_file_test (checkpoint, G_FILE_TEST_EXISTS) ? checkpoint_step (checkpoint) : 0);
          continue;
        }

      g_assert_true (g_subprocess_get_successful (process));
      if (!kill_this || g_file_test (model, G_FILE_TEST_EXISTS))
        break;
    }

  g_assert_cmpuint (n_kills, ==, N_KILLS);
  g_assert_cmpuint (n_in_write, >=, 1);
  g_assert_cmpuint (n_compared, >=, (guint) total);
  assert_same_weights (ref_model, model);
  {
    g_autoptr(GHashTable) left = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    while (checkpoint_temp_exists (run_dir, left))
      ;
    g_test_message ("%u kills (%u during a checkpoint write), %u steps compared, "
                    "%u temporary files left by killed writes",
                    n_kills, n_in_write, n_compared, g_hash_table_size (left));
  }
}

static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { *(rlim_t *) user_data, *(rlim_t *) user_data };

  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
test_full_disk (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "full", NULL);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *err_path = g_build_filename (dir, "err.txt", NULL);
  g_autofree char *checkpoint = g_build_filename (dir, "ckpt", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_length = 0;
  gsize after_length = 0;
  rlim_t limit;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  {
    g_autoptr(GSubprocessLauncher) launcher = new_launcher (out, err_path);
    g_autoptr(GSubprocess) process = spawn_train (launcher, dir, 4, &error);

    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (process, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (checkpoint_step (checkpoint), ==, 4);
  g_assert_true (g_file_get_contents (checkpoint, &before, &before_length, NULL));

  /* Room for half a checkpoint */
  limit = before_length / 2;
  {
    g_autoptr(GSubprocessLauncher) launcher = new_launcher (out, err_path);
    g_autoptr(GSubprocess) process = NULL;

    g_subprocess_launcher_set_child_setup (launcher, limit_file_size, &limit, NULL);
    process = spawn_train (launcher, dir, 4, &error);
    g_assert_no_error (error);
    g_subprocess_wait (process, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  }

  g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
  g_test_message ("full disk: %s", err);
  expected = g_strdup_printf ("soundstyle: Cannot write “%s” (nothing was replaced): ", checkpoint);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_nonnull (strstr (err, "File too large"));
  g_assert_cmpuint (count_lines_with (err_path, "\n"), ==, 1);

  /* The last good checkpoint is untouched, and no temporary is left */
  g_assert_true (g_file_get_contents (checkpoint, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  g_assert_false (checkpoint_temp_exists (dir, NULL));
}

static void
test_nan_losses (void)
{
  g_autofree char *checkpoint = g_build_filename (tmpdir, "nan.ckpt", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *model_a = g_build_filename (tmpdir, "nan-a.safetensors", NULL);
  g_autofree char *model_b = g_build_filename (tmpdir, "nan-b.safetensors", NULL);
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  AdisTrainOptions options;
  AdisTrainProgress p;
  AdisConfig config;
  gsize before_length, after_length;

  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = 2;
  options.nce_patches = 32;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;
  options.epochs_constant = 20;
  options.epochs_decay = 0;
  dataset = adis_dataset_open (dataset_path, &error);
  g_assert_no_error (error);
  trainer = adis_trainer_new (&options, dataset, &error);
  g_assert_no_error (error);
  adis_train_options_clear (&options);

  g_assert_true (adis_trainer_run (trainer, 2, NULL, NULL, NULL, 0, checkpoint, 2, NULL, &error));
  g_assert_no_error (error);

  /* One bad step: skipped, said, and no weight changed */
  g_assert_true (adis_trainer_export_model (trainer, model_a, FALSE, &error));
  adis_testing_poison_steps (trainer, 2, 1);
  g_assert_true (adis_trainer_step (trainer, &p, &error));
  g_assert_no_error (error);
  g_assert_true (p.skipped);
  g_assert_false (isfinite (p.loss_g_total) && isfinite (p.loss_d));
  g_assert_cmpint (adis_trainer_get_skipped_in_a_row (trainer), ==, 1);
  g_assert_true (adis_trainer_export_model (trainer, model_b, FALSE, &error));
  assert_same_weights (model_a, model_b);

  /* A good step clears the count */
  g_assert_true (adis_trainer_step (trainer, &p, &error));
  g_assert_false (p.skipped);
  g_assert_cmpint (adis_trainer_get_skipped_in_a_row (trainer), ==, 0);
  /* Two more (max_steps counts from here): the checkpoint at step 6 is
   * written, the count of skipped steps being 0 again */
  g_assert_true (adis_trainer_run (trainer, 2, NULL, NULL, NULL, 0, checkpoint, 2, NULL, &error));
  g_assert_cmpint (checkpoint_step (checkpoint), ==, 6);
  g_assert_true (g_file_get_contents (checkpoint, &before, &before_length, NULL));

  /* Five in a row stop the run; checkpoints every step are held back */
  adis_testing_poison_steps (trainer, 6, 100);
  g_assert_false (adis_trainer_run (trainer, -1, NULL, NULL, NULL, 0, checkpoint, 1, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Training diverged: the loss was not finite (NaN or infinite) at 5 steps in a row, "
                   "7 to 11; stopped without saving them (resume from the last checkpoint, perhaps with a lower --lr)");
  g_assert_true (g_file_get_contents (checkpoint, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  adis_set_num_threads (1);
  tmpdir = test_make_tmpdir ("train-robust");
  dataset_path = test_make_tiny_dataset (tmpdir, 4, 40);

  g_test_add_func ("/soundstyle/train-robust/kill-9", test_kill_9);
  g_test_add_func ("/soundstyle/train-robust/full-disk", test_full_disk);
  g_test_add_func ("/soundstyle/train-robust/nan-losses", test_nan_losses);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (dataset_path);
  g_free (tmpdir);
  return status;
}
