/* test-synth-set.c: the synthetic set builder (factors.tsv, the manifest,
 * the frames and the audio it writes, resuming, holding photos and
 * recordings out), on the bundled samples (resources/samples)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "synth-test-util.h"

/* ---- factors.tsv ---------------------------------------------------------------- */

static void
test_factors_table (void)
{
  g_autofree char *dir = test_make_tmpdir ("synth-factors");
  g_autofree char *path = g_build_filename (dir, ADIS_SYNTH_FACTORS_FILE, NULL);
  char *recordings[] = { (char *) "sounds/rain/a,b.ogg", (char *) "sounds/fog/c%d\td.ogg", NULL };
  AdisSynthClip clip = { .clip_id = (char *) "c1", .photo = (char *) "photos/a.png",
                         .crop = { 3, 4, 50, TRUE }, .recordings = recordings };
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  AdisSynthClip *back;

  adis_synth_factors_init (&clip.factors);
  clip.factors.category = ADIS_SYNTH_RAIN;
  clip.factors.category_b = ADIS_SYNTH_FOG;
  clip.factors.intensity = 0.25f;
  clip.factors.weight = 0.5f;
  clip.factors.seed = G_GUINT64_CONSTANT (18446744073709551615);
  line = adis_synth_clip_to_line (&clip);
  text = g_strconcat (ADIS_SYNTH_FACTORS_HEADER "\n", line, "\n", NULL);
  g_file_set_contents (path, text, -1, NULL);

  clips = adis_synth_read_factors (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 1);
  back = clips->pdata[0];
  g_assert_cmpstr (back->clip_id, ==, "c1");
  g_assert_cmpstr (back->photo, ==, "photos/a.png");
  g_assert_cmpint (back->factors.category, ==, ADIS_SYNTH_RAIN);
  g_assert_cmpint (back->factors.category_b, ==, ADIS_SYNTH_FOG);
  g_assert_cmpfloat (back->factors.intensity, ==, 0.25f);
  g_assert_cmpfloat (back->factors.weight, ==, 0.5f);
  g_assert_true (back->factors.seed == clip.factors.seed);
  g_assert_cmpint (back->crop.x, ==, 3);
  g_assert_cmpint (back->crop.y, ==, 4);
  g_assert_cmpint (back->crop.side, ==, 50);
  g_assert_true (back->crop.flip);
  /* Names with a comma, a percent sign and a tab come back whole */
  g_assert_nonnull (back->recordings);
  g_assert_cmpstr (back->recordings[0], ==, recordings[0]);
  g_assert_cmpstr (back->recordings[1], ==, recordings[1]);
  g_assert_null (back->recordings[2]);
  g_assert_null (strchr (line + strlen ("c1\t"), ' '));

  /* A table written before the recordings column loads, without them */
  g_clear_pointer (&clips, g_ptr_array_unref);
  g_free (text);
  text = g_strconcat (ADIS_SYNTH_FACTORS_HEADER_V1 "\n", "c2\train\t0.5\t-\t0\tp.png\t0,0,4,0\t1\n", NULL);
  g_file_set_contents (path, text, -1, NULL);
  clips = adis_synth_read_factors (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clips->len, ==, 1);
  g_assert_null (((AdisSynthClip *) clips->pdata[0])->recordings);

  /* A bad line is named */
  g_clear_pointer (&clips, g_ptr_array_unref);
  g_free (text);
  text = g_strconcat (ADIS_SYNTH_FACTORS_HEADER "\n", line, "\nc2\train\t7\t-\t0\tp.png\t0,0,4,0\t1\t-\n", NULL);
  g_file_set_contents (path, text, -1, NULL);
  g_assert_null (adis_synth_read_factors (dir, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_assert_nonnull (strstr (error->message, ADIS_SYNTH_FACTORS_FILE));
  test_rm_rf (dir);
}

/* ---- the set builder -------------------------------------------------------------- */

typedef struct
{
  guint calls;
  guint last_done;
  guint last_resumed;
} ProgressLog;

static void
progress_cb (guint done, guint total, guint resumed, gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, log->last_done);
  log->calls++;
  log->last_done = done;
  log->last_resumed = resumed;
}

static gboolean
build_with_threads (const char *dir, guint n_clips, guint64 seed, int n_threads, ProgressLog *log, GError **error)
{
  g_autofree char *media_dir = samples_dir ();
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (media_dir, NULL);
  AdisSynthSetOptions options;

  adis_synth_set_options_init (&options);
  options.n_clips = n_clips;
  options.seed = seed;
  options.size = 64;
  options.mix_fraction = 0.3;
  options.test_fraction = 0.25;
  options.n_threads = n_threads;
  *log = (ProgressLog) { 0 };
  return adis_synth_build_set (media, dir, &options, progress_cb, log, NULL, error);
}

static gboolean
build (const char *dir, guint n_clips, guint64 seed, ProgressLog *log, GError **error)
{
  return build_with_threads (dir, n_clips, seed, 2, log, error);
}


static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The manifest's rows are in clip order, whatever order the workers
 * finished in: the loader's batches follow it */
static void
assert_rows_in_clip_order (const char *dir)
{
  g_autofree char *manifest = read_file (dir, "manifest.tsv");
  g_auto(GStrv) lines = g_strsplit (manifest, "\n", -1);
  int expected = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("synth-%06d\t", expected);

      if (!g_str_has_prefix (lines[i], "synth-"))
        continue;
      if (!g_str_has_prefix (lines[i], id))
        g_error ("manifest row %d is “%.12s”, expected %s", expected, lines[i], id);
      expected++;
    }
  g_assert_cmpint (expected, >, 0);
}

/* The manifest and factors.tsv agree, the frames are the oracle's renders of
 * the recorded crops, the audio is at the law's loudness, and test clips show
 * photos that no train clip shows */
static void
check_set (const char *dir, guint n_clips)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisManifest) manifest = adis_manifest_load (dir, &error);
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GHashTable) train_photos = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) test_photos = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) train_recordings = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) test_recordings = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) media = NULL;
  guint n_test = 0, n_mixed = 0;

  g_assert_no_error (error);
  clips = adis_synth_read_factors (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_manifest_get_n_clips (manifest), ==, n_clips);
  g_assert_cmpuint (clips->len, ==, n_clips);

  for (guint i = 0; i < clips->len; i++)
    {
      AdisSynthClip *clip = clips->pdata[i];
      int row = adis_manifest_find (manifest, clip->clip_id);
      const AdisClip *entry;

      g_assert_cmpint (row, >=, 0);
      entry = adis_manifest_get_clip (manifest, row);
      g_assert_cmpstr (entry->source, ==, clip->photo);
      g_hash_table_add (entry->split == ADIS_SPLIT_TEST ? test_photos : train_photos, clip->photo);
      g_assert_nonnull (clip->recordings);
      g_assert_nonnull (clip->recordings[0]);
      for (guint k = 0; clip->recordings[k] != NULL; k++)
        {
          g_autofree char *media_dir = samples_dir ();
          g_autofree char *file = g_build_filename (media_dir, clip->recordings[k], NULL);

          g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
          g_hash_table_add (entry->split == ADIS_SPLIT_TEST ? test_recordings : train_recordings,
                            clip->recordings[k]);
        }
      n_test += entry->split == ADIS_SPLIT_TEST;
      n_mixed += clip->factors.weight > 0;

      /* Re-render a few from the table alone */
      if (i < 6)
        {
          g_autofree char *frame_path = g_build_filename (dir, entry->frames[0], NULL);
          g_autofree char *audio_path = g_build_filename (dir, entry->audio, NULL);
          g_autoptr(AdisImage) input = adis_synth_clip_load_input (dir, clip, 64, &error);
          g_autoptr(AdisImage) oracle = NULL;
          g_autoptr(AdisImage) frame = adis_image_load (frame_path, &error);
          g_autoptr(AdisSound) sound = adis_sound_load (audio_path, &error);

          g_assert_no_error (error);
          oracle = adis_synth_render (input, &clip->factors, &error);
          g_assert_no_error (error);
          {
            AdisSynthFactors wrong = clip->factors;
            g_autoptr(AdisImage) other = NULL;
            double err = mean_abs_diff (oracle, frame), err_other;

            wrong.category = (wrong.category + 1) % ADIS_SYNTH_N_CATEGORIES;
            wrong.weight = 0;
            other = adis_synth_render (input, &wrong, &error);
            g_assert_no_error (error);
            err_other = mean_abs_diff (other, frame);
            /* JPEG at quality 95 is all that separates the frame from the
             * oracle: far closer than another weather is */
            g_test_message ("%s: oracle %.4f, other category %.4f", clip->clip_id, err, err_other);
            g_assert_cmpfloat (err, <, 0.05);
            g_assert_cmpfloat (err, <, 0.5 * err_other);
          }
          if (clip->factors.weight == 0)
            g_assert_cmpfloat (fabsf (adis_synth_intensity_for_rms (adis_sound_get_rms (sound))
                                      - clip->factors.intensity), <, 0.02f);
        }
    }
  g_assert_cmpuint (n_test, >, 0);
  g_assert_cmpuint (n_test, <, n_clips);
  g_assert_cmpuint (n_mixed, >, 0);
  /* 4 bundled photos: one is kept for test clips only */
  g_assert_cmpuint (g_hash_table_size (test_photos), ==, 1);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, test_photos);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_assert_false (g_hash_table_contains (train_photos, key));
  }

  /* media.tsv: 4 photos, 5 recordings; rain has two, so one is heard only
   * in test clips; the other categories have one, which both splits share */
  media = adis_synth_read_media_table (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (media->len, ==, 9);
  for (guint i = 0; i < media->len; i++)
    {
      const AdisSynthMediaRow *row = g_ptr_array_index (media, i);

      g_assert_true (g_path_is_absolute (row->original));
      g_assert_true (g_file_test (row->original, G_FILE_TEST_IS_REGULAR));
      g_assert_null (row->source);   /* the samples have no INVENTORY.tsv */
      if (row->is_photo)
        {
          g_assert_cmpstr (row->split, ==, g_hash_table_contains (test_photos, row->name) ? "test" : "train");
          continue;
        }
      if (g_str_equal (row->category, "rain"))
        {
          g_assert_cmpstr (row->split, !=, "both");
          if (g_str_equal (row->split, "test"))
            g_assert_false (g_hash_table_contains (train_recordings, row->name));
          else
            g_assert_false (g_hash_table_contains (test_recordings, row->name));
        }
      else
        g_assert_cmpstr (row->split, ==, "both");
    }
}

static void
test_set_build_resume (void)
{
  g_autofree char *tmp = test_make_tmpdir ("synth-set");
  g_autofree char *dir = g_build_filename (tmp, "set", NULL);
  g_autofree char *other = g_build_filename (tmp, "again", NULL);
  g_autofree char *factors = NULL, *factors_again = NULL, *grown = NULL;
  g_autofree char *manifest = NULL, *manifest_again = NULL;
  g_autoptr(GError) error = NULL;
  ProgressLog log;

  g_assert_true (build (dir, 24, 9, &log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.last_done, ==, 24);
  g_assert_cmpuint (log.last_resumed, ==, 0);
  check_set (dir, 24);

  assert_rows_in_clip_order (dir);

  /* The same seed elsewhere, on another number of threads: the same set,
   * its rows in the same order */
  g_assert_true (build_with_threads (other, 24, 9, 3, &log, &error));
  factors = read_file (dir, ADIS_SYNTH_FACTORS_FILE);
  factors_again = read_file (other, ADIS_SYNTH_FACTORS_FILE);
  g_assert_cmpstr (factors, ==, factors_again);
  manifest = read_file (dir, "manifest.tsv");
  manifest_again = read_file (other, "manifest.tsv");
  g_assert_cmpstr (manifest, ==, manifest_again);

  /* Again: everything is resumed, nothing redone */
  g_assert_true (build (dir, 24, 9, &log, &error));
  g_assert_cmpuint (log.last_resumed, ==, 24);
  g_assert_cmpuint (log.calls, ==, 1);

  /* Another seed in the same folder is refused, naming the folder */
  g_assert_false (build (dir, 24, 10, &log, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* More clips: only the new ones are made, the old rows keep their factors */
  g_assert_true (build (dir, 30, 9, &log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.last_resumed, ==, 24);
  g_assert_cmpuint (log.last_done, ==, 30);
  grown = read_file (dir, ADIS_SYNTH_FACTORS_FILE);
  g_assert_true (g_str_has_prefix (grown, factors));
  check_set (dir, 30);
  assert_rows_in_clip_order (dir);

  test_rm_rf (tmp);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, (gssize) length, NULL));
}

/* A media folder whose INVENTORY.tsv gives the samples' recordings two
 * packages: "north" (rain-heavy, fog, birdsong) and "south" (rain-light,
 * snow steps); one bundled photo per split is enough */
static char *
make_inventoried_media (const char *tmp)
{
  g_autofree char *samples = samples_dir ();
  char *media = g_build_filename (tmp, "media", NULL);
  g_autofree char *sounds = g_build_filename (media, "sounds", NULL);
  g_autofree char *photos = g_build_filename (media, "photos", NULL);
  g_autofree char *inventory = g_build_filename (media, "INVENTORY.tsv", NULL);
  const char *names[] = { "rain-heavy.ogg", "fog-wind.ogg", "sunny-birdsong.ogg", "rain-light.ogg", "snow-steps.ogg" };
  const char *photo_names[] = { "aitzgorri_by_Aitzol_Berasategi.jpg", "mate-Dune.jpg" };
  GString *text = g_string_new ("file\tpackage\toriginal\tauthor\tlicence\n");

  g_assert_cmpint (g_mkdir_with_parents (sounds, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (photos, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (photo_names); i++)
    {
      g_autofree char *from = g_build_filename (samples, "photos", photo_names[i], NULL);
      g_autofree char *to = g_build_filename (photos, photo_names[i], NULL);

      copy_file (from, to);
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from = g_build_filename (samples, "sounds", names[i], NULL);
      g_autofree char *to = g_build_filename (sounds, names[i], NULL);

      copy_file (from, to);
      g_string_append_printf (text, "sounds/%s\t%s\t/x\tsomeone\tCC0\n", names[i], i < 3 ? "north" : "south");
    }
  g_assert_true (g_file_set_contents (inventory, text->str, -1, NULL));
  g_string_free (text, TRUE);
  return media;
}

static void
test_set_holdout_source (void)
{
  g_autofree char *tmp = test_make_tmpdir ("synth-holdout");
  g_autofree char *media_dir = make_inventoried_media (tmp);
  g_autofree char *dir = g_build_filename (tmp, "set", NULL);
  g_autofree char *refused = g_build_filename (tmp, "refused", NULL);
  g_autofree char *samples = samples_dir ();
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (media_dir, NULL);
  g_autoptr(AdisSynthMedia) plain = adis_synth_media_load (samples, NULL);
  g_autoptr(AdisManifest) manifest = NULL;
  g_autoptr(GPtrArray) clips = NULL;
  g_autoptr(GError) error = NULL;
  const char *south[] = { "south", NULL };
  const char *unknown[] = { "east", NULL };
  AdisSynthSetOptions options;
  gboolean seen[2][ADIS_SYNTH_N_CATEGORIES] = { { FALSE } };
  ProgressLog log = { 0 };

  g_assert_nonnull (media);
  g_assert_cmpuint (adis_synth_media_get_n_recordings (media), ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_nonnull (adis_synth_media_get_recording_source (media, i));

  adis_synth_set_options_init (&options);
  options.n_clips = 40;
  options.seed = 2;
  options.size = 32;
  options.test_fraction = 0.4;
  options.n_threads = 2;

  /* A package no recording comes from, or a folder with no inventory:
   * refused before anything is written */
  options.holdout_sources = unknown;
  g_assert_false (adis_synth_build_set (media, refused, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "east"));
  g_assert_nonnull (strstr (error->message, "north"));
  g_clear_error (&error);
  options.holdout_sources = south;
  g_assert_false (adis_synth_build_set (plain, refused, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));

  g_assert_true (adis_synth_build_set (media, dir, &options, progress_cb, &log, NULL, &error));
  g_assert_no_error (error);
  manifest = adis_manifest_load (dir, &error);
  clips = adis_synth_read_factors (dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < clips->len; i++)
    {
      const AdisSynthClip *clip = clips->pdata[i];
      const AdisClip *entry = adis_manifest_get_clip (manifest, adis_manifest_find (manifest, clip->clip_id));
      gboolean test = entry->split == ADIS_SPLIT_TEST;

      seen[test][clip->factors.category] = TRUE;
      if (clip->factors.weight > 0)
        seen[test][clip->factors.category_b] = TRUE;
      /* Test clips hear only south's recordings, train clips only north's */
      for (guint k = 0; clip->recordings[k] != NULL; k++)
        {
          gboolean from_south = strstr (clip->recordings[k], "rain-light") != NULL ||
                                strstr (clip->recordings[k], "snow-steps") != NULL;

          g_assert_cmpint (from_south, ==, test);
        }
    }
  /* Each split draws only the categories it has recordings for */
  g_assert_true (seen[1][ADIS_SYNTH_RAIN] && seen[1][ADIS_SYNTH_SNOW]);
  g_assert_false (seen[1][ADIS_SYNTH_SUNNY] || seen[1][ADIS_SYNTH_FOG]);
  g_assert_true (seen[0][ADIS_SYNTH_RAIN] && seen[0][ADIS_SYNTH_SUNNY] && seen[0][ADIS_SYNTH_FOG]);
  g_assert_false (seen[0][ADIS_SYNTH_SNOW]);

  /* The sources are in media.tsv */
  {
    g_autoptr(GPtrArray) rows = adis_synth_read_media_table (dir, &error);
    guint n_recordings = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < rows->len; i++)
      {
        const AdisSynthMediaRow *row = g_ptr_array_index (rows, i);

        if (row->is_photo)
          continue;
        n_recordings++;
        g_assert_cmpstr (row->split, ==, g_str_equal (row->source, "south") ? "test" : "train");
      }
    g_assert_cmpuint (n_recordings, ==, 5);
  }
  test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/synth/factors/table", test_factors_table);
  g_test_add_func ("/synth/set/build-resume", test_set_build_resume);
  g_test_add_func ("/synth/set/holdout-source", test_set_holdout_source);

  return g_test_run ();
}
