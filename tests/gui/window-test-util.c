/* window-test-util.c: the fixture of test-window.c and
 * test-window-models.c, and waiting for what the window shows
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include "gui-test-util.h"
#include "soundstyle-application.h"
#include "soundstyle-samples.h"
#include "soundstyle-window.h"
#include "sound-server.h"
#include "test-util.h"
#include "window-test-util.h"

WindowFixture fixture;

/* --- waiting on the main loop ---------------------------------------------- */

static gboolean
render_done (gpointer data)
{
  SoundstyleRenderer *renderer = soundstyle_window_get_renderer (fixture.window);

  return !soundstyle_renderer_get_busy (renderer) && soundstyle_renderer_get_texture (renderer) != NULL;
}

void
wait_for_render (void)
{
  gui_test_wait_until (render_done, NULL, "the render");
  g_test_message ("render: %.0f ms (%s)",
                  soundstyle_renderer_get_render_time (soundstyle_window_get_renderer (fixture.window)),
                  soundstyle_renderer_get_is_preview (soundstyle_window_get_renderer (fixture.window))
                    ? "preview" : "full");
}

gboolean
toast_starts_with (gpointer data)
{
  const char *toast = soundstyle_window_get_last_toast (fixture.window);

  return toast != NULL && g_str_has_prefix (toast, data);
}

gboolean
editor_shown (gpointer data)
{
  return g_strcmp0 (soundstyle_window_get_page (fixture.window), "editor") == 0;
}

gboolean
photo_shown (gpointer data)
{
  return soundstyle_canvas_get_before (soundstyle_window_get_canvas (fixture.window)) != NULL;
}

gboolean
slots_hold_tones (gpointer data)
{
  return g_strcmp0 (soundstyle_sound_slot_get_sound_path (soundstyle_window_get_sound_slot (fixture.window, 0)),
                    fixture.tone_low) == 0 &&
         g_strcmp0 (soundstyle_sound_slot_get_sound_path (soundstyle_window_get_sound_slot (fixture.window, 1)),
                    fixture.tone_high) == 0;
}

/* --- setup ----------------------------------------------------------------- */

void
window_test_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) photos = soundstyle_samples_list (SOUNDSTYLE_SAMPLE_PHOTO);
  g_autoptr(AdisImage) photo = NULL;

  fixture.dir = test_make_tmpdir ("soundstyle-test-window");
  fixture.model = g_build_filename (fixture.dir, "tiny.safetensors", NULL);
  fixture.tone_low = g_build_filename (fixture.dir, "low.wav", NULL);
  fixture.tone_high = g_build_filename (fixture.dir, "high.wav", NULL);

  fixture.dataset = test_make_tiny_dataset (fixture.dir, 8, 32);
  gui_test_train_model (fixture.dataset, fixture.model, 4, "3");
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);

  test_write_tone_wav (fixture.tone_low, 220, 0.3, 3.0, 16000, 1);
  test_write_tone_wav (fixture.tone_high, 2400, 0.5, 3.0, 44100, 2);

  /* A bundled photo when the samples have one, else a generated pattern */
  if (photos->len > 0)
    fixture.photo = g_strdup (g_ptr_array_index (photos, 0));
  else
    {
      fixture.photo = g_build_filename (fixture.dir, "pattern.png", NULL);
      test_write_pattern_png (fixture.photo, 480, 320, 5);
    }
  photo = adis_image_load (fixture.photo, &error);
  g_assert_no_error (error);
  fixture.photo_width = adis_image_get_width (photo);
  fixture.photo_height = adis_image_get_height (photo);
  g_test_message ("photo: %s (%dx%d)", fixture.photo, fixture.photo_width, fixture.photo_height);

  /* A private PulseAudio with a null sink, before the window lists the
   * microphones: its monitor is the only input */
  if (sound_server_available ())
    {
      fixture.server = sound_server_start (&error);
      g_assert_no_error (error);
    }

  fixture.app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (fixture.app), NULL, &error);
  g_assert_no_error (error);
}

void
window_test_teardown (void)
{
  if (fixture.window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_object (&fixture.app);
  g_clear_pointer (&fixture.server, sound_server_stop);
  test_rm_rf (fixture.dir);
}
