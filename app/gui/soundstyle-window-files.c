/* soundstyle-window-files.c: photos in (open, paste, drop) and out (export, copy)
 *
 * SPDX-License-Identifier: MIT
 *
 * Decoding a photo can take a second for a large JPEG, so it happens in a
 * thread; the newest request wins and a file that is not a photo leaves the
 * current one on screen.
 */
#define G_LOG_DOMAIN "soundstyle-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "soundstyle-file-chooser.h"
#include "soundstyle-types.h"
#include "soundstyle-window-private.h"

typedef struct
{
  AdisImage  *photo;
  GdkTexture *texture;
} LoadedPhoto;

static void
loaded_photo_free (LoadedPhoto *loaded)
{
  g_clear_pointer (&loaded->photo, adis_image_unref);
  g_clear_object (&loaded->texture);
  g_free (loaded);
}

/* --- opening --------------------------------------------------------------- */

static void
load_photo_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  LoadedPhoto *loaded;
  AdisImage *photo;

  if ((photo = adis_image_load (path, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The original as the engine sees it: orientation applied, alpha dropped */
  loaded = g_new0 (LoadedPhoto, 1);
  loaded->photo = photo;
  loaded->texture = soundstyle_texture_new_for_image (photo);
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_photo_free);
}

static void
on_photo_loaded (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);
  const char *path = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  LoadedPhoto *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *name = g_path_get_basename (path);

  if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "serial")) != self->photo_serial)
    {
      g_clear_pointer (&loaded, loaded_photo_free);
      return;
    }

  if (loaded == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("%s: %s", path, error->message);
      message = g_strdup_printf (_("“%s” is not a photo that can be opened"), name);
      soundstyle_window_toast (self, message);
      return;
    }

  soundstyle_window_set_photo (self, loaded->photo, loaded->texture, name, path);
  loaded_photo_free (loaded);
}

void
soundstyle_window_open_photo (SoundstyleWindow *self,
                              GFile            *file)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if ((path = g_file_get_path (file)) == NULL)
    {
      soundstyle_window_toast (self, _("Photos must be local files"));
      return;
    }

  task = g_task_new (self, self->cancellable, on_photo_loaded, NULL);
  g_task_set_source_tag (task, soundstyle_window_open_photo);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_object_set_data (G_OBJECT (task), "serial", GSIZE_TO_POINTER (++self->photo_serial));
  g_task_run_in_thread (task, load_photo_thread);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);

  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_PHOTO, NULL, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_window_open_photo,
                               (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

/* --- drop and paste -------------------------------------------------------- */

/* A sound dropped on the photo goes to sound A, a video opens in the video
 * view, a folder's photos are restyled at once; anything else is taken for a photo, and the toast says so when it
 * is not one */
static void
open_dropped_file (SoundstyleWindow *self,
                   GFile            *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);

  /* A folder: Restyle Photos… with its photos */
  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    soundstyle_window_restyle_folder (self, file);
  else if (g_content_type_is_a (type, "audio/*") || g_str_has_prefix (type, "audio/"))
    soundstyle_sound_slot_load_file (self->slot_a, file);
  else if (g_content_type_is_a (type, "video/*") || g_str_has_prefix (type, "video/"))
    soundstyle_window_open_video (self, file);
  else
    soundstyle_window_open_photo (self, file);
}

/* A pasted or dropped picture: GdkTexture -> the engine's image */
static void
open_texture (SoundstyleWindow *self,
              GdkTexture       *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  g_autoptr(AdisImage) photo = NULL;
  g_autoptr(GdkTexture) shown = NULL;
  g_autoptr(GError) error = NULL;

  /* Cairo's ARGB32: premultiplied B, G, R, A in memory on little-endian
   * machines; turned into straight RGB over black, as the loader does */
  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      guint32 argb = ((guint32 *) pixels)[i];

      pixels[i * 3 + 0] = (argb >> 16) & 0xff;
      pixels[i * 3 + 1] = (argb >> 8) & 0xff;
      pixels[i * 3 + 2] = argb & 0xff;
    }

  if ((photo = adis_image_new_from_rgb8 (pixels, width, height, width * 3, 3, &error)) == NULL)
    {
      g_debug ("pasted picture: %s", error->message);
      soundstyle_window_toast (self, _("The pasted picture cannot be used"));
      return;
    }

  self->photo_serial++;
  shown = soundstyle_texture_new_for_image (photo);
  soundstyle_window_set_photo (self, photo, shown, _("Pasted Picture"), NULL);
}

static gboolean
on_drop (GtkDropTarget    *target,
         const GValue     *value,
         double            x,
         double            y,
         SoundstyleWindow *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

      if (files == NULL)
        return FALSE;
      open_dropped_file (self, files->data);
      g_slist_free (files);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      open_texture (self, g_value_get_object (value));
      return TRUE;
    }
  return FALSE;
}

static void
on_paste_files (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SoundstyleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, &error);
  GSList *files;

  if (value == NULL || (files = gdk_file_list_get_files (g_value_get_boxed (value))) == NULL)
    {
      soundstyle_window_toast (self, _("The clipboard holds no photo"));
      return;
    }
  open_dropped_file (self, files->data);
  g_slist_free (files);
}

static void
on_paste_texture (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SoundstyleWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, &error);

  if (texture == NULL)
    {
      soundstyle_window_toast (self, _("The clipboard holds no photo"));
      return;
    }
  open_texture (self, texture);
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  /* Copied files (from Files) first: the photo keeps its full quality */
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_paste_files, g_object_ref (self));
  else
    gdk_clipboard_read_texture_async (clipboard, self->cancellable, on_paste_texture, g_object_ref (self));
}

/* --- export and copy ------------------------------------------------------- */

typedef struct
{
  SoundstyleWindow *self;
  char             *path;
} ExportRequest;

static void
export_request_free (ExportRequest *request)
{
  g_object_unref (request->self);
  g_free (request->path);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportRequest, export_request_free)

static void
on_exported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ExportRequest) request = user_data;
  SoundstyleWindow *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (request->path);
  g_autofree char *message = NULL;

  self->n_exports--;
  soundstyle_window_update_busy (self);

  if (soundstyle_renderer_export_finish (SOUNDSTYLE_RENDERER (object), result, &error))
    {
      /* Every export goes into the history with its settings */
      soundstyle_window_history_keep (self);
      message = g_strdup_printf (_("Exported “%s”"), name);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
           g_error_matches (error, ADIS_ERROR, ADIS_ERROR_CANCELLED))
    return;
  else
    message = g_strdup_printf (_("“%s” could not be exported: %s"), name, error->message);

  soundstyle_window_toast (self, message);
}

void
soundstyle_window_export (SoundstyleWindow *self,
                          GFile            *file)
{
  g_autofree char *path = NULL;
  g_autofree char *lower = NULL;
  ExportRequest *request;

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if ((path = g_file_get_path (file)) == NULL)
    {
      soundstyle_window_toast (self, _("Exports must go to a local folder"));
      return;
    }

  /* The format follows the name; a name without one becomes a PNG */
  lower = g_ascii_strdown (path, -1);
  if (!g_str_has_suffix (lower, ".png") && !g_str_has_suffix (lower, ".jpg") &&
      !g_str_has_suffix (lower, ".jpeg"))
    {
      char *with_suffix = g_strconcat (path, ".png", NULL);

      g_free (path);
      path = with_suffix;
    }

  request = g_new0 (ExportRequest, 1);
  request->self = g_object_ref (self);
  request->path = g_strdup (path);
  self->n_exports++;
  soundstyle_window_update_busy (self);
  soundstyle_renderer_export_async (self->renderer, path, self->cancellable, on_exported, request);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);
  g_autofree char *stem = NULL;
  g_autofree char *suggested = NULL;
  char *dot;

  stem = g_strdup (self->photo_name ? self->photo_name : _("Photo"));
  if ((dot = strrchr (stem, '.')) != NULL && dot != stem)
    *dot = '\0';
  /* Translators: the name suggested for an exported photo; %s is the original's name */
  suggested = g_strdup_printf (_("%s (restyled).png"), stem);

  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_EXPORT, suggested, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_window_export,
                               (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);
  GdkTexture *texture = soundstyle_renderer_get_texture (self->renderer);

  if (texture == NULL)
    return;
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
  soundstyle_window_toast (self, _("Copied the restyled photo"));
}

/* --- setup ----------------------------------------------------------------- */

void
soundstyle_window_files_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.copy", NULL, copy_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
}

void
soundstyle_window_files_init (SoundstyleWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, GDK_TYPE_TEXTURE };

  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->photo_stack), GTK_EVENT_CONTROLLER (drop));
}
