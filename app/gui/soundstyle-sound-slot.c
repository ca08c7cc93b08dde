/* soundstyle-sound-slot.c: one sound (A or B): a sample, a file or a recording
 *
 * SPDX-License-Identifier: MIT
 *
 * Files are decoded in a thread (a long MP3 takes a moment); the newest
 * request wins, and a file that cannot be read leaves the current sound in
 * place and says so through ::failed. The spectrogram comes from the model,
 * also in a thread, since the model may be busy rendering. Recording and
 * playback are in soundstyle-sound-slot-record.c.
 */
#define G_LOG_DOMAIN "soundstyle-sound-slot"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-audio-io.h"
#include "soundstyle-file-chooser.h"
#include "soundstyle-samples.h"
#include "soundstyle-sound-slot-private.h"
#include "soundstyle-sound-view.h"
#include "soundstyle-types.h"

G_DEFINE_FINAL_TYPE (SoundstyleSoundSlot, soundstyle_sound_slot, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_SOUND,
  PROP_SOUND_NAME,
  PROP_SOUND_PATH,
  PROP_GAIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint soundstyle_sound_slot_signals[N_SIGNALS];

/* --- the spectrogram ------------------------------------------------------- */

static void
spectrogram_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  AdisSound *sound = task_data;
  AdisModel *model = g_object_get_data (G_OBJECT (task), "model");
  GError *error = NULL;
  float *magnitudes = adis_model_spectrogram (model, sound, &error);

  if (magnitudes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, magnitudes, g_free);
}

static void
on_spectrogram_done (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);
  g_autoptr(GError) error = NULL;
  g_autofree float *magnitudes = g_task_propagate_pointer (G_TASK (result), &error);

  if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "serial")) != self->spectrogram_serial)
    return;
  if (magnitudes == NULL)
    {
      g_debug ("no spectrogram: %s", error->message);
      return;
    }
  soundstyle_sound_view_set_spectrogram (self->view, magnitudes);
}

static void
update_spectrogram (SoundstyleSoundSlot *self)
{
  g_autoptr(GTask) task = NULL;

  self->spectrogram_serial++;
  soundstyle_sound_view_set_spectrogram (self->view, NULL);
  if (self->sound == NULL || self->model == NULL)
    return;

  task = g_task_new (self, self->cancellable, on_spectrogram_done, NULL);
  g_task_set_source_tag (task, update_spectrogram);
  g_task_set_task_data (task, adis_sound_ref (self->sound), (GDestroyNotify) adis_sound_unref);
  g_object_set_data_full (G_OBJECT (task), "model", adis_model_ref (self->model),
                          (GDestroyNotify) adis_model_unref);
  g_object_set_data (G_OBJECT (task), "serial", GSIZE_TO_POINTER (self->spectrogram_serial));
  g_task_run_in_thread (task, spectrogram_thread);
}

/* --- the sound ------------------------------------------------------------- */

void
soundstyle_sound_slot_set_sound (SoundstyleSoundSlot *self,
                                 AdisSound           *sound,
                                 const char          *name,
                                 const char          *path)
{
  g_clear_pointer (&self->sound, adis_sound_unref);
  self->sound = sound ? adis_sound_ref (sound) : NULL;
  soundstyle_set_str (&self->sound_name, name);
  soundstyle_set_str (&self->sound_path, path);

  gtk_label_set_label (self->name_label, name ? name : _("No sound"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->play_button), sound != NULL);
  soundstyle_sound_view_set_sound (self->view, sound);
  update_spectrogram (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUND_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUND_PATH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOUND]);
}

void
soundstyle_sound_slot_load_thread (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  AdisSound *sound = adis_sound_load (path, &error);

  if (sound == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sound, (GDestroyNotify) adis_sound_unref);
}

static void
on_load_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);
  const char *path = g_task_get_task_data (G_TASK (result));
  const char *name = g_object_get_data (G_OBJECT (result), "name");
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSound) sound = g_task_propagate_pointer (G_TASK (result), &error);

  /* A newer choice has been made meanwhile */
  if (GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "serial")) != self->load_serial)
    return;

  if (sound == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("%s: %s", path, error->message);
      message = g_strdup_printf (_("“%s” is not a sound file that can be read"), base);
      g_signal_emit (self, soundstyle_sound_slot_signals[FAILED], 0, message);
      return;
    }

  soundstyle_sound_slot_set_sound (self, sound, name, path);
}

static void
load_path (SoundstyleSoundSlot *self,
           const char          *path,
           const char          *name)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_load_done, NULL);

  self->load_serial++;
  g_task_set_source_tag (task, load_path);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_object_set_data_full (G_OBJECT (task), "name", g_strdup (name), g_free);
  g_object_set_data (G_OBJECT (task), "serial", GSIZE_TO_POINTER (self->load_serial));
  g_task_run_in_thread (task, soundstyle_sound_slot_load_thread);
}

/* --- samples --------------------------------------------------------------- */

static GtkWidget *
make_sample_row (SoundstyleSoundSlot *self,
                 const char          *path)
{
  g_autofree char *name = soundstyle_samples_display_name (path);
  g_autofree char *tooltip = g_strdup_printf (_("Play “%s”"), name);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *button = gtk_button_new_from_icon_name ("media-playback-start-symbolic");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, tooltip);
  g_object_set_data_full (G_OBJECT (button), "path", g_strdup (path), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (soundstyle_sound_slot_on_sample_play_clicked), self, 0);

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_top (box, 2);
  gtk_widget_set_margin_bottom (box, 2);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static void
on_sample_activated (GtkListBox          *list,
                     GtkListBoxRow       *row,
                     SoundstyleSoundSlot *self)
{
  gtk_menu_button_popdown (self->samples_button);
  soundstyle_sound_slot_choose_sample (self, gtk_list_box_row_get_index (row));
}

/* --- files ----------------------------------------------------------------- */

static void
on_file_failed (gpointer    self,
                const char *message)
{
  g_signal_emit (self, soundstyle_sound_slot_signals[FAILED], 0, message);
}

static void
on_open_clicked (GtkButton           *button,
                 SoundstyleSoundSlot *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  soundstyle_choose_file_then (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                               SOUNDSTYLE_FILES_SOUND, NULL, self->cancellable,
                               self, (SoundstyleFileChosenFunc) soundstyle_sound_slot_load_file, on_file_failed);
}

static gboolean
on_drop (GtkDropTarget       *target,
         const GValue        *value,
         double               x,
         double               y,
         SoundstyleSoundSlot *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  soundstyle_sound_slot_load_file (self, files->data);
  g_slist_free (files);
  return TRUE;
}

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_sound_slot_dispose (GObject *object)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->recorder != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->recorder, self);
      soundstyle_recorder_stop (self->recorder);
    }
  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      soundstyle_player_stop (self->player);
    }
  g_clear_object (&self->recorder);
  g_clear_object (&self->player);
  g_clear_object (&self->input_device);
  gtk_widget_dispose_template (GTK_WIDGET (self), SOUNDSTYLE_TYPE_SOUND_SLOT);

  G_OBJECT_CLASS (soundstyle_sound_slot_parent_class)->dispose (object);
}

static void
soundstyle_sound_slot_finalize (GObject *object)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);

  g_clear_pointer (&self->sound, adis_sound_unref);
  g_clear_pointer (&self->model, adis_model_unref);
  g_clear_pointer (&self->samples, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->title);
  g_free (self->sound_name);
  g_free (self->sound_path);

  G_OBJECT_CLASS (soundstyle_sound_slot_parent_class)->finalize (object);
}

static void
soundstyle_sound_slot_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SOUND:
      g_value_set_boxed (value, self->sound);
      break;
    case PROP_SOUND_NAME:
      g_value_set_string (value, self->sound_name);
      break;
    case PROP_SOUND_PATH:
      g_value_set_string (value, self->sound_path);
      break;
    case PROP_GAIN:
      g_value_set_double (value, soundstyle_sound_slot_get_gain (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_sound_slot_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      if (soundstyle_set_str (&self->title, g_value_get_string (value)))
        {
          gtk_label_set_label (self->title_label, self->title);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_GAIN:
      soundstyle_sound_slot_set_gain (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_gain_changed (GtkAdjustment       *adjustment,
                 SoundstyleSoundSlot *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAIN]);
}

static void
soundstyle_sound_slot_class_init (SoundstyleSoundSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = soundstyle_sound_slot_dispose;
  object_class->finalize = soundstyle_sound_slot_finalize;
  object_class->get_property = soundstyle_sound_slot_get_property;
  object_class->set_property = soundstyle_sound_slot_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOUND] =
    g_param_spec_boxed ("sound", NULL, NULL, SOUNDSTYLE_TYPE_SOUND,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOUND_NAME] =
    g_param_spec_string ("sound-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOUND_PATH] =
    g_param_spec_string ("sound-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GAIN] =
    g_param_spec_double ("gain", NULL, NULL, 0.0, ADIS_MAX_GAIN, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A sentence for the user: the file could not be used */
  soundstyle_sound_slot_signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SOUNDSTYLE_TYPE_SOUND_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/soundstyle/Soundstyle/soundstyle-sound-slot.ui");
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, box);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, title_label);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, name_label);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, view);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, samples_list);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, samples_button);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, gain_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, record_button);
  gtk_widget_class_bind_template_child (widget_class, SoundstyleSoundSlot, play_button);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_record_toggled",
                                                G_CALLBACK (soundstyle_sound_slot_on_record_toggled));
  gtk_widget_class_bind_template_callback_full (widget_class, "on_play_clicked",
                                                G_CALLBACK (soundstyle_sound_slot_on_play_clicked));
  gtk_widget_class_bind_template_callback (widget_class, on_sample_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_gain_changed);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "soundslot");
}

static void
soundstyle_sound_slot_init (SoundstyleSoundSlot *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->samples = soundstyle_samples_list (SOUNDSTYLE_SAMPLE_SOUND);

  /* Created here, so they report on this (the main) thread's context */
  self->recorder = soundstyle_recorder_new ();
  self->player = soundstyle_player_new ();
  g_signal_connect (self->recorder, "notify::rms-db", G_CALLBACK (soundstyle_sound_slot_on_recorder_level), self);
  g_signal_connect (self->recorder, "finished", G_CALLBACK (soundstyle_sound_slot_on_recorder_finished), self);
  g_signal_connect (self->player, "notify::playing", G_CALLBACK (soundstyle_sound_slot_on_player_playing), self);

  for (guint i = 0; i < self->samples->len; i++)
    gtk_list_box_append (self->samples_list, make_sample_row (self, g_ptr_array_index (self->samples, i)));
  gtk_widget_set_sensitive (GTK_WIDGET (self->samples_button), self->samples->len > 0);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/* --- public API ------------------------------------------------------------ */

AdisSound *
soundstyle_sound_slot_get_sound (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), NULL);

  return self->sound;
}

const char *
soundstyle_sound_slot_get_sound_name (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), NULL);

  return self->sound_name;
}

const char *
soundstyle_sound_slot_get_sound_path (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), NULL);

  return self->sound_path;
}

void
soundstyle_sound_slot_restore_sound (SoundstyleSoundSlot *self,
                                     AdisSound           *sound,
                                     const char          *name,
                                     const char          *path)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));

  soundstyle_sound_slot_set_sound (self, sound, name, path);
}

double
soundstyle_sound_slot_get_gain (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), 1.0);

  return gtk_adjustment_get_value (self->gain_adjustment);
}

void
soundstyle_sound_slot_set_gain (SoundstyleSoundSlot *self,
                                double               gain)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));

  /* The adjustment notifies through on_gain_changed */
  gtk_adjustment_set_value (self->gain_adjustment, CLAMP (gain, 0.0, ADIS_MAX_GAIN));
}

void
soundstyle_sound_slot_set_model (SoundstyleSoundSlot *self,
                                 AdisModel           *model)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));

  if (self->model == model)
    return;
  g_clear_pointer (&self->model, adis_model_unref);
  self->model = model ? adis_model_ref (model) : NULL;
  update_spectrogram (self);
}

void
soundstyle_sound_slot_load_file (SoundstyleSoundSlot *self,
                                 GFile               *file)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));
  g_return_if_fail (G_IS_FILE (file));

  if ((path = g_file_get_path (file)) == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("“%s” is not a local file"), uri);

      g_signal_emit (self, soundstyle_sound_slot_signals[FAILED], 0, message);
      return;
    }

  /* A sample restored from the settings keeps its sample's name */
  for (guint i = 0; i < self->samples->len; i++)
    if (g_str_equal (path, g_ptr_array_index (self->samples, i)))
      name = soundstyle_samples_display_name (path);
  if (name == NULL)
    name = g_file_get_basename (file);
  load_path (self, path, name);
}

gboolean
soundstyle_sound_slot_choose_sample (SoundstyleSoundSlot *self,
                                     guint                index)
{
  const char *path;
  g_autofree char *name = NULL;

  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), FALSE);

  if (index >= self->samples->len)
    return FALSE;

  path = g_ptr_array_index (self->samples, index);
  name = soundstyle_samples_display_name (path);
  load_path (self, path, name);
  return TRUE;
}

guint
soundstyle_sound_slot_get_n_samples (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), 0);

  return self->samples->len;
}

void
soundstyle_sound_slot_set_input_device (SoundstyleSoundSlot   *self,
                                        SoundstyleAudioDevice *device)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));

  g_set_object (&self->input_device, device);
}

void
soundstyle_sound_slot_set_recording (SoundstyleSoundSlot *self,
                                     gboolean             recording)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));

  /* The same path as a click on the record button */
  gtk_toggle_button_set_active (self->record_button, recording);
}

gboolean
soundstyle_sound_slot_get_recording (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), FALSE);

  return soundstyle_recorder_get_recording (self->recorder);
}

void
soundstyle_sound_slot_play (SoundstyleSoundSlot *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self));

  if (self->sound != NULL && !soundstyle_player_get_playing (self->player))
    soundstyle_sound_slot_play_sound (self, self->sound);
}

gboolean
soundstyle_sound_slot_get_playing (SoundstyleSoundSlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_SOUND_SLOT (self), FALSE);

  return soundstyle_player_get_playing (self->player);
}
