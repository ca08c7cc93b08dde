/* soundstyle-finetune-window.c: training a model on the user's own data
 *
 * SPDX-License-Identifier: MIT
 *
 * The window gathers the choices, hands them to a SoundstyleFinetuneJob
 * (the trainer runs as a child process) and shows how it goes: progress
 * with ETA, loss curves, the latest sample. The finished model is written
 * into the models folder with a card beside it, so the model list shows it.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "adis.h"
#include "soundstyle-file-chooser.h"
#include "soundstyle-find-model.h"
#include "soundstyle-finetune-window.h"
#include "soundstyle-models.h"
#include "soundstyle-settings.h"
#include "soundstyle-types.h"

struct _SoundstyleFinetuneWindow
{
  AdwWindow              parent_instance;

  /* Template widgets */
  AdwToastOverlay       *toast_overlay;
  GtkWidget             *start_button;
  GtkWidget             *stop_button;
  GtkWidget             *resume_button;
  GtkWidget             *setup_group;
  GtkWidget             *model_group;
  GtkWidget             *progress_group;
  AdwActionRow          *data_row;
  AdwEntryRow           *name_row;
  AdwComboRow           *start_row;
  AdwComboRow           *size_row;
  GtkAdjustment         *epochs_adjustment;
  GtkAdjustment         *steps_adjustment;
  GtkLabel              *status_label;
  GtkProgressBar        *progress_bar;
  SoundstyleLossPlot    *loss_plot;
  GtkLabel              *sample_label;
  GtkPicture            *sample_picture;

  /* Owned */
  SoundstyleWindow      *window;             /* weak */
  GSettings             *settings;
  GCancellable          *cancellable;
  SoundstyleFinetuneJob *job;
  GPtrArray             *start_paths;        /* model per "Start From" entry; NULL: new */
  char                  *data_folder;
  SoundstyleDataKind     data_kind;
  char                  *last_toast;
  char                  *start_name;         /* for the model card */
  int                    size;               /* 0: from the size row */
  int                    batch;
  int                    checkpoint_every;
  int                    sample_every;
};

G_DEFINE_FINAL_TYPE (SoundstyleFinetuneWindow, soundstyle_finetune_window, ADW_TYPE_WINDOW)

static void
toast (SoundstyleFinetuneWindow *self,
       const char               *message)
{
  AdwToast *t = adw_toast_new (message);

  soundstyle_set_str (&self->last_toast, message);
  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* --- the "Start From" list ------------------------------------------------------ */

static void
fill_start_row (SoundstyleFinetuneWindow *self)
{
  g_autoptr(GPtrArray) models = soundstyle_models_list ();
  g_autofree char *default_path = soundstyle_find_model (NULL, NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->start_paths, 0);
  if (default_path != NULL)
    {
      gtk_string_list_append (names, _("Default model"));
      g_ptr_array_add (self->start_paths, g_strdup (default_path));
    }
  for (guint i = 0; i < models->len; i++)
    {
      const char *path = g_ptr_array_index (models, i);
      g_autofree char *base = g_path_get_basename (path);

      if (g_strcmp0 (path, default_path) == 0)
        continue;
      base[strlen (base) - strlen (".safetensors")] = '\0';
      gtk_string_list_append (names, base);
      g_ptr_array_add (self->start_paths, g_strdup (path));
    }
  gtk_string_list_append (names, _("A new small model"));
  g_ptr_array_add (self->start_paths, NULL);

  adw_combo_row_set_model (self->start_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->start_row, 0);
}

/* --- following the job --------------------------------------------------------- */

static void
write_model_card (SoundstyleFinetuneWindow *self)
{
  const char *output = soundstyle_finetune_job_get_output (self->job);
  g_autofree char *stem = g_strndup (output, strlen (output) - strlen (".safetensors"));
  g_autofree char *card_path = g_strconcat (stem, ".md", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M");
  g_autofree char *text = NULL;

  /* Translators: the model card written beside a fine-tuned model */
  text = g_strdup_printf (_("Fine-tuned in Soundstyle from %s on “%s”, %d training steps, finished %s."),
                          self->start_name, self->data_folder,
                          (int) soundstyle_finetune_job_get_step (self->job), date);
  adis_write_file_atomic (card_path, text, strlen (text), NULL);
}

static void
update_buttons (SoundstyleFinetuneWindow *self)
{
  gboolean running = self->job != NULL && soundstyle_finetune_job_is_running (self->job);
  gboolean resumable = self->job != NULL && soundstyle_finetune_job_can_resume (self->job);

  gtk_widget_set_visible (self->stop_button, running);
  gtk_widget_set_visible (self->resume_button, !running && resumable);
  gtk_widget_set_visible (self->start_button, !running);
  if (resumable)
    gtk_widget_remove_css_class (self->start_button, "suggested-action");
  else
    gtk_widget_add_css_class (self->start_button, "suggested-action");
  gtk_widget_set_sensitive (self->setup_group, !running);
  gtk_widget_set_sensitive (self->model_group, !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "finetune.start", !running && self->data_folder != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "finetune.stop",
                                 running && soundstyle_finetune_job_get_state (self->job) != SOUNDSTYLE_JOB_STOPPING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "finetune.resume", !running && resumable);
}

static void
on_job_changed (SoundstyleFinetuneJob    *job,
                SoundstyleFinetuneWindow *self)
{
  SoundstyleJobState state = soundstyle_finetune_job_get_state (job);
  gint64 total = soundstyle_finetune_job_get_total_steps (job);
  const char *message = soundstyle_finetune_job_get_message (job);
  SoundstyleJobState shown = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (job), "shown-state"));

  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  if (state == SOUNDSTYLE_JOB_PREPARING && soundstyle_finetune_job_get_prepare_fraction (job) >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, soundstyle_finetune_job_get_prepare_fraction (job));
  else if (state == SOUNDSTYLE_JOB_PREPARING || (state == SOUNDSTYLE_JOB_TRAINING && total == 0))
    gtk_progress_bar_pulse (self->progress_bar);
  else if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   CLAMP ((double) soundstyle_finetune_job_get_step (job) / total, 0, 1));

  if (state == SOUNDSTYLE_JOB_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  /* Endings are said once, here and in the main window */
  if (state != shown)
    {
      g_object_set_data (G_OBJECT (job), "shown-state", GINT_TO_POINTER (state));
      if (state == SOUNDSTYLE_JOB_FINISHED)
        write_model_card (self);
      if (state == SOUNDSTYLE_JOB_FINISHED || state == SOUNDSTYLE_JOB_FAILED || state == SOUNDSTYLE_JOB_STOPPED)
        {
          toast (self, message);
          if (self->window != NULL)
            soundstyle_window_toast (self->window, message);
        }
    }
  update_buttons (self);
}

static void
on_job_loss (SoundstyleFinetuneJob     *job,
             const SoundstyleLossPoint *point,
             SoundstyleFinetuneWindow  *self)
{
  soundstyle_loss_plot_add (self->loss_plot, point);
}

static void
on_job_sample (SoundstyleFinetuneJob    *job,
               const char               *path,
               SoundstyleFinetuneWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);
  g_autofree char *caption = NULL;
  g_autofree char *base = g_path_get_basename (path);

  /* A sample is a nicety: one that does not load is only logged */
  if (texture == NULL)
    {
      g_debug ("sample %s: %s", path, error->message);
      return;
    }
  gtk_picture_set_paintable (self->sample_picture, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (GTK_WIDGET (self->sample_picture), TRUE);
  /* Translators: the sample's file name, e.g. step-00000120.png */
  caption = g_strdup_printf (_("Latest sample, a training photo and the model’s version: %s"), base);
  gtk_label_set_text (self->sample_label, caption);
}

/* --- actions -------------------------------------------------------------------- */

static const char *
device_option (SoundstyleFinetuneWindow *self)
{
  g_autofree char *device = g_settings_get_string (self->settings, "device");

  if (g_str_equal (device, "cpu"))
    return "cpu";
  if (g_str_equal (device, "gpu"))
    return "cuda";
  return "auto";
}

static int
chosen_size (SoundstyleFinetuneWindow *self)
{
  static const int sizes[] = { 128, 256, 512 };
  guint selected = adw_combo_row_get_selected (self->size_row);

  if (self->size > 0)
    return self->size;
  return sizes[MIN (selected, G_N_ELEMENTS (sizes) - 1)];
}

gboolean
soundstyle_finetune_window_start (SoundstyleFinetuneWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  guint start = adw_combo_row_get_selected (self->start_row);
  const char *init_model = start < self->start_paths->len ? g_ptr_array_index (self->start_paths, start) : NULL;
  g_autofree char *output = NULL;
  g_autofree char *base = NULL;
  g_autofree char *work_dir = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_WINDOW (self), FALSE);

  if (self->job != NULL && soundstyle_finetune_job_is_running (self->job))
    return FALSE;
  if (self->data_folder == NULL)
    {
      toast (self, _("Choose the training data first"));
      return FALSE;
    }

  output = soundstyle_models_free_path (name);
  base = g_path_get_basename (output);
  base[strlen (base) - strlen (".safetensors")] = '\0';
  work_dir = g_build_filename (g_get_user_data_dir (), "soundstyle", "training", base, NULL);

  if (self->job != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->job, self);
      g_clear_object (&self->job);
    }
  self->job = soundstyle_finetune_job_new (self->data_folder, self->data_kind, output, work_dir);
  soundstyle_finetune_job_set_init_model (self->job, init_model);
  if (init_model != NULL)
    {
      g_autoptr(SoundstyleModelCard) card = soundstyle_model_card_read (init_model);

      if (card->error != NULL)
        {
          toast (self, card->error);
          g_clear_object (&self->job);
          return FALSE;
        }
      soundstyle_finetune_job_set_preset (self->job, card->preset);
    }
  else
    soundstyle_finetune_job_set_preset (self->job, "tiny");
  soundstyle_finetune_job_set_epochs (self->job, (int) gtk_adjustment_get_value (self->epochs_adjustment));
  soundstyle_finetune_job_set_max_steps (self->job, (gint64) gtk_adjustment_get_value (self->steps_adjustment));
  soundstyle_finetune_job_set_size (self->job, chosen_size (self));
  soundstyle_finetune_job_set_batch (self->job, self->batch);
  soundstyle_finetune_job_set_device (self->job, device_option (self));
  soundstyle_finetune_job_set_intervals (self->job, self->checkpoint_every, self->sample_every);
  g_signal_connect (self->job, "changed", G_CALLBACK (on_job_changed), self);
  g_signal_connect (self->job, "loss", G_CALLBACK (on_job_loss), self);
  g_signal_connect (self->job, "sample", G_CALLBACK (on_job_sample), self);

  g_free (self->start_name);
  if (init_model == NULL)
    self->start_name = g_strdup (_("a new small model"));
  else
    {
      g_autofree char *model_base = g_path_get_basename (init_model);

      self->start_name = g_strdup_printf ("“%s”", model_base);
    }

  soundstyle_loss_plot_clear (self->loss_plot);
  gtk_picture_set_paintable (self->sample_picture, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sample_picture), FALSE);
  gtk_label_set_text (self->sample_label, _("Samples appear here: a training photo and what the model makes of it"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (self->progress_group, TRUE);

  if (!soundstyle_finetune_job_start (self->job, &error))
    {
      toast (self, error != NULL ? error->message : soundstyle_finetune_job_get_message (self->job));
      update_buttons (self);
      return FALSE;
    }
  update_buttons (self);
  return TRUE;
}

void
soundstyle_finetune_window_stop (SoundstyleFinetuneWindow *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_FINETUNE_WINDOW (self));

  if (self->job != NULL)
    soundstyle_finetune_job_stop (self->job);
}

gboolean
soundstyle_finetune_window_resume (SoundstyleFinetuneWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_WINDOW (self), FALSE);

  if (self->job == NULL || !soundstyle_finetune_job_resume (self->job, &error))
    {
      toast (self, error != NULL ? error->message : _("There is no checkpoint to resume from"));
      return FALSE;
    }
  update_buttons (self);
  return TRUE;
}

static void
start_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  soundstyle_finetune_window_start (SOUNDSTYLE_FINETUNE_WINDOW (widget));
}

static void
stop_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  soundstyle_finetune_window_stop (SOUNDSTYLE_FINETUNE_WINDOW (widget));
}

static void
resume_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  soundstyle_finetune_window_resume (SOUNDSTYLE_FINETUNE_WINDOW (widget));
}

static void
on_data_chosen (gpointer  self,
                GFile    *folder)
{
  soundstyle_finetune_window_choose_data (self, folder);
}

static void
choose_data_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  SoundstyleFinetuneWindow *self = SOUNDSTYLE_FINETUNE_WINDOW (widget);

  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_FOLDER, NULL, self->cancellable,
                               self, on_data_chosen, (SoundstyleFileFailedFunc) toast);
}

/* Closing stops a run: the trainer writes its checkpoint on the way out */
static gboolean
soundstyle_finetune_window_close_request (GtkWindow *window)
{
  SoundstyleFinetuneWindow *self = SOUNDSTYLE_FINETUNE_WINDOW (window);

  if (self->job != NULL && soundstyle_finetune_job_is_running (self->job))
    soundstyle_finetune_job_stop (self->job);

  return GTK_WINDOW_CLASS (soundstyle_finetune_window_parent_class)->close_request (window);
}

/* --- GObject -------------------------------------------------------------------- */

static void
soundstyle_finetune_window_dispose (GObject *object)
{
  SoundstyleFinetuneWindow *self = SOUNDSTYLE_FINETUNE_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  g_clear_weak_pointer (&self->window);

  G_OBJECT_CLASS (soundstyle_finetune_window_parent_class)->dispose (object);
}

static void
soundstyle_finetune_window_finalize (GObject *object)
{
  SoundstyleFinetuneWindow *self = SOUNDSTYLE_FINETUNE_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->start_paths);
  g_free (self->data_folder);
  g_free (self->last_toast);
  g_free (self->start_name);

  G_OBJECT_CLASS (soundstyle_finetune_window_parent_class)->finalize (object);
}

static void
soundstyle_finetune_window_class_init (SoundstyleFinetuneWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = soundstyle_finetune_window_dispose;
  object_class->finalize = soundstyle_finetune_window_finalize;
  window_class->close_request = soundstyle_finetune_window_close_request;

  g_type_ensure (SOUNDSTYLE_TYPE_LOSS_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-finetune-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, resume_button);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, setup_group);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, model_group);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, progress_group);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, data_row);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, start_row);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, size_row);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, epochs_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, steps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, loss_plot);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, sample_label);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleFinetuneWindow, sample_picture);

  gtk_widget_class_install_action (widget_class, "finetune.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "finetune.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "finetune.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "finetune.choose-data", NULL, choose_data_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
soundstyle_finetune_window_init (SoundstyleFinetuneWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = soundstyle_settings_new ();
  self->cancellable = g_cancellable_new ();
  self->start_paths = g_ptr_array_new_with_free_func (g_free);
  self->batch = 4;
  self->checkpoint_every = 100;
  self->sample_every = 25;

  fill_start_row (self);
  update_buttons (self);
}

GtkWidget *
soundstyle_finetune_window_new (SoundstyleWindow *window)
{
  SoundstyleFinetuneWindow *self = g_object_new (SOUNDSTYLE_TYPE_FINETUNE_WINDOW,
                                                 "transient-for", window, NULL);

  g_set_weak_pointer (&self->window, window);
  return GTK_WIDGET (self);
}

/* --- setting the controls --------------------------------------------------------- */

gboolean
soundstyle_finetune_window_set_data (SoundstyleFinetuneWindow *self,
                                     const char               *folder)
{
  g_autoptr(GError) error = NULL;
  SoundstyleDataKind kind;
  const char *what;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_WINDOW (self), FALSE);

  if (!soundstyle_detect_training_data (folder, &kind, &error))
    {
      toast (self, error->message);
      return FALSE;
    }

  switch (kind)
    {
    case SOUNDSTYLE_DATA_PREPARED:
      what = _("a prepared dataset");
      break;
    case SOUNDSTYLE_DATA_PAIRS:
      what = _("photos and sounds paired by name");
      break;
    case SOUNDSTYLE_DATA_VIDEOS:
    default:
      what = _("videos, cut into clips first");
      break;
    }
  soundstyle_set_str (&self->data_folder, folder);
  self->data_kind = kind;
  /* Translators: a folder and what it holds */
  subtitle = g_strdup_printf (_("%s — %s"), folder, what);
  adw_action_row_set_subtitle (self->data_row, subtitle);
  update_buttons (self);
  return TRUE;
}

gboolean
soundstyle_finetune_window_choose_data (SoundstyleFinetuneWindow *self,
                                        GFile                    *folder)
{
  g_autofree char *path = g_file_get_path (folder);
  g_autofree char *uri = NULL;
  g_autofree char *message = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_WINDOW (self), FALSE);

  if (path != NULL)
    return soundstyle_finetune_window_set_data (self, path);
  /* The trainer reads files: a folder the portal cannot map to a path is refused */
  uri = g_file_get_uri (folder);
  message = g_strdup_printf (_("“%s” is not a local folder"), uri);
  toast (self, message);
  return FALSE;
}

void
soundstyle_finetune_window_set_name (SoundstyleFinetuneWindow *self,
                                     const char               *name)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

gboolean
soundstyle_finetune_window_set_start (SoundstyleFinetuneWindow *self,
                                      const char               *model)
{
  fill_start_row (self);
  for (guint i = 0; i < self->start_paths->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->start_paths, i), model) == 0)
      {
        adw_combo_row_set_selected (self->start_row, i);
        return TRUE;
      }
  return FALSE;
}

void
soundstyle_finetune_window_set_schedule (SoundstyleFinetuneWindow *self,
                                         int                       epochs,
                                         gint64                    max_steps)
{
  gtk_adjustment_set_value (self->epochs_adjustment, epochs);
  gtk_adjustment_set_value (self->steps_adjustment, (double) max_steps);
}

void
soundstyle_finetune_window_set_advanced (SoundstyleFinetuneWindow *self,
                                         int                       size,
                                         int                       batch,
                                         int                       checkpoint_every,
                                         int                       sample_every)
{
  self->size = size;
  self->batch = batch;
  self->checkpoint_every = checkpoint_every;
  self->sample_every = sample_every;
}

SoundstyleFinetuneJob *
soundstyle_finetune_window_get_job (SoundstyleFinetuneWindow *self)
{
  return self->job;
}

SoundstyleLossPlot *
soundstyle_finetune_window_get_plot (SoundstyleFinetuneWindow *self)
{
  return self->loss_plot;
}

const char *
soundstyle_finetune_window_get_last_toast (SoundstyleFinetuneWindow *self)
{
  return self->last_toast;
}

gboolean
soundstyle_finetune_window_has_sample (SoundstyleFinetuneWindow *self)
{
  return gtk_picture_get_paintable (self->sample_picture) != NULL;
}
