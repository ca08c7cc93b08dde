/* adis-manifest-rows.c: manifest.tsv's rows: the split rule, the rules
 * every field obeys, a row parsed and written, and a file of rows read
 * within limits (for the reader, adis-manifest.c, and the writer's journal,
 * adis-manifest-writer.c)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "adis-manifest-private.h"

#define N_FIELDS            7
/* Larger files are refused rather than read into memory */
#define MAX_MANIFEST_BYTES  ((gsize) 1 << 31)
#define MAX_PATH_BYTES      1024
#define MAX_START_SECONDS   1e7

/* --- splits -------------------------------------------------------------- */

gboolean
adis_split_parse (const char  *name,
                  AdisSplit   *out_split,
                  GError     **error)
{
  static const AdisSplit all[] = { ADIS_SPLIT_TRAIN, ADIS_SPLIT_TEST, ADIS_SPLIT_ALL };

  g_return_val_if_fail (out_split != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (g_strcmp0 (name, adis_split_to_string (all[i])) == 0)
      {
        *out_split = all[i];
        return TRUE;
      }
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "Unknown split “%s”: expected train, test or all", name ? name : "");
  return FALSE;
}

const char *
adis_split_to_string (AdisSplit split)
{
  switch (split)
    {
    case ADIS_SPLIT_TRAIN: return "train";
    case ADIS_SPLIT_TEST:  return "test";
    case ADIS_SPLIT_ALL:   return "all";
    default:               return "?";
    }
}

/* FNV-1a over the seed and the key, then SplitMix64's finaliser, whose
 * avalanche makes neighbouring names land independently. */
static guint64
hash_key (guint64     seed,
          const char *key)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (int i = 0; i < 8; i++)
    {
      h ^= (seed >> (8 * i)) & 0xff;
      h *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  for (const guchar *p = (const guchar *) key; *p; p++)
    {
      h ^= *p;
      h *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  h ^= h >> 30;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  h ^= h >> 27;
  h *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  h ^= h >> 31;
  return h;
}

AdisSplit
adis_split_choose (AdisSplitBy  by,
                   const char  *clip_id,
                   const char  *source,
                   guint64      seed,
                   double       test_fraction)
{
  const char *key = by == ADIS_SPLIT_BY_SOURCE ? source : clip_id;
  double u;

  g_return_val_if_fail (key != NULL, ADIS_SPLIT_TRAIN);

  /* 53 bits: a uniform double in [0, 1) */
  u = (double) (hash_key (seed, key) >> 11) * (1.0 / 9007199254740992.0);
  return u < test_fraction ? ADIS_SPLIT_TEST : ADIS_SPLIT_TRAIN;
}

/* --- field rules --------------------------------------------------------- */

gboolean
adis_clip_id_is_valid (const char *clip_id)
{
  gsize n = 0;

  if (clip_id == NULL)
    return FALSE;
  for (const char *p = clip_id; *p; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return n >= 1 && n <= ADIS_CLIP_ID_MAX;
}

/* Printable text: no tabs, newlines or other control characters */
static gboolean
is_plain_text (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return g_utf8_validate (text, -1, NULL);
}

gboolean
adis_manifest_path_is_safe (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || path[0] == '\0' || path[0] == '/' || strlen (path) > MAX_PATH_BYTES)
    return FALSE;
  /* ';' separates frames; a backslash is a separator elsewhere */
  if (!is_plain_text (path) || strchr (path, ';') != NULL || strchr (path, '\\') != NULL)
    return FALSE;

  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static gboolean
fail_field (GError     **error,
            const char  *field,
            const char  *why)
{
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s %s", field, why);
  return FALSE;
}

gboolean
adis_clip_validate (const AdisClip  *clip,
                    GError         **error)
{
  guint n_frames;

  g_return_val_if_fail (clip != NULL, FALSE);

  if (!adis_clip_id_is_valid (clip->clip_id))
    return fail_field (error, "clip_id",
                       "must be 1-200 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
  if (clip->source == NULL || clip->source[0] == '\0' || !is_plain_text (clip->source))
    return fail_field (error, "source", "must be non-empty text without tabs or control characters");
  if (!isfinite (clip->start) || clip->start < 0.0 || clip->start > MAX_START_SECONDS)
    return fail_field (error, "start", "must be a number of seconds from 0 to 10000000");
  n_frames = clip->frames ? g_strv_length (clip->frames) : 0;
  if (n_frames < 1 || n_frames > ADIS_CLIP_MAX_FRAMES)
    return fail_field (error, "frames", "must list 1 to 1024 files separated by ';'");
  for (guint i = 0; i < n_frames; i++)
    if (!adis_manifest_path_is_safe (clip->frames[i]))
      {
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                     "frame path “%s” must be relative and stay inside the dataset",
                     is_plain_text (clip->frames[i]) ? clip->frames[i] : "(not text)");
        return FALSE;
      }
  if (!adis_manifest_path_is_safe (clip->audio))
    return fail_field (error, "audio", "path must be relative and stay inside the dataset");
  if (clip->split != ADIS_SPLIT_TRAIN && clip->split != ADIS_SPLIT_TEST)
    return fail_field (error, "split", "must be train or test");
  if (clip->category == NULL || !is_plain_text (clip->category))
    return fail_field (error, "category", "must be text without tabs or control characters");
  return TRUE;
}

void
adis_clip_clear (AdisClip *clip)
{
  g_free (clip->clip_id);
  g_free (clip->source);
  g_strfreev (clip->frames);
  g_free (clip->audio);
  g_free (clip->category);
}

/* Parses one row (without its newline) into clip; the error says what */
gboolean
adis_manifest_parse_row (char      *line,
                         AdisClip  *clip,
                         GError   **error)
{
  char *fields[N_FIELDS];
  char *cursor = line;
  char *end = NULL;
  guint n = 0;

  memset (clip, 0, sizeof *clip);
  while (n < N_FIELDS)
    {
      char *tab = strchr (cursor, '\t');

      fields[n++] = cursor;
      if (tab == NULL)
        break;
      *tab = '\0';
      cursor = tab + 1;
      if (n == N_FIELDS)
        return fail_field (error, "row", "has more than 7 tab-separated fields");
    }
  if (n != N_FIELDS)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "row has %u tab-separated fields, expected 7", n);
      return FALSE;
    }

  if (fields[2][0] == '\0' || g_ascii_isspace (fields[2][0]))
    return fail_field (error, "start", "is not a number");
  errno = 0;
  clip->start = g_ascii_strtod (fields[2], &end);
  if (errno != 0 || end == NULL || *end != '\0')
    return fail_field (error, "start", "is not a number");

  if (g_str_equal (fields[5], "train"))
    clip->split = ADIS_SPLIT_TRAIN;
  else if (g_str_equal (fields[5], "test"))
    clip->split = ADIS_SPLIT_TEST;
  else
    return fail_field (error, "split", "must be train or test");

  clip->clip_id = g_strdup (fields[0]);
  clip->source = g_strdup (fields[1]);
  clip->frames = g_strsplit (fields[3], ";", ADIS_CLIP_MAX_FRAMES + 1);
  clip->audio = g_strdup (fields[4]);
  clip->category = g_strdup (fields[6]);
  return adis_clip_validate (clip, error);
}

void
adis_manifest_append_row (GString        *out,
                          const AdisClip *clip)
{
  char start[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len;

  /* Microseconds are plenty; trailing zeros only add noise */
  g_ascii_formatd (start, sizeof start, "%.6f", clip->start);
  len = strlen (start);
  while (len > 1 && start[len - 1] == '0')
    start[--len] = '\0';
  if (len > 1 && start[len - 1] == '.')
    start[--len] = '\0';

  g_string_append_printf (out, "%s\t%s\t%s\t", clip->clip_id, clip->source, start);
  for (guint i = 0; clip->frames[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ';');
      g_string_append (out, clip->frames[i]);
    }
  g_string_append_printf (out, "\t%s\t%s\t%s\n", clip->audio,
                          adis_split_to_string (clip->split), clip->category);
}

gboolean
adis_manifest_fail_line (GError     **error,
                         const char  *name,
                         guint        line,
                         const char  *message)
{
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s line %u: %s", name, line, message);
  return FALSE;
}

/* --- files of rows -------------------------------------------------------- */

char *
adis_manifest_read_limited (const char  *path,
                            gsize       *out_length,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  char *contents = NULL;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: %s", path, g_strerror (errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || (guint64) st.st_size > MAX_MANIFEST_BYTES)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: not a regular file of at most 2 GiB", path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, out_length, &local_error))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s", local_error->message);
      return NULL;
    }
  return contents;
}
