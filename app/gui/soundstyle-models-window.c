/* soundstyle-models-window.c: the model list, import, and the active model
 *
 * SPDX-License-Identifier: MIT
 *
 * One expandable row per model: its card in the subtitle and, opened, the
 * details the file records. A radio button picks the active model (the
 * "active-model" key; the main window loads it). The bundled default is
 * always listed and cannot be deleted; the user's models folder is watched,
 * so imports and finished fine-tuning runs appear on their own.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-file-chooser.h"
#include "soundstyle-find-model.h"
#include "soundstyle-models.h"
#include "soundstyle-models-window.h"
#include "soundstyle-settings.h"
#include "soundstyle-types.h"

struct _SoundstyleModelsWindow
{
  AdwWindow             parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwPreferencesGroup  *bundled_group;
  AdwPreferencesGroup  *user_group;

  SoundstyleWindow     *window;          /* weak */
  GSettings            *settings;
  GFileMonitor         *monitor;
  GCancellable         *cancellable;
  GPtrArray            *rows;            /* (GtkWidget *) added to the groups */
  GtkCheckButton       *radio_group;     /* the first radio; the others join it */
  GtkWidget            *confirm_dialog;  /* weak: the open "Delete the Model?" */
  char                 *default_path;
  char                 *last_toast;
  guint                 refresh_source;
  gboolean              updating;        /* radios set by code, not the user */
};

G_DEFINE_FINAL_TYPE (SoundstyleModelsWindow, soundstyle_models_window, ADW_TYPE_WINDOW)

static void
toast (SoundstyleModelsWindow *self,
       const char             *message)
{
  AdwToast *t = adw_toast_new (message);

  soundstyle_set_str (&self->last_toast, message);
  adw_toast_set_timeout (t, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* The path the "active-model" key stands for: empty is the default */
static char *
active_path (SoundstyleModelsWindow *self)
{
  g_autofree char *active = g_settings_get_string (self->settings, "active-model");

  if (active[0] == '\0')
    return g_strdup (self->default_path);
  return g_steal_pointer (&active);
}

/* --- rows ------------------------------------------------------------------ */

static void
on_radio_toggled (GtkCheckButton         *radio,
                  SoundstyleModelsWindow *self)
{
  const char *path = g_object_get_data (G_OBJECT (radio), "path");

  if (self->updating || !gtk_check_button_get_active (radio))
    return;
  /* The default is stored as "" so that a newer default is picked up */
  g_settings_set_string (self->settings, "active-model",
                         g_strcmp0 (path, self->default_path) == 0 ? "" : path);
}

static void
on_delete_response (AdwMessageDialog       *dialog,
                    const char             *response,
                    SoundstyleModelsWindow *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");
  g_autoptr(GError) error = NULL;
  g_autofree char *active = g_settings_get_string (self->settings, "active-model");

  if (!g_str_equal (response, "delete"))
    return;
  if (!soundstyle_models_delete (path, &error))
    {
      toast (self, error->message);
      return;
    }
  /* The window falls back to the default */
  if (g_strcmp0 (active, path) == 0)
    g_settings_set_string (self->settings, "active-model", "");
  soundstyle_models_window_refresh (self);
}

static void
on_delete_clicked (GtkButton              *button,
                   SoundstyleModelsWindow *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  g_autofree char *base = g_path_get_basename (path);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Delete the Model?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” will be removed from your models folder."), base);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  g_set_weak_pointer (&self->confirm_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_detail (AdwExpanderRow *expander,
            const char     *title,
            const char     *value)
{
  GtkWidget *row;

  if (value == NULL || value[0] == '\0')
    return;
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  adw_expander_row_add_row (expander, row);
}

static GtkWidget *
model_row (SoundstyleModelsWindow *self,
           const char             *path,
           gboolean                deletable,
           const char             *active)
{
  g_autoptr(SoundstyleModelCard) card = soundstyle_model_card_read (path);
  g_autofree char *summary = soundstyle_model_card_summary (card);
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *radio = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), card->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), summary);
  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);

  /* The radio picks the model; a broken file cannot be picked */
  g_object_set_data_full (G_OBJECT (radio), "path", g_strdup (path), g_free);
  gtk_widget_set_valign (radio, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (radio, _("Use This Model"));
  gtk_widget_set_sensitive (radio, card->error == NULL);
  if (self->radio_group == NULL)
    self->radio_group = GTK_CHECK_BUTTON (radio);
  else
    gtk_check_button_set_group (GTK_CHECK_BUTTON (radio), self->radio_group);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (radio), g_strcmp0 (active, path) == 0);
  g_signal_connect_object (radio, "toggled", G_CALLBACK (on_radio_toggled), self, 0);
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), radio);
  g_object_set_data (G_OBJECT (row), "radio", radio);

  if (card->card_text != NULL)
    {
      GtkWidget *label = gtk_label_new (card->card_text);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 12);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
    }

  if (card->error == NULL)
    {
      g_autofree char *weights = g_strdup_printf (_("%.2f million parameters, %s"),
                                                  card->n_parameters / 1e6,
                                                  card->dtype != NULL ? card->dtype : "?");
      g_autofree char *steps = card->steps >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, card->steps) : NULL;

      add_detail (ADW_EXPANDER_ROW (row), _("Shape"), card->preset);
      add_detail (ADW_EXPANDER_ROW (row), _("Conditioned on"),
                  g_strcmp0 (card->conditioning, "keywords") == 0 ? _("Keywords") : _("Sounds"));
      add_detail (ADW_EXPANDER_ROW (row), _("Weights"), weights);
      add_detail (ADW_EXPANDER_ROW (row), _("Training steps"), steps);
      add_detail (ADW_EXPANDER_ROW (row), _("Trained on"), card->dataset);
      add_detail (ADW_EXPANDER_ROW (row), _("Created"), card->created);
    }
  add_detail (ADW_EXPANDER_ROW (row), _("File"), path);

  if (deletable)
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Delete Model"));
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "path", g_strdup (path), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_delete_clicked), self, 0);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), button);
      g_object_set_data (G_OBJECT (row), "delete-button", button);
    }

  return row;
}

static void
add_row (SoundstyleModelsWindow *self,
         AdwPreferencesGroup    *group,
         GtkWidget              *row)
{
  g_object_set_data (G_OBJECT (row), "group", group);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

static GtkWidget *
placeholder_row (const char *title,
                 const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, "dim-label");
  return row;
}

void
soundstyle_models_window_refresh (SoundstyleModelsWindow *self)
{
  g_autoptr(GPtrArray) paths = soundstyle_models_list ();
  g_autofree char *active = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_MODELS_WINDOW (self));

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->updating = TRUE;

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);

      adw_preferences_group_remove (g_object_get_data (G_OBJECT (row), "group"), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  self->radio_group = NULL;

  /* Whatever the command line would use is "the default" */
  g_clear_pointer (&self->default_path, g_free);
  self->default_path = soundstyle_find_model (NULL, &error);
  active = active_path (self);

  if (self->default_path != NULL)
    add_row (self, self->bundled_group, model_row (self, self->default_path, FALSE, active));
  else
    add_row (self, self->bundled_group,
             placeholder_row (_("Default Model"),
                              _("Not installed yet: import a model or fine-tune one")));

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      if (g_strcmp0 (path, self->default_path) != 0)
        add_row (self, self->user_group, model_row (self, path, TRUE, active));
    }
  if (paths->len == 0)
    add_row (self, self->user_group,
             placeholder_row (_("No Models Yet"), _("Import a model file, or fine-tune one on your own videos")));

  self->updating = FALSE;
}

static gboolean
refresh_later (gpointer user_data)
{
  SoundstyleModelsWindow *self = user_data;

  self->refresh_source = 0;
  soundstyle_models_window_refresh (self);
  return G_SOURCE_REMOVE;
}

/* A write under way fires several events: refresh once they settle */
static void
on_folder_changed (GFileMonitor           *monitor,
                   GFile                  *file,
                   GFile                  *other,
                   GFileMonitorEvent       event,
                   SoundstyleModelsWindow *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->refresh_source = g_timeout_add (300, refresh_later, self);
}

static void
on_active_changed (GSettings              *settings,
                   const char             *key,
                   SoundstyleModelsWindow *self)
{
  g_autofree char *active = active_path (self);

  self->updating = TRUE;
  for (guint i = 0; i < self->rows->len; i++)
    {
      GObject *row = g_ptr_array_index (self->rows, i);
      GtkCheckButton *radio = g_object_get_data (row, "radio");

      if (radio != NULL && g_strcmp0 (g_object_get_data (row, "path"), active) == 0)
        gtk_check_button_set_active (radio, TRUE);
    }
  self->updating = FALSE;
}

/* --- import ------------------------------------------------------------------ */

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  char *path = soundstyle_models_import (task_data, cancellable, &error);

  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

static void
on_imported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SoundstyleModelsWindow *self = SOUNDSTYLE_MODELS_WINDOW (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *base = NULL;
  g_autofree char *message = NULL;

  if (path == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  base = g_path_get_basename (path);
  message = g_strdup_printf (_("Imported “%s”"), base);
  soundstyle_models_window_refresh (self);
  toast (self, message);
}

void
soundstyle_models_window_import (SoundstyleModelsWindow *self,
                                 GFile                  *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_MODELS_WINDOW (self));

  task = g_task_new (self, self->cancellable, on_imported, NULL);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, import_thread);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SoundstyleModelsWindow *self = SOUNDSTYLE_MODELS_WINDOW (widget);

  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_MODEL, NULL, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_models_window_import,
                               (SoundstyleFileFailedFunc) toast);
}

static void
finetune_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SoundstyleModelsWindow *self = SOUNDSTYLE_MODELS_WINDOW (widget);

  if (self->window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->window), "win.finetune", NULL);
}

/* --- GObject ------------------------------------------------------------------ */

static void
soundstyle_models_window_dispose (GObject *object)
{
  SoundstyleModelsWindow *self = SOUNDSTYLE_MODELS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_object (&self->monitor);
  g_clear_weak_pointer (&self->window);
  g_clear_weak_pointer (&self->confirm_dialog);

  G_OBJECT_CLASS (soundstyle_models_window_parent_class)->dispose (object);
}

static void
soundstyle_models_window_finalize (GObject *object)
{
  SoundstyleModelsWindow *self = SOUNDSTYLE_MODELS_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->rows);
  g_free (self->default_path);
  g_free (self->last_toast);

  G_OBJECT_CLASS (soundstyle_models_window_parent_class)->finalize (object);
}

static void
soundstyle_models_window_class_init (SoundstyleModelsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = soundstyle_models_window_dispose;
  object_class->finalize = soundstyle_models_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-models-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstyleModelsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleModelsWindow, bundled_group);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleModelsWindow, user_group);

  gtk_widget_class_install_action (widget_class, "models.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "models.finetune", NULL, finetune_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "models.import", NULL);
}

static void
soundstyle_models_window_init (SoundstyleModelsWindow *self)
{
  g_autofree char *dir = soundstyle_models_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = soundstyle_settings_new ();
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();

  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_folder_changed), self, 0);
  g_signal_connect_object (self->settings, "changed::active-model", G_CALLBACK (on_active_changed), self, 0);

  soundstyle_models_window_refresh (self);
}

GtkWidget *
soundstyle_models_window_new (SoundstyleWindow *window)
{
  SoundstyleModelsWindow *self = g_object_new (SOUNDSTYLE_TYPE_MODELS_WINDOW,
                                               "transient-for", window, NULL);

  g_set_weak_pointer (&self->window, window);
  return GTK_WIDGET (self);
}

/* --- for tests and accessibility tools ------------------------------------------ */

static GtkWidget *
find_row (SoundstyleModelsWindow *self,
          const char             *path)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GObject *row = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (g_object_get_data (row, "path"), path) == 0)
        return GTK_WIDGET (row);
    }
  return NULL;
}

gboolean
soundstyle_models_window_lists (SoundstyleModelsWindow *self,
                                const char             *path)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MODELS_WINDOW (self), FALSE);

  return find_row (self, path) != NULL;
}

gboolean
soundstyle_models_window_choose (SoundstyleModelsWindow *self,
                                 const char             *path)
{
  GtkWidget *row;
  GtkCheckButton *radio;

  g_return_val_if_fail (SOUNDSTYLE_IS_MODELS_WINDOW (self), FALSE);

  if ((row = find_row (self, path)) == NULL ||
      (radio = g_object_get_data (G_OBJECT (row), "radio")) == NULL ||
      !gtk_widget_get_sensitive (GTK_WIDGET (radio)))
    return FALSE;
  gtk_check_button_set_active (radio, TRUE);
  return TRUE;
}

GtkWidget *
soundstyle_models_window_delete (SoundstyleModelsWindow *self,
                                 const char             *path)
{
  GtkWidget *row;
  GtkWidget *button;

  g_return_val_if_fail (SOUNDSTYLE_IS_MODELS_WINDOW (self), NULL);

  if ((row = find_row (self, path)) == NULL ||
      (button = g_object_get_data (G_OBJECT (row), "delete-button")) == NULL)
    return NULL;
  /* What a pointer click ends in ("activate" would click after a delay) */
  g_signal_emit_by_name (button, "clicked");
  return self->confirm_dialog;
}

const char *
soundstyle_models_window_get_last_toast (SoundstyleModelsWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MODELS_WINDOW (self), NULL);

  return self->last_toast;
}
