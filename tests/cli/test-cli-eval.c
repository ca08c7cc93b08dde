/* test-cli-eval.c: `soundstyle eval` end to end, on a tiny synthetic set
 * made by `soundstyle synth` from media the test writes (patterns, tones and
 * noise), with tiny models trained here for a few steps
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "test-cli-eval"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-util.h"

static struct
{
  char     *dir;
  char     *dataset;     /* synthetic: manifest.tsv + factors.tsv */
  char     *real;        /* the same clips without factors.tsv */
  char     *model;
  char     *keyword;
  char     *inception;   /* the small TorchScript feature network */
  gboolean  tried;
} fixture;

/* --- running the command -------------------------------------------------- */

static int
run_argv (GPtrArray  *args,
          char      **out_stdout,
          char      **out_stderr)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MODEL");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "OMP_WAIT_POLICY", "PASSIVE", FALSE);

  g_ptr_array_insert (args, 0, g_strdup (test_soundstyle_bin ()));
  g_ptr_array_add (args, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  if (g_test_verbose ())
    g_printerr ("# stderr: %s", err);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);

  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static int
run (char      **out_stdout,
     char      **out_stderr,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);

  return run_argv (args, out_stdout, out_stderr);
}

/* Bad input: status 2, one line on stderr that names what was wrong. err is
 * passed by address: the run in the same call fills it */
static void
assert_usage_error (int          status,
                    char *const *err_ptr,
                    const char  *must_mention)
{
  const char *err = *err_ptr;

  g_assert_nonnull (err);
  if (status != 2 || !g_str_has_prefix (err, "soundstyle: ") || strchr (err, '\n') != err + strlen (err) - 1)
    g_error ("expected status 2 and one line on stderr, got %d and “%s”", status, err);
  if (must_mention != NULL && strstr (err, must_mention) == NULL)
    g_error ("stderr “%s” does not mention “%s”", err, must_mention);
}

/* Nothing left behind: no report, no hidden work folder */
static void
assert_nothing_written (const char *parent,
                        const char *report)
{
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;

  g_assert_false (g_file_test (report, G_FILE_TEST_EXISTS));
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, ".partial-") != NULL || strstr (name, ".old-") != NULL)
      g_error ("a work folder “%s” was left in %s", name, parent);
}

/* --- the fixture ---------------------------------------------------------- */

static void
write_wave (const char *path,
            int         category,
            guint       seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree float *samples = g_new (float, 2 * ADIS_SAMPLE_RATE);
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(GError) error = NULL;

  /* sunny: chirps; rain: broadband noise; snow: short crunchy bursts */
  for (int i = 0; i < 2 * ADIS_SAMPLE_RATE; i++)
    {
      double t = (double) i / ADIS_SAMPLE_RATE;
      double v;

      if (category == 0)
        v = 0.3 * sin (2 * G_PI * (2000 + 800 * fmod (t, 0.2)) * t) * (fmod (t, 0.2) < 0.1);
      else if (category == 1)
        v = 0.3 * g_rand_double_range (rand, -1, 1);
      else
        v = (fmod (t, 0.5) < 0.15) * 0.5 * g_rand_double_range (rand, -1, 1) * sin (2 * G_PI * 300 * t);
      samples[i] = (float) v;
    }
  sound = adis_sound_new_from_samples (samples, 2 * ADIS_SAMPLE_RATE, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);
  adis_sound_save_wav (sound, path, &error);
  g_assert_no_error (error);
}

static void
make_media (const char *media)
{
  static const char *categories[] = { "sunny", "rain", "snow" };
  g_autofree char *photos = g_build_filename (media, "photos", NULL);

  g_assert_cmpint (g_mkdir_with_parents (photos, 0755), ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("photo-%u.png", i);
      g_autofree char *path = g_build_filename (photos, name, NULL);

      test_write_pattern_png (path, 120, 96, 40 + i);
    }

  for (guint c = 0; c < G_N_ELEMENTS (categories); c++)
    {
      g_autofree char *folder = g_build_filename (media, "sounds", categories[c], NULL);

      g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
      for (guint k = 0; k < 2; k++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%u.wav", categories[c], k);
          g_autofree char *path = g_build_filename (folder, name, NULL);

          write_wave (path, (int) c, 10 * c + k);
        }
    }
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, (gssize) length, &error);
  g_assert_no_error (error);
}

/* The same clips as a set without factors: what `prepare` makes of videos */
static char *
make_real_copy (const char *dataset,
                const char *dir)
{
  char *real = g_build_filename (dir, "real", NULL);
  const char *parts[] = { "frames", "audio" };
  g_autofree char *from = g_build_filename (dataset, "manifest.tsv", NULL);
  g_autofree char *to = g_build_filename (real, "manifest.tsv", NULL);

  g_assert_cmpint (g_mkdir_with_parents (real, 0755), ==, 0);
  copy_file (from, to);
  for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
    {
      g_autofree char *source = g_build_filename (dataset, parts[p], NULL);
      g_autofree char *target = g_build_filename (real, parts[p], NULL);
      g_autoptr(GDir) folder = g_dir_open (source, 0, NULL);
      const char *name;

      g_assert_nonnull (folder);
      g_assert_cmpint (g_mkdir_with_parents (target, 0755), ==, 0);
      while ((name = g_dir_read_name (folder)) != NULL)
        {
          g_autofree char *a = g_build_filename (source, name, NULL);
          g_autofree char *b = g_build_filename (target, name, NULL);

          copy_file (a, b);
        }
    }
  return real;
}

/* The train split as a folder dataset (images/, clips/, labels.tsv) for
 * `soundstyle train`; every category of the test split must be in it, or
 * the keyword baseline would not know it */
static char *
make_training_folder (const char *dataset,
                      const char *dir)
{
  char *folder = g_build_filename (dir, "train", NULL);
  g_autofree char *images = g_build_filename (folder, "images", NULL);
  g_autofree char *clips = g_build_filename (folder, "clips", NULL);
  g_autofree char *labels_path = g_build_filename (folder, "labels.tsv", NULL);
  g_autoptr(GString) labels = g_string_new (NULL);
  g_autoptr(GHashTable) trained = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(AdisManifest) manifest = NULL;
  g_autoptr(GError) error = NULL;

  manifest = adis_manifest_load (dataset, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (clips, 0755), ==, 0);

  for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
    {
      const AdisClip *clip = adis_manifest_get_clip (manifest, i);
      g_autofree char *frame = g_build_filename (dataset, clip->frames[0], NULL);
      g_autofree char *audio = g_build_filename (dataset, clip->audio, NULL);
      g_autofree char *image_name = g_strconcat (clip->clip_id, strrchr (clip->frames[0], '.'), NULL);
      g_autofree char *clip_name = g_strconcat (clip->clip_id, ".wav", NULL);
      g_autofree char *image_copy = g_build_filename (images, image_name, NULL);
      g_autofree char *clip_copy = g_build_filename (clips, clip_name, NULL);

      if (clip->split != ADIS_SPLIT_TRAIN)
        continue;
      copy_file (frame, image_copy);
      copy_file (audio, clip_copy);
      g_string_append_printf (labels, "%s\t%s\n", clip->clip_id, clip->category);
      g_hash_table_add (trained, clip->category);
    }

  for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
    {
      const AdisClip *clip = adis_manifest_get_clip (manifest, i);

      if (clip->split == ADIS_SPLIT_TEST && !g_hash_table_contains (trained, clip->category))
        g_error ("the synthetic set's train split has no “%s” clip: choose another --seed", clip->category);
    }

  g_file_set_contents (labels_path, labels->str, (gssize) labels->len, &error);
  g_assert_no_error (error);
  return folder;
}

static void
train_tiny (const char *dataset,
            const char *output,
            gboolean    keyword)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  const char *common[] = { "train", dataset, "--output", output, "--preset", "tiny", "--size", "32",
                           "--batch", "2", "--max-steps", "3", "--seed", "3", "--device", "cpu" };
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (args, g_strdup (common[i]));
  if (keyword)
    g_ptr_array_add (args, g_strdup ("--keyword"));

  status = run_argv (args, NULL, &err);
  if (status != 0)
    g_error ("training a tiny %s model failed (%d): %s", keyword ? "keyword" : "sound", status, err);
}

static gboolean
ensure_fixture (void)
{
  g_autofree char *media = NULL;
  g_autofree char *training = NULL;
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  int status;

  if (fixture.tried)
    {
      if (fixture.inception == NULL)
        g_test_fail_printf ("making the fixture failed earlier");
      return fixture.inception != NULL;
    }
  fixture.tried = TRUE;

  fixture.dir = test_make_tmpdir ("soundstyle-cli-eval");
  media = g_build_filename (fixture.dir, "media", NULL);
  make_media (media);

  fixture.dataset = g_build_filename (fixture.dir, "synth", NULL);
  status = run (NULL, &err, "synth", "--output", fixture.dataset, "--media", media,
                "--clips", "40", "--size", "64", "--seed", "5", "--test-fraction", "0.3",
                "--threads", "1", NULL);
  if (status != 0)
    g_error ("soundstyle synth failed (%d): %s", status, err);
  fixture.real = make_real_copy (fixture.dataset, fixture.dir);
  training = make_training_folder (fixture.dataset, fixture.dir);

  fixture.model = g_build_filename (fixture.dir, "sound.safetensors", NULL);
  fixture.keyword = g_build_filename (fixture.dir, "keyword.safetensors", NULL);
  train_tiny (training, fixture.model, FALSE);
  train_tiny (training, fixture.keyword, TRUE);

  /* The FID/KID test's network: Inception's calling convention, tiny */
  script = g_build_filename (test_source_dir (), "tests", "engine", "eval-reference.py", NULL);
  {
    const char *argv[] = { test_python (), script, fixture.dir, NULL };
    g_autofree char *py_err = NULL;

    if (test_run (argv, NULL, &py_err) != 0)
      g_error ("%s failed: %s", script, py_err);
  }
  fixture.inception = g_build_filename (fixture.dir, "features.pt", NULL);
  return TRUE;
}

/* --- checking a report ---------------------------------------------------- */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A number in [low, high], or (when allowed) null */
static void
assert_figure (JsonObject *object,
               const char *key,
               double      low,
               double      high,
               gboolean    may_be_null)
{
  JsonNode *node;
  double value;

  if (!json_object_has_member (object, key))
    g_error ("no “%s” in the metrics", key);
  node = json_object_get_member (object, key);
  if (JSON_NODE_HOLDS_NULL (node))
    {
      if (!may_be_null)
        g_error ("“%s” is null", key);
      return;
    }
  value = json_node_get_double (node);
  if (!(value >= low && value <= high))
    g_error ("“%s” is %g, outside [%g, %g]", key, value, low, high);
}

/* Each clip's volume sweep as the probe read it: five gains, and the
 * top-level volume figure is the mean of the clips' own */
static void
assert_clip_reads (JsonObject *metrics)
{
  JsonArray *clips = json_object_get_array_member (metrics, "clips");
  double sum = 0.0;
  guint n;

  g_assert_nonnull (clips);
  n = json_array_get_length (clips);
  g_assert_cmpuint (n, ==, json_object_get_int_member (metrics, "n_clips"));
  for (guint i = 0; i < n; i++)
    {
      JsonObject *clip = json_array_get_object_element (clips, i);
      JsonArray *reads = json_object_get_array_member (clip, "gain_intensities");
      JsonArray *categories = json_object_get_array_member (clip, "gain_categories");

      g_assert_true (g_str_has_prefix (json_object_get_string_member (clip, "clip"), "synth-"));
      g_assert_cmpuint (json_array_get_length (reads), ==, 5);
      g_assert_cmpuint (json_array_get_length (categories), ==, 5);
      for (guint g = 0; g < 5; g++)
        g_assert_nonnull (json_array_get_string_element (categories, g));
      assert_figure (clip, "volume_spearman", -1, 1, FALSE);
      sum += json_object_get_double_member (clip, "volume_spearman");
    }
  g_assert_cmpfloat_with_epsilon (sum / n, json_object_get_double_member (metrics, "volume_spearman"), 1e-9);
}

static void
assert_model_metrics (JsonObject *metrics,
                      gboolean    keyword)
{
  JsonObject *per_category;
  g_autoptr(GList) names = NULL;

  assert_figure (metrics, "accuracy", 0, 1, FALSE);
  assert_figure (metrics, "intensity_mae", 0, 1, FALSE);
  assert_figure (metrics, "intensity_spearman", -1, 1, TRUE);
  assert_figure (metrics, "edge_correlation", -1, 1, FALSE);
  assert_figure (metrics, "psnr", 0, 100, FALSE);
  assert_figure (metrics, "ssim", -1, 1, FALSE);
  assert_figure (metrics, "oracle_nearest_accuracy", 0, 1, FALSE);
  assert_figure (metrics, "detail", -1, 1, FALSE);
  /* One held-out photo, restyled by one unmixed clip of each category
   * (3, of which the few clips measured may lack one) */
  g_assert_cmpint (json_object_get_int_member (metrics, "n_detail"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (metrics, "n_detail"), <=, 3);
  /* Labels have no loudness and cannot be mixed */
  assert_figure (metrics, "volume_spearman", -1, 1, keyword);
  assert_figure (metrics, "mix_spearman", -1, 1, keyword);
  if (keyword)
    {
      g_assert_true (json_object_get_null_member (metrics, "volume_spearman"));
      g_assert_true (json_object_get_null_member (metrics, "mix_spearman"));
      g_assert_false (json_object_has_member (metrics, "clips"));
    }
  else
    assert_clip_reads (metrics);

  per_category = json_object_get_object_member (metrics, "per_category");
  g_assert_nonnull (per_category);
  names = json_object_get_members (per_category);
  g_assert_cmpuint (g_list_length (names), >=, 2);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *category = json_object_get_object_member (per_category, l->data);

      g_assert_cmpint (json_object_get_int_member (category, "n"), >=, 1);
      assert_figure (category, "accuracy", 0, 1, FALSE);
      assert_figure (category, "edge_correlation", -1, 1, FALSE);
    }
}

/* Every image the page shows is there */
static void
assert_page_complete (const char *report)
{
  g_autofree char *page_path = g_build_filename (report, "index.html", NULL);
  g_autofree char *page = NULL;
  const char *p;
  guint n_images = 0;

  g_assert_true (g_file_get_contents (page_path, &page, NULL, NULL));
  g_assert_true (g_str_has_prefix (page, "<!DOCTYPE html>"));
  g_assert_nonnull (strstr (page, "</html>"));
  g_assert_nonnull (strstr (page, "oracle_nearest_accuracy"));
  g_assert_nonnull (strstr (page, "<h2>Held out</h2>"));
  g_assert_nonnull (strstr (page, "detail photo"));

  for (p = strstr (page, "src=\""); p != NULL; p = strstr (p, "src=\""))
    {
      const char *start = p + 5;
      const char *end = strchr (start, '"');
      g_autofree char *relative = g_strndup (start, end - start);
      g_autofree char *path = g_build_filename (report, relative, NULL);
      g_autoptr(AdisImage) image = NULL;
      g_autoptr(GError) error = NULL;

      image = adis_image_load (path, &error);
      g_assert_no_error (error);
      n_images++;
      p = end;
    }
  /* Input, five volumes, oracle and baseline per clip, and mix sweeps */
  g_assert_cmpuint (n_images, >=, 8);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_help (void)
{
  const char *mentions[] = { "MODEL DATASET", "--baseline", "--output", "--size", "--max-clips",
                             "--inception", "TorchScript", "--seed", "--detail-size", "oracle_nearest_accuracy", "Examples:" };
  g_autofree char *out = NULL;
  g_autofree char *overview = NULL;

  g_assert_cmpint (run (&out, NULL, "eval", "--help", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (mentions); i++)
    if (strstr (out, mentions[i]) == NULL)
      g_error ("eval --help does not mention %s", mentions[i]);

  g_assert_cmpint (run (&overview, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (overview, "eval"));
}

static void
test_synthetic (void)
{
  g_autofree char *report = NULL;
  g_autofree char *metrics_path = NULL;
  g_autofree char *metrics_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) metrics = NULL;
  g_autoptr(JsonObject) again = NULL;
  JsonObject *probe;
  int status;

  if (!ensure_fixture ())
    return;

  report = g_build_filename (fixture.dir, "report", NULL);
  status = run (NULL, &err, "eval", fixture.model, fixture.dataset, "--baseline", fixture.keyword,
                "--output", report, "--size", "48", "--max-clips", "8", "--probe-examples", "80",
                "--seed", "2", "--device", "cpu", NULL);
  if (status != 0)
    g_error ("eval failed (%d): %s", status, err);
  /* Progress went to stderr, with an ETA */
  g_assert_nonnull (strstr (err, "ETA"));

  metrics_path = g_build_filename (report, "metrics.json", NULL);
  g_assert_true (g_file_get_contents (metrics_path, &metrics_text, NULL, NULL));
  metrics = parse_object (metrics_text);

  g_assert_true (json_object_get_boolean_member (metrics, "synthetic"));
  g_assert_cmpint (json_object_get_int_member (metrics, "n_clips"), >=, 4);
  g_assert_cmpint (json_object_get_int_member (metrics, "n_clips"), <=, 8);
  assert_model_metrics (metrics, FALSE);
  g_assert_true (json_object_get_null_member (metrics, "fid"));
  assert_model_metrics (json_object_get_object_member (metrics, "baseline"), TRUE);

  /* Every category has two recordings, so every test clip hears one that
   * no train clip does, on the photo no train clip shows */
  g_assert_cmpint (json_object_get_int_member (metrics, "n_clips_new_recordings"), ==,
                   json_object_get_int_member (metrics, "n_clips"));
  g_assert_cmpint (json_object_get_int_member (metrics, "n_clips_new_both"), ==,
                   json_object_get_int_member (metrics, "n_clips"));
  /* The detail photo is the original, whole, at its own size */
  {
    JsonArray *photos = json_object_get_array_member (metrics, "detail_photos");
    JsonObject *photo;

    g_assert_nonnull (photos);
    g_assert_cmpuint (json_array_get_length (photos), ==, 1);
    photo = json_array_get_object_element (photos, 0);
    g_assert_true (json_object_get_boolean_member (photo, "original"));
    g_assert_nonnull (strstr (json_object_get_string_member (photo, "file"), "media"));
    g_assert_cmpint (json_object_get_int_member (photo, "width"), ==, 120);
    g_assert_cmpint (json_object_get_int_member (photo, "height"), ==, 96);
    g_assert_false (json_object_has_member (metrics, "detail_note"));
  }

  probe = json_object_get_object_member (metrics, "probe");
  g_assert_nonnull (probe);
  assert_figure (probe, "oracle_accuracy", 0, 1, FALSE);
  g_assert_cmpint (json_object_get_int_member (probe, "examples"), ==, 80);

  assert_page_complete (report);

  /* The same seed, the same figures; JSON on stdout without --output; and
   * FID and KID with a feature network */
  status = run (&out, &err, "eval", fixture.model, fixture.dataset, "--baseline", fixture.keyword,
                "--size", "48", "--max-clips", "8", "--probe-examples", "80", "--seed", "2",
                "--device", "cpu", "--inception", fixture.inception, "--quiet", NULL);
  if (status != 0)
    g_error ("eval with --inception failed (%d): %s", status, err);
  g_assert_cmpstr (err, ==, "");
  again = parse_object (out);
  {
    const char *same[] = { "accuracy", "intensity_mae", "volume_spearman", "mix_spearman",
                           "edge_correlation", "psnr", "ssim", "oracle_nearest_accuracy", "detail" };

    for (guint i = 0; i < G_N_ELEMENTS (same); i++)
      g_assert_cmpfloat (json_object_get_double_member (again, same[i]), ==,
                         json_object_get_double_member (metrics, same[i]));
  }
  assert_figure (again, "fid", 0, 1e6, FALSE);
  assert_figure (again, "kid", -1e6, 1e6, FALSE);
  assert_figure (json_object_get_object_member (again, "baseline"), "fid", 0, 1e6, FALSE);

  /* Rerunning into an earlier report replaces it */
  status = run (NULL, &err, "eval", fixture.model, fixture.dataset, "--output", report,
                "--size", "48", "--max-clips", "4", "--probe-examples", "40", "--quiet", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&metrics_text, g_free);
  g_assert_true (g_file_get_contents (metrics_path, &metrics_text, NULL, NULL));
  g_clear_pointer (&metrics, json_object_unref);
  metrics = parse_object (metrics_text);
  g_assert_false (json_object_has_member (metrics, "baseline"));
  assert_nothing_written (fixture.dir, "/nonexistent");

  test_rm_rf (report);
}

/* The renderer measured as if it were a model: what each figure can reach.
 * The renderer follows the loudness law exactly, so even this small probe
 * must read its intensity rising with gain */
static void
test_ceiling (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) metrics = NULL;
  JsonObject *ceiling;
  int status;

  if (!ensure_fixture ())
    return;

  status = run (&out, &err, "eval", fixture.model, fixture.dataset, "--ceiling",
                "--size", "48", "--max-clips", "8", "--probe-examples", "200", "--seed", "2",
                "--device", "cpu", "--quiet", NULL);
  if (status != 0)
    g_error ("eval --ceiling failed (%d): %s", status, err);
  metrics = parse_object (out);
  ceiling = json_object_get_object_member (metrics, "ceiling");
  g_assert_nonnull (ceiling);
  assert_figure (ceiling, "volume_spearman", 0.5, 1, FALSE);
  assert_figure (ceiling, "edge_correlation", -1, 1, FALSE);
  g_assert_true (json_object_get_null_member (ceiling, "psnr"));
  /* The renderer's images at the clips' own intensities, against its
   * renders at 0.2, 0.5 and 0.8 (accuracy 1 on those very intensities is
   * test-eval's /eval/layout/oracle-nearest) */
  assert_figure (ceiling, "oracle_nearest_accuracy", 0, 1, FALSE);
  g_test_message ("renderer's oracle-nearest accuracy %g",
                  json_object_get_double_member (ceiling, "oracle_nearest_accuracy"));
  assert_figure (ceiling, "detail", -1, 1, FALSE);
  assert_clip_reads (ceiling);
  /* The model's own figures are still at the top level */
  assert_figure (metrics, "volume_spearman", -1, 1, FALSE);

  /* Without factors the renderer cannot redraw the clips: said, nothing run */
  g_clear_pointer (&err, g_free);
  status = run (NULL, &err, "eval", fixture.model, fixture.real, "--ceiling", "--quiet", NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "--ceiling needs a set made by soundstyle synth"));
}

static void
test_real_set (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) metrics = NULL;
  g_autofree char *skipped = NULL;
  int status;

  if (!ensure_fixture ())
    return;

  /* No factors: what needs the renderer's ground truth is skipped, and said */
  status = run (&out, &err, "eval", fixture.model, fixture.real, "--baseline", fixture.keyword,
                "--size", "48", "--max-clips", "8", "--probe-examples", "60", "--quiet", NULL);
  if (status != 0)
    g_error ("eval on a set without factors failed (%d): %s", status, err);
  metrics = parse_object (out);

  g_assert_false (json_object_get_boolean_member (metrics, "synthetic"));
  g_assert_true (json_object_get_null_member (metrics, "psnr"));
  g_assert_true (json_object_get_null_member (metrics, "ssim"));
  g_assert_true (json_object_get_null_member (metrics, "accuracy"));
  assert_figure (metrics, "edge_correlation", -1, 1, FALSE);
  assert_figure (metrics, "volume_spearman", -1, 1, FALSE);
  g_assert_false (json_object_has_member (metrics, "baseline"));
  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

    json_node_set_array (node, json_object_get_array_member (metrics, "skipped"));
    skipped = json_to_string (node, FALSE);
  }
  g_assert_nonnull (strstr (skipped, "psnr"));
  g_assert_nonnull (strstr (skipped, "baseline"));
  g_assert_true (json_object_get_null_member (metrics, "oracle_nearest_accuracy"));
  g_assert_true (json_object_get_null_member (metrics, "detail"));
  g_assert_true (json_object_get_null_member (metrics, "n_clips_new_recordings"));
  g_assert_nonnull (strstr (skipped, "oracle_nearest_accuracy"));
  g_assert_nonnull (strstr (skipped, "detail"));
}

static void
test_bad_inputs (void)
{
  g_autofree char *report = NULL;
  g_autofree char *not_model = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *no_test = NULL;
  g_autofree char *busy = NULL;
  g_autofree char *busy_file = NULL;
  g_autofree char *err = NULL;

  if (!ensure_fixture ())
    return;

  report = g_build_filename (fixture.dir, "bad-report", NULL);
  missing = g_build_filename (fixture.dir, "no-such-set", NULL);
  not_model = g_build_filename (fixture.dir, "not-a-model.safetensors", NULL);
  g_assert_true (g_file_set_contents (not_model, "this is not a model", -1, NULL));

  assert_usage_error (run (NULL, &err, "eval", fixture.model, missing, "--output", report, NULL), &err, missing);
  assert_nothing_written (fixture.dir, report);
  g_clear_pointer (&err, g_free);

  assert_usage_error (run (NULL, &err, "eval", not_model, fixture.dataset, "--output", report, NULL), &err, "not-a-model");
  assert_nothing_written (fixture.dir, report);
  g_clear_pointer (&err, g_free);

  /* The keyword model where the sound model goes, and the other way round */
  assert_usage_error (run (NULL, &err, "eval", fixture.keyword, fixture.dataset, "--output", report, NULL), &err, "--baseline");
  assert_nothing_written (fixture.dir, report);
  g_clear_pointer (&err, g_free);
  assert_usage_error (run (NULL, &err, "eval", fixture.model, fixture.dataset, "--baseline", fixture.model,
                           "--output", report, NULL), &err, "keyword");
  assert_nothing_written (fixture.dir, report);
  g_clear_pointer (&err, g_free);

  /* A set whose clips are all for training */
  {
    g_autofree char *manifest = NULL;
    g_autofree char *text = NULL;
    g_autofree char *path = g_build_filename (fixture.real, "manifest.tsv", NULL);
    g_autoptr(GString) edited = NULL;

    no_test = g_build_filename (fixture.dir, "no-test", NULL);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    edited = g_string_new (text);
    g_string_replace (edited, "\ttest\t", "\ttrain\t", 0);
    g_assert_cmpint (g_mkdir_with_parents (no_test, 0755), ==, 0);
    manifest = g_build_filename (no_test, "manifest.tsv", NULL);
    g_assert_true (g_file_set_contents (manifest, edited->str, -1, NULL));
  }
  assert_usage_error (run (NULL, &err, "eval", fixture.model, no_test, "--output", report, NULL), &err, "test split");
  assert_nothing_written (fixture.dir, report);
  g_clear_pointer (&err, g_free);

  /* An output folder that holds something other than a report */
  busy = g_build_filename (fixture.dir, "busy", NULL);
  busy_file = g_build_filename (busy, "notes.txt", NULL);
  g_assert_cmpint (g_mkdir_with_parents (busy, 0755), ==, 0);
  g_assert_true (g_file_set_contents (busy_file, "mine", -1, NULL));
  assert_usage_error (run (NULL, &err, "eval", fixture.model, fixture.dataset, "--output", busy, NULL), &err, busy);
  g_assert_true (g_file_test (busy_file, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&err, g_free);

  assert_usage_error (run (NULL, &err, "eval", fixture.model, NULL), &err, "DATASET");
  g_clear_pointer (&err, g_free);
  assert_usage_error (run (NULL, &err, "eval", fixture.model, fixture.dataset, "--size", "7", NULL), &err, "--size");
  g_clear_pointer (&err, g_free);
  assert_usage_error (run (NULL, &err, "eval", fixture.model, fixture.dataset, "--inception", not_model, NULL),
                      &err, "not-a-model");
  assert_nothing_written (fixture.dir, report);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/eval/help", test_help);
  g_test_add_func ("/cli/eval/synthetic", test_synthetic);
  g_test_add_func ("/cli/eval/real-set", test_real_set);
  g_test_add_func ("/cli/eval/ceiling", test_ceiling);
  g_test_add_func ("/cli/eval/bad-inputs", test_bad_inputs);

  status = g_test_run ();
  if (fixture.dir != NULL)
    test_rm_rf (fixture.dir);
  return status;
}
