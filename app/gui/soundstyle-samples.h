/* soundstyle-samples.h: the bundled sample sounds and photos
 *
 * SPDX-License-Identifier: MIT
 *
 * The folder is listed when the app starts, from the installed data dir or
 * the source tree, so whatever samples ship are offered without a list to
 * keep in step.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SOUNDSTYLE_SAMPLE_SOUND,
  SOUNDSTYLE_SAMPLE_PHOTO,
} SoundstyleSampleKind;

/* Full paths, sorted by name; an empty array when no samples are installed */
GPtrArray   *soundstyle_samples_list         (SoundstyleSampleKind  kind);

/* "heavy-rain_2.ogg" -> "Heavy rain 2" */
char        *soundstyle_samples_display_name (const char           *path);

/* The CREDITS file beside the samples, or NULL */
char        *soundstyle_samples_read_credits (void);

G_END_DECLS
