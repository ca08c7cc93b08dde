/* test-manifest.c: the prepared-dataset format: round trip, splits, the
 * reader's refusals, resume and recovery after a killed writer
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"

static char *tmpdir;

/* A dataset folder with the files that the clips below name */
static char *
make_dataset_dir (const char *name)
{
  char *dir = g_build_filename (tmpdir, name, NULL);
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_autofree char *audio = g_build_filename (dir, "audio", NULL);

  g_assert_cmpint (g_mkdir_with_parents (frames, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (audio, 0755), ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *f = g_strdup_printf ("%s/f%u.png", frames, i);
      g_autofree char *a = g_strdup_printf ("%s/a%u.wav", audio, i);

      test_write_pattern_png (f, 8, 8, i);
      test_write_tone_wav (a, 440, 0.5, 3.0, 16000, 1);
    }
  return dir;
}

static void
fill_clip (AdisClip   *clip,
           const char *id,
           guint       file,
           AdisSplit   split)
{
  static char *frames[3];

  g_free (frames[0]);
  g_free (frames[1]);
  frames[0] = g_strdup_printf ("frames/f%u.png", file % 4);
  frames[1] = g_strdup_printf ("frames/f%u.png", (file + 1) % 4);
  frames[2] = NULL;

  clip->clip_id = (char *) id;
  clip->source = (char *) "videos/hike one.mp4";
  clip->start = 3.0 * file + 0.25;
  clip->frames = frames;
  clip->audio = (char *) (file % 2 ? "audio/a1.wav" : "audio/a0.wav");
  clip->split = split;
  clip->category = (char *) (file % 2 ? "rain" : "");
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_dataset_dir ("round-trip");
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisManifest) manifest = NULL;
  AdisManifestWriter *writer;
  const AdisClip *clip;
  AdisClip row;

  writer = adis_manifest_writer_open (dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("hike-%04u", i);

      fill_clip (&row, id, i, i == 1 ? ADIS_SPLIT_TEST : ADIS_SPLIT_TRAIN);
      g_assert_true (adis_manifest_writer_add (writer, &row, &error));
      g_assert_no_error (error);
    }
  g_assert_true (adis_manifest_writer_has_clip (writer, "hike-0001"));
  g_assert_false (adis_manifest_writer_has_clip (writer, "hike-0009"));
  g_assert_cmpuint (adis_manifest_writer_get_n_clips (writer), ==, 3);
  g_assert_true (adis_manifest_writer_close (writer, &error));
  g_assert_no_error (error);

  manifest = adis_manifest_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 3);
  clip = adis_manifest_get_clip (manifest, 1);
  g_assert_cmpstr (clip->clip_id, ==, "hike-0001");
  g_assert_cmpstr (clip->source, ==, "videos/hike one.mp4");
  g_assert_cmpfloat_with_epsilon (clip->start, 3.25, 1e-9);
  g_assert_cmpuint (g_strv_length (clip->frames), ==, 2);
  g_assert_cmpstr (clip->frames[0], ==, "frames/f1.png");
  g_assert_cmpstr (clip->frames[1], ==, "frames/f2.png");
  g_assert_cmpstr (clip->audio, ==, "audio/a1.wav");
  g_assert_cmpint (clip->split, ==, ADIS_SPLIT_TEST);
  g_assert_cmpstr (clip->category, ==, "rain");
  g_assert_cmpstr (adis_manifest_get_clip (manifest, 0)->category, ==, "");
  g_assert_cmpint (adis_manifest_find (manifest, "hike-0002"), ==, 2);
  g_assert_cmpint (adis_manifest_find (manifest, "nope"), ==, -1);

  /* The journal is gone once closed; the text is what the format says */
  {
    g_autofree char *journal = g_build_filename (dir, "manifest.tsv.journal", NULL);
    g_autofree char *path = g_build_filename (dir, "manifest.tsv", NULL);
    g_autofree char *text = NULL;

    g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_true (g_str_has_prefix (text, "#soundstyle-dataset\t1\n"
                                     "clip_id\tsource\tstart\tframes\taudio\tsplit\tcategory\n"
                                     "hike-0000\tvideos/hike one.mp4\t0.25\t"
                                     "frames/f0.png;frames/f1.png\taudio/a0.wav\ttrain\t\n"));
  }
  test_rm_rf (dir);
}

static void
test_split_rule (void)
{
  guint n_test = 0;
  guint n_changed = 0;
  const guint n = 20000;
  AdisSplit split;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("video%u-clip%u", i / 7, i % 7);
      AdisSplit a = adis_split_choose (ADIS_SPLIT_BY_CLIP, id, "src", 1, 0.2);

      g_assert_cmpint (a, ==, adis_split_choose (ADIS_SPLIT_BY_CLIP, id, "other", 1, 0.2));
      n_test += a == ADIS_SPLIT_TEST;
      n_changed += a != adis_split_choose (ADIS_SPLIT_BY_CLIP, id, "src", 2, 0.2);
    }
  g_test_message ("by clip: %u of %u in test (%.3f); %u change with the seed",
                  n_test, n, n_test / (double) n, n_changed);
  g_assert_cmpfloat (fabs (n_test / (double) n - 0.2), <, 0.015);
  /* Another seed is another split: two independent 20 % draws differ 32 % of the time */
  g_assert_cmpuint (n_changed, >, n / 5);

  /* By source, the clip id does not matter */
  for (guint v = 0; v < 50; v++)
    {
      g_autofree char *source = g_strdup_printf ("hike%u.mp4", v);
      AdisSplit first = adis_split_choose (ADIS_SPLIT_BY_SOURCE, "c0", source, 7, 0.5);

      for (guint c = 1; c < 20; c++)
        {
          g_autofree char *id = g_strdup_printf ("c%u", c);

          g_assert_cmpint (adis_split_choose (ADIS_SPLIT_BY_SOURCE, id, source, 7, 0.5), ==, first);
        }
    }

  /* The ends of the range */
  g_assert_cmpint (adis_split_choose (ADIS_SPLIT_BY_CLIP, "x", "s", 0, 0.0), ==, ADIS_SPLIT_TRAIN);
  g_assert_cmpint (adis_split_choose (ADIS_SPLIT_BY_CLIP, "x", "s", 0, 1.0), ==, ADIS_SPLIT_TEST);

  g_assert_true (adis_split_parse ("test", &split, &error));
  g_assert_cmpint (split, ==, ADIS_SPLIT_TEST);
  g_assert_true (adis_split_parse ("all", &split, &error));
  g_assert_cmpint (split, ==, ADIS_SPLIT_ALL);
  g_assert_false (adis_split_parse ("validation", &split, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

#define HEAD "#soundstyle-dataset\t1\nclip_id\tsource\tstart\tframes\taudio\tsplit\tcategory\n"
#define ROW  "a\tv.mp4\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\n"

static void
test_refusals (void)
{
  static const struct { const char *text; const char *expect; } cases[] = {
    { "", "no header" },
    { "clip_id\tsource\n", "line 1: not a Soundstyle" },
    { "#soundstyle-dataset\t2\n", "line 1: a newer" },
    { "#soundstyle-dataset\t1\nclip\tsource\n", "line 2: expected the header" },
    { HEAD ROW "b\tv.mp4\t0\tframes/a.jpg\taudio/a.wav\ttrain\n", "line 4: row has 6" },
    { HEAD "b\tv.mp4\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\textra\n", "line 3: row has more than 7" },
    { HEAD "b c\tv.mp4\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: clip_id" },
    { HEAD "\tv.mp4\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: clip_id" },
    { HEAD ROW ROW, "line 4: clip id “a” is already on line 3" },
    { HEAD "a\t\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: source" },
    { HEAD "a\tv\t-1\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: start" },
    { HEAD "a\tv\tnan\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: start" },
    { HEAD "a\tv\t1s\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: start" },
    { HEAD "a\tv\t\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "line 3: start" },
    { HEAD "a\tv\t0\t/etc/passwd\taudio/a.wav\ttrain\t\n", "line 3: frame path" },
    { HEAD "a\tv\t0\tframes/../../x.jpg\taudio/a.wav\ttrain\t\n", "line 3: frame path" },
    { HEAD "a\tv\t0\tframes/a.jpg;;frames/b.jpg\taudio/a.wav\ttrain\t\n", "line 3: frame path" },
    { HEAD "a\tv\t0\t\taudio/a.wav\ttrain\t\n", "line 3: frames" },
    { HEAD "a\tv\t0\tframes/a.jpg\t..\ttrain\t\n", "line 3: audio" },
    { HEAD "a\tv\t0\tframes/a.jpg\taudio//a.wav\ttrain\t\n", "line 3: audio" },
    { HEAD "a\tv\t0\tframes/a.jpg\taudio/a.wav\tval\t\n", "line 3: split" },
    { HEAD "a\tv\t0\tframes/a.jpg\taudio/a.wav\ttrain\tra\rin\n", "line 3: category" },
    { HEAD "a\tv.mp4\t0\tframes/a.jpg\taudio/a.wav\ttrain\t", "line 3: the last line has no end" },
    { HEAD "a\tv\xff\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\n", "not UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AdisManifest) manifest = NULL;

      manifest = adis_manifest_parse ("m.tsv", cases[i].text, strlen (cases[i].text), &error);
      g_assert_null (manifest);
      g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].expect) == NULL || !g_str_has_prefix (error->message, "m.tsv"))
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].expect);
    }

  /* A NUL inside is refused rather than cutting the text short */
  {
    const char text[] = HEAD "a\tv\0x\t0\tframes/a.jpg\taudio/a.wav\ttrain\t\n";
    g_autoptr(GError) error = NULL;

    g_assert_null (adis_manifest_parse ("m.tsv", text, sizeof text - 1, &error));
    g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  }

  /* An empty dataset is a valid manifest */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AdisManifest) manifest = adis_manifest_parse ("m.tsv", HEAD, strlen (HEAD), &error);

    g_assert_no_error (error);
    g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 0);
  }
}

/* Random damage to a valid manifest: refused or accepted, never a crash,
 * and anything accepted still obeys the path rule */
static void
test_mutations (void)
{
  const char *base = HEAD ROW "b-1\tv2.mp4\t3.5\tframes/b0.jpg;frames/b1.jpg\taudio/b.wav\ttest\tsnow\n";
  gsize length = strlen (base);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  static const char alphabet[] = "\t\n;/.\\a0\xc3 -";
  guint n_accepted = 0;

  for (guint round = 0; round < 5000; round++)
    {
      g_autofree char *text = g_strdup (base);
      g_autoptr(GError) error = NULL;
      g_autoptr(AdisManifest) manifest = NULL;
      guint n_edits = g_rand_int_range (rand, 1, 4);
      gsize cut = length;

      for (guint e = 0; e < n_edits; e++)
        text[g_rand_int_range (rand, 0, (gint32) length)] =
          alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      if (g_rand_boolean (rand))
        cut = g_rand_int_range (rand, 0, (gint32) length + 1);

      manifest = adis_manifest_parse ("m.tsv", text, cut, &error);
      if (manifest == NULL)
        {
          g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
          continue;
        }
      n_accepted++;
      for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
        {
          const AdisClip *clip = adis_manifest_get_clip (manifest, i);

          g_assert_true (adis_manifest_path_is_safe (clip->audio));
          for (guint f = 0; clip->frames[f]; f++)
            g_assert_true (adis_manifest_path_is_safe (clip->frames[f]));
        }
    }
  g_test_message ("%u of 5000 damaged manifests were still valid", n_accepted);
}

static void
test_resume_and_refusals (void)
{
  g_autofree char *dir = make_dataset_dir ("resume");
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisManifest) manifest = NULL;
  AdisManifestWriter *writer;
  AdisManifestWriter *second;
  AdisClip row;

  writer = adis_manifest_writer_open (dir, &error);
  g_assert_no_error (error);
  fill_clip (&row, "c0", 0, ADIS_SPLIT_TRAIN);
  g_assert_true (adis_manifest_writer_add (writer, &row, &error));
  g_assert_no_error (error);

  /* One writer at a time */
  second = adis_manifest_writer_open (dir, &error);
  g_assert_null (second);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "another process"));
  g_clear_error (&error);

  g_assert_true (adis_manifest_writer_close (writer, &error));
  g_assert_no_error (error);

  /* Re-open: the old rows stay, their ids stay taken */
  writer = adis_manifest_writer_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (adis_manifest_writer_has_clip (writer, "c0"));
  fill_clip (&row, "c0", 1, ADIS_SPLIT_TRAIN);
  g_assert_false (adis_manifest_writer_add (writer, &row, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "already in the dataset"));
  g_clear_error (&error);

  /* Files must be on disk before their row */
  fill_clip (&row, "c1", 1, ADIS_SPLIT_TEST);
  row.audio = (char *) "audio/missing.wav";
  g_assert_false (adis_manifest_writer_add (writer, &row, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "audio/missing.wav"));
  g_clear_error (&error);

  /* And fields are checked on the way in too */
  fill_clip (&row, "c1", 1, ADIS_SPLIT_TEST);
  row.category = (char *) "a\tb";
  g_assert_false (adis_manifest_writer_add (writer, &row, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  fill_clip (&row, "c1", 1, ADIS_SPLIT_TEST);
  g_assert_true (adis_manifest_writer_add (writer, &row, &error));
  g_assert_no_error (error);
  g_assert_true (adis_manifest_writer_close (writer, &error));
  g_assert_no_error (error);

  manifest = adis_manifest_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, 2);
  g_assert_cmpstr (adis_manifest_get_clip (manifest, 1)->clip_id, ==, "c1");
  test_rm_rf (dir);
}

/* A writer killed mid-run: manifest.tsv stays whole and readable, and the
 * next open recovers the journal's whole rows and drops a cut-off one. */
static void
test_recovery (void)
{
  g_autofree char *dir = make_dataset_dir ("recovery");
  g_autofree char *journal = g_build_filename (dir, "manifest.tsv.journal", NULL);
  g_autoptr(GError) error = NULL;
  AdisManifestWriter *writer;
  AdisClip row;

  writer = adis_manifest_writer_open (dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("k%u", i);

      fill_clip (&row, id, i, ADIS_SPLIT_TRAIN);
      g_assert_true (adis_manifest_writer_add (writer, &row, &error));
    }
  /* As if killed: no commit */
  adis_manifest_writer_free (writer);

  {
    g_autoptr(AdisManifest) before = adis_manifest_load (dir, &error);
    g_autofree char *text = NULL;
    g_autoptr(GString) damaged = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (adis_manifest_get_n_clips (before), ==, 0);

    /* The run died halfway through a fourth row */
    g_assert_true (g_file_get_contents (journal, &text, NULL, NULL));
    damaged = g_string_new (text);
    g_string_append (damaged, "k3\tvideos/hike one.mp4\t9\tframes/f");
    g_assert_true (g_file_set_contents (journal, damaged->str, -1, NULL));
  }

  writer = adis_manifest_writer_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_manifest_writer_get_n_clips (writer), ==, 3);
  g_assert_false (adis_manifest_writer_has_clip (writer, "k3"));
  g_assert_true (adis_manifest_writer_close (writer, &error));
  g_assert_no_error (error);

  {
    g_autoptr(AdisManifest) after = adis_manifest_load (dir, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (adis_manifest_get_n_clips (after), ==, 3);
    g_assert_cmpstr (adis_manifest_get_clip (after, 2)->clip_id, ==, "k2");
  }
  test_rm_rf (dir);
}

/* A producer of many clips: rows are folded in as it goes (the manifest is
 * readable mid-run), and adding stays cheap */
static void
test_many_rows (void)
{
  g_autofree char *dir = make_dataset_dir ("many");
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisManifest) midway = NULL;
  g_autoptr(AdisManifest) all = NULL;
  AdisManifestWriter *writer;
  const guint n = 20000;
  gint64 start = g_get_monotonic_time ();
  AdisClip row;

  writer = adis_manifest_writer_open (dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("clip-%06u", i);

      fill_clip (&row, id, i, adis_split_choose (ADIS_SPLIT_BY_CLIP, id, NULL, 0, 0.2));
      if (!adis_manifest_writer_add (writer, &row, &error))
        g_error ("%s", error->message);
      if (i == n / 2)
        {
          midway = adis_manifest_load (dir, &error);
          g_assert_no_error (error);
        }
    }
  g_assert_true (adis_manifest_writer_close (writer, &error));
  g_assert_no_error (error);
  g_test_message ("%u rows written in %.2f s; %u were committed at the halfway mark",
                  n, (g_get_monotonic_time () - start) / 1e6, adis_manifest_get_n_clips (midway));
  g_assert_cmpuint (adis_manifest_get_n_clips (midway), >, n / 4);

  start = g_get_monotonic_time ();
  all = adis_manifest_load (dir, &error);
  g_assert_no_error (error);
  g_test_message ("read back in %.2f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (adis_manifest_get_n_clips (all), ==, n);
  test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = test_make_tmpdir ("manifest");

  g_test_add_func ("/soundstyle/manifest/round-trip", test_round_trip);
  g_test_add_func ("/soundstyle/manifest/split-rule", test_split_rule);
  g_test_add_func ("/soundstyle/manifest/refusals", test_refusals);
  g_test_add_func ("/soundstyle/manifest/mutations", test_mutations);
  g_test_add_func ("/soundstyle/manifest/resume-and-refusals", test_resume_and_refusals);
  g_test_add_func ("/soundstyle/manifest/recovery", test_recovery);
  g_test_add_func ("/soundstyle/manifest/many-rows", test_many_rows);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  return status;
}
