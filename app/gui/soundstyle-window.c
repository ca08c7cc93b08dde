/* soundstyle-window.c: the main window: model, sounds, settings, toasts
 *
 * SPDX-License-Identifier: MIT
 *
 * The window owns the renderer and feeds it: the model (loaded in a thread),
 * the photo (soundstyle-window-files.c), the two slots' sounds and volumes
 * and the mix. Everything the user set is kept in GSettings and restored on
 * the next start. The model's loading and the windows that manage models are
 * in soundstyle-window-model.c.
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
#include "soundstyle-video-view.h"
#include "soundstyle-window-private.h"

G_DEFINE_FINAL_TYPE (SoundstyleWindow, soundstyle_window, ADW_TYPE_APPLICATION_WINDOW)

/* --- toasts ---------------------------------------------------------------- */

static void
on_toast_dismissed (AdwToast         *toast,
                    SoundstyleWindow *self)
{
  if (self->toast == toast)
    g_clear_object (&self->toast);
}

void
soundstyle_window_toast (SoundstyleWindow *self,
                         const char       *message)
{
  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));

  soundstyle_set_str (&self->last_toast, message);

  /* A newer message replaces the text of the toast on screen rather than
   * queueing behind it, where it would turn up late and stale. (Dismissing
   * the old toast instead can crash libadwaita 1.2 while its hide animation
   * runs.) */
  if (self->toast != NULL)
    {
      adw_toast_set_title (self->toast, message);
      return;
    }

  self->toast = adw_toast_new (message);
  adw_toast_set_timeout (self->toast, 5);
  g_signal_connect_object (self->toast, "dismissed", G_CALLBACK (on_toast_dismissed), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
}

static void
on_slot_failed (SoundstyleSoundSlot *slot,
                const char          *message,
                SoundstyleWindow    *self)
{
  soundstyle_window_toast (self, message);
}

static void
on_render_failed (SoundstyleRenderer *renderer,
                  const GError       *error,
                  SoundstyleWindow   *self)
{
  g_autofree char *message = g_strdup_printf (_("The photo could not be restyled: %s"), error->message);

  soundstyle_window_toast (self, message);
}

/* --- feeding the renderer -------------------------------------------------- */

static void
update_sounds (SoundstyleWindow *self)
{
  soundstyle_renderer_set_sounds (self->renderer,
                                  soundstyle_sound_slot_get_sound (self->slot_a),
                                  soundstyle_sound_slot_get_gain (self->slot_a),
                                  soundstyle_sound_slot_get_sound (self->slot_b),
                                  soundstyle_sound_slot_get_gain (self->slot_b),
                                  gtk_adjustment_get_value (self->mix_adjustment));
}

static void
on_sound_changed (SoundstyleSoundSlot *slot,
                  GParamSpec          *pspec,
                  SoundstyleWindow    *self)
{
  const char *path = soundstyle_sound_slot_get_sound_path (slot);

  /* Remember files, not recordings: those exist only in memory */
  if (path != NULL && g_str_equal (pspec->name, "sound"))
    g_settings_set_string (self->settings, slot == self->slot_a ? "sound-a" : "sound-b", path);

  update_sounds (self);
  soundstyle_window_undo_note_change (self);
}

static void
on_mix_changed (GtkAdjustment    *adjustment,
                SoundstyleWindow *self)
{
  update_sounds (self);
  soundstyle_window_undo_note_change (self);
}

static void
update_sizes (SoundstyleWindow *self)
{
  int preview = g_settings_get_int (self->settings, "preview-size");
  int render = g_settings_get_int (self->settings, "render-size");

  soundstyle_renderer_set_sizes (self->renderer, preview, MAX (preview, render));
}

/* The header's spinner turns while a render or an export runs */
void
soundstyle_window_update_busy (SoundstyleWindow *self)
{
  gboolean busy = soundstyle_renderer_get_busy (self->renderer) || self->n_exports > 0;

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

static void
on_display_size_changed (SoundstyleCanvas *canvas,
                         GParamSpec       *pspec,
                         SoundstyleWindow *self)
{
  soundstyle_renderer_set_display_size (self->renderer, soundstyle_canvas_get_display_size (canvas));
}

static void
on_renderer_notify (SoundstyleRenderer *renderer,
                    GParamSpec         *pspec,
                    SoundstyleWindow   *self)
{
  soundstyle_window_update_busy (self);
  gtk_widget_set_visible (self->preview_label,
                          soundstyle_renderer_get_is_preview (renderer) &&
                          soundstyle_renderer_get_texture (renderer) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress),
                          soundstyle_renderer_get_export_progress (renderer) >= 0.0);
  gtk_progress_bar_set_fraction (self->export_progress,
                                 MAX (0.0, soundstyle_renderer_get_export_progress (renderer)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export",
                                 soundstyle_renderer_get_texture (renderer) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy",
                                 soundstyle_renderer_get_texture (renderer) != NULL);
}

/* --- microphones ------------------------------------------------------------ */

/* Probing the sound system can take a second, so it happens in a thread */
static void
list_microphones_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  GError *error = NULL;
  GListModel *devices = soundstyle_audio_list_input_devices (&error);

  if (devices == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, devices, g_object_unref);
}

static void
on_microphones_listed (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) devices = g_task_propagate_pointer (G_TASK (result), &error);
  guint n;

  if (devices == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("no microphones: %s", error->message);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->microphone_row), _("Sound input is not available"));
      return;
    }

  n = g_list_model_get_n_items (devices);
  if (n == 0)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->microphone_row), _("None found"));
      return;
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->microphone_row), NULL);
  adw_combo_row_set_expression (self->microphone_row,
                                gtk_property_expression_new (SOUNDSTYLE_TYPE_AUDIO_DEVICE, NULL, "name"));
  adw_combo_row_set_model (self->microphone_row, devices);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoundstyleAudioDevice) device = g_list_model_get_item (devices, i);

      if (soundstyle_audio_device_get_is_default (device))
        adw_combo_row_set_selected (self->microphone_row, i);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->microphone_row), TRUE);
}

static void
on_microphone_selected (AdwComboRow      *row,
                        GParamSpec       *pspec,
                        SoundstyleWindow *self)
{
  SoundstyleAudioDevice *device = adw_combo_row_get_selected_item (row);

  soundstyle_sound_slot_set_input_device (self->slot_a, device);
  soundstyle_sound_slot_set_input_device (self->slot_b, device);
  soundstyle_live_mode_set_device (self->live_mode, device);
}

static void
list_microphones (SoundstyleWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_microphones_listed, NULL);

  g_task_set_source_tag (task, list_microphones);
  g_task_run_in_thread (task, list_microphones_thread);
}

/* --- sounds restored from the last run ------------------------------------ */

static void
restore_sound (SoundstyleWindow    *self,
               SoundstyleSoundSlot *slot,
               const char          *key,
               guint                default_sample)
{
  g_autofree char *path = g_settings_get_string (self->settings, key);

  if (path[0] != '\0' && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      soundstyle_sound_slot_load_file (slot, file);
    }
  else
    soundstyle_sound_slot_choose_sample (slot, default_sample);
}

/* --- window size ----------------------------------------------------------- */

static gboolean
soundstyle_window_close_request (GtkWindow *window)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
  g_settings_apply (self->settings);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (soundstyle_window_parent_class)->close_request (window);
}

/* --- actions --------------------------------------------------------------- */

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);
  double zoom = soundstyle_canvas_get_zoom (self->canvas);

  if (g_str_equal (action_name, "win.zoom-in"))
    zoom *= 1.25;
  else if (g_str_equal (action_name, "win.zoom-out"))
    zoom /= 1.25;
  else
    zoom = 1.0;
  soundstyle_canvas_set_zoom (self->canvas, zoom);
}

/* A video in a window of its own, restyled by its soundtrack */
void
soundstyle_window_open_video (SoundstyleWindow *self,
                              GFile            *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  GtkWindow *window;

  if (self->model == NULL)
    {
      soundstyle_window_toast (self, _("Open a model first: it restyles the video"));
      return;
    }
  window = soundstyle_video_view_open_window (GTK_WINDOW (self), self->model, self->model_path,
                                              path, &error);
  if (window == NULL)
    {
      soundstyle_window_toast (self, error->message);
      return;
    }
  gtk_window_present (window);
}

static void
open_video_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);

  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_VIDEO, NULL, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_window_open_video,
                               (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_window_constructed (GObject *object)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);

  G_OBJECT_CLASS (soundstyle_window_parent_class)->constructed (object);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
soundstyle_window_dispose (GObject *object)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->toast);
  g_clear_weak_pointer (&self->models_window);
  g_clear_weak_pointer (&self->finetune_window);
  if (self->renderer != NULL)
    g_signal_handlers_disconnect_by_data (self->renderer, self);
  soundstyle_window_undo_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOUNDSTYLE_TYPE_WINDOW);

  G_OBJECT_CLASS (soundstyle_window_parent_class)->dispose (object);
}

static void
soundstyle_window_finalize (GObject *object)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);

  g_clear_object (&self->renderer);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->model, adis_model_unref);
  g_clear_pointer (&self->photo, adis_image_unref);
  g_free (self->model_path);
  g_free (self->photo_name);
  g_free (self->last_toast);
  soundstyle_window_undo_finalize (self);
  soundstyle_window_history_finalize (self);
  soundstyle_window_mask_finalize (self);

  G_OBJECT_CLASS (soundstyle_window_parent_class)->finalize (object);
}

static void
soundstyle_window_class_init (SoundstyleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = soundstyle_window_constructed;
  object_class->dispose = soundstyle_window_dispose;
  object_class->finalize = soundstyle_window_finalize;
  window_class->close_request = soundstyle_window_close_request;

  g_type_ensure (SOUNDSTYLE_TYPE_CANVAS);
  g_type_ensure (SOUNDSTYLE_TYPE_SOUND_SLOT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, no_model_page);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, photo_stack);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, export_progress);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, slot_a);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, slot_b);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, mix_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, microphone_row);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, brush_box);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, brush_revealer);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, brush_size_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, feather_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, history_box);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleWindow, history_empty);
  gtk_widget_class_bind_template_callback (widget_class, on_microphone_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_sound_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_slot_failed);
  gtk_widget_class_bind_template_callback (widget_class, on_mix_changed);

  soundstyle_window_model_class_init (widget_class);
  gtk_widget_class_install_action (widget_class, "win.open-video", NULL, open_video_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-fit", NULL);

  soundstyle_window_files_class_init (widget_class);
  soundstyle_window_mask_class_init (widget_class);
  soundstyle_window_batch_class_init (widget_class);
  soundstyle_window_undo_class_init (widget_class);
  soundstyle_window_history_class_init (widget_class);
}

static void
soundstyle_window_init (SoundstyleWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = soundstyle_settings_new ();
  self->renderer = soundstyle_renderer_new ();

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  g_object_bind_property (self->renderer, "texture", self->canvas, "after", G_BINDING_SYNC_CREATE);
  /* A grid-head model restyles at the size the photo is shown */
  g_signal_connect_object (self->canvas, "notify::display-size", G_CALLBACK (on_display_size_changed), self, 0);
  g_signal_connect_object (self->renderer, "notify", G_CALLBACK (on_renderer_notify), self, 0);
  g_signal_connect_object (self->renderer, "failed", G_CALLBACK (on_render_failed), self, 0);

  /* Volumes and the mix come back as they were left */
  g_settings_bind (self->settings, "gain-a", self->slot_a, "gain", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "gain-b", self->slot_b, "gain", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "mix", self->mix_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::preview-size", G_CALLBACK (update_sizes), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::render-size", G_CALLBACK (update_sizes), self,
                           G_CONNECT_SWAPPED);
  soundstyle_window_model_init (self);
  update_sizes (self);

  soundstyle_window_files_init (self);
  soundstyle_window_mask_init (self);
  soundstyle_window_undo_init (self);
  soundstyle_window_history_init (self);
  on_renderer_notify (self->renderer, NULL, self);

  /* Live mode feeds the same renderer, so the canvas shows its pictures */
  self->live_mode = SOUNDSTYLE_LIVE_MODE (soundstyle_live_mode_new ());
  soundstyle_live_mode_set_renderer (self->live_mode, self->renderer);
  adw_header_bar_pack_start (self->header_bar, GTK_WIDGET (self->live_mode));
  g_signal_connect_object (self->live_mode, "failed", G_CALLBACK (soundstyle_window_toast), self,
                           G_CONNECT_SWAPPED);

  list_microphones (self);
  restore_sound (self, self->slot_a, "sound-a", 0);
  restore_sound (self, self->slot_b, "sound-b", 1);
  soundstyle_window_load_startup_model (self);
}

/* --- public API ------------------------------------------------------------ */

SoundstyleWindow *
soundstyle_window_new (SoundstyleApplication *application)
{
  return g_object_new (SOUNDSTYLE_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
soundstyle_window_set_photo (SoundstyleWindow *self,
                             AdisImage        *photo,
                             GdkTexture       *texture,
                             const char       *name,
                             const char       *key)
{
  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));

  g_clear_pointer (&self->photo, adis_image_unref);
  self->photo = adis_image_ref (photo);
  soundstyle_set_str (&self->photo_name, name);
  soundstyle_window_mask_photo_changed (self, key);

  adw_window_title_set_subtitle (self->window_title, name);
  soundstyle_canvas_set_before (self->canvas, texture);
  gtk_stack_set_visible_child_name (self->photo_stack, "photo");
  gtk_widget_set_visible (self->zoom_box, TRUE);
  gtk_widget_set_visible (self->brush_box, TRUE);
  soundstyle_renderer_set_photo (self->renderer, photo);
  soundstyle_window_history_photo_ready (self);
}

const char *
soundstyle_window_get_page (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

const char *
soundstyle_window_get_last_toast (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->last_toast;
}

SoundstyleLiveMode *
soundstyle_window_get_live_mode (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->live_mode;
}

SoundstyleRenderer *
soundstyle_window_get_renderer (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->renderer;
}

SoundstyleCanvas *
soundstyle_window_get_canvas (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->canvas;
}

SoundstyleHistory *
soundstyle_window_get_history (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->history;
}

SoundstyleMaskEditor *
soundstyle_window_get_mask_editor (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->mask_editor;
}

SoundstyleSoundSlot *
soundstyle_window_get_sound_slot (SoundstyleWindow *self,
                                  guint             index)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);
  g_return_val_if_fail (index < 2, NULL);

  return index == 0 ? self->slot_a : self->slot_b;
}

GtkAdjustment *
soundstyle_window_get_mix (SoundstyleWindow *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_WINDOW (self), NULL);

  return self->mix_adjustment;
}
