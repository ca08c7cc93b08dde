/* soundstyle-window-model.c: the window's model: loaded in a thread at the
 * start, from a file, or when the models window or the device setting
 * changes; and the windows that manage models (Models, Fine-tune)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-window"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-file-chooser.h"
#include "soundstyle-find-model.h"
#include "soundstyle-finetune-window.h"
#include "soundstyle-models-window.h"
#include "soundstyle-settings.h"
#include "soundstyle-types.h"
#include "soundstyle-window-private.h"

/* --- the model ------------------------------------------------------------- */

void
soundstyle_window_use_model (SoundstyleWindow *self,
                             AdisModel        *model,
                             const char       *path)
{
  g_clear_pointer (&self->model, adis_model_unref);
  self->model = adis_model_ref (model);
  soundstyle_set_str (&self->model_path, path);

  soundstyle_renderer_set_model (self->renderer, model);
  soundstyle_sound_slot_set_model (self->slot_a, model);
  soundstyle_sound_slot_set_model (self->slot_b, model);
  gtk_stack_set_visible_child_name (self->main_stack, "editor");

  g_debug ("model %s on %s", path, adis_model_get_device_name (model));
  soundstyle_window_undo_note_change (self);
}

static void
load_model_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;
  AdisDevice device = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "device"));
  GError *error = NULL;
  AdisModel *model = adis_model_load (path, device, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, (GDestroyNotify) adis_model_unref);
}

static void
on_model_loaded (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);
  const char *path = g_task_get_task_data (G_TASK (result));
  gboolean chosen = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "chosen"));
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *base = g_path_get_basename (path);

  if (model != NULL)
    {
      soundstyle_window_use_model (self, model, path);
      if (chosen)
        g_settings_set_string (self->settings, "active-model", path);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_debug ("%s: %s", path, error->message);

  if (self->model != NULL || chosen)
    {
      /* Keep working with the model in use */
      g_autofree char *message = g_strdup_printf (_("The model “%s” will not load"), base);

      soundstyle_window_toast (self, message);
      if (self->model == NULL)
        gtk_stack_set_visible_child_name (self->main_stack, "no-model");
      return;
    }

  {
    g_autofree char *description =
      g_strdup_printf (_("The model “%s” will not load: %s"), base, error->message);

    adw_status_page_set_description (self->no_model_page, description);
    gtk_stack_set_visible_child_name (self->main_stack, "no-model");
  }
}

static void
load_model (SoundstyleWindow *self,
            const char       *path,
            gboolean          chosen)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_model_loaded, NULL);

  g_task_set_source_tag (task, load_model);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_object_set_data (G_OBJECT (task), "device",
                     GINT_TO_POINTER (soundstyle_settings_get_device (self->settings)));
  g_object_set_data (G_OBJECT (task), "chosen", GINT_TO_POINTER (chosen));
  if (self->model == NULL)
    gtk_stack_set_visible_child_name (self->main_stack, "loading");
  g_task_run_in_thread (task, load_model_thread);
}

/* The chosen model when it is still there, else the one the command line
 * would use */
void
soundstyle_window_load_startup_model (SoundstyleWindow *self)
{
  g_autofree char *active = g_settings_get_string (self->settings, "active-model");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (active[0] != '\0' && g_file_test (active, G_FILE_TEST_IS_REGULAR))
    path = g_steal_pointer (&active);
  else if ((path = soundstyle_find_model (NULL, &error)) == NULL)
    {
      g_debug ("no model: %s", error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "no-model");
      return;
    }

  load_model (self, path, FALSE);
}

static void
on_device_changed (GSettings        *settings,
                   const char       *key,
                   SoundstyleWindow *self)
{
  if (self->model_path != NULL)
    load_model (self, self->model_path, FALSE);
}

/* --- actions --------------------------------------------------------------- */

static void
open_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);

  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_MODEL, NULL, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_window_open_model,
                               (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

static void
models_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  soundstyle_window_show_models (SOUNDSTYLE_WINDOW (widget));
}

static void
finetune_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  soundstyle_window_show_finetune (SOUNDSTYLE_WINDOW (widget));
}

/* The models window chose another model: "" is the default */
static void
on_active_model_changed (GSettings        *settings,
                         const char       *key,
                         SoundstyleWindow *self)
{
  g_autofree char *active = g_settings_get_string (settings, "active-model");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (active[0] != '\0')
    path = g_steal_pointer (&active);
  else if ((path = soundstyle_find_model (NULL, &error)) == NULL)
    return;

  /* Loading a chosen file sets the key too: nothing to do then */
  if (g_strcmp0 (path, self->model_path) != 0)
    load_model (self, path, FALSE);
}

/* --- public API ------------------------------------------------------------ */

void
soundstyle_window_open_model (SoundstyleWindow *self,
                              GFile            *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if ((path = g_file_get_path (file)) == NULL)
    {
      soundstyle_window_toast (self, _("Models must be local files"));
      return;
    }
  load_model (self, path, TRUE);
}
GtkWidget *
soundstyle_window_show_models (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  if (self->models_window == NULL)
    g_set_weak_pointer (&self->models_window, soundstyle_models_window_new (self));
  gtk_window_present (GTK_WINDOW (self->models_window));
  return self->models_window;
}

GtkWidget *
soundstyle_window_show_finetune (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  if (self->finetune_window == NULL)
    g_set_weak_pointer (&self->finetune_window, soundstyle_finetune_window_new (self));
  gtk_window_present (GTK_WINDOW (self->finetune_window));
  return self->finetune_window;
}

/* --- set-up ----------------------------------------------------------------- */

void
soundstyle_window_model_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.models", NULL, models_action);
  gtk_widget_class_install_action (widget_class, "win.finetune", NULL, finetune_action);
}

void
soundstyle_window_model_init (SoundstyleWindow *self)
{
  g_signal_connect_object (self->settings, "changed::device", G_CALLBACK (on_device_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::active-model", G_CALLBACK (on_active_model_changed),
                           self, 0);
}
