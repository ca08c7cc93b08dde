/* soundstyle-sound-mix.c: the window's two sounds, volumes and mix as one sound code
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include "soundstyle-sound-mix.h"

static AdisSound *
scaled_or_silent (AdisSound  *sound,
                  float       gain,
                  GError    **error)
{
  static const float silence[ADIS_CLIP_SAMPLES];

  if (sound == NULL)
    return adis_sound_new_from_samples (silence, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, error);
  return adis_sound_mix (sound, NULL, gain, 0.0f, error);
}

/* The window's two volumes and the mix become the engine's one call:
 * (1 - w) * gain_a * a + w * gain_b * b */
AdisSoundCode *
soundstyle_encode_sound_mix (AdisModel     *model,
                             AdisSound     *a,
                             float          gain_a,
                             AdisSound     *b,
                             float          gain_b,
                             float          mix,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(AdisSound) scaled_a = NULL;
  g_autoptr(AdisSound) scaled_b = NULL;

  g_return_val_if_fail (model != NULL, NULL);

  if ((scaled_a = scaled_or_silent (a, gain_a, error)) == NULL)
    return NULL;
  if (mix > 0.0f && (scaled_b = scaled_or_silent (b, gain_b, error)) == NULL)
    return NULL;

  return adis_model_encode_sound (model, scaled_a, scaled_b, 1.0f,
                                  scaled_b != NULL ? mix : 0.0f,
                                  cancellable, error);
}
