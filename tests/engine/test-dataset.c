/* test-dataset.c: folder datasets and the deterministic threaded loader
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "test-util.h"
#include "adis-augment.h"

#define N_ITEMS 6
#define SIZE    24

static char *tmpdir;
static char *dataset_path;

static void
test_open (void)
{
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) sound = NULL;
  const char *const *categories;

  dataset = adis_dataset_open (dataset_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (adis_dataset_get_n_items (dataset), ==, N_ITEMS);
  g_assert_cmpstr (adis_dataset_get_path (dataset), ==, dataset_path);

  /* Sorted by name, whatever order the directory lists */
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autofree char *id = g_strdup_printf ("item-%03u", i);

      g_assert_cmpstr (adis_dataset_get_item_id (dataset, i), ==, id);
      g_assert_cmpint (adis_dataset_get_item_category (dataset, i), ==, i % 2);
    }

  categories = adis_dataset_get_categories (dataset);
  g_assert_nonnull (categories);
  g_assert_cmpstr (categories[0], ==, "rain");
  g_assert_cmpstr (categories[1], ==, "birds");
  g_assert_null (categories[2]);

  image = adis_dataset_load_image (dataset, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (image), ==, SIZE);
  sound = adis_dataset_load_sound (dataset, 0, &error);
  g_assert_no_error (error);
  /* "rain" is the loud category */
  g_assert_cmpfloat (adis_sound_get_rms (sound), >, 0.1f);
}

static char *
copy_dataset (const char *name)
{
  g_autofree char *copy = g_build_filename (tmpdir, name, NULL);
  const char *argv[] = { "cp", "-r", dataset_path, copy, NULL };

  g_assert_cmpint (test_run (argv, NULL, NULL), ==, 0);
  return g_steal_pointer (&copy);
}

static void
expect_open_error (const char *path,
                   const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = adis_dataset_open (path, &error);

  g_assert_null (dataset);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not say “%s”", error->message, fragment);
}

static void
test_errors (void)
{
  g_autofree char *no_clip = copy_dataset ("no-clip");
  g_autofree char *no_image = copy_dataset ("no-image");
  g_autofree char *bad_labels = copy_dataset ("bad-labels");
  g_autofree char *unknown_label = copy_dataset ("unknown-label");
  g_autofree char *stray = copy_dataset ("stray");
  g_autofree char *twice = copy_dataset ("twice");
  g_autofree char *empty = g_build_filename (tmpdir, "empty", NULL);
  g_autofree char *empty_images = g_build_filename (empty, "images", NULL);
  g_autofree char *empty_clips = g_build_filename (empty, "clips", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = g_build_filename (no_clip, "clips", "item-002.wav", NULL);
  g_assert_cmpint (g_unlink (path), ==, 0);
  expect_open_error (no_clip, "images/item-002.png has no clip");
  g_clear_pointer (&path, g_free);

  path = g_build_filename (no_image, "images", "item-004.png", NULL);
  g_assert_cmpint (g_unlink (path), ==, 0);
  expect_open_error (no_image, "clips/item-004.wav has no image");
  g_clear_pointer (&path, g_free);

  path = g_build_filename (bad_labels, "labels.tsv", NULL);
  g_file_set_contents (path, "item-000\train\nitem-001 birds\n", -1, &error);
  expect_open_error (bad_labels, "labels.tsv line 2");
  g_clear_pointer (&path, g_free);

  path = g_build_filename (unknown_label, "labels.tsv", NULL);
  g_file_set_contents (path, "item-000\train\nitem-999\tbirds\n", -1, &error);
  expect_open_error (unknown_label, "item-999");
  g_clear_pointer (&path, g_free);

  path = g_build_filename (stray, "images", "notes.txt", NULL);
  g_file_set_contents (path, "hello", -1, &error);
  expect_open_error (stray, "images/notes.txt");
  g_clear_pointer (&path, g_free);

  path = g_build_filename (twice, "clips", "item-001.flac", NULL);
  g_file_set_contents (path, "fLaC", -1, &error);
  expect_open_error (twice, "item-001.flac");
  g_clear_pointer (&path, g_free);

  g_assert_cmpint (g_mkdir_with_parents (empty_images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty_clips, 0755), ==, 0);
  expect_open_error (empty, "no image and clip pairs");
  expect_open_error (tmpdir, "not a known layout");
}

static void
test_unlabelled (void)
{
  g_autofree char *copy = copy_dataset ("unlabelled");
  g_autofree char *labels = g_build_filename (copy, "labels.tsv", NULL);
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_unlink (labels), ==, 0);
  dataset = adis_dataset_open (copy, &error);
  g_assert_no_error (error);
  g_assert_null (adis_dataset_get_categories (dataset));
  g_assert_cmpint (adis_dataset_get_item_category (dataset, 0), ==, -1);
}

static AdisLoader *
make_loader (AdisDataset *dataset,
             guint64      seed,
             int          n_workers,
             gboolean     augment)
{
  AdisLoaderOptions options;
  g_autoptr(GError) error = NULL;
  AdisLoader *loader;

  adis_loader_options_init (&options);
  options.batch_size = 4;
  options.load_size = 20;
  options.crop_size = 16;
  options.augment = augment;
  options.seed = seed;
  options.n_workers = n_workers;
  options.queue_depth = 3;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  return loader;
}

static void
assert_batches_equal (AdisBatch *a,
                      AdisBatch *b)
{
  gsize images = (gsize) a->n * 3 * a->size * a->size;
  gsize waves = (gsize) a->n * ADIS_CLIP_SAMPLES;

  g_assert_cmpint (a->n, ==, b->n);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpmem (a->index_x, a->n * sizeof (guint), b->index_x, b->n * sizeof (guint));
  g_assert_cmpmem (a->index_y, a->n * sizeof (guint), b->index_y, b->n * sizeof (guint));
  g_assert_cmpmem (a->category_x, a->n * sizeof (int), b->category_x, b->n * sizeof (int));
  g_assert_cmpmem (a->x, images * sizeof (float), b->x, images * sizeof (float));
  g_assert_cmpmem (a->y, images * sizeof (float), b->y, images * sizeof (float));
  g_assert_cmpmem (a->wave_x, waves * sizeof (float), b->wave_x, waves * sizeof (float));
  g_assert_cmpmem (a->wave_y, waves * sizeof (float), b->wave_y, waves * sizeof (float));
}

static void
test_batch_shapes (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) loader = make_loader (dataset, 1, 2, TRUE);
  g_autoptr(AdisBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen[N_ITEMS] = { FALSE };

  batch = adis_loader_next (loader, &error);
  g_assert_no_error (error);
  g_assert_cmpint (batch->n, ==, 4);
  g_assert_cmpint (batch->size, ==, 16);
  for (int i = 0; i < batch->n; i++)
    {
      g_assert_cmpuint (batch->index_x[i], <, N_ITEMS);
      g_assert_cmpuint (batch->index_y[i], <, N_ITEMS);
      g_assert_cmpint (batch->category_y[i], ==, (int) batch->index_y[i] % 2);
      g_assert_cmpint (batch->category_x[i], ==, (int) batch->index_x[i] % 2);
      /* Within one epoch the targets do not repeat */
      g_assert_false (seen[batch->index_y[i]]);
      seen[batch->index_y[i]] = TRUE;
    }
  for (gsize i = 0; i < (gsize) 4 * 3 * 16 * 16; i++)
    {
      g_assert_cmpfloat (batch->x[i], >=, -1.f);
      g_assert_cmpfloat (batch->x[i], <=, 1.f);
    }

  /* The clip in wave_y is item y's own */
  {
    g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, batch->index_y[2], &error);

    g_assert_no_error (error);
    g_assert_cmpmem (batch->wave_y + 2 * ADIS_CLIP_SAMPLES, ADIS_CLIP_SAMPLES * sizeof (float),
                     adis_sound_get_samples (sound), ADIS_CLIP_SAMPLES * sizeof (float));
  }
  g_assert_cmpfloat (adis_loader_get_rate (loader), >, 0.0);
}

static void
test_epochs (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) loader = make_loader (dataset, 5, 1, FALSE);
  guint counts[N_ITEMS] = { 0 };

  /* 6 batches of 4 over 6 items: 4 whole epochs, each item a target 4 times */
  for (int k = 0; k < 6; k++)
    {
      g_autoptr(AdisBatch) batch = adis_loader_next (loader, NULL);

      for (int i = 0; i < batch->n; i++)
        counts[batch->index_y[i]]++;
    }
  for (int i = 0; i < N_ITEMS; i++)
    g_assert_cmpuint (counts[i], ==, 4);
}

static void
test_determinism (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) one = make_loader (dataset, 42, 1, TRUE);
  g_autoptr(AdisLoader) three = make_loader (dataset, 42, 3, TRUE);
  g_autoptr(AdisLoader) other_seed = make_loader (dataset, 43, 2, TRUE);
  gboolean differs = FALSE;

  for (int k = 0; k < 5; k++)
    {
      g_autoptr(AdisBatch) a = adis_loader_next (one, NULL);
      g_autoptr(AdisBatch) b = adis_loader_next (three, NULL);
      g_autoptr(AdisBatch) c = adis_loader_next (other_seed, NULL);

      assert_batches_equal (a, b);
      if (memcmp (a->index_x, c->index_x, a->n * sizeof (guint)) != 0 ||
          memcmp (a->x, c->x, sizeof (float) * 4 * 3 * 16 * 16) != 0)
        differs = TRUE;
    }
  g_assert_true (differs);
}

static void
test_seek (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) straight = make_loader (dataset, 7, 2, TRUE);
  g_autoptr(AdisLoader) jumping = make_loader (dataset, 7, 2, TRUE);
  g_autoptr(AdisBatch) first = NULL;
  AdisBatch *expected[6];

  for (int k = 0; k < 6; k++)
    expected[k] = adis_loader_next (straight, NULL);

  /* Take one, jump ahead past what is queued, then back */
  first = adis_loader_next (jumping, NULL);
  assert_batches_equal (first, expected[0]);
  adis_loader_seek (jumping, 4);
  for (int k = 4; k < 6; k++)
    {
      g_autoptr(AdisBatch) batch = adis_loader_next (jumping, NULL);

      assert_batches_equal (batch, expected[k]);
    }
  adis_loader_seek (jumping, 1);
  for (int k = 1; k < 3; k++)
    {
      g_autoptr(AdisBatch) batch = adis_loader_next (jumping, NULL);

      assert_batches_equal (batch, expected[k]);
    }

  for (int k = 0; k < 6; k++)
    adis_batch_free (expected[k]);
}

static void
test_augment_off (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) loader = make_loader (dataset, 3, 2, TRUE);
  g_autoptr(AdisBatch) augmented = NULL;
  g_autoptr(AdisBatch) plain = NULL;
  g_autoptr(GError) error = NULL;
  gsize image_floats = 3 * 16 * 16;

  augmented = adis_loader_next (loader, &error);
  g_assert_no_error (error);
  adis_loader_set_augment (loader, FALSE);
  plain = adis_loader_next (loader, &error);
  g_assert_no_error (error);

  /* Without augmentation every image is exactly the item resized to the
   * crop size: no crop offset, no flip */
  for (int i = 0; i < plain->n; i++)
    {
      g_autoptr(AdisImage) x = adis_dataset_load_image (dataset, plain->index_x[i], NULL);
      g_autoptr(AdisImage) y = adis_dataset_load_image (dataset, plain->index_y[i], NULL);
      g_autoptr(AdisImage) x_resized = adis_image_resize (x, 16, 16);
      g_autoptr(AdisImage) y_resized = adis_image_resize (y, 16, 16);

      g_assert_cmpmem (plain->x + i * image_floats, image_floats * sizeof (float),
                       adis_image_get_planes (x_resized), image_floats * sizeof (float));
      g_assert_cmpmem (plain->y + i * image_floats, image_floats * sizeof (float),
                       adis_image_get_planes (y_resized), image_floats * sizeof (float));
    }

  /* With it, the same items come out cropped from the 20-pixel resize
   * (checked on the first x) */
  {
    g_autoptr(AdisImage) x = adis_dataset_load_image (dataset, augmented->index_x[0], NULL);
    g_autoptr(AdisImage) loaded = adis_image_resize (x, 20, 20);
    g_autoptr(AdisImage) flipped = adis_image_flip_horizontal (loaded);
    gboolean found = FALSE;

    for (int flip = 0; flip < 2 && !found; flip++)
      for (int oy = 0; oy <= 4 && !found; oy++)
        for (int ox = 0; ox <= 4 && !found; ox++)
          {
            g_autoptr(AdisImage) crop = adis_image_crop (flip ? flipped : loaded, ox, oy, 16, 16);

            found = memcmp (adis_image_get_planes (crop), augmented->x, image_floats * sizeof (float)) == 0;
          }
    g_assert_true (found);
  }
}

static void
test_gain_augment (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) loader = NULL;
  g_autoptr(AdisBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  AdisLoaderOptions options;

  adis_loader_options_init (&options);
  options.batch_size = 6;
  options.load_size = 16;
  options.crop_size = 16;
  options.gain_augment = 1.f;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  batch = adis_loader_next (loader, &error);
  g_assert_no_error (error);

  for (int i = 0; i < batch->n; i++)
    {
      g_autoptr(AdisSound) sound = adis_dataset_load_sound (dataset, batch->index_y[i], NULL);
      const float *samples = adis_sound_get_samples (sound);
      const float *wave = batch->wave_y + (gsize) i * ADIS_CLIP_SAMPLES;
      float gain = 0.f;

      /* One gain for the whole clip, inside [1/2, 2] */
      for (int s = 0; s < ADIS_CLIP_SAMPLES && gain == 0.f; s++)
        if (fabsf (samples[s]) > 0.01f)
          gain = wave[s] / samples[s];
      g_assert_cmpfloat (gain, >=, 0.5f - 1e-6);
      g_assert_cmpfloat (gain, <=, 2.f + 1e-6);
      for (int s = 0; s < ADIS_CLIP_SAMPLES; s += 101)
        g_assert_cmpfloat_with_epsilon (wave[s], samples[s] * gain, 1e-5);
    }
}

static AdisBatch *
first_batch (AdisDataset *dataset,
             gboolean     media_augment,
             int          n_workers)
{
  g_autoptr(AdisLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  AdisLoaderOptions options;
  AdisBatch *batch;

  adis_loader_options_init (&options);
  options.batch_size = 6;
  options.load_size = 20;
  options.crop_size = 16;
  options.seed = 5;
  options.n_workers = n_workers;
  options.media_augment = media_augment;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  batch = adis_loader_next (loader, &error);
  g_assert_no_error (error);
  return batch;
}

static double
clip_rms (const float *x)
{
  double sum = 0.0;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    sum += (double) x[i] * x[i];
  return sqrt (sum / ADIS_CLIP_SAMPLES);
}

/* The sound and photo augmentations: the same seed gives the same batch
 * whatever the threads, the items and frames stay those drawn without them,
 * and every clip keeps its level within the ±2-dB spread */
static void
test_media_augment (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisBatch) a = first_batch (dataset, TRUE, 1);
  g_autoptr(AdisBatch) b = first_batch (dataset, TRUE, 3);
  g_autoptr(AdisBatch) plain = first_batch (dataset, FALSE, 2);
  gsize images = (gsize) a->n * 3 * a->size * a->size;
  gsize waves = (gsize) a->n * ADIS_CLIP_SAMPLES;

  assert_batches_equal (a, b);
  g_assert_cmpmem (a->index_x, a->n * sizeof (guint), plain->index_x, plain->n * sizeof (guint));
  g_assert_cmpmem (a->index_y, a->n * sizeof (guint), plain->index_y, plain->n * sizeof (guint));
  g_assert_true (memcmp (a->x, plain->x, images * sizeof (float)) != 0);
  g_assert_true (memcmp (a->wave_y, plain->wave_y, waves * sizeof (float)) != 0);

  for (gsize i = 0; i < images; i++)
    {
      g_assert_true (isfinite (a->x[i]) && isfinite (a->y[i]));
      g_assert_cmpfloat (fabsf (a->x[i]), <=, 1.f);
    }
  for (int i = 0; i < a->n; i++)
    {
      const float *wave = a->wave_y + (gsize) i * ADIS_CLIP_SAMPLES;
      const float *before = plain->wave_y + (gsize) i * ADIS_CLIP_SAMPLES;
      double change;

      for (int s = 0; s < ADIS_CLIP_SAMPLES; s++)
        g_assert_true (isfinite (wave[s]));
      /* The spread, and at worst a background 20 dB under in phase with
       * the clip (these test clips are tones): 20 log10 (1.1) = 0.83 dB */
      change = 20.0 * log10 (clip_rms (wave) / clip_rms (before));
      g_assert_cmpfloat (fabs (change), <=, ADIS_AUGMENT_LEVEL_DB + 0.83 + 0.05);
    }
}

static void
test_bad_options_and_decode_error (void)
{
  g_autofree char *copy = copy_dataset ("broken-image");
  g_autofree char *image = g_build_filename (copy, "images", "item-003.png", NULL);
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  AdisLoaderOptions options;
  gboolean failed = FALSE;

  dataset = adis_dataset_open (copy, &error);
  g_assert_no_error (error);

  adis_loader_options_init (&options);
  options.crop_size = 300;
  g_assert_null (adis_loader_new (dataset, &options, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Broken after opening, as a disk might: the batch that needs it fails
   * and names the file */
  g_file_set_contents (image, "garbage", -1, &error);
  g_assert_no_error (error);
  adis_loader_options_init (&options);
  options.batch_size = 3;
  options.load_size = 16;
  options.crop_size = 16;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);
  /* Two batches of 3 cover the epoch, so item 3 is a target in one */
  for (int k = 0; k < 2; k++)
    {
      g_autoptr(AdisBatch) batch = adis_loader_next (loader, &error);

      if (batch == NULL)
        {
          g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
          g_assert_nonnull (strstr (error->message, "item-003.png"));
          g_clear_error (&error);
          failed = TRUE;
        }
    }
  g_assert_true (failed);
}


/* Workers decode ahead of the consumer but never more than queue_depth
 * batches; once they are ready, taking one does not wait at all */
static void
test_bounded_queue (void)
{
  g_autoptr(AdisDataset) dataset = adis_dataset_open (dataset_path, NULL);
  g_autoptr(AdisLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  AdisLoaderOptions options;
  gint64 deadline;

  adis_loader_options_init (&options);
  options.batch_size = 2;
  options.load_size = 20;
  options.crop_size = 16;
  options.n_workers = 3;
  options.queue_depth = 2;
  loader = adis_loader_new (dataset, &options, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 3; round++)
    {
      double waited;

      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (adis_loader_get_n_ready (loader) < 2 && g_get_monotonic_time () < deadline)
        g_usleep (1000);
      g_assert_cmpuint (adis_loader_get_n_ready (loader), ==, 2);
      /* Three workers, and time to spare: still only two */
      g_usleep (200000);
      g_assert_cmpuint (adis_loader_get_n_ready (loader), ==, 2);

      waited = adis_loader_get_wait_seconds (loader);
      {
        g_autoptr(AdisBatch) batch = adis_loader_next (loader, &error);

        g_assert_no_error (error);
      }
      g_assert_cmpfloat (adis_loader_get_wait_seconds (loader), ==, waited);
    }
}

/* --- prepared datasets (manifest.tsv) ------------------------------------ */

#define N_CLIP_FRAMES 3

/* The tiny set again as a prepared dataset: three frames per clip, every
 * third clip held out, categories in the manifest */
static char *
make_manifest_dataset (const char *name,
                       gboolean    label_all)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  AdisManifestWriter *writer = adis_manifest_writer_open (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autofree char *id = g_strdup_printf ("item-%03u", i);
      g_autofree char *audio = g_strdup_printf ("audio/%s.wav", id);
      g_autofree char *audio_path = g_build_filename (path, audio, NULL);
      g_autofree char *source = g_strdup_printf ("%s/clips/%s.wav", dataset_path, id);
      g_autofree char *wav = NULL;
      gsize length;
      char *frames[N_CLIP_FRAMES + 1] = { NULL };
      AdisClip clip = { 0 };

      for (guint f = 0; f < N_CLIP_FRAMES; f++)
        {
          g_autofree char *frame_path = NULL;

          frames[f] = g_strdup_printf ("frames/%s_%u.png", id, f);
          frame_path = g_build_filename (path, frames[f], NULL);
          test_write_pattern_png (frame_path, SIZE, SIZE, 100 + 10 * i + f);
        }
      g_assert_true (g_file_get_contents (source, &wav, &length, NULL));
      g_assert_true (g_file_set_contents (audio_path, wav, length, NULL));

      clip.clip_id = id;
      clip.source = (char *) "tiny";
      clip.start = 3.0 * i;
      clip.frames = frames;
      clip.audio = audio;
      clip.split = i % 3 == 0 ? ADIS_SPLIT_TEST : ADIS_SPLIT_TRAIN;
      clip.category = (char *) (!label_all && i == 4 ? "" : i % 2 ? "birds" : "rain");
      g_assert_true (adis_manifest_writer_add (writer, &clip, &error));
      g_assert_no_error (error);
      for (guint f = 0; f < N_CLIP_FRAMES; f++)
        g_free (frames[f]);
    }
  g_assert_true (adis_manifest_writer_close (writer, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_manifest_splits (void)
{
  g_autofree char *path = make_manifest_dataset ("prepared", TRUE);
  g_autoptr(AdisDataset) train = NULL;
  g_autoptr(AdisDataset) test = NULL;
  g_autoptr(AdisDataset) all = NULL;
  g_autoptr(GError) error = NULL;
  const char *const *categories;

  train = adis_dataset_open (path, &error);
  g_assert_no_error (error);
  test = adis_dataset_open_split (path, ADIS_SPLIT_TEST, &error);
  g_assert_no_error (error);
  all = adis_dataset_open_split (path, ADIS_SPLIT_ALL, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (adis_dataset_get_format (train), ==, "manifest");
  g_assert_cmpint (adis_dataset_get_split (train), ==, ADIS_SPLIT_TRAIN);
  g_assert_cmpuint (adis_dataset_get_n_items (train), ==, 4);
  g_assert_cmpuint (adis_dataset_get_n_items (test), ==, 2);
  g_assert_cmpuint (adis_dataset_get_n_items (all), ==, N_ITEMS);
  g_assert_cmpstr (adis_dataset_get_item_id (test, 1), ==, "item-003");
  g_assert_cmpstr (adis_dataset_get_item_id (train, 0), ==, "item-001");
  g_assert_cmpuint (adis_dataset_get_item_n_frames (all, 2), ==, N_CLIP_FRAMES);

  /* Sorted, and the same indices whichever split is open */
  categories = adis_dataset_get_categories (test);
  g_assert_cmpstr (categories[0], ==, "birds");
  g_assert_cmpstr (categories[1], ==, "rain");
  g_assert_null (categories[2]);
  g_assert_cmpint (adis_dataset_get_item_category (test, 0), ==, 1);
  g_assert_cmpint (adis_dataset_get_item_category (test, 1), ==, 0);
  g_assert_cmpint (adis_dataset_get_item_category (train, 0), ==, 0);

  /* The frames are the clip's own, in order */
  for (guint f = 0; f < N_CLIP_FRAMES; f++)
    {
      g_autofree char *expected_path = g_strdup_printf ("%s/frames/item-002_%u.png", path, f);
      g_autoptr(AdisImage) expected = adis_image_load (expected_path, &error);
      g_autoptr(AdisImage) frame = adis_dataset_load_frame (all, 2, f, &error);

      g_assert_no_error (error);
      g_assert_cmpmem (adis_image_get_planes (frame), sizeof (float) * 3 * SIZE * SIZE,
                       adis_image_get_planes (expected), sizeof (float) * 3 * SIZE * SIZE);
    }
}

/* Each use of a clip draws one of its frames, by seed: the same seed, the
 * same frames; over a few batches every frame turns up */
static void
test_manifest_frames (void)
{
  g_autofree char *path = make_manifest_dataset ("prepared-frames", TRUE);
  g_autoptr(AdisDataset) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisLoader) a = NULL;
  g_autoptr(AdisLoader) b = NULL;
  guint seen[N_CLIP_FRAMES] = { 0 };

  all = adis_dataset_open_split (path, ADIS_SPLIT_ALL, &error);
  g_assert_no_error (error);
  a = make_loader (all, 11, 2, FALSE);
  b = make_loader (all, 11, 1, FALSE);

  for (guint k = 0; k < 6; k++)
    {
      g_autoptr(AdisBatch) x = adis_loader_next (a, &error);
      g_autoptr(AdisBatch) y = NULL;

      g_assert_no_error (error);
      y = adis_loader_next (b, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (x->frame_x, sizeof (guint) * x->n, y->frame_x, sizeof (guint) * y->n);
      g_assert_cmpmem (x->frame_y, sizeof (guint) * x->n, y->frame_y, sizeof (guint) * y->n);
      g_assert_cmpmem (x->y, sizeof (float) * 3 * 16 * 16 * x->n, y->y, sizeof (float) * 3 * 16 * 16 * y->n);

      for (int i = 0; i < x->n; i++)
        {
          g_autoptr(AdisImage) frame = adis_dataset_load_frame (all, x->index_y[i], x->frame_y[i], &error);
          g_autoptr(AdisImage) resized = NULL;

          g_assert_no_error (error);
          g_assert_cmpuint (x->frame_x[i], <, N_CLIP_FRAMES);
          g_assert_cmpuint (x->frame_y[i], <, N_CLIP_FRAMES);
          seen[x->frame_x[i]]++;
          seen[x->frame_y[i]]++;
          /* Without augmentation the batch holds the frame resized */
          resized = adis_image_resize (frame, 16, 16);
          g_assert_cmpmem (x->y + (gsize) i * 3 * 16 * 16, sizeof (float) * 3 * 16 * 16,
                           adis_image_get_planes (resized), sizeof (float) * 3 * 16 * 16);
        }
    }
  for (guint f = 0; f < N_CLIP_FRAMES; f++)
    g_assert_cmpuint (seen[f], >, 0);
}

static void
test_manifest_errors (void)
{
  g_autofree char *missing = make_manifest_dataset ("prepared-missing", TRUE);
  g_autofree char *mixed = make_manifest_dataset ("prepared-mixed", FALSE);
  g_autofree char *frame = g_build_filename (missing, "frames", "item-004_1.png", NULL);
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_unlink (frame), ==, 0);
  expect_open_error (missing, "clip “item-004”: frames/item-004_1.png is missing");
  /* ... but only the split that holds it needs it */
  dataset = adis_dataset_open_split (missing, ADIS_SPLIT_TEST, &error);
  g_assert_no_error (error);

  expect_open_error (mixed, "“item-004” has no category while others have one");

  /* Pairs have no test split */
  g_clear_pointer (&dataset, adis_dataset_unref);
  dataset = adis_dataset_open_split (dataset_path, ADIS_SPLIT_TEST, &error);
  g_assert_null (dataset);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "no test split"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = test_make_tmpdir ("test-dataset");
  dataset_path = test_make_tiny_dataset (tmpdir, N_ITEMS, SIZE);

  g_test_add_func ("/soundstyle/dataset/open", test_open);
  g_test_add_func ("/soundstyle/dataset/errors", test_errors);
  g_test_add_func ("/soundstyle/dataset/unlabelled", test_unlabelled);
  g_test_add_func ("/soundstyle/dataset/batch-shapes", test_batch_shapes);
  g_test_add_func ("/soundstyle/dataset/epochs", test_epochs);
  g_test_add_func ("/soundstyle/dataset/determinism", test_determinism);
  g_test_add_func ("/soundstyle/dataset/seek", test_seek);
  g_test_add_func ("/soundstyle/dataset/augment-off", test_augment_off);
  g_test_add_func ("/soundstyle/dataset/gain-augment", test_gain_augment);
  g_test_add_func ("/soundstyle/dataset/media-augment", test_media_augment);
  g_test_add_func ("/soundstyle/dataset/bad-options-and-decode-error", test_bad_options_and_decode_error);
  g_test_add_func ("/soundstyle/dataset/bounded-queue", test_bounded_queue);
  g_test_add_func ("/soundstyle/dataset/manifest-splits", test_manifest_splits);
  g_test_add_func ("/soundstyle/dataset/manifest-frames", test_manifest_frames);
  g_test_add_func ("/soundstyle/dataset/manifest-errors", test_manifest_errors);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  g_free (dataset_path);
  return status;
}
