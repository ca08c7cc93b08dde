/* window-test-util.h: what test-window.c and test-window-models.c share:
 * their fixture (a tiny model, a photo, two tones, the application) and
 * waiting for what the window shows
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-application.h"
#include "soundstyle-window.h"
#include "sound-server.h"

typedef struct
{
  char                  *dir;
  char                  *model;
  char                  *dataset;
  char                  *photo;
  char                  *tone_low;
  char                  *tone_high;
  SoundstyleApplication *app;
  SoundServer           *server;
  SoundstyleWindow      *window;
  int                    photo_width;
  int                    photo_height;
} WindowFixture;

/* Made by window_test_setup; the window is the test's own */
extern WindowFixture fixture;

/* The tiny model trained by the command line (and SOUNDSTYLE_MODEL set to
 * it), a photo, two tones, a private PulseAudio when there is one, the
 * application registered */
void window_test_setup (void);
/* The window, the application, the sound server and the files go */
void window_test_teardown (void);

/* Waits for the renderer to finish with a result, and says how long it took */
void wait_for_render (void);

/* Predicates for gui_test_wait_until */
gboolean toast_starts_with (gpointer data);
gboolean editor_shown (gpointer data);
gboolean photo_shown (gpointer data);
/* Slot A holds fixture.tone_low and slot B fixture.tone_high */
gboolean slots_hold_tones (gpointer data);
