/* test-import-published.c: the checkpoints avstyle publishes, imported and run
 *
 * SPDX-License-Identifier: MIT
 *
 * tests/reference/avstyle_published.py builds networks with the published
 * code's module structure and parameter names (model_down / model_up;
 * AudioInconv, AudioLayer1-4, proj and nnAudio's STFT kernels), at the tiny
 * preset's sizes, saves their state dicts with torch.save as the published
 * code does, and runs them the way the published test path does: the clip
 * peak-normalised, the photo squashed to 256 x 256. The imported model,
 * run the way `soundstyle stylize` runs it, must give the same picture
 * before 8-bit conversion. The command line is checked end to end too: the
 * import, info, stylize's PNG, and the refusals (one line, exit 2, no file).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

#define SQUARE 256
#define WIDE_WIDTH 384

static char *tmpdir;

static char *
path_in (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static float *
read_floats (const char *name,
             gsize       n_expected)
{
  g_autofree char *path = path_in (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, n_expected * sizeof (float));
  return (float *) contents;
}

/* The raw RGB photos the reference wrote */
static AdisImage *
read_photo (const char *name,
            int         width,
            int         height)
{
  g_autofree char *path = path_in (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  AdisImage *image;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, ==, (gsize) width * height * 3);
  image = adis_image_new_from_rgb8 ((const guint8 *) contents, width, height, width * 3, 3, &error);
  g_assert_no_error (error);
  return image;
}

static double
max_gap (const float *a,
         const float *b,
         gsize        n)
{
  double worst = 0;

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((double) a[i] - b[i]));
  return worst;
}

static AdisModel *
import_tiny (const char *generator,
             const char *output_name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *g_pt = path_in (generator);
  g_autofree char *a_pt = path_in ("latest_net_Audio.pth");
  g_autofree char *output = path_in (output_name);
  AdisConfig config;
  AdisModel *model;

  g_assert_true (adis_config_init_preset (&config, "tiny", &error));
  g_assert_true (adis_import_checkpoint (g_pt, a_pt, &config, output, FALSE, &error));
  g_assert_no_error (error);
  adis_config_clear (&config);

  model = adis_model_load (output, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  return model;
}

/* What stylize does with a photo and a sound, up to the float picture */
static AdisImage *
stylize (AdisModel  *model,
         AdisImage  *photo,
         AdisAspect  aspect,
         float       gain,
         float      *out_embedding)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wav = path_in ("sound.wav");
  g_autoptr(AdisSound) sound = adis_sound_load (wav, &error);
  g_autoptr(AdisImage) fitted = NULL;
  g_autoptr(AdisImageCode) icode = NULL;
  g_autoptr(AdisSoundCode) scode = NULL;
  AdisImage *out;
  int size = adis_model_default_long_side (model, 512);
  int dim = 0;

  g_assert_no_error (error);
  fitted = adis_model_fit_image (model, photo, aspect, &size);
  icode = adis_model_encode_image (model, fitted, size, NULL, &error);
  g_assert_no_error (error);
  scode = adis_model_encode_sound (model, sound, NULL, gain, 0, NULL, &error);
  g_assert_no_error (error);
  if (out_embedding != NULL)
    {
      memcpy (out_embedding, adis_sound_code_get_embedding (scode, &dim), 32 * sizeof (float));
      g_assert_cmpint (dim, ==, 32);
    }
  out = adis_model_decode (model, icode, scode, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
assert_matches (AdisImage  *out,
                const char *expected_name,
                const char *what)
{
  gsize n = (gsize) 3 * SQUARE * SQUARE;
  g_autofree float *want = read_floats (expected_name, n);
  double gap;
  float lo = want[0], hi = want[0];

  g_assert_cmpint (adis_image_get_width (out), ==, SQUARE);
  g_assert_cmpint (adis_image_get_height (out), ==, SQUARE);
  gap = max_gap (adis_image_get_planes (out), want, n);
  g_test_message ("%s vs the published structure's forward: max |diff| %g", what, gap);
  g_assert_cmpfloat (gap, <, 1e-4);

  /* ... and the reference's picture is not flat, so the match means something */
  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, want[i]);
      hi = MAX (hi, want[i]);
    }
  g_assert_cmpfloat (hi - lo, >, 0.5);
}

static void
test_published_naming (void)
{
  g_autoptr(AdisModel) model = import_tiny ("latest_net_G.pth", "published.safetensors");
  g_autoptr(AdisImage) square = read_photo ("square.rgb", SQUARE, SQUARE);
  g_autoptr(AdisImage) wide = read_photo ("wide.rgb", WIDE_WIDTH, SQUARE);
  g_autofree float *emb = read_floats ("emb.f32", 32);
  g_autofree float *emb_raw = read_floats ("emb_raw.f32", 32);
  g_autofree char *json = adis_model_dup_metadata_json (model);
  AdisInputRules rules;
  float embedding[32];

  adis_model_get_input_rules (model, &rules);
  g_assert_true (rules.peak_normalised);
  g_assert_cmpint (rules.square_size, ==, SQUARE);
  g_assert_nonnull (strstr (json, "\"peak_normalised\" : true"));
  g_assert_nonnull (strstr (json, "model_down, model_up"));
  g_assert_nonnull (strstr (json, "latest_net_Audio.pth"));

  /* The audio embedding: the peak-normalised clip's, not the raw one's */
  {
    g_autoptr(AdisImage) out = stylize (model, square, ADIS_ASPECT_AUTO, 1.0f, embedding);
    double gap = max_gap (embedding, emb, 32);

    g_test_message ("embedding vs the published structure's: max |diff| %g (raw clip's: %g away)",
                    gap, max_gap (emb, emb_raw, 32));
    g_assert_cmpfloat (gap, <, 1e-4);
    g_assert_cmpfloat (max_gap (emb, emb_raw, 32), >, 1e-2);
    assert_matches (out, "y_square.f32", "square photo, published naming");
  }

  /* A 384 x 256 photo is squashed to 256 x 256 by default */
  {
    g_autoptr(AdisImage) out = stylize (model, wide, ADIS_ASPECT_AUTO, 1.0f, NULL);

    assert_matches (out, "y_wide.f32", "wide photo squashed, published naming");
  }

  /* The gain scales the normalised clip */
  {
    g_autoptr(AdisImage) out = stylize (model, square, ADIS_ASPECT_AUTO, 0.5f, NULL);

    assert_matches (out, "y_square_half.f32", "gain 0.5 after the peak normalisation");
  }

  /* Keeping the aspect instead: 256 x 172, Soundstyle's size rule */
  {
    g_autoptr(AdisImage) out = stylize (model, wide, ADIS_ASPECT_KEEP, 1.0f, NULL);

    g_assert_cmpint (adis_image_get_width (out), ==, SQUARE);
    g_assert_cmpint (adis_image_get_height (out), ==, 172);
  }
}

static void
test_flat_naming (void)
{
  g_autoptr(AdisModel) model = import_tiny ("flat_net_G.pth", "flat.safetensors");
  g_autoptr(AdisImage) square = read_photo ("square.rgb", SQUARE, SQUARE);
  g_autoptr(AdisImage) out = stylize (model, square, ADIS_ASPECT_AUTO, 1.0f, NULL);
  g_autofree char *json = adis_model_dup_metadata_json (model);

  g_assert_nonnull (strstr (json, "CUT's flat naming"));
  assert_matches (out, "y_square.f32", "square photo, CUT's flat naming");
}

/* --- the command line -------------------------------------------------- */

static int
run_cli (char      **out_stdout,
         char      **out_stderr,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *ignored = NULL;
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (gpointer) test_soundstyle_bin ());
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  /* The child's stdout is captured even when unused: the TAP stream is ours */
  return test_run ((const char * const *) argv->pdata, out_stdout ? out_stdout : &ignored, out_stderr);
}

static void
test_cli_import_and_stylize (void)
{
  g_autofree char *g_pt = path_in ("latest_net_G.pth");
  g_autofree char *a_pt = path_in ("latest_net_Audio.pth");
  g_autofree char *model = path_in ("cli.safetensors");
  g_autofree char *png = path_in ("wide.png");
  g_autofree char *wav = path_in ("sound.wav");
  g_autofree char *styled = path_in ("styled.png");
  g_autofree char *info = NULL;
  g_autofree char *err = NULL;
  g_autofree float *want = read_floats ("y_wide.f32", (gsize) 3 * SQUARE * SQUARE);
  g_autoptr(AdisImage) wide = read_photo ("wide.rgb", WIDE_WIDTH, SQUARE);
  g_autoptr(AdisImage) result = NULL;
  g_autoptr(AdisImage) expected = NULL;
  g_autofree guint8 *got = NULL;
  g_autofree guint8 *rounded = NULL;
  g_autoptr(GError) error = NULL;
  int worst = 0;

  g_assert_true (adis_image_save (wide, png, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_cli (NULL, &err, "import-checkpoint", "--preset", "tiny", "--generator", g_pt,
                            "--audio", a_pt, "--output", model, NULL), ==, 0);

  g_assert_cmpint (run_cli (&info, NULL, "info", model, NULL), ==, 0);
  g_test_message ("%s", info);
  g_assert_nonnull (strstr (info, "peak-normalised to 1 / (1.1 max|wav|)"));
  g_assert_nonnull (strstr (info, "squashed to 256 x 256"));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, &err, "stylize", "--model", model, "--image", png, "--audio", wav,
                            "--device", "cpu", "--output", styled, NULL), ==, 0);
  result = adis_image_load (styled, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (result), ==, SQUARE);
  g_assert_cmpint (adis_image_get_height (result), ==, SQUARE);

  /* The PNG holds the reference's picture rounded to 8 bits: one level at
   * most where the float lies on a rounding boundary */
  expected = adis_image_new_from_planes (want, SQUARE, SQUARE);
  got = adis_image_to_rgb8 (result);
  rounded = adis_image_to_rgb8 (expected);
  for (int i = 0; i < 3 * SQUARE * SQUARE; i++)
    worst = MAX (worst, abs ((int) got[i] - (int) rounded[i]));
  g_test_message ("stylize's PNG vs the reference rounded to 8 bits: max %d level(s)", worst);
  g_assert_cmpint (worst, <=, 1);

  /* --aspect keep: the photo's aspect at the model's 256 */
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&result, adis_image_unref);
  g_assert_cmpint (run_cli (NULL, &err, "stylize", "--model", model, "--image", png, "--audio", wav,
                            "--device", "cpu", "--aspect", "keep", "--output", styled, NULL), ==, 0);
  result = adis_image_load (styled, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (result), ==, SQUARE);
  g_assert_cmpint (adis_image_get_height (result), ==, 172);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, &err, "stylize", "--model", model, "--image", png, "--audio", wav,
                            "--aspect", "stretch", "--output", styled, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "not squash or keep"));
}

/* Files that must be refused, and words the one-line refusal must hold */
static const struct
{
  const char *generator;
  const char *audio;
  const char *preset;
  const char *words[5];
} refusals[] = {
  /* A tensor renamed: the naming, the missing tensor and its shape, and
   * what the file has instead */
  { "renamed_net_G.pth", "latest_net_Audio.pth", "tiny",
    { "renamed_net_G.pth: ", "model_down.N, model_up.M", "model_up.1.weight [32, 64, 3, 3]",
      "model_up.1.conv.weight", NULL } },
  /* The last tensor missing */
  { "shortened_net_G.pth", "latest_net_Audio.pth", "tiny", { "model_up.9.bias [3]", "lacks", NULL } },
  /* The file cut in half */
  { "truncated_net_G.pth", "latest_net_Audio.pth", "tiny",
    { "truncated_net_G.pth: not a PyTorch checkpoint that can be read", NULL } },
  /* One residual block too many: an extra tensor */
  { "blocks3_net_G.pth", "latest_net_Audio.pth", "tiny",
    { "has model_down.14.conv_block.1.weight [32, 32, 3, 3]", "does not have", NULL } },
  /* Weights for another preset */
  { "latest_net_G.pth", "latest_net_Audio.pth", "desktop", { "at the desktop preset", NULL } },
  /* The files swapped */
  { "latest_net_Audio.pth", "latest_net_G.pth", "tiny",
    { "holds neither", "AudioInconv.0.weight [8, 1, 7, 7]", NULL } },
  /* STFT kernels of another window (Hann 512): another front end */
  { "latest_net_G.pth", "window512_net_Audio.pth", "tiny",
    { "window512_net_Audio.pth: ", "STFT kernels", NULL } },
};

static void
assert_says (const char *message,
             guint       i)
{
  for (int w = 0; refusals[i].words[w] != NULL; w++)
    if (strstr (message, refusals[i].words[w]) == NULL)
      g_error ("the refusal of %s + %s does not say “%s”: %s", refusals[i].generator,
               refusals[i].audio, refusals[i].words[w], message);
}

static void
test_refusals (void)
{
  g_autofree char *output = path_in ("refused.safetensors");

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *g_pt = path_in (refusals[i].generator);
      g_autofree char *a_pt = path_in (refusals[i].audio);
      AdisConfig config;

      g_assert_true (adis_config_init_preset (&config, refusals[i].preset, &error));
      g_assert_false (adis_import_checkpoint (g_pt, a_pt, &config, output, FALSE, &error));
      adis_config_clear (&config);
      g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
      g_test_message ("%s + %s: %s", refusals[i].generator, refusals[i].audio, error->message);
      g_assert_null (strchr (error->message, '\n'));
      assert_says (error->message, i);
      g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
    }
}

/* The same through the command: exit 2, one line, no file */
static void
test_cli_refusals (void)
{
  g_autofree char *output = path_in ("refused.safetensors");

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *g_pt = path_in (refusals[i].generator);
      g_autofree char *a_pt = path_in (refusals[i].audio);
      g_autofree char *err = NULL;

      g_assert_cmpint (run_cli (NULL, &err, "import-checkpoint", "--preset", refusals[i].preset,
                                "--generator", g_pt, "--audio", a_pt, "--output", output, NULL), ==, 2);
      g_assert_true (g_str_has_suffix (err, "\n"));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
      assert_says (err, i);
      g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  adis_set_num_threads (2);

  tmpdir = test_make_tmpdir ("test-import-published");
  script = g_build_filename (test_source_dir (), "tests", "reference", "avstyle_published.py", NULL);
  {
    const char *argv_py[] = { test_python (), script, tmpdir, NULL };

    status = test_run (argv_py, NULL, &err);
    if (status != 0)
      g_error ("the PyTorch reference failed (%d): %s", status, err ? err : "");
  }

  g_test_add_func ("/soundstyle/import-published/published-naming", test_published_naming);
  g_test_add_func ("/soundstyle/import-published/flat-naming", test_flat_naming);
  g_test_add_func ("/soundstyle/import-published/refusals", test_refusals);
  g_test_add_func ("/soundstyle/import-published/cli", test_cli_import_and_stylize);
  g_test_add_func ("/soundstyle/import-published/cli-refusals", test_cli_refusals);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
