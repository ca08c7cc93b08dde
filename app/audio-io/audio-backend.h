/* audio-backend.h: what the recorder, the player and the device list share
 * about PortAudio (private to app/audio-io)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <portaudio.h>

#include "soundstyle-audio-io.h"

G_BEGIN_DECLS

/* PortAudio is started while anything holds it and stopped after the last
 * release, so the next acquire probes the devices afresh (hot-plug). The
 * stream management calls of PortAudio are not thread-safe: wrap them in
 * audio_backend_lock/unlock. */
gboolean        audio_backend_acquire        (GError                **error);
void            audio_backend_release        (void);
void            audio_backend_lock           (void);
void            audio_backend_unlock         (void);

/* The PortAudio index of device (NULL: the system's default) for the
 * direction, found again by name when indices have moved since the listing.
 * Call with the backend held. */
PaDeviceIndex   audio_backend_resolve        (SoundstyleAudioDevice  *device,
                                              gboolean                input,
                                              GError                **error);

/* The stream the recorder and the player open: device resolved (NULL: the
 * default) and params filled for float samples, mono where the device takes
 * it at its default rate, else up to two channels, with at least
 * min_latency seconds of buffering. Returns the device's info, or NULL
 * with error set. Call with the backend held and locked. */
const PaDeviceInfo *audio_backend_stream_params (SoundstyleAudioDevice  *device,
                                                 gboolean                input,
                                                 double                  min_latency,
                                                 PaStreamParameters     *params,
                                                 GError                **error);
/* Opens a callback stream on params (input or output), naming the device
 * and what it was for (`doing`: "record", "play") in error; NULL on
 * failure. Call locked. */
PaStream       *audio_backend_open_stream    (const PaStreamParameters *params,
                                              gboolean                input,
                                              double                  sample_rate,
                                              PaStreamCallback       *callback,
                                              gpointer                user_data,
                                              const char             *doing,
                                              const char             *device_name,
                                              GError                **error);
/* Starts an opened stream; on failure closes it. Call locked. */
gboolean        audio_backend_start_stream   (PaStream               *stream,
                                              const char             *doing,
                                              const char             *device_name,
                                              GError                **error);
/* Closes a stream, aborted first when abort (silence now rather than the
 * device's queue played out), and lets go of the backend: the end of every
 * recording and playback. Takes the lock itself. */
void            audio_backend_close_stream   (PaStream               *stream,
                                              gboolean                abort);

/* Sets error from a PortAudio failure while doing `doing` on the device */
void            audio_backend_set_error      (GError                **error,
                                              PaError                 pa_error,
                                              const char             *doing,
                                              const char             *device_name);

/* A level (RMS or peak, full scale 1.0) in dBFS, floored at silence */
double          audio_level_to_db            (double                  level);

/* Device objects are made here and in soundstyle-audio-device.c */
SoundstyleAudioDevice *audio_device_new      (PaDeviceIndex           index,
                                              const PaDeviceInfo     *info,
                                              gboolean                input,
                                              gboolean                is_default);
const char     *audio_device_get_host_api    (SoundstyleAudioDevice  *self);

G_END_DECLS
