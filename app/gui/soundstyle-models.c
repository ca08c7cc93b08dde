/* soundstyle-models.c: the user's model files and their cards
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "adis.h"
#include "adis-safetensors.h"
#include "soundstyle-models.h"

#define MODEL_SUFFIX ".safetensors"

void
soundstyle_model_card_free (SoundstyleModelCard *card)
{
  if (card == NULL)
    return;
  g_free (card->path);
  g_free (card->name);
  g_free (card->preset);
  g_free (card->conditioning);
  g_free (card->dtype);
  g_free (card->created);
  g_free (card->dataset);
  g_free (card->card_text);
  g_free (card->error);
  g_free (card);
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  const char *value;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  value = json_object_get_string_member_with_default (object, name, NULL);
  return value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* NAME.md, else NAME.json, beside the model */
static char *
read_card_text (const char *path)
{
  static const char *suffixes[] = { ".md", ".json" };
  g_autofree char *stem = NULL;

  if (!g_str_has_suffix (path, MODEL_SUFFIX))
    return NULL;
  stem = g_strndup (path, strlen (path) - strlen (MODEL_SUFFIX));

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *card_path = g_strconcat (stem, suffixes[i], NULL);
      g_autofree char *text = NULL;
      gsize length;

      /* A card is a page of text, not a data file */
      if (g_file_get_contents (card_path, &text, &length, NULL) && length < 64 * 1024 &&
          g_utf8_validate (text, length, NULL))
        return g_strstrip (g_steal_pointer (&text));
    }
  return NULL;
}

SoundstyleModelCard *
soundstyle_model_card_read (const char *path)
{
  g_autoptr(SoundstyleModelCard) card = g_new0 (SoundstyleModelCard, 1);
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (path);
  const char *metadata;
  JsonObject *root = NULL;
  JsonObject *training;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  card->path = g_strdup (path);
  card->name = g_str_has_suffix (base, MODEL_SUFFIX)
             ? g_strndup (base, strlen (base) - strlen (MODEL_SUFFIX))
             : g_strdup (base);
  card->steps = -1;
  card->card_text = read_card_text (path);
  if (g_stat (path, &st) == 0)
    card->file_size = st.st_size;

  if ((file = adis_tensor_file_open (path, &error)) == NULL)
    {
      card->error = g_strdup (error->message);
      return g_steal_pointer (&card);
    }

  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    card->n_parameters += adis_tensor_file_get_tensor (file, i)->n_elements;

  metadata = adis_tensor_file_get_metadata (file, ADIS_MODEL_METADATA_KEY);
  if (metadata != NULL && json_parser_load_from_data (parser, metadata, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    root = json_node_get_object (json_parser_get_root (parser));

  if (root == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""), ADIS_MODEL_FORMAT) != 0)
    {
      card->error = g_strdup_printf (_("“%s” is not a Soundstyle model"), base);
      return g_steal_pointer (&card);
    }

  card->preset = dup_string_member (object_member (root, "config"), "preset");
  card->conditioning = dup_string_member (object_member (root, "config"), "conditioning");
  card->dtype = dup_string_member (root, "dtype");
  card->created = dup_string_member (root, "created");
  training = object_member (root, "training");
  card->dataset = dup_string_member (training, "dataset");
  if (training != NULL && json_object_has_member (training, "steps"))
    card->steps = json_object_get_int_member_with_default (training, "steps", -1);

  return g_steal_pointer (&card);
}

char *
soundstyle_model_card_summary (SoundstyleModelCard *card)
{
  g_autofree char *size = g_format_size (card->file_size);
  GString *line = g_string_new (NULL);

  if (card->error != NULL)
    return g_strdup (card->error);

  if (card->preset != NULL)
    /* Translators: the model's shape, e.g. "tiny" or "paper" */
    g_string_append_printf (line, _("%s model"), card->preset);
  g_string_append_printf (line, "%s%s", line->len > 0 ? " · " : "", size);
  if (card->steps >= 0)
    {
      g_autofree char *steps =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d training step", "%d training steps",
                                      (gulong) card->steps),
                         (int) card->steps);
      g_string_append_printf (line, " · %s", steps);
    }
  return g_string_free (line, FALSE);
}

/* --- the models folder ----------------------------------------------------- */

char *
soundstyle_models_dir (void)
{
  char *dir = g_build_filename (g_get_user_data_dir (), "soundstyle", "models", NULL);

  g_mkdir_with_parents (dir, 0755);
  return dir;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

GPtrArray *
soundstyle_models_list (void)
{
  g_autofree char *dir_path = soundstyle_models_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return paths;

  /* Hidden files are temporary names of writes under way */
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && g_str_has_suffix (name, MODEL_SUFFIX))
      g_ptr_array_add (paths, g_build_filename (dir_path, name, NULL));

  g_ptr_array_sort (paths, compare_paths);
  return paths;
}

char *
soundstyle_models_free_path (const char *name)
{
  g_autofree char *dir = soundstyle_models_dir ();
  g_autofree char *clean = g_strdup (name != NULL && name[0] != '\0' ? name : "model");
  char *path;

  /* A name, not a path: no separators, no leading dot */
  g_strdelimit (clean, "/\\", '-');
  if (clean[0] == '.')
    clean[0] = '_';
  if (g_str_has_suffix (clean, MODEL_SUFFIX))
    clean[strlen (clean) - strlen (MODEL_SUFFIX)] = '\0';

  path = g_strconcat (dir, G_DIR_SEPARATOR_S, clean, MODEL_SUFFIX, NULL);
  for (int n = 2; g_file_test (path, G_FILE_TEST_EXISTS); n++)
    {
      g_free (path);
      path = g_strdup_printf ("%s" G_DIR_SEPARATOR_S "%s-%d" MODEL_SUFFIX, dir, clean, n);
    }
  return path;
}

char *
soundstyle_models_import (GFile         *source,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *source_path = g_file_get_path (source);
  g_autofree char *base = g_file_get_basename (source);
  g_autofree char *dir = soundstyle_models_dir ();
  g_autofree char *dest = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(SoundstyleModelCard) card = NULL;
  g_autoptr(GFile) tmp_file = NULL;

  if (source_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("“%s” is not a local file"), base);
      return NULL;
    }

  /* Check before copying, so a wrong file leaves nothing behind */
  card = soundstyle_model_card_read (source_path);
  if (card->error != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” cannot be imported: %s"), base, card->error);
      return NULL;
    }

  dest = soundstyle_models_free_path (card->name);
  tmp = g_strdup_printf ("%s" G_DIR_SEPARATOR_S ".import-%s-XXXXXX", dir, card->name);
  {
    int fd = g_mkstemp (tmp);

    if (fd < 0)
      {
        int saved_errno = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     _("Cannot write in “%s”: %s"), dir, g_strerror (saved_errno));
        return NULL;
      }
    close (fd);
  }

  tmp_file = g_file_new_for_path (tmp);
  if (!g_file_copy (source, tmp_file, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, error) ||
      g_rename (tmp, dest) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                     _("Cannot write “%s”: %s"), dest, g_strerror (errno));
      g_unlink (tmp);
      return NULL;
    }

  /* The card travels with the model */
  if (card->card_text != NULL)
    {
      g_autofree char *stem = g_strndup (dest, strlen (dest) - strlen (MODEL_SUFFIX));
      g_autofree char *card_path = g_strconcat (stem, ".md", NULL);

      adis_write_file_atomic (card_path, card->card_text, strlen (card->card_text), NULL);
    }

  return g_steal_pointer (&dest);
}

gboolean
soundstyle_models_delete (const char  *path,
                          GError     **error)
{
  g_autofree char *dir = soundstyle_models_dir ();
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  if (g_strcmp0 (parent, dir) != 0 || !g_str_has_suffix (path, MODEL_SUFFIX))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("“%s” is not in your models folder"), base);
      return FALSE;
    }

  if (g_unlink (path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot delete “%s”: %s"), base, g_strerror (saved_errno));
      return FALSE;
    }

  {
    g_autofree char *stem = g_strndup (path, strlen (path) - strlen (MODEL_SUFFIX));
    g_autofree char *md = g_strconcat (stem, ".md", NULL);
    g_autofree char *json = g_strconcat (stem, ".json", NULL);

    g_unlink (md);
    g_unlink (json);
  }
  return TRUE;
}
