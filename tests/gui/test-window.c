/* test-window.c: the Soundstyle window under a real X server (Xvfb)
 *
 * SPDX-License-Identifier: MIT
 *
 * One window is driven through the states a user goes through: it opens,
 * takes a photo, a bundled sound, a louder volume, a mix of two sounds, an
 * export, and bad files. Each state is saved as a PNG screenshot under
 * $SOUNDSTYLE_BUILD_DIR/tests/gui/screenshots for a person to look at. The
 * model is a tiny one trained by the command line at the start. The
 * windows of other models are test-window-models.c's.
 */
#define G_LOG_DOMAIN "test-window"

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

/* --- screenshots and pixels ------------------------------------------------ */

static guint8 *
texture_pixels (GdkTexture *texture,
                gsize      *out_size)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  guint8 *pixels = g_malloc (stride * gdk_texture_get_height (texture));

  gdk_texture_download (texture, pixels, stride);
  *out_size = stride * gdk_texture_get_height (texture);
  return pixels;
}

/* Mean absolute difference over the colour bytes, 0..255 */
static double
texture_difference (GdkTexture *a,
                    GdkTexture *b)
{
  gsize size_a, size_b;
  g_autofree guint8 *pa = texture_pixels (a, &size_a);
  g_autofree guint8 *pb = texture_pixels (b, &size_b);
  double sum = 0;

  g_assert_cmpuint (size_a, ==, size_b);
  for (gsize i = 0; i < size_a; i++)
    sum += ABS ((int) pa[i] - (int) pb[i]);
  return sum / size_a;
}

/* The engine's output for the slots' sounds at these settings, computed
 * here on its own, at the size of the window's current result */
static AdisImage *
engine_result (double gain_a,
               double gain_b,
               double mix)
{
  AdisImage *shown = soundstyle_renderer_get_result (soundstyle_window_get_renderer (fixture.window));
  AdisSound *a = soundstyle_sound_slot_get_sound (soundstyle_window_get_sound_slot (fixture.window, 0));
  AdisSound *b = soundstyle_sound_slot_get_sound (soundstyle_window_get_sound_slot (fixture.window, 1));
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (fixture.model, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisImage) photo = adis_image_load (fixture.photo, &error);
  g_autoptr(AdisImageCode) image_code = NULL;
  g_autoptr(AdisSound) scaled_a = NULL;
  g_autoptr(AdisSound) scaled_b = NULL;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  AdisImage *expected;

  g_assert_no_error (error);
  image_code = adis_model_encode_image (model, photo,
                                        MAX (adis_image_get_width (shown), adis_image_get_height (shown)),
                                        NULL, &error);
  g_assert_no_error (error);
  scaled_a = adis_sound_mix (a, NULL, gain_a, 0, &error);
  g_assert_no_error (error);
  scaled_b = adis_sound_mix (b, NULL, gain_b, 0, &error);
  g_assert_no_error (error);
  sound_code = adis_model_encode_sound (model, scaled_a, mix > 0 ? scaled_b : NULL, 1.0f, mix, NULL, &error);
  g_assert_no_error (error);
  expected = adis_model_decode (model, image_code, sound_code, NULL, &error);
  g_assert_no_error (error);
  return expected;
}

/* Largest difference between two images' float values */
static double
image_difference (AdisImage *a,
                  AdisImage *b)
{
  const float *pa = adis_image_get_planes (a);
  const float *pb = adis_image_get_planes (b);
  gsize n = (gsize) 3 * adis_image_get_width (a) * adis_image_get_height (a);
  double largest = 0;

  g_assert_cmpint (adis_image_get_width (a), ==, adis_image_get_width (b));
  g_assert_cmpint (adis_image_get_height (a), ==, adis_image_get_height (b));
  for (gsize i = 0; i < n; i++)
    largest = MAX (largest, fabs ((double) pa[i] - pb[i]));
  return largest;
}

/* The window shows what the engine gives for (gain_a, gain_b, mix), and
 * clearly not what it gives for the other settings */
static void
assert_shows_engine_result (double gain_a,
                            double gain_b,
                            double mix,
                            double other_gain_a,
                            double other_gain_b,
                            double other_mix)
{
  AdisImage *shown = soundstyle_renderer_get_result (soundstyle_window_get_renderer (fixture.window));
  g_autoptr(AdisImage) expected = engine_result (gain_a, gain_b, mix);
  g_autoptr(AdisImage) other = engine_result (other_gain_a, other_gain_b, other_mix);
  double to_expected = image_difference (shown, expected);
  double to_other = image_difference (shown, other);

  g_test_message ("window vs engine at (%.2f, %.2f, %.2f): %.2g; vs (%.2f, %.2f, %.2f): %.2g",
                  gain_a, gain_b, mix, to_expected, other_gain_a, other_gain_b, other_mix, to_other);
  g_assert_cmpfloat (to_expected, <=, 1e-5);
  g_assert_cmpfloat (to_other, >, 100 * MAX (to_expected, 1e-6));
}

static GdkTexture *
current_result (void)
{
  return g_object_ref (soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)));
}

/* --- tests ----------------------------------------------------------------- */

static gboolean
slots_have_sounds (gpointer data)
{
  return soundstyle_sound_slot_get_sound (soundstyle_window_get_sound_slot (fixture.window, 0)) != NULL &&
         soundstyle_sound_slot_get_sound (soundstyle_window_get_sound_slot (fixture.window, 1)) != NULL;
}

static void
test_opens (void)
{
  fixture.window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1100, 720);
  gtk_window_present (GTK_WINDOW (fixture.window));

  gui_test_wait_until (editor_shown, NULL, "the model to load");
  /* With bundled samples the slots start with the first two; otherwise
   * they stay empty until a file arrives */
  if (soundstyle_sound_slot_get_n_samples (soundstyle_window_get_sound_slot (fixture.window, 0)) >= 2)
    gui_test_wait_until (slots_have_sounds, NULL, "the default sounds");
  else
    {
      g_autoptr(GFile) low = g_file_new_for_path (fixture.tone_low);
      g_autoptr(GFile) high = g_file_new_for_path (fixture.tone_high);

      soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 0), low);
      soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 1), high);
      gui_test_wait_until (slots_have_sounds, NULL, "the tone files");
    }

  g_assert_null (soundstyle_canvas_get_before (soundstyle_window_get_canvas (fixture.window)));
  gui_test_screenshot (GTK_WIDGET (fixture.window), "01-opened.png");
}

static void
test_photo (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (fixture.photo);
  SoundstyleCanvas *canvas = soundstyle_window_get_canvas (fixture.window);
  GdkTexture *before;
  GdkTexture *after;

  soundstyle_window_open_photo (fixture.window, file);
  gui_test_wait_until (photo_shown, NULL, "the photo");
  wait_for_render ();

  before = soundstyle_canvas_get_before (canvas);
  after = soundstyle_canvas_get_after (canvas);
  g_assert_cmpint (gdk_texture_get_width (before), ==, fixture.photo_width);
  g_assert_nonnull (after);
  /* The full render: render-size on the long side, the aspect kept */
  g_assert_cmpint (MAX (gdk_texture_get_width (after), gdk_texture_get_height (after)), <=, 768);
  g_assert_cmpfloat (ABS ((double) gdk_texture_get_width (after) / gdk_texture_get_height (after) -
                          (double) fixture.photo_width / fixture.photo_height), <, 0.05);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "02-photo.png");
}

static gboolean
slot_a_is (gpointer data)
{
  return g_strcmp0 (soundstyle_sound_slot_get_sound_name (soundstyle_window_get_sound_slot (fixture.window, 0)),
                    data) == 0;
}

static void
test_bundled_sound (void)
{
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 0);
  guint n = soundstyle_sound_slot_get_n_samples (slot);
  g_autoptr(GPtrArray) samples = soundstyle_samples_list (SOUNDSTYLE_SAMPLE_SOUND);
  g_autofree char *name = NULL;
  g_autoptr(GdkTexture) first = NULL;
  g_autoptr(GdkTexture) second = NULL;

  if (n < 2)
    {
      g_test_skip ("no bundled sample sounds in resources/samples yet");
      return;
    }

  first = current_result ();
  name = soundstyle_samples_display_name (g_ptr_array_index (samples, n - 1));
  g_assert_true (soundstyle_sound_slot_choose_sample (slot, n - 1));
  gui_test_wait_until (slot_a_is, name, "the bundled sound");
  wait_for_render ();
  second = current_result ();

  g_test_message ("bundled “%s”: difference %.2f", name, texture_difference (first, second));
  g_assert_cmpfloat (texture_difference (first, second), >, 0.0);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "03-bundled-sound.png");
}

static void
test_volume (void)
{
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 0);
  g_autoptr(GdkTexture) quiet = NULL;
  g_autoptr(GdkTexture) loud = NULL;
  GuiTestGapMeter meter = { 0 };
  guint ticker;
  double difference;

  soundstyle_sound_slot_set_gain (slot, 1.0);
  gtk_adjustment_set_value (soundstyle_window_get_mix (fixture.window), 0.0);
  wait_for_render ();
  quiet = current_result ();

  /* The slider as a user moves it, measuring the main loop meanwhile */
  ticker = g_timeout_add (5, gui_test_gap_meter_timeout, &meter);
  for (double gain = 1.25; gain <= 3.51; gain += 0.25)
    {
      soundstyle_sound_slot_set_gain (slot, gain);
      gui_test_settle (30);
    }
  wait_for_render ();
  g_source_remove (ticker);
  loud = current_result ();

  difference = texture_difference (quiet, loud);
  g_test_message ("volume 1 -> 3.5: mean pixel difference %.4f", difference);
  g_test_message ("longest main-loop gap during renders: %.1f ms, of which %.1f ms on the main thread's CPU; "
                  "most main-thread CPU between two ticks: %.1f ms",
                  meter.longest / 1000.0, meter.longest_cpu / 1000.0, meter.longest_busy / 1000.0);
  /* The output moved, and it is what the engine gives for a gain of 3.5 */
  g_assert_cmpfloat (difference, >, 0.0);
  assert_shows_engine_result (3.5, 1.0, 0.0, 1.0, 1.0, 0.0);
  g_assert_cmpfloat (meter.longest / 1000.0, <, GUI_TEST_MAX_GAP_MS);
  g_assert_cmpfloat (meter.longest_busy / 1000.0, <, GUI_TEST_MAX_BUSY_MS);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "04-volume.png");
}

static void
test_mix (void)
{
  GtkAdjustment *mix = soundstyle_window_get_mix (fixture.window);
  g_autoptr(GdkTexture) only_a = NULL;
  g_autoptr(GdkTexture) only_b = NULL;
  g_autoptr(GdkTexture) half = NULL;
  g_autoptr(GFile) low = g_file_new_for_path (fixture.tone_low);
  g_autoptr(GFile) high = g_file_new_for_path (fixture.tone_high);

  /* Two sounds far apart (a quiet low tone, a loud high one): the tiny test
   * model, four steps old, hears little difference between two bundled
   * recordings, and the mix must visibly move the output */
  soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 0), low);
  soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 1), high);
  gui_test_wait_until (slots_hold_tones, NULL, "the tone files");
  soundstyle_sound_slot_set_gain (soundstyle_window_get_sound_slot (fixture.window, 0), 1.0);
  gtk_adjustment_set_value (mix, 0.0);
  wait_for_render ();
  only_a = current_result ();

  gtk_adjustment_set_value (mix, 1.0);
  wait_for_render ();
  only_b = current_result ();

  gtk_adjustment_set_value (mix, 0.5);
  wait_for_render ();
  half = current_result ();

  g_test_message ("mix: A-B %.2f, A-half %.2f, half-B %.2f", texture_difference (only_a, only_b),
                  texture_difference (only_a, half), texture_difference (half, only_b));
  g_assert_cmpfloat (texture_difference (only_a, only_b), >, 0.0);
  g_assert_cmpfloat (texture_difference (only_a, half), >, 0.0);
  g_assert_cmpfloat (texture_difference (half, only_b), >, 0.0);
  /* The half-way image is the engine's convex mix of the two waveforms */
  assert_shows_engine_result (1.0, 1.0, 0.5, 1.0, 1.0, 0.0);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "05-mix.png");
}

static void
export_and_check (const char *name)
{
  g_autofree char *path = g_build_filename (fixture.dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(AdisImage) exported = NULL;
  g_autoptr(GError) error = NULL;
  int width, height;
  g_autofree char *done = g_strdup_printf ("Exported “%s”", name);
  gint64 start = g_get_monotonic_time ();

  soundstyle_window_export (fixture.window, file);
  gui_test_wait_until (toast_starts_with, done, "the export");
  g_test_message ("export %s: %.0f ms", name, (g_get_monotonic_time () - start) / 1000.0);

  exported = adis_image_load (path, &error);
  g_assert_no_error (error);
  /* Full resolution: the photo's own size, exactly */
  width = fixture.photo_width;
  height = fixture.photo_height;
  g_assert_cmpint (adis_image_get_width (exported), ==, width);
  g_assert_cmpint (adis_image_get_height (exported), ==, height);
}

static void
test_export (void)
{
  export_and_check ("restyled.png");
  export_and_check ("restyled.jpg");
  gui_test_screenshot (GTK_WIDGET (fixture.window), "06-exported.png");
}

static void
test_bad_files (void)
{
  g_autofree char *not_photo = g_build_filename (fixture.dir, "notes.jpg", NULL);
  g_autoptr(GFile) not_photo_file = g_file_new_for_path (not_photo);
  g_autoptr(GFile) not_sound_file = NULL;
  SoundstyleCanvas *canvas = soundstyle_window_get_canvas (fixture.window);
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 1);
  GdkTexture *photo_before = soundstyle_canvas_get_before (canvas);
  AdisSound *sound_before = soundstyle_sound_slot_get_sound (slot);

  g_assert_true (g_file_set_contents (not_photo, "this is not a photo\n", -1, NULL));

  soundstyle_window_open_photo (fixture.window, not_photo_file);
  gui_test_wait_until (toast_starts_with, "“notes.jpg” is not a photo", "the photo's toast");
  g_assert_true (soundstyle_canvas_get_before (canvas) == photo_before);

  /* The same text file offered as a sound */
  not_sound_file = g_file_new_for_path (not_photo);
  soundstyle_sound_slot_load_file (slot, not_sound_file);
  gui_test_wait_until (toast_starts_with, "“notes.jpg” is not a sound", "the sound's toast");
  g_assert_true (soundstyle_sound_slot_get_sound (slot) == sound_before);
  g_assert_nonnull (soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)));

  gui_test_screenshot (GTK_WIDGET (fixture.window), "07-bad-file-toast.png");
}

static void
test_zoom (void)
{
  SoundstyleCanvas *canvas = soundstyle_window_get_canvas (fixture.window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.zoom-in", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.zoom-in", NULL));
  g_assert_cmpfloat (soundstyle_canvas_get_zoom (canvas), >, 1.5);
  soundstyle_canvas_set_divider (canvas, 0.3);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "08-zoomed.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.zoom-fit", NULL));
  g_assert_cmpfloat (soundstyle_canvas_get_zoom (canvas), ==, 1.0);
  soundstyle_canvas_set_divider (canvas, 0.5);
}

/* Any toplevel other than the main window and not yet closed */
static GtkWindow *
find_other_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != GTK_WINDOW (fixture.window) && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
          gtk_widget_get_width (GTK_WIDGET (window)) > 0)
        return window;
    }
  return NULL;
}

static gboolean
other_window_present (gpointer data)
{
  return find_other_window () != NULL;
}

static void
screenshot_app_window (const char *action,
                       const char *name)
{
  GtkWindow *window;

  g_action_group_activate_action (G_ACTION_GROUP (fixture.app), action, NULL);
  gui_test_wait_until (other_window_present, NULL, action);
  window = find_other_window ();
  gui_test_screenshot (GTK_WIDGET (window), name);
  gtk_window_destroy (window);
  gui_test_settle (100);
}

static void
test_dialogs (void)
{
  screenshot_app_window ("about", "09-about.png");
  screenshot_app_window ("preferences", "10-preferences.png");
}

static gboolean
slot_b_is (gpointer data)
{
  return g_strcmp0 (soundstyle_sound_slot_get_sound_name (soundstyle_window_get_sound_slot (fixture.window, 1)),
                    data) == 0;
}

static gboolean
not_playing (gpointer data)
{
  return !soundstyle_sound_slot_get_playing (data);
}

static gboolean
process_done (gpointer data)
{
  return g_subprocess_get_identifier (data) == NULL;
}

/* The record button against a real sound server: a 550-Hz tone played into
 * the null sink comes back as slot B's sound, at its pitch */
static void
test_record (void)
{
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 1);
  g_autoptr(GSubprocess) tone = NULL;
  AdisSound *before;
  AdisSound *recorded;
  gsize first, end;
  double pitch;

  if (fixture.server == NULL)
    {
      g_test_skip ("pulseaudio is not installed (build-aux/test.sh installs it)");
      return;
    }

  tone = sound_server_play_tone (fixture.server, 550.0, 0.5, 6.0);
  soundstyle_sound_slot_set_recording (slot, TRUE);
  g_assert_true (soundstyle_sound_slot_get_recording (slot));
  gui_test_settle (3500);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "12-recording.png");
  soundstyle_sound_slot_set_recording (slot, FALSE);
  gui_test_wait_until (slot_b_is, "Recording", "the recording");
  g_assert_false (soundstyle_sound_slot_get_recording (slot));

  /* The recording keeps its first 3 s; the monitor starts delivering
   * after a short delay, so the tone fills the rest */
  recorded = soundstyle_sound_slot_get_sound (slot);
  g_assert_true (tone_find_span (adis_sound_get_samples (recorded), ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE,
                                 0.1f, &first, &end));
  pitch = tone_estimate_pitch (adis_sound_get_samples (recorded), first + 320, end - 320, ADIS_SAMPLE_RATE);
  g_test_message ("recorded tone from %.2f s to %.2f s: %.1f Hz",
                  (double) first / ADIS_SAMPLE_RATE, (double) end / ADIS_SAMPLE_RATE, pitch);
  g_assert_cmpfloat_with_epsilon (pitch, 550.0, 5.0);
  g_assert_cmpfloat ((double) (end - first) / ADIS_SAMPLE_RATE, >, 1.5);

  gtk_adjustment_set_value (soundstyle_window_get_mix (fixture.window), 1.0);
  wait_for_render ();
  gui_test_screenshot (GTK_WIDGET (fixture.window), "13-recorded.png");

  /* Playback runs to its end */
  soundstyle_sound_slot_play (slot);
  g_assert_true (soundstyle_sound_slot_get_playing (slot));
  gui_test_wait_until (not_playing, slot, "the playback's end");

  /* Under 3 s is refused, and the recording stays */
  before = soundstyle_sound_slot_get_sound (slot);
  soundstyle_sound_slot_set_recording (slot, TRUE);
  gui_test_settle (1000);
  soundstyle_sound_slot_set_recording (slot, FALSE);
  gui_test_wait_until (toast_starts_with, "Recordings need at least 3 seconds", "the too-short toast");
  g_assert_true (soundstyle_sound_slot_get_sound (slot) == before);

  g_subprocess_force_exit (tone);
  gui_test_wait_until (process_done, tone, "the tone player to end");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  window_test_setup ();

  g_test_add_func ("/soundstyle/gui/opens", test_opens);
  g_test_add_func ("/soundstyle/gui/photo", test_photo);
  g_test_add_func ("/soundstyle/gui/bundled-sound", test_bundled_sound);
  g_test_add_func ("/soundstyle/gui/volume", test_volume);
  g_test_add_func ("/soundstyle/gui/mix", test_mix);
  g_test_add_func ("/soundstyle/gui/export", test_export);
  g_test_add_func ("/soundstyle/gui/bad-files", test_bad_files);
  g_test_add_func ("/soundstyle/gui/zoom", test_zoom);
  g_test_add_func ("/soundstyle/gui/record", test_record);
  g_test_add_func ("/soundstyle/gui/dialogs", test_dialogs);

  status = g_test_run ();

  window_test_teardown ();
  return status;
}
