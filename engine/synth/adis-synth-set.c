/* adis-synth-set.c: the set builder: a plan per clip, workers that render
 * and compose it, and the prepared-dataset writer that makes it resumable
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

/* Photos are copied into the set at most this long, so crops stay sharp at
 * 256-512 px and the set stays small */
#define PHOTO_MAX_SIDE   1024
#define SETTINGS_FILE    "synth.ini"
#define PHOTOS_DIR       "photos"

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
  char      *name;     /* photos/NAME.png, relative to the set */
  AdisImage *image;
} Photo;

/* Which split uses a photo or a recording */
typedef enum
{
  USE_TRAIN = 1 << ADIS_SPLIT_TRAIN,
  USE_TEST  = 1 << ADIS_SPLIT_TEST,
  USE_BOTH  = USE_TRAIN | USE_TEST,
} Use;

typedef struct
{
  const AdisSynthSetOptions *options;
  AdisSynthMedia   *media;
  char             *dir;
  GPtrArray        *photos;                 /* Photo * */
  GArray           *train_photos;           /* guint indices into photos */
  GArray           *test_photos;
  /* Per split (AdisSplit): the recordings it may use, and the categories
   * it has recordings for, which are the only ones its clips show */
  gboolean         *allowed[2];
  AdisSynthCategory categories[2][ADIS_SYNTH_N_CATEGORIES];
  int               n_categories[2];
  GCancellable     *cancellable;            /* the caller's, may be NULL */
  GCancellable     *stop;                   /* ours: set on the first error */
  GAsyncQueue      *finished;               /* Finished * */
} Build;

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

/* ---- setup: settings, photos, splits ------------------------------------------- */

/* The options that decide what clip i is; a resumed run must match them */
static char *
settings_text (const Build *build)
{
  const AdisSynthSetOptions *o = build->options;
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) categories = g_ptr_array_new ();
  g_autoptr(GPtrArray) recordings = g_ptr_array_new ();
  char mix[G_ASCII_DTOSTR_BUF_SIZE], test[G_ASCII_DTOSTR_BUF_SIZE];
  guint n_recordings = adis_synth_media_get_n_recordings (build->media);

  for (guint i = 0; i < build->photos->len; i++)
    g_ptr_array_add (names, ((Photo *) g_ptr_array_index (build->photos, i))->name);
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    if (adis_synth_media_has_category (build->media, (AdisSynthCategory) c))
      g_ptr_array_add (categories, (gpointer) adis_synth_category_name ((AdisSynthCategory) c));
  for (guint i = 0; i < n_recordings; i++)
    g_ptr_array_add (recordings, (gpointer) adis_synth_media_get_recording_name (build->media, i));
  g_key_file_set_uint64 (keys, "synth", "seed", o->seed);
  g_key_file_set_integer (keys, "synth", "size", o->size);
  g_key_file_set_string (keys, "synth", "mix-fraction", g_ascii_dtostr (mix, sizeof mix, o->mix_fraction));
  g_key_file_set_string (keys, "synth", "test-fraction", g_ascii_dtostr (test, sizeof test, o->test_fraction));
  g_key_file_set_string_list (keys, "synth", "categories",
                              (const char *const *) categories->pdata, categories->len);
  g_key_file_set_string_list (keys, "synth", "photos",
                              (const char *const *) names->pdata, names->len);
  /* Sets made before recordings were split have neither key: they are
   * refused for resuming, since their clips would now be drawn otherwise */
  g_key_file_set_string_list (keys, "synth", "recordings",
                              (const char *const *) recordings->pdata, recordings->len);
  g_key_file_set_string_list (keys, "synth", "holdout-sources",
                              o->holdout_sources ? o->holdout_sources : (const char *const[]) { NULL },
                              o->holdout_sources ? g_strv_length ((char **) o->holdout_sources) : 0);
  return g_key_file_to_data (keys, NULL, NULL);
}

static gboolean
check_settings (const Build *build, GError **error)
{
  g_autofree char *path = g_build_filename (build->dir, SETTINGS_FILE, NULL);
  g_autofree char *wanted = settings_text (build);
  g_autofree char *found = NULL;

  if (g_file_get_contents (path, &found, NULL, NULL))
    {
      if (g_strcmp0 (found, wanted) != 0)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "“%s” was made with other options or media (see %s): "
                       "rerun with the same --seed, --size, fractions and media, or use a new folder",
                       build->dir, path);
          return FALSE;
        }
      return TRUE;
    }
  return adis_write_file_atomic (path, wanted, strlen (wanted), error);
}

/* A name that is safe in the manifest and unique in the set */
static char *
photo_name (const char *path, GHashTable *taken)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  GString *name;

  if (dot != NULL)
    *dot = '\0';
  g_strcanon (base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", '_');
  name = g_string_new (base);
  for (int n = 2; g_hash_table_contains (taken, name->str); n++)
    g_string_printf (name, "%s-%d", base, n);
  g_hash_table_add (taken, g_strdup (name->str));
  g_string_prepend (name, PHOTOS_DIR "/");
  g_string_append (name, ".png");
  return g_string_free (name, FALSE);
}

/* Copies each photo into the set once (smaller, lossless) and loads the copy,
 * so that the pixels rendered here are the pixels eval will load */
static gboolean
load_photos (Build *build, GError **error)
{
  const char *const *paths = adis_synth_media_get_photos (build->media);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      Photo *photo = g_new0 (Photo, 1);
      g_autofree char *dest = NULL;

      photo->name = photo_name (paths[i], taken);
      g_ptr_array_add (build->photos, photo);
      dest = g_build_filename (build->dir, photo->name, NULL);
      if (!g_file_test (dest, G_FILE_TEST_EXISTS))
        {
          g_autoptr(AdisImage) original = adis_image_load (paths[i], error);
          g_autoptr(AdisImage) small = NULL;
          int w, h;

          if (original == NULL)
            return FALSE;
          w = adis_image_get_width (original);
          h = adis_image_get_height (original);
          if (MAX (w, h) > PHOTO_MAX_SIDE)
            {
              adis_image_size_for_long_side (w, h, PHOTO_MAX_SIDE, &w, &h);
              small = adis_image_resize (original, w, h);
            }
          else
            small = adis_image_ref (original);
          if (!adis_image_save (small, dest, error))
            return FALSE;
        }
      photo->image = adis_image_load (dest, error);
      if (photo->image == NULL)
        return FALSE;
      if (MIN (adis_image_get_width (photo->image), adis_image_get_height (photo->image)) < 16)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "Photo “%s” is too small to crop from", paths[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* With 4 photos or more, about test_fraction of them (at least one) are seen
 * only by test clips; with fewer, both splits share them all */
static void
split_photos (Build *build)
{
  guint n = build->photos->len;
  g_autofree guint *order = g_new (guint, n);
  guint n_test = 0;
  AdisSynthRng rng;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  adis_synth_rng_init (&rng, build->options->seed, 0x484f4c44);
  for (guint i = n; i > 1; i--)
    {
      guint j = adis_synth_rng_below (&rng, i);
      guint t = order[i - 1];

      order[i - 1] = order[j];
      order[j] = t;
    }
  if (build->options->test_fraction >= 1)
    n_test = n;
  else if (n >= 4 && build->options->test_fraction > 0)
    n_test = CLAMP ((guint) lround (n * build->options->test_fraction), 1, n - 1);
  for (guint i = 0; i < n; i++)
    {
      if (n_test == 0)
        {
          g_array_append_val (build->train_photos, order[i]);
          g_array_append_val (build->test_photos, order[i]);
        }
      else if (i < n_test)
        g_array_append_val (build->test_photos, order[i]);
      else
        g_array_append_val (build->train_photos, order[i]);
    }
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The recordings each split may use: holdout_sources' recordings for test
 * clips only, or, per category, about test_fraction of them (at least one)
 * when it has 2 or more; a category with one recording is in both splits */
static gboolean
split_recordings (Build *build, Use *use, GError **error)
{
  const AdisSynthSetOptions *o = build->options;
  AdisSynthMedia *media = build->media;
  guint n = adis_synth_media_get_n_recordings (media);

  if (o->holdout_sources != NULL)
    {
      g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < n; i++)
        {
          const char *source = adis_synth_media_get_recording_source (media, i);

          if (source != NULL)
            g_hash_table_add (known, (gpointer) source);
          use[i] = source != NULL && g_strv_contains (o->holdout_sources, source) ? USE_TEST : USE_TRAIN;
        }
      for (guint k = 0; o->holdout_sources[k] != NULL; k++)
        if (!g_hash_table_contains (known, o->holdout_sources[k]))
          {
            guint n_known = 0;
            g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (known, &n_known);
            g_autofree char *list = NULL;

            qsort (names, n_known, sizeof (char *), compare_names);
            list = g_strjoinv (", ", (char **) names);

            if (list[0] == '\0')
              g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "Cannot hold out “%s”: media folder “%s” names no package for its recordings "
                           "(it needs the INVENTORY.tsv that build-aux/fetch-media.sh writes)",
                           o->holdout_sources[k], adis_synth_media_get_dir (media));
            else
              g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "No recording of media folder “%s” comes from “%s” (its INVENTORY.tsv names: %s)",
                           adis_synth_media_get_dir (media), o->holdout_sources[k], list);
            return FALSE;
          }
      return TRUE;
    }

  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
      guint n_test = 0;
      AdisSynthRng rng;

      for (guint i = 0; i < n; i++)
        if (adis_synth_media_get_recording_category (media, i) == (AdisSynthCategory) c)
          g_array_append_val (order, i);
      adis_synth_rng_init (&rng, o->seed, 0x5245434f00 + c);
      for (guint i = order->len; i > 1; i--)
        {
          guint j = adis_synth_rng_below (&rng, i);
          guint t = g_array_index (order, guint, i - 1);

          g_array_index (order, guint, i - 1) = g_array_index (order, guint, j);
          g_array_index (order, guint, j) = t;
        }
      if (o->test_fraction >= 1)
        n_test = order->len;
      else if (order->len >= 2 && o->test_fraction > 0)
        n_test = CLAMP ((guint) lround (order->len * o->test_fraction), 1, order->len - 1);
      for (guint k = 0; k < order->len; k++)
        use[g_array_index (order, guint, k)] = n_test == 0 ? USE_BOTH : k < n_test ? USE_TEST : USE_TRAIN;
    }
  return TRUE;
}

/* The masks and categories of each split, from use */
static gboolean
choose_split_media (Build *build, const Use *use, GError **error)
{
  guint n = adis_synth_media_get_n_recordings (build->media);

  for (int s = 0; s < 2; s++)
    {
      gboolean has[ADIS_SYNTH_N_CATEGORIES] = { FALSE };

      build->allowed[s] = g_new0 (gboolean, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        if (use[i] & (1 << s))
          {
            build->allowed[s][i] = TRUE;
            has[adis_synth_media_get_recording_category (build->media, i)] = TRUE;
          }
      for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
        if (has[c])
          build->categories[s][build->n_categories[s]++] = (AdisSynthCategory) c;
    }
  /* A split that gets clips needs something to draw */
  if (build->options->test_fraction < 1 && build->n_categories[ADIS_SPLIT_TRAIN] == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Holding out those packages leaves the train clips no recording: hold out fewer");
      return FALSE;
    }
  if (build->options->test_fraction > 0 && build->n_categories[ADIS_SPLIT_TEST] == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "The test clips have no recording to draw on");
      return FALSE;
    }
  return TRUE;
}

static const char *
use_name (Use use)
{
  return use == USE_BOTH ? "both" : use == USE_TEST ? "test" : "train";
}

static void
append_media_row (GString    *text,
                  const char *kind,
                  const char *name,
                  const char *original,
                  const char *category,
                  const char *source,
                  Use         use)
{
  g_autofree char *absolute = g_canonicalize_filename (original, NULL);
  g_autofree char *name_e = adis_synth_escape_name (name);
  g_autofree char *original_e = adis_synth_escape_name (absolute);
  g_autofree char *source_e = source != NULL ? adis_synth_escape_name (source) : g_strdup ("-");

  g_string_append_printf (text, "%s\t%s\t%s\t%s\t%s\t%s\n", kind, name_e, original_e,
                          category != NULL ? category : "-", source_e, use_name (use));
}

/* media.tsv: where each photo and recording came from, and its split */
static gboolean
write_media_table (Build *build, const Use *recording_use, GError **error)
{
  g_autofree char *path = g_build_filename (build->dir, ADIS_SYNTH_MEDIA_FILE, NULL);
  g_autoptr(GString) text = g_string_new (ADIS_SYNTH_MEDIA_HEADER "\n");
  const char *const *paths = adis_synth_media_get_photos (build->media);
  const char *dir = adis_synth_media_get_dir (build->media);
  guint n = adis_synth_media_get_n_recordings (build->media);
  g_autofree Use *photo_use = g_new0 (Use, MAX (build->photos->len, 1));

  for (guint i = 0; i < build->train_photos->len; i++)
    photo_use[g_array_index (build->train_photos, guint, i)] |= USE_TRAIN;
  for (guint i = 0; i < build->test_photos->len; i++)
    photo_use[g_array_index (build->test_photos, guint, i)] |= USE_TEST;
  for (guint i = 0; i < build->photos->len; i++)
    {
      const Photo *photo = g_ptr_array_index (build->photos, i);
      const char *relative = g_str_has_prefix (paths[i], dir) ? paths[i] + strlen (dir) + 1 : paths[i];

      append_media_row (text, "photo", photo->name, paths[i], NULL,
                        adis_synth_media_get_source (build->media, relative), photo_use[i]);
    }
  for (guint i = 0; i < n; i++)
    {
      const char *name = adis_synth_media_get_recording_name (build->media, i);
      g_autofree char *original = g_build_filename (dir, name, NULL);

      append_media_row (text, "recording", name, original,
                        adis_synth_category_name (adis_synth_media_get_recording_category (build->media, i)),
                        adis_synth_media_get_recording_source (build->media, i), recording_use[i]);
    }
  return adis_write_file_atomic (path, text->str, text->len, error);
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
  guint n_pushed = 0, done = 0, resumed = 0, i;
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
  if (!split_recordings (&build, recording_use, error) ||
      !choose_split_media (&build, recording_use, error))
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
  if (!load_photos (&build, error) || !check_settings (&build, error))
    goto out;
  split_photos (&build);
  if (!write_media_table (&build, recording_use, error))
    goto out;

  n_threads = options->n_threads > 0 ? options->n_threads : (int) g_get_num_processors ();
  pool = g_thread_pool_new (worker, &build, n_threads, FALSE, NULL);
  for (i = 0; i < options->n_clips; i++)
    {
      g_autofree char *id = clip_id_for (i);

      if (adis_manifest_writer_has_clip (writer, id))
        resumed++;
      else
        {
          g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
          n_pushed++;
        }
    }
  done = resumed;
  if (progress != NULL)
    progress (done, options->n_clips, resumed, user_data);

  /* Rows are added here, on one thread, as clips finish */
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
      else if (first_error == NULL)
        {
          if (!add_row (&build, writer, finished->index, &first_error))
            g_cancellable_cancel (build.stop);
          else
            {
              done++;
              if (progress != NULL)
                progress (done, options->n_clips, resumed, user_data);
            }
        }
      g_clear_error (&finished->error);
      g_free (finished);
    }
  g_thread_pool_free (pool, FALSE, TRUE);

  if (first_error != NULL)
    {
      g_autoptr(GError) ignored = NULL;

      /* Keep what was finished for the next run */
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
