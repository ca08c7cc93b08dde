/* sound-server.h: a private PulseAudio daemon with a null sink, for tests
 * that record and play through a real sound server
 *
 * SPDX-License-Identifier: MIT
 *
 * The daemon listens on a socket in a temporary folder and loads only a null
 * sink named SOUND_SERVER_SINK; its monitor is the default (and only) input.
 * Starting it points this process's environment (PULSE_SERVER, HOME,
 * XDG_RUNTIME_DIR, ALSA_CONFIG_PATH, ...) at it, so PortAudio's ALSA back end
 * reaches it through the ALSA "pulse" plugin and child processes inherit it.
 * The daemon dies with the test process even when an assertion aborts it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SOUND_SERVER_SINK     "soundstyle_test"
#define SOUND_SERVER_MONITOR  SOUND_SERVER_SINK ".monitor"

typedef struct _SoundServer SoundServer;

/* TRUE when the pulseaudio binary is installed (else tests may skip) */
gboolean      sound_server_available          (void);

/* Starts the daemon and waits until it answers (FALSE with an error that
 * carries the end of its log when it does not within 15 s) */
SoundServer  *sound_server_start              (GError     **error);
/* Kills the daemon and removes its folder */
void          sound_server_stop               (SoundServer *server);

/* Writes an ALSA configuration whose default device is PulseAudio (and no
 * other device) into dir and points ALSA_CONFIG_PATH at it */
void          sound_server_use_alsa_pulse     (const char  *dir);

/* Plays a mono sine tone into the null sink with paplay; wait on (or kill)
 * the returned process */
GSubprocess  *sound_server_play_tone          (SoundServer *server,
                                               double       freq,
                                               double       amplitude,
                                               double       seconds);

/* Records the sink's monitor with parec as raw mono float32 at rate into a
 * file until _stop_capture, which returns the samples (free with g_free).
 * Returns once audio is arriving. */
GSubprocess  *sound_server_start_capture      (SoundServer *server,
                                               int          rate);
float        *sound_server_stop_capture       (SoundServer *server,
                                               GSubprocess *capture,
                                               gsize       *out_n_samples);

/* Measurements of a recorded tone */
/* The span where the 10-ms RMS exceeds threshold (FALSE if none) */
gboolean      tone_find_span                  (const float *samples,
                                               gsize        n_samples,
                                               int          rate,
                                               float        threshold,
                                               gsize       *out_first,
                                               gsize       *out_end);
/* Frequency from interpolated rising zero crossings of samples[first, end) */
double        tone_estimate_pitch             (const float *samples,
                                               gsize        first,
                                               gsize        end,
                                               int          rate);
double        tone_rms                        (const float *samples,
                                               gsize        first,
                                               gsize        end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SoundServer, sound_server_stop)

G_END_DECLS
