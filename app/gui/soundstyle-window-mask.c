/* soundstyle-window-mask.c: the region brush in the window
 *
 * SPDX-License-Identifier: MIT
 *
 * The mask editor holds the current photo's mask; the canvas paints into it
 * and shows it, and each finished stroke (or invert, clear, a loaded file)
 * goes to the renderer, which composites previews and exports through it.
 * Every photo opened in this window keeps its own mask until the window
 * closes. The actions live in the "mask" group so that the brush's toggle
 * buttons can show their state.
 */
#define G_LOG_DOMAIN "soundstyle-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "soundstyle-file-chooser.h"
#include "soundstyle-types.h"
#include "soundstyle-window-private.h"

static GAction *
mask_action (SoundstyleWindow *self,
             const char       *name)
{
  return g_action_map_lookup_action (G_ACTION_MAP (self->mask_actions), name);
}

static void
update_actions (SoundstyleWindow *self)
{
  gboolean photo = self->photo != NULL;
  gboolean active = soundstyle_mask_editor_get_active (self->mask_editor);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "paint")), photo);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "erase")), photo);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "invert")), photo);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "clear")), photo && active);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "save")), photo && active);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "load")), photo);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "bigger")), photo);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (mask_action (self, "smaller")), photo);
}

/* The mask as it stands goes to the renderer and into this photo's memory */
static void
on_mask_changed (SoundstyleMaskEditor *editor,
                 SoundstyleWindow     *self)
{
  g_autoptr(AdisMask) mask = soundstyle_mask_editor_dup_mask (editor);

  if (self->photo_key != NULL)
    {
      if (mask != NULL)
        g_hash_table_replace (self->masks, g_strdup (self->photo_key), adis_mask_ref (mask));
      else
        g_hash_table_remove (self->masks, self->photo_key);
    }
  soundstyle_renderer_set_mask (self->renderer, mask);
  update_actions (self);
}

/* --- painting on the canvas ------------------------------------------------ */

static void
on_paint_begin (SoundstyleCanvas *canvas,
                double            x,
                double            y,
                SoundstyleWindow *self)
{
  soundstyle_mask_editor_stroke_begin (self->mask_editor, x, y);
}

static void
on_paint_update (SoundstyleCanvas *canvas,
                 double            x,
                 double            y,
                 SoundstyleWindow *self)
{
  soundstyle_mask_editor_stroke_to (self->mask_editor, x, y);
}

static void
on_paint_end (SoundstyleCanvas *canvas,
              SoundstyleWindow *self)
{
  soundstyle_mask_editor_stroke_end (self->mask_editor);
}

/* --- actions --------------------------------------------------------------- */

static void
on_paint_state (GSimpleAction    *action,
                GVariant         *state,
                SoundstyleWindow *self)
{
  g_simple_action_set_state (action, state);
  soundstyle_canvas_set_painting (self->canvas, g_variant_get_boolean (state));
}

static void
on_erase_state (GSimpleAction    *action,
                GVariant         *state,
                SoundstyleWindow *self)
{
  g_simple_action_set_state (action, state);
  soundstyle_mask_editor_set_erasing (self->mask_editor, g_variant_get_boolean (state));
  /* Choosing the eraser means painting is what comes next */
  if (g_variant_get_boolean (state))
    g_action_change_state (mask_action (self, "paint"), g_variant_new_boolean (TRUE));
}

static void
on_invert (GSimpleAction    *action,
           GVariant         *parameter,
           SoundstyleWindow *self)
{
  soundstyle_mask_editor_invert (self->mask_editor);
}

static void
on_clear (GSimpleAction    *action,
          GVariant         *parameter,
          SoundstyleWindow *self)
{
  soundstyle_mask_editor_clear (self->mask_editor);
}

static void
on_bigger (GSimpleAction    *action,
           GVariant         *parameter,
           SoundstyleWindow *self)
{
  soundstyle_mask_editor_set_brush_size (self->mask_editor,
                                         soundstyle_mask_editor_get_brush_size (self->mask_editor) * 1.25);
}

static void
on_smaller (GSimpleAction    *action,
            GVariant         *parameter,
            SoundstyleWindow *self)
{
  soundstyle_mask_editor_set_brush_size (self->mask_editor,
                                         soundstyle_mask_editor_get_brush_size (self->mask_editor) / 1.25);
}

/* --- saving and loading ---------------------------------------------------- */

static void
save_mask_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  AdisMask *mask = g_object_get_data (G_OBJECT (task), "mask");
  GError *error = NULL;

  if (adis_mask_save (mask, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_mask_saved (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);
  g_autofree char *name = g_path_get_basename (g_task_get_task_data (G_TASK (result)));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (_("Saved the mask as “%s”"), name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  else
    message = g_strdup_printf (_("The mask could not be saved as “%s”: %s"), name, error->message);
  soundstyle_window_toast (self, message);
}

void
soundstyle_window_save_mask (SoundstyleWindow *self,
                             GFile            *file)
{
  g_autoptr(AdisMask) mask = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  g_autofree char *lower = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if ((mask = soundstyle_mask_editor_dup_mask (self->mask_editor)) == NULL)
    return;
  if ((path = g_file_get_path (file)) == NULL)
    {
      soundstyle_window_toast (self, _("Masks must be saved to a local folder"));
      return;
    }
  lower = g_ascii_strdown (path, -1);
  if (!g_str_has_suffix (lower, ".png"))
    {
      char *with_suffix = g_strconcat (path, ".png", NULL);

      g_free (path);
      path = with_suffix;
    }

  task = g_task_new (self, self->cancellable, on_mask_saved, NULL);
  g_task_set_source_tag (task, soundstyle_window_save_mask);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_object_set_data_full (G_OBJECT (task), "mask", g_steal_pointer (&mask), (GDestroyNotify) adis_mask_unref);
  g_task_run_in_thread (task, save_mask_thread);
}

typedef struct
{
  char     *path;
  int       width;       /* the photo's */
  int       height;
  int       mask_width;  /* the file's */
  int       mask_height;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_free (request->path);
  g_free (request);
}

static void
load_mask_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(AdisMask) mask = NULL;
  GError *error = NULL;

  if ((mask = adis_mask_load (request->path, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  request->mask_width = adis_mask_get_width (mask);
  request->mask_height = adis_mask_get_height (mask);
  g_task_return_pointer (task, adis_mask_resize (mask, request->width, request->height),
                         (GDestroyNotify) adis_mask_unref);
}

static void
on_mask_loaded (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SoundstyleWindow *self = SOUNDSTYLE_WINDOW (object);
  LoadRequest *request = g_task_get_task_data (G_TASK (result));
  g_autofree char *name = g_path_get_basename (request->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisMask) mask = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *message = NULL;

  if (mask == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("%s: %s", request->path, error->message);
      message = g_strdup_printf (_("“%s” is not an image that can be used as a mask"), name);
      soundstyle_window_toast (self, message);
      return;
    }

  /* Another photo came meanwhile: the mask was meant for the old one */
  if (soundstyle_mask_editor_get_width (self->mask_editor) != request->width ||
      soundstyle_mask_editor_get_height (self->mask_editor) != request->height)
    return;

  soundstyle_mask_editor_set_mask (self->mask_editor, mask);
  if (request->mask_width != request->width || request->mask_height != request->height)
    /* Translators: a mask file's size and the photo's, in pixels */
    message = g_strdup_printf (_("The mask “%s” is %d×%d, the photo %d×%d: scaled to fit"),
                               name, request->mask_width, request->mask_height,
                               request->width, request->height);
  else
    message = g_strdup_printf (_("Loaded the mask “%s”"), name);
  soundstyle_window_toast (self, message);
}

void
soundstyle_window_load_mask (SoundstyleWindow *self,
                             GFile            *file)
{
  g_autoptr(GTask) task = NULL;
  LoadRequest *request;
  g_autofree char *path = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->photo == NULL)
    return;
  if ((path = g_file_get_path (file)) == NULL)
    {
      soundstyle_window_toast (self, _("Masks must be local files"));
      return;
    }

  request = g_new0 (LoadRequest, 1);
  request->path = g_steal_pointer (&path);
  request->width = adis_image_get_width (self->photo);
  request->height = adis_image_get_height (self->photo);
  task = g_task_new (self, self->cancellable, on_mask_loaded, NULL);
  g_task_set_source_tag (task, soundstyle_window_load_mask);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  g_task_run_in_thread (task, load_mask_thread);
}

static void
on_save (GSimpleAction    *action,
         GVariant         *parameter,
         SoundstyleWindow *self)
{
  g_autofree char *stem = g_strdup (self->photo_name ? self->photo_name : _("Photo"));
  g_autofree char *suggested = NULL;
  char *dot;

  if ((dot = strrchr (stem, '.')) != NULL && dot != stem)
    *dot = '\0';
  /* Translators: the name suggested for a saved mask; %s is the photo's name */
  suggested = g_strdup_printf (_("%s (mask).png"), stem);
  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_MASK_EXPORT, suggested, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_window_save_mask,
                               (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

static void
on_load (GSimpleAction    *action,
         GVariant         *parameter,
         SoundstyleWindow *self)
{
  soundstyle_choose_file_then (GTK_WINDOW (self), SOUNDSTYLE_FILES_MASK, NULL, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_window_load_mask,
                               (SoundstyleFileFailedFunc) soundstyle_window_toast);
}

/* --- setup ----------------------------------------------------------------- */

void
soundstyle_window_mask_photo_changed (SoundstyleWindow *self,
                                      const char       *key)
{
  int width = adis_image_get_width (self->photo);
  int height = adis_image_get_height (self->photo);
  g_autoptr(AdisMask) kept = NULL;

  /* Taken out first: the reset below says the mask is empty */
  if (key != NULL && (kept = g_hash_table_lookup (self->masks, key)) != NULL)
    kept = adis_mask_resize (kept, width, height);

  soundstyle_set_str (&self->photo_key, key);
  self->photo_switching = TRUE;
  soundstyle_mask_editor_reset (self->mask_editor, width, height);
  if (kept != NULL)
    soundstyle_mask_editor_set_mask (self->mask_editor, kept);
  self->photo_switching = FALSE;
  update_actions (self);
  soundstyle_window_undo_photo_changed (self);
}

void
soundstyle_window_mask_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK, "mask.paint", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "mask.erase", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "mask.invert", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, 0, "mask.bigger", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketleft, 0, "mask.smaller", NULL);
}

void
soundstyle_window_mask_init (SoundstyleWindow *self)
{
  const GActionEntry entries[] = {
    { .name = "paint", .state = "false", .change_state = (gpointer) on_paint_state },
    { .name = "erase", .state = "false", .change_state = (gpointer) on_erase_state },
    { .name = "invert", .activate = (gpointer) on_invert },
    { .name = "clear", .activate = (gpointer) on_clear },
    { .name = "save", .activate = (gpointer) on_save },
    { .name = "load", .activate = (gpointer) on_load },
    { .name = "bigger", .activate = (gpointer) on_bigger },
    { .name = "smaller", .activate = (gpointer) on_smaller },
  };

  self->masks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) adis_mask_unref);
  self->mask_editor = soundstyle_mask_editor_new ();
  self->mask_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->mask_actions), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "mask", G_ACTION_GROUP (self->mask_actions));

  g_signal_connect_object (self->mask_editor, "changed", G_CALLBACK (on_mask_changed), self, 0);
  g_object_bind_property (self->mask_editor, "overlay", self->canvas, "overlay", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->mask_editor, "brush-size", self->canvas, "brush-size", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->mask_editor, "brush-size", self->brush_size_adjustment, "value",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->mask_editor, "feather", self->feather_adjustment, "value",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->canvas, "painting", self->brush_revealer, "reveal-child", G_BINDING_SYNC_CREATE);

  g_signal_connect_object (self->canvas, "paint-begin", G_CALLBACK (on_paint_begin), self, 0);
  g_signal_connect_object (self->canvas, "paint-update", G_CALLBACK (on_paint_update), self, 0);
  g_signal_connect_object (self->canvas, "paint-end", G_CALLBACK (on_paint_end), self, 0);

  update_actions (self);
}

void
soundstyle_window_mask_finalize (SoundstyleWindow *self)
{
  g_clear_pointer (&self->masks, g_hash_table_unref);
  g_clear_object (&self->mask_editor);
  g_clear_object (&self->mask_actions);
  g_free (self->photo_key);
}
