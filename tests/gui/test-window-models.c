/* test-window-models.c: the Soundstyle window under a real X server (Xvfb)
 * with other models than test-window.c's tiny one
 *
 * SPDX-License-Identifier: MIT
 *
 * A grid-head model restyles at the size the canvas shows and exports at
 * the photo's; the shipped default model gives the metainfo's screenshots;
 * a file that is not a model gives the no-model page. Screenshots land
 * beside test-window.c's, under $SOUNDSTYLE_BUILD_DIR/tests/gui/screenshots.
 */
#define G_LOG_DOMAIN "test-window-models"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "soundstyle-application.h"
#include "soundstyle-samples.h"
#include "soundstyle-window.h"
#include "sound-server.h"
#include "test-util.h"
#include "window-test-util.h"

static void
on_export_progress (SoundstyleRenderer *renderer,
                    GParamSpec         *pspec,
                    GArray             *seen)
{
  double fraction = soundstyle_renderer_get_export_progress (renderer);

  g_array_append_val (seen, fraction);
}

static int
shown_long_side (void)
{
  AdisImage *shown = soundstyle_renderer_get_result (soundstyle_window_get_renderer (fixture.window));

  return MAX (adis_image_get_width (shown), adis_image_get_height (shown));
}

/* A grid-head model restyles at the size the canvas shows the photo, at
 * every zoom, and exports at the photo's own size with progress */
static void
test_grid_head (void)
{
  g_autofree char *model = g_build_filename (fixture.dir, "grid.safetensors", NULL);
  g_autofree char *path = g_build_filename (fixture.dir, "grid-export.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) photo = g_file_new_for_path (fixture.photo);
  g_autoptr(GFile) low = g_file_new_for_path (fixture.tone_low);
  g_autoptr(GFile) high = g_file_new_for_path (fixture.tone_high);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(AdisImage) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  SoundstyleWindow *main_window = fixture.window;
  SoundstyleCanvas *canvas;
  SoundstyleRenderer *renderer;
  int photo_side = MAX (fixture.photo_width, fixture.photo_height);
  int fitted, zoomed;
  const char *argv[] = {
    test_soundstyle_bin (), "train", fixture.dataset, "--output", model, "--preset", "tiny", "--head", "grid",
    "--size", "32", "--batch", "2", "--max-steps", "3", "--seed", "4", "--device", "cpu", NULL
  };

  g_assert_cmpint (test_run (argv, NULL, &err), ==, 0);
  g_setenv ("SOUNDSTYLE_MODEL", model, TRUE);

  fixture.window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1100, 720);
  gtk_window_present (GTK_WINDOW (fixture.window));
  gui_test_wait_until (editor_shown, NULL, "the grid model to load");
  canvas = soundstyle_window_get_canvas (fixture.window);
  renderer = soundstyle_window_get_renderer (fixture.window);

  soundstyle_window_open_photo (fixture.window, photo);
  soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 0), low);
  soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 1), high);
  gui_test_wait_until (slots_hold_tones, NULL, "the tone files");
  gui_test_wait_until (photo_shown, NULL, "the photo");
  gui_test_settle (300);
  wait_for_render ();

  /* Fitted: the photo's size on screen, not a fixed preview size */
  fitted = soundstyle_canvas_get_display_size (canvas);
  g_test_message ("fitted: shown at %d px, rendered at %d px (photo %d px)", fitted, shown_long_side (), photo_side);
  g_assert_cmpint (fitted, >, 256);
  g_assert_cmpint (shown_long_side (), ==, MIN (fitted, photo_side));
  g_assert_false (soundstyle_renderer_get_is_preview (renderer));
  gui_test_screenshot (GTK_WIDGET (fixture.window), "14-grid-head-fitted.png");

  /* Zoomed in: rendered again at the larger size, up to the photo's */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.zoom-in", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.zoom-in", NULL));
  gui_test_settle (300);
  wait_for_render ();
  zoomed = soundstyle_canvas_get_display_size (canvas);
  g_test_message ("zoomed: shown at %d px, rendered at %d px", zoomed, shown_long_side ());
  g_assert_cmpint (zoomed, >, fitted);
  g_assert_cmpint (shown_long_side (), ==, MIN (zoomed, photo_side));
  gui_test_screenshot (GTK_WIDGET (fixture.window), "15-grid-head-zoomed.png");

  /* Export: the photo's own size, with progress up to the end */
  g_signal_connect (renderer, "notify::export-progress", G_CALLBACK (on_export_progress), seen);
  soundstyle_window_export (fixture.window, file);
  gui_test_wait_until (toast_starts_with, "Exported “grid-export.png”", "the grid export");
  g_signal_handlers_disconnect_by_func (renderer, on_export_progress, seen);
  exported = adis_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (adis_image_get_width (exported), ==, fixture.photo_width);
  g_assert_cmpint (adis_image_get_height (exported), ==, fixture.photo_height);
  g_assert_cmpuint (seen->len, >=, 2);
  g_assert_cmpfloat (g_array_index (seen, double, 0), ==, 0.0);
  {
    double highest = 0;

    for (guint i = 0; i < seen->len; i++)
      highest = MAX (highest, g_array_index (seen, double, i));
    g_assert_cmpfloat (highest, ==, 1.0);
  }
  g_assert_cmpfloat (soundstyle_renderer_get_export_progress (renderer), ==, -1.0);

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  fixture.window = main_window;
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);
}

/* The window as a new user first meets it: the shipped default model, a
 * bundled photo and the bundled sounds. Its screenshots are the metainfo's
 * (data/screenshots/restyle.png and mix.png are copies of them) */
static void
test_default_model_screenshots (void)
{
  g_autofree char *model = g_build_filename (test_source_dir (), "resources", "models",
                                             "default.safetensors", NULL);
  g_autoptr(GPtrArray) photos = soundstyle_samples_list (SOUNDSTYLE_SAMPLE_PHOTO);
  g_autoptr(GPtrArray) sounds = soundstyle_samples_list (SOUNDSTYLE_SAMPLE_SOUND);
  SoundstyleWindow *main_window = fixture.window;
  SoundstyleSoundSlot *slot_a, *slot_b;
  g_autoptr(GFile) photo = NULL;
  guint n;

  if (photos->len == 0 || !g_file_test (model, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no bundled photo or default model in this tree");
      return;
    }
  g_setenv ("SOUNDSTYLE_MODEL", model, TRUE);
  fixture.window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1090, 710);
  gtk_window_present (GTK_WINDOW (fixture.window));
  gui_test_wait_until (editor_shown, NULL, "the default model to load");
  slot_a = soundstyle_window_get_sound_slot (fixture.window, 0);
  slot_b = soundstyle_window_get_sound_slot (fixture.window, 1);
  n = soundstyle_sound_slot_get_n_samples (slot_a);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (sounds->len, ==, n);

  /* The mountains (the last bundled photo), footsteps in snow and birdsong:
   * snow is what the default model draws best from a recording it never
   * heard (its card says why rain is not yet) */
  photo = g_file_new_for_path (g_ptr_array_index (photos, photos->len - 1));
  soundstyle_window_open_photo (fixture.window, photo);
  gui_test_wait_until (photo_shown, NULL, "the photo");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = soundstyle_samples_display_name (g_ptr_array_index (sounds, i));

      if (strstr (name, "now") != NULL)
        g_assert_true (soundstyle_sound_slot_choose_sample (slot_a, i));
      if (strstr (name, "irdsong") != NULL)
        g_assert_true (soundstyle_sound_slot_choose_sample (slot_b, i));
    }
  soundstyle_sound_slot_set_gain (slot_a, 1.5);
  gtk_adjustment_set_value (soundstyle_window_get_mix (fixture.window), 0.0);
  gui_test_settle (500);
  wait_for_render ();
  gui_test_screenshot (GTK_WIDGET (fixture.window), "metainfo-restyle.png");

  gtk_adjustment_set_value (soundstyle_window_get_mix (fixture.window), 0.5);
  gui_test_settle (500);
  wait_for_render ();
  gui_test_screenshot (GTK_WIDGET (fixture.window), "metainfo-mix.png");

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  fixture.window = main_window;
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);
}

static gboolean
no_model_shown (gpointer data)
{
  return g_strcmp0 (soundstyle_window_get_page (data), "no-model") == 0;
}

static void
test_no_model (void)
{
  g_autofree char *not_model = g_build_filename (fixture.dir, "broken.safetensors", NULL);
  SoundstyleWindow *window;

  g_assert_true (g_file_set_contents (not_model, "not a model", -1, NULL));
  g_setenv ("SOUNDSTYLE_MODEL", not_model, TRUE);

  window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  gui_test_wait_until (no_model_shown, window, "the no-model page");
  gui_test_screenshot (GTK_WIDGET (window), "11-no-model.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  window_test_setup ();

  g_test_add_func ("/soundstyle/gui/grid-head", test_grid_head);
  g_test_add_func ("/soundstyle/gui/default-model-screenshots", test_default_model_screenshots);
  g_test_add_func ("/soundstyle/gui/no-model", test_no_model);

  status = g_test_run ();

  window_test_teardown ();
  return status;
}
