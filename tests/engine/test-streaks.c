/* test-streaks.c: rain streaks, drawn once for the renderer and the product
 *
 * SPDX-License-Identifier: MIT
 *
 * The renderer's rain is its streakless frame with adis-streaks.h's streaks
 * over it, and a model's streak layer draws those same streaks: at any size
 * up to ADIS_STREAKS_MAX_DRAW_SIDE pixel for pixel, above it up-sampled.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "adis.h"
#include "adis-streaks.h"
#include "synth-test-util.h"

/* A bundled photo at width x height (stretched: the streaks do not care) */
static AdisImage *
load_photo (int width,
            int height)
{
  g_autofree char *dir = samples_dir ();
  g_autoptr(AdisSynthMedia) media = adis_synth_media_load (dir, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) photo = NULL;

  g_assert_nonnull (media);
  photo = adis_image_load (adis_synth_media_get_photos (media)[0], &error);
  g_assert_no_error (error);
  return adis_image_resize (photo, width, height);
}

static double
max_abs_difference (AdisImage *a,
                    AdisImage *b)
{
  const float *pa = adis_image_get_planes (a), *pb = adis_image_get_planes (b);
  gsize n = 3 * (gsize) adis_image_get_width (a) * adis_image_get_height (a);
  double worst = 0.0;

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (pa[i] - pb[i]));
  return worst;
}

static AdisImage *
composite (AdisImage *image,
           float      strength,
           guint64    seed)
{
  int w = adis_image_get_width (image), h = adis_image_get_height (image);
  g_autofree float *planes = g_memdup2 (adis_image_get_planes (image), 3 * (gsize) w * h * sizeof (float));

  adis_streaks_composite (planes, w, h, strength, seed);
  return adis_image_new_take_planes (g_steal_pointer (&planes), w, h);
}

/* Rain with streaks is rain without them, the streaks of its strength and
 * seed composited over: the renderer's frame is what a model with the
 * streak layer can draw */
static void
test_renderer_layers (void)
{
  g_autoptr(AdisImage) photo = load_photo (200, 150);
  g_autoptr(GError) error = NULL;
  AdisSynthFactors factors;
  const float intensities[] = { 0.f, 0.6f, 1.f };

  adis_synth_factors_init (&factors);
  factors.category = ADIS_SYNTH_RAIN;
  factors.seed = 12345;
  for (guint k = 0; k < G_N_ELEMENTS (intensities); k++)
    {
      g_autoptr(AdisImage) full = NULL;
      g_autoptr(AdisImage) bare = NULL;
      g_autoptr(AdisImage) drawn = NULL;
      double streaks, rest;

      factors.intensity = intensities[k];
      full = adis_synth_render (photo, &factors, &error);
      g_assert_no_error (error);
      bare = adis_synth_render_layers (photo, &factors, FALSE, &error);
      g_assert_no_error (error);
      drawn = composite (bare, adis_synth_streak_strength (&factors), factors.seed);
      streaks = mean_abs_diff (full, bare);
      rest = max_abs_difference (full, drawn);
      g_test_message ("intensity %.1f: the streaks change %.4f on average; drawn apart, %.2g at most",
                      intensities[k], streaks, rest);
      g_assert_cmpfloat (streaks, >, 0.001);
      g_assert_cmpfloat (rest, <, 1e-5);
    }

  /* The other weathers have no streaks to leave out */
  factors.category = ADIS_SYNTH_SNOW;
  {
    g_autoptr(AdisImage) full = adis_synth_render (photo, &factors, &error);
    g_autoptr(AdisImage) bare = adis_synth_render_layers (photo, &factors, FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (max_abs_difference (full, bare), ==, 0.0);
    g_assert_cmpfloat (adis_synth_streak_strength (&factors), ==, 0.f);
  }
}

/* Rain's share of a mix times its strength 0.3 + 0.7 intensity */
static void
test_strength (void)
{
  AdisSynthFactors factors;

  adis_synth_factors_init (&factors);
  factors.category = ADIS_SYNTH_RAIN;
  factors.intensity = 0.5f;
  g_assert_cmpfloat_with_epsilon (adis_synth_streak_strength (&factors), 0.65f, 1e-6);
  factors.category_b = ADIS_SYNTH_SUNNY;
  factors.weight = 0.25f;
  g_assert_cmpfloat_with_epsilon (adis_synth_streak_strength (&factors), 0.75f * 0.65f, 1e-6);
  factors.category = ADIS_SYNTH_FOG;
  factors.category_b = ADIS_SYNTH_RAIN;
  g_assert_cmpfloat_with_epsilon (adis_synth_streak_strength (&factors), 0.25f * 0.65f, 1e-6);
  factors.weight = 0.f;
  g_assert_cmpfloat (adis_synth_streak_strength (&factors), ==, 0.f);
  factors.category = ADIS_SYNTH_SUNNY;
  factors.intensity = 1.f;
  g_assert_cmpfloat (adis_synth_streak_strength (&factors), ==, 0.f);
}

/* Strength 0 draws nothing; below the renderer's lightest rain, its
 * streaks fade linearly; more strength covers more */
static void
test_composite_strengths (void)
{
  g_autoptr(AdisImage) photo = load_photo (160, 120);
  g_autoptr(AdisImage) none = composite (photo, 0.f, 3);
  g_autoptr(AdisImage) lightest = composite (photo, ADIS_STREAKS_MIN_STRENGTH, 3);
  g_autoptr(AdisImage) half = composite (photo, ADIS_STREAKS_MIN_STRENGTH / 2, 3);
  g_autoptr(AdisImage) heavy = composite (photo, 1.f, 3);
  const float *p = adis_image_get_planes (photo);
  const float *l = adis_image_get_planes (lightest);
  const float *h = adis_image_get_planes (half);
  gsize n = 3 * (gsize) 160 * 120;
  double worst = 0.0;

  g_assert_cmpfloat (max_abs_difference (photo, none), ==, 0.0);
  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((h[i] - p[i]) - 0.5 * (l[i] - p[i])));
  g_assert_cmpfloat (worst, <, 1e-5);
  g_test_message ("mean change: lightest %.4f, heaviest %.4f", mean_abs_diff (photo, lightest),
                  mean_abs_diff (photo, heavy));
  g_assert_cmpfloat (mean_abs_diff (photo, heavy), >, 2 * mean_abs_diff (photo, lightest));
}

/* Above ADIS_STREAKS_MAX_DRAW_SIDE the streaks are drawn at that size and
 * up-sampled: a 3000 x 2000 picture gets the streaks of its 1024 x 683
 * copy, in the same places, and stays in range; and it is streaked about
 * as much as at 256 px */
static void
test_composite_large (void)
{
  g_autoptr(AdisImage) big = load_photo (3000, 2000);
  g_autoptr(AdisImage) drawn = composite (big, 0.8f, 9);
  g_autoptr(AdisImage) small = adis_image_resize (big, 1024, 683);
  g_autoptr(AdisImage) small_drawn = composite (small, 0.8f, 9);
  g_autoptr(AdisImage) drawn_down = adis_image_resize (drawn, 1024, 683);
  const float *d = adis_image_get_planes (drawn);
  gsize n = 3 * (gsize) 3000 * 2000;
  double big_change = mean_abs_diff (big, drawn), small_change = mean_abs_diff (small, small_drawn);
  double agreement = mean_abs_diff (drawn_down, small_drawn);

  for (gsize i = 0; i < n; i++)
    g_assert_true (d[i] >= -1.f && d[i] <= 1.f);
  g_test_message ("mean change at 3000 px %.4f, at 1024 px %.4f; the two apart %.4f",
                  big_change, small_change, agreement);
  g_assert_cmpfloat (fabs (big_change - small_change), <, 0.1 * small_change);
  g_assert_cmpfloat (agreement, <, 0.25 * small_change);

  /* Above 256 px the streaks grow with the picture and thin out as they
   * grow: as much of a large picture is streaked as of a 256-px one */
  {
    g_autoptr(AdisImage) reference = adis_image_resize (big, 384, 256);
    g_autoptr(AdisImage) reference_drawn = composite (reference, 0.8f, 9);
    double reference_change = mean_abs_diff (reference, reference_drawn);

    g_test_message ("mean change at 384 x 256: %.4f", reference_change);
    g_assert_cmpfloat (fabs (big_change - reference_change), <, 0.3 * reference_change);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/streaks/renderer-layers", test_renderer_layers);
  g_test_add_func ("/streaks/strength", test_strength);
  g_test_add_func ("/streaks/composite-strengths", test_composite_strengths);
  g_test_add_func ("/streaks/composite-large", test_composite_large);

  return g_test_run ();
}
