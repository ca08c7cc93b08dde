/* soundstyle-sound-slot-record.c: a slot's recording from the microphone
 * and its playback (of its sound, or of a sample in the list)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-sound-slot"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-audio-io.h"
#include "soundstyle-sound-slot-private.h"
#include "soundstyle-sound-view.h"
#include "soundstyle-types.h"

/* --- recording --------------------------------------------------------------- */

static void
set_record_button (SoundstyleSoundSlot *self,
                   gboolean             active)
{
  /* Reflecting the recorder's state is not a click */
  self->syncing_record_button = TRUE;
  gtk_toggle_button_set_active (self->record_button, active);
  self->syncing_record_button = FALSE;
}

static void
emit_audio_failure (SoundstyleSoundSlot *self,
                    const GError        *error,
                    gboolean             recording)
{
  g_autofree char *message = NULL;

  if (g_error_matches (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE))
    message = g_strdup (recording ? _("No microphone is available")
                                  : _("No speakers or headphones are available"));
  else if (g_error_matches (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_BUSY))
    message = g_strdup (recording ? _("The microphone is in use by another program")
                                  : _("The speakers are in use by another program"));
  else
    message = g_strdup_printf (recording ? _("Recording failed: %s") : _("Playing failed: %s"),
                               error->message);
  g_signal_emit (self, soundstyle_sound_slot_signals[FAILED], 0, message);
}

void
soundstyle_sound_slot_on_record_toggled (GtkToggleButton     *button,
                                         SoundstyleSoundSlot *self)
{
  g_autoptr(GError) error = NULL;

  if (self->syncing_record_button)
    return;

  if (!gtk_toggle_button_get_active (button))
    {
      /* "finished" follows at once and takes the recording */
      soundstyle_recorder_stop (self->recorder);
      return;
    }

  if (soundstyle_player_get_playing (self->player))
    soundstyle_player_stop (self->player);

  if (!soundstyle_recorder_start (self->recorder, self->input_device, &error))
    {
      set_record_button (self, FALSE);
      emit_audio_failure (self, error, TRUE);
      return;
    }

  gtk_label_set_label (self->name_label, _("Recording…"));
  gtk_widget_add_css_class (GTK_WIDGET (self->record_button), "destructive-action");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->record_button), _("Stop Recording"));
  soundstyle_sound_view_set_level (self->view, 0.0);
}

/* dBFS to the meter's 0..1: the top 60 dB */
void
soundstyle_sound_slot_on_recorder_level (SoundstyleRecorder  *recorder,
                                         GParamSpec          *pspec,
                                         SoundstyleSoundSlot *self)
{
  double db = soundstyle_recorder_get_rms_db (recorder);
  g_autofree char *label = NULL;

  if (!soundstyle_recorder_get_recording (recorder))
    return;
  soundstyle_sound_view_set_level (self->view, CLAMP ((db + 60.0) / 60.0, 0.0, 1.0));
  /* Translators: shown while recording; %.1f is the seconds recorded so far */
  label = g_strdup_printf (_("Recording… %.1f s"), soundstyle_recorder_get_seconds (recorder));
  gtk_label_set_label (self->name_label, label);
}

void
soundstyle_sound_slot_on_recorder_finished (SoundstyleRecorder  *recorder,
                                            SoundstyleSoundSlot *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSound) sound = NULL;

  set_record_button (self, FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->record_button), "destructive-action");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->record_button),
                               _("Record from the Microphone (3 to 10 Seconds)"));
  soundstyle_sound_view_set_level (self->view, -1);

  if ((sound = soundstyle_recorder_get_sound (recorder, &error)) == NULL)
    {
      g_autofree char *message = NULL;

      /* The slot keeps the sound it had */
      gtk_label_set_label (self->name_label, self->sound_name ? self->sound_name : _("No sound"));
      if (g_error_matches (error, SOUNDSTYLE_AUDIO_ERROR, SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT))
        message = g_strdup_printf (_("Recordings need at least %d seconds"), ADIS_CLIP_SECONDS);
      else
        message = g_strdup_printf (_("Recording failed: %s"), error->message);
      g_signal_emit (self, soundstyle_sound_slot_signals[FAILED], 0, message);
      return;
    }

  self->load_serial++;   /* a file still loading must not replace the recording */
  soundstyle_sound_slot_set_sound (self, sound, _("Recording"), NULL);
}

/* --- playback ---------------------------------------------------------------- */

void
soundstyle_sound_slot_play_sound (SoundstyleSoundSlot *self,
                                  AdisSound           *sound)
{
  g_autoptr(GError) error = NULL;

  if (!soundstyle_player_play_sound (self->player, sound, NULL, &error))
    emit_audio_failure (self, error, FALSE);
}

void
soundstyle_sound_slot_on_play_clicked (GtkButton           *button,
                                       SoundstyleSoundSlot *self)
{
  if (soundstyle_player_get_playing (self->player))
    soundstyle_player_stop (self->player);
  else if (self->sound != NULL)
    soundstyle_sound_slot_play_sound (self, self->sound);
}

void
soundstyle_sound_slot_on_player_playing (SoundstylePlayer    *player,
                                         GParamSpec          *pspec,
                                         SoundstyleSoundSlot *self)
{
  gboolean playing = soundstyle_player_get_playing (player);

  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-stop-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Stop Playing") : _("Play the Sound"));
}

/* A sample's play button in the list: decoded in a thread, then played */
static void
on_sample_preview_loaded (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  SoundstyleSoundSlot *self = SOUNDSTYLE_SOUND_SLOT (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisSound) sound = g_task_propagate_pointer (G_TASK (result), &error);

  if (sound != NULL)
    soundstyle_sound_slot_play_sound (self, sound);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, soundstyle_sound_slot_signals[FAILED], 0, error->message);
}

void
soundstyle_sound_slot_on_sample_play_clicked (GtkButton           *button,
                                              SoundstyleSoundSlot *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_sample_preview_loaded, NULL);

  g_task_set_source_tag (task, soundstyle_sound_slot_on_sample_play_clicked);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, soundstyle_sound_slot_load_thread);
}
