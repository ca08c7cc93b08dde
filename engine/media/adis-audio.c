/* adis-audio.c: any sound file to the model's 3 s of 16-kHz mono
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <samplerate.h>

#include "adis-audio.h"
#include "adis-safetensors.h"

#define MAX_CHANNELS    1024
#define MAX_SAMPLE_RATE 1536000
/* Frames decoded per read: memory stays small whatever the channel count */
#define READ_BLOCK      4096
/* One analysis window of the STFT: anything shorter has no pitch or texture
 * to repeat, and tiling it would make a buzz or a constant */
#define MIN_SECONDS     ((double) ADIS_STFT_WIN_LENGTH / ADIS_SAMPLE_RATE)
/* Float files may go past full scale a little; 60 dB past it is damage */
#define MAX_AMPLITUDE   1000.f

struct _AdisSound
{
  float  samples[ADIS_CLIP_SAMPLES];
  float  peak;
  float  rms;
  double source_seconds;
  /* The gain adis_sound_mix scaled it by since it was read (1 for a read
   * sound), so that a peak-normalising model can apply the gain after
   * normalising (adis_sound_mix_peak_normalised) */
  float  gain;
};

AdisSound *
adis_sound_ref (AdisSound *sound)
{
  g_return_val_if_fail (sound != NULL, NULL);
  return g_atomic_rc_box_acquire (sound);
}

void
adis_sound_unref (AdisSound *sound)
{
  g_return_if_fail (sound != NULL);
  g_atomic_rc_box_release (sound);
}

const float *
adis_sound_get_samples (AdisSound *sound)
{
  g_return_val_if_fail (sound != NULL, NULL);
  return sound->samples;
}

float
adis_sound_get_peak (AdisSound *sound)
{
  g_return_val_if_fail (sound != NULL, 0.f);
  return sound->peak;
}

float
adis_sound_get_rms (AdisSound *sound)
{
  g_return_val_if_fail (sound != NULL, 0.f);
  return sound->rms;
}

double
adis_sound_get_source_seconds (AdisSound *sound)
{
  g_return_val_if_fail (sound != NULL, 0.0);
  return sound->source_seconds;
}

static void
update_levels (AdisSound *sound)
{
  double sum = 0.0;
  float peak = 0.f;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      float v = sound->samples[i];

      peak = MAX (peak, fabsf (v));
      sum += (double) v * v;
    }
  sound->peak = peak;
  sound->rms = (float) sqrt (sum / ADIS_CLIP_SAMPLES);
}

/* Converts mono samples at sample_rate to ADIS_SAMPLE_RATE. Returns mono
 * itself (not a copy) when the rate already matches; otherwise a new buffer,
 * and mono is left to the caller. */
static float *
resample_mono (float       *mono,
               gsize        n_frames,
               int          sample_rate,
               gsize       *out_n,
               const char  *what,
               GError     **error)
{
  double ratio = (double) ADIS_SAMPLE_RATE / sample_rate;
  SRC_DATA data = { 0 };
  g_autofree float *resampled = NULL;
  int status;

  if (sample_rate == ADIS_SAMPLE_RATE)
    {
      *out_n = n_frames;
      return mono;
    }
  if (!src_is_valid_ratio (ratio))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: sample rate %d Hz cannot be converted to %d Hz",
                   what, sample_rate, ADIS_SAMPLE_RATE);
      return NULL;
    }

  data.data_in = mono;
  data.input_frames = (long) n_frames;
  data.output_frames = (long) ceil (n_frames * ratio) + 16;
  data.src_ratio = ratio;
  data.end_of_input = 1;
  resampled = g_new0 (float, data.output_frames);
  data.data_out = resampled;

  status = src_simple (&data, SRC_SINC_MEDIUM_QUALITY, 1);
  if (status != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: resampling failed: %s", what, src_strerror (status));
      return NULL;
    }
  *out_n = (gsize) data.output_frames_gen;
  return g_steal_pointer (&resampled);
}

/* Takes ownership of mono. A clip shorter than 3 s is repeated end to end
 * (a loop sounds like the same scene, silence would not); a longer one keeps
 * its start. */
static AdisSound *
sound_from_mono (float       *mono,
                 gsize        n_frames,
                 int          sample_rate,
                 double       source_seconds,
                 const char  *what,
                 GError     **error)
{
  g_autofree float *owned = mono;
  g_autofree float *resampled = NULL;
  const float *at_rate;
  gsize n = 0;
  AdisSound *sound;

  /* A damaged float file can hold NaN, infinity or absurd values: any of
   * them would overflow the spectrogram and turn the picture into NaN */
  for (gsize i = 0; i < n_frames; i++)
    if (!(fabsf (mono[i]) <= MAX_AMPLITUDE))
      {
        if (isnan (mono[i]))
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "%s: sample %" G_GSIZE_FORMAT " is not a number (NaN); the audio is damaged",
                       what, i);
        else
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "%s: sample %" G_GSIZE_FORMAT " is %g, far outside full scale (-1 to 1); the audio is damaged",
                       what, i, mono[i]);
        return NULL;
      }

  if ((double) n_frames / sample_rate < MIN_SECONDS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: %" G_GSIZE_FORMAT " sample%s at %d Hz (%.2f ms) is too short; a sound needs at least %.0f ms",
                   what, n_frames, n_frames == 1 ? "" : "s", sample_rate,
                   1000.0 * n_frames / sample_rate, 1000.0 * MIN_SECONDS);
      return NULL;
    }

  at_rate = resample_mono (mono, n_frames, sample_rate, &n, what, error);
  if (at_rate == NULL)
    return NULL;
  if (at_rate != mono)
    resampled = (float *) at_rate;

  if (n == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: too short to hold any audio at %d Hz", what, ADIS_SAMPLE_RATE);
      return NULL;
    }

  sound = g_atomic_rc_box_new0 (AdisSound);
  for (gsize i = 0; i < ADIS_CLIP_SAMPLES; i++)
    sound->samples[i] = at_rate[i % n] * ADIS_AUDIO_REFERENCE_GAIN;
  sound->source_seconds = source_seconds;
  sound->gain = 1.f;
  update_levels (sound);

  return sound;
}

static gboolean
check_format (gsize        n_frames,
              int          sample_rate,
              int          n_channels,
              const char  *what,
              GError     **error)
{
  if (n_frames == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: the audio is empty (no frames)", what);
      return FALSE;
    }
  if (sample_rate <= 0 || sample_rate > MAX_SAMPLE_RATE ||
      n_channels <= 0 || n_channels > MAX_CHANNELS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: %d channels at %d Hz is not a usable format",
                   what, n_channels, sample_rate);
      return FALSE;
    }
  return TRUE;
}

static void
downmix_into (const float *interleaved,
              gsize        n_frames,
              int          n_channels,
              float       *mono)
{
  for (gsize i = 0; i < n_frames; i++)
    {
      double sum = 0.0;

      for (int c = 0; c < n_channels; c++)
        sum += interleaved[i * n_channels + c];
      mono[i] = (float) (sum / n_channels);
    }
}

static float *
downmix (const float *interleaved,
         gsize        n_frames,
         int          n_channels)
{
  float *mono = g_new (float, n_frames);

  downmix_into (interleaved, n_frames, n_channels, mono);
  return mono;
}

AdisSound *
adis_sound_new_from_samples (const float  *interleaved,
                             gsize         n_frames,
                             int           sample_rate,
                             int           n_channels,
                             GError      **error)
{
  const char *what = "Recorded audio";

  g_return_val_if_fail (interleaved != NULL || n_frames == 0, NULL);

  if (!check_format (n_frames, sample_rate, n_channels, what, error))
    return NULL;

  return sound_from_mono (downmix (interleaved, n_frames, n_channels), n_frames,
                          sample_rate, (double) n_frames / sample_rate, what, error);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SNDFILE, sf_close)

/* libsndfile's reason for an empty file ("Format not recognised.") hides
 * the plain cause: say it */
static void
set_open_error (const char  *path,
                const char  *what,
                GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0)
    g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                 "Cannot read audio %s: the file is empty (0 bytes)", what);
  else
    g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                 "Cannot read audio %s: %s", what, sf_strerror (NULL));
}

AdisSound *
adis_sound_load (const char  *path,
                 GError     **error)
{
  g_autoptr(SNDFILE) file = NULL;
  g_autofree char *what = NULL;
  g_autofree float *block = NULL;
  g_autofree float *mono = NULL;
  SF_INFO info = { 0 };
  gsize wanted;
  gsize n_read = 0;
  double source_seconds;

  g_return_val_if_fail (path != NULL, NULL);

  what = g_strdup_printf ("“%s”", path);
  file = sf_open (path, SFM_READ, &info);
  if (file == NULL)
    {
      set_open_error (path, what, error);
      return NULL;
    }
  if (!check_format (info.frames > 0 ? (gsize) info.frames : 0,
                     info.samplerate, info.channels, what, error))
    return NULL;

  /* Only the first 3 s are used: decode those plus a little more so the
   * resampler's filter sees real signal at the cut, not an ending. */
  source_seconds = (double) info.frames / info.samplerate;
  wanted = (gsize) ceil ((ADIS_CLIP_SECONDS + 0.1) * info.samplerate);
  wanted = MIN (wanted, (gsize) info.frames);
  mono = g_new (float, wanted);
  block = g_new (float, (gsize) READ_BLOCK * info.channels);

  while (n_read < wanted)
    {
      sf_count_t got = sf_readf_float (file, block, MIN (READ_BLOCK, (sf_count_t) (wanted - n_read)));

      if (got <= 0)
        break;
      downmix_into (block, (gsize) got, info.channels, mono + n_read);
      n_read += (gsize) got;
    }
  if (sf_error (file) != SF_ERR_NO_ERROR)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Cannot decode audio %s: %s", what, sf_strerror (file));
      return NULL;
    }
  if (n_read == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: the audio is empty (no frames could be decoded)", what);
      return NULL;
    }

  return sound_from_mono (g_steal_pointer (&mono), n_read,
                          info.samplerate, source_seconds, what, error);
}

float *
adis_audio_load_recording (const char  *path,
                           double       max_seconds,
                           gsize       *out_n_samples,
                           GError     **error)
{
  g_autoptr(SNDFILE) file = NULL;
  g_autofree char *what = NULL;
  g_autofree float *block = NULL;
  g_autofree float *mono = NULL;
  float *at_rate;
  SF_INFO info = { 0 };
  gsize wanted, n_read = 0, n = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (out_n_samples != NULL, NULL);

  what = g_strdup_printf ("“%s”", path);
  file = sf_open (path, SFM_READ, &info);
  if (file == NULL)
    {
      set_open_error (path, what, error);
      return NULL;
    }
  if (!check_format (info.frames > 0 ? (gsize) info.frames : 0,
                     info.samplerate, info.channels, what, error))
    return NULL;

  wanted = (gsize) info.frames;
  if (max_seconds > 0)
    wanted = MIN (wanted, (gsize) ceil (max_seconds * info.samplerate));
  mono = g_new (float, wanted);
  block = g_new (float, (gsize) READ_BLOCK * info.channels);
  while (n_read < wanted)
    {
      sf_count_t got = sf_readf_float (file, block, MIN (READ_BLOCK, (sf_count_t) (wanted - n_read)));

      if (got <= 0)
        break;
      downmix_into (block, (gsize) got, info.channels, mono + n_read);
      n_read += (gsize) got;
    }
  if (sf_error (file) != SF_ERR_NO_ERROR || n_read == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Cannot decode audio %s: %s", what,
                   n_read == 0 ? "no frames could be decoded" : sf_strerror (file));
      return NULL;
    }

  at_rate = resample_mono (mono, n_read, info.samplerate, &n, what, error);
  if (at_rate == NULL)
    return NULL;
  if (n == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: too short to hold any audio at %d Hz", what, ADIS_SAMPLE_RATE);
      if (at_rate != mono)
        g_free (at_rate);
      return NULL;
    }
  *out_n_samples = n;
  if (at_rate == mono)
    return g_steal_pointer (&mono);
  return at_rate;
}

AdisSound *
adis_sound_mix (AdisSound  *a,
                AdisSound  *b,
                float       gain,
                float       weight,
                GError    **error)
{
  AdisSound *mixed;

  g_return_val_if_fail (a != NULL, NULL);

  /* Written so that NaN fails every test */
  if (!(gain >= 0.f && gain <= ADIS_MAX_GAIN))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Gain %g is outside 0 to %g", gain, ADIS_MAX_GAIN);
      return NULL;
    }
  if (!(weight >= 0.f && weight <= 1.f))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mix weight %g is outside 0 to 1", weight);
      return NULL;
    }
  if (b == NULL && weight != 0.f)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Mix weight %g needs a second sound", weight);
      return NULL;
    }

  mixed = g_atomic_rc_box_new0 (AdisSound);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      float other = b != NULL ? b->samples[i] : 0.f;

      mixed->samples[i] = gain * ((1.f - weight) * a->samples[i] + weight * other);
    }
  mixed->source_seconds = a->source_seconds;
  /* A blend's gain is the blend of the gains */
  mixed->gain = gain * (b != NULL ? (1.f - weight) * a->gain + weight * b->gain : a->gain);
  update_levels (mixed);

  return mixed;
}

/* The published loader's divisor, 1.1 max|s| (0 for silence): the sound as
 * read, peak-normalised, then scaled by its gain, is s->gain s / divisor,
 * whatever gain s already carries */
static float
peak_norm (AdisSound *sound)
{
  return ADIS_PEAK_HEADROOM * sound->peak;
}

AdisSound *
adis_sound_mix_peak_normalised (AdisSound  *a,
                                AdisSound  *b,
                                float       gain,
                                float       weight,
                                GError    **error)
{
  /* adis_sound_mix's checks and bookkeeping; its samples are replaced */
  AdisSound *mixed = adis_sound_mix (a, b, gain, weight, error);
  float norm_a, norm_b;

  if (mixed == NULL)
    return NULL;

  norm_a = peak_norm (a);
  norm_b = b != NULL ? peak_norm (b) : 0.f;
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      /* As the published loader computes it, wav / (1.1 max|wav|), in floats */
      float na = norm_a > 0.f ? a->gain * (a->samples[i] / norm_a) : 0.f;
      float nb = norm_b > 0.f ? b->gain * (b->samples[i] / norm_b) : 0.f;

      mixed->samples[i] = gain * ((1.f - weight) * na + weight * nb);
    }
  update_levels (mixed);

  return mixed;
}

/* --- writing through libsndfile's virtual I/O into memory ---------------- */

typedef struct
{
  GByteArray *bytes;
  sf_count_t  position;
} MemoryFile;

static sf_count_t
memory_get_length (void *user_data)
{
  MemoryFile *m = user_data;

  return m->bytes->len;
}

static sf_count_t
memory_seek (sf_count_t  offset,
             int         whence,
             void       *user_data)
{
  MemoryFile *m = user_data;
  sf_count_t base = whence == SEEK_CUR ? m->position : whence == SEEK_END ? (sf_count_t) m->bytes->len : 0;

  if (base + offset < 0)
    return -1;
  m->position = base + offset;
  return m->position;
}

static sf_count_t
memory_read (void       *ptr,
             sf_count_t  count,
             void       *user_data)
{
  MemoryFile *m = user_data;
  sf_count_t available = MAX ((sf_count_t) m->bytes->len - m->position, 0);

  count = MIN (count, available);
  memcpy (ptr, m->bytes->data + m->position, (gsize) count);
  m->position += count;
  return count;
}

static sf_count_t
memory_write (const void *ptr,
              sf_count_t  count,
              void       *user_data)
{
  MemoryFile *m = user_data;
  gsize end = (gsize) (m->position + count);

  if (end > m->bytes->len)
    g_byte_array_set_size (m->bytes, (guint) end);
  memcpy (m->bytes->data + m->position, ptr, (gsize) count);
  m->position += count;
  return count;
}

static sf_count_t
memory_tell (void *user_data)
{
  MemoryFile *m = user_data;

  return m->position;
}

gboolean
adis_sound_save_wav (AdisSound   *sound,
                     const char  *path,
                     GError     **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  SF_VIRTUAL_IO io = {
    memory_get_length, memory_seek, memory_read, memory_write, memory_tell,
  };
  MemoryFile memory = { bytes, 0 };
  SF_INFO info = { 0 };
  SNDFILE *file;
  sf_count_t written;

  g_return_val_if_fail (sound != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  info.samplerate = ADIS_SAMPLE_RATE;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  file = sf_open_virtual (&io, SFM_WRITE, &info, &memory);
  if (file == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "Cannot encode WAV for “%s”: %s", path, sf_strerror (NULL));
      return FALSE;
    }

  /* A gain above 1 must clip, not wrap around to the opposite sign */
  sf_command (file, SFC_SET_CLIPPING, NULL, SF_TRUE);
  written = sf_writef_float (file, sound->samples, ADIS_CLIP_SAMPLES);
  sf_close (file);
  if (written != ADIS_CLIP_SAMPLES)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO,
                   "Cannot encode WAV for “%s”", path);
      return FALSE;
    }

  return adis_write_file_atomic (path, bytes->data, bytes->len, error);
}
