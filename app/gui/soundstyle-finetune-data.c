/* soundstyle-finetune-data.c: what a fine-tune starts from: the kind of
 * training data in a folder, its videos, and the soundstyle command to run
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "soundstyle-finetune-job-private.h"

static const char *video_suffixes[] = {
  ".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".ogv", ".mpg", ".mpeg", NULL
};
/* --- finding things ---------------------------------------------------------- */

static gboolean
has_video_suffix (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; video_suffixes[i] != NULL; i++)
    if (g_str_has_suffix (lower, video_suffixes[i]))
      return TRUE;
  return FALSE;
}

GPtrArray *
soundstyle_finetune_list_videos (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  GPtrArray *videos = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && has_video_suffix (name))
      g_ptr_array_add (videos, g_build_filename (folder, name, NULL));
  g_ptr_array_sort (videos, (GCompareFunc) g_strcmp0);
  return videos;
}

gboolean
soundstyle_detect_training_data (const char          *folder,
                                 SoundstyleDataKind  *out_kind,
                                 GError             **error)
{
  g_autofree char *manifest = g_build_filename (folder, "manifest.tsv", NULL);
  g_autofree char *images = g_build_filename (folder, "images", NULL);
  g_autofree char *clips = g_build_filename (folder, "clips", NULL);
  g_autofree char *base = g_path_get_basename (folder);
  g_autoptr(GPtrArray) videos = NULL;

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, _("“%s” is not a folder"), base);
      return FALSE;
    }
  if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
    {
      *out_kind = SOUNDSTYLE_DATA_PREPARED;
      return TRUE;
    }
  if (g_file_test (images, G_FILE_TEST_IS_DIR) && g_file_test (clips, G_FILE_TEST_IS_DIR))
    {
      *out_kind = SOUNDSTYLE_DATA_PAIRS;
      return TRUE;
    }
  videos = soundstyle_finetune_list_videos (folder);
  if (videos->len > 0)
    {
      *out_kind = SOUNDSTYLE_DATA_VIDEOS;
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("“%s” holds no training data: a manifest.tsv, images and clips folders, or videos"),
               base);
  return FALSE;
}

static gboolean
is_program (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

char *
soundstyle_find_cli (void)
{
  const char *env = g_getenv ("SOUNDSTYLE_BIN");
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = self_path != NULL ? g_path_get_dirname (self_path) : NULL;
  g_autofree char *beside = NULL;
  g_autofree char *in_build = NULL;
  g_autofree char *installed = g_build_filename (SOUNDSTYLE_BINDIR, "soundstyle", NULL);

  if (env != NULL && env[0] != '\0' && is_program (env))
    return g_strdup (env);

  if (self_dir != NULL)
    {
      /* Installed side by side, or build/app/gui next to build/app/cli */
      beside = g_build_filename (self_dir, "soundstyle", NULL);
      if (is_program (beside))
        return g_steal_pointer (&beside);
      in_build = g_build_filename (self_dir, "..", "cli", "soundstyle", NULL);
      if (is_program (in_build))
        return g_canonicalize_filename (in_build, NULL);
    }

  if (is_program (installed))
    return g_steal_pointer (&installed);

  return g_find_program_in_path ("soundstyle");
}
