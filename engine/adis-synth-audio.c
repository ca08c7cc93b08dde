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
  char   *path;
  float  *samples;   /* 16 kHz mono */
  gsize   n;
  float   level;     /* RMS for beds, peak for events */
} Recording;

struct _AdisSynthMedia
{
  char       *dir;
  GPtrArray  *photos;                          /* char *, NULL-terminated */
  GPtrArray  *beds[ADIS_SYNTH_N_CATEGORIES];   /* Recording * */
  GPtrArray  *events[ADIS_SYNTH_N_CATEGORIES];
};

static void
recording_free (Recording *recording)
{
  g_free (recording->path);
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
  guint n_used = 0;

  g_return_val_if_fail (media_dir != NULL, NULL);

  media->dir = g_strdup (media_dir);
  media->photos = g_ptr_array_new_with_free_func (g_free);
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      media->beds[c] = g_ptr_array_new_with_free_func ((GDestroyNotify) recording_free);
      media->events[c] = g_ptr_array_new_with_free_func ((GDestroyNotify) recording_free);
    }

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
      if (recording->n > EVENT_MAX_SECONDS * ADIS_SAMPLE_RATE)
        g_ptr_array_add (media->beds[category], recording);
      else
        g_ptr_array_add (media->events[category], recording);
      n_used++;
    }
  if (n_used == 0)
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

/* 1 to 3 windows of beds from random places, each at a similar level: more
 * layers is a denser texture (more drops, more birds, more gusts) */
static void
add_beds (GPtrArray *beds, float intensity, AdisSynthRng *rng, float *out)
{
  int layers = 1 + (int) (intensity * 2.999f);

  for (int l = 0; l < layers; l++)
    {
      const Recording *r = g_ptr_array_index (beds, adis_synth_rng_below (rng, beds->len));
      gsize start = r->n > ADIS_CLIP_SAMPLES
                    ? adis_synth_rng_below (rng, (guint) (r->n - ADIS_CLIP_SAMPLES))
                    : 0;
      float gain = (float) adis_synth_rng_range (rng, 0.7, 1.0) / r->level;

      for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
        out[i] += gain * r->samples[(start + i) % r->n];
    }
}

/* Someone walking: a step every 0.85 s at intensity 0, every 0.3 s at 1,
 * each a random recording at a random level */
static void
add_events (GPtrArray *events, float intensity, AdisSynthRng *rng, float *out)
{
  double interval = 0.85 - 0.55 * intensity;
  double t = adis_synth_rng_range (rng, 0.0, interval);

  while (t < ADIS_CLIP_SECONDS)
    {
      const Recording *r = g_ptr_array_index (events, adis_synth_rng_below (rng, events->len));
      float gain = (float) adis_synth_rng_range (rng, 0.6, 1.0) / r->level;
      gsize at = (gsize) (t * ADIS_SAMPLE_RATE);

      for (gsize i = 0; i < r->n && at + i < ADIS_CLIP_SAMPLES; i++)
        out[at + i] += gain * r->samples[i];
      t += interval * adis_synth_rng_range (rng, 0.8, 1.2);
    }
}

static AdisSound *
build_category (AdisSynthMedia     *media,
                AdisSynthCategory   category,
                float               intensity,
                guint64             seed,
                GError            **error)
{
  g_autofree float *wave = g_new0 (float, ADIS_CLIP_SAMPLES);
  AdisSynthRng rng;
  double sum = 0.0;
  float scale;

  if (!adis_synth_media_has_category (media, category))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Media folder “%s” has no %s sounds", media->dir,
                   adis_synth_category_name (category));
      return NULL;
    }

  adis_synth_rng_init (&rng, seed, 0x415544494f00 + category);
  if (media->events[category]->len > 0)
    add_events (media->events[category], intensity, &rng, wave);
  else
    add_beds (media->beds[category], intensity, &rng, wave);

  /* The loudness law, exactly; a rare peak past full scale is clipped */
  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    sum += (double) wave[i] * wave[i];
  scale = sum > 0.0 ? adis_synth_rms_for_intensity (intensity) / (float) sqrt (sum / ADIS_CLIP_SAMPLES) : 0.f;
  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    wave[i] = CLAMP (wave[i] * scale, -1.f, 1.f);

  return adis_sound_new_from_samples (wave, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, error);
}

AdisSound *
adis_synth_audio (AdisSynthMedia          *media,
                  const AdisSynthFactors  *factors,
                  GError                 **error)
{
  g_autoptr(AdisSound) a = NULL;
  g_autoptr(AdisSound) b = NULL;

  g_return_val_if_fail (media != NULL, NULL);
  g_return_val_if_fail (factors != NULL, NULL);

  if (!adis_synth_factors_validate (factors, error))
    return NULL;
  if (factors->weight >= 1.f)
    return build_category (media, factors->category_b, factors->intensity, factors->seed, error);
  a = build_category (media, factors->category, factors->intensity, factors->seed, error);
  if (a == NULL || factors->weight <= 0.f)
    return g_steal_pointer (&a);
  b = build_category (media, factors->category_b, factors->intensity, factors->seed, error);
  if (b == NULL)
    return NULL;
  return adis_sound_mix (a, b, 1.f, factors->weight, error);
}
