/* adis-augment.h: waveform and colour augmentations for training
 *
 * SPDX-License-Identifier: MIT
 *
 * The loader draws one AdisSoundAugment per clip and one AdisColourJitter
 * per image from its seeded stream, so a batch's augmentation follows from
 * (seed, batch number) alone. The ranges below are the ones the README
 * documents; the tests hold each augmentation to what it claims.
 *
 * Loudness: the spectral augmentations (equalisation, band-limiting,
 * reverberation) put the clip's RMS back to what it was, and the background
 * stays at least ADIS_AUGMENT_BACKGROUND_SNR_MIN dB below the clip, so the
 * level the volume slider relies on changes only by the level spread: a
 * small one where the target cannot follow, a larger one where the trainer
 * re-renders the target at the intensity the loudness law gives.
 */
#pragma once

#include "adis-types.h"
#include "adis-audio.h"
#include "adis-image.h"

G_BEGIN_DECLS

/* Equalisation: a low shelf, a peak and a high shelf, each gain in ±6 dB */
#define ADIS_AUGMENT_EQ_DB               6.f
#define ADIS_AUGMENT_LOW_SHELF_HZ_MIN    80.f
#define ADIS_AUGMENT_LOW_SHELF_HZ_MAX    400.f
#define ADIS_AUGMENT_PEAK_HZ_MIN         200.f
#define ADIS_AUGMENT_PEAK_HZ_MAX         5000.f
#define ADIS_AUGMENT_HIGH_SHELF_HZ_MIN   2000.f
#define ADIS_AUGMENT_HIGH_SHELF_HZ_MAX   6000.f
/* A phone or laptop microphone: 4th-order Butterworth high- and low-pass */
#define ADIS_AUGMENT_BAND_P              0.3
#define ADIS_AUGMENT_BAND_LOW_HZ_MIN     100.f
#define ADIS_AUGMENT_BAND_LOW_HZ_MAX     400.f
#define ADIS_AUGMENT_BAND_HIGH_HZ_MIN    3000.f
#define ADIS_AUGMENT_BAND_HIGH_HZ_MAX    7000.f
/* A room or a street: decaying noise as impulse response */
#define ADIS_AUGMENT_REVERB_P            0.3
#define ADIS_AUGMENT_RT60_MIN            0.15f
#define ADIS_AUGMENT_RT60_MAX            0.6f
#define ADIS_AUGMENT_DRR_DB_MIN          0.f     /* direct to reverberant energy */
#define ADIS_AUGMENT_DRR_DB_MAX          12.f
/* Another recording, and noise, well under the clip */
#define ADIS_AUGMENT_BACKGROUND_P        0.5
#define ADIS_AUGMENT_NOISE_P             0.5
#define ADIS_AUGMENT_BACKGROUND_SNR_MIN  20.f
#define ADIS_AUGMENT_BACKGROUND_SNR_MAX  35.f
#define ADIS_AUGMENT_NOISE_SNR_MIN       30.f
#define ADIS_AUGMENT_NOISE_SNR_MAX       50.f
/* Time shift (circular) up to a second either way; speed ±4 % */
#define ADIS_AUGMENT_SHIFT_SECONDS       1.0
#define ADIS_AUGMENT_SPEED               0.04f
/* Level spread in dB: where the target stays as it is (a real set, an
 * unpaired run), and where the trainer re-renders it (a paired synth run) */
#define ADIS_AUGMENT_LEVEL_DB            2.f
#define ADIS_AUGMENT_LEVEL_DB_FOLLOWED   6.f

typedef struct
{
  float    low_shelf_hz, low_shelf_db;
  float    peak_hz, peak_q, peak_db;
  float    high_shelf_hz, high_shelf_db;
  gboolean band;             /* band-limit like a small microphone */
  float    band_low_hz, band_high_hz;
  gboolean reverb;
  float    rt60, drr_db;
  gboolean background;       /* mix in the background clip the caller gives */
  float    background_snr_db;
  gboolean noise;
  float    noise_snr_db;
  guint32  noise_seed;       /* the reverb tail's and the noise's samples */
  int      shift;            /* samples, output[i] = input[i + shift] circularly */
  float    speed;            /* 1.04: 4 % faster and higher */
  float    gain;             /* level spread, linear */
} AdisSoundAugment;

/* No change at all: every augmentation off, speed and gain 1 */
void     adis_sound_augment_init_identity (AdisSoundAugment       *aug);
/* Draws every field, always the same number of draws from rand;
 * level_db is the level spread's half-range */
void     adis_sound_augment_draw          (AdisSoundAugment       *aug,
                                           GRand                  *rand,
                                           float                   level_db);
/* samples: ADIS_CLIP_SAMPLES floats, changed in place; background is another
 * clip of ADIS_CLIP_SAMPLES (or NULL: no background) */
void     adis_sound_augment_apply         (const AdisSoundAugment *aug,
                                           float                  *samples,
                                           const float            *background);

/* The steps on their own, for the tests: n samples at ADIS_SAMPLE_RATE */
void     adis_augment_equalise            (float                  *samples,
                                           gsize                   n,
                                           const AdisSoundAugment *aug);
void     adis_augment_band_limit          (float                  *samples,
                                           gsize                   n,
                                           float                   low_hz,
                                           float                   high_hz);
void     adis_augment_reverb              (float                  *samples,
                                           gsize                   n,
                                           float                   rt60,
                                           float                   drr_db,
                                           guint32                 seed);
/* Plays n samples speed times faster: returns about n / speed samples (a
 * new buffer, g_free) in *out_n */
float   *adis_augment_speed               (const float            *samples,
                                           gsize                   n,
                                           float                   speed,
                                           gsize                  *out_n);
/* Fills out (n samples) from in (in_n samples) read circularly from shift,
 * with a 5-ms fade on either side of the seam where in wraps round */
void     adis_augment_shift               (const float            *in,
                                           gsize                   in_n,
                                           int                     shift,
                                           float                  *out,
                                           gsize                   n);

/* Colour jitter and a random crop of a photo */
#define ADIS_AUGMENT_BRIGHTNESS          0.1f    /* factor in [0.9, 1.1] */
#define ADIS_AUGMENT_CONTRAST            0.1f
#define ADIS_AUGMENT_SATURATION          0.15f
#define ADIS_AUGMENT_HUE_DEGREES         8.f
#define ADIS_AUGMENT_CROP_SCALE_MIN      0.7f    /* each side keeps 70-100 % */

typedef struct
{
  float brightness;   /* factors around 1 */
  float contrast;
  float saturation;
  float hue_degrees;
  float crop_w, crop_h;    /* fractions of the width and height kept */
  float crop_x, crop_y;    /* where the crop sits in the room left, 0-1 */
} AdisColourJitter;

void       adis_colour_jitter_init_identity (AdisColourJitter       *jitter);
void       adis_colour_jitter_draw          (AdisColourJitter       *jitter,
                                             GRand                  *rand);
/* The image with the jitter's colours (its crop is not applied) */
AdisImage *adis_colour_jitter_apply         (const AdisColourJitter *jitter,
                                             AdisImage              *image);
/* The jitter's crop of image (itself, with a new reference, when it keeps all) */
AdisImage *adis_colour_jitter_crop          (const AdisColourJitter *jitter,
                                             AdisImage              *image);

G_END_DECLS
