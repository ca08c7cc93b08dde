/* test-import.c: the reference's PyTorch checkpoints, imported and run
 *
 * SPDX-License-Identifier: MIT
 *
 * The PyTorch reference in tests/reference/ builds a tiny generator and
 * audio encoder, torch.saves their state dicts (the encoder's as
 * nn.DataParallel would, with "module.") and runs them on a fixed input;
 * the imported model must give the same picture.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

static const char script[] =
  "import sys, torch\n"
  "sys.path.insert(0, sys.argv[1])\n"
  "import avstyle_ref as R\n"
  "out = sys.argv[2]\n"
  "torch.manual_seed(0)\n"
  "cfg = dict(ngf=8, ndf=8, n_blocks=2, audio_width=8, embed_dim=32, mlp_dim=32)\n"
  "G = R.Generator(cfg)\n"
  "A = R.AudioEncoder(8, 32)\n"
  "# A few training-mode passes so BatchNorm's running statistics mean something\n"
  "with torch.no_grad():\n"
  "    for _ in range(3):\n"
  "        A(R.spectrogram(torch.randn(2, 48000) * 0.3))\n"
  "G.eval(); A.eval()\n"
  "torch.save(G.state_dict(), out + '/latest_net_G.pth')\n"
  "torch.save(dict(G.state_dict()), out + '/plain_G.pth')\n"
  "torch.save({'module.' + k: v for k, v in A.state_dict().items()}, out + '/latest_net_A.pth')\n"
  "partial = {k: v for k, v in G.state_dict().items() if k != 'model.4.bias'}\n"
  "torch.save(partial, out + '/missing_G.pth')\n"
  "x = torch.rand(1, 3, 32, 48) * 2 - 1\n"
  "t = torch.arange(48000, dtype=torch.float32) / 16000\n"
  "wave = (0.4 * torch.sin(2 * 3.14159265 * 440 * t) + 0.1 * torch.sin(2 * 3.14159265 * 1250 * t))[None]\n"
  "with torch.no_grad():\n"
  "    y = G(x, A(R.spectrogram(wave)))\n"
  "for name, tensor in (('x', x), ('wave', wave), ('y', y)):\n"
  "    with open(out + '/' + name + '.f32', 'wb') as f:\n"
  "        f.write(tensor.contiguous().numpy().astype('<f4').tobytes())\n";

static char *tmpdir;

static float *
read_floats (const char *name,
             gsize       n_expected)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, n_expected * sizeof (float));
  return (float *) contents;
}

static void
tiny_config (AdisConfig *config)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (adis_config_init_preset (config, "tiny", &error));
  g_assert_no_error (error);
}

static char *
pt_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static void
test_import_matches_reference (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *g_pt = pt_path ("latest_net_G.pth");
  g_autofree char *a_pt = pt_path ("latest_net_A.pth");
  g_autofree char *model_path = pt_path ("imported.safetensors");
  g_autofree float *x = read_floats ("x.f32", 3 * 32 * 48);
  g_autofree float *wave = read_floats ("wave.f32", ADIS_CLIP_SAMPLES);
  g_autofree float *want = read_floats ("y.f32", 3 * 32 * 48);
  g_autoptr(AdisModel) model = NULL;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(AdisImageCode) icode = NULL;
  g_autoptr(AdisSoundCode) scode = NULL;
  g_autoptr(AdisImage) out = NULL;
  g_autofree char *json = NULL;
  AdisConfig config;
  double worst = 0;

  tiny_config (&config);
  adis_import_checkpoint (g_pt, a_pt, &config, model_path, FALSE, &error);
  g_assert_no_error (error);

  model = adis_model_load (model_path, ADIS_DEVICE_CPU, &error);
  g_assert_no_error (error);
  json = adis_model_dup_metadata_json (model);
  g_assert_nonnull (strstr (json, "latest_net_G.pth"));
  /* torchvision's names: Soundstyle's own reference, which keeps the
   * engine's input rules */
  {
    AdisInputRules rules;

    adis_model_get_input_rules (model, &rules);
    g_assert_false (rules.peak_normalised);
    g_assert_cmpint (rules.square_size, ==, 0);
  }

  image = adis_image_new_from_planes (x, 48, 32);
  sound = adis_sound_new_from_samples (wave, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);
  icode = adis_model_encode_image (model, image, 0, NULL, &error);
  g_assert_no_error (error);
  scode = adis_model_encode_sound (model, sound, NULL, 1, 0, NULL, &error);
  g_assert_no_error (error);
  out = adis_model_decode (model, icode, scode, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (adis_image_get_width (out), ==, 48);
  g_assert_cmpint (adis_image_get_height (out), ==, 32);
  for (int i = 0; i < 3 * 32 * 48; i++)
    worst = MAX (worst, fabs ((double) adis_image_get_planes (out)[i] - want[i]));
  g_test_message ("imported model vs the PyTorch reference: max |diff| %g", worst);
  g_assert_cmpfloat (worst, <, 1e-4);

  /* ... and the reference's picture is not flat, so the match means something */
  {
    float lo = want[0], hi = want[0];

    for (int i = 0; i < 3 * 32 * 48; i++)
      {
        lo = MIN (lo, want[i]);
        hi = MAX (hi, want[i]);
      }
    g_assert_cmpfloat (hi - lo, >, 1e-3);
  }

  adis_config_clear (&config);
}

static void
test_import_refusals (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *g_pt = pt_path ("latest_net_G.pth");
  g_autofree char *a_pt = pt_path ("latest_net_A.pth");
  g_autofree char *missing = pt_path ("missing_G.pth");
  g_autofree char *output = pt_path ("refused.safetensors");
  AdisConfig config;

  tiny_config (&config);

  /* A key missing from the generator */
  g_assert_false (adis_import_checkpoint (missing, a_pt, &config, output, FALSE, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "model.4.bias"));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* The files swapped: every key is foreign */
  g_assert_false (adis_import_checkpoint (a_pt, g_pt, &config, output, FALSE, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_clear_error (&error);

  /* A config that disagrees with the tensors */
  config.ngf = 16;
  config.embed_dim = 64;
  g_assert_false (adis_import_checkpoint (g_pt, a_pt, &config, output, FALSE, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "in the file, but"));
  g_clear_error (&error);

  /* The same weights saved as a plain dict import just as well (the
   * generator above was module.state_dict() as saved: an OrderedDict) */
  {
    g_autofree char *plain = pt_path ("plain_G.pth");

    config.ngf = 8;
    config.embed_dim = 32;
    g_assert_true (adis_import_checkpoint (plain, a_pt, &config, output, FALSE, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (output, G_FILE_TEST_EXISTS));
    g_unlink (output);
  }

  /* Not a PyTorch file at all */
  g_assert_true (g_file_set_contents (output, "not a pickle", -1, NULL));
  g_assert_false (adis_import_checkpoint (output, a_pt, &config, output, FALSE, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE);

  adis_config_clear (&config);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *reference = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  adis_set_num_threads (2);

  tmpdir = test_make_tmpdir ("test-import");
  reference = g_build_filename (test_source_dir (), "tests", "reference", NULL);
  {
    const char *argv_py[] = { test_python (), "-c", script, reference, tmpdir, NULL };

    status = test_run (argv_py, &out, &err);
    if (status != 0)
      g_error ("the PyTorch reference failed (%d): %s", status, err ? err : "");
  }

  g_test_add_func ("/soundstyle/import/matches-reference", test_import_matches_reference);
  g_test_add_func ("/soundstyle/import/refusals", test_import_refusals);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
