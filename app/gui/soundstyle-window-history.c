/* soundstyle-window-history.c: the history strip in the sidebar
 *
 * SPDX-License-Identifier: MIT
 *
 * Every export, and the current picture when asked (Keep), goes into the
 * history (soundstyle-history.c, under the user's data folder) with its
 * settings; the strip shows the thumbnails, newest first, and a click
 * brings an entry's settings back: its photo, sounds, volumes, mix, model
 * and mask. Files that have gone since are left as they are now.
 */
#define G_LOG_DOMAIN "soundstyle-window"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-types.h"
#include "soundstyle-window-private.h"

static void
update_actions (SoundstyleWindow *self)
{
  guint n = g_list_model_get_n_items (soundstyle_history_get_model (self->history));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.history-clear", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.history-add",
                                 soundstyle_renderer_get_result (self->renderer) != NULL);
  gtk_widget_set_visible (self->history_empty, n == 0);
}

static const char *
existing (const char *path)
{
  return path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR) ? path : NULL;
}

void
soundstyle_window_history_keep (SoundstyleWindow *self)
{
  AdisImage *picture = soundstyle_renderer_get_result (self->renderer);
  g_autoptr(AdisMask) mask = NULL;
  g_autoptr(GError) error = NULL;

  if (picture == NULL)
    return;
  mask = soundstyle_mask_editor_dup_mask (self->mask_editor);
  if (!soundstyle_history_add (self->history, picture, self->photo_key,
                               soundstyle_sound_slot_get_sound_path (self->slot_a),
                               soundstyle_sound_slot_get_sound_path (self->slot_b),
                               soundstyle_sound_slot_get_gain (self->slot_a),
                               soundstyle_sound_slot_get_gain (self->slot_b),
                               gtk_adjustment_get_value (self->mix_adjustment),
                               self->model_path, mask, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The history could not be saved: %s"), error->message);

      soundstyle_window_toast (self, message);
    }
  update_actions (self);
}

/* Brings back what can come back: a file that is gone keeps what is there */
void
soundstyle_window_history_restore (SoundstyleWindow       *self,
                                   SoundstyleHistoryEntry *entry)
{
  const char *photo = existing (soundstyle_history_entry_get_photo (entry));
  const char *model = existing (soundstyle_history_entry_get_model (entry));
  const char *sound_a = existing (soundstyle_history_entry_get_sound_a (entry));
  const char *sound_b = existing (soundstyle_history_entry_get_sound_b (entry));

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));
  g_return_if_fail (SOUNDSTYLE_IS_HISTORY_ENTRY (entry));

  if (model != NULL && g_strcmp0 (model, self->model_path) != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (model);

      soundstyle_window_open_model (self, file);
    }
  if (sound_a != NULL && g_strcmp0 (sound_a, soundstyle_sound_slot_get_sound_path (self->slot_a)) != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (sound_a);

      soundstyle_sound_slot_load_file (self->slot_a, file);
    }
  if (sound_b != NULL && g_strcmp0 (sound_b, soundstyle_sound_slot_get_sound_path (self->slot_b)) != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (sound_b);

      soundstyle_sound_slot_load_file (self->slot_b, file);
    }
  soundstyle_sound_slot_set_gain (self->slot_a, soundstyle_history_entry_get_gain_a (entry));
  soundstyle_sound_slot_set_gain (self->slot_b, soundstyle_history_entry_get_gain_b (entry));
  gtk_adjustment_set_value (self->mix_adjustment, soundstyle_history_entry_get_mix (entry));

  /* The mask belongs to the photo: it follows once the photo is there */
  soundstyle_set_str (&self->pending_mask, soundstyle_history_entry_get_mask (entry));
  self->pending_mask_wanted = TRUE;
  if (photo != NULL && g_strcmp0 (photo, self->photo_key) != 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (photo);

      soundstyle_window_open_photo (self, file);
    }
  else
    soundstyle_window_history_photo_ready (self);
}

/* The photo is on screen: a mask that was waiting for it comes now */
void
soundstyle_window_history_photo_ready (SoundstyleWindow *self)
{
  if (!self->pending_mask_wanted || self->photo == NULL)
    return;
  self->pending_mask_wanted = FALSE;
  if (self->pending_mask != NULL && g_file_test (self->pending_mask, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->pending_mask);

      soundstyle_window_load_mask (self, file);
    }
  else
    soundstyle_mask_editor_clear (self->mask_editor);
  g_clear_pointer (&self->pending_mask, g_free);
}

static void
on_entry_clicked (GtkButton        *button,
                  SoundstyleWindow *self)
{
  SoundstyleHistoryEntry *entry = g_object_get_data (G_OBJECT (button), "entry");

  soundstyle_window_history_restore (self, entry);
}

static GtkWidget *
make_entry_widget (gpointer item,
                   gpointer user_data)
{
  SoundstyleWindow *self = user_data;
  SoundstyleHistoryEntry *entry = item;
  g_autofree char *tooltip = soundstyle_history_entry_describe (entry);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *picture = gtk_picture_new_for_filename (soundstyle_history_entry_get_thumbnail (entry));

  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, 88, 64);
  gtk_button_set_child (GTK_BUTTON (button), picture);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "history-entry");
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data_full (G_OBJECT (button), "entry", g_object_ref (entry), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_entry_clicked), self, 0);
  return button;
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  soundstyle_window_history_keep (SOUNDSTYLE_WINDOW (widget));
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!soundstyle_history_clear (self->history, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The history could not be cleared: %s"), error->message);

      soundstyle_window_toast (self, message);
    }
  update_actions (self);
}

static void
on_renderer_result (SoundstyleRenderer *renderer,
                    GParamSpec         *pspec,
                    SoundstyleWindow   *self)
{
  update_actions (self);
}

void
soundstyle_window_history_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.history-add", NULL, keep_action);
  gtk_widget_class_install_action (widget_class, "win.history-clear", NULL, clear_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.history-add", NULL);
}

void
soundstyle_window_history_init (SoundstyleWindow *self)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "soundstyle", "history", NULL);

  self->history = soundstyle_history_new (dir);
  gtk_flow_box_bind_model (self->history_box, soundstyle_history_get_model (self->history),
                           make_entry_widget, self, NULL);
  g_signal_connect_object (self->renderer, "notify::texture", G_CALLBACK (on_renderer_result), self, 0);
  update_actions (self);
}

void
soundstyle_window_history_finalize (SoundstyleWindow *self)
{
  g_clear_object (&self->history);
  g_clear_pointer (&self->pending_mask, g_free);
}
