/* test-cli.c: the soundstyle commands that use a model, run as a user would
 * run them (test-cli-usage.c has those that need none of this file's)
 *
 * SPDX-License-Identifier: MIT
 *
 * One tiny model is trained once (the first test that needs it) and shared
 * by the others, so the whole file stays within a few minutes on two cores.
 */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"
#include "cli-test-util.h"

/* --- the shared model ----------------------------------------------------- */

static const char *
ensure_model (void)
{
  g_autofree char *err = NULL;
  int status;

  if (fixture.tried_training)
    {
      if (!g_file_test (fixture.model, G_FILE_TEST_IS_REGULAR))
        g_test_fail_printf ("training the shared model failed earlier");
      return fixture.model;
    }
  fixture.tried_training = TRUE;

  status = run (&fixture.train_json, &err, "train", fixture.dataset, "--output", fixture.model,
                "--preset", "tiny", "--size", "32", "--batch", "2", "--max-steps", "6",
                "--seed", "7", "--device", "cpu", "--json",
                "--samples", fixture.samples, "--sample-every", "3");
  if (status != 0)
    g_error ("training failed (%d): %s", status, err);

  return fixture.model;
}

/* --- tests ---------------------------------------------------------------- */

static void
test_train (void)
{
  g_autofree char *checkpoint = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *done;
  gint64 expected_step = 1;
  guint n_samples = 0;

  ensure_model ();
  g_assert_nonnull (fixture.train_json);
  checkpoint = g_strconcat (fixture.model, ".ckpt", NULL);

  events = parse_json_lines (fixture.train_json);
  g_assert_cmpstr (event_name (g_ptr_array_index (events, 0)), ==, "start");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (events, 0), "preset"), ==, "tiny");
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);

      if (!g_str_equal (event_name (event), "progress"))
        continue;
      g_assert_cmpint (json_object_get_int_member (event, "step"), ==, expected_step++);
      g_assert_true (json_object_has_member (event, "loss_d"));
      g_assert_true (json_object_has_member (event, "loss_nce"));
      g_assert_true (json_object_has_member (event, "eta_seconds"));
    }
  g_assert_cmpint (expected_step, ==, 7);

  /* Samples at steps 3 and 6, each a file that is there */
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);

      if (!g_str_equal (event_name (event), "sample"))
        continue;
      g_assert_cmpint (json_object_get_int_member (event, "step"), ==, 3 * ++n_samples);
      g_assert_true (g_file_test (json_object_get_string_member (event, "path"), G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (event, "path"), fixture.samples));
    }
  g_assert_cmpint (n_samples, ==, 2);

  /* Stopped early by --max-steps: a checkpoint to go on from, then the model */
  g_assert_nonnull (find_event (events, "checkpoint"));
  done = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpstr (event_name (done), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (done, "model"), ==, fixture.model);
  g_assert_true (g_file_test (fixture.model, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
}

static void
test_stylize (void)
{
  const char *model = ensure_model ();
  g_autofree char *output = g_build_filename (fixture.dir, "styled.png", NULL);
  g_autofree char *mixed = g_build_filename (fixture.dir, "mixed.png", NULL);
  g_autofree char *err = NULL;
  g_autoptr(AdisImage) result = NULL;
  g_autoptr(AdisImage) result_mixed = NULL;
  g_autoptr(GError) error = NULL;
  int width, height;

  g_assert_cmpint (run (NULL, &err, "stylize", "--image", fixture.image, "--audio", fixture.wav,
                        "--size", "64", "--model", model, "--device", "cpu",
                        "--output", output), ==, 0);
  result = adis_image_load (output, &error);
  g_assert_no_error (error);
  adis_image_size_for_long_side (96, 64, 64, &width, &height);
  g_assert_cmpint (adis_image_get_width (result), ==, width);
  g_assert_cmpint (adis_image_get_height (result), ==, height);

  g_assert_cmpint (run (NULL, NULL, "stylize", "-i", fixture.image, "-a", fixture.wav,
                        "--mix", fixture.wav2, "--mix-weight", "0.3", "--gain", "2",
                        "-s", "64", "-m", model, "-d", "cpu", "-o", mixed), ==, 0);
  result_mixed = adis_image_load (mixed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (result_mixed), ==, width);

  /* The model from the environment is the one used when --model is absent */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_with_env ("SOUNDSTYLE_MODEL", model, NULL, &err, "stylize",
                                 "-i", fixture.image, "-a", fixture.wav, "-s", "32",
                                 "-d", "cpu", "-o", output, NULL), ==, 0);
}

static void
write_half_mask (const char *path,
                 int         width,
                 int         height)
{
  g_autofree guint8 *values = g_new (guint8, (gsize) width * height);
  g_autoptr(AdisMask) mask = NULL;
  g_autoptr(GError) error = NULL;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      values[y * width + x] = x < width / 2 ? 0 : 255;
  mask = adis_mask_new (values, width, height);
  g_assert_true (adis_mask_save (mask, path, &error));
  g_assert_no_error (error);
}

/* Pixels of two image files over the columns [x0, x1) */
static void
assert_same_columns (const char *path_a,
                     const char *path_b,
                     int         x0,
                     int         x1)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) a = adis_image_load (path_a, &error);
  g_autoptr(AdisImage) b = NULL;
  g_autofree guint8 *pa = NULL;
  g_autofree guint8 *pb = NULL;
  int width, height;

  g_assert_no_error (error);
  b = adis_image_load (path_b, &error);
  g_assert_no_error (error);
  width = adis_image_get_width (a);
  height = adis_image_get_height (a);
  g_assert_cmpint (adis_image_get_width (b), ==, width);
  g_assert_cmpint (adis_image_get_height (b), ==, height);
  pa = adis_image_to_rgb8 (a);
  pb = adis_image_to_rgb8 (b);
  for (int y = 0; y < height; y++)
    g_assert_cmpmem (pa + ((gsize) y * width + x0) * 3, (x1 - x0) * 3,
                     pb + ((gsize) y * width + x0) * 3, (x1 - x0) * 3);
}

/* --mask: the original where the mask is black, the plain result where it
 * is white; another size is scaled with a note; not an image is refused */
static void
test_stylize_mask (void)
{
  const char *model = ensure_model ();
  g_autofree char *mask = g_build_filename (fixture.dir, "half-mask.png", NULL);
  g_autofree char *small_mask = g_build_filename (fixture.dir, "small-mask.png", NULL);
  g_autofree char *text_mask = g_build_filename (fixture.dir, "mask.txt.png", NULL);
  g_autofree char *plain = g_build_filename (fixture.dir, "plain.png", NULL);
  g_autofree char *masked = g_build_filename (fixture.dir, "masked.png", NULL);
  g_autofree char *scaled = g_build_filename (fixture.dir, "scaled.png", NULL);
  g_autofree char *refused = g_build_filename (fixture.dir, "refused.png", NULL);
  g_autofree char *err = NULL;
  g_autofree char *scaled_err = NULL;
  g_autofree char *bad_err = NULL;

  /* The image is 96x64: --size 0 keeps it, so pixels compare one to one */
  write_half_mask (mask, 96, 64);
  g_assert_cmpint (run (NULL, NULL, "stylize", "-i", fixture.image, "-a", fixture.wav, "-s", "0",
                        "-m", model, "-d", "cpu", "-o", plain), ==, 0);
  g_assert_cmpint (run (NULL, &err, "stylize", "-i", fixture.image, "-a", fixture.wav, "-s", "0",
                        "-m", model, "-d", "cpu", "--mask", mask, "-o", masked), ==, 0);
  g_assert_null (strstr (err, "scaled"));
  assert_same_columns (masked, fixture.image, 0, 48);
  assert_same_columns (masked, plain, 48, 96);

  /* Half the size: scaled, and said so */
  write_half_mask (small_mask, 48, 32);
  g_assert_cmpint (run (NULL, &scaled_err, "stylize", "-i", fixture.image, "-a", fixture.wav, "-s", "0",
                        "-m", model, "-d", "cpu", "--mask", small_mask, "-o", scaled), ==, 0);
  g_assert_nonnull (strstr (scaled_err, "is 48×32, the image 96×64: scaled to fit"));
  assert_same_columns (scaled, fixture.image, 0, 44);
  assert_same_columns (scaled, plain, 52, 96);

  /* Not an image: one line, exit 2, nothing written */
  write_file (text_mask, "not a mask\n", 11);
  assert_usage_error (run (NULL, &bad_err, "stylize", "-i", fixture.image, "-a", fixture.wav,
                           "-m", model, "-d", "cpu", "--mask", text_mask, "-o", refused),
                      &bad_err, "is not an image");
  g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));

  g_unlink (plain);
  g_unlink (masked);
  g_unlink (scaled);
}

static void
write_empty_wav (const char *path)
{
  /* A valid RIFF header announcing 16-bit mono 16 kHz, and no samples */
  static const guint8 header[44] = {
    'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E',
    'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0,
    0x80, 0x3e, 0, 0, 0, 0x7d, 0, 0, 2, 0, 16, 0,
    'd', 'a', 't', 'a', 0, 0, 0, 0,
  };

  write_file (path, header, sizeof header);
}

static void
test_stylize_errors (void)
{
  const char *model = ensure_model ();
  g_autofree char *bad = g_build_filename (fixture.dir, "bad", NULL);
  g_autofree char *out_dir = g_build_filename (fixture.dir, "bad-out", NULL);
  g_autofree char *output = g_build_filename (out_dir, "out.png", NULL);
  g_autofree char *missing = g_build_filename (bad, "missing.png", NULL);
  g_autofree char *text_png = g_build_filename (bad, "text.png", NULL);
  g_autofree char *empty_wav = g_build_filename (bad, "empty.wav", NULL);
  g_autofree char *text_wav = g_build_filename (bad, "text.wav", NULL);
  g_autofree char *truncated = g_build_filename (bad, "truncated.safetensors", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  const char *text = "this is not a picture or a sound\n";
  struct { const char *label; const char *image; const char *audio; const char *model;
           const char *gain; const char *mention; } cases[] = {
    { "missing image", missing, fixture.wav, model, "1", "missing.png" },
    { "corrupt image", text_png, fixture.wav, model, "1", "text.png" },
    { "empty wav", fixture.image, empty_wav, model, "1", "empty.wav" },
    { "text as audio", fixture.image, text_wav, model, "1", "text.wav" },
    { "truncated model", fixture.image, fixture.wav, truncated, "1", "truncated.safetensors" },
    { "gain too high", fixture.image, fixture.wav, model, "4.5", "gain" },
    { "negative gain", fixture.image, fixture.wav, model, "-1", "gain" },
  };

  g_assert_cmpint (g_mkdir_with_parents (bad, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out_dir, 0755), ==, 0);
  write_file (text_png, text, strlen (text));
  write_file (text_wav, text, strlen (text));
  write_empty_wav (empty_wav);
  g_assert_true (g_file_get_contents (model, &contents, &length, NULL));
  write_file (truncated, contents, length / 2);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      int status;

      g_test_message ("case: %s", cases[i].label);
      status = run (NULL, &err, "stylize", "--image", cases[i].image, "--audio", cases[i].audio,
                    "--model", cases[i].model, "--gain", cases[i].gain, "--size", "32",
                    "--device", "cpu", "--output", output);
      assert_usage_error (status, &err, cases[i].mention);
      assert_folder_empty (out_dir);
    }

  /* A mix weight without a mix, an output that cannot be an image */
  {
    g_autofree char *err1 = NULL;
    g_autofree char *err2 = NULL;
    g_autofree char *err3 = NULL;
    g_autofree char *wrong_ext = g_build_filename (out_dir, "out.txt", NULL);
    g_autofree char *bogus_env = g_build_filename (bad, "nowhere.safetensors", NULL);

    assert_usage_error (run (NULL, &err1, "stylize", "-i", fixture.image, "-a", fixture.wav,
                             "--mix-weight", "0.5", "-m", model, "-o", output), &err1, "mix");
    assert_usage_error (run (NULL, &err2, "stylize", "-i", fixture.image, "-a", fixture.wav,
                             "-m", model, "-o", wrong_ext), &err2, "out.txt");
    assert_usage_error (run_with_env ("SOUNDSTYLE_MODEL", bogus_env, NULL, &err3, "stylize",
                                      "-i", fixture.image, "-a", fixture.wav, "-o", output, NULL),
                        &err3, "SOUNDSTYLE_MODEL");
    assert_folder_empty (out_dir);
  }
}

/* The showcase sheet: photos x sounds, then a volume row and a mix row */
static void
test_showcase (void)
{
  const char *model = ensure_model ();
  g_autofree char *output = g_build_filename (fixture.dir, "showcase.png", NULL);
  g_autofree char *samples = g_build_filename (SOUNDSTYLE_SOURCE_DIR, "resources", "samples", NULL);
  g_autofree char *photos = g_build_filename (samples, "photos", NULL);
  g_autofree char *sounds = g_build_filename (samples, "sounds", NULL);
  g_autofree char *err = NULL;
  g_autoptr(AdisImage) sheet = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *empty = g_build_filename (fixture.dir, "no-samples", NULL);
  int n_photos = 0, n_sounds = 0;

  for (dir = g_dir_open (photos, 0, NULL); g_dir_read_name (dir) != NULL; n_photos++)
    ;
  g_clear_pointer (&dir, g_dir_close);
  for (dir = g_dir_open (sounds, 0, NULL); g_dir_read_name (dir) != NULL; n_sounds++)
    ;

  g_assert_cmpint (run (NULL, &err, "showcase", "--model", model, "--cell", "32",
                        "-o", output), ==, 0);
  sheet = adis_image_load (output, &error);
  g_assert_no_error (error);
  /* cells of 32 with gaps of 4, blocks 16 apart */
  g_assert_cmpint (adis_image_get_width (sheet), ==, (1 + MAX (n_sounds, 5)) * 36 - 4);
  g_assert_cmpint (adis_image_get_height (sheet), ==, n_photos * 36 - 4 + 2 * (16 + 32));
  g_clear_pointer (&err, g_free);

  assert_usage_error (run (NULL, &err, "showcase", "--model", model), &err, "--output is required");
  g_clear_pointer (&err, g_free);
  assert_usage_error (run (NULL, &err, "showcase", "--model", model, "--cell", "8", "-o", output),
                      &err, "--cell 8 is out of range");
  g_clear_pointer (&err, g_free);
  g_mkdir_with_parents (empty, 0755);
  assert_usage_error (run (NULL, &err, "showcase", "--model", model, "--samples", empty,
                           "-o", output), &err, "photos");
}

static void
test_info (void)
{
  const char *model = ensure_model ();
  g_autofree char *out = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *metadata;

  g_assert_cmpint (run (&out, NULL, "info", model), ==, 0);
  g_assert_nonnull (strstr (out, "Preset:         tiny"));
  g_assert_nonnull (strstr (out, "Parameters:"));
  g_assert_nonnull (strstr (out, "16000 Hz"));

  g_assert_cmpint (run (&json, NULL, "info", "--json", model), ==, 0);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  metadata = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (metadata, "format"), ==, ADIS_MODEL_FORMAT);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (metadata, "training"),
                                               "steps"), ==, 6);
}

/* A switch beyond the paper (--audio-film, --audio-level) added to a model
 * without it, kept when fine-tuning one with it, and fixed on resuming;
 * shown is what soundstyle info says of it */
static void
check_switch_added (const char *flag,
                    const char *shown,
                    const char *name)
{
  const char *model = ensure_model ();
  g_autofree char *base = g_strdup_printf ("with-%s", name);
  g_autofree char *with_switch = g_strdup_printf ("%s/%s.safetensors", fixture.dir, base);
  g_autofree char *switch_ckpt = g_strconcat (with_switch, ".ckpt", NULL);
  g_autofree char *again = g_strdup_printf ("%s/%s-again.safetensors", fixture.dir, name);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *image = g_strdup_printf ("%s/%s-in.png", fixture.dir, name);
  g_autofree char *sound = g_strdup_printf ("%s/%s-in.wav", fixture.dir, name);
  g_autofree char *styled = g_strdup_printf ("%s/%s.png", fixture.dir, base);

  g_assert_cmpint (run (NULL, &err, "train", fixture.dataset, "--output", with_switch, "--preset", "tiny",
                        "--init-model", model, flag, "--size", "32", "--batch", "2",
                        "--max-steps", "1", "--seed", "3", "--device", "cpu"), ==, 0);
  g_assert_cmpint (run (&out, NULL, "info", with_switch), ==, 0);
  g_assert_nonnull (strstr (out, shown));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (&out, NULL, "info", model), ==, 0);
  g_assert_null (strstr (out, shown));

  /* Fine-tuned without the flag (as the window does): the switch stays */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (NULL, &err, "train", fixture.dataset, "--output", again, "--preset", "tiny",
                        "--init-model", with_switch, "--size", "32", "--batch", "2",
                        "--max-steps", "1", "--device", "cpu"), ==, 0);
  g_assert_cmpint (run (&out, NULL, "info", again), ==, 0);
  g_assert_nonnull (strstr (out, shown));

  /* It restyles like any model */
  test_write_pattern_png (image, 40, 32, 1);
  test_write_tone_wav (sound, 440.0, 0.3, 2.0, 16000, 1);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (NULL, &err, "stylize", "--model", again, "--image", image, "--audio", sound,
                        "--size", "40", "--output", styled), ==, 0);
  g_assert_true (g_file_test (styled, G_FILE_TEST_IS_REGULAR));

  /* The checkpoint fixes the shape */
  g_clear_pointer (&err, g_free);
  assert_usage_error (run (NULL, &err, "train", fixture.dataset, "--output", with_switch,
                           "--resume", switch_ckpt, flag), &err, flag);
}

static void
test_audio_film (void)
{
  check_switch_added ("--audio-film", "with the audio FiLM", "film");
}

static void
test_audio_level (void)
{
  check_switch_added ("--audio-level", "told the level apart", "level");
}

static void
test_batch (void)
{
  const char *model = ensure_model ();
  g_autofree char *dir = g_build_filename (fixture.dir, "batch", NULL);
  g_autofree char *jobs = g_build_filename (dir, "jobs.tsv", NULL);
  g_autofree char *bad_jobs = g_build_filename (dir, "bad.tsv", NULL);
  g_autofree char *jobs_text = NULL;
  g_autofree char *bad_text = NULL;
  g_autofree char *err = NULL;
  g_autofree char *bad_err = NULL;
  const char *outputs[] = { "one.png", "two.png", "three.jpg" };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  /* Relative outputs land beside the jobs file */
  jobs_text = g_strdup_printf ("# image\taudio\tgain\tmix\tweight\toutput\n"
                               "%s\t%s\t1\t\t\tone.png\n"
                               "\n"
                               "%s\t%s\t0.5\t%s\t0.25\ttwo.png\n"
                               "%s\t%s\t2\t\t\tthree.jpg\n",
                               fixture.image, fixture.wav,
                               fixture.image2, fixture.wav, fixture.wav2,
                               fixture.image, fixture.wav2);
  write_file (jobs, jobs_text, strlen (jobs_text));

  g_assert_cmpint (run (NULL, &err, "batch", jobs, "--size", "32", "--model", model,
                        "--device", "cpu"), ==, 0);
  g_assert_nonnull (strstr (err, "[3/3]"));
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *path = g_build_filename (dir, outputs[i], NULL);
      g_autoptr(AdisImage) image = NULL;
      g_autoptr(GError) error = NULL;

      image = adis_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (MAX (adis_image_get_width (image), adis_image_get_height (image)), ==, 32);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }

  /* A seventh field, a mask: the original on its black half */
  {
    g_autofree char *mask = g_build_filename (dir, "mask.png", NULL);
    g_autofree char *masked = g_build_filename (dir, "masked.png", NULL);
    g_autofree char *plain = g_build_filename (dir, "plain.png", NULL);
    g_autofree char *mask_jobs = g_strdup_printf ("%s\t%s\t1\t\t\tplain.png\t\n"
                                                  "%s\t%s\t1\t\t\tmasked.png\tmask.png\n",
                                                  fixture.image, fixture.wav, fixture.image, fixture.wav);
    g_autofree char *mask_err = NULL;

    write_half_mask (mask, 96, 64);
    write_file (jobs, mask_jobs, strlen (mask_jobs));
    g_assert_cmpint (run (NULL, &mask_err, "batch", jobs, "--size", "0", "--model", model,
                          "--device", "cpu"), ==, 0);
    assert_same_columns (masked, fixture.image, 0, 48);
    assert_same_columns (masked, plain, 48, 96);
    g_unlink (masked);
    g_unlink (plain);
    g_unlink (mask);
    g_unlink (jobs);
  }

  /* Line 4 (the third job) is wrong: nothing at all runs */
  bad_text = g_strdup_printf ("%s\t%s\t1\t\t\tone.png\n"
                              "%s\t%s\t1\t\t\ttwo.png\n"
                              "# a comment\n"
                              "%s\t%s\tabc\t\t\tthree.png\n",
                              fixture.image, fixture.wav,
                              fixture.image2, fixture.wav,
                              fixture.image, fixture.wav);
  write_file (bad_jobs, bad_text, strlen (bad_text));
  g_unlink (jobs);

  assert_usage_error (run (NULL, &bad_err, "batch", bad_jobs, "--size", "32", "--model", model,
                           "--device", "cpu"), &bad_err, "bad.tsv:4: gain “abc” is not a number");
  g_unlink (bad_jobs);
  assert_folder_empty (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cli_fixture_setup ("cli");

  g_test_add_func ("/soundstyle/cli/train", test_train);
  g_test_add_func ("/soundstyle/cli/stylize", test_stylize);
  g_test_add_func ("/soundstyle/cli/stylize-errors", test_stylize_errors);
  g_test_add_func ("/soundstyle/cli/stylize-mask", test_stylize_mask);
  g_test_add_func ("/soundstyle/cli/info", test_info);
  g_test_add_func ("/soundstyle/cli/audio-film", test_audio_film);
  g_test_add_func ("/soundstyle/cli/audio-level", test_audio_level);
  g_test_add_func ("/soundstyle/cli/batch", test_batch);
  g_test_add_func ("/soundstyle/cli/showcase", test_showcase);

  status = g_test_run ();

  cli_fixture_teardown ();
  return status;
}
