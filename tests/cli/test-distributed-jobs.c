/* test-distributed-jobs.c: `soundstyle train` as a data-parallel job under
 * torchrun, on loopback with Gloo: resumed, killed, restarted, interrupted,
 * on two launchers
 *
 * SPDX-License-Identifier: MIT
 *
 * Every job is launched the way the README says, by Debian's torchrun
 * (python3-torch), with the tiny preset on a tiny set this test makes
 * (test-distributed.c holds one step to one process's):
 * resume: a 2-rank job stopped and resumed computes exactly the losses of
 *   an uninterrupted one, and its checkpoint also resumes in one process;
 * killed-rank: SIGKILL on one rank ends the job, non-zero, with a message,
 *   within 2 minutes;
 * restart: under --max_restarts 1 the restarted job resumes from the
 *   checkpoint and finishes;
 * interrupt: SIGINT to the launcher stops every rank with a checkpoint;
 * two-nodes: two launchers on 127.0.0.1 meet through the c10d rendezvous.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "test-util.h"
#include "distributed-test-util.h"
#include "job-events.h"

/* --- a job's events and processes ---------------------------------------- */

static gboolean
is_event (JsonObject *event,
          const char *name)
{
  return g_str_equal (job_event_name (event), name);
}

/* Waits until the job's stdout has event `name` (at step >= min_step), or
 * the process has ended */
static gboolean
wait_for_event (GSubprocess *process,
                const char  *stdout_path,
                const char  *name,
                gint64       min_step)
{
  for (;;)
    {
      g_autoptr(GPtrArray) events = job_events_read (stdout_path);

      for (guint i = 0; i < events->len; i++)
        if (is_event (events->pdata[i], name) &&
            json_object_get_int_member_with_default (events->pdata[i], "step", 0) >= min_step)
          return TRUE;
      if (g_subprocess_get_identifier (process) == NULL)
        return FALSE;
      g_usleep (G_USEC_PER_SEC / 20);
    }
}

/* The soundstyle process of the tagged job with RANK=rank, or 0 */
static GPid
find_rank (const char *tag,
           int         rank)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *want_tag = g_strdup_printf ("SOUNDSTYLE_TEST_TAG=%s", tag);
  g_autofree char *want_rank = g_strdup_printf ("RANK=%d", rank);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *environ_path = g_build_filename ("/proc", name, "environ", NULL);
      g_autofree char *comm_path = g_build_filename ("/proc", name, "comm", NULL);
      g_autofree char *env = NULL;
      g_autofree char *comm = NULL;
      gsize length;
      gboolean tagged = FALSE, ranked = FALSE;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (comm_path, &comm, NULL, NULL) ||
          !g_str_has_prefix (comm, "soundstyle") ||
          !g_file_get_contents (environ_path, &env, &length, NULL))
        continue;
      for (gsize at = 0; at < length; at += strlen (env + at) + 1)
        {
          tagged = tagged || g_str_equal (env + at, want_tag);
          ranked = ranked || g_str_equal (env + at, want_rank);
        }
      if (tagged && ranked)
        return (GPid) g_ascii_strtoll (name, NULL, 10);
    }
  return 0;
}

/* torchrun's launch line as the README gives it, for Debian's 1.13 (whose
 * default --redirects 0 --tee 0 fails on Python 3.11) and newer releases:
 * torchrun LAUNCH... --no_python soundstyle train DATA --output DIR/model
 * --checkpoint DIR/ckpt --json --device cpu, and a fresh run's options
 * when epochs is given */
static GPtrArray *
job_argv (const char * const *launch,
          const char         *dir,
          const char         *epochs)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (torchrun));
  for (guint i = 0; launch[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (launch[i]));
  g_ptr_array_add (argv, g_strdup ("--no_python"));
  g_ptr_array_add (argv, g_strdup (test_soundstyle_bin ()));
  g_ptr_array_add (argv, g_strdup ("train"));
  g_ptr_array_add (argv, g_strdup (dataset_path));
  g_ptr_array_add (argv, g_strdup ("--output"));
  g_ptr_array_add (argv, g_build_filename (dir, "model.safetensors", NULL));
  g_ptr_array_add (argv, g_strdup ("--checkpoint"));
  g_ptr_array_add (argv, g_build_filename (dir, "ckpt", NULL));
  g_ptr_array_add (argv, g_strdup ("--json"));
  g_ptr_array_add (argv, g_strdup ("--device"));
  g_ptr_array_add (argv, g_strdup ("cpu"));
  if (epochs != NULL)
    {
      const char *fresh[] = { "--preset", "tiny", "--size", "32", "--batch", BATCH, "--seed", "3",
                              "--epochs", epochs };

      for (guint i = 0; i < G_N_ELEMENTS (fresh); i++)
        g_ptr_array_add (argv, g_strdup (fresh[i]));
    }
  return argv;
}

/* 2 ranks on this machine, torchrun's static rendezvous on a free port */
static GPtrArray *
torchrun_argv (const char *dir,
               int         max_restarts,
               const char *epochs)
{
  g_autofree char *port = g_strdup_printf ("%d", free_port ());
  g_autofree char *restarts = g_strdup_printf ("%d", max_restarts);
  const char *launch[] = { "--nproc_per_node", "2", "-r", "2", "-t", "2", "--master_port", port,
                           "--max_restarts", restarts, NULL };

  return job_argv (launch, dir, epochs);
}

/* step -> losses of a job's progress events */
static GHashTable *
progress_losses (const char *stdout_path)
{
  GHashTable *by_step = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GPtrArray) events = job_events_read (stdout_path);

  for (guint i = 0; i < events->len; i++)
    if (is_event (events->pdata[i], "progress"))
      {
        gint64 step = json_object_get_int_member (events->pdata[i], "step");

        g_hash_table_insert (by_step, g_memdup2 (&step, sizeof step), job_event_losses (events->pdata[i]));
      }
  return by_step;
}

static JsonObject *
first_event (GPtrArray  *events,
             const char *name)
{
  for (guint i = 0; i < events->len; i++)
    if (is_event (events->pdata[i], name))
      return events->pdata[i];
  return NULL;
}

/* --- resume ---------------------------------------------------------------- */

static void
test_resume (void)
{
  g_autofree char *whole_dir = g_build_filename (tmpdir, "resume-whole", NULL);
  g_autofree char *split_dir = g_build_filename (tmpdir, "resume-split", NULL);
  g_autofree char *whole_out = g_build_filename (whole_dir, "whole.out", NULL);
  g_autofree char *second_out = g_build_filename (split_dir, "second.out", NULL);
  g_autofree char *alone_out = g_build_filename (split_dir, "alone.out", NULL);
  g_autofree char *checkpoint = g_build_filename (split_dir, "ckpt", NULL);
  g_autofree char *alone_model = g_build_filename (split_dir, "alone.safetensors", NULL);
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) alone = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GHashTable) resumed = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *start;

  if (!have_torchrun ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (whole_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (split_dir, 0755), ==, 0);

  /* 8 items, batch 4: 2 steps an epoch, 4 in all */
  whole = torchrun_argv (whole_dir, 0, "2+0");
  g_assert_cmpint (run_job (whole, whole_dir, "whole"), ==, 0);
  expected = progress_losses (whole_out);
  g_assert_cmpuint (g_hash_table_size (expected), ==, 4);

  events = job_events_read (whole_out);
  start = first_event (events, "start");
  g_assert_nonnull (start);
  g_assert_cmpint (json_object_get_int_member (start, "world_size"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (start, "backend"), ==, "gloo");
  g_assert_cmpint (json_object_get_int_member (start, "batch_size"), ==, 4);

  first = torchrun_argv (split_dir, 0, "2+0");
  add_args (first, "--max-steps", "2", NULL);
  g_assert_cmpint (run_job (first, split_dir, "first"), ==, 0);

  second = torchrun_argv (split_dir, 0, NULL);
  add_args (second, "--resume", checkpoint, NULL);
  g_assert_cmpint (run_job (second, split_dir, "second"), ==, 0);
  resumed = progress_losses (second_out);
  g_assert_cmpuint (g_hash_table_size (resumed), ==, 2);
  for (gint64 step = 3; step <= 4; step++)
    g_assert_cmpstr (g_hash_table_lookup (resumed, &step), ==, g_hash_table_lookup (expected, &step));

  /* Another world size resumes too (not to the bit: BatchNorm's batches differ) */
  add_args (alone, test_soundstyle_bin (), "train", dataset_path, "--output", alone_model,
            "--checkpoint", checkpoint, "--resume", checkpoint, "--max-steps", "1",
            "--json", "--device", "cpu", NULL);
  g_assert_cmpint (run_job (alone, split_dir, "alone"), ==, 0);
  g_clear_pointer (&resumed, g_hash_table_unref);
  resumed = progress_losses (alone_out);
  g_assert_cmpuint (g_hash_table_size (resumed), ==, 1);
  g_assert_true (g_file_test (alone_model, G_FILE_TEST_IS_REGULAR));
}

/* --- faults ---------------------------------------------------------------- */

static void
test_killed_rank (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "killed", NULL);
  g_autofree char *out = g_build_filename (dir, "job.out", NULL);
  g_autofree char *err = g_build_filename (dir, "job.err", NULL);
  g_autofree char *err_text = NULL;
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) job = NULL;
  gint64 killed_at;
  double seconds;
  GPid victim;
  int status;

  if (!have_torchrun ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  argv = torchrun_argv (dir, 0, "100+0");
  job = spawn (argv_of (argv), "killed", out, err);
  g_assert_true (wait_for_event (job, out, "progress", 1));
  victim = find_rank ("killed", 1);
  g_assert_cmpint (victim, >, 0);
  g_assert_cmpint (kill (victim, SIGKILL), ==, 0);
  killed_at = g_get_monotonic_time ();

  status = wait_status (job);
  seconds = (g_get_monotonic_time () - killed_at) / 1e6;
  g_assert_true (g_file_get_contents (err, &err_text, NULL, NULL));
  g_test_message ("the job ended %.1f s after the kill, exit status %d", seconds, status);
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpfloat (seconds, <, 120);
  /* torchrun names the signal and the rank */
  g_assert_nonnull (strstr (err_text, "SIGKILL"));
  g_assert_false (g_file_test (model, G_FILE_TEST_EXISTS));
}

static void
test_restart (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "restart", NULL);
  g_autofree char *out = g_build_filename (dir, "job.out", NULL);
  g_autofree char *err = g_build_filename (dir, "job.err", NULL);
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) job = NULL;
  g_autoptr(GPtrArray) events = NULL;
  GPid victim;
  guint starts = 0;
  gint64 resumed_from = -1;
  JsonObject *done = NULL;

  if (!have_torchrun ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  /* 40 steps, a checkpoint every 2 */
  argv = torchrun_argv (dir, 1, "20+0");
  add_args (argv, "--checkpoint-every", "2", NULL);
  job = spawn (argv_of (argv), "restart", out, err);
  g_assert_true (wait_for_event (job, out, "checkpoint", 2));
  victim = find_rank ("restart", 1);
  g_assert_cmpint (victim, >, 0);
  g_assert_cmpint (kill (victim, SIGKILL), ==, 0);

  if (wait_status (job) != 0)
    show_file ("stderr", err);
  g_assert_true (g_subprocess_get_if_exited (job));
  g_assert_cmpint (g_subprocess_get_exit_status (job), ==, 0);

  events = job_events_read (out);
  for (guint i = 0; i < events->len; i++)
    {
      if (is_event (events->pdata[i], "start"))
        {
          starts++;
          if (json_object_get_boolean_member (events->pdata[i], "resumed"))
            resumed_from = json_object_get_int_member (events->pdata[i], "step");
        }
      if (is_event (events->pdata[i], "done"))
        done = events->pdata[i];
    }
  g_test_message ("the restarted job resumed from step %" G_GINT64_FORMAT, resumed_from);
  g_assert_cmpuint (starts, ==, 2);
  g_assert_cmpint (resumed_from, >=, 2);
  g_assert_cmpint (resumed_from % 2, ==, 0);
  g_assert_nonnull (done);
  g_assert_cmpint (json_object_get_int_member (done, "step"), ==, 40);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
}

static void
test_interrupt (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "interrupt", NULL);
  g_autofree char *out = g_build_filename (dir, "job.out", NULL);
  g_autofree char *err = g_build_filename (dir, "job.err", NULL);
  g_autofree char *checkpoint = g_build_filename (dir, "ckpt", NULL);
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) job = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *interrupted;

  if (!have_torchrun ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  argv = torchrun_argv (dir, 0, "100+0");
  add_args (argv, "--checkpoint-every", "0", NULL);
  job = spawn (argv_of (argv), "interrupt", out, err);
  g_assert_true (wait_for_event (job, out, "progress", 1));
  g_subprocess_send_signal (job, SIGINT);
  wait_status (job);

  events = job_events_read (out);
  interrupted = first_event (events, "interrupted");
  if (interrupted == NULL)
    show_file ("stderr", err);
  g_assert_nonnull (interrupted);
  g_assert_cmpint (json_object_get_int_member (interrupted, "step"), >=, 1);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
}

/* --- two launchers --------------------------------------------------------- */

static void
test_two_nodes (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "nodes", NULL);
  g_autofree char *endpoint = g_strdup_printf ("127.0.0.1:%d", free_port ());
  GSubprocess *nodes[2] = { NULL, NULL };
  g_autofree char *model = g_build_filename (dir, "model.safetensors", NULL);
  gboolean saw_world = FALSE;

  if (!have_torchrun ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  for (int n = 0; n < 2; n++)
    {
      /* One rank per launcher, two launchers meeting at the endpoint */
      const char *launch[] = { "--nnodes", "2", "--nproc_per_node", "1", "--rdzv_backend", "c10d",
                               "--rdzv_endpoint", endpoint, "--rdzv_id", "soundstyle-test",
                               "-r", "2", "-t", "2", NULL };
      g_autoptr(GPtrArray) argv = job_argv (launch, dir, "1+0");
      g_autofree char *out = g_strdup_printf ("%s/node%d.out", dir, n);
      g_autofree char *err = g_strdup_printf ("%s/node%d.err", dir, n);

      nodes[n] = spawn (argv_of (argv), "nodes", out, err);
    }

  for (int n = 0; n < 2; n++)
    {
      g_autofree char *out = g_strdup_printf ("%s/node%d.out", dir, n);
      g_autofree char *err = g_strdup_printf ("%s/node%d.err", dir, n);
      g_autoptr(GPtrArray) events = NULL;
      JsonObject *start;

      if (wait_status (nodes[n]) != 0)
        show_file ("stderr", err);
      g_assert_true (g_subprocess_get_if_exited (nodes[n]));
      g_assert_cmpint (g_subprocess_get_exit_status (nodes[n]), ==, 0);
      g_clear_object (&nodes[n]);
      events = job_events_read (out);
      start = first_event (events, "start");
      if (start != NULL)
        {
          g_assert_cmpint (json_object_get_int_member (start, "world_size"), ==, 2);
          g_assert_nonnull (first_event (events, "done"));
          saw_world = TRUE;
        }
    }
  /* Exactly one launcher hosts rank 0, which reports and writes */
  g_assert_true (saw_world);
  g_assert_true (g_file_test (model, G_FILE_TEST_IS_REGULAR));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  distributed_test_setup ("soundstyle-distributed-jobs");

  g_test_add_func ("/distributed/resume", test_resume);
  g_test_add_func ("/distributed/killed-rank", test_killed_rank);
  g_test_add_func ("/distributed/restart", test_restart);
  g_test_add_func ("/distributed/interrupt", test_interrupt);
  g_test_add_func ("/distributed/two-nodes", test_two_nodes);

  status = g_test_run ();

  distributed_test_teardown ();
  return status;
}
