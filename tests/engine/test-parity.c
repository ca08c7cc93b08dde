/* test-parity.c: the engine's networks against the PyTorch reference
 *
 * SPDX-License-Identifier: MIT
 *
 * tests/reference/make_golden.py builds the reference model with random
 * weights, runs it on random inputs and writes everything to a golden file
 * in a scratch folder; the engine loads the same weights and inputs and must
 * give the same spectrogram, embedding, generator and discriminator outputs,
 * PatchNCE loss, and two training steps' losses and gradient norms.
 */
#define G_LOG_DOMAIN "test-parity"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "adis.h"
#include "adis-testing.h"

#define RELATIVE_TOLERANCE 1e-4
/* Below this magnitude a difference is judged against the floor instead */
#define MAGNITUDE_FLOOR 1e-3

static const char *compared[] = {
  "spec", "embed", "fake", "d_out", "nce",
  "step1.loss_d", "step1.loss_g_gan", "step1.loss_nce", "step1.loss_nce_y",
  "step1.loss_g_total", "step1.grad_norm_g", "step1.grad_norm_d",
  "step2.loss_d", "step2.loss_g_gan", "step2.loss_nce", "step2.loss_nce_y",
  "step2.loss_g_total", "step2.grad_norm_g", "step2.grad_norm_d",
  "fake_after",
};

typedef struct
{
  char *dir;
  char *golden;
  char *output;
} Scratch;

static void
scratch_init (Scratch *s)
{
  g_autoptr (GError) error = NULL;

  s->dir = g_dir_make_tmp ("soundstyle-parity-XXXXXX", &error);
  g_assert_no_error (error);
  s->golden = g_build_filename (s->dir, "golden.safetensors", NULL);
  s->output = g_build_filename (s->dir, "engine.safetensors", NULL);
}

static void
scratch_clear (Scratch *s)
{
  g_autoptr (GDir) dir = g_dir_open (s->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (s->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (s->dir);
  g_clear_pointer (&s->dir, g_free);
  g_clear_pointer (&s->golden, g_free);
  g_clear_pointer (&s->output, g_free);
}

static const char *
python_path (void)
{
  const char *python = g_getenv ("SOUNDSTYLE_PYTHON");

  return python != NULL && *python != '\0' ? python : "/usr/bin/python3";
}

static void
make_golden (const Scratch *s,
             const char    *preset,
             int            size,
             const char    *objective,
             const char    *fusion,
             const char    *head,
             int            steps)
{
  const char *source_dir = g_getenv ("SOUNDSTYLE_SOURCE_DIR");
  g_autofree char *script = NULL;
  g_autofree char *size_text = g_strdup_printf ("%d", size);
  g_autofree char *steps_text = g_strdup_printf ("%d", steps);
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_nonnull (source_dir);
  script = g_build_filename (source_dir, "tests", "reference", "make_golden.py", NULL);

  {
    const char *argv[] = { python_path (), script, "--preset", preset, "--size", size_text,
                           "--batch", "2", "--steps", steps_text, "--objective", objective,
                           "--fusion", fusion, "--head", head, "--out", s->golden, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                  NULL, &err, &status, &error);
  }
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("make_golden.py failed: %s", err);
}

/* The worst |engine - reference| relative to the reference's largest value */
static void
compare_tensor (AdisTensorFile *golden,
                AdisTensorFile *engine,
                const char     *name,
                double         *out_worst)
{
  g_autofree char *expect_name = g_strconcat ("expect.", name, NULL);
  const AdisTensorView *b = adis_tensor_file_lookup (golden, expect_name);
  const AdisTensorView *a = adis_tensor_file_lookup (engine, name);
  const float *av, *bv;
  double max_diff = 0.0, max_ref = 0.0, scale, relative;

  g_assert_nonnull (b);
  g_assert_nonnull (a);
  g_assert_cmpint (a->dtype, ==, ADIS_DTYPE_F32);
  g_assert_cmpint (b->dtype, ==, ADIS_DTYPE_F32);
  g_assert_cmpint (a->n_dims, ==, b->n_dims);
  for (int d = 0; d < a->n_dims; d++)
    g_assert_cmpint (a->shape[d], ==, b->shape[d]);
  g_assert_cmpuint (a->n_elements, ==, b->n_elements);

  /* Views may be unaligned in the mapping: read through memcpy */
  av = g_memdup2 (a->data, a->n_bytes);
  bv = g_memdup2 (b->data, b->n_bytes);
  for (gsize i = 0; i < a->n_elements; i++)
    {
      g_assert_true (isfinite (av[i]));
      max_diff = MAX (max_diff, fabs ((double) av[i] - (double) bv[i]));
      max_ref = MAX (max_ref, fabs ((double) bv[i]));
    }
  g_free ((gpointer) av);
  g_free ((gpointer) bv);

  scale = MAX (max_ref, MAGNITUDE_FLOOR);
  relative = max_diff / scale;
  g_test_message ("%-20s max|a-b| %.3g  max|b| %.4g  relative %.3g",
                  name, max_diff, max_ref, relative);
  if (relative > RELATIVE_TOLERANCE)
    g_test_fail_printf ("%s differs from the reference: max|a-b| = %g, %g relative (limit %g)",
                        name, max_diff, relative, RELATIVE_TOLERANCE);
  *out_worst = MAX (*out_worst, relative);
}

static void
check_parity (const char *preset,
              int         size,
              const char *objective,
              const char *fusion,
              const char *head,
              int         steps)
{
  Scratch s = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (AdisTensorFile) golden = NULL;
  g_autoptr (AdisTensorFile) engine = NULL;
  double worst = 0.0;

  scratch_init (&s);
  make_golden (&s, preset, size, objective, fusion, head, steps);

  g_assert_true (adis_testing_run_parity (s.golden, s.output, &error));
  g_assert_no_error (error);

  golden = adis_tensor_file_open (s.golden, &error);
  g_assert_no_error (error);
  engine = adis_tensor_file_open (s.output, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (compared); i++)
    if (steps >= 2 || !g_str_has_prefix (compared[i], "step2."))
      compare_tensor (golden, engine, compared[i], &worst);
  g_test_message ("%s at %d x %d, %s objective, %s fusion, %s head: worst relative error %.3g",
                  preset, size, size, objective, fusion, head, worst);

  scratch_clear (&s);
}

static void
test_parity_tiny (void)
{
  check_parity ("tiny", 32, "nce", "early", "pixels", 2);
}

/* The ablations: CycleGAN-style second generator, late-fusion D */
static void
test_parity_tiny_cycle (void)
{
  check_parity ("tiny", 32, "cycle", "early", "pixels", 2);
}

/* Beyond the paper: the grid head in place of the pixel decoder, forward
 * and two training steps (its slice, guide and overlay included) */
static void
test_parity_tiny_grid (void)
{
  check_parity ("tiny", 32, "nce", "early", "grid", 2);
}

static void
test_parity_tiny_late (void)
{
  check_parity ("tiny", 32, "nce", "late", "pixels", 2);
}

static void
test_parity_paper (void)
{
  /* One step: the tiny runs check the second (Adam's first update) */
  check_parity ("paper", 64, "nce", "early", "pixels", 1);
}

static void
test_parity_paper_size (void)
{
  AdisConfig config;
  g_autoptr (GError) error = NULL;
  gint64 n_g, n_a;

  g_assert_true (adis_config_init_preset (&config, "paper", &error));
  n_g = adis_testing_count_parameters (&config, "G", &error);
  g_assert_no_error (error);
  n_a = adis_testing_count_parameters (&config, "A", &error);
  g_assert_no_error (error);
  g_test_message ("paper: G %" G_GINT64_FORMAT " parameters, A %" G_GINT64_FORMAT, n_g, n_a);

  /* The facts: about 12.5 M for G and 11.3 M for the audio encoder */
  g_assert_cmpint (n_g, >=, 12400000);
  g_assert_cmpint (n_g, <=, 12600000);
  g_assert_cmpint (n_a, >=, 11200000);
  g_assert_cmpint (n_a, <=, 11400000);

  g_assert_cmpint (adis_testing_count_parameters (&config, "X", &error), ==, -1);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  adis_config_clear (&config);
}

/* Copies the golden file, leaving out one tensor or replacing the config */
static void
copy_golden (const char *from,
             const char *to,
             const char *drop,
             const char *config_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AdisTensorFile) file = adis_tensor_file_open (from, &error);
  g_autoptr (AdisTensorWriter) writer = adis_tensor_writer_new ();
  const char *keys[] = { "config", "options", "steps" };

  g_assert_no_error (error);
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    {
      const AdisTensorView *view = adis_tensor_file_get_tensor (file, i);

      if (g_strcmp0 (view->name, drop) != 0)
        adis_tensor_writer_add (writer, view->name, view->dtype, view->n_dims,
                                view->shape, view->data);
    }
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    adis_tensor_writer_set_metadata (writer, keys[i],
                                     g_strcmp0 (keys[i], "config") == 0 && config_json
                                     ? config_json
                                     : adis_tensor_file_get_metadata (file, keys[i]));
  g_assert_true (adis_tensor_writer_save (writer, to, &error));
  g_assert_no_error (error);
}

static void
test_parity_refuses_bad_weights (void)
{
  Scratch s = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *broken = NULL;
  const char *wider =
    "{\"preset\": \"custom\", \"conditioning\": \"audio\", \"ngf\": 16, \"ndf\": 8, "
    "\"n_blocks\": 2, \"audio_width\": 8, \"embed_dim\": 32, \"mlp_dim\": 32}";

  scratch_init (&s);
  make_golden (&s, "tiny", 32, "nce", "early", "pixels", 1);
  broken = g_build_filename (s.dir, "broken.safetensors", NULL);

  /* A weight missing */
  copy_golden (s.golden, broken, "G.model.12.conv_block.5.weight", NULL);
  g_assert_false (adis_testing_run_parity (broken, s.output, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (error->message, "G.model.12.conv_block.5.weight"));
  g_assert_false (g_file_test (s.output, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Weights of another width than the config says */
  copy_golden (s.golden, broken, NULL, wider);
  g_assert_false (adis_testing_run_parity (broken, s.output, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_false (g_file_test (s.output, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* An input missing */
  copy_golden (s.golden, broken, "in.patch_ids.2", NULL);
  g_assert_false (adis_testing_run_parity (broken, s.output, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_clear_error (&error);

  scratch_clear (&s);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/soundstyle/parity/tiny-32", test_parity_tiny);
  g_test_add_func ("/soundstyle/parity/tiny-32-cycle", test_parity_tiny_cycle);
  g_test_add_func ("/soundstyle/parity/tiny-32-late", test_parity_tiny_late);
  g_test_add_func ("/soundstyle/parity/tiny-32-grid", test_parity_tiny_grid);
  g_test_add_func ("/soundstyle/parity/paper-64", test_parity_paper);
  g_test_add_func ("/soundstyle/parity/paper-size", test_parity_paper_size);
  g_test_add_func ("/soundstyle/parity/refuses-bad-weights", test_parity_refuses_bad_weights);

  return g_test_run ();
}
