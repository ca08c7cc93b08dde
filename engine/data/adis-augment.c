/* adis-augment.c: waveform and colour augmentations for training
 *
 * SPDX-License-Identifier: MIT
 *
 * Recordings reach the model through many microphones and rooms; photos
 * through many cameras. These make the training clips and photos vary the
 * way those do, without changing what the model must read from them: the
 * sound's category and level, the photo's layout.
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>

#include <samplerate.h>

#include "adis-augment.h"

/* The seam of a circular shift fades out and back in over this long, so
 * that joining a clip's end to its start makes no click */
#define SEAM_FADE_SAMPLES  (ADIS_SAMPLE_RATE / 200)

/* ---- filters -------------------------------------------------------------------- */

/* One second-order section, a0 normalised to 1 */
typedef struct
{
  double b0, b1, b2, a1, a2;
} Biquad;

static void
biquad_set (Biquad *f, double b0, double b1, double b2, double a0, double a1, double a2)
{
  f->b0 = b0 / a0;
  f->b1 = b1 / a0;
  f->b2 = b2 / a0;
  f->a1 = a1 / a0;
  f->a2 = a2 / a0;
}

/* The usual audio-EQ forms (bilinear transform of the analogue prototypes) */
static void
biquad_peak (Biquad *f, double hz, double q, double db)
{
  double a = pow (10.0, db / 40.0);
  double w = 2.0 * G_PI * hz / ADIS_SAMPLE_RATE;
  double alpha = sin (w) / (2.0 * q);

  biquad_set (f, 1.0 + alpha * a, -2.0 * cos (w), 1.0 - alpha * a,
              1.0 + alpha / a, -2.0 * cos (w), 1.0 - alpha / a);
}

/* Shelves of slope 1: sharp, without overshoot */
static void
biquad_shelf (Biquad *f, double hz, double db, gboolean high)
{
  double a = pow (10.0, db / 40.0);
  double w = 2.0 * G_PI * hz / ADIS_SAMPLE_RATE;
  double c = cos (w);
  double k = 2.0 * sqrt (a) * sin (w) / 2.0 * G_SQRT2;
  double s = high ? -1.0 : 1.0;

  biquad_set (f,
              a * ((a + 1.0) - s * (a - 1.0) * c + k),
              s * 2.0 * a * ((a - 1.0) - s * (a + 1.0) * c),
              a * ((a + 1.0) - s * (a - 1.0) * c - k),
              (a + 1.0) + s * (a - 1.0) * c + k,
              -s * 2.0 * ((a - 1.0) + s * (a + 1.0) * c),
              (a + 1.0) + s * (a - 1.0) * c - k);
}

static void
biquad_pass (Biquad *f, double hz, double q, gboolean high)
{
  double w = 2.0 * G_PI * hz / ADIS_SAMPLE_RATE;
  double c = cos (w);
  double alpha = sin (w) / (2.0 * q);

  if (high)
    biquad_set (f, (1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0, 1.0 + alpha, -2.0 * c, 1.0 - alpha);
  else
    biquad_set (f, (1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0, 1.0 + alpha, -2.0 * c, 1.0 - alpha);
}

static void
biquad_run (const Biquad *f, float *x, gsize n)
{
  double z1 = 0.0, z2 = 0.0;

  /* Transposed direct form II, in doubles: stable at low cut-offs */
  for (gsize i = 0; i < n; i++)
    {
      double in = x[i];
      double out = f->b0 * in + z1;

      z1 = f->b1 * in - f->a1 * out + z2;
      z2 = f->b2 * in - f->a2 * out;
      x[i] = (float) out;
    }
}

void
adis_augment_equalise (float                  *samples,
                       gsize                   n,
                       const AdisSoundAugment *aug)
{
  Biquad f;

  g_return_if_fail (samples != NULL && aug != NULL);

  if (aug->low_shelf_db != 0.f)
    {
      biquad_shelf (&f, aug->low_shelf_hz, aug->low_shelf_db, FALSE);
      biquad_run (&f, samples, n);
    }
  if (aug->peak_db != 0.f)
    {
      biquad_peak (&f, aug->peak_hz, aug->peak_q, aug->peak_db);
      biquad_run (&f, samples, n);
    }
  if (aug->high_shelf_db != 0.f)
    {
      biquad_shelf (&f, aug->high_shelf_hz, aug->high_shelf_db, TRUE);
      biquad_run (&f, samples, n);
    }
}

void
adis_augment_band_limit (float *samples,
                         gsize  n,
                         float  low_hz,
                         float  high_hz)
{
  /* A 4th-order Butterworth is two sections with these Qs: 24 dB/octave */
  static const double qs[2] = { 0.54119610, 1.30656296 };
  Biquad f;

  g_return_if_fail (samples != NULL);
  g_return_if_fail (low_hz > 0.f && high_hz < ADIS_SAMPLE_RATE / 2.f);

  for (int s = 0; s < 2; s++)
    {
      biquad_pass (&f, low_hz, qs[s], TRUE);
      biquad_run (&f, samples, n);
      biquad_pass (&f, high_hz, qs[s], FALSE);
      biquad_run (&f, samples, n);
    }
}

/* ---- reverberation: a convolution through the FFT --------------------------------- */

/* In-place radix-2 FFT of n (a power of two) complex numbers; inverse
 * without the 1/n */
static void
fft (double *re, double *im, gsize n, gboolean inverse)
{
  for (gsize i = 1, j = 0; i < n; i++)
    {
      gsize bit = n >> 1;

      for (; j & bit; bit >>= 1)
        j ^= bit;
      j ^= bit;
      if (i < j)
        {
          double t = re[i]; re[i] = re[j]; re[j] = t;
          t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
  for (gsize len = 2; len <= n; len <<= 1)
    {
      double angle = (inverse ? 2.0 : -2.0) * G_PI / (double) len;
      double wr = cos (angle), wi = sin (angle);

      for (gsize i = 0; i < n; i += len)
        {
          double cr = 1.0, ci = 0.0;

          for (gsize k = 0; k < len / 2; k++)
            {
              gsize a = i + k, b = i + k + len / 2;
              double tr = re[b] * cr - im[b] * ci;
              double ti = re[b] * ci + im[b] * cr;
              double next = cr * wr - ci * wi;

              re[b] = re[a] - tr;
              im[b] = im[a] - ti;
              re[a] += tr;
              im[a] += ti;
              ci = cr * wi + ci * wr;
              cr = next;
            }
        }
    }
}

void
adis_augment_reverb (float   *samples,
                     gsize    n,
                     float    rt60,
                     float    drr_db,
                     guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize taps = (gsize) (rt60 * ADIS_SAMPLE_RATE);
  gsize size = 1;
  g_autofree double *xr = NULL, *xi = NULL, *hr = NULL, *hi = NULL;
  double tail_energy = 0.0, scale;

  g_return_if_fail (samples != NULL && rt60 > 0.f);

  while (size < n + taps)
    size <<= 1;
  xr = g_new0 (double, size);
  xi = g_new0 (double, size);
  hr = g_new0 (double, size);
  hi = g_new0 (double, size);

  /* The direct sound, then noise that falls by 60 dB over rt60 */
  for (gsize i = 1; i < taps; i++)
    {
      hr[i] = g_rand_double_range (rand, -1.0, 1.0) * exp (-6.9078 * (double) i / (double) taps);
      tail_energy += hr[i] * hr[i];
    }
  scale = tail_energy > 0.0 ? sqrt (pow (10.0, -drr_db / 10.0) / tail_energy) : 0.0;
  for (gsize i = 1; i < taps; i++)
    hr[i] *= scale;
  hr[0] = 1.0;

  for (gsize i = 0; i < n; i++)
    xr[i] = samples[i];
  fft (xr, xi, size, FALSE);
  fft (hr, hi, size, FALSE);
  for (gsize i = 0; i < size; i++)
    {
      double r = xr[i] * hr[i] - xi[i] * hi[i];

      xi[i] = xr[i] * hi[i] + xi[i] * hr[i];
      xr[i] = r;
    }
  fft (xr, xi, size, TRUE);
  /* The tail past the clip's end is cut, as a recording's would be */
  for (gsize i = 0; i < n; i++)
    samples[i] = (float) (xr[i] / (double) size);
}

/* ---- time ----------------------------------------------------------------------- */

float *
adis_augment_speed (const float *samples,
                    gsize        n,
                    float        speed,
                    gsize       *out_n)
{
  SRC_DATA data = { 0 };
  float *out;

  g_return_val_if_fail (samples != NULL && out_n != NULL, NULL);
  g_return_val_if_fail (speed > 0.5f && speed < 2.f, NULL);

  /* Resampling by 1/speed and playing at the same rate: faster and higher */
  data.data_in = samples;
  data.input_frames = (long) n;
  data.src_ratio = 1.0 / speed;
  data.output_frames = (long) ceil (n / speed) + 16;
  data.end_of_input = 1;
  out = g_new0 (float, data.output_frames);
  data.data_out = out;
  if (src_simple (&data, SRC_SINC_FASTEST, 1) != 0 || data.output_frames_gen < 1)
    {
      /* Cannot happen with a ratio this close to 1; keep the clip as it is */
      memcpy (out, samples, sizeof (float) * MIN (n, (gsize) data.output_frames));
      *out_n = MIN (n, (gsize) data.output_frames);
      return out;
    }
  *out_n = (gsize) data.output_frames_gen;
  return out;
}

void
adis_augment_shift (const float *in,
                    gsize        in_n,
                    int          shift,
                    float       *out,
                    gsize        n)
{
  gsize start;

  g_return_if_fail (in != NULL && out != NULL && in_n > 0);

  start = (gsize) (((gint64) shift % (gint64) in_n + (gint64) in_n) % (gint64) in_n);
  for (gsize i = 0; i < n; i++)
    out[i] = in[(start + i) % in_n];

  /* Where in wraps round (its end meets its start), a fade to silence and
   * back over SEAM_FADE_SAMPLES each side */
  for (gsize seam = in_n - start; seam < n; seam += in_n)
    for (gsize d = 0; d < SEAM_FADE_SAMPLES; d++)
      {
        float fade = 0.5f - 0.5f * cosf ((float) G_PI * (float) d / SEAM_FADE_SAMPLES);

        if (seam + d < n)
          out[seam + d] *= fade;
        if (seam >= d + 1 && seam - d - 1 < n)
          out[seam - d - 1] *= fade;
      }
}

/* ---- the whole chain -------------------------------------------------------------- */

static double
rms_of (const float *x, gsize n)
{
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += (double) x[i] * x[i];
  return sqrt (sum / (double) n);
}

static float
log_uniform (GRand *rand, float low, float high)
{
  return (float) exp (g_rand_double_range (rand, log (low), log (high)));
}

void
adis_sound_augment_init_identity (AdisSoundAugment *aug)
{
  g_return_if_fail (aug != NULL);

  memset (aug, 0, sizeof *aug);
  aug->low_shelf_hz = ADIS_AUGMENT_LOW_SHELF_HZ_MIN;
  aug->peak_hz = 1000.f;
  aug->peak_q = 1.f;
  aug->high_shelf_hz = ADIS_AUGMENT_HIGH_SHELF_HZ_MIN;
  aug->band_low_hz = ADIS_AUGMENT_BAND_LOW_HZ_MIN;
  aug->band_high_hz = ADIS_AUGMENT_BAND_HIGH_HZ_MAX;
  aug->rt60 = ADIS_AUGMENT_RT60_MIN;
  aug->speed = 1.f;
  aug->gain = 1.f;
}

void
adis_sound_augment_draw (AdisSoundAugment *aug,
                         GRand            *rand,
                         float             level_db)
{
  int max_shift = (int) (ADIS_AUGMENT_SHIFT_SECONDS * ADIS_SAMPLE_RATE);

  g_return_if_fail (aug != NULL && rand != NULL);

  /* Every draw happens whatever the coin flips say, so that one clip's
   * draws never move the next clip's */
  aug->low_shelf_hz = log_uniform (rand, ADIS_AUGMENT_LOW_SHELF_HZ_MIN, ADIS_AUGMENT_LOW_SHELF_HZ_MAX);
  aug->low_shelf_db = (float) g_rand_double_range (rand, -ADIS_AUGMENT_EQ_DB, ADIS_AUGMENT_EQ_DB);
  aug->peak_hz = log_uniform (rand, ADIS_AUGMENT_PEAK_HZ_MIN, ADIS_AUGMENT_PEAK_HZ_MAX);
  aug->peak_q = log_uniform (rand, 0.7f, 2.f);
  aug->peak_db = (float) g_rand_double_range (rand, -ADIS_AUGMENT_EQ_DB, ADIS_AUGMENT_EQ_DB);
  aug->high_shelf_hz = log_uniform (rand, ADIS_AUGMENT_HIGH_SHELF_HZ_MIN, ADIS_AUGMENT_HIGH_SHELF_HZ_MAX);
  aug->high_shelf_db = (float) g_rand_double_range (rand, -ADIS_AUGMENT_EQ_DB, ADIS_AUGMENT_EQ_DB);
  aug->band = g_rand_double (rand) < ADIS_AUGMENT_BAND_P;
  aug->band_low_hz = log_uniform (rand, ADIS_AUGMENT_BAND_LOW_HZ_MIN, ADIS_AUGMENT_BAND_LOW_HZ_MAX);
  aug->band_high_hz = log_uniform (rand, ADIS_AUGMENT_BAND_HIGH_HZ_MIN, ADIS_AUGMENT_BAND_HIGH_HZ_MAX);
  aug->reverb = g_rand_double (rand) < ADIS_AUGMENT_REVERB_P;
  aug->rt60 = (float) g_rand_double_range (rand, ADIS_AUGMENT_RT60_MIN, ADIS_AUGMENT_RT60_MAX);
  aug->drr_db = (float) g_rand_double_range (rand, ADIS_AUGMENT_DRR_DB_MIN, ADIS_AUGMENT_DRR_DB_MAX);
  aug->background = g_rand_double (rand) < ADIS_AUGMENT_BACKGROUND_P;
  aug->background_snr_db = (float) g_rand_double_range (rand, ADIS_AUGMENT_BACKGROUND_SNR_MIN,
                                                        ADIS_AUGMENT_BACKGROUND_SNR_MAX);
  aug->noise = g_rand_double (rand) < ADIS_AUGMENT_NOISE_P;
  aug->noise_snr_db = (float) g_rand_double_range (rand, ADIS_AUGMENT_NOISE_SNR_MIN, ADIS_AUGMENT_NOISE_SNR_MAX);
  aug->noise_seed = g_rand_int (rand);
  aug->shift = g_rand_int_range (rand, -max_shift, max_shift + 1);
  aug->speed = (float) g_rand_double_range (rand, 1.0 - ADIS_AUGMENT_SPEED, 1.0 + ADIS_AUGMENT_SPEED);
  aug->gain = powf (10.f, (float) g_rand_double_range (rand, -level_db, level_db) / 20.f);
}

void
adis_sound_augment_apply (const AdisSoundAugment *aug,
                          float                  *samples,
                          const float            *background)
{
  const gsize n = ADIS_CLIP_SAMPLES;
  double level, now;

  g_return_if_fail (aug != NULL && samples != NULL);

  level = rms_of (samples, n);

  /* Speed, then the shift that also fits the result back to 3 s */
  if (aug->speed != 1.f || aug->shift != 0)
    {
      gsize m = n;
      g_autofree float *faster = aug->speed != 1.f
                                 ? adis_augment_speed (samples, n, aug->speed, &m)
                                 : g_memdup2 (samples, sizeof (float) * n);

      adis_augment_shift (faster, m, aug->shift, samples, n);
    }

  /* The microphone and the room colour the sound ... */
  adis_augment_equalise (samples, n, aug);
  if (aug->band)
    adis_augment_band_limit (samples, n, aug->band_low_hz, aug->band_high_hz);
  if (aug->reverb)
    adis_augment_reverb (samples, n, aug->rt60, aug->drr_db, aug->noise_seed);

  /* ... but not its level, which carries the intensity */
  now = rms_of (samples, n);
  if (level > 0.0 && now > 0.0)
    {
      float scale = (float) (level / now);

      for (gsize i = 0; i < n; i++)
        samples[i] *= scale;
    }

  if (aug->background && background != NULL)
    {
      double other = rms_of (background, n);

      if (other > 0.0)
        {
          float scale = (float) (level * pow (10.0, -aug->background_snr_db / 20.0) / other);

          for (gsize i = 0; i < n; i++)
            samples[i] += background[i] * scale;
        }
    }
  if (aug->noise && level > 0.0)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (aug->noise_seed ^ 0x9e3779b9u);
      /* Uniform noise in [-a, a] has RMS a / sqrt(3) */
      double a = level * pow (10.0, -aug->noise_snr_db / 20.0) * sqrt (3.0);

      for (gsize i = 0; i < n; i++)
        samples[i] += (float) g_rand_double_range (rand, -a, a);
    }

  for (gsize i = 0; i < n; i++)
    samples[i] *= aug->gain;
}

/* ---- photos ----------------------------------------------------------------------- */

void
adis_colour_jitter_init_identity (AdisColourJitter *jitter)
{
  g_return_if_fail (jitter != NULL);

  jitter->brightness = jitter->contrast = jitter->saturation = 1.f;
  jitter->hue_degrees = 0.f;
  jitter->crop_w = jitter->crop_h = 1.f;
  jitter->crop_x = jitter->crop_y = 0.f;
}

void
adis_colour_jitter_draw (AdisColourJitter *jitter,
                         GRand            *rand)
{
  g_return_if_fail (jitter != NULL && rand != NULL);

  jitter->brightness = (float) g_rand_double_range (rand, 1.0 - ADIS_AUGMENT_BRIGHTNESS, 1.0 + ADIS_AUGMENT_BRIGHTNESS);
  jitter->contrast = (float) g_rand_double_range (rand, 1.0 - ADIS_AUGMENT_CONTRAST, 1.0 + ADIS_AUGMENT_CONTRAST);
  jitter->saturation = (float) g_rand_double_range (rand, 1.0 - ADIS_AUGMENT_SATURATION, 1.0 + ADIS_AUGMENT_SATURATION);
  jitter->hue_degrees = (float) g_rand_double_range (rand, -ADIS_AUGMENT_HUE_DEGREES, ADIS_AUGMENT_HUE_DEGREES);
  jitter->crop_w = (float) g_rand_double_range (rand, ADIS_AUGMENT_CROP_SCALE_MIN, 1.0);
  jitter->crop_h = (float) g_rand_double_range (rand, ADIS_AUGMENT_CROP_SCALE_MIN, 1.0);
  jitter->crop_x = (float) g_rand_double (rand);
  jitter->crop_y = (float) g_rand_double (rand);
}

AdisImage *
adis_colour_jitter_apply (const AdisColourJitter *jitter,
                          AdisImage              *image)
{
  int w, h;
  gsize plane;
  const float *in;
  g_autofree float *out = NULL;
  double mean = 0.0;
  /* The hue turns colours about the grey axis (1, 1, 1): a rotation, so
   * no turn is exactly no change and grey stays grey */
  double theta = jitter->hue_degrees * G_PI / 180.0;
  double a = (1.0 - cos (theta)) / 3.0, b = sin (theta) / sqrt (3.0);
  double d = cos (theta) + a;

  g_return_val_if_fail (jitter != NULL && image != NULL, NULL);

  w = adis_image_get_width (image);
  h = adis_image_get_height (image);
  plane = (gsize) w * h;
  in = adis_image_get_planes (image);
  out = g_new (float, 3 * plane);

  for (gsize p = 0; p < plane; p++)
    mean += 0.299 * in[p] + 0.587 * in[plane + p] + 0.114 * in[2 * plane + p];
  /* From [-1, 1] to [0, 1], times the brightness */
  mean = (mean / (double) plane + 1.0) / 2.0 * jitter->brightness;

  for (gsize p = 0; p < plane; p++)
    {
      double rgb[3], turned[3], luma;

      for (int c = 0; c < 3; c++)
        {
          double v = (in[c * plane + p] + 1.0) / 2.0 * jitter->brightness;

          rgb[c] = mean + jitter->contrast * (v - mean);
        }
      /* Saturation: towards or away from the pixel's own grey */
      luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
      for (int c = 0; c < 3; c++)
        rgb[c] = luma + jitter->saturation * (rgb[c] - luma);
      turned[0] = d * rgb[0] + (a - b) * rgb[1] + (a + b) * rgb[2];
      turned[1] = (a + b) * rgb[0] + d * rgb[1] + (a - b) * rgb[2];
      turned[2] = (a - b) * rgb[0] + (a + b) * rgb[1] + d * rgb[2];
      for (int c = 0; c < 3; c++)
        out[c * plane + p] = (float) (CLAMP (turned[c], 0.0, 1.0) * 2.0 - 1.0);
    }

  return adis_image_new_from_planes (out, w, h);
}

AdisImage *
adis_colour_jitter_crop (const AdisColourJitter *jitter,
                         AdisImage              *image)
{
  int w, h, cw, ch;

  g_return_val_if_fail (jitter != NULL && image != NULL, NULL);

  w = adis_image_get_width (image);
  h = adis_image_get_height (image);
  cw = CLAMP ((int) lroundf (w * jitter->crop_w), 1, w);
  ch = CLAMP ((int) lroundf (h * jitter->crop_h), 1, h);
  if (cw == w && ch == h)
    return adis_image_ref (image);
  return adis_image_crop (image, (int) lroundf (jitter->crop_x * (w - cw)),
                          (int) lroundf (jitter->crop_y * (h - ch)), cw, ch);
}
