/* soundstyle-window-undo.c: Ctrl+Z and Ctrl+Shift+Z over the window's settings
 *
 * SPDX-License-Identifier: MIT
 *
 * A step is the settings as they rest: both sounds (the sound itself, so a
 * recording comes back too), both volumes, the mix, the model and the
 * region brush's mask. A slider that moves continuously makes one step once
 * it has rested for a moment; a brush stroke, invert or clear makes one at
 * once. Undo puts the previous step back exactly (everything is immutable
 * and held by reference, so nothing is reloaded); a new change after an
 * undo drops what could have been redone.
 */
#define G_LOG_DOMAIN "soundstyle-window"

#include "config.h"

#include <string.h>

#include "soundstyle-window-private.h"

/* How long the settings must rest before they count as one step */
#define SETTLE_MS 400
/* Steps kept; each holds references, not copies, but a mask is a copy */
#define MAX_STEPS 50

struct _SoundstyleUndoStep
{
  AdisSound *a;
  char      *name_a;
  char      *path_a;
  AdisSound *b;
  char      *name_b;
  char      *path_b;
  double     gain_a;
  double     gain_b;
  double     mix;
  AdisModel *model;
  char      *model_path;
  AdisMask  *mask;
};

static void
step_free (SoundstyleUndoStep *step)
{
  g_clear_pointer (&step->a, adis_sound_unref);
  g_clear_pointer (&step->b, adis_sound_unref);
  g_clear_pointer (&step->model, adis_model_unref);
  g_clear_pointer (&step->mask, adis_mask_unref);
  g_free (step->name_a);
  g_free (step->path_a);
  g_free (step->name_b);
  g_free (step->path_b);
  g_free (step->model_path);
  g_free (step);
}

static SoundstyleUndoStep *
capture (SoundstyleWindow *self)
{
  SoundstyleUndoStep *step = g_new0 (SoundstyleUndoStep, 1);
  AdisSound *a = soundstyle_sound_slot_get_sound (self->slot_a);
  AdisSound *b = soundstyle_sound_slot_get_sound (self->slot_b);

  step->a = a ? adis_sound_ref (a) : NULL;
  step->name_a = g_strdup (soundstyle_sound_slot_get_sound_name (self->slot_a));
  step->path_a = g_strdup (soundstyle_sound_slot_get_sound_path (self->slot_a));
  step->b = b ? adis_sound_ref (b) : NULL;
  step->name_b = g_strdup (soundstyle_sound_slot_get_sound_name (self->slot_b));
  step->path_b = g_strdup (soundstyle_sound_slot_get_sound_path (self->slot_b));
  step->gain_a = soundstyle_sound_slot_get_gain (self->slot_a);
  step->gain_b = soundstyle_sound_slot_get_gain (self->slot_b);
  step->mix = gtk_adjustment_get_value (self->mix_adjustment);
  step->model = self->model ? adis_model_ref (self->model) : NULL;
  step->model_path = g_strdup (self->model_path);
  step->mask = soundstyle_mask_editor_dup_mask (self->mask_editor);
  return step;
}

static gboolean
masks_equal (AdisMask *a,
             AdisMask *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return adis_mask_get_width (a) == adis_mask_get_width (b) &&
         adis_mask_get_height (a) == adis_mask_get_height (b) &&
         memcmp (adis_mask_get_values (a), adis_mask_get_values (b),
                 (gsize) adis_mask_get_width (a) * adis_mask_get_height (a)) == 0;
}

static gboolean
steps_equal (SoundstyleUndoStep *x,
             SoundstyleUndoStep *y)
{
  return x->a == y->a && x->b == y->b && x->gain_a == y->gain_a && x->gain_b == y->gain_b &&
         x->mix == y->mix && x->model == y->model && masks_equal (x->mask, y->mask);
}

static void
update_actions (SoundstyleWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", self->undo_steps->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo", self->redo_steps->len > 0);
}

/* The settings now become a step if they differ from the last one */
static void
commit (SoundstyleWindow *self)
{
  SoundstyleUndoStep *now;

  g_clear_handle_id (&self->settle_source, g_source_remove);
  now = capture (self);
  if (self->settled == NULL)
    {
      self->settled = now;
      return;
    }
  if (steps_equal (now, self->settled))
    {
      step_free (now);
      return;
    }
  g_ptr_array_add (self->undo_steps, self->settled);
  if (self->undo_steps->len > MAX_STEPS)
    g_ptr_array_remove_index (self->undo_steps, 0);
  self->settled = now;
  g_ptr_array_set_size (self->redo_steps, 0);
  update_actions (self);
}

static gboolean
settle_timeout (gpointer data)
{
  SoundstyleWindow *self = data;

  self->settle_source = 0;
  commit (self);
  return G_SOURCE_REMOVE;
}

/* Sounds, volumes, the mix and the model: one step once they rest */
void
soundstyle_window_undo_note_change (SoundstyleWindow *self)
{
  if (self->restoring || self->undo_steps == NULL)
    return;
  g_clear_handle_id (&self->settle_source, g_source_remove);
  self->settle_source = g_timeout_add (SETTLE_MS, settle_timeout, self);
}

static void
on_mask_changed (SoundstyleMaskEditor *editor,
                 SoundstyleWindow     *self)
{
  /* A stroke is a step of its own */
  if (!self->restoring && !self->photo_switching)
    commit (self);
}

/* Steps hold masks of one photo: another photo starts afresh */
void
soundstyle_window_undo_photo_changed (SoundstyleWindow *self)
{
  g_clear_handle_id (&self->settle_source, g_source_remove);
  g_ptr_array_set_size (self->undo_steps, 0);
  g_ptr_array_set_size (self->redo_steps, 0);
  g_clear_pointer (&self->settled, step_free);
  commit (self);
  update_actions (self);
}

static void
apply (SoundstyleWindow   *self,
       SoundstyleUndoStep *step)
{
  g_autoptr(AdisMask) fitted = NULL;

  self->restoring = TRUE;
  if (step->model != NULL && step->model != self->model)
    soundstyle_window_use_model (self, step->model, step->model_path);
  if (soundstyle_sound_slot_get_sound (self->slot_a) != step->a)
    soundstyle_sound_slot_restore_sound (self->slot_a, step->a, step->name_a, step->path_a);
  if (soundstyle_sound_slot_get_sound (self->slot_b) != step->b)
    soundstyle_sound_slot_restore_sound (self->slot_b, step->b, step->name_b, step->path_b);
  soundstyle_sound_slot_set_gain (self->slot_a, step->gain_a);
  soundstyle_sound_slot_set_gain (self->slot_b, step->gain_b);
  gtk_adjustment_set_value (self->mix_adjustment, step->mix);
  if (step->mask != NULL && self->photo != NULL)
    {
      fitted = adis_mask_resize (step->mask, adis_image_get_width (self->photo),
                                 adis_image_get_height (self->photo));
      soundstyle_mask_editor_set_mask (self->mask_editor, fitted);
    }
  else if (step->mask == NULL)
    soundstyle_mask_editor_clear (self->mask_editor);
  self->restoring = FALSE;
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (widget);
  gboolean undo = g_str_equal (action_name, "win.undo");
  GPtrArray *from = undo ? self->undo_steps : self->redo_steps;
  GPtrArray *to = undo ? self->redo_steps : self->undo_steps;

  /* A change still settling is a step of its own first */
  if (self->settle_source != 0)
    commit (self);
  if (from->len == 0)
    return;

  g_ptr_array_add (to, self->settled);
  self->settled = g_ptr_array_steal_index (from, from->len - 1);
  apply (self, self->settled);
  update_actions (self);
}

void
soundstyle_window_undo_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.redo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.redo", NULL);
}

void
soundstyle_window_undo_init (SoundstyleWindow *self)
{
  self->undo_steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  self->redo_steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  g_signal_connect_object (self->mask_editor, "changed", G_CALLBACK (on_mask_changed), self,
                           G_CONNECT_AFTER);
  update_actions (self);
}

void
soundstyle_window_undo_dispose (SoundstyleWindow *self)
{
  g_clear_handle_id (&self->settle_source, g_source_remove);
}

void
soundstyle_window_undo_finalize (SoundstyleWindow *self)
{
  g_clear_pointer (&self->undo_steps, g_ptr_array_unref);
  g_clear_pointer (&self->redo_steps, g_ptr_array_unref);
  g_clear_pointer (&self->settled, step_free);
}
