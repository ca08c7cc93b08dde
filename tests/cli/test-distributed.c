/* test-distributed.c: one step of a data-parallel job under torchrun,
 * on loopback with Gloo, against one process's
 *
 * SPDX-License-Identifier: MIT
 *
 * Every job is launched the way the README says, by Debian's torchrun
 * (python3-torch), on a tiny set this test makes; the step is
 * distributed-step's, the training step alone (test-distributed-jobs.c
 * runs whole `soundstyle train` jobs):
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
 * options-alone: the job's options, outside a job, are a usage error.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-util.h"
#include "distributed-test-util.h"
#include "adis-distributed.h"
#include "adis-loader-shard.h"

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

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  distributed_test_setup ("soundstyle-distributed");

  g_test_add_func ("/distributed/shards", test_shards);
  g_test_add_func ("/distributed/options-alone", test_options_alone);
  g_test_add_func ("/distributed/first-step", test_first_step);
  g_test_add_func ("/distributed/first-step-sync-batchnorm", test_first_step_sync_batchnorm);
  g_test_add_func ("/distributed/first-step-batchnorm", test_first_step_batchnorm);
  g_test_add_func ("/distributed/overlap", test_overlap);

  status = g_test_run ();

  distributed_test_teardown ();
  return status;
}
