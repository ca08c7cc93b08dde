/* adis-synth-set-setup.c: what the set builder settles before the first
 * clip: its settings (a resumed run must match them), the photos, which
 * split sees which photo and recording, and media.tsv
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

#include "adis-safetensors.h"
#include "adis-synth-private.h"
#include "adis-synth-set-private.h"

/* Photos are copied into the set at most this long, so crops stay sharp at
 * 256-512 px and the set stays small */
#define PHOTO_MAX_SIDE   1024
#define SETTINGS_FILE    "synth.ini"

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

gboolean
adis_synth_set_check_settings (const Build *build, GError **error)
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
gboolean
adis_synth_set_load_photos (Build *build, GError **error)
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
void
adis_synth_set_split_photos (Build *build)
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
gboolean
adis_synth_set_split_recordings (Build *build, Use *use, GError **error)
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
gboolean
adis_synth_set_choose_split_media (Build *build, const Use *use, GError **error)
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
gboolean
adis_synth_set_write_media_table (Build *build, const Use *recording_use, GError **error)
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
