/* soundstyle-window-batch.c: Restyle Photos…, from the menu or a dropped folder
 *
 * SPDX-License-Identifier: MIT
 *
 * Photos come from a chooser with multiple selection or from a folder
 * dropped on the window; then the folder to write into is chosen, and,
 * when the region brush has a mask, whether to use it (scaled to each
 * photo) or restyle the photos whole. The batch takes the window's current
 * sounds, volumes, mix and model and runs in the background
 * (soundstyle-batch.c) with its own progress window.
 */
#define G_LOG_DOMAIN "soundstyle-window"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-batch-window.h"
#include "soundstyle-file-chooser.h"
#include "soundstyle-window-private.h"

typedef struct
{
  SoundstyleWindow *self;
  GPtrArray        *paths;
  GFile            *folder;
} Pending;

static void
pending_free (Pending *pending)
{
  g_clear_object (&pending->self);
  g_clear_pointer (&pending->paths, g_ptr_array_unref);
  g_clear_object (&pending->folder);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static Pending *
pending_new (SoundstyleWindow *self,
             GPtrArray        *paths)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = g_object_ref (self);
  pending->paths = g_ptr_array_ref (paths);
  return pending;
}

GtkWidget *
soundstyle_window_restyle_photos (SoundstyleWindow *self,
                                  GPtrArray        *paths,
                                  GFile            *folder,
                                  gboolean          with_mask)
{
  g_autoptr(SoundstyleBatch) batch = NULL;
  g_autoptr(AdisMask) mask = NULL;
  g_autofree char *folder_path = NULL;
  GtkWidget *window;

  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  if (self->model == NULL)
    {
      soundstyle_window_toast (self, _("Open a model first: it restyles the photos"));
      return NULL;
    }
  if (paths->len == 0)
    {
      soundstyle_window_toast (self, _("There are no photos to restyle"));
      return NULL;
    }
  if ((folder_path = g_file_get_path (folder)) == NULL ||
      !g_file_test (folder_path, G_FILE_TEST_IS_DIR))
    {
      soundstyle_window_toast (self, _("Restyled photos must go to a local folder"));
      return NULL;
    }

  if (with_mask)
    mask = soundstyle_mask_editor_dup_mask (self->mask_editor);
  batch = soundstyle_batch_new (paths, folder_path, self->model,
                                soundstyle_sound_slot_get_sound (self->slot_a),
                                soundstyle_sound_slot_get_gain (self->slot_a),
                                soundstyle_sound_slot_get_sound (self->slot_b),
                                soundstyle_sound_slot_get_gain (self->slot_b),
                                gtk_adjustment_get_value (self->mix_adjustment),
                                mask);
  window = soundstyle_batch_window_new (GTK_WINDOW (self), batch);
  soundstyle_batch_start (batch);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* --- the last question, then the start ------------------------------------- */

static void
on_mask_answer (AdwMessageDialog *dialog,
                const char       *response,
                gpointer          user_data)
{
  g_autoptr(Pending) pending = user_data;

  if (g_str_equal (response, "cancel"))
    return;
  soundstyle_window_restyle_photos (pending->self, pending->paths, pending->folder,
                                    g_str_equal (response, "mask"));
}

static void
on_folder_chosen (gpointer  owner,
                  GFile    *folder)
{
  Pending *pending = g_object_steal_data (owner, "pending-batch");
  SoundstyleWindow *self;
  GtkWidget *dialog;

  if (pending == NULL)
    return;
  self = pending->self;
  pending->folder = g_object_ref (folder);

  if (!soundstyle_mask_editor_get_active (self->mask_editor))
    {
      soundstyle_window_restyle_photos (self, pending->paths, folder, FALSE);
      pending_free (pending);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Use the Region Brush’s Mask?"),
                                   _("The mask can be scaled to each photo, so that only that part of each is restyled; or the photos can be restyled whole."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "whole", _("_Whole Photos"),
                                    "mask", _("Use the _Mask"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "mask",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "mask");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_mask_answer), pending);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
choose_output_folder (SoundstyleWindow *self,
                      GPtrArray        *paths)
{
  /* The chooser's answer comes back to the window; the photos wait on it */
  g_object_set_data_full (G_OBJECT (self), "pending-batch", pending_new (self, paths),
                          (GDestroyNotify) pending_free);
  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_OUTPUT_FOLDER, NULL, self->cancellable,
                               self, on_folder_chosen, (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

/* --- photos in ------------------------------------------------------------- */

static void
on_photos_chosen (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SoundstyleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) files = soundstyle_choose_photos_finish (result, &error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (files == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        soundstyle_window_toast (self, error->message);
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      char *path = g_file_get_path (file);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  choose_output_folder (self, paths);
}

static void
restyle_photos_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);

  soundstyle_choose_photos_async (GTK_WINDOW (self), self->cancellable, on_photos_chosen, g_object_ref (self));
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The folder's files that look like photos, by name, sorted; subfolders
 * are left alone */
GPtrArray *
soundstyle_window_list_photos (GFile   *folder,
                               GError **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  children = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                                        G_FILE_QUERY_INFO_NONE, NULL, error);
  if (children == NULL)
    return NULL;
  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      const char *type;

      if (!g_file_enumerator_iterate (children, &info, &child, NULL, error))
        return NULL;
      if (info == NULL)
        break;
      type = g_file_info_get_content_type (info);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR && type != NULL &&
          g_content_type_is_a (type, "image/*") && g_file_info_get_name (info)[0] != '.')
        g_ptr_array_add (paths, g_file_get_path (child));
    }
  g_ptr_array_sort (paths, compare_paths);
  return g_steal_pointer (&paths);
}

void
soundstyle_window_restyle_folder (SoundstyleWindow *self,
                                  GFile            *folder)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  g_autofree char *name = g_file_get_basename (folder);

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));

  if ((paths = soundstyle_window_list_photos (folder, &error)) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The folder “%s” cannot be read"), name);

      g_debug ("%s: %s", name, error->message);
      soundstyle_window_toast (self, message);
      return;
    }
  if (paths->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("The folder “%s” holds no photos"), name);

      soundstyle_window_toast (self, message);
      return;
    }
  choose_output_folder (self, paths);
}

void
soundstyle_window_batch_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.restyle-photos", NULL, restyle_photos_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.restyle-photos", NULL);
}
