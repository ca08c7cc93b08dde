/* adis-audio.h: the one place where the 3-s, 16-kHz, mono audio rules live
 *
 * SPDX-License-Identifier: MIT
 *
 * Loudness policy: waveforms stay in libsndfile's full-scale float units
 * (1.0 = 0 dBFS) times a fixed ADIS_AUDIO_REFERENCE_GAIN. Unlike the reference,
 * clips are never peak-normalised one by one, because that would erase the
 * loudness that the volume slider relies on. The one exception is a model
 * trained on peak-normalised clips (an imported avstyle checkpoint), which
 * gets what it was trained on: adis_sound_mix_peak_normalised.
 */
#pragma once

#include "adis-types.h"

G_BEGIN_DECLS

#define ADIS_SAMPLE_RATE           16000
#define ADIS_CLIP_SECONDS          3
#define ADIS_CLIP_SAMPLES          (ADIS_SAMPLE_RATE * ADIS_CLIP_SECONDS)
#define ADIS_AUDIO_REFERENCE_GAIN  1.0f
#define ADIS_MAX_GAIN              4.0f

/* The STFT the audio encoder reads (computed by the torch backend) */
#define ADIS_STFT_N_FFT        512
#define ADIS_STFT_WIN_LENGTH   400
#define ADIS_STFT_HOP          160
#define ADIS_STFT_BINS         (ADIS_STFT_N_FFT / 2 + 1)                 /* 257 */
#define ADIS_STFT_FRAMES       (ADIS_CLIP_SAMPLES / ADIS_STFT_HOP + 1)   /* 301 */

/* A mono 16-kHz waveform of exactly ADIS_CLIP_SAMPLES samples; immutable */
typedef struct _AdisSound AdisSound;

/* Reads anything libsndfile reads (WAV, FLAC, OGG, MP3, ...), downmixes,
 * resamples to 16 kHz with libsamplerate and fixes the length (tile, cut).
 * An unreadable, empty or zero-length file is ADIS_ERROR_INVALID_INPUT. */
AdisSound    *adis_sound_load              (const char    *path,
                                            GError       **error);

/* The same rules for samples already in memory (a recording): interleaved
 * floats, any rate and channel count. */
AdisSound    *adis_sound_new_from_samples  (const float   *interleaved,
                                            gsize          n_frames,
                                            int            sample_rate,
                                            int            n_channels,
                                            GError       **error);

/* A whole recording (not cut to 3 s) as 16-kHz mono floats, for building
 * clips out of long recordings; at most max_seconds are read (0: all).
 * Free with g_free. Same errors as adis_sound_load. */
float        *adis_audio_load_recording    (const char    *path,
                                            double         max_seconds,
                                            gsize         *out_n_samples,
                                            GError       **error);

AdisSound    *adis_sound_ref               (AdisSound     *sound);
void          adis_sound_unref             (AdisSound     *sound);

/* Always ADIS_CLIP_SAMPLES floats */
const float  *adis_sound_get_samples       (AdisSound     *sound);
float         adis_sound_get_peak          (AdisSound     *sound);
float         adis_sound_get_rms           (AdisSound     *sound);
/* Seconds of audio in the source before the 3-s rule (for display) */
double        adis_sound_get_source_seconds (AdisSound    *sound);

/* The paper's manipulation: gain * ((1 - weight) * a + weight * b).
 * b may be NULL (then weight must be 0). gain in [0, ADIS_MAX_GAIN],
 * weight in [0, 1]; others are ADIS_ERROR_INVALID_INPUT. */
AdisSound    *adis_sound_mix               (AdisSound     *a,
                                            AdisSound     *b,
                                            float          gain,
                                            float          weight,
                                            GError       **error);

/* The published avstyle front end, for a model trained on it (see
 * adis-model-input.h): each sound peak-normalised as it was read, to
 * 1 / (ADIS_PEAK_HEADROOM max|wav|), and only then scaled by its gains,
 * gain * ((1 - weight) * N(a) + weight * N(b)). A sound that adis_sound_mix
 * made louder remembers by how much, so N(adis_sound_mix (a, NULL, g, 0)) is
 * g N(a): a volume slider still moves what the model hears. Silence stays
 * silent. Same checks and errors as adis_sound_mix. */
#define ADIS_PEAK_HEADROOM         1.1f
AdisSound    *adis_sound_mix_peak_normalised (AdisSound   *a,
                                            AdisSound     *b,
                                            float          gain,
                                            float          weight,
                                            GError       **error);

/* Writes a 16-bit WAV at 16 kHz, atomically (for datasets and tests) */
gboolean      adis_sound_save_wav          (AdisSound     *sound,
                                            const char    *path,
                                            GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AdisSound, adis_sound_unref)

G_END_DECLS
