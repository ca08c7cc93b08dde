/* adis-synth-set.c: the set builder: a plan per clip, workers that render
 * and compose it, and the prepared-dataset writer that makes it resumable
 * (what it settles first is in adis-synth-set-setup.c)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "adis-manifest.h"
#include "adis-safetensors.h"
#include "adis-synth.h"
#include "adis-synth-private.h"
#include "adis-synth-set-private.h"

void
adis_synth_set_options_init (AdisSynthSetOptions *options)
{
  g_return_if_fail (options != NULL);
  memset (options, 0, sizeof *options);
  options->n_clips = 1000;
  options->size = 256;
  options->mix_fraction = 0.2;
  options->test_fraction = ADIS_DEFAULT_TEST_FRACTION;
}

typedef struct
{
  AdisSynthClip  clip;
  AdisSplit      split;
} Plan;

typedef struct
{
  guint   index;
  GError *error;
} Finished;

static void
photo_free (Photo *photo)
{
  g_free (photo->name);
  adis_image_unref (photo->image);
  g_free (photo);
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static char *
clip_id_for (guint index)
{
  return g_strdup_printf ("synth-%06u", index);
}

/* ---- the plan: everything about clip i from (seed, i) alone ------------------ */

static void
plan_clip (const Build *build, guint index, Plan *plan)
{
  const AdisSynthSetOptions *o = build->options;
  AdisSynthFactors *f = &plan->clip.factors;
  AdisSynthRng rng;
  const GArray *pool;
  const Photo *photo;
  const AdisSynthCategory *categories;
  int n_categories;
  int width, height, short_side;

  memset (plan, 0, sizeof *plan);
  plan->clip.clip_id = clip_id_for (index);
  plan->split = adis_split_choose (ADIS_SPLIT_BY_CLIP, plan->clip.clip_id, NULL,
                                   o->seed, o->test_fraction);

  adis_synth_rng_init (&rng, o->seed, adis_synth_hash (0x504c414e, index));
  pool = plan->split == ADIS_SPLIT_TEST ? build->test_photos : build->train_photos;
  photo = g_ptr_array_index (build->photos,
                             g_array_index (pool, guint, adis_synth_rng_below (&rng, pool->len)));
  plan->clip.photo = g_strdup (photo->name);
  categories = build->categories[plan->split];
  n_categories = build->n_categories[plan->split];
  g_assert (n_categories > 0);

  adis_synth_factors_init (f);
  f->category = categories[adis_synth_rng_below (&rng, n_categories)];
  f->category_b = f->category;
  f->intensity = (float) adis_synth_rng_uniform (&rng);
  f->seed = adis_synth_hash (o->seed, index);
  if (n_categories > 1 && adis_synth_rng_uniform (&rng) < o->mix_fraction)
    {
      int other = adis_synth_rng_below (&rng, n_categories - 1);

      /* Any category but the first */
      for (int c = 0, k = 0; c < n_categories; c++)
        if (categories[c] != f->category && k++ == other)
          f->category_b = categories[c];
      f->weight = (float) adis_synth_rng_range (&rng, 0.05, 0.95);
    }
  /* Written with 4 decimals: keep exactly what the table will say */
  f->intensity = roundf (f->intensity * 10000.f) / 10000.f;
  f->weight = roundf (f->weight * 10000.f) / 10000.f;

  width = adis_image_get_width (photo->image);
  height = adis_image_get_height (photo->image);
  short_side = MIN (width, height);
  plan->clip.crop.side = MAX (1, (int) lround (short_side * adis_synth_rng_range (&rng, 0.6, 1.0)));
  plan->clip.crop.x = adis_synth_rng_below (&rng, width - plan->clip.crop.side + 1);
  plan->clip.crop.y = adis_synth_rng_below (&rng, height - plan->clip.crop.side + 1);
  plan->clip.crop.flip = adis_synth_rng_uniform (&rng) < 0.5;
}

static void
plan_clear (Plan *plan)
{
  g_free (plan->clip.clip_id);
  g_free (plan->clip.photo);
  g_strfreev (plan->clip.recordings);
}

/* The names of the recordings clip's sound is cut from, for factors.tsv */
static gboolean
plan_recordings (const Build *build, Plan *plan, GError **error)
{
  g_autoptr(GArray) used = g_array_new (FALSE, FALSE, sizeof (guint));
  GPtrArray *names;

  if (!adis_synth_audio_recordings (build->media, &plan->clip.factors,
                                    build->allowed[plan->split], used, error))
    return FALSE;
  names = g_ptr_array_new ();
  for (guint i = 0; i < used->len; i++)
    g_ptr_array_add (names, g_strdup (adis_synth_media_get_recording_name (build->media,
                                                                            g_array_index (used, guint, i))));
  g_ptr_array_add (names, NULL);
  plan->clip.recordings = (char **) g_ptr_array_free (names, FALSE);
  return TRUE;
}

/* ---- one clip ------------------------------------------------------------------- */

static char *
frame_path (const char *clip_id)
{
  return g_strdup_printf (ADIS_DATASET_FRAMES_DIR "/%s.jpg", clip_id);
}

static char *
audio_path (const char *clip_id)
{
  return g_strdup_printf (ADIS_DATASET_AUDIO_DIR "/%s.wav", clip_id);
}

static gboolean
make_clip (Build *build, guint index, GError **error)
{
  Plan plan;
  const Photo *photo = NULL;
  g_autoptr(AdisImage) input = NULL;
  g_autoptr(AdisImage) frame = NULL;
  g_autoptr(AdisSound) sound = NULL;
  g_autofree char *frame_rel = NULL, *audio_rel = NULL, *frame_abs = NULL, *audio_abs = NULL;
  gboolean ok = FALSE;

  plan_clip (build, index, &plan);
  for (guint i = 0; i < build->photos->len; i++)
    if (g_str_equal (((Photo *) g_ptr_array_index (build->photos, i))->name, plan.clip.photo))
      photo = g_ptr_array_index (build->photos, i);
  g_assert (photo != NULL);

  frame_rel = frame_path (plan.clip.clip_id);
  audio_rel = audio_path (plan.clip.clip_id);
  frame_abs = g_build_filename (build->dir, frame_rel, NULL);
  audio_abs = g_build_filename (build->dir, audio_rel, NULL);

  input = adis_synth_crop_apply (photo->image, &plan.clip.crop, build->options->size, error);
  if (input == NULL)
    goto out;
  frame = adis_synth_render (input, &plan.clip.factors, error);
  if (frame == NULL || !adis_image_save (frame, frame_abs, error))
    goto out;
  sound = adis_synth_audio_from (build->media, &plan.clip.factors,
                                 build->allowed[plan.split], NULL, error);
  if (sound == NULL || !adis_sound_save_wav (sound, audio_abs, error))
    goto out;
  ok = TRUE;

out:
  plan_clear (&plan);
  return ok;
}

static void
worker (gpointer data, gpointer user_data)
{
  Build *build = user_data;
  Finished *finished = g_new0 (Finished, 1);

  finished->index = GPOINTER_TO_UINT (data) - 1;
  if (g_cancellable_is_cancelled (build->stop))
    g_set_error (&finished->error, ADIS_ERROR, ADIS_ERROR_CANCELLED, "Stopped after an error");
  else if (!g_cancellable_set_error_if_cancelled (build->cancellable, &finished->error))
    make_clip (build, finished->index, &finished->error);
  g_async_queue_push (build->finished, finished);
}

/* ---- the run -------------------------------------------------------------------- */

static gboolean
validate_options (const AdisSynthSetOptions *o, GError **error)
{
  if (o->n_clips == 0 || o->size < 16 || o->size > 4096 ||
      !(o->mix_fraction >= 0 && o->mix_fraction <= 1) ||
      !(o->test_fraction >= 0 && o->test_fraction <= 1) || o->n_threads < 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Synthetic set options out of range: clips %u (at least 1), size %d (16-4096), "
                   "mix fraction %g ([0, 1]), test fraction %g ([0, 1])",
                   o->n_clips, o->size, o->mix_fraction, o->test_fraction);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_row (Build *build, AdisManifestWriter *writer, guint index, GError **error)
{
  Plan plan;
  g_autofree char *frame = NULL;
  char *frames[2] = { NULL, NULL };
  AdisClip row = { 0 };
  const AdisSynthFactors *f;
  gboolean ok;

  plan_clip (build, index, &plan);
  f = &plan.clip.factors;
  frame = frame_path (plan.clip.clip_id);
  frames[0] = frame;
  row.clip_id = plan.clip.clip_id;
  row.source = plan.clip.photo;
  row.start = 0;
  row.frames = frames;
  row.audio = audio_path (plan.clip.clip_id);
  row.split = plan.split;
  /* The category a label would name: the heavier side of a mix */
  row.category = (char *) adis_synth_category_name (f->weight > 0.5f ? f->category_b : f->category);
  ok = adis_manifest_writer_add (writer, &row, error);
  g_free (row.audio);
  plan_clear (&plan);
  return ok;
}

/* factors.tsv for every clip in the manifest (an earlier run may have made
 * more than this one asks for), in clip order, written whole */
static gboolean
write_factors (Build *build, GError **error)
{
  g_autofree char *path = g_build_filename (build->dir, ADIS_SYNTH_FACTORS_FILE, NULL);
  g_autoptr(GString) text = g_string_new (ADIS_SYNTH_FACTORS_HEADER "\n");
  g_autoptr(AdisManifest) manifest = adis_manifest_load (build->dir, error);
  g_autoptr(GArray) indices = g_array_new (FALSE, FALSE, sizeof (guint));

  if (manifest == NULL)
    return FALSE;
  for (guint row = 0; row < adis_manifest_get_n_clips (manifest); row++)
    {
      const char *id = adis_manifest_get_clip (manifest, row)->clip_id;
      guint64 index;

      if (!g_str_has_prefix (id, "synth-") ||
          !g_ascii_string_to_unsigned (id + strlen ("synth-"), 10, 0, G_MAXUINT, &index, NULL))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "“%s” holds clip “%s”, which synth did not make: use a new folder",
                       build->dir, id);
          return FALSE;
        }
      g_array_append_val (indices, (guint) { (guint) index });
    }
  g_array_sort (indices, compare_uint);
  for (guint k = 0; k < indices->len; k++)
    {
      g_autofree char *line = NULL;
      Plan plan;

      plan_clip (build, g_array_index (indices, guint, k), &plan);
      if (!plan_recordings (build, &plan, error))
        {
          plan_clear (&plan);
          return FALSE;
        }
      line = adis_synth_clip_to_line (&plan.clip);
      g_string_append (text, line);
      g_string_append_c (text, '\n');
      plan_clear (&plan);
    }
  return adis_write_file_atomic (path, text->str, text->len, error);
}

static void
build_clear (Build *build)
{
  g_free (build->dir);
  g_clear_pointer (&build->photos, g_ptr_array_unref);
  g_clear_pointer (&build->train_photos, g_array_unref);
  g_clear_pointer (&build->test_photos, g_array_unref);
  g_clear_pointer (&build->finished, g_async_queue_unref);
  g_clear_object (&build->stop);
  g_clear_pointer (&build->allowed[0], g_free);
  g_clear_pointer (&build->allowed[1], g_free);
}

gboolean
adis_synth_build_set (AdisSynthMedia             *media,
                      const char                 *dataset_dir,
                      const AdisSynthSetOptions  *options,
                      AdisSynthProgressFunc       progress,
                      gpointer                    user_data,
                      GCancellable               *cancellable,
                      GError                    **error)
{
  Build build = { 0 };
  g_autoptr(AdisManifestWriter) writer = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autofree char *photos_dir = NULL;
  g_autofree Use *recording_use = NULL;
  GThreadPool *pool;
  g_autofree gboolean *pushed = NULL;
  g_autofree gboolean *finished_ok = NULL;
  guint n_pushed = 0, done = 0, resumed = 0, next_row = 0, i;
  int n_threads;
  gboolean ok = FALSE;

  g_return_val_if_fail (media != NULL, FALSE);
  g_return_val_if_fail (dataset_dir != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (!validate_options (options, error))
    return FALSE;

  build.options = options;
  build.media = media;
  build.dir = g_strdup (dataset_dir);
  build.cancellable = cancellable;
  build.stop = g_cancellable_new ();
  build.photos = g_ptr_array_new_with_free_func ((GDestroyNotify) photo_free);
  build.train_photos = g_array_new (FALSE, FALSE, sizeof (guint));
  build.test_photos = g_array_new (FALSE, FALSE, sizeof (guint));
  build.finished = g_async_queue_new ();
  recording_use = g_new0 (Use, MAX (adis_synth_media_get_n_recordings (media), 1));
  if (!adis_synth_set_split_recordings (&build, recording_use, error) ||
      !adis_synth_set_choose_split_media (&build, recording_use, error))
    goto out;

  /* The writer makes the folder and takes the lock: nothing else before it */
  writer = adis_manifest_writer_open (dataset_dir, error);
  if (writer == NULL)
    goto out;
  photos_dir = g_build_filename (dataset_dir, PHOTOS_DIR, NULL);
  if (g_mkdir_with_parents (photos_dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "Cannot create “%s”: %s", photos_dir, g_strerror (saved));
      goto out;
    }
  if (!adis_synth_set_load_photos (&build, error) || !adis_synth_set_check_settings (&build, error))
    goto out;
  adis_synth_set_split_photos (&build);
  if (!adis_synth_set_write_media_table (&build, recording_use, error))
    goto out;

  n_threads = options->n_threads > 0 ? options->n_threads : (int) g_get_num_processors ();
  pool = g_thread_pool_new (worker, &build, n_threads, FALSE, NULL);
  pushed = g_new0 (gboolean, MAX (options->n_clips, 1));
  finished_ok = g_new0 (gboolean, MAX (options->n_clips, 1));
  for (i = 0; i < options->n_clips; i++)
    {
      g_autofree char *id = clip_id_for (i);

      if (adis_manifest_writer_has_clip (writer, id))
        resumed++;
      else
        {
          g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
          pushed[i] = TRUE;
          n_pushed++;
        }
    }
  done = resumed;
  if (progress != NULL)
    progress (done, options->n_clips, resumed, user_data);

  /* Rows are added here, on one thread, in clip order: the workers finish
   * in whatever order the threads run, and a manifest in that order would
   * give the same seed other batches from one build to the next */
  for (guint got = 0; got < n_pushed; got++)
    {
      Finished *finished = g_async_queue_pop (build.finished);

      if (finished->error != NULL)
        {
          if (first_error == NULL)
            {
              first_error = g_steal_pointer (&finished->error);
              /* Tell the other workers to stop taking clips */
              g_cancellable_cancel (build.stop);
            }
        }
      else
        finished_ok[finished->index] = TRUE;
      g_clear_error (&finished->error);
      g_free (finished);

      while (first_error == NULL && next_row < options->n_clips &&
             (!pushed[next_row] || finished_ok[next_row]))
        {
          if (pushed[next_row])
            {
              if (!add_row (&build, writer, next_row, &first_error))
                {
                  g_cancellable_cancel (build.stop);
                  break;
                }
              finished_ok[next_row] = FALSE;
              done++;
              if (progress != NULL)
                progress (done, options->n_clips, resumed, user_data);
            }
          next_row++;
        }
    }
  g_thread_pool_free (pool, FALSE, TRUE);

  if (first_error != NULL)
    {
      g_autoptr(GError) ignored = NULL;

      /* Keep what was finished for the next run, even past a clip that
       * was not: its files are all there */
      for (i = next_row; i < options->n_clips && ignored == NULL; i++)
        if (finished_ok[i])
          add_row (&build, writer, i, &ignored);
      g_clear_error (&ignored);
      adis_manifest_writer_commit (writer, &ignored);
      g_propagate_error (error, g_steal_pointer (&first_error));
      goto out;
    }
  if (!adis_manifest_writer_close (g_steal_pointer (&writer), error))
    goto out;
  ok = write_factors (&build, error);

out:
  build_clear (&build);
  return ok;
}
