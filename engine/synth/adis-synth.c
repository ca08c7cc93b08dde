/* adis-synth.c: factors, crops, the factors.tsv table, and the small numeric
 * helpers that the renderer and the audio builder share
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adis-synth.h"
#include "adis-synth-private.h"

static const char *const category_names[ADIS_SYNTH_N_CATEGORIES] = {
  "sunny", "rain", "snow", "fog",
};

const char *
adis_synth_category_name (AdisSynthCategory category)
{
  g_return_val_if_fail (category < ADIS_SYNTH_N_CATEGORIES, NULL);
  return category_names[category];
}

gboolean
adis_synth_category_parse (const char         *name,
                           AdisSynthCategory  *out_category,
                           GError            **error)
{
  for (int i = 0; i < ADIS_SYNTH_N_CATEGORIES; i++)
    if (g_strcmp0 (name, category_names[i]) == 0)
      {
        *out_category = (AdisSynthCategory) i;
        return TRUE;
      }
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "Unknown weather category “%s” (known: sunny, rain, snow, fog)",
               name ? name : "");
  return FALSE;
}

void
adis_synth_factors_init (AdisSynthFactors *factors)
{
  g_return_if_fail (factors != NULL);
  memset (factors, 0, sizeof *factors);
  factors->category = ADIS_SYNTH_SUNNY;
  factors->category_b = ADIS_SYNTH_SUNNY;
  factors->intensity = 0.5f;
}

gboolean
adis_synth_factors_validate (const AdisSynthFactors  *factors,
                             GError                 **error)
{
  g_return_val_if_fail (factors != NULL, FALSE);

  if ((guint) factors->category >= ADIS_SYNTH_N_CATEGORIES ||
      (guint) factors->category_b >= ADIS_SYNTH_N_CATEGORIES)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Weather category out of range");
      return FALSE;
    }
  if (!(factors->intensity >= 0.f && factors->intensity <= 1.f))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Intensity %g is outside [0, 1]", factors->intensity);
      return FALSE;
    }
  if (!(factors->weight >= 0.f && factors->weight <= 1.f))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mix weight %g is outside [0, 1]", factors->weight);
      return FALSE;
    }
  return TRUE;
}

/* ---- numeric helpers ---------------------------------------------------------- */

void
adis_synth_rng_init (AdisSynthRng *rng,
                     guint64       seed,
                     guint64       stream)
{
  rng->state = adis_synth_hash (seed, stream);
}

guint64
adis_synth_rng_next (AdisSynthRng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

double
adis_synth_rng_uniform (AdisSynthRng *rng)
{
  return (adis_synth_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

double
adis_synth_rng_range (AdisSynthRng *rng,
                      double        lo,
                      double        hi)
{
  return lo + (hi - lo) * adis_synth_rng_uniform (rng);
}

guint
adis_synth_rng_below (AdisSynthRng *rng,
                      guint         n)
{
  return n == 0 ? 0 : (guint) (adis_synth_rng_uniform (rng) * n);
}

guint64
adis_synth_hash (guint64 a,
                 guint64 b)
{
  AdisSynthRng rng = { a * G_GUINT64_CONSTANT (0xD6E8FEB86659FD93) ^ b };

  adis_synth_rng_next (&rng);
  return adis_synth_rng_next (&rng);
}

/* One pass of a running-sum box filter along a line with stride */
static void
blur_line (float       *data,
           float       *tmp,
           int          n,
           gsize        stride,
           int          radius)
{
  double sum = 0.0;

  for (int i = -radius; i <= radius; i++)
    sum += data[(gsize) CLAMP (i, 0, n - 1) * stride];
  for (int i = 0; i < n; i++)
    {
      tmp[i] = (float) (sum / (2 * radius + 1));
      sum += data[(gsize) MIN (i + radius + 1, n - 1) * stride];
      sum -= data[(gsize) MAX (i - radius, 0) * stride];
    }
  for (int i = 0; i < n; i++)
    data[(gsize) i * stride] = tmp[i];
}

void
adis_synth_box_blur (float *plane,
                     int    width,
                     int    height,
                     int    radius)
{
  g_autofree float *tmp = NULL;

  if (radius <= 0)
    return;
  tmp = g_new (float, MAX (width, height));
  for (int y = 0; y < height; y++)
    blur_line (plane + (gsize) y * width, tmp, width, 1, radius);
  for (int x = 0; x < width; x++)
    blur_line (plane + x, tmp, height, width, radius);
}

static inline float
lattice (guint64 seed, int octave, int x, int y)
{
  guint64 h = adis_synth_hash (seed + (guint64) octave,
                               ((guint64) (guint32) x << 32) | (guint32) y);

  return (h >> 40) * (1.f / 16777216.f);
}

void
adis_synth_fbm (float   *out,
                int      width,
                int      height,
                float    cell,
                guint64  seed)
{
  const int octaves = 4;

  memset (out, 0, (gsize) width * height * sizeof (float));
  for (int o = 0; o < octaves; o++)
    {
      float size = MAX (1.f, cell / (float) (1 << o));
      float amplitude = 1.f / (float) (1 << o);

      for (int y = 0; y < height; y++)
        {
          float fy = y / size;
          int y0 = (int) floorf (fy);
          float ty = fy - y0;

          ty = ty * ty * (3.f - 2.f * ty);
          for (int x = 0; x < width; x++)
            {
              float fx = x / size;
              int x0 = (int) floorf (fx);
              float tx = fx - x0;
              float top, bottom;

              tx = tx * tx * (3.f - 2.f * tx);
              top = lattice (seed, o, x0, y0) * (1.f - tx) + lattice (seed, o, x0 + 1, y0) * tx;
              bottom = lattice (seed, o, x0, y0 + 1) * (1.f - tx) + lattice (seed, o, x0 + 1, y0 + 1) * tx;
              out[(gsize) y * width + x] += amplitude * (top * (1.f - ty) + bottom * ty);
            }
        }
    }
  /* The amplitudes sum to 1.875 */
  for (gsize i = 0; i < (gsize) width * height; i++)
    out[i] /= 1.875f;
}

float
adis_synth_quantile (const float *values,
                     const float *exclude,
                     gsize        n,
                     float        q)
{
  enum { BINS = 2048 };
  g_autofree double *histogram = g_new0 (double, BINS);
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
  double total = 0.0, wanted, seen = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, values[i]);
      hi = MAX (hi, values[i]);
    }
  if (!(hi > lo))
    return lo;
  for (gsize i = 0; i < n; i++)
    {
      double w = exclude ? 1.0 - exclude[i] : 1.0;
      int bin = (int) ((values[i] - lo) / (hi - lo) * (BINS - 1));

      histogram[bin] += w;
      total += w;
    }
  wanted = CLAMP (q, 0.f, 1.f) * total;
  for (int bin = 0; bin < BINS; bin++)
    {
      seen += histogram[bin];
      if (seen >= wanted)
        return lo + (hi - lo) * (bin + 0.5f) / (BINS - 1);
    }
  return hi;
}

/* ---- crops -------------------------------------------------------------------- */

char *
adis_synth_crop_to_string (const AdisSynthCrop *crop)
{
  return g_strdup_printf ("%d,%d,%d,%d", crop->x, crop->y, crop->side, crop->flip ? 1 : 0);
}

gboolean
adis_synth_crop_parse (const char     *text,
                       AdisSynthCrop  *out_crop,
                       GError        **error)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  gint64 v[4];

  if (g_strv_length (parts) != 4)
    goto bad;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_string_to_signed (parts[i], 10, 0, G_MAXINT, &v[i], NULL))
      goto bad;
  if (v[2] == 0 || v[3] > 1)
    goto bad;
  out_crop->x = (int) v[0];
  out_crop->y = (int) v[1];
  out_crop->side = (int) v[2];
  out_crop->flip = v[3] == 1;
  return TRUE;

bad:
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "Crop “%s” is not “x,y,side,flip” with flip 0 or 1", text ? text : "");
  return FALSE;
}

AdisImage *
adis_synth_crop_apply (AdisImage            *photo,
                       const AdisSynthCrop  *crop,
                       int                   size,
                       GError              **error)
{
  g_autoptr(AdisImage) cut = NULL;
  g_autoptr(AdisImage) resized = NULL;

  if (crop->x < 0 || crop->y < 0 || crop->side <= 0 || size <= 0 ||
      crop->x + crop->side > adis_image_get_width (photo) ||
      crop->y + crop->side > adis_image_get_height (photo))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Crop %d,%d of side %d does not fit a %d x %d photo",
                   crop->x, crop->y, crop->side,
                   adis_image_get_width (photo), adis_image_get_height (photo));
      return NULL;
    }
  cut = adis_image_crop (photo, crop->x, crop->y, crop->side, crop->side);
  resized = adis_image_resize (cut, size, size);
  if (crop->flip)
    return adis_image_flip_horizontal (resized);
  return g_steal_pointer (&resized);
}

/* ---- factors.tsv -------------------------------------------------------------- */

void
adis_synth_clip_free (AdisSynthClip *clip)
{
  if (clip == NULL)
    return;
  g_free (clip->clip_id);
  g_free (clip->photo);
  g_strfreev (clip->recordings);
  g_free (clip);
}

/* Readable for ordinary names ("sounds/rain/0ad-rain_12.ogg" stays as it
 * is); a comma, tab, line break or percent sign becomes %XX */
char *
adis_synth_escape_name (const char *name)
{
  return g_uri_escape_string (name, "/!$&'()*+;=:@", TRUE);
}

char *
adis_synth_unescape_name (const char *text)
{
  return g_uri_unescape_string (text, NULL);
}

char *
adis_synth_clip_to_line (const AdisSynthClip *clip)
{
  const AdisSynthFactors *f = &clip->factors;
  g_autofree char *crop = adis_synth_crop_to_string (&clip->crop);
  gboolean mixed = f->weight > 0.f;
  GString *line = g_string_new (NULL);

  g_string_printf (line, "%s\t%s\t%.4f\t%s\t%.4f\t%s\t%s\t%" G_GUINT64_FORMAT,
                   clip->clip_id,
                   adis_synth_category_name (f->category),
                   f->intensity,
                   mixed ? adis_synth_category_name (f->category_b) : "-",
                   f->weight,
                   clip->photo, crop, f->seed);
  if (clip->recordings != NULL)
    {
      g_string_append_c (line, '\t');
      for (guint i = 0; clip->recordings[i] != NULL; i++)
        {
          g_autofree char *escaped = adis_synth_escape_name (clip->recordings[i]);

          if (i > 0)
            g_string_append_c (line, ',');
          g_string_append (line, escaped);
        }
      if (clip->recordings[0] == NULL)
        g_string_append_c (line, '-');
    }
  return g_string_free (line, FALSE);
}

/* "a,b" (escaped names) or "-" (none) */
static char **
parse_names (const char *text)
{
  g_auto(GStrv) parts = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  if (g_strcmp0 (text, "-") != 0)
    {
      parts = g_strsplit (text, ",", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *name = adis_synth_unescape_name (parts[i]);

          if (name == NULL || name[0] == '\0')
            {
              g_free (name);
              g_ptr_array_unref (names);
              return NULL;
            }
          g_ptr_array_add (names, name);
        }
    }
  g_ptr_array_set_free_func (names, NULL);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

static gboolean
parse_unit (const char *text,
            float      *out)
{
  char *end = NULL;
  double v;

  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(v >= 0.0 && v <= 1.0))
    return FALSE;
  *out = (float) v;
  return TRUE;
}

static AdisSynthClip *
parse_line (char      *line,
            guint      n_columns,
            GError   **error)
{
  g_auto(GStrv) cols = g_strsplit (line, "\t", -1);
  g_autoptr(AdisSynthClip) clip = g_new0 (AdisSynthClip, 1);
  AdisSynthFactors *f = &clip->factors;
  guint64 seed;

  if (g_strv_length (cols) != n_columns)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "expected %u tab-separated columns, found %u", n_columns, g_strv_length (cols));
      return NULL;
    }
  if (n_columns > 8 && (clip->recordings = parse_names (cols[8])) == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "bad recordings “%s” (comma-separated names, or “-”)", cols[8]);
      return NULL;
    }
  adis_synth_factors_init (f);
  clip->clip_id = g_strdup (cols[0]);
  clip->photo = g_strdup (cols[5]);
  if (!adis_synth_category_parse (cols[1], &f->category, error))
    return NULL;
  if (!parse_unit (cols[2], &f->intensity) || !parse_unit (cols[4], &f->weight))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "intensity and weight must be numbers in [0, 1]");
      return NULL;
    }
  if (g_strcmp0 (cols[3], "-") == 0)
    f->category_b = f->category;
  else if (!adis_synth_category_parse (cols[3], &f->category_b, error))
    return NULL;
  if (g_strcmp0 (cols[3], "-") == 0 && f->weight != 0.f)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "a mix weight without a second category");
      return NULL;
    }
  if (!adis_synth_crop_parse (cols[6], &clip->crop, error))
    return NULL;
  if (!g_ascii_string_to_unsigned (cols[7], 10, 0, G_MAXUINT64, &seed, NULL))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "bad seed “%s”", cols[7]);
      return NULL;
    }
  f->seed = seed;
  if (clip->clip_id[0] == '\0' || clip->photo[0] == '\0')
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "empty clip id or photo");
      return NULL;
    }
  return g_steal_pointer (&clip);
}

GPtrArray *
adis_synth_read_factors (const char  *dataset_dir,
                         GError     **error)
{
  g_autofree char *path = g_build_filename (dataset_dir, ADIS_SYNTH_FACTORS_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) clips = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_synth_clip_free);
  g_auto(GStrv) lines = NULL;
  guint n_columns = 9;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Cannot read “%s”: %s", path, local_error->message);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  /* Sets made before the recordings column load as they always did */
  if (lines[0] != NULL && g_strcmp0 (g_strchomp (lines[0]), ADIS_SYNTH_FACTORS_HEADER_V1) == 0)
    n_columns = 8;
  else if (lines[0] == NULL || g_strcmp0 (lines[0], ADIS_SYNTH_FACTORS_HEADER) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "“%s” is not a factors table: its first line is not the header “%s”",
                   path, ADIS_SYNTH_FACTORS_HEADER);
      return NULL;
    }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      AdisSynthClip *clip;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      clip = parse_line (lines[i], n_columns, &local_error);
      if (clip == NULL)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "“%s”, line %u: %s", path, i + 1, local_error->message);
          return NULL;
        }
      g_ptr_array_add (clips, clip);
    }
  return g_steal_pointer (&clips);
}

AdisImage *
adis_synth_clip_load_input (const char           *dataset_dir,
                            const AdisSynthClip  *clip,
                            int                   size,
                            GError              **error)
{
  g_autofree char *path = g_build_filename (dataset_dir, clip->photo, NULL);
  g_autoptr(AdisImage) photo = adis_image_load (path, error);

  if (photo == NULL)
    return NULL;
  return adis_synth_crop_apply (photo, &clip->crop, size, error);
}

/* ---- media.tsv -------------------------------------------------------------- */

void
adis_synth_media_row_free (AdisSynthMediaRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->original);
  g_free (row->category);
  g_free (row->source);
  g_free (row->split);
  g_free (row);
}

static AdisSynthMediaRow *
parse_media_row (const char *line, GError **error)
{
  g_auto(GStrv) cols = g_strsplit (line, "\t", -1);
  g_autoptr(AdisSynthMediaRow) row = g_new0 (AdisSynthMediaRow, 1);

  if (g_strv_length (cols) != 6 ||
      (!g_str_equal (cols[0], "photo") && !g_str_equal (cols[0], "recording")) ||
      (!g_str_equal (cols[5], "train") && !g_str_equal (cols[5], "test") && !g_str_equal (cols[5], "both")))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "expected 6 columns: photo or recording, name, original, category, source, "
                   "train, test or both");
      return NULL;
    }
  row->is_photo = g_str_equal (cols[0], "photo");
  row->name = adis_synth_unescape_name (cols[1]);
  row->original = adis_synth_unescape_name (cols[2]);
  row->category = g_str_equal (cols[3], "-") ? NULL : g_strdup (cols[3]);
  row->source = g_str_equal (cols[4], "-") ? NULL : adis_synth_unescape_name (cols[4]);
  row->split = g_strdup (cols[5]);
  if (row->name == NULL || row->original == NULL || row->name[0] == '\0')
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "bad name or original path");
      return NULL;
    }
  return g_steal_pointer (&row);
}

GPtrArray *
adis_synth_read_media_table (const char  *dataset_dir,
                             GError     **error)
{
  g_autofree char *path = g_build_filename (dataset_dir, ADIS_SYNTH_MEDIA_FILE, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_synth_media_row_free);
  g_auto(GStrv) lines = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&rows);
  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (lines = g_strsplit (contents, "\n", -1))[0] == NULL ||
      g_strcmp0 (g_strchomp (lines[0]), ADIS_SYNTH_MEDIA_HEADER) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "“%s” is not a media table: it cannot be read or its first line is not “%s”",
                   path, ADIS_SYNTH_MEDIA_HEADER);
      return NULL;
    }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      AdisSynthMediaRow *row;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if ((row = parse_media_row (lines[i], &local_error)) == NULL)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "“%s”, line %u: %s", path, i + 1, local_error->message);
          return NULL;
        }
      g_ptr_array_add (rows, row);
    }
  return g_steal_pointer (&rows);
}
