/* soundstyle-audio-wav.c: a whole recording as a 16-bit WAV file
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-audio"

#include "config.h"

#include <math.h>
#include <string.h>

#include "soundstyle-audio-io.h"

#define WAV_HEADER_BYTES 44

static void
put_u32 (guint8 *at,
         guint32 value)
{
  value = GUINT32_TO_LE (value);
  memcpy (at, &value, 4);
}

static void
put_u16 (guint8 *at,
         guint16 value)
{
  value = GUINT16_TO_LE (value);
  memcpy (at, &value, 2);
}

gboolean
soundstyle_audio_save_wav (const float  *samples,
                           gsize         n_samples,
                           int           sample_rate,
                           const char   *path,
                           GError      **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize data_bytes;

  g_return_val_if_fail (samples != NULL || n_samples == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* RIFF sizes are 32-bit */
  if (sample_rate < 1 || n_samples > (G_MAXUINT32 - WAV_HEADER_BYTES) / 2)
    {
      g_set_error (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_FAILED,
                   "Cannot write “%s”: %" G_GSIZE_FORMAT " samples at %d Hz do not fit a WAV file",
                   path, n_samples, sample_rate);
      return FALSE;
    }

  data_bytes = n_samples * 2;
  bytes = g_malloc (WAV_HEADER_BYTES + data_bytes);
  memcpy (bytes, "RIFF", 4);
  put_u32 (bytes + 4, (guint32) (36 + data_bytes));
  memcpy (bytes + 8, "WAVEfmt ", 8);
  put_u32 (bytes + 16, 16);                      /* fmt chunk size */
  put_u16 (bytes + 20, 1);                       /* PCM */
  put_u16 (bytes + 22, 1);                       /* mono */
  put_u32 (bytes + 24, (guint32) sample_rate);
  put_u32 (bytes + 28, (guint32) sample_rate * 2);
  put_u16 (bytes + 32, 2);                       /* block align */
  put_u16 (bytes + 34, 16);                      /* bits */
  memcpy (bytes + 36, "data", 4);
  put_u32 (bytes + 40, (guint32) data_bytes);

  for (gsize i = 0; i < n_samples; i++)
    {
      /* Clip rather than wrap: a loud input must not flip sign */
      float x = CLAMP (samples[i], -1.0f, 1.0f);

      put_u16 (bytes + WAV_HEADER_BYTES + 2 * i, (guint16) (gint16) lrintf (x * 32767.0f));
    }

  return adis_write_file_atomic (path, bytes, WAV_HEADER_BYTES + data_bytes, error);
}
