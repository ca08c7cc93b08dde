/* eval-set.c: the held-out clips of a prepared or synthetic data set, with
 * the renderer's image for each when the set is synthetic
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>

#include "eval-set.h"

const float eval_oracle_intensities[EVAL_N_ORACLE_INTENSITIES] = { 0.2f, 0.5f, 0.8f };

/* Mix sweeps per pair of categories (synthetic), or in all (otherwise) */
#define PAIRS_PER_CATEGORY_PAIR 3
#define MAX_UNLABELLED_PAIRS    12

static void
eval_clip_free (EvalClip *clip)
{
  g_free (clip->clip_id);
  g_clear_pointer (&clip->input, adis_image_unref);
  g_clear_pointer (&clip->sound, adis_sound_unref);
  g_clear_pointer (&clip->oracle, adis_image_unref);
  g_free (clip->photo);
  g_free (clip->oracle_grids);
  g_free (clip);
}

static void
eval_photo_free (EvalPhoto *photo)
{
  g_free (photo->name);
  g_free (photo->path);
  g_free (photo);
}

void
eval_set_free (EvalSet *set)
{
  if (set == NULL)
    return;
  g_free (set->path);
  g_strfreev (set->categories);
  g_free (set->synth_category);
  g_clear_pointer (&set->clips, g_ptr_array_unref);
  g_clear_pointer (&set->pairs, g_array_unref);
  g_clear_pointer (&set->detail_photos, g_ptr_array_unref);
  g_free (set->detail_clip);
  g_free (set->detail_note);
  g_free (set);
}

int
eval_set_find_category (EvalSet    *set,
                        const char *name)
{
  for (int c = 0; c < set->n_categories; c++)
    if (g_strcmp0 (set->categories[c], name) == 0)
      return c;
  return -1;
}

AdisImage *
eval_set_render (EvalSet    *set,
                 AdisImage  *input,
                 int         category,
                 float       intensity,
                 int         category_b,
                 float       weight,
                 guint64     seed,
                 GError    **error)
{
  AdisSynthFactors factors;

  g_return_val_if_fail (category >= 0 && category < set->n_categories, NULL);

  adis_synth_factors_init (&factors);
  factors.category = (AdisSynthCategory) set->synth_category[category];
  factors.intensity = intensity;
  factors.category_b = category_b >= 0 ? (AdisSynthCategory) set->synth_category[category_b] : factors.category;
  factors.weight = category_b >= 0 ? weight : 0.0f;
  factors.seed = seed;
  return adis_synth_render (input, &factors, error);
}

/* The probe's classes: on a synthetic set the categories its factors use
 * (a model never shown fog cannot be asked for it), else all the renderer's */
static void
choose_categories (EvalSet   *set,
                   GPtrArray *factors)
{
  gboolean used[ADIS_SYNTH_N_CATEGORIES] = { FALSE };
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; factors != NULL && i < factors->len; i++)
    {
      const AdisSynthClip *row = g_ptr_array_index (factors, i);

      used[row->factors.category] = TRUE;
      if (row->factors.weight > 0)
        used[row->factors.category_b] = TRUE;
    }

  set->synth_category = g_new (int, ADIS_SYNTH_N_CATEGORIES);
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    if (factors == NULL || used[c])
      {
        set->synth_category[names->len] = c;
        g_ptr_array_add (names, g_strdup (adis_synth_category_name ((AdisSynthCategory) c)));
      }
  set->n_categories = (int) names->len;
  g_ptr_array_add (names, NULL);
  set->categories = (char **) g_ptr_array_free (names, FALSE);
}

static int
class_of (EvalSet          *set,
          AdisSynthCategory category)
{
  for (int c = 0; c < set->n_categories; c++)
    if (set->synth_category[c] == (int) category)
      return c;
  return -1;
}

/* Up to max_clips of the test split, chosen by seed and taken in turn from
 * each category the manifest names, so that a small sample still has every
 * category (the caller sorts them back into manifest order) */
static GArray *
choose_test_clips (AdisManifest *manifest,
                   int           max_clips,
                   guint64       seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed_array ((const guint32 *) &seed, 2);
  g_autoptr(GArray) shuffled = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) group_of = g_hash_table_new (g_str_hash, g_str_equal);
  GArray *chosen = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n;

  for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
    if (adis_manifest_get_clip (manifest, i)->split == ADIS_SPLIT_TEST)
      g_array_append_val (shuffled, i);

  n = shuffled->len;
  for (guint i = 0; i + 1 < n; i++)
    {
      guint j = i + (guint) g_rand_int_range (rand, 0, (gint32) (n - i));
      guint tmp = g_array_index (shuffled, guint, i);

      g_array_index (shuffled, guint, i) = g_array_index (shuffled, guint, j);
      g_array_index (shuffled, guint, j) = tmp;
    }

  for (guint i = 0; i < n; i++)
    {
      guint index = g_array_index (shuffled, guint, i);
      const char *category = adis_manifest_get_clip (manifest, index)->category;
      GArray *group = g_hash_table_lookup (group_of, category);

      if (group == NULL)
        {
          group = g_array_new (FALSE, FALSE, sizeof (guint));
          g_ptr_array_add (groups, group);
          g_hash_table_insert (group_of, (gpointer) category, group);
        }
      g_array_append_val (group, index);
    }

  for (guint round = 0; chosen->len < n && (max_clips <= 0 || chosen->len < (guint) max_clips); round++)
    for (guint g = 0; g < groups->len && (max_clips <= 0 || chosen->len < (guint) max_clips); g++)
      {
        GArray *group = g_ptr_array_index (groups, g);

        if (round < group->len)
          g_array_append_val (chosen, g_array_index (group, guint, round));
      }

  return chosen;
}

static gint
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static AdisImage *
load_first_frame (const char     *dataset,
                  const AdisClip *row,
                  int             size,
                  GError        **error)
{
  g_autofree char *path = g_build_filename (dataset, row->frames[0], NULL);
  g_autoptr(AdisImage) frame = NULL;
  int width, height;

  if ((frame = soundstyle_cli_load_image (path, error)) == NULL)
    return NULL;
  adis_image_size_for_long_side (adis_image_get_width (frame), adis_image_get_height (frame),
                                 size, &width, &height);
  return adis_image_resize (frame, width, height);
}

static void
make_pairs (EvalSet *set)
{
  guint n = set->clips->len;

  if (!set->synthetic)
    {
      for (guint i = 0; i < n / 2 && i < MAX_UNLABELLED_PAIRS; i++)
        {
          EvalPair pair = { i, i + n / 2 };

          g_array_append_val (set->pairs, pair);
        }
      return;
    }

  /* Pure clips of two categories, the first few of each in clip order */
  for (int a = 0; a < set->n_categories; a++)
    for (int b = a + 1; b < set->n_categories; b++)
      {
        guint used_a = 0, used_b = 0;

        for (int k = 0; k < PAIRS_PER_CATEGORY_PAIR; k++)
          {
            EvalPair pair = { G_MAXUINT, G_MAXUINT };
            guint seen_a = 0, seen_b = 0;

            for (guint i = 0; i < n; i++)
              {
                const EvalClip *clip = g_ptr_array_index (set->clips, i);

                if (clip->weight > 0)
                  continue;
                if (clip->category == a && seen_a++ == used_a)
                  pair.clip_a = i;
                if (clip->category == b && seen_b++ == used_b)
                  pair.clip_b = i;
              }
            if (pair.clip_a == G_MAXUINT || pair.clip_b == G_MAXUINT)
              break;
            used_a++;
            used_b++;
            g_array_append_val (set->pairs, pair);
          }
      }
}

/* What the train clips use: photos and recordings that a test clip must
 * avoid to count as held out. has_recordings: whether the table says. */
static void
mark_held_out (EvalSet      *set,
               AdisManifest *manifest,
               GHashTable   *factors_by_id)
{
  g_autoptr(GHashTable) train_photos = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) train_recordings = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean has_recordings = TRUE;

  for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
    {
      const AdisClip *row = adis_manifest_get_clip (manifest, i);
      const AdisSynthClip *truth = g_hash_table_lookup (factors_by_id, row->clip_id);

      if (truth == NULL)
        continue;
      if (truth->recordings == NULL)
        has_recordings = FALSE;
      if (row->split != ADIS_SPLIT_TRAIN)
        continue;
      g_hash_table_add (train_photos, truth->photo);
      for (guint k = 0; truth->recordings != NULL && truth->recordings[k] != NULL; k++)
        g_hash_table_add (train_recordings, truth->recordings[k]);
    }

  for (guint c = 0; c < set->clips->len; c++)
    {
      EvalClip *clip = g_ptr_array_index (set->clips, c);
      const AdisSynthClip *truth = g_hash_table_lookup (factors_by_id, clip->clip_id);

      clip->new_photo = !g_hash_table_contains (train_photos, truth->photo);
      clip->new_recordings = has_recordings ? 1 : -1;
      for (guint k = 0; has_recordings && truth->recordings[k] != NULL; k++)
        if (g_hash_table_contains (train_recordings, truth->recordings[k]))
          clip->new_recordings = 0;
    }
}

/* The detail figure's photos: those of the measured clips that no train
 * clip shows (all the measured clips' photos when every photo is shared),
 * each from the original file media.tsv records when it is still there */
static gboolean
choose_detail_photos (EvalSet  *set,
                      GError  **error)
{
  g_autoptr(GPtrArray) media = adis_synth_read_media_table (set->path, error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean any_new = FALSE, all_original = TRUE;

  if (media == NULL)
    return FALSE;
  for (guint c = 0; c < set->clips->len; c++)
    any_new |= ((EvalClip *) g_ptr_array_index (set->clips, c))->new_photo == 1;

  for (guint c = 0; c < set->clips->len; c++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, c);
      EvalPhoto *photo;

      if ((any_new && clip->new_photo != 1) || g_hash_table_contains (seen, clip->photo))
        continue;
      g_hash_table_add (seen, clip->photo);
      photo = g_new0 (EvalPhoto, 1);
      photo->name = g_strdup (clip->photo);
      for (guint r = 0; r < media->len; r++)
        {
          const AdisSynthMediaRow *row = g_ptr_array_index (media, r);

          if (row->is_photo && g_str_equal (row->name, clip->photo) &&
              g_file_test (row->original, G_FILE_TEST_IS_REGULAR))
            {
              photo->path = g_strdup (row->original);
              photo->original = TRUE;
            }
        }
      if (photo->path == NULL)
        {
          photo->path = g_build_filename (set->path, clip->photo, NULL);
          all_original = FALSE;
        }
      g_ptr_array_add (set->detail_photos, photo);
    }

  if (!all_original)
    set->detail_note = g_strdup (media->len == 0
      ? "the set's copies of the photos (long side at most 1024): the set does not record where the originals are (made before media.tsv)"
      : "the set's copies of some photos (long side at most 1024): the originals media.tsv records are not there");
  if (!any_new)
    {
      char *note = g_strconcat (set->detail_note ? set->detail_note : "", set->detail_note ? "; " : "",
                                "every photo is shown to train clips too (fewer than 4), so these are not held out", NULL);

      g_free (set->detail_note);
      set->detail_note = note;
    }
  return TRUE;
}

/* Per class, the first measured unmixed clip: its sound restyles the
 * detail photos */
static void
choose_detail_clips (EvalSet *set)
{
  set->detail_clip = g_new (int, set->n_categories);
  for (int k = 0; k < set->n_categories; k++)
    set->detail_clip[k] = -1;
  for (guint c = 0; c < set->clips->len; c++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, c);

      if (clip->category >= 0 && clip->category_b < 0 && set->detail_clip[clip->category] < 0)
        set->detail_clip[clip->category] = (int) c;
    }
}

EvalSet *
eval_set_load (const char    *dataset,
               int            size,
               int            max_clips,
               guint64        seed,
               EvalProgress  *progress,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(EvalSet) set = NULL;
  g_autoptr(AdisManifest) manifest = NULL;
  g_autoptr(GPtrArray) factors = NULL;
  g_autoptr(GHashTable) factors_by_id = NULL;
  g_autoptr(GArray) chosen = NULL;
  g_autoptr(GPtrArray) sounds = NULL;
  g_autofree char *factors_path = NULL;
  AdisSynthCategory classes[ADIS_SYNTH_N_CATEGORIES];

  if (!g_file_test (dataset, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "dataset “%s” does not exist or is not a folder", dataset);
      return NULL;
    }
  if ((manifest = adis_manifest_load (dataset, error)) == NULL)
    return NULL;

  set = g_new0 (EvalSet, 1);
  set->path = g_strdup (dataset);
  set->clips = g_ptr_array_new_with_free_func ((GDestroyNotify) eval_clip_free);
  set->pairs = g_array_new (FALSE, FALSE, sizeof (EvalPair));
  set->detail_photos = g_ptr_array_new_with_free_func ((GDestroyNotify) eval_photo_free);

  chosen = choose_test_clips (manifest, max_clips, seed);
  g_array_sort (chosen, compare_uint);
  for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
    set->n_test += adis_manifest_get_clip (manifest, i)->split == ADIS_SPLIT_TEST;
  if (chosen->len == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "dataset “%s” has no test split: no clip in its %s is marked “test”",
                   dataset, ADIS_MANIFEST_FILE);
      return NULL;
    }

  factors_path = g_build_filename (dataset, ADIS_SYNTH_FACTORS_FILE, NULL);
  set->synthetic = g_file_test (factors_path, G_FILE_TEST_EXISTS);
  if (set->synthetic)
    {
      if ((factors = adis_synth_read_factors (dataset, error)) == NULL)
        return NULL;
      factors_by_id = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < factors->len; i++)
        {
          AdisSynthClip *row = g_ptr_array_index (factors, i);

          g_hash_table_insert (factors_by_id, row->clip_id, row);
        }
    }
  choose_categories (set, factors);
  for (int c = 0; c < set->n_categories; c++)
    classes[c] = (AdisSynthCategory) set->synth_category[c];

  eval_progress_stage (progress, "loading clips", chosen->len);
  sounds = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_sound_unref);
  for (guint k = 0; k < chosen->len; k++)
    {
      const AdisClip *row = adis_manifest_get_clip (manifest, g_array_index (chosen, guint, k));
      g_autofree char *audio_path = g_build_filename (dataset, row->audio, NULL);
      EvalClip *clip = g_new0 (EvalClip, 1);

      clip->clip_id = g_strdup (row->clip_id);
      clip->category = -1;
      clip->category_b = -1;
      clip->intensity = NAN;
      clip->new_photo = -1;
      clip->new_recordings = -1;
      g_ptr_array_add (set->clips, clip);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      {
        AdisSound *sound = soundstyle_cli_load_sound (audio_path, error);

        if (sound == NULL)
          return NULL;
        g_ptr_array_add (sounds, sound);
      }

      if (set->synthetic)
        {
          const AdisSynthClip *truth = g_hash_table_lookup (factors_by_id, row->clip_id);

          if (truth == NULL)
            {
              g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "%s: test clip “%s” has no row in %s",
                           factors_path, row->clip_id, ADIS_SYNTH_FACTORS_FILE);
              return NULL;
            }
          clip->category = class_of (set, truth->factors.category);
          clip->intensity = truth->factors.intensity;
          clip->weight = truth->factors.weight;
          clip->category_b = truth->factors.weight > 0 ? class_of (set, truth->factors.category_b) : -1;
          clip->seed = truth->factors.seed;
          clip->photo = g_strdup (truth->photo);
          if ((clip->input = adis_synth_clip_load_input (dataset, truth, size, error)) == NULL ||
              (clip->oracle = adis_synth_render (clip->input, &truth->factors, error)) == NULL)
            return NULL;
          if (clip->category_b < 0 &&
              (clip->oracle_grids = adis_eval_oracle_grids (clip->input, classes, set->n_categories,
                                                            eval_oracle_intensities,
                                                            EVAL_N_ORACLE_INTENSITIES,
                                                            clip->seed, error)) == NULL)
            return NULL;
        }
      else if ((clip->input = load_first_frame (dataset, row, size, error)) == NULL)
        return NULL;

      eval_progress_update (progress, k + 1);
    }
  eval_progress_finish (progress);

  /* A synthetic clip keeps its own sound (the oracle knows what it means);
   * otherwise each frame meets the sound of a clip half the set away */
  for (guint k = 0; k < set->clips->len; k++)
    {
      EvalClip *clip = g_ptr_array_index (set->clips, k);
      guint source = set->synthetic ? k : (k + set->clips->len / 2) % set->clips->len;

      clip->sound = adis_sound_ref (g_ptr_array_index (sounds, source));
    }

  make_pairs (set);
  if (set->synthetic)
    {
      mark_held_out (set, manifest, factors_by_id);
      if (!choose_detail_photos (set, error))
        return NULL;
    }
  choose_detail_clips (set);
  return g_steal_pointer (&set);
}
