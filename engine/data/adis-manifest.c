/* adis-manifest.c: manifest.tsv read as untrusted input (its rows are in
 * adis-manifest-rows.c, its writer in adis-manifest-writer.c)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <string.h>

#include "adis-manifest-private.h"

static AdisManifest *
manifest_new (void)
{
  AdisManifest *self = g_atomic_rc_box_new0 (AdisManifest);

  self->clips = g_array_new (FALSE, TRUE, sizeof (AdisClip));
  g_array_set_clear_func (self->clips, (GDestroyNotify) adis_clip_clear);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

/* Adds a parsed row unless its id is taken; takes the clip's fields */
static gboolean
manifest_add (AdisManifest  *self,
              AdisClip      *clip,
              const char    *name,
              guint          line,
              GError       **error)
{
  gpointer previous = g_hash_table_lookup (self->by_id, clip->clip_id);

  if (previous != NULL)
    {
      g_autofree char *message = g_strdup_printf ("clip id “%s” is already on line %u",
                                                  clip->clip_id, GPOINTER_TO_UINT (previous) + 2);
      adis_clip_clear (clip);
      return adis_manifest_fail_line (error, name, line, message);
    }
  g_array_append_val (self->clips, *clip);
  g_hash_table_insert (self->by_id,
                       g_array_index (self->clips, AdisClip, self->clips->len - 1).clip_id,
                       GUINT_TO_POINTER (self->clips->len));
  return TRUE;
}

AdisManifest *
adis_manifest_parse (const char  *name,
                     const char  *text,
                     gsize        length,
                     GError     **error)
{
  g_autoptr(AdisManifest) self = manifest_new ();
  g_autofree char *magic = g_strdup_printf ("%s\t%d", ADIS_MANIFEST_MAGIC, ADIS_MANIFEST_VERSION);
  const char *cursor = text;
  const char *end = text + length;
  guint line_number = 0;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length > 0 && memchr (text, '\0', length) != NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: not a text file", name);
      return NULL;
    }
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: not UTF-8 text", name);
      return NULL;
    }

  while (cursor < end)
    {
      const char *newline = memchr (cursor, '\n', end - cursor);
      g_autofree char *line = NULL;
      g_autoptr(GError) local_error = NULL;
      AdisClip clip;

      line_number++;
      if (newline == NULL)
        {
          adis_manifest_fail_line (error, name, line_number, "the last line has no end: the file is cut short");
          return NULL;
        }
      line = g_strndup (cursor, newline - cursor);
      cursor = newline + 1;

      if (line_number == 1)
        {
          if (g_str_has_prefix (line, ADIS_MANIFEST_MAGIC "\t") && !g_str_equal (line, magic))
            {
              adis_manifest_fail_line (error, name, 1, "a newer dataset format than this Soundstyle reads");
              return NULL;
            }
          if (!g_str_equal (line, magic))
            {
              adis_manifest_fail_line (error, name, 1, "not a Soundstyle dataset manifest "
                                       "(expected “" ADIS_MANIFEST_MAGIC "<TAB>1”)");
              return NULL;
            }
          continue;
        }
      if (line_number == 2)
        {
          if (!g_str_equal (line, ADIS_MANIFEST_HEADER))
            {
              adis_manifest_fail_line (error, name, 2, "expected the header "
                                       "“clip_id source start frames audio split category” (tab-separated)");
              return NULL;
            }
          continue;
        }

      if (!adis_manifest_parse_row (line, &clip, &local_error))
        {
          adis_clip_clear (&clip);
          adis_manifest_fail_line (error, name, line_number, local_error->message);
          return NULL;
        }
      if (!manifest_add (self, &clip, name, line_number, error))
        return NULL;
    }

  if (line_number < 2)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: not a Soundstyle dataset manifest (no header)", name);
      return NULL;
    }
  return g_steal_pointer (&self);
}

AdisManifest *
adis_manifest_load (const char  *dataset_dir,
                    GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (dataset_dir != NULL, NULL);

  path = g_build_filename (dataset_dir, ADIS_MANIFEST_FILE, NULL);
  contents = adis_manifest_read_limited (path, &length, error);
  if (contents == NULL)
    return NULL;
  return adis_manifest_parse (path, contents, length, error);
}

static void
manifest_clear (gpointer data)
{
  AdisManifest *self = data;

  g_hash_table_unref (self->by_id);
  g_array_unref (self->clips);
}

AdisManifest *
adis_manifest_ref (AdisManifest *manifest)
{
  g_return_val_if_fail (manifest != NULL, NULL);
  return g_atomic_rc_box_acquire (manifest);
}

void
adis_manifest_unref (AdisManifest *manifest)
{
  g_return_if_fail (manifest != NULL);
  g_atomic_rc_box_release_full (manifest, manifest_clear);
}

guint
adis_manifest_get_n_clips (AdisManifest *manifest)
{
  g_return_val_if_fail (manifest != NULL, 0);
  return manifest->clips->len;
}

const AdisClip *
adis_manifest_get_clip (AdisManifest *manifest,
                        guint         index)
{
  g_return_val_if_fail (manifest != NULL, NULL);
  g_return_val_if_fail (index < manifest->clips->len, NULL);
  return &g_array_index (manifest->clips, AdisClip, index);
}

int
adis_manifest_find (AdisManifest *manifest,
                    const char   *clip_id)
{
  g_return_val_if_fail (manifest != NULL, -1);
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (manifest->by_id, clip_id)) - 1;
}
