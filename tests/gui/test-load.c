/* test-load.c: the window under load: 2,000 slider moves with renders running
 *
 * SPDX-License-Identifier: MIT
 *
 * Scripted under Xvfb with G_DEBUG=fatal-warnings, so any GTK warning ends
 * the run. After a warm-up (threads, caches and the allocator's arenas
 * reach their working size), the volume and mix sliders move 2,000 times
 * while the renderer keeps starting, dropping and finishing renders.
 * Measured: resident memory growth over the 2,000 moves, and the longest
 * main-loop stall, as the longest gap between frame-clock ticks and
 * between runs of a 10-ms timeout, and the main thread's CPU time within
 * those gaps (work on the main loop, as opposed to waiting for a core).
 * The figures are printed for the record.
 */
#define G_LOG_DOMAIN "test-load"

#include "config.h"

#include "gui-test-util.h"
#include "soundstyle-application.h"
#include "soundstyle-window.h"
#include "test-util.h"

#define WARM_UP_MOVES 300
#define MOVES 2000
#define MAX_GROWTH_BYTES (10 * 1024 * 1024)

/* Under AddressSanitizer freed blocks wait in its quarantine (up to 256 MB)
 * before reuse, so resident memory grows with every allocation by design and
 * says nothing about leaks; the bound is checked in the ordinary build. */
#if defined(__SANITIZE_ADDRESS__)
# define RESIDENT_GROWTH_MEANINGFUL FALSE
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define RESIDENT_GROWTH_MEANINGFUL FALSE
# endif
#endif
#ifndef RESIDENT_GROWTH_MEANINGFUL
# define RESIDENT_GROWTH_MEANINGFUL TRUE
#endif
static gboolean
on_frame_tick (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       data)
{
  gui_test_gap_meter_tick (data);
  return G_SOURCE_CONTINUE;
}

static SoundstyleWindow *window;

static gboolean
full_render_shown (gpointer data)
{
  SoundstyleRenderer *renderer = soundstyle_window_get_renderer (window);

  return g_strcmp0 (soundstyle_window_get_page (window), "editor") == 0 &&
         !soundstyle_renderer_get_busy (renderer) && soundstyle_renderer_get_texture (renderer) != NULL &&
         !soundstyle_renderer_get_is_preview (renderer);
}

/* Move i of the script: the volume sweeps 0..4 and back, the mix 0..1 */
static guint
move_sliders (guint i)
{
  static GdkTexture *last_texture;
  static guint n_renders;
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (window, 0);
  GdkTexture *texture;
  double phase = (i % 200) / 200.0;

  soundstyle_sound_slot_set_gain (slot, 4.0 * (phase < 0.5 ? 2 * phase : 2 - 2 * phase));
  if (i % 7 == 0)
    gtk_adjustment_set_value (soundstyle_window_get_mix (window), (i % 50) / 49.0);
  /* About the pace of a hand on a slider */
  gui_test_settle (4);

  texture = soundstyle_renderer_get_texture (soundstyle_window_get_renderer (window));
  if (texture != last_texture)
    {
      last_texture = texture;
      n_renders++;
    }
  return n_renders;
}

static void
test_slider_moves (void)
{
  g_autofree char *dir = test_make_tmpdir ("soundstyle-test-load");
  g_autofree char *dataset = test_make_tiny_dataset (dir, 4, 32);
  g_autofree char *model = g_build_filename (dir, "tiny.safetensors", NULL);
  g_autofree char *photo_path = g_build_filename (dir, "photo.png", NULL);
  g_autoptr(GFile) photo = NULL;
  g_autoptr(GError) error = NULL;
  SoundstyleApplication *app;
  GuiTestGapMeter timeout_meter = { 0 };
  GuiTestGapMeter frame_meter = { 0 };
  guint timeout_source, tick_id;
  gsize rss_start, rss_end;
  double growth_mb;
  guint renders_before, renders;
  gint64 start;

  gui_test_train_model (dataset, model, 2, "5");
  g_setenv ("SOUNDSTYLE_MODEL", model, TRUE);
  test_write_pattern_png (photo_path, 320, 240, 4);
  photo = g_file_new_for_path (photo_path);

  app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = soundstyle_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 680);
  gtk_window_present (GTK_WINDOW (window));
  soundstyle_window_open_photo (window, photo);
  gui_test_wait_until (full_render_shown, NULL, "the first render");

  /* Warm-up */
  for (guint i = 0; i < WARM_UP_MOVES; i++)
    move_sliders (i);
  gui_test_wait_until (full_render_shown, NULL, "the warm-up's last render");
  gui_test_settle (200);
  rss_start = gui_test_resident_bytes ();
  renders_before = move_sliders (0);

  timeout_source = g_timeout_add (10, gui_test_gap_meter_timeout, &timeout_meter);
  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (window), on_frame_tick, &frame_meter, NULL);
  timeout_meter = (GuiTestGapMeter) { 0 };
  frame_meter = (GuiTestGapMeter) { 0 };
  start = g_get_monotonic_time ();
  for (guint i = 0; i < MOVES; i++)
    renders = move_sliders (WARM_UP_MOVES + i);
  g_test_message ("%d moves in %.1f s, %u renders shown",
                  MOVES, (g_get_monotonic_time () - start) / 1e6, renders - renders_before);
  gui_test_wait_until (full_render_shown, NULL, "the last render");
  g_source_remove (timeout_source);
  gtk_widget_remove_tick_callback (GTK_WIDGET (window), tick_id);
  gui_test_settle (200);
  rss_end = gui_test_resident_bytes ();

  growth_mb = ((double) rss_end - (double) rss_start) / (1024.0 * 1024.0);
  g_test_message ("resident memory: %.1f MB after warm-up, %.1f MB after %d moves: growth %.2f MB",
                  rss_start / (1024.0 * 1024.0), rss_end / (1024.0 * 1024.0), MOVES, growth_mb);
  g_test_message ("longest gap between 10-ms timeouts: %.1f ms (%.1f ms of it on the main thread's CPU), "
                  "%u runs; most main-thread CPU between two runs: %.1f ms",
                  timeout_meter.longest / 1000.0, timeout_meter.longest_cpu / 1000.0, timeout_meter.n,
                  timeout_meter.longest_busy / 1000.0);
  g_test_message ("longest gap between frame-clock ticks: %.1f ms (%.1f ms of it on the main thread's CPU), "
                  "%u frames; most main-thread CPU between two frames: %.1f ms",
                  frame_meter.longest / 1000.0, frame_meter.longest_cpu / 1000.0, frame_meter.n,
                  frame_meter.longest_busy / 1000.0);
  gui_test_screenshot (GTK_WIDGET (window), "30-after-load.png");

  g_assert_cmpuint (renders - renders_before, >, 1);
  if (RESIDENT_GROWTH_MEANINGFUL)
    g_assert_cmpfloat ((double) rss_end - (double) rss_start, <, MAX_GROWTH_BYTES);
  else
    g_test_message ("resident memory growth not checked: AddressSanitizer's quarantine holds freed blocks");
  g_assert_cmpfloat (timeout_meter.longest / 1000.0, <, GUI_TEST_MAX_GAP_MS);
  g_assert_cmpfloat (frame_meter.longest / 1000.0, <, GUI_TEST_MAX_GAP_MS);
  g_assert_cmpfloat (timeout_meter.longest_busy / 1000.0, <, GUI_TEST_MAX_BUSY_MS);
  g_assert_cmpfloat (frame_meter.longest_busy / 1000.0, <, GUI_TEST_MAX_BUSY_MS);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (app);
  test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/soundstyle/load/slider-moves", test_slider_moves);

  return g_test_run ();
}
