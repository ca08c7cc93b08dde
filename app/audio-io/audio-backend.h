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
