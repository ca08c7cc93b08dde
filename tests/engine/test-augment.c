/* test-augment.c: each training augmentation does what the README says
 *
 * SPDX-License-Identifier: MIT
 *
 * Sines go through each step and the tone's level (Goertzel) or frequency
 * (zero crossings) is measured; the whole chain is checked for determinism,
 * the clip's length and level, and silence.
 */
#define G_LOG_DOMAIN "test-augment"

#include "config.h"

#include <math.h>
#include <string.h>

#include "adis.h"
#include "adis-augment.h"

#define N ADIS_CLIP_SAMPLES

static float *
sine (double hz, double amplitude, gsize n)
{
  float *x = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    x[i] = (float) (amplitude * sin (2.0 * G_PI * hz * (double) i / ADIS_SAMPLE_RATE));
  return x;
}

/* Amplitude of the hz component over x[from, to) (Goertzel) */
static double
tone_amplitude (const float *x, gsize from, gsize to, double hz)
{
  double w = 2.0 * G_PI * hz / ADIS_SAMPLE_RATE;
  double coeff = 2.0 * cos (w), s1 = 0.0, s2 = 0.0, power;

  for (gsize i = from; i < to; i++)
    {
      double s = x[i] + coeff * s1 - s2;

      s2 = s1;
      s1 = s;
    }
  power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 2.0 * sqrt (MAX (power, 0.0)) / (double) (to - from);
}

/* dB change of a sine of hz through the equaliser (after the transient) */
static double
eq_gain_db (const AdisSoundAugment *aug, double hz)
{
  g_autofree float *x = sine (hz, 0.1, N);

  adis_augment_equalise (x, N, aug);
  return 20.0 * log10 (tone_amplitude (x, N / 3, N, hz) / 0.1);
}

static double
band_gain_db (double hz, float low, float high)
{
  g_autofree float *x = sine (hz, 0.1, N);

  adis_augment_band_limit (x, N, low, high);
  return 20.0 * log10 (MAX (tone_amplitude (x, N / 3, N, hz), 1e-12) / 0.1);
}

static double
rms (const float *x, gsize n)
{
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += (double) x[i] * x[i];
  return sqrt (sum / (double) n);
}

static void
test_equalise (void)
{
  AdisSoundAugment aug;

  /* The peak's gain at its centre frequency is the gain asked for */
  adis_sound_augment_init_identity (&aug);
  aug.peak_hz = 1000.f;
  aug.peak_q = 1.f;
  aug.peak_db = 6.f;
  g_test_message ("peak +6 dB at 1 kHz: %+.3f dB measured", eq_gain_db (&aug, 1000.0));
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 1000.0), 6.0, 0.05);
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 100.0), 0.0, 0.3);
  aug.peak_db = -4.5f;
  aug.peak_hz = 3000.f;
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 3000.0), -4.5, 0.05);

  /* The shelves: the full gain far inside, none far outside */
  adis_sound_augment_init_identity (&aug);
  aug.low_shelf_hz = 200.f;
  aug.low_shelf_db = 6.f;
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 25.0), 6.0, 0.3);
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 4000.0), 0.0, 0.1);
  adis_sound_augment_init_identity (&aug);
  aug.high_shelf_hz = 2500.f;
  aug.high_shelf_db = -6.f;
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 7500.0), -6.0, 0.3);
  g_assert_cmpfloat_with_epsilon (eq_gain_db (&aug, 100.0), 0.0, 0.1);
}

static void
test_band_limit (void)
{
  /* A phone's band: the middle passes, an octave past either cut-off is
   * at least 20 dB down (4th order: 24 dB an octave) */
  g_test_message ("300-3400 Hz band: 1 kHz %+.2f dB, 6.8 kHz %+.1f dB, 150 Hz %+.1f dB",
                  band_gain_db (1000.0, 300.f, 3400.f), band_gain_db (6800.0, 300.f, 3400.f),
                  band_gain_db (150.0, 300.f, 3400.f));
  g_assert_cmpfloat_with_epsilon (band_gain_db (1000.0, 300.f, 3400.f), 0.0, 0.3);
  g_assert_cmpfloat (band_gain_db (3400.0, 300.f, 3400.f), <, -2.5);
  g_assert_cmpfloat (band_gain_db (6800.0, 300.f, 3400.f), <, -20.0);
  g_assert_cmpfloat (band_gain_db (150.0, 300.f, 3400.f), <, -20.0);
  /* A laptop's: wider */
  g_assert_cmpfloat_with_epsilon (band_gain_db (5000.0, 100.f, 7000.f), 0.0, 0.3);
}

/* Crossings going up, over the middle of the signal, as a frequency */
static double
zero_crossing_hz (const float *x, gsize n)
{
  gsize first = 0, last = 0;
  int count = 0;

  for (gsize i = n / 10; i + 1 < n - n / 10; i++)
    if (x[i] <= 0.f && x[i + 1] > 0.f)
      {
        if (count == 0)
          first = i;
        last = i;
        count++;
      }
  return (count - 1) * (double) ADIS_SAMPLE_RATE / (double) (last - first);
}

static void
test_speed (void)
{
  static const float speeds[] = { 0.96f, 1.04f, 1.f };

  for (guint s = 0; s < G_N_ELEMENTS (speeds); s++)
    {
      g_autofree float *x = sine (1000.0, 0.3, N);
      gsize m = 0;
      g_autofree float *y = adis_augment_speed (x, N, speeds[s], &m);

      /* Length and pitch both change by the factor */
      g_test_message ("speed %.2f: %" G_GSIZE_FORMAT " samples (%.1f expected), 1 kHz became %.2f Hz",
                      speeds[s], m, N / speeds[s], zero_crossing_hz (y, m));
      g_assert_cmpfloat_with_epsilon ((double) m, N / speeds[s], 3.0);
      g_assert_cmpfloat_with_epsilon (zero_crossing_hz (y, m), 1000.0 * speeds[s], 0.5);
    }
}

static void
test_shift (void)
{
  g_autofree float *x = g_new (float, N);
  g_autofree float *y = g_new (float, N);
  int shift = 12345;
  gsize seam = N - shift;

  for (gsize i = 0; i < N; i++)
    x[i] = 0.5f + (float) i / N;
  adis_augment_shift (x, N, shift, y, N);
  /* Away from the seam the clip is moved, sample for sample */
  for (gsize i = 0; i < N; i += 7)
    if (i + 100 < seam || i > seam + 100)
      g_assert_cmpfloat (y[i], ==, x[(i + shift) % N]);
  /* At the seam it fades through silence rather than jumping */
  g_assert_cmpfloat (fabsf (y[seam]), <, 1e-6);
  g_assert_cmpfloat (fabsf (y[seam - 1]), <, 1e-6);
  for (gsize i = seam - 80; i < seam + 80; i++)
    g_assert_cmpfloat (fabsf (y[i + 1] - y[i]), <, 0.05f);

  /* A negative shift moves the other way; no shift, no seam */
  adis_augment_shift (x, N, -1, y, N);
  g_assert_cmpfloat (y[200], ==, x[199]);
  adis_augment_shift (x, N, 0, y, N);
  g_assert_cmpmem (x, N * sizeof (float), y, N * sizeof (float));
}

static void
test_reverb (void)
{
  g_autofree float *a = g_new0 (float, N);
  g_autofree float *b = g_new0 (float, N);
  float rt60 = 0.4f, drr = 6.f;
  gsize taps = (gsize) (rt60 * ADIS_SAMPLE_RATE);
  double direct, tail, early = 0.0, late = 0.0;

  /* The impulse response itself: the direct sound, then a tail whose
   * energy is drr dB below it and that falls by 60 dB over rt60 */
  a[100] = 1.f;
  b[100] = 1.f;
  adis_augment_reverb (a, N, rt60, drr, 7);
  adis_augment_reverb (b, N, rt60, drr, 7);
  g_assert_cmpmem (a, N * sizeof (float), b, N * sizeof (float));
  direct = (double) a[100] * a[100];
  tail = rms (a + 101, N - 101);
  tail = tail * tail * (N - 101);
  g_assert_cmpfloat_with_epsilon (direct, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (10.0 * log10 (direct / tail), drr, 0.01);
  for (gsize i = 101; i < 101 + taps / 10; i++)
    early += (double) a[i] * a[i];
  for (gsize i = 100 + taps - taps / 10; i < 100 + taps; i++)
    late += (double) a[i] * a[i];
  /* Between the first and the last tenth: 54 dB of the 60 */
  g_assert_cmpfloat (10.0 * log10 (early / late), >, 45.0);
  g_assert_cmpfloat (fabsf (a[100 + taps + 10]), <, 1e-6);
}

static void
test_level_spread (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  static const float ranges[] = { ADIS_AUGMENT_LEVEL_DB, ADIS_AUGMENT_LEVEL_DB_FOLLOWED };

  for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
    {
      double low = 100.0, high = -100.0;

      for (int i = 0; i < 2000; i++)
        {
          AdisSoundAugment aug;
          double db;

          adis_sound_augment_draw (&aug, rand, ranges[r]);
          db = 20.0 * log10 (aug.gain);
          low = MIN (low, db);
          high = MAX (high, db);
          g_assert_cmpfloat (fabsf (aug.speed - 1.f), <=, ADIS_AUGMENT_SPEED + 1e-6);
          g_assert_cmpint (ABS (aug.shift), <=, (int) (ADIS_AUGMENT_SHIFT_SECONDS * ADIS_SAMPLE_RATE));
        }
      g_assert_cmpfloat (low, >=, -ranges[r] - 1e-4);
      g_assert_cmpfloat (high, <=, ranges[r] + 1e-4);
      g_assert_cmpfloat (low, <, -0.9 * ranges[r]);
      g_assert_cmpfloat (high, >, 0.9 * ranges[r]);
    }
}

/* Every augmentation on, at the far ends of its range */
static void
all_on (AdisSoundAugment *aug, GRand *rand)
{
  adis_sound_augment_draw (aug, rand, ADIS_AUGMENT_LEVEL_DB);
  aug->band = aug->reverb = aug->background = aug->noise = TRUE;
  aug->rt60 = ADIS_AUGMENT_RT60_MAX;
  aug->drr_db = ADIS_AUGMENT_DRR_DB_MIN;
  aug->background_snr_db = ADIS_AUGMENT_BACKGROUND_SNR_MIN;
  aug->noise_snr_db = ADIS_AUGMENT_NOISE_SNR_MIN;
}

static void
test_chain (void)
{
  g_autofree float *clip = g_new (float, N + 1);
  g_autofree float *again = g_new (float, N + 1);
  g_autofree float *other = sine (440.0, 0.2, N);
  g_autoptr(GRand) noise = g_rand_new_with_seed (1);
  double before;

  for (gsize i = 0; i < N; i++)
    clip[i] = (float) g_rand_double_range (noise, -0.05, 0.05) + 0.02f * sinf (i * 0.05f);
  before = rms (clip, N);

  for (guint32 seed = 0; seed < 6; seed++)
    {
      g_autoptr(GRand) r1 = g_rand_new_with_seed (seed);
      g_autoptr(GRand) r2 = g_rand_new_with_seed (seed);
      g_autoptr(GRand) r3 = g_rand_new_with_seed (seed + 100);
      g_autofree float *a = g_memdup2 (clip, sizeof (float) * N);
      g_autofree float *c = g_memdup2 (clip, sizeof (float) * N);
      AdisSoundAugment aug, aug2, aug3;
      double after;

      /* A guard past the end: the clip stays 3 s at 16 kHz */
      memcpy (again, clip, sizeof (float) * N);
      again[N] = 1234.f;
      all_on (&aug, r1);
      all_on (&aug2, r2);
      all_on (&aug3, r3);
      adis_sound_augment_apply (&aug, a, other);
      adis_sound_augment_apply (&aug2, again, other);
      adis_sound_augment_apply (&aug3, c, other);
      g_assert_cmpfloat (again[N], ==, 1234.f);
      /* The same seed, the same clip to the bit; another seed, another */
      g_assert_cmpmem (a, N * sizeof (float), again, N * sizeof (float));
      g_assert_true (memcmp (a, c, N * sizeof (float)) != 0);

      /* The level moves by the level spread only: the spectral steps put
       * it back, background and noise are 20 and 30 dB under */
      after = rms (a, N);
      g_assert_cmpfloat_with_epsilon (20.0 * log10 (after / before), 20.0 * log10 (aug.gain), 0.06);
      for (gsize i = 0; i < N; i++)
        g_assert_true (isfinite (a[i]));
    }
}

static void
test_silence (void)
{
  g_autofree float *zero = g_new0 (float, N);
  g_autofree float *other = sine (440.0, 0.2, N);
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  AdisSoundAugment aug;

  /* Nothing to scale against: silence stays silence, with no NaN */
  for (int k = 0; k < 3; k++)
    {
      g_autofree float *x = g_new0 (float, N);

      all_on (&aug, rand);
      adis_sound_augment_apply (&aug, x, k == 2 ? zero : other);
      g_assert_cmpmem (x, N * sizeof (float), zero, N * sizeof (float));
    }
}

static AdisImage *
test_image (int w, int h)
{
  g_autofree float *planes = g_new (float, 3 * (gsize) w * h);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        planes[((gsize) c * h + y) * w + x] = -0.6f + 0.4f * c + 0.3f * sinf ((float) (x + 2 * y) / 5.f);
  return adis_image_new_from_planes (planes, w, h);
}

static double
plane_mean (AdisImage *image, int c)
{
  gsize plane = (gsize) adis_image_get_width (image) * adis_image_get_height (image);
  const float *p = adis_image_get_planes (image) + c * plane;
  double sum = 0.0;

  for (gsize i = 0; i < plane; i++)
    sum += p[i];
  return sum / (double) plane;
}

static void
test_colour_jitter (void)
{
  g_autoptr(AdisImage) image = test_image (40, 30);
  g_autoptr(GRand) r1 = g_rand_new_with_seed (4);
  g_autoptr(GRand) r2 = g_rand_new_with_seed (4);
  gsize floats = 3 * 40 * 30;
  AdisColourJitter jitter, same;

  /* No change at all is no change */
  adis_colour_jitter_init_identity (&jitter);
  {
    g_autoptr(AdisImage) out = adis_colour_jitter_apply (&jitter, image);
    const float *a = adis_image_get_planes (image), *b = adis_image_get_planes (out);

    for (gsize i = 0; i < floats; i++)
      g_assert_cmpfloat_with_epsilon (a[i], b[i], 1e-5);
  }

  /* Brightness 1.1 scales every channel's [0, 1] value by 1.1 */
  jitter.brightness = 1.1f;
  {
    g_autoptr(AdisImage) out = adis_colour_jitter_apply (&jitter, image);

    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat_with_epsilon ((plane_mean (out, c) + 1.0) / 2.0,
                                      1.1 * (plane_mean (image, c) + 1.0) / 2.0, 1e-4);
  }

  /* Saturation 0 leaves grey; a hue turn keeps each pixel's grey level */
  adis_colour_jitter_init_identity (&jitter);
  jitter.saturation = 0.f;
  {
    g_autoptr(AdisImage) out = adis_colour_jitter_apply (&jitter, image);
    const float *p = adis_image_get_planes (out);

    for (gsize i = 0; i < 40 * 30; i++)
      {
        g_assert_cmpfloat_with_epsilon (p[i], p[1200 + i], 2e-3);
        g_assert_cmpfloat_with_epsilon (p[i], p[2400 + i], 2e-3);
      }
  }
  adis_colour_jitter_init_identity (&jitter);
  jitter.hue_degrees = ADIS_AUGMENT_HUE_DEGREES;
  {
    g_autoptr(AdisImage) out = adis_colour_jitter_apply (&jitter, image);
    const float *p = adis_image_get_planes (image), *q = adis_image_get_planes (out);

    for (gsize i = 0; i < 40 * 30; i++)
      g_assert_cmpfloat_with_epsilon (p[i] + p[1200 + i] + p[2400 + i],
                                      q[i] + q[1200 + i] + q[2400 + i], 1e-4);
    g_assert_true (memcmp (adis_image_get_planes (out), adis_image_get_planes (image), floats * sizeof (float)) != 0);
  }

  /* Drawn: seeded, small, and a crop that keeps 70-100 % of each side */
  for (int k = 0; k < 200; k++)
    {
      adis_colour_jitter_draw (&jitter, r1);
      adis_colour_jitter_draw (&same, r2);
      g_assert_cmpmem (&jitter, sizeof jitter, &same, sizeof same);
      g_assert_cmpfloat (fabsf (jitter.brightness - 1.f), <=, ADIS_AUGMENT_BRIGHTNESS + 1e-6);
      g_assert_cmpfloat (fabsf (jitter.contrast - 1.f), <=, ADIS_AUGMENT_CONTRAST + 1e-6);
      g_assert_cmpfloat (fabsf (jitter.saturation - 1.f), <=, ADIS_AUGMENT_SATURATION + 1e-6);
      g_assert_cmpfloat (fabsf (jitter.hue_degrees), <=, ADIS_AUGMENT_HUE_DEGREES + 1e-6);
      {
        g_autoptr(AdisImage) crop = adis_colour_jitter_crop (&jitter, image);

        g_assert_cmpint (adis_image_get_width (crop), >=, 28);
        g_assert_cmpint (adis_image_get_height (crop), >=, 21);
        g_assert_cmpint (adis_image_get_width (crop), <=, 40);
      }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/augment/sound/equalise", test_equalise);
  g_test_add_func ("/augment/sound/band-limit", test_band_limit);
  g_test_add_func ("/augment/sound/speed", test_speed);
  g_test_add_func ("/augment/sound/shift", test_shift);
  g_test_add_func ("/augment/sound/reverb", test_reverb);
  g_test_add_func ("/augment/sound/level-spread", test_level_spread);
  g_test_add_func ("/augment/sound/chain", test_chain);
  g_test_add_func ("/augment/sound/silence", test_silence);
  g_test_add_func ("/augment/image/colour-jitter", test_colour_jitter);

  return g_test_run ();
}
