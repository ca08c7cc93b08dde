/* adis-synth-audio.c: the media library and the audio builder
 *
 * SPDX-License-Identifier: MIT
 *
 * A clip for (category, intensity) is composed from real recordings of that
 * category. Intensity is carried by density (more layers of rain, birds or
 * wind cut from different places; more footsteps with shorter gaps) and then
 * by loudness, set last and exactly by the law in adis-synth.h, so that the
 * clip's RMS says the intensity whatever the recordings were.
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include "adis-synth.h"
#include "adis-synth-private.h"

/* Below this a file is one event (a step), above it a bed to cut from */
#define EVENT_MAX_SECONDS     1.5
/* Long ambiences are only read this far: plenty of 3-s windows */
#define RECORDING_MAX_SECONDS 300.0

typedef struct
{
  char             *path;
  char             *name;      /* relative to the media folder: sounds/rain/x.ogg */
  char             *source;    /* the package INVENTORY.tsv names; NULL when none */
  guint             index;     /* in media->recordings */
  AdisSynthCategory category;
  float            *samples;   /* 16 kHz mono */
  gsize             n;
  float             level;     /* RMS for beds, peak for events */
} Recording;

struct _AdisSynthMedia
{
  char       *dir;
  GPtrArray  *photos;                          /* char *, NULL-terminated */
  GPtrArray  *recordings;                      /* Recording *, in path order, owned */
  GPtrArray  *beds[ADIS_SYNTH_N_CATEGORIES];   /* Recording *, borrowed */
  GPtrArray  *events[ADIS_SYNTH_N_CATEGORIES];
  GHashTable *sources;                         /* name -> package, from INVENTORY.tsv */
};

static void
recording_free (Recording *recording)
{
  g_free (recording->path);
  g_free (recording->name);
  g_free (recording->source);
  g_free (recording->samples);
  g_free (recording);
}

static void
media_free (AdisSynthMedia *media)
{
  g_free (media->dir);
  g_ptr_array_unref (media->photos);
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      g_ptr_array_unref (media->beds[c]);
      g_ptr_array_unref (media->events[c]);
    }
  g_ptr_array_unref (media->recordings);
  g_hash_table_unref (media->sources);
}

AdisSynthMedia *
adis_synth_media_ref (AdisSynthMedia *media)
{
  g_return_val_if_fail (media != NULL, NULL);
  return g_atomic_rc_box_acquire (media);
}

void
adis_synth_media_unref (AdisSynthMedia *media)
{
  g_return_if_fail (media != NULL);
  g_atomic_rc_box_release_full (media, (GDestroyNotify) media_free);
}

static gboolean
has_extension (const char *name, const char *const *extensions)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; extensions[i]; i++)
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;
  return FALSE;
}

/* All files under dir with one of the extensions, as sorted full paths, so
 * that a seed picks the same files on every machine */
static void
list_files (const char          *dir,
            const char *const   *extensions,
            GPtrArray           *out)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (name[0] == '.')
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_files (path, extensions, out);
      else if (has_extension (name, extensions))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* sounds/rain/x.ogg or sounds/rain-light.ogg: the folder under sounds/, else
 * the name up to the first '-', '_' or '.' */
static gboolean
category_of (const char         *sounds_dir,
             const char         *path,
             AdisSynthCategory  *out)
{
  const char *rel = path + strlen (sounds_dir) + 1;
  g_autofree char *word = g_strndup (rel, strcspn (rel, "/-_."));

  return adis_synth_category_parse (word, out, NULL);
}

static Recording *
recording_load (const char *path, GError **error)
{
  Recording *recording = g_new0 (Recording, 1);
  double sum = 0.0;
  float peak = 0.f;

  recording->samples = adis_audio_load_recording (path, RECORDING_MAX_SECONDS,
                                                  &recording->n, error);
  if (recording->samples == NULL)
    {
      g_free (recording);
      return NULL;
    }
  recording->path = g_strdup (path);
  for (gsize i = 0; i < recording->n; i++)
    {
      sum += (double) recording->samples[i] * recording->samples[i];
      peak = MAX (peak, fabsf (recording->samples[i]));
    }
  if (recording->n > EVENT_MAX_SECONDS * ADIS_SAMPLE_RATE)
    recording->level = (float) sqrt (sum / recording->n);
  else
    recording->level = peak;
  if (!(recording->level > 1e-5f))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "“%s” is silent: it cannot carry a category", path);
      recording_free (recording);
      return NULL;
    }
  return recording;
}

/* MEDIA/INVENTORY.tsv (build-aux/fetch-media.sh writes it): the package each
 * file came from, by the columns named "file" and "package". A folder
 * without one (the bundled samples) has no sources: nothing else changes. */
static void
read_inventory (const char *media_dir, GHashTable *sources)
{
  g_autofree char *path = g_build_filename (media_dir, "INVENTORY.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  int file_col = -1, package_col = -1;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL)
    return;
  header = g_strsplit (g_strchomp (lines[0]), "\t", -1);
  for (int i = 0; header[i] != NULL; i++)
    {
      if (g_str_equal (header[i], "file"))
        file_col = i;
      else if (g_str_equal (header[i], "package"))
        package_col = i;
    }
  if (file_col < 0 || package_col < 0)
    return;
  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_auto(GStrv) cols = g_strsplit (g_strchomp (lines[l]), "\t", -1);
      int n = (int) g_strv_length (cols);

      if (n > MAX (file_col, package_col) && cols[file_col][0] != '\0' && cols[package_col][0] != '\0')
        g_hash_table_insert (sources, g_strdup (cols[file_col]), g_strdup (cols[package_col]));
    }
}

AdisSynthMedia *
adis_synth_media_load (const char  *media_dir,
                       GError     **error)
{
  static const char *const sound_ext[] = { ".ogg", ".wav", ".flac", ".oga", NULL };
  static const char *const photo_ext[] = { ".jpg", ".jpeg", ".png", NULL };
  g_autoptr(AdisSynthMedia) media = g_atomic_rc_box_new0 (AdisSynthMedia);
  g_autofree char *sounds_dir = g_build_filename (media_dir, "sounds", NULL);
  g_autofree char *photos_dir = g_build_filename (media_dir, "photos", NULL);
  g_autoptr(GPtrArray) sounds = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (media_dir != NULL, NULL);

  media->dir = g_strdup (media_dir);
  media->photos = g_ptr_array_new_with_free_func (g_free);
  media->recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) recording_free);
  media->sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      media->beds[c] = g_ptr_array_new ();
      media->events[c] = g_ptr_array_new ();
    }
  read_inventory (media_dir, media->sources);

  list_files (photos_dir, photo_ext, media->photos);
  g_ptr_array_sort (media->photos, compare_strings);
  g_ptr_array_add (media->photos, NULL);
  if (media->photos->len == 1)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Media folder “%s” has no photos in photos/ (.jpg or .png)", media_dir);
      return NULL;
    }

  list_files (sounds_dir, sound_ext, sounds);
  g_ptr_array_sort (sounds, compare_strings);
  for (guint i = 0; i < sounds->len; i++)
    {
      const char *path = g_ptr_array_index (sounds, i);
      AdisSynthCategory category;
      Recording *recording;

      /* Other sounds (a stream, say) may sit beside the ones synth renders */
      if (!category_of (sounds_dir, path, &category))
        continue;
      recording = recording_load (path, error);
      if (recording == NULL)
        return NULL;
      recording->name = g_strconcat ("sounds/", path + strlen (sounds_dir) + 1, NULL);
      recording->source = g_strdup (g_hash_table_lookup (media->sources, recording->name));
      recording->category = category;
      recording->index = media->recordings->len;
      g_ptr_array_add (media->recordings, recording);
      if (recording->n > EVENT_MAX_SECONDS * ADIS_SAMPLE_RATE)
        g_ptr_array_add (media->beds[category], recording);
      else
        g_ptr_array_add (media->events[category], recording);
    }
  if (media->recordings->len == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Media folder “%s” has no sounds of a known category in sounds/ "
                   "(sounds/rain/…, or files named rain-…, snow-…, sunny-…, fog-…)",
                   media_dir);
      return NULL;
    }
  return g_steal_pointer (&media);
}

gboolean
adis_synth_media_has_category (AdisSynthMedia    *media,
                               AdisSynthCategory  category)
{
  g_return_val_if_fail (media != NULL, FALSE);
  g_return_val_if_fail (category < ADIS_SYNTH_N_CATEGORIES, FALSE);
  return media->beds[category]->len + media->events[category]->len > 0;
}

const char *const *
adis_synth_media_get_photos (AdisSynthMedia *media)
{
  g_return_val_if_fail (media != NULL, NULL);
  return (const char *const *) media->photos->pdata;
}

const char *
adis_synth_media_get_dir (AdisSynthMedia *media)
{
  g_return_val_if_fail (media != NULL, NULL);
  return media->dir;
}

const char *
adis_synth_media_get_source (AdisSynthMedia *media,
                             const char     *name)
{
  g_return_val_if_fail (media != NULL, NULL);
  return g_hash_table_lookup (media->sources, name);
}

guint
adis_synth_media_get_n_recordings (AdisSynthMedia *media)
{
  g_return_val_if_fail (media != NULL, 0);
  return media->recordings->len;
}

static const Recording *
get_recording (AdisSynthMedia *media, guint index)
{
  g_return_val_if_fail (media != NULL, NULL);
  g_return_val_if_fail (index < media->recordings->len, NULL);
  return g_ptr_array_index (media->recordings, index);
}

const char *
adis_synth_media_get_recording_name (AdisSynthMedia *media,
                                     guint           index)
{
  const Recording *r = get_recording (media, index);

  return r != NULL ? r->name : NULL;
}

const char *
adis_synth_media_get_recording_source (AdisSynthMedia *media,
                                       guint           index)
{
  const Recording *r = get_recording (media, index);

  return r != NULL ? r->source : NULL;
}

AdisSynthCategory
adis_synth_media_get_recording_category (AdisSynthMedia *media,
                                         guint           index)
{
  const Recording *r = get_recording (media, index);

  return r != NULL ? r->category : ADIS_SYNTH_SUNNY;
}

/* ---- the builder -------------------------------------------------------------- */

float
adis_synth_rms_for_intensity (float intensity)
{
  float i = CLAMP (intensity, 0.f, 1.f);

  return ADIS_SYNTH_RMS_AT_FULL * powf (10.f, ADIS_SYNTH_DB_RANGE * (i - 1.f) / 20.f);
}

float
adis_synth_intensity_for_rms (float rms)
{
  if (!(rms > 0.f))
    return 0.f;
  return CLAMP (1.f + 20.f * log10f (rms / ADIS_SYNTH_RMS_AT_FULL) / ADIS_SYNTH_DB_RANGE, 0.f, 1.f);
}

/* The recordings of pool that allowed lets a clip draw on (allowed NULL: all) */
static GPtrArray *
allowed_of (GPtrArray *pool, const gboolean *allowed)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < pool->len; i++)
    {
      Recording *r = g_ptr_array_index (pool, i);

      if (allowed == NULL || allowed[r->index])
        g_ptr_array_add (out, r);
    }
  return out;
}

static void
note_used (GArray *used, const Recording *r)
{
  for (guint i = 0; used != NULL && i < used->len; i++)
    if (g_array_index (used, guint, i) == r->index)
      return;
  if (used != NULL)
    g_array_append_val (used, r->index);
}

/* 1 to 3 windows of beds from random places, each at a similar level: more
 * layers is a denser texture (more drops, more birds, more gusts). out NULL
 * only draws, to say which recordings a clip uses. */
static void
add_beds (GPtrArray *beds, float intensity, AdisSynthRng *rng, float *out, GArray *used)
{
  int layers = 1 + (int) (intensity * 2.999f);

  for (int l = 0; l < layers; l++)
    {
      const Recording *r = g_ptr_array_index (beds, adis_synth_rng_below (rng, beds->len));
      gsize start = r->n > ADIS_CLIP_SAMPLES
                    ? adis_synth_rng_below (rng, (guint) (r->n - ADIS_CLIP_SAMPLES))
                    : 0;
      float gain = (float) adis_synth_rng_range (rng, 0.7, 1.0) / r->level;

      note_used (used, r);
      for (gsize i = 0; out != NULL && i < ADIS_CLIP_SAMPLES; i++)
        out[i] += gain * r->samples[(start + i) % r->n];
    }
}

/* Someone walking: a step every 0.85 s at intensity 0, every 0.3 s at 1,
 * each a random recording at a random level */
static void
add_events (GPtrArray *events, float intensity, AdisSynthRng *rng, float *out, GArray *used)
{
  double interval = 0.85 - 0.55 * intensity;
  double t = adis_synth_rng_range (rng, 0.0, interval);

  while (t < ADIS_CLIP_SECONDS)
    {
      const Recording *r = g_ptr_array_index (events, adis_synth_rng_below (rng, events->len));
      float gain = (float) adis_synth_rng_range (rng, 0.6, 1.0) / r->level;
      gsize at = (gsize) (t * ADIS_SAMPLE_RATE);

      note_used (used, r);
      for (gsize i = 0; out != NULL && i < r->n && at + i < ADIS_CLIP_SAMPLES; i++)
        out[at + i] += gain * r->samples[i];
      t += interval * adis_synth_rng_range (rng, 0.8, 1.2);
    }
}

/* One category's clip; with wave NULL only the draws are made (which
 * recordings it uses go to used) */
static gboolean
compose_category (AdisSynthMedia     *media,
                  AdisSynthCategory   category,
                  float               intensity,
                  guint64             seed,
                  const gboolean     *allowed,
                  float              *wave,
                  GArray             *used,
                  GError            **error)
{
  g_autoptr(GPtrArray) events = allowed_of (media->events[category], allowed);
  g_autoptr(GPtrArray) beds = allowed_of (media->beds[category], allowed);
  AdisSynthRng rng;

  if (events->len + beds->len == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   adis_synth_media_has_category (media, category)
                   ? "Media folder “%s” has no %s sounds that this split may use"
                   : "Media folder “%s” has no %s sounds",
                   media->dir, adis_synth_category_name (category));
      return FALSE;
    }

  adis_synth_rng_init (&rng, seed, 0x415544494f00 + category);
  if (events->len > 0)
    add_events (events, intensity, &rng, wave, used);
  else
    add_beds (beds, intensity, &rng, wave, used);
  return TRUE;
}

static AdisSound *
build_category (AdisSynthMedia     *media,
                AdisSynthCategory   category,
                float               intensity,
                guint64             seed,
                const gboolean     *allowed,
                GArray             *used,
                GError            **error)
{
  g_autofree float *wave = g_new0 (float, ADIS_CLIP_SAMPLES);
  double sum = 0.0;
  float scale;

  if (!compose_category (media, category, intensity, seed, allowed, wave, used, error))
    return NULL;

  /* The loudness law, exactly; a rare peak past full scale is clipped */
  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    sum += (double) wave[i] * wave[i];
  scale = sum > 0.0 ? adis_synth_rms_for_intensity (intensity) / (float) sqrt (sum / ADIS_CLIP_SAMPLES) : 0.f;
  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    wave[i] = CLAMP (wave[i] * scale, -1.f, 1.f);

  return adis_sound_new_from_samples (wave, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, error);
}

static int
compare_guint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

AdisSound *
adis_synth_audio_from (AdisSynthMedia          *media,
                       const AdisSynthFactors  *factors,
                       const gboolean          *allowed,
                       GArray                  *used,
                       GError                 **error)
{
  g_autoptr(AdisSound) a = NULL;
  g_autoptr(AdisSound) b = NULL;
  AdisSound *result = NULL;

  g_return_val_if_fail (media != NULL, NULL);
  g_return_val_if_fail (factors != NULL, NULL);

  if (!adis_synth_factors_validate (factors, error))
    return NULL;
  if (factors->weight >= 1.f)
    result = build_category (media, factors->category_b, factors->intensity, factors->seed,
                             allowed, used, error);
  else
    {
      a = build_category (media, factors->category, factors->intensity, factors->seed,
                          allowed, used, error);
      if (a != NULL && factors->weight <= 0.f)
        result = g_steal_pointer (&a);
      else if (a != NULL &&
               (b = build_category (media, factors->category_b, factors->intensity, factors->seed,
                                    allowed, used, error)) != NULL)
        result = adis_sound_mix (a, b, 1.f, factors->weight, error);
    }
  if (used != NULL)
    g_array_sort (used, compare_guint);
  return result;
}

AdisSound *
adis_synth_audio (AdisSynthMedia          *media,
                  const AdisSynthFactors  *factors,
                  GError                 **error)
{
  return adis_synth_audio_from (media, factors, NULL, NULL, error);
}

gboolean
adis_synth_audio_recordings (AdisSynthMedia          *media,
                             const AdisSynthFactors  *factors,
                             const gboolean          *allowed,
                             GArray                  *used,
                             GError                 **error)
{
  g_return_val_if_fail (media != NULL, FALSE);
  g_return_val_if_fail (factors != NULL, FALSE);
  g_return_val_if_fail (used != NULL, FALSE);

  if (!adis_synth_factors_validate (factors, error))
    return FALSE;
  /* The same draws as adis_synth_audio_from, without the samples */
  if (factors->weight < 1.f &&
      !compose_category (media, factors->category, factors->intensity, factors->seed,
                         allowed, NULL, used, error))
    return FALSE;
  if (factors->weight > 0.f &&
      !compose_category (media, factors->category_b, factors->intensity, factors->seed,
                         allowed, NULL, used, error))
    return FALSE;
  g_array_sort (used, compare_guint);
  return TRUE;
}
