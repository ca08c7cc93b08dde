/* adis-manifest.c: manifest.tsv, read as untrusted input and written so that
 * it is always whole
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"
/* flock and fsync */
#define _DEFAULT_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "adis-manifest.h"

#define N_FIELDS            7
/* Larger files are refused rather than read into memory */
#define MAX_MANIFEST_BYTES  ((gsize) 1 << 31)
#define MAX_PATH_BYTES      1024
#define MAX_START_SECONDS   1e7
#define JOURNAL_FILE        ADIS_MANIFEST_FILE ".journal"
#define LOCK_FILE           ".manifest.lock"
/* Commits come when pending rows reach a quarter of those committed (so
 * the total rewriting stays linear in the size of the set), or after a while */
#define COMMIT_MIN_ROWS     256
#define COMMIT_MAX_USEC     (30 * G_USEC_PER_SEC)

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

static void
clip_clear (AdisClip *clip)
{
  g_free (clip->clip_id);
  g_free (clip->source);
  g_strfreev (clip->frames);
  g_free (clip->audio);
  g_free (clip->category);
}

/* Parses one row (without its newline) into clip; the error says what */
static gboolean
parse_row (char      *line,
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

static void
append_row (GString        *out,
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

/* --- reading ------------------------------------------------------------- */

struct _AdisManifest
{
  GArray     *clips;   /* AdisClip */
  GHashTable *by_id;   /* clip_id (owned by clips) -> index + 1 */
};

static AdisManifest *
manifest_new (void)
{
  AdisManifest *self = g_atomic_rc_box_new0 (AdisManifest);

  self->clips = g_array_new (FALSE, TRUE, sizeof (AdisClip));
  g_array_set_clear_func (self->clips, (GDestroyNotify) clip_clear);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

static gboolean
fail_line (GError     **error,
           const char  *name,
           guint        line,
           const char  *message)
{
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s line %u: %s", name, line, message);
  return FALSE;
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
      clip_clear (clip);
      return fail_line (error, name, line, message);
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
          fail_line (error, name, line_number, "the last line has no end: the file is cut short");
          return NULL;
        }
      line = g_strndup (cursor, newline - cursor);
      cursor = newline + 1;

      if (line_number == 1)
        {
          if (g_str_has_prefix (line, ADIS_MANIFEST_MAGIC "\t") && !g_str_equal (line, magic))
            {
              fail_line (error, name, 1, "a newer dataset format than this Soundstyle reads");
              return NULL;
            }
          if (!g_str_equal (line, magic))
            {
              fail_line (error, name, 1, "not a Soundstyle dataset manifest "
                         "(expected “" ADIS_MANIFEST_MAGIC "<TAB>1”)");
              return NULL;
            }
          continue;
        }
      if (line_number == 2)
        {
          if (!g_str_equal (line, ADIS_MANIFEST_HEADER))
            {
              fail_line (error, name, 2, "expected the header "
                         "“clip_id source start frames audio split category” (tab-separated)");
              return NULL;
            }
          continue;
        }

      if (!parse_row (line, &clip, &local_error))
        {
          clip_clear (&clip);
          fail_line (error, name, line_number, local_error->message);
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

static char *
read_limited (const char  *path,
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

AdisManifest *
adis_manifest_load (const char  *dataset_dir,
                    GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (dataset_dir != NULL, NULL);

  path = g_build_filename (dataset_dir, ADIS_MANIFEST_FILE, NULL);
  contents = read_limited (path, &length, error);
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

/* --- writing ------------------------------------------------------------- */

struct _AdisManifestWriter
{
  char       *dir;
  char       *manifest_path;
  char       *journal_path;
  int         lock_fd;
  int         journal_fd;
  GHashTable *ids;            /* every clip id taken, committed or pending */
  guint       n_committed;
  GString    *pending;        /* rows written to the journal, not yet committed */
  guint       n_pending;
  gint64      last_commit_usec;
};

static gboolean
set_io_error (GError     **error,
              const char  *path,
              int          saved_errno)
{
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s: %s", path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* The committed manifest plus the pending rows into a temporary file, then
 * fsync and rename: a reader sees the old manifest or the new, never a mix.
 * The old one is copied in blocks rather than held in memory. */
static gboolean
write_merged (AdisManifestWriter  *self,
              GError             **error)
{
  g_autofree char *tmp_path = g_strconcat (self->manifest_path, ".XXXXXX", NULL);
  char buffer[65536];
  int in_fd;
  int out_fd;
  int dir_fd;

  out_fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (out_fd < 0)
    return set_io_error (error, tmp_path, errno);

  in_fd = open (self->manifest_path, O_RDONLY | O_CLOEXEC);
  if (in_fd >= 0)
    {
      gssize n;

      while ((n = read (in_fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && !write_all (out_fd, buffer, n))
          goto failed;
      close (in_fd);
      in_fd = -1;
      if (n < 0)
        goto failed;
    }
  else
    {
      g_autofree char *head = g_strdup_printf ("%s\t%d\n%s\n", ADIS_MANIFEST_MAGIC,
                                               ADIS_MANIFEST_VERSION, ADIS_MANIFEST_HEADER);
      if (!write_all (out_fd, head, strlen (head)))
        goto failed;
    }

  if (!write_all (out_fd, self->pending->str, self->pending->len) || fsync (out_fd) != 0)
    goto failed;
  if (close (out_fd) != 0)
    {
      out_fd = -1;
      goto failed;
    }
  out_fd = -1;
  if (g_rename (tmp_path, self->manifest_path) != 0)
    goto failed;

  /* The rename itself is durable only once the folder is synced */
  dir_fd = open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;

failed:
  {
    int saved_errno = errno ? errno : EIO;

    if (in_fd >= 0)
      close (in_fd);
    if (out_fd >= 0)
      close (out_fd);
    g_unlink (tmp_path);
    return set_io_error (error, self->manifest_path, saved_errno);
  }
}

gboolean
adis_manifest_writer_commit (AdisManifestWriter  *writer,
                             GError             **error)
{
  g_return_val_if_fail (writer != NULL, FALSE);

  writer->last_commit_usec = g_get_monotonic_time ();
  if (writer->n_pending == 0 && g_file_test (writer->manifest_path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!write_merged (writer, error))
    return FALSE;

  /* The rows are in the manifest now; a crash before this truncation
   * leaves them in the journal too, and recovery skips ids already taken. */
  if (ftruncate (writer->journal_fd, 0) != 0 || fsync (writer->journal_fd) != 0)
    return set_io_error (error, writer->journal_path, errno);
  writer->n_committed += writer->n_pending;
  writer->n_pending = 0;
  g_string_truncate (writer->pending, 0);
  return TRUE;
}

static gboolean
files_exist (const char     *dir,
             const AdisClip *clip,
             const char    **out_missing)
{
  g_autofree char *audio = g_build_filename (dir, clip->audio, NULL);

  if (!g_file_test (audio, G_FILE_TEST_IS_REGULAR))
    {
      *out_missing = clip->audio;
      return FALSE;
    }
  for (guint i = 0; clip->frames[i] != NULL; i++)
    {
      g_autofree char *frame = g_build_filename (dir, clip->frames[i], NULL);

      if (!g_file_test (frame, G_FILE_TEST_IS_REGULAR))
        {
          *out_missing = clip->frames[i];
          return FALSE;
        }
    }
  return TRUE;
}

/* Rows a killed run left in the journal: whole lines whose files are all on
 * disk and whose ids are not yet in the manifest. A last line without its
 * newline was being written when the run died and is dropped. */
static gboolean
recover_journal (AdisManifestWriter  *self,
                 GError             **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  char *cursor;
  char *end;
  guint line_number = 0;

  if (!g_file_test (self->journal_path, G_FILE_TEST_EXISTS))
    return TRUE;
  contents = read_limited (self->journal_path, &length, error);
  if (contents == NULL)
    return FALSE;

  cursor = contents;
  end = contents + length;
  while (cursor < end)
    {
      char *newline = memchr (cursor, '\n', end - cursor);
      g_autoptr(GError) local_error = NULL;
      const char *missing = NULL;
      AdisClip clip;

      line_number++;
      if (newline == NULL)
        break;
      *newline = '\0';
      if (!g_utf8_validate (cursor, -1, NULL) || !parse_row (cursor, &clip, &local_error))
        {
          clip_clear (&clip);
          return fail_line (error, self->journal_path, line_number,
                            local_error ? local_error->message : "not UTF-8 text");
        }
      if (!g_hash_table_contains (self->ids, clip.clip_id) &&
          files_exist (self->dir, &clip, &missing))
        {
          append_row (self->pending, &clip);
          self->n_pending++;
          g_hash_table_add (self->ids, g_strdup (clip.clip_id));
        }
      clip_clear (&clip);
      cursor = newline + 1;
    }
  return TRUE;
}

AdisManifestWriter *
adis_manifest_writer_open (const char  *dataset_dir,
                           GError     **error)
{
  g_autoptr(AdisManifestWriter) self = NULL;
  g_autofree char *lock_path = NULL;
  const char *subdirs[] = { ADIS_DATASET_FRAMES_DIR, ADIS_DATASET_AUDIO_DIR };

  g_return_val_if_fail (dataset_dir != NULL, NULL);

  if (g_mkdir_with_parents (dataset_dir, 0755) != 0)
    {
      set_io_error (error, dataset_dir, errno);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (dataset_dir, subdirs[i], NULL);

      if (g_mkdir_with_parents (sub, 0755) != 0)
        {
          set_io_error (error, sub, errno);
          return NULL;
        }
    }

  self = g_new0 (AdisManifestWriter, 1);
  self->lock_fd = -1;
  self->journal_fd = -1;
  self->dir = g_strdup (dataset_dir);
  self->manifest_path = g_build_filename (dataset_dir, ADIS_MANIFEST_FILE, NULL);
  self->journal_path = g_build_filename (dataset_dir, JOURNAL_FILE, NULL);
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_string_new (NULL);

  lock_path = g_build_filename (dataset_dir, LOCK_FILE, NULL);
  self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (self->lock_fd < 0)
    {
      set_io_error (error, lock_path, errno);
      return NULL;
    }
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: another process is writing this dataset", dataset_dir);
      return NULL;
    }

  if (g_file_test (self->manifest_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(AdisManifest) existing = adis_manifest_load (dataset_dir, error);

      if (existing == NULL)
        return NULL;
      for (guint i = 0; i < existing->clips->len; i++)
        g_hash_table_add (self->ids, g_strdup (g_array_index (existing->clips, AdisClip, i).clip_id));
      self->n_committed = existing->clips->len;
    }

  if (!recover_journal (self, error))
    return NULL;
  self->journal_fd = open (self->journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (self->journal_fd < 0)
    {
      set_io_error (error, self->journal_path, errno);
      return NULL;
    }
  /* Recovered rows (or a fresh dataset's header) go in at once */
  if (!adis_manifest_writer_commit (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
adis_manifest_writer_add (AdisManifestWriter  *writer,
                          const AdisClip      *clip,
                          GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *missing = NULL;
  gsize row_start;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (clip != NULL, FALSE);

  if (!adis_clip_validate (clip, &local_error))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s: clip “%s”: %s",
                   writer->manifest_path,
                   adis_clip_id_is_valid (clip->clip_id) ? clip->clip_id : "?",
                   local_error->message);
      return FALSE;
    }
  if (g_hash_table_contains (writer->ids, clip->clip_id))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: clip id “%s” is already in the dataset", writer->manifest_path, clip->clip_id);
      return FALSE;
    }
  if (!files_exist (writer->dir, clip, &missing))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s: clip “%s”: %s is not in the dataset folder; write the files first",
                   writer->manifest_path, clip->clip_id, missing);
      return FALSE;
    }

  /* One write per row, so a crash leaves at worst one cut-off last line */
  row_start = writer->pending->len;
  append_row (writer->pending, clip);
  if (!write_all (writer->journal_fd, writer->pending->str + row_start,
                  writer->pending->len - row_start))
    {
      g_string_truncate (writer->pending, row_start);
      return set_io_error (error, writer->journal_path, errno);
    }
  g_hash_table_add (writer->ids, g_strdup (clip->clip_id));
  writer->n_pending++;

  if (writer->n_pending >= MAX (COMMIT_MIN_ROWS, writer->n_committed / 4) ||
      g_get_monotonic_time () - writer->last_commit_usec > COMMIT_MAX_USEC)
    return adis_manifest_writer_commit (writer, error);
  return TRUE;
}

gboolean
adis_manifest_writer_has_clip (AdisManifestWriter *writer,
                               const char         *clip_id)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  return clip_id != NULL && g_hash_table_contains (writer->ids, clip_id);
}

guint
adis_manifest_writer_get_n_clips (AdisManifestWriter *writer)
{
  g_return_val_if_fail (writer != NULL, 0);
  return writer->n_committed + writer->n_pending;
}

void
adis_manifest_writer_free (AdisManifestWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->journal_fd >= 0)
    close (writer->journal_fd);
  /* Closing the lock's descriptor releases the lock */
  if (writer->lock_fd >= 0)
    close (writer->lock_fd);
  g_clear_pointer (&writer->ids, g_hash_table_unref);
  if (writer->pending)
    g_string_free (writer->pending, TRUE);
  g_free (writer->dir);
  g_free (writer->manifest_path);
  g_free (writer->journal_path);
  g_free (writer);
}

gboolean
adis_manifest_writer_close (AdisManifestWriter  *writer,
                            GError             **error)
{
  gboolean ok;

  g_return_val_if_fail (writer != NULL, FALSE);

  ok = adis_manifest_writer_commit (writer, error);
  if (ok)
    g_unlink (writer->journal_path);
  adis_manifest_writer_free (writer);
  return ok;
}
