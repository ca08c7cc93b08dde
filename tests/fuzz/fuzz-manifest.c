/* fuzz-manifest.c: libFuzzer harness for the dataset manifest reader
 *
 * SPDX-License-Identifier: MIT
 *
 * The input is a manifest.tsv's text (adis_manifest_parse). Whatever it
 * holds, the result is a manifest whose every row passes the row checks
 * (ids unique and valid, paths inside the dataset, at least one frame, a
 * real split) or a one-line error naming the file.
 */
#include "config.h"

#include <math.h>

#include "fuzz-util.h"

#define NAME "/fuzz/dataset/manifest.tsv"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisManifest) manifest = NULL;

  if (!initialized)
    {
      fuzz_init ();
      initialized = TRUE;
    }

  manifest = adis_manifest_parse (NAME, (const char *) data, size, &error);
  fuzz_check_outcome (manifest != NULL, error, NAME);
  if (manifest == NULL)
    return 0;

  for (guint i = 0; i < adis_manifest_get_n_clips (manifest); i++)
    {
      const AdisClip *clip = adis_manifest_get_clip (manifest, i);
      g_autoptr(GError) clip_error = NULL;

      if (!adis_clip_validate (clip, &clip_error))
        g_error ("row %u passed the reader but not the row check: %s", i, clip_error->message);
      if (adis_manifest_find (manifest, clip->clip_id) != (int) i)
        g_error ("clip %s is not found at its own row", clip->clip_id);
      if (!adis_manifest_path_is_safe (clip->audio) || clip->frames == NULL || clip->frames[0] == NULL)
        g_error ("clip %s: unsafe audio path or no frame", clip->clip_id);
      for (char **f = clip->frames; *f != NULL; f++)
        if (!adis_manifest_path_is_safe (*f))
          g_error ("clip %s: frame path %s leaves the dataset", clip->clip_id, *f);
      if (!isfinite (clip->start) || (clip->split != ADIS_SPLIT_TRAIN && clip->split != ADIS_SPLIT_TEST))
        g_error ("clip %s: start or split out of range", clip->clip_id);
    }

  return 0;
}
