/* soundstyle-sound-slot-private.h: what the sound slot's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-audio-io.h"
#include "soundstyle-sound-slot.h"
#include "soundstyle-sound-view.h"

G_BEGIN_DECLS

struct _SoundstyleSoundSlot
{
  GtkWidget            parent_instance;

  /* Template widgets */
  GtkWidget           *box;
  GtkLabel            *title_label;
  GtkLabel            *name_label;
  SoundstyleSoundView *view;
  GtkListBox          *samples_list;
  GtkMenuButton       *samples_button;
  GtkAdjustment       *gain_adjustment;
  GtkToggleButton     *record_button;
  GtkButton           *play_button;

  /* Owned */
  SoundstyleRecorder    *recorder;
  SoundstylePlayer      *player;
  SoundstyleAudioDevice *input_device;
  gboolean               syncing_record_button;
  char                *title;
  AdisSound           *sound;
  char                *sound_name;
  char                *sound_path;
  AdisModel           *model;
  GPtrArray           *samples;
  GCancellable        *cancellable;
  guint64              load_serial;
  guint64              spectrogram_serial;
};

enum {
  FAILED,
  N_SIGNALS
};

extern guint soundstyle_sound_slot_signals[N_SIGNALS];

/* --- the sound (soundstyle-sound-slot.c) ---------------------------------- */

void soundstyle_sound_slot_set_sound (SoundstyleSoundSlot *self,
                                      AdisSound           *sound,
                                      const char          *name,
                                      const char          *path);
void soundstyle_sound_slot_load_thread (GTask        *task,
                                        gpointer      source_object,
                                        gpointer      task_data,
                                        GCancellable *cancellable);

/* --- recording and playback (soundstyle-sound-slot-record.c) -------------- */

void soundstyle_sound_slot_on_record_toggled (GtkToggleButton     *button,
                                              SoundstyleSoundSlot *self);
void soundstyle_sound_slot_on_recorder_level (SoundstyleRecorder  *recorder,
                                              GParamSpec          *pspec,
                                              SoundstyleSoundSlot *self);
void soundstyle_sound_slot_on_recorder_finished (SoundstyleRecorder  *recorder,
                                                 SoundstyleSoundSlot *self);
void soundstyle_sound_slot_play_sound (SoundstyleSoundSlot *self,
                                       AdisSound           *sound);
void soundstyle_sound_slot_on_play_clicked (GtkButton           *button,
                                            SoundstyleSoundSlot *self);
void soundstyle_sound_slot_on_player_playing (SoundstylePlayer    *player,
                                              GParamSpec          *pspec,
                                              SoundstyleSoundSlot *self);
void soundstyle_sound_slot_on_sample_play_clicked (GtkButton           *button,
                                                   SoundstyleSoundSlot *self);

G_END_DECLS
