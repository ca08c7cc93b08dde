/* adis-manifest-private.h: what the manifest's reader (adis-manifest.c) and
 * writer (adis-manifest-writer.c) share of its rows (adis-manifest-rows.c)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-manifest.h"

G_BEGIN_DECLS

/* The writer reads the ids of a manifest it opens */
struct _AdisManifest
{
  GArray     *clips;   /* AdisClip */
  GHashTable *by_id;   /* clip_id (owned by clips) -> index + 1 */
};

/* Frees the clip's fields (not the clip) */
void      adis_clip_clear            (AdisClip        *clip);
/* Parses one row (without its newline) into clip; the error says what */
gboolean  adis_manifest_parse_row    (char            *line,
                                      AdisClip        *clip,
                                      GError         **error);
/* Appends the clip as one row, newline included */
void      adis_manifest_append_row   (GString         *out,
                                      const AdisClip  *clip);
/* "NAME line N: MESSAGE" as an invalid-input error; returns FALSE */
gboolean  adis_manifest_fail_line    (GError         **error,
                                      const char      *name,
                                      guint            line,
                                      const char      *message);
/* The file's contents, refused above the manifest's size limit */
char     *adis_manifest_read_limited (const char      *path,
                                      gsize           *out_length,
                                      GError         **error);

G_END_DECLS
