/* test-audio.c: loading any sound into 3 s of 16-kHz mono, mixing, saving
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sndfile.h>

#include "test-util.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Amplitude of one frequency in the 16-kHz clip, by correlation */
static double
tone_amplitude (const float *samples,
                double       freq)
{
  double re = 0.0;
  double im = 0.0;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      double angle = 2.0 * G_PI * freq * i / ADIS_SAMPLE_RATE;

      re += samples[i] * cos (angle);
      im += samples[i] * sin (angle);
    }
  return 2.0 * sqrt (re * re + im * im) / ADIS_CLIP_SAMPLES;
}

static void
check_tone (AdisSound *sound,
            double     freq,
            double     amplitude)
{
  const float *samples = adis_sound_get_samples (sound);

  /* The tone is there at its own pitch and loudness, and not an octave off */
  g_assert_cmpfloat_with_epsilon (tone_amplitude (samples, freq), amplitude, amplitude * 0.03);
  g_assert_cmpfloat (tone_amplitude (samples, freq * 2), <, amplitude * 0.02);
  g_assert_cmpfloat (tone_amplitude (samples, freq / 2), <, amplitude * 0.02);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_rms (sound), amplitude / G_SQRT2, amplitude * 0.03);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_peak (sound), amplitude, amplitude * 0.05);
}

static void
test_sample_rates (void)
{
  static const int rates[] = { 8000, 16000, 22050, 44100, 48000 };

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autofree char *name = g_strdup_printf ("tone-%d.wav", rates[i]);
      g_autofree char *path = tmp_path (name);
      g_autoptr(AdisSound) sound = NULL;
      g_autoptr(GError) error = NULL;

      /* 1000 Hz: below every Nyquist here, a whole number of cycles in 3 s */
      test_write_tone_wav (path, 1000.0, 0.5, 3.0, rates[i], 1);
      sound = adis_sound_load (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (sound);
      g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (sound), 3.0, 1e-3);
      check_tone (sound, 1000.0, 0.5);
    }
}

static void
test_stereo_downmix (void)
{
  g_autofree char *path = tmp_path ("stereo.wav");
  g_autofree float *frames = g_new (float, 2 * ADIS_CLIP_SAMPLES);
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO info = { .samplerate = ADIS_SAMPLE_RATE, .channels = 2,
                   .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *file;
  const float *samples;

  /* Left and right differ, so only an average gives these numbers */
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      frames[2 * i] = (float) (0.5 * sin (2 * G_PI * 440.0 * i / ADIS_SAMPLE_RATE));
      frames[2 * i + 1] = 0.25f;
    }
  file = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (file);
  sf_writef_float (file, frames, ADIS_CLIP_SAMPLES);
  sf_close (file);

  sound = adis_sound_load (path, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (sound);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i += 97)
    g_assert_cmpfloat_with_epsilon (samples[i], (frames[2 * i] + frames[2 * i + 1]) / 2.f, 1e-6);
}

static void
test_compressed_formats (void)
{
  static const struct { const char *name; int format; } formats[] = {
    { "tone.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
    { "tone.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
    { "tone.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
  };
  g_autofree float *frames = g_new (float, 2 * 44100 * 3);

  for (int i = 0; i < 44100 * 3; i++)
    frames[2 * i] = frames[2 * i + 1] = (float) (0.4 * sin (2 * G_PI * 660.0 * i / 44100));

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *path = tmp_path (formats[f].name);
      g_autoptr(AdisSound) sound = NULL;
      g_autoptr(GError) error = NULL;
      SF_INFO info = { .samplerate = 44100, .channels = 2, .format = formats[f].format };
      SNDFILE *file = sf_open (path, SFM_WRITE, &info);

      g_assert_nonnull (file);
      g_assert_cmpint (sf_writef_float (file, frames, 44100 * 3), ==, 44100 * 3);
      sf_close (file);

      sound = adis_sound_load (path, &error);
      g_assert_no_error (error);
      /* Vorbis and MP3 are lossy: a looser match, still the same tone */
      g_assert_cmpfloat_with_epsilon (tone_amplitude (adis_sound_get_samples (sound), 660.0), 0.4, 0.02);
      g_assert_cmpfloat (tone_amplitude (adis_sound_get_samples (sound), 1320.0), <, 0.01);
    }
}

static void
test_tile_and_cut (void)
{
  g_autofree float *short_clip = g_new (float, 7001);
  g_autofree float *long_clip = g_new (float, 5 * ADIS_SAMPLE_RATE);
  g_autoptr(AdisSound) tiled = NULL;
  g_autoptr(AdisSound) cut = NULL;
  g_autoptr(AdisSound) from_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("short.wav");
  const float *samples;

  /* Distinct values, so any misplaced sample shows */
  for (int i = 0; i < 7001; i++)
    short_clip[i] = (float) (i % 1000) / 1000.f - 0.5f;
  for (int i = 0; i < 5 * ADIS_SAMPLE_RATE; i++)
    long_clip[i] = (float) sin (i * 0.001);

  tiled = adis_sound_new_from_samples (short_clip, 7001, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (tiled);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    g_assert_cmpfloat (samples[i], ==, short_clip[i % 7001]);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_source_seconds (tiled), 7001.0 / ADIS_SAMPLE_RATE, 1e-9);

  cut = adis_sound_new_from_samples (long_clip, 5 * ADIS_SAMPLE_RATE, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (adis_sound_get_samples (cut), sizeof (float) * ADIS_CLIP_SAMPLES,
                   long_clip, sizeof (float) * ADIS_CLIP_SAMPLES);
  g_assert_cmpfloat (adis_sound_get_source_seconds (cut), ==, 5.0);

  /* The same through a 16-bit file: libsndfile reads v / 32768 exactly */
  test_write_tone_wav (path, 300.0, 0.8, 0.5, ADIS_SAMPLE_RATE, 1);
  from_file = adis_sound_load (path, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (from_file);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    g_assert_cmpfloat (samples[i], ==, samples[i % 8000]);
  g_assert_cmpfloat (samples[8000], ==, samples[0]);
  g_assert_cmpfloat (samples[1], !=, samples[0]);
}

static void
test_mix (void)
{
  g_autofree float *wave_a = g_new (float, ADIS_CLIP_SAMPLES);
  g_autofree float *wave_b = g_new (float, ADIS_CLIP_SAMPLES);
  g_autoptr(AdisSound) a = NULL;
  g_autoptr(AdisSound) b = NULL;
  g_autoptr(AdisSound) mixed = NULL;
  g_autoptr(AdisSound) louder = NULL;
  g_autoptr(GError) error = NULL;
  const float *samples;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      wave_a[i] = (float) sin (i * 0.01) * 0.3f;
      wave_b[i] = (float) cos (i * 0.037) * 0.2f;
    }
  a = adis_sound_new_from_samples (wave_a, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  b = adis_sound_new_from_samples (wave_b, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);

  mixed = adis_sound_mix (a, b, 1.5f, 0.25f, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (mixed);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    g_assert_cmpfloat_with_epsilon (samples[i], 1.5f * (0.75f * wave_a[i] + 0.25f * wave_b[i]), 1e-6);

  louder = adis_sound_mix (a, NULL, 2.f, 0.f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_peak (louder), 2.f * adis_sound_get_peak (a), 1e-6);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_rms (louder), 2.f * adis_sound_get_rms (a), 1e-5);

  g_assert_null (adis_sound_mix (a, b, -0.1f, 0.f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_mix (a, b, ADIS_MAX_GAIN + 0.5f, 0.f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_mix (a, b, 1.f, 1.5f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_mix (a, b, NAN, 0.5f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_mix (a, NULL, 1.f, 0.5f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

static void
expect_invalid (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSound) sound = adis_sound_load (path, &error);

  g_assert_null (sound);
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (strchr (error->message, '\n'));
}

/* An imported avstyle model's front end: each sound peak-normalised as it
 * was read, the gains applied after, even a gain a front end applied
 * beforehand (the window scales each sound by its volume slider first) */
static void
test_mix_peak_normalised (void)
{
  g_autofree float *wave_a = g_new (float, ADIS_CLIP_SAMPLES);
  g_autofree float *wave_b = g_new (float, ADIS_CLIP_SAMPLES);
  static const float silence[ADIS_CLIP_SAMPLES];
  g_autoptr(AdisSound) a = NULL;
  g_autoptr(AdisSound) b = NULL;
  g_autoptr(AdisSound) quiet = NULL;
  g_autoptr(AdisSound) normalised = NULL;
  g_autoptr(AdisSound) louder_first = NULL;
  g_autoptr(AdisSound) normalised_louder = NULL;
  g_autoptr(AdisSound) blend = NULL;
  g_autoptr(AdisSound) still_silent = NULL;
  g_autoptr(GError) error = NULL;
  const float *samples;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      wave_a[i] = (float) sin (i * 0.01) * 0.3f;
      wave_b[i] = (float) cos (i * 0.037) * 0.05f;
    }
  a = adis_sound_new_from_samples (wave_a, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  b = adis_sound_new_from_samples (wave_b, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  quiet = adis_sound_new_from_samples (silence, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);

  /* wav / (1.1 max|wav|) */
  normalised = adis_sound_mix_peak_normalised (a, NULL, 1.f, 0.f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_peak (normalised), 1.f / 1.1f, 1e-6);
  samples = adis_sound_get_samples (normalised);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i += 97)
    g_assert_cmpfloat_with_epsilon (samples[i], wave_a[i] / (1.1f * adis_sound_get_peak (a)), 1e-6);

  /* A sound made 3x louder first is 3x the normalised one, not the same */
  louder_first = adis_sound_mix (a, NULL, 3.f, 0.f, &error);
  normalised_louder = adis_sound_mix_peak_normalised (louder_first, NULL, 1.f, 0.f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (adis_sound_get_peak (normalised_louder), 3.f / 1.1f, 1e-5);

  /* A blend: each sound normalised, then weighted, then the gain */
  blend = adis_sound_mix_peak_normalised (a, b, 2.f, 0.25f, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (blend);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i += 97)
    g_assert_cmpfloat_with_epsilon (samples[i],
                                    2.f * (0.75f * wave_a[i] / (1.1f * adis_sound_get_peak (a)) +
                                           0.25f * wave_b[i] / (1.1f * adis_sound_get_peak (b))), 1e-5);

  /* Silence has no peak to scale to: it stays silent */
  still_silent = adis_sound_mix_peak_normalised (quiet, NULL, 1.f, 0.f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (adis_sound_get_peak (still_silent), ==, 0.f);

  /* adis_sound_mix's checks */
  g_assert_null (adis_sound_mix_peak_normalised (a, NULL, ADIS_MAX_GAIN + 1.f, 0.f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_mix_peak_normalised (a, NULL, 1.f, 0.5f, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

static void
test_bad_files (void)
{
  g_autofree char *empty = tmp_path ("empty.wav");
  g_autofree char *no_frames = tmp_path ("no-frames.wav");
  g_autofree char *corrupt = tmp_path ("corrupt.wav");
  g_autofree char *text = tmp_path ("notes.wav");
  g_autofree char *missing = tmp_path ("missing.wav");
  g_autofree char *good = tmp_path ("good.wav");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  expect_invalid (empty);

  test_write_tone_wav (no_frames, 440.0, 0.5, 0.0, ADIS_SAMPLE_RATE, 1);
  expect_invalid (no_frames);

  /* A real WAV whose header is scrambled */
  test_write_tone_wav (good, 440.0, 0.5, 1.0, ADIS_SAMPLE_RATE, 1);
  g_file_get_contents (good, &contents, &length, &error);
  g_assert_no_error (error);
  memset (contents, 'Z', 16);
  g_file_set_contents (corrupt, contents, (gssize) length, &error);
  g_assert_no_error (error);
  expect_invalid (corrupt);

  g_file_set_contents (text, "This is a shopping list, not a sound.\nMilk\nEggs\n", -1, &error);
  g_assert_no_error (error);
  expect_invalid (text);

  expect_invalid (missing);
}

static void
test_bad_samples (void)
{
  float one = 0.f;
  g_autoptr(GError) error = NULL;

  g_assert_null (adis_sound_new_from_samples (&one, 0, ADIS_SAMPLE_RATE, 1, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_new_from_samples (&one, 1, 0, 1, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (adis_sound_new_from_samples (&one, 1, ADIS_SAMPLE_RATE, 0, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
}

static void
test_save_wav (void)
{
  g_autofree float *wave = g_new (float, ADIS_CLIP_SAMPLES);
  g_autofree char *path = tmp_path ("saved.wav");
  g_autofree char *unwritable = tmp_path ("no-such-dir/saved.wav");
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(AdisSound) loud = NULL;
  g_autoptr(AdisSound) reloaded = NULL;
  g_autoptr(AdisSound) clipped = NULL;
  g_autoptr(GError) error = NULL;
  const float *samples;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    wave[i] = (float) (0.6 * sin (i * 0.05));
  sound = adis_sound_new_from_samples (wave, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);

  g_assert_true (adis_sound_save_wav (sound, path, &error));
  g_assert_no_error (error);
  reloaded = adis_sound_load (path, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (reloaded);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    g_assert_cmpfloat_with_epsilon (samples[i], wave[i], 1.0 / 32768);

  /* Over full scale clips instead of wrapping around */
  loud = adis_sound_mix (sound, NULL, 4.f, 0.f, &error);
  g_assert_true (adis_sound_save_wav (loud, path, &error));
  clipped = adis_sound_load (path, &error);
  g_assert_no_error (error);
  samples = adis_sound_get_samples (clipped);
  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    if (wave[i] > 0.3f)
      g_assert_cmpfloat (samples[i], >, 0.99f);

  g_assert_false (adis_sound_save_wav (sound, unwritable, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_IO);
  g_assert_false (g_file_test (unwritable, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = test_make_tmpdir ("test-audio");

  g_test_add_func ("/soundstyle/audio/sample-rates", test_sample_rates);
  g_test_add_func ("/soundstyle/audio/stereo-downmix", test_stereo_downmix);
  g_test_add_func ("/soundstyle/audio/flac-ogg-mp3", test_compressed_formats);
  g_test_add_func ("/soundstyle/audio/tile-and-cut", test_tile_and_cut);
  g_test_add_func ("/soundstyle/audio/mix", test_mix);
  g_test_add_func ("/soundstyle/audio/mix-peak-normalised", test_mix_peak_normalised);
  g_test_add_func ("/soundstyle/audio/bad-files", test_bad_files);
  g_test_add_func ("/soundstyle/audio/bad-samples", test_bad_samples);
  g_test_add_func ("/soundstyle/audio/save-wav", test_save_wav);

  status = g_test_run ();
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  return status;
}
