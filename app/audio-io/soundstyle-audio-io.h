/* soundstyle-audio-io.h: microphone, live buffer and playback through PortAudio
 *
 * SPDX-License-Identifier: MIT
 *
 * C11 + GLib only (no GTK, no libtorch); the window and the command line use
 * it through this one header. Link with `soundstyle_audio_io_dep`.
 *
 * Threads and contexts. Every object belongs to the thread-default
 * GMainContext of the thread that created it (its "owner context"): call its
 * methods from that thread only. Properties are notified and signals emitted
 * on that context. The PortAudio callbacks never allocate and never take a
 * lock: they write into a preallocated buffer and publish the write position
 * with an atomic store; a timer on the owner context (~30 Hz) reads what is
 * new, updates the level meter and notices when a stream has ended.
 *
 * Devices. soundstyle_audio_list_input_devices() probes the system each time
 * it is called (up to about a second on machines with many cards; PortAudio's
 * JACK and ALSA back ends may print lines on stderr while they probe). A device
 * object is a snapshot: its index is PortAudio's at the time of the listing;
 * when a stream starts, the device is found again by name, so a list kept
 * across a hot-plug still picks the right one (or fails with NO_DEVICE).
 *
 * Samples are floats in full-scale units (1.0 = 0 dBFS), mono: a recorder
 * opens one channel when the device allows it and otherwise averages the
 * channels it opens. Streams run at the device's default sample rate, but
 * a live recording runs at ADIS_SAMPLE_RATE where the device allows it.
 *
 * Levels are dBFS, never below SOUNDSTYLE_AUDIO_SILENCE_DB (digital silence).
 */
#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "adis.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_AUDIO_SILENCE_DB         (-100.0)
/* A recording shorter than this cannot become a sound (the 3-s clip rule) */
#define SOUNDSTYLE_RECORDER_MIN_SECONDS     ((double) ADIS_CLIP_SECONDS)
/* A clip recording stops by itself here */
#define SOUNDSTYLE_RECORDER_MAX_SECONDS     10.0
/* How often levels, positions and ends are checked on the owner context */
#define SOUNDSTYLE_AUDIO_UPDATE_HZ          30

/* ---- Errors --------------------------------------------------------------- */

#define SOUNDSTYLE_AUDIO_ERROR (soundstyle_audio_error_quark ())

typedef enum
{
  SOUNDSTYLE_AUDIO_ERROR_NO_DEVICE,  /* no input (or output) device, or the chosen one is gone */
  SOUNDSTYLE_AUDIO_ERROR_BUSY,       /* the device is in use by another program */
  SOUNDSTYLE_AUDIO_ERROR_TOO_SHORT,  /* fewer than SOUNDSTYLE_RECORDER_MIN_SECONDS recorded */
  SOUNDSTYLE_AUDIO_ERROR_FAILED,     /* anything else; the message carries PortAudio's words */
} SoundstyleAudioError;

GQuark soundstyle_audio_error_quark (void);

/* ---- Devices -------------------------------------------------------------- */

#define SOUNDSTYLE_TYPE_AUDIO_DEVICE (soundstyle_audio_device_get_type ())
G_DECLARE_FINAL_TYPE (SoundstyleAudioDevice, soundstyle_audio_device,
                      SOUNDSTYLE, AUDIO_DEVICE, GObject)

/* Read-only properties: "name" (string), "index" (int), "is-default"
 * (boolean: the system's default for its direction), "max-channels" (int, in
 * the listed direction), "default-sample-rate" (double, Hz). */
const char  *soundstyle_audio_device_get_name                (SoundstyleAudioDevice *self);
int          soundstyle_audio_device_get_index               (SoundstyleAudioDevice *self);
gboolean     soundstyle_audio_device_get_is_default          (SoundstyleAudioDevice *self);
int          soundstyle_audio_device_get_max_channels        (SoundstyleAudioDevice *self);
double       soundstyle_audio_device_get_default_sample_rate (SoundstyleAudioDevice *self);

/* A GListModel of SoundstyleAudioDevice (ready for a GtkDropDown, with
 * "name" as its expression), in PortAudio's order. Having no device is not an
 * error: the list is empty. NULL with an error only when PortAudio itself
 * cannot start. */
GListModel  *soundstyle_audio_list_input_devices             (GError **error);
GListModel  *soundstyle_audio_list_output_devices            (GError **error);

/* ---- Recorder ------------------------------------------------------------- */

#define SOUNDSTYLE_TYPE_RECORDER (soundstyle_recorder_get_type ())
G_DECLARE_FINAL_TYPE (SoundstyleRecorder, soundstyle_recorder,
                      SOUNDSTYLE, RECORDER, GObject)

/* Properties (read-only, notified on the owner context only when they change):
 *   "recording"  boolean  a stream is open
 *   "live"       boolean  the stream is a rolling (live) one
 *   "seconds"    double   seconds recorded since start (live: since start too)
 *   "rms-db"     double   RMS level of the audio since the previous update, dBFS
 *   "peak-db"    double   peak level of the same audio, dBFS
 * Signals:
 *   "finished"   void (SoundstyleRecorder *self)
 *     emitted once per start, on the owner context, when the stream has
 *     ended: after soundstyle_recorder_stop(), after the 10-s limit of a clip
 *     recording, or when the device failed. Then ask for the result with
 *     soundstyle_recorder_get_sound() (clip) or _dup_samples(). */
SoundstyleRecorder *soundstyle_recorder_new              (void);

/* A clip recording on device (NULL: the default input), stopping by itself
 * at SOUNDSTYLE_RECORDER_MAX_SECONDS. Errors: NO_DEVICE, BUSY, FAILED.
 * Must not be called while "recording" is TRUE. */
gboolean     soundstyle_recorder_start                   (SoundstyleRecorder    *self,
                                                          SoundstyleAudioDevice *device,
                                                          GError               **error);

/* A live recording for continuous restyling (issue 9): runs until stopped and
 * keeps the latest ADIS_CLIP_SECONDS in a ring; read it with _snapshot(). */
gboolean     soundstyle_recorder_start_live              (SoundstyleRecorder    *self,
                                                          SoundstyleAudioDevice *device,
                                                          GError               **error);

/* Stops at once (any time; a no-op when not recording). "finished" is
 * emitted before this returns. */
void         soundstyle_recorder_stop                    (SoundstyleRecorder    *self);

gboolean     soundstyle_recorder_get_recording           (SoundstyleRecorder    *self);
gboolean     soundstyle_recorder_get_live                (SoundstyleRecorder    *self);
double       soundstyle_recorder_get_seconds             (SoundstyleRecorder    *self);
double       soundstyle_recorder_get_rms_db              (SoundstyleRecorder    *self);
double       soundstyle_recorder_get_peak_db             (SoundstyleRecorder    *self);

/* The last clip recording as a sound (adis_sound_new_from_samples applies the
 * 3-s / 16-kHz rules; a 10-s recording keeps its first 3 s there, all of it
 * in _dup_samples). TOO_SHORT when under SOUNDSTYLE_RECORDER_MIN_SECONDS,
 * FAILED when nothing was recorded or it was a live recording. May be called
 * while recording (the audio so far) or after "finished". */
AdisSound   *soundstyle_recorder_get_sound               (SoundstyleRecorder    *self,
                                                          GError               **error);

/* While live: the latest ADIS_CLIP_SECONDS (fewer just after the start, then
 * the 3-s rule tiles them) as a sound. TOO_SHORT before the first 0.1 s has
 * arrived, FAILED when not live. Cheap enough for 30 calls a second. */
AdisSound   *soundstyle_recorder_snapshot                (SoundstyleRecorder    *self,
                                                          GError               **error);

/* The raw mono samples of the last clip recording (live: the latest
 * ADIS_CLIP_SECONDS, oldest first) at *out_sample_rate; free with g_free. NULL (with
 * *out_n_samples = 0) when there are none. */
float       *soundstyle_recorder_dup_samples             (SoundstyleRecorder    *self,
                                                          gsize                 *out_n_samples,
                                                          int                   *out_sample_rate);

/* ---- Player --------------------------------------------------------------- */

#define SOUNDSTYLE_TYPE_PLAYER (soundstyle_player_get_type ())
G_DECLARE_FINAL_TYPE (SoundstylePlayer, soundstyle_player,
                      SOUNDSTYLE, PLAYER, GObject)

/* Properties (read-only, notified on the owner context):
 *   "playing"   boolean
 *   "position"  double  seconds played so far (updated ~30 Hz)
 *   "duration"  double  seconds of the current (or last) sound
 * Signals:
 *   "finished"  void (SoundstylePlayer *self, gboolean reached_end)
 *     once per play, on the owner context, after the last sample has left
 *     the device (reached_end TRUE), or on stop / device failure (FALSE). */
SoundstylePlayer *soundstyle_player_new                  (void);

/* Plays the sound's 3-s, 16-kHz waveform on device (NULL: the default
 * output). Playing while already playing stops the previous sound first (its
 * "finished" is emitted with reached_end FALSE). Errors: NO_DEVICE, BUSY,
 * FAILED. */
gboolean     soundstyle_player_play_sound                (SoundstylePlayer      *self,
                                                          AdisSound             *sound,
                                                          SoundstyleAudioDevice *device,
                                                          GError               **error);
/* The same for any mono float samples at any rate (copied; resampled when
 * the device will not take the rate) */
gboolean     soundstyle_player_play_samples              (SoundstylePlayer      *self,
                                                          const float           *samples,
                                                          gsize                  n_samples,
                                                          int                    sample_rate,
                                                          SoundstyleAudioDevice *device,
                                                          GError               **error);
/* Stops at once; "finished" (FALSE) is emitted before this returns; a no-op
 * when not playing */
void         soundstyle_player_stop                      (SoundstylePlayer      *self);

gboolean     soundstyle_player_get_playing               (SoundstylePlayer      *self);
double       soundstyle_player_get_position              (SoundstylePlayer      *self);
double       soundstyle_player_get_duration              (SoundstylePlayer      *self);

/* ---- Files ---------------------------------------------------------------- */

/* Writes mono samples as a 16-bit WAV at sample_rate, atomically (temporary
 * file, rename): the whole recording, where adis_sound_save_wav keeps 3 s. */
gboolean     soundstyle_audio_save_wav                   (const float           *samples,
                                                          gsize                  n_samples,
                                                          int                    sample_rate,
                                                          const char            *path,
                                                          GError               **error);

G_END_DECLS
