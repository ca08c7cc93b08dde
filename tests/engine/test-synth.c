/* test-synth.c: the weather renderer and the audio builder, on the bundled
 * samples (resources/samples) and generated signals (the factors table and
 * the set builder are test-synth-set.c's)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "synth-test-util.h"

/* The bundled photos, centre-cropped to size x size */
static GPtrArray *
load_photos (int size)
{
  g_autofree char *dir = samples_dir ();
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (dir, NULL);
  const char *const *paths;
  GPtrArray *photos = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);

  g_assert_nonnull (media);
  paths = adis_synth_media_get_photos (media);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AdisImage) photo = adis_image_load (paths[i], &error);
      AdisSynthCrop crop = { 0 };

      g_assert_no_error (error);
      crop.side = MIN (adis_image_get_width (photo), adis_image_get_height (photo));
      g_ptr_array_add (photos, adis_synth_crop_apply (photo, &crop, size, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (photos->len, >=, 3);
  return photos;
}

static AdisImage *
render (AdisImage *photo, AdisSynthCategory a, AdisSynthCategory b, float intensity,
        float weight, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  AdisSynthFactors f;
  AdisImage *out;

  adis_synth_factors_init (&f);
  f.category = a;
  f.category_b = b;
  f.intensity = intensity;
  f.weight = weight;
  f.seed = seed;
  out = adis_synth_render (photo, &f, &error);
  g_assert_no_error (error);
  return out;
}

typedef struct
{
  double luma;        /* mean, 0..1 */
  double saturation;  /* mean (max - min) */
  double contrast;    /* standard deviation of luma */
  double white;       /* share of near-white, near-grey pixels */
  double haze;        /* mean distance to the fog's pale grey */
} Stats;

static Stats
image_stats (AdisImage *image)
{
  const float *p = adis_image_get_planes (image);
  gsize n = (gsize) adis_image_get_width (image) * adis_image_get_height (image);
  double sum = 0, sum2 = 0, sat = 0, white = 0, haze = 0;
  Stats s;

  for (gsize i = 0; i < n; i++)
    {
      float r = (p[i] + 1) / 2, g = (p[n + i] + 1) / 2, b = (p[2 * n + i] + 1) / 2;
      float y = 0.299f * r + 0.587f * g + 0.114f * b;
      float spread = MAX (r, MAX (g, b)) - MIN (r, MIN (g, b));

      sum += y;
      sum2 += y * y;
      sat += spread;
      white += y > 0.8f && spread < 0.12f;
      haze += fabsf (r - 0.8f) + fabsf (g - 0.82f) + fabsf (b - 0.84f);
    }
  s.luma = sum / n;
  s.saturation = sat / n;
  s.contrast = sqrt (MAX (0.0, sum2 / n - s.luma * s.luma));
  s.white = white / n;
  s.haze = haze / n;
  return s;
}

static double
max_abs_diff (AdisImage *a, AdisImage *b)
{
  const float *pa = adis_image_get_planes (a), *pb = adis_image_get_planes (b);
  gsize n = 3 * (gsize) adis_image_get_width (a) * adis_image_get_height (a);
  double m = 0;

  g_assert_cmpint (adis_image_get_width (a), ==, adis_image_get_width (b));
  g_assert_cmpint (adis_image_get_height (a), ==, adis_image_get_height (b));
  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs (pa[i] - pb[i]));
  return m;
}

/* ---- the renderer ------------------------------------------------------------ */

static void
test_render_deterministic (void)
{
  g_autoptr(GPtrArray) photos = load_photos (96);

  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      g_autoptr(AdisImage) a = render (photos->pdata[0], c, c, 0.6f, 0, 42);
      g_autoptr(AdisImage) b = render (photos->pdata[0], c, c, 0.6f, 0, 42);

      g_assert_cmpfloat (max_abs_diff (a, b), ==, 0.0);
    }
  /* The seed moves the streaks and flakes */
  {
    g_autoptr(AdisImage) a = render (photos->pdata[0], ADIS_SYNTH_RAIN, ADIS_SYNTH_RAIN, 1, 0, 1);
    g_autoptr(AdisImage) b = render (photos->pdata[0], ADIS_SYNTH_RAIN, ADIS_SYNTH_RAIN, 1, 0, 2);
    g_autoptr(AdisImage) c = render (photos->pdata[0], ADIS_SYNTH_SNOW, ADIS_SYNTH_SNOW, 1, 0, 1);
    g_autoptr(AdisImage) d = render (photos->pdata[0], ADIS_SYNTH_SNOW, ADIS_SYNTH_SNOW, 1, 0, 2);

    g_assert_cmpfloat (max_abs_diff (a, b), >, 0.1);
    g_assert_cmpfloat (max_abs_diff (c, d), >, 0.1);
  }
}

/* Each category's defining measure moves one way with intensity, on every
 * bundled photo, and differs from the photo even at intensity 0 */
static void
test_render_intensity (void)
{
  g_autoptr(GPtrArray) photos = load_photos (128);
  const float levels[] = { 0.f, 0.25f, 0.5f, 0.75f, 1.f };

  for (guint p = 0; p < photos->len; p++)
    {
      Stats original = image_stats (photos->pdata[p]);
      Stats prev[ADIS_SYNTH_N_CATEGORIES];

      for (guint k = 0; k < G_N_ELEMENTS (levels); k++)
        for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
          {
            g_autoptr(AdisImage) out = render (photos->pdata[p], c, c, levels[k], 0, 7);
            Stats s = image_stats (out);

            g_test_message ("photo %u %s %.2f: luma %.3f sat %.3f contrast %.3f white %.3f haze %.3f",
                            p, adis_synth_category_name (c), levels[k],
                            s.luma, s.saturation, s.contrast, s.white, s.haze);
            if (k == 0)
              {
                switch (c)
                  {
                  case ADIS_SYNTH_SUNNY: g_assert_cmpfloat (s.saturation, >, original.saturation); break;
                  case ADIS_SYNTH_RAIN:  g_assert_cmpfloat (s.luma, <, original.luma - 0.05); break;
                  case ADIS_SYNTH_SNOW:  g_assert_cmpfloat (s.white, >, original.white + 0.1); break;
                  case ADIS_SYNTH_FOG:
                    g_assert_cmpfloat (s.contrast, <, original.contrast);
                    g_assert_cmpfloat (s.haze, <, original.haze);
                    break;
                  default: g_assert_not_reached ();
                  }
              }
            else
              {
                switch (c)
                  {
                  case ADIS_SYNTH_SUNNY: g_assert_cmpfloat (s.saturation, >, prev[c].saturation); break;
                  case ADIS_SYNTH_RAIN:
                    /* Darker and darker; greyer than the photo (the cool cast
                     * keeps the spread of grey pixels from falling further) */
                    g_assert_cmpfloat (s.luma, <, prev[c].luma);
                    g_assert_cmpfloat (s.saturation, <, original.saturation);
                    break;
                  case ADIS_SYNTH_SNOW:  g_assert_cmpfloat (s.white, >, prev[c].white); break;
                  case ADIS_SYNTH_FOG:   g_assert_cmpfloat (s.haze, <, prev[c].haze); break;
                  default: g_assert_not_reached ();
                  }
              }
            prev[c] = s;
          }
    }
}

static void
test_render_blend (void)
{
  g_autoptr(GPtrArray) photos = load_photos (80);
  g_autoptr(AdisImage) rain = render (photos->pdata[1], ADIS_SYNTH_RAIN, ADIS_SYNTH_RAIN, 0.7f, 0, 3);
  g_autoptr(AdisImage) snow = render (photos->pdata[1], ADIS_SYNTH_SNOW, ADIS_SYNTH_SNOW, 0.7f, 0, 3);
  g_autoptr(AdisImage) w0 = render (photos->pdata[1], ADIS_SYNTH_RAIN, ADIS_SYNTH_SNOW, 0.7f, 0, 3);
  g_autoptr(AdisImage) w1 = render (photos->pdata[1], ADIS_SYNTH_RAIN, ADIS_SYNTH_SNOW, 0.7f, 1, 3);
  g_autoptr(AdisImage) half = render (photos->pdata[1], ADIS_SYNTH_RAIN, ADIS_SYNTH_SNOW, 0.7f, 0.5f, 3);
  const float *pr = adis_image_get_planes (rain), *ps = adis_image_get_planes (snow);
  const float *ph = adis_image_get_planes (half);

  g_assert_cmpfloat (max_abs_diff (w0, rain), ==, 0.0);
  g_assert_cmpfloat (max_abs_diff (w1, snow), ==, 0.0);
  for (gsize i = 0; i < 3 * 80 * 80; i++)
    g_assert_cmpfloat (fabs (ph[i] - 0.5 * (pr[i] + ps[i])), <, 1e-5);
}

static void
test_render_refusals (void)
{
  g_autoptr(GPtrArray) photos = load_photos (32);
  g_autoptr(GError) error = NULL;
  AdisSynthFactors f;
  AdisSynthCategory category;

  adis_synth_factors_init (&f);
  f.intensity = 1.5f;
  g_assert_null (adis_synth_render (photos->pdata[0], &f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "Intensity"));
  g_clear_error (&error);

  g_assert_false (adis_synth_category_parse ("hail", &category, &error));
  g_assert_nonnull (strstr (error->message, "hail"));
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      g_assert_true (adis_synth_category_parse (adis_synth_category_name (c), &category, NULL));
      g_assert_cmpint (category, ==, c);
    }
}

/* ---- the audio builder ----------------------------------------------------------- */

static AdisSound *
clip (AdisSynthMedia *media, AdisSynthCategory a, AdisSynthCategory b, float intensity,
      float weight, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  AdisSynthFactors f;
  AdisSound *sound;

  adis_synth_factors_init (&f);
  f.category = a;
  f.category_b = b;
  f.intensity = intensity;
  f.weight = weight;
  f.seed = seed;
  sound = adis_synth_audio (media, &f, &error);
  g_assert_no_error (error);
  return sound;
}

static void
test_audio_loudness (void)
{
  g_autofree char *dir = samples_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (dir, &error);

  g_assert_no_error (error);
  for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
    {
      float prev = 0.f;

      g_assert_true (adis_synth_media_has_category (media, c));
      for (int k = 0; k <= 10; k++)
        {
          float intensity = k / 10.f;
          g_autoptr(AdisSound) s = clip (media, c, c, intensity, 0, 11);
          g_autoptr(AdisSound) again = clip (media, c, c, intensity, 0, 11);
          float rms = adis_sound_get_rms (s);

          /* The law, within clipping of rare peaks */
          g_assert_cmpfloat (fabsf (rms / adis_synth_rms_for_intensity (intensity) - 1.f), <, 0.03f);
          g_assert_cmpfloat (fabsf (adis_synth_intensity_for_rms (rms) - intensity), <, 0.01f);
          g_assert_cmpfloat (rms, >, prev);
          g_assert_cmpmem (adis_sound_get_samples (s), ADIS_CLIP_SAMPLES * sizeof (float),
                           adis_sound_get_samples (again), ADIS_CLIP_SAMPLES * sizeof (float));
          prev = rms;
        }
    }

  /* Gain moves intensity by 20 log10 (g) / 24 */
  g_assert_cmpfloat (fabsf (adis_synth_intensity_for_rms (2.f * adis_synth_rms_for_intensity (0.5f))
                            - (0.5f + 20.f * log10f (2.f) / ADIS_SYNTH_DB_RANGE)), <, 1e-4f);
  g_assert_cmpfloat (adis_synth_intensity_for_rms (0.f), ==, 0.f);
}

static void
test_audio_mix (void)
{
  g_autofree char *dir = samples_dir ();
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (dir, NULL);
  g_autoptr(AdisSound) rain = clip (media, ADIS_SYNTH_RAIN, ADIS_SYNTH_RAIN, 0.5f, 0, 5);
  g_autoptr(AdisSound) sunny = clip (media, ADIS_SYNTH_SUNNY, ADIS_SYNTH_SUNNY, 0.5f, 0, 5);
  g_autoptr(AdisSound) w0 = clip (media, ADIS_SYNTH_RAIN, ADIS_SYNTH_SUNNY, 0.5f, 0, 5);
  g_autoptr(AdisSound) w1 = clip (media, ADIS_SYNTH_RAIN, ADIS_SYNTH_SUNNY, 0.5f, 1, 5);
  g_autoptr(AdisSound) w3 = clip (media, ADIS_SYNTH_RAIN, ADIS_SYNTH_SUNNY, 0.5f, 0.3f, 5);
  const float *r = adis_sound_get_samples (rain), *s = adis_sound_get_samples (sunny);
  const float *m = adis_sound_get_samples (w3);

  g_assert_cmpmem (adis_sound_get_samples (w0), ADIS_CLIP_SAMPLES * sizeof (float), r, ADIS_CLIP_SAMPLES * sizeof (float));
  g_assert_cmpmem (adis_sound_get_samples (w1), ADIS_CLIP_SAMPLES * sizeof (float), s, ADIS_CLIP_SAMPLES * sizeof (float));
  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    g_assert_cmpfloat (fabsf (m[i] - (0.7f * r[i] + 0.3f * s[i])), <, 1e-5f);
}

static void
test_media_refusals (void)
{
  g_autofree char *dir = test_make_tmpdir ("synth-media");
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *sounds = g_build_filename (dir, "sounds", NULL);
  g_autofree char *photo = g_build_filename (photos, "p.png", NULL);
  g_autofree char *tone = g_build_filename (sounds, "rain-tone.wav", NULL);
  g_autofree char *broken = g_build_filename (sounds, "snow-broken.ogg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSynthMedia) media = NULL;

  g_assert_null (adis_synth_media_load (dir, &error));
  g_assert_nonnull (strstr (error->message, "no photos"));
  g_clear_error (&error);

  g_mkdir_with_parents (photos, 0755);
  g_mkdir_with_parents (sounds, 0755);
  test_write_pattern_png (photo, 64, 48, 1);
  g_assert_null (adis_synth_media_load (dir, &error));
  g_assert_nonnull (strstr (error->message, "no sounds"));
  g_clear_error (&error);

  /* A generated tone stands for rain; other categories are then missing */
  test_write_tone_wav (tone, 440, 0.3, 4, 22050, 2);
  media = adis_synth_media_load (dir, &error);
  g_assert_no_error (error);
  g_assert_true (adis_synth_media_has_category (media, ADIS_SYNTH_RAIN));
  g_assert_false (adis_synth_media_has_category (media, ADIS_SYNTH_SNOW));
  {
    AdisSynthFactors f;

    adis_synth_factors_init (&f);
    f.category = ADIS_SYNTH_SNOW;
    g_assert_null (adis_synth_audio (media, &f, &error));
    g_assert_nonnull (strstr (error->message, "no snow sounds"));
    g_clear_error (&error);
  }

  g_file_set_contents (broken, "not an ogg file", -1, NULL);
  g_assert_null (adis_synth_media_load (dir, &error));
  g_assert_nonnull (strstr (error->message, "snow-broken.ogg"));
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/synth/render/deterministic", test_render_deterministic);
  g_test_add_func ("/synth/render/intensity", test_render_intensity);
  g_test_add_func ("/synth/render/blend", test_render_blend);
  g_test_add_func ("/synth/render/refusals", test_render_refusals);
  g_test_add_func ("/synth/audio/loudness", test_audio_loudness);
  g_test_add_func ("/synth/audio/mix", test_audio_mix);
  g_test_add_func ("/synth/media/refusals", test_media_refusals);

  return g_test_run ();
}
