/* fuzz-audio.c: libFuzzer harness for the audio reader (adis_sound_load)
 *
 * SPDX-License-Identifier: MIT
 *
 * libsndfile does the decoding; what is fuzzed is our use of it: the format
 * checks, the block-wise downmix, the resampler call and the 3-s rule.
 * Whatever the file, the result is exactly one clip of finite samples or a
 * one-line error naming the file.
 */
#include "config.h"

#include <math.h>

#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSound) sound = NULL;
  const char *path;

  if (!initialized)
    {
      fuzz_init ();
      initialized = TRUE;
    }

  path = fuzz_input_path (data, size);
  sound = adis_sound_load (path, &error);
  fuzz_check_outcome (sound != NULL, error, path);

  if (sound != NULL)
    {
      const float *samples = adis_sound_get_samples (sound);

      for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
        if (!isfinite (samples[i]))
          g_error ("sample %d is %g", i, samples[i]);
      if (!isfinite (adis_sound_get_rms (sound)) || !(adis_sound_get_source_seconds (sound) > 0))
        g_error ("levels or length are not sane");
    }

  return 0;
}
