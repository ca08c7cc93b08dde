/* soundstyle-file-chooser.c: choosing a file to open or save, through the portal
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-file-chooser.h"

static const char *
title_for (SoundstyleFileKind kind)
{
  switch (kind)
    {
    case SOUNDSTYLE_FILES_PHOTO:
      return _("Open Photo");
    case SOUNDSTYLE_FILES_SOUND:
      return _("Open Sound");
    case SOUNDSTYLE_FILES_MODEL:
      return _("Open Model");
    case SOUNDSTYLE_FILES_FOLDER:
      return _("Choose Training Data");
    case SOUNDSTYLE_FILES_VIDEO:
      return _("Open Video");
    case SOUNDSTYLE_FILES_VIDEO_EXPORT:
      return _("Export Restyled Video");
    case SOUNDSTYLE_FILES_MASK:
      return _("Load Mask");
    case SOUNDSTYLE_FILES_MASK_EXPORT:
      return _("Save Mask");
    case SOUNDSTYLE_FILES_OUTPUT_FOLDER:
      return _("Choose Where to Save the Restyled Photos");
    case SOUNDSTYLE_FILES_EXPORT:
    default:
      return _("Export Restyled Photo");
    }
}

static GListStore *
filters_for (SoundstyleFileKind kind)
{
  GListStore *filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  switch (kind)
    {
    case SOUNDSTYLE_FILES_PHOTO:
      gtk_file_filter_set_name (filter, _("Photos"));
      gtk_file_filter_add_pixbuf_formats (filter);
      break;
    case SOUNDSTYLE_FILES_SOUND:
      gtk_file_filter_set_name (filter, _("Sounds"));
      gtk_file_filter_add_mime_type (filter, "audio/*");
      break;
    case SOUNDSTYLE_FILES_MODEL:
      gtk_file_filter_set_name (filter, _("Soundstyle Models"));
      gtk_file_filter_add_suffix (filter, "safetensors");
      break;
    case SOUNDSTYLE_FILES_FOLDER:
    case SOUNDSTYLE_FILES_OUTPUT_FOLDER:
      /* Folders need no filter */
      return filters;
    case SOUNDSTYLE_FILES_MASK:
      gtk_file_filter_set_name (filter, _("Images"));
      gtk_file_filter_add_pixbuf_formats (filter);
      break;
    case SOUNDSTYLE_FILES_MASK_EXPORT:
      gtk_file_filter_set_name (filter, _("PNG Image"));
      gtk_file_filter_add_suffix (filter, "png");
      break;
    case SOUNDSTYLE_FILES_VIDEO:
      gtk_file_filter_set_name (filter, _("Videos"));
      gtk_file_filter_add_mime_type (filter, "video/*");
      break;
    case SOUNDSTYLE_FILES_VIDEO_EXPORT:
      gtk_file_filter_set_name (filter, _("MP4 Video"));
      gtk_file_filter_add_suffix (filter, "mp4");
      break;
    case SOUNDSTYLE_FILES_EXPORT:
    default:
      {
        g_autoptr(GtkFileFilter) jpeg = gtk_file_filter_new ();

        gtk_file_filter_set_name (filter, _("PNG Image"));
        gtk_file_filter_add_suffix (filter, "png");
        gtk_file_filter_set_name (jpeg, _("JPEG Image"));
        gtk_file_filter_add_suffix (jpeg, "jpg");
        gtk_file_filter_add_suffix (jpeg, "jpeg");
        g_list_store_append (filters, filter);
        g_list_store_append (filters, jpeg);
        return filters;
      }
    }

  g_list_store_append (filters, filter);
  return filters;
}

static gboolean
is_save (SoundstyleFileKind kind)
{
  return kind == SOUNDSTYLE_FILES_EXPORT || kind == SOUNDSTYLE_FILES_VIDEO_EXPORT ||
         kind == SOUNDSTYLE_FILES_MASK_EXPORT;
}

static gboolean
is_folder (SoundstyleFileKind kind)
{
  return kind == SOUNDSTYLE_FILES_FOLDER || kind == SOUNDSTYLE_FILES_OUTPUT_FOLDER;
}

#if GTK_CHECK_VERSION (4, 10, 0)

static void
on_dialog_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GtkFileDialog *dialog = GTK_FILE_DIALOG (object);
  SoundstyleFileKind kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  GFile *file;

  if (is_save (kind))
    file = gtk_file_dialog_save_finish (dialog, result, &error);
  else if (is_folder (kind))
    file = gtk_file_dialog_select_folder_finish (dialog, result, &error);
  else
    file = gtk_file_dialog_open_finish (dialog, result, &error);

  if (file == NULL)
    {
      /* Dismissing the dialog is not an error the user needs to hear about */
      if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "dismissed");
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, file, g_object_unref);
}

void
soundstyle_choose_file_async (GtkWindow           *parent,
                              SoundstyleFileKind   kind,
                              const char          *suggested_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  g_autoptr(GListStore) filters = filters_for (kind);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, soundstyle_choose_file_async);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);

  gtk_file_dialog_set_title (dialog, title_for (kind));
  gtk_file_dialog_set_modal (dialog, TRUE);
  if (g_list_model_get_n_items (G_LIST_MODEL (filters)) > 0)
    gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));

  if (is_save (kind))
    {
      gtk_file_dialog_set_initial_name (dialog, suggested_name);
      gtk_file_dialog_save (dialog, parent, cancellable, on_dialog_done, task);
    }
  else if (is_folder (kind))
    gtk_file_dialog_select_folder (dialog, parent, cancellable, on_dialog_done, task);
  else
    gtk_file_dialog_open (dialog, parent, cancellable, on_dialog_done, task);
}

#else /* GTK 4.8: GtkFileChooserNative */

static void
on_native_response (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      GFile *file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        {
          g_task_return_pointer (task, file, g_object_unref);
          return;
        }
    }
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "dismissed");
}

void
soundstyle_choose_file_async (GtkWindow           *parent,
                              SoundstyleFileKind   kind,
                              const char          *suggested_name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  gboolean save = is_save (kind);
  gboolean folder = is_folder (kind);
  g_autoptr(GListStore) filters = filters_for (kind);
  GtkFileChooserNative *native;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, soundstyle_choose_file_async);

  native = gtk_file_chooser_native_new (title_for (kind), parent,
                                        save ? GTK_FILE_CHOOSER_ACTION_SAVE
                                             : folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                      : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        save ? _("_Export") : folder ? _("_Select") : _("_Open"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (filters)); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (G_LIST_MODEL (filters), i);

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }
  if (save && suggested_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested_name);

  /* The task keeps the dialog alive until it answers */
  g_task_set_task_data (task, native, g_object_unref);
  g_signal_connect (native, "response", G_CALLBACK (on_native_response), task);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

#endif

/* Several photos: the same two ways */
#if GTK_CHECK_VERSION (4, 10, 0)

static void
on_photos_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GListModel *files = gtk_file_dialog_open_multiple_finish (GTK_FILE_DIALOG (object), result, &error);

  if (files == NULL)
    {
      if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "dismissed");
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, files, g_object_unref);
}

void
soundstyle_choose_photos_async (GtkWindow           *parent,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  g_autoptr(GListStore) filters = filters_for (SOUNDSTYLE_FILES_PHOTO);
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, soundstyle_choose_photos_async);
  gtk_file_dialog_set_title (dialog, _("Choose Photos to Restyle"));
  gtk_file_dialog_set_modal (dialog, TRUE);
  gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
  gtk_file_dialog_open_multiple (dialog, parent, cancellable, on_photos_done, task);
}

#else

static void
on_photos_response (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(GTask) task = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      GListModel *files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));

      if (files != NULL && g_list_model_get_n_items (files) > 0)
        {
          g_task_return_pointer (task, files, g_object_unref);
          return;
        }
      g_clear_object (&files);
    }
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "dismissed");
}

void
soundstyle_choose_photos_async (GtkWindow           *parent,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GListStore) filters = filters_for (SOUNDSTYLE_FILES_PHOTO);
  g_autoptr(GtkFileFilter) filter = g_list_model_get_item (G_LIST_MODEL (filters), 0);
  GtkFileChooserNative *native;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, soundstyle_choose_photos_async);
  native = gtk_file_chooser_native_new (_("Choose Photos to Restyle"), parent,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_task_set_task_data (task, native, g_object_unref);
  g_signal_connect (native, "response", G_CALLBACK (on_photos_response), task);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

#endif

GListModel *
soundstyle_choose_photos_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GFile *
soundstyle_choose_file_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GObject                  *owner;
  SoundstyleFileChosenFunc  then;
  SoundstyleFileFailedFunc  failed;
} ChosenCall;

static void
on_chosen_then (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ChosenCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = soundstyle_choose_file_finish (result, &error);

  if (file != NULL)
    call->then (call->owner, file);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("no file chosen: %s", error->message);
  else if (call->failed != NULL)
    call->failed (call->owner, error->message);
  g_object_unref (call->owner);
  g_free (call);
}

void
soundstyle_choose_file_then (GtkWindow                *parent,
                             SoundstyleFileKind        kind,
                             const char               *suggested_name,
                             GCancellable             *cancellable,
                             gpointer                  owner,
                             SoundstyleFileChosenFunc  then,
                             SoundstyleFileFailedFunc  failed)
{
  ChosenCall *call;

  g_return_if_fail (G_IS_OBJECT (owner));
  g_return_if_fail (then != NULL);

  call = g_new0 (ChosenCall, 1);
  call->owner = g_object_ref (owner);
  call->then = then;
  call->failed = failed;
  soundstyle_choose_file_async (parent, kind, suggested_name, cancellable, on_chosen_then, call);
}
