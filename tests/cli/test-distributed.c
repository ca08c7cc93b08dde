/* test-distributed.c: `soundstyle train` as a data-parallel job under
 * torchrun, on loopback with Gloo
 *
 * SPDX-License-Identifier: MIT
 *
 * Every job is launched the way the README says, by Debian's torchrun
 * (python3-torch), with the tiny preset on a tiny set this test makes:
 * shards: the ranks' shards of a batch are the one batch, row for row;
 * first-step: 2 ranks' first step equals one process's on the same global
 *   batch (the label baseline, which has no BatchNorm), and both ranks end
 *   the step with the same weights;
 * first-step-sync-batchnorm: with the audio encoder and --sync-batchnorm,
 *   every gradient, loss and running statistic of 2 ranks' first step is
 *   one process's within 1e-5 absolute, in double (the maths; float32's
 *   rounding alone exceeds 1e-5 on gradients that reach 1e5), and close in
 *   float32 too;
 * first-step-batchnorm: by default BatchNorm normalises each rank's half of
 *   the batch (as DDP), so the step differs, and the test shows it can tell;
 * overlap: averaging the gradients during the backward pass (DDP's Reducer,
 *   many small buckets) gives the same bits as after it;
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

#include <math.h>
#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"
#include "adis-distributed.h"
#include "adis-loader-shard.h"

#define ITEMS 8
#define BATCH "4"

static char *tmpdir;
static char *dataset_path;
static char *torchrun;

static gboolean
have_torchrun (void)
{
  if (torchrun == NULL)
    {
      g_test_skip ("torchrun (python3-torch) is not installed");
      return FALSE;
    }
  return TRUE;
}

/* A port nobody listens on now (the launchers bind it a moment later) */
static int
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Each job's processes carry a tag in their environment, so that the test
 * can find its own ranks among the machine's processes */
static GSubprocess *
spawn (const char * const *argv,
       const char         *tag,
       const char         *stdout_path,
       const char         *stderr_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MODEL");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* N ranks × 1 thread on this 2-core machine */
  g_subprocess_launcher_setenv (launcher, "OMP_NUM_THREADS", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "SOUNDSTYLE_TEST_TAG", tag, TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

static GPtrArray *
read_events (const char *path)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return events;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (lines[i][0] != '{' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      g_ptr_array_add (events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }
  return events;
}

static gboolean
is_event (JsonObject *event,
          const char *name)
{
  return g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""), name) == 0;
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
      g_autoptr(GPtrArray) events = read_events (stdout_path);

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

static void
add_args (GPtrArray *argv,
          ...)
{
  va_list args;
  const char *arg;

  va_start (args, argv);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
}

static const char * const *
argv_of (GPtrArray *argv)
{
  if (argv->len == 0 || argv->pdata[argv->len - 1] != NULL)
    g_ptr_array_add (argv, NULL);
  return (const char * const *) argv->pdata;
}

static int
wait_status (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static void
show_file (const char *what,
           const char *path)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    g_test_message ("%s:\n%s", what, text);
}

/* Runs a job to its end; returns its exit status */
static int
run_job (GPtrArray  *argv,
         const char *dir,
         const char *name)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.out", dir, name);
  g_autofree char *err = g_strdup_printf ("%s/%s.err", dir, name);
  g_autoptr(GSubprocess) job = spawn (argv_of (argv), name, out, err);
  int status = wait_status (job);

  if (status != 0)
    show_file ("stderr", err);
  return status;
}

static char *
losses_of (JsonObject *event)
{
  const char *names[] = { "loss_d", "loss_g_gan", "loss_nce", "loss_nce_y", "loss_g_total",
                          "grad_norm_g", "grad_norm_d" };
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_string_append_printf (text, "%s=%.17g ", names[i], json_object_get_double_member (event, names[i]));
  return g_string_free (text, FALSE);
}

/* step -> losses of a job's progress events */
static GHashTable *
progress_losses (const char *stdout_path)
{
  GHashTable *by_step = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GPtrArray) events = read_events (stdout_path);

  for (guint i = 0; i < events->len; i++)
    if (is_event (events->pdata[i], "progress"))
      {
        gint64 step = json_object_get_int_member (events->pdata[i], "step");

        g_hash_table_insert (by_step, g_memdup2 (&step, sizeof step), losses_of (events->pdata[i]));
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

/* --- shards ---------------------------------------------------------------- */

static void
test_shards (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, &error);
  AdisLoaderOptions options;
  g_autoptr(AdisLoader) whole = NULL;
  g_autoptr(AdisBatch) all = NULL;
  gsize image = 3 * 16 * 16;

  g_assert_no_error (error);
  adis_loader_options_init (&options);
  options.batch_size = 4;
  options.load_size = 18;
  options.crop_size = 16;
  options.seed = 5;
  whole = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  adis_loader_seek (whole, 3);
  all = adis_loader_next (whole, &error);
  g_assert_no_error (error);

  for (int shard = 0; shard < 2; shard++)
    {
      g_autoptr(AdisLoader) loader = NULL;
      g_autoptr(AdisBatch) part = NULL;

      loader = adis_loader_new_shard (dataset, &options, shard, 2, &error);
      g_assert_no_error (error);
      adis_loader_seek (loader, 3);
      part = adis_loader_next (loader, &error);
      g_assert_no_error (error);
      g_assert_cmpint (part->n, ==, 2);
      g_assert_cmpmem (part->x, sizeof (float) * image * 2, all->x + shard * 2 * image, sizeof (float) * image * 2);
      g_assert_cmpmem (part->y, sizeof (float) * image * 2, all->y + shard * 2 * image, sizeof (float) * image * 2);
      g_assert_cmpmem (part->wave_y, sizeof (float) * ADIS_CLIP_SAMPLES * 2,
                       all->wave_y + (gsize) shard * 2 * ADIS_CLIP_SAMPLES, sizeof (float) * ADIS_CLIP_SAMPLES * 2);
      g_assert_cmpmem (part->index_y, sizeof (guint) * 2, all->index_y + shard * 2, sizeof (guint) * 2);
      g_assert_cmpmem (part->category_x, sizeof (int) * 2, all->category_x + shard * 2, sizeof (int) * 2);
    }

  /* Unequal shards would make the ranks' mean gradient another batch's */
  options.batch_size = 5;
  g_assert_null (adis_loader_new_shard (dataset, &options, 0, 2, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

/* --- first step ------------------------------------------------------------ */

static double
max_abs (const AdisTensorView *a)
{
  const float *x = (const float *) a->data;
  double largest = 0;

  for (gsize i = 0; i < a->n_elements; i++)
    largest = MAX (largest, fabs ((double) x[i]));
  return largest;
}

static void
read_losses (const char *path,
             double      values[7])
{
  g_autofree char *text = NULL;
  g_auto(GStrv) words = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  words = g_strsplit (g_strstrip (text), " ", -1);
  g_assert_cmpuint (g_strv_length (words), ==, 7);
  for (int i = 0; i < 7; i++)
    values[i] = g_ascii_strtod (words[i], NULL);
}

/* Runs distributed-step alone (when alone) and as 2 ranks under torchrun,
 * with the same options, writing DIR/step-single and DIR/step-rankN */
static void
run_steps (const char         *dir,
           gboolean            alone,
           const char * const *options)
{
  g_autofree char *prefix = g_build_filename (dir, "step", NULL);
  const char *helper = g_getenv ("SOUNDSTYLE_DISTRIBUTED_STEP");
  g_autoptr(GPtrArray) single = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) job = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (helper);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  add_args (single, helper, dataset_path, prefix, BATCH, NULL);
  add_args (job, torchrun, "--nproc_per_node", "2", "-r", "2", "-t", "2", "--master_port", NULL);
  g_ptr_array_add (job, g_strdup_printf ("%d", free_port ()));
  add_args (job, "--no_python", helper, dataset_path, prefix, BATCH, NULL);
  for (guint i = 0; options[i] != NULL; i++)
    {
      g_ptr_array_add (single, g_strdup (options[i]));
      g_ptr_array_add (job, g_strdup (options[i]));
    }
  if (alone)
    g_assert_cmpint (run_job (single, dir, "single"), ==, 0);
  g_assert_cmpint (run_job (job, dir, "job"), ==, 0);
}

static AdisTensorFile *
open_step (const char *dir,
           const char *which)
{
  g_autofree char *name = g_strdup_printf ("step-%s.safetensors", which);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  AdisTensorFile *file = adis_tensor_file_open (path, &error);

  g_assert_no_error (error);
  return file;
}

static void
read_step_losses (const char *dir,
                  const char *which,
                  double      values[7])
{
  g_autofree char *name = g_strdup_printf ("step-%s.safetensors.losses", which);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  read_losses (path, values);
}

/* Element i of a tensor that distributed-step wrote, with its "lo." rest
 * when it was double */
static double
value_at (AdisTensorFile       *file,
          const AdisTensorView *t,
          gsize                 i)
{
  g_autofree char *lo_name = g_strconcat ("lo.", t->name, NULL);
  const AdisTensorView *lo = adis_tensor_file_lookup (file, lo_name);
  double value = ((const float *) t->data)[i];

  if (lo != NULL)
    value += ((const float *) lo->data)[i];
  return value;
}

/* 2 ranks' first step against one process's on the same global batch.
 * In double: every gradient (and every running statistic of BatchNorm)
 * within 1e-5 absolute, and every loss and gradient norm too: that is the
 * maths. In float32 the step's sums in another order round differently,
 * and this GAN step amplifies that (with the audio encoder, to 5e-4 of a
 * tensor's own scale in G, where one process's float32 step is itself 5e-3
 * from the exact one), with gradients up to 2e5, where one float32 step is
 * 0.016: every gradient within 1e-5 of the step's largest, and each loss
 * and gradient norm within 1e-5 relative above 1, or, if not, no farther
 * from the exact value (exact_dir's, in double) than twice one process's
 * float32 value is. The ranks end as replicas. */
static void
check_first_step (const char *dir,
                  const char *exact_dir,
                  gboolean    audio)
{
  gboolean in_double = exact_dir == NULL;
  g_autoptr(AdisTensorFile) single = open_step (dir, "single");
  g_autoptr(AdisTensorFile) rank0 = open_step (dir, "rank0");
  g_autoptr(AdisTensorFile) rank1 = open_step (dir, "rank1");
  double a[7], b[7], exact[7], worst = 0, worst_bn = 0, worst_stats = 0, worst_loss = 0, largest = 0;
  double limit;
  guint n_grads = 0, n_bn = 0, n_stats = 0, n_within_absolute = 0;

  g_assert_cmpuint (adis_tensor_file_get_n_tensors (single), ==, adis_tensor_file_get_n_tensors (rank0));
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (single); i++)
    if (g_str_has_prefix (adis_tensor_file_get_tensor (single, i)->name, "grad."))
      largest = MAX (largest, max_abs (adis_tensor_file_get_tensor (single, i)));
  limit = in_double ? 1e-5 : 1e-5 * MAX (1.0, largest);

  for (guint i = 0; i < adis_tensor_file_get_n_tensors (single); i++)
    {
      const AdisTensorView *s = adis_tensor_file_get_tensor (single, i);
      const AdisTensorView *r0 = adis_tensor_file_lookup (rank0, s->name);
      const AdisTensorView *r1 = adis_tensor_file_lookup (rank1, s->name);
      gboolean grad = g_str_has_prefix (s->name, "grad.");
      gboolean stats = g_str_has_prefix (s->name, "buffer.A.");
      gboolean bn = grad && (strstr (s->name, ".bn") != NULL || strstr (s->name, "downsample.1.") != NULL);
      double diff = 0;

      g_assert_nonnull (r0);
      g_assert_nonnull (r1);
      /* The ranks stay replicas: the same averaged gradient, the same
       * update, the same running statistics */
      g_assert_cmpmem (r0->data, r0->n_bytes, r1->data, r1->n_bytes);
      if (!grad && !stats)
        continue;
      g_assert_cmpuint (s->n_elements, ==, r0->n_elements);
      for (gsize k = 0; k < s->n_elements; k++)
        diff = MAX (diff, fabs (value_at (single, s, k) - value_at (rank0, r0, k)));
      if (diff > limit)
        g_test_message ("%s differs by %g (its largest %g)", s->name, diff, max_abs (s));
      g_assert_cmpfloat (diff, <=, limit);
      n_within_absolute += diff <= 1e-5;
      if (grad)
        {
          worst = MAX (worst, diff);
          n_grads++;
        }
      if (bn)
        {
          worst_bn = MAX (worst_bn, diff);
          n_bn++;
        }
      if (stats)
        {
          worst_stats = MAX (worst_stats, diff);
          n_stats++;
        }
    }
  /* G, the audio encoder with its 20 BatchNorm or the keyword table, D
   * and the MLPs */
  g_assert_nonnull (adis_tensor_file_lookup (single, "grad.D.model.0.weight"));
  if (audio)
    {
      g_assert_nonnull (adis_tensor_file_lookup (single, "grad.A.bn1.weight"));
      g_assert_nonnull (adis_tensor_file_lookup (single, "grad.A.layer2.0.downsample.1.weight"));
      g_assert_nonnull (adis_tensor_file_lookup (single, "buffer.A.layer4.1.bn2.running_var"));
      g_assert_cmpuint (n_bn, ==, 40);
      g_assert_cmpuint (n_stats, >=, 40);
    }
  else
    g_assert_nonnull (adis_tensor_file_lookup (single, "grad.K.weight"));
  g_assert_cmpuint (n_grads, >, 20);

  read_step_losses (dir, "single", a);
  read_step_losses (dir, "rank0", b);
  if (!in_double)
    read_step_losses (exact_dir, "single", exact);
  for (int i = 0; i < 7; i++)
    {
      double diff = fabs (a[i] - b[i]);

      if (!in_double)
        diff /= MAX (1.0, fabs (a[i]));
      worst_loss = MAX (worst_loss, diff);
      if (diff > 1e-5)
        {
          g_test_message ("loss or norm %d: %.17g alone, %.17g with 2 ranks, exactly %.17g", i, a[i],
                          b[i], exact[i]);
          g_assert_false (in_double);
          g_assert_cmpfloat (fabs (b[i] - exact[i]), <=, 2 * fabs (a[i] - exact[i]));
        }
    }
  g_test_message ("%s, %s, 2 ranks vs 1 process: %u gradient tensors, %u of BatchNorm; largest "
                  "difference %.3g (BatchNorm's %.3g) with gradients up to %.3g; %u tensors within "
                  "1e-5 absolute; %u buffers of BatchNorm within %.3g; losses and gradient norms "
                  "within %.3g%s", audio ? "audio encoder, synchronised BatchNorm" : "label baseline",
                  in_double ? "double" : "float32", n_grads, n_bn, worst, worst_bn, largest,
                  n_within_absolute, n_stats, worst_stats, worst_loss,
                  in_double ? "" : " (relative above 1)");
}

static void
test_first_step (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "first-step", NULL);
  g_autofree char *dir32 = g_build_filename (tmpdir, "first-step-f32", NULL);
  const char *in_double[] = { "--keyword", "--double", NULL };
  const char *in_float[] = { "--keyword", NULL };

  if (!have_torchrun ())
    return;
  run_steps (dir, TRUE, in_double);
  check_first_step (dir, NULL, FALSE);
  run_steps (dir32, TRUE, in_float);
  check_first_step (dir32, dir, FALSE);
}

static void
test_first_step_sync_batchnorm (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "first-step-sync-bn", NULL);
  g_autofree char *dir32 = g_build_filename (tmpdir, "first-step-sync-bn-f32", NULL);
  const char *in_double[] = { "--sync-batchnorm", "--double", NULL };
  const char *in_float[] = { "--sync-batchnorm", NULL };

  if (!have_torchrun ())
    return;
  run_steps (dir, TRUE, in_double);
  check_first_step (dir, NULL, TRUE);
  run_steps (dir32, TRUE, in_float);
  check_first_step (dir32, dir, TRUE);
}

/* The comparison can fail: by default each rank's BatchNorm normalises its
 * own half of the batch (as DDP), so the step is another one, far beyond
 * rounding (in double) */
static void
test_first_step_batchnorm (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "first-step-bn", NULL);
  const char *options[] = { "--double", NULL };
  g_autoptr(AdisTensorFile) single = NULL;
  g_autoptr(AdisTensorFile) rank0 = NULL;
  const AdisTensorView *s, *r;
  double diff = 0;

  if (!have_torchrun ())
    return;
  run_steps (dir, TRUE, options);
  single = open_step (dir, "single");
  rank0 = open_step (dir, "rank0");
  s = adis_tensor_file_lookup (single, "grad.A.bn1.weight");
  r = adis_tensor_file_lookup (rank0, "grad.A.bn1.weight");
  for (gsize k = 0; k < s->n_elements; k++)
    diff = MAX (diff, fabs (value_at (single, s, k) - value_at (rank0, r, k)));
  g_test_message ("per-rank BatchNorm: the stem's BatchNorm weight gradient differs by %.3g", diff);
  g_assert_cmpfloat (diff, >, 1e-3);
}

/* The all-reduce overlapping the backward pass, in buckets of 64 KB (many
 * hooks, many buckets in flight), gives every gradient, weight and loss
 * to the bit of the one after it, with BatchNorm synchronised (whose own
 * all-reduces run inside the same backward pass) */
static void
test_overlap (void)
{
  g_autofree char *during_dir = g_build_filename (tmpdir, "overlap-during", NULL);
  g_autofree char *after_dir = g_build_filename (tmpdir, "overlap-after", NULL);
  const char *during[] = { "--sync-batchnorm", "--bucket-bytes", "65536", NULL };
  const char *after[] = { "--sync-batchnorm", "--no-overlap", NULL };
  g_autoptr(AdisTensorFile) a = NULL;
  g_autoptr(AdisTensorFile) b = NULL;
  double la[7], lb[7];
  guint n_grads = 0;

  if (!have_torchrun ())
    return;
  run_steps (during_dir, FALSE, during);
  run_steps (after_dir, FALSE, after);
  a = open_step (during_dir, "rank0");
  b = open_step (after_dir, "rank0");
  g_assert_cmpuint (adis_tensor_file_get_n_tensors (a), ==, adis_tensor_file_get_n_tensors (b));
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (a); i++)
    {
      const AdisTensorView *x = adis_tensor_file_get_tensor (a, i);
      const AdisTensorView *y = adis_tensor_file_lookup (b, x->name);

      g_assert_nonnull (y);
      g_assert_cmpmem (x->data, x->n_bytes, y->data, y->n_bytes);
      n_grads += g_str_has_prefix (x->name, "grad.");
    }
  g_assert_cmpuint (n_grads, >, 40);
  read_step_losses (during_dir, "rank0", la);
  read_step_losses (after_dir, "rank0", lb);
  for (int i = 0; i < 7; i++)
    g_assert_cmpfloat (la[i], ==, lb[i]);
  g_test_message ("overlapped and after the backward pass: %u gradients, the weights and the losses "
                  "the same to the bit", n_grads);
}

/* The job's options, outside a job: a clear usage error, not silence */
static void
test_options_alone (void)
{
  const char *options[] = { "--sync-batchnorm", "--no-overlap", "--collective-timeout" };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const char *argv[] = { test_soundstyle_bin (), "train", dataset_path, "--output", "unused.safetensors",
                             options[i], i == 2 ? "60" : NULL, NULL };
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("%s is for a job that torchrun launches", options[i]);

      g_assert_cmpint (test_run (argv, NULL, &err), ==, 2);
      g_assert_nonnull (strstr (err, expected));
      g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
    }
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

  events = read_events (whole_out);
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

  events = read_events (out);
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

  events = read_events (out);
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
      events = read_events (out);
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

  tmpdir = test_make_tmpdir ("soundstyle-distributed");
  dataset_path = test_make_tiny_dataset (tmpdir, ITEMS, 32);
  torchrun = g_find_program_in_path ("torchrun");

  g_test_add_func ("/distributed/shards", test_shards);
  g_test_add_func ("/distributed/options-alone", test_options_alone);
  g_test_add_func ("/distributed/first-step", test_first_step);
  g_test_add_func ("/distributed/first-step-sync-batchnorm", test_first_step_sync_batchnorm);
  g_test_add_func ("/distributed/first-step-batchnorm", test_first_step_batchnorm);
  g_test_add_func ("/distributed/overlap", test_overlap);
  g_test_add_func ("/distributed/resume", test_resume);
  g_test_add_func ("/distributed/killed-rank", test_killed_rank);
  g_test_add_func ("/distributed/restart", test_restart);
  g_test_add_func ("/distributed/interrupt", test_interrupt);
  g_test_add_func ("/distributed/two-nodes", test_two_nodes);

  status = g_test_run ();

  test_rm_rf (tmpdir);
  g_free (tmpdir);
  g_free (dataset_path);
  g_free (torchrun);
  return status;
}
