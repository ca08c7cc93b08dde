/* soundstyle-samples.c: the bundled sample sounds and photos
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "soundstyle-find-model.h"
#include "soundstyle-samples.h"

static const char *const sound_suffixes[] = { ".ogg", ".oga", ".opus", ".wav", ".flac", ".mp3", NULL };
static const char *const photo_suffixes[] = { ".jpg", ".jpeg", ".png", ".webp", NULL };

static gboolean
has_suffix (const char         *name,
            const char *const  *suffixes)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; suffixes[i] != NULL; i++)
    if (g_str_has_suffix (lower, suffixes[i]))
      return TRUE;
  return FALSE;
}

/* Samples may sit in the folder itself or one level down (sounds/, photos/) */
static void
collect (const char         *dir_path,
         const char *const  *suffixes,
         int                 depth,
         GPtrArray          *out)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (name[0] == '.')
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (depth > 0)
            collect (path, suffixes, depth - 1, out);
        }
      else if (has_suffix (name, suffixes))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  g_autofree char *name_a = g_path_get_basename (*(const char **) a);
  g_autofree char *name_b = g_path_get_basename (*(const char **) b);

  return g_utf8_collate (name_a, name_b);
}

GPtrArray *
soundstyle_samples_list (SoundstyleSampleKind kind)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = soundstyle_find_data_dir ("samples");

  if (dir != NULL)
    collect (dir, kind == SOUNDSTYLE_SAMPLE_SOUND ? sound_suffixes : photo_suffixes, 1, out);
  g_ptr_array_sort (out, compare_paths);
  return out;
}

char *
soundstyle_samples_display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  GString *name;

  if (dot != NULL && dot != base)
    *dot = '\0';

  name = g_string_new (NULL);
  for (const char *p = base; *p != '\0'; p++)
    g_string_append_c (name, (*p == '_' || *p == '-') ? ' ' : *p);

  /* Sentence case, as GNOME's HIG asks for labels */
  if (name->len > 0)
    name->str[0] = g_ascii_toupper (name->str[0]);

  return g_string_free (name, FALSE);
}

char *
soundstyle_samples_read_credits (void)
{
  g_autofree char *dir = soundstyle_find_data_dir ("samples");
  g_autofree char *path = NULL;
  char *text = NULL;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, "CREDITS", NULL);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}
