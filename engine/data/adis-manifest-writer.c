/* adis-manifest-writer.c: manifest.tsv written so that it is always whole:
 * rows go to a journal first and are committed by an atomic rewrite, and a
 * killed run's journal is recovered on the next open
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"
/* flock and fsync */
#define _DEFAULT_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "adis-manifest-private.h"

#define JOURNAL_FILE        ADIS_MANIFEST_FILE ".journal"
#define LOCK_FILE           ".manifest.lock"
/* Commits come when pending rows reach a quarter of those committed (so
 * the total rewriting stays linear in the size of the set), or after a while */
#define COMMIT_MIN_ROWS     256
#define COMMIT_MAX_USEC     (30 * G_USEC_PER_SEC)

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
  contents = adis_manifest_read_limited (self->journal_path, &length, error);
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
      if (!g_utf8_validate (cursor, -1, NULL) || !adis_manifest_parse_row (cursor, &clip, &local_error))
        {
          adis_clip_clear (&clip);
          return adis_manifest_fail_line (error, self->journal_path, line_number,
                                          local_error ? local_error->message : "not UTF-8 text");
        }
      if (!g_hash_table_contains (self->ids, clip.clip_id) &&
          files_exist (self->dir, &clip, &missing))
        {
          adis_manifest_append_row (self->pending, &clip);
          self->n_pending++;
          g_hash_table_add (self->ids, g_strdup (clip.clip_id));
        }
      adis_clip_clear (&clip);
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
  adis_manifest_append_row (writer->pending, clip);
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
