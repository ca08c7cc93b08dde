/* test-video-and-live.c: the video view loads a generated clip, renders a
 * frame by its own soundtrack and exports the clip through `soundstyle
 * video` (finished, cancelled, failed); the renderer's pictures reach the
 * main thread only at its iterations; live mode, against a private
 * PulseAudio whose null sink plays a tone, updates the picture several
 * times, moves the meter, and stopping keeps the last picture; in the
 * window, its pictures reach the canvas, and a microphone that has gone is
 * a toast while nothing else changes
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <adwaita.h>

#include "gui-test-util.h"
#include "sound-server.h"
#include "soundstyle-application.h"
#include "soundstyle-live-mode.h"
#include "soundstyle-video-view.h"
#include "soundstyle-window.h"
#include "test-util.h"

/* The export test's clip: 2 s at 10 frames/s */
#define CLIP_FPS      10
#define CLIP_SECONDS  2.0
/* Long enough that a cancel always lands before the end, even idle */
#define LONG_SECONDS  40.0
#define N_UPDATES     6

static struct
{
  char        *dir;
  char        *model;
  char        *clip;
  SoundServer *server;
} fixture;

/* --- the video view --------------------------------------------------------- */

typedef struct
{
  SoundstyleVideoView *view;
  GdkTexture          *before;
  guint                min_frames;
  char                *failure;
} VideoWatch;

static gboolean
frame_shown (gpointer data)
{
  VideoWatch *watch = data;
  GdkTexture *texture = soundstyle_video_view_get_texture (watch->view);

  return !soundstyle_video_view_get_busy (watch->view) && texture != NULL && texture != watch->before;
}

static gboolean
export_over (gpointer data)
{
  return !soundstyle_video_view_get_exporting (((VideoWatch *) data)->view);
}

static gboolean
export_under_way (gpointer data)
{
  VideoWatch *watch = data;
  SoundstyleVideoExport *export = soundstyle_video_view_get_export (watch->view);

  return soundstyle_video_export_get_frames (export) >= watch->min_frames ||
         !soundstyle_video_export_is_running (export);
}

static void
on_failed (SoundstyleVideoView *view,
           const char          *message,
           VideoWatch          *watch)
{
  g_free (watch->failure);
  watch->failure = g_strdup (message);
}

static GtkWindow *
open_view (const char  *clip,
           VideoWatch  *watch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (fixture.model, ADIS_DEVICE_CPU, &error);
  GtkWindow *window;

  g_assert_no_error (error);
  window = soundstyle_video_view_open_window (NULL, model, fixture.model, clip, &error);
  g_assert_no_error (error);
  gtk_window_present (window);
  watch->view = SOUNDSTYLE_VIDEO_VIEW (g_object_get_data (G_OBJECT (window), "video-view"));
  g_assert_nonnull (watch->view);
  g_signal_connect (watch->view, "failed", G_CALLBACK (on_failed), watch);
  gui_test_wait_until (frame_shown, watch, "the first frame");
  return window;
}

static void
test_video_view (void)
{
  g_autofree char *out = g_build_filename (fixture.dir, "exported.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisVideo) exported = NULL;
  g_autoptr(AdisImage) last = NULL;
  g_autoptr(GdkTexture) first = NULL;
  SoundstyleVideoExport *export;
  VideoWatch watch = { 0 };
  GtkWindow *window;

  window = open_view (fixture.clip, &watch);
  g_assert_cmpfloat_with_epsilon (soundstyle_video_view_get_duration (watch.view), CLIP_SECONDS, 0.1);
  first = g_object_ref (soundstyle_video_view_get_texture (watch.view));
  g_assert_cmpint (gdk_texture_get_width (first), ==, 384);
  gui_test_screenshot (GTK_WIDGET (window), "video-view.png");

  /* Another time and a louder soundtrack give a new picture */
  watch.before = first;
  soundstyle_video_view_set_time (watch.view, 1.5);
  soundstyle_video_view_set_gain (watch.view, 3.0);
  gui_test_wait_until (frame_shown, &watch, "the frame at 1.5 s");

  /* The whole clip, through the command line, with its progress */
  soundstyle_video_view_set_export_size (watch.view, 64);
  soundstyle_video_view_export (watch.view, out);
  g_assert_true (soundstyle_video_view_get_exporting (watch.view));
  gui_test_screenshot (GTK_WIDGET (window), "video-view-exporting.png");
  gui_test_wait_until (export_over, &watch, "the export");
  export = soundstyle_video_view_get_export (watch.view);
  g_test_message ("%s", soundstyle_video_export_get_message (export));
  g_assert_null (watch.failure);
  g_assert_cmpint (soundstyle_video_export_get_state (export), ==, SOUNDSTYLE_EXPORT_FINISHED);
  g_assert_cmpfloat (soundstyle_video_view_get_export_fraction (watch.view), ==, 1.0);
  g_assert_cmpuint (soundstyle_video_export_get_frames (export), ==, CLIP_FPS * CLIP_SECONDS);

  /* The file itself: its rate, its length and a last frame */
  exported = adis_video_open (out, &error);
  g_assert_no_error (error);
  g_assert_true (adis_video_has_audio (exported));
  g_assert_cmpfloat_with_epsilon (adis_video_get_frame_rate (exported), CLIP_FPS, 0.01);
  g_assert_cmpfloat_with_epsilon (adis_video_get_duration (exported), CLIP_SECONDS, 0.1);
  g_assert_cmpint (MAX (adis_video_get_width (exported), adis_video_get_height (exported)), ==, 64);
  last = adis_video_read_frame (exported, CLIP_SECONDS - 0.5 / CLIP_FPS, &error);
  g_assert_no_error (error);
  gui_test_screenshot (GTK_WIDGET (window), "video-view-exported.png");

  gtk_window_destroy (window);
  g_free (watch.failure);
}

static gboolean
is_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_destroy (GtkWidget *widget,
            gboolean  *destroyed)
{
  *destroyed = TRUE;
}

/* Cancel: the child stops, and neither the output nor a partial file stays */
static void
test_video_export_cancel (void)
{
  g_autofree char *clip = g_build_filename (fixture.dir, "long.mp4", NULL);
  g_autofree char *out = g_build_filename (fixture.dir, "cancelled.mp4", NULL);
  g_autofree char *partial = g_build_filename (fixture.dir, "cancelled.partial.mp4", NULL);
  SoundstyleVideoExport *export;
  VideoWatch watch = { 0 };
  GtkWindow *window;
  gboolean destroyed = FALSE;

  test_write_video (clip, 64, 64, CLIP_FPS, LONG_SECONDS, 16000, 1, -1.0);
  window = open_view (clip, &watch);
  soundstyle_video_view_set_export_size (watch.view, 64);
  soundstyle_video_view_export (watch.view, out);

  /* Under way: a few frames written, hundreds to go */
  watch.min_frames = 3;
  gui_test_wait_until (export_under_way, &watch, "the export's first frames");
  export = soundstyle_video_view_get_export (watch.view);
  g_assert_cmpint (soundstyle_video_export_get_state (export), ==, SOUNDSTYLE_EXPORT_RUNNING);
  soundstyle_video_view_cancel_export (watch.view);
  gui_test_wait_until (export_over, &watch, "the cancelled export to end");
  g_test_message ("cancelled after %u of %u frames: %s", soundstyle_video_export_get_frames (export),
                  soundstyle_video_export_get_total_frames (export),
                  soundstyle_video_export_get_message (export));
  g_assert_cmpint (soundstyle_video_export_get_state (export), ==, SOUNDSTYLE_EXPORT_CANCELLED);
  g_assert_cmpuint (soundstyle_video_export_get_frames (export), <, CLIP_FPS * LONG_SECONDS);
  g_assert_null (watch.failure);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));

  /* Closing the window during an export cancels it the same way, and the
   * window goes once the child has stopped */
  soundstyle_video_view_export (watch.view, out);
  gui_test_wait_until (export_under_way, &watch, "the second export's first frames");
  export = g_object_ref (soundstyle_video_view_get_export (watch.view));
  g_signal_connect (window, "destroy", G_CALLBACK (on_destroy), &destroyed);
  gtk_window_close (window);
  g_assert_false (destroyed);
  gui_test_wait_until (is_set, &destroyed, "the window to close after its export stopped");
  g_assert_cmpint (soundstyle_video_export_get_state (export), ==, SOUNDSTYLE_EXPORT_CANCELLED);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_object_unref (export);
}

/* A failure is one sentence with the command line's reason in it */
static void
test_video_export_failure (void)
{
  g_autofree char *out = g_build_filename (fixture.dir, "no-such-folder", "out.mp4", NULL);
  VideoWatch watch = { 0 };
  GtkWindow *window;

  window = open_view (fixture.clip, &watch);
  soundstyle_video_view_export (watch.view, out);
  gui_test_wait_until (export_over, &watch, "the failed export to end");
  g_test_message ("%s", watch.failure);
  g_assert_cmpint (soundstyle_video_export_get_state (soundstyle_video_view_get_export (watch.view)),
                   ==, SOUNDSTYLE_EXPORT_FAILED);
  g_assert_nonnull (watch.failure);
  g_assert_true (g_str_has_prefix (watch.failure, "The video could not be exported: "));
  g_assert_nonnull (strstr (watch.failure, "no-such-folder"));
  g_assert_null (strchr (watch.failure, '\n'));
  /* The view still works */
  g_assert_nonnull (soundstyle_video_view_get_texture (watch.view));

  gtk_window_destroy (window);
  g_free (watch.failure);
}

/* A video without sound cannot be restyled by it: refused by name */
static void
test_video_without_sound (void)
{
  g_autofree char *clip = g_build_filename (fixture.dir, "silent-film.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (fixture.model, ADIS_DEVICE_CPU, &error);

  g_assert_no_error (error);
  test_write_video (clip, 64, 64, CLIP_FPS, 1.0, 0, 0, -1.0);
  g_assert_null (soundstyle_video_view_open_window (NULL, model, fixture.model, clip, &error));
  g_assert_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "“silent-film.mp4” has no sound track to restyle it by");
}

/* --- live mode -------------------------------------------------------------- */

typedef struct
{
  SoundstyleLiveMode *live;
  SoundstyleRenderer *renderer;
  double              loudest;
  guint               target;
  char               *failure;
} LiveWatch;

static gboolean
photo_rendered (gpointer data)
{
  LiveWatch *watch = data;

  return !soundstyle_renderer_get_busy (watch->renderer) &&
         soundstyle_renderer_get_texture (watch->renderer) != NULL;
}

static gboolean
enough_updates (gpointer data)
{
  LiveWatch *watch = data;

  watch->loudest = MAX (watch->loudest, soundstyle_live_mode_get_level (watch->live));
  return soundstyle_live_mode_get_n_updates (watch->live) >= watch->target;
}

static void
on_live_failed (SoundstyleLiveMode *live,
                const char         *message,
                LiveWatch          *watch)
{
  g_free (watch->failure);
  watch->failure = g_strdup (message);
}

/* A renderer given a photo and silence: its first render is on its way */
static SoundstyleRenderer *
silent_renderer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = adis_model_load (fixture.model, ADIS_DEVICE_CPU, &error);
  g_autoptr(AdisImage) photo = NULL;
  g_autoptr(AdisSound) silence = NULL;
  g_autofree float *zeros = g_new0 (float, ADIS_CLIP_SAMPLES);
  g_autofree char *photo_path = g_build_filename (fixture.dir, "photo.png", NULL);
  SoundstyleRenderer *renderer;

  g_assert_no_error (error);
  test_write_pattern_png (photo_path, 96, 64, 4);
  photo = adis_image_load (photo_path, &error);
  g_assert_no_error (error);
  silence = adis_sound_new_from_samples (zeros, ADIS_CLIP_SAMPLES, ADIS_SAMPLE_RATE, 1, &error);
  g_assert_no_error (error);

  renderer = soundstyle_renderer_new ();
  soundstyle_renderer_set_model (renderer, model);
  soundstyle_renderer_set_photo (renderer, photo);
  soundstyle_renderer_set_sizes (renderer, 64, 96);
  soundstyle_renderer_set_sounds (renderer, silence, 1.0, NULL, 0.0, 0.0);
  return renderer;
}

/* A window with live mode over a renderer showing a photo with silence */
static GtkWidget *
live_window (LiveWatch *watch)
{
  GtkWidget *window;

  watch->renderer = silent_renderer ();
  watch->live = SOUNDSTYLE_LIVE_MODE (soundstyle_live_mode_new ());
  soundstyle_live_mode_set_renderer (watch->live, watch->renderer);
  g_signal_connect (watch->live, "failed", G_CALLBACK (on_live_failed), watch);
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (watch->live));
  gtk_window_present (GTK_WINDOW (window));
  gui_test_wait_until (photo_rendered, watch, "the photo with silence");
  return window;
}

static void
note_texture_thread (SoundstyleRenderer *renderer,
                     GParamSpec         *pspec,
                     GThread           **thread)
{
  /* The first notification's thread; any later one must be the same */
  if (*thread == NULL)
    *thread = g_thread_self ();
  g_assert_true (*thread == g_thread_self ());
}

/* The render thread hands each picture to the main thread, which shows it
 * at its next iteration and never sooner. GLib's invoke would run the
 * hand-over in the render thread itself whenever the main context was
 * free, as it is between a test's (or a nested loop's) iterations: the
 * picture then changed under code that had just read it, and its
 * notifications reached widgets from another thread. */
static void
test_renderer_main_thread (void)
{
  g_autoptr(SoundstyleRenderer) renderer = silent_renderer ();
  GThread *texture_thread = NULL;
  LiveWatch watch = { 0 };

  g_signal_connect (renderer, "notify::texture", G_CALLBACK (note_texture_thread), &texture_thread);
  g_assert_true (soundstyle_renderer_get_busy (renderer));
  /* The tiny model renders 64 px in milliseconds: long done after 2 s */
  g_usleep (2 * G_USEC_PER_SEC);
  g_assert_null (soundstyle_renderer_get_texture (renderer));
  g_assert_true (soundstyle_renderer_get_busy (renderer));

  watch.renderer = renderer;
  gui_test_wait_until (photo_rendered, &watch, "the photo with silence");
  g_assert_true (texture_thread == g_thread_self ());
}

static void
test_live (void)
{
  g_autoptr(GSubprocess) tone = NULL;
  LiveWatch watch = { 0 };
  GtkWidget *window;
  GdkTexture *last;
  guint n_updates;
  gint64 first_usec;
  double seconds;

  if (fixture.server == NULL)
    {
      g_test_skip ("pulseaudio is not installed (build-aux/test.sh installs it)");
      return;
    }
  window = live_window (&watch);

  tone = sound_server_play_tone (fixture.server, 440.0, 0.5, 120.0);
  soundstyle_live_mode_set_active (watch.live, TRUE);
  g_assert_null (watch.failure);
  g_assert_true (soundstyle_live_mode_get_active (watch.live));

  /* The first picture includes the microphone's start; the rate is timed
   * from there */
  watch.target = 1;
  gui_test_wait_until (enough_updates, &watch, "the first live update");
  first_usec = g_get_monotonic_time ();
  watch.target = N_UPDATES + 1;
  gui_test_wait_until (enough_updates, &watch, "live updates");
  seconds = (g_get_monotonic_time () - first_usec) / (double) G_USEC_PER_SEC;
  g_test_message ("live: %u updates in %.2f s after the first (%.1f per second at 64 px); "
                  "loudest meter %.2f", N_UPDATES, seconds, N_UPDATES / seconds, watch.loudest);
  /* A 0.5 tone is about -9 dBFS: well up the meter */
  g_assert_cmpfloat (watch.loudest, >, 0.5);
  /* At the preview size: no full render follows a live picture */
  g_assert_cmpint (gdk_texture_get_width (soundstyle_renderer_get_texture (watch.renderer)), ==, 64);
  gui_test_screenshot (window, "live-mode.png");

  /* Stopping keeps the picture and makes no more updates */
  soundstyle_live_mode_set_active (watch.live, FALSE);
  g_assert_false (soundstyle_live_mode_get_active (watch.live));
  /* A render under way when it stopped lands, and is the last */
  gui_test_wait_until (photo_rendered, &watch, "the last live render");
  n_updates = soundstyle_live_mode_get_n_updates (watch.live);
  last = soundstyle_renderer_get_texture (watch.renderer);
  gui_test_settle (1500);
  g_assert_true (soundstyle_renderer_get_texture (watch.renderer) == last);
  g_assert_false (soundstyle_renderer_get_busy (watch.renderer));
  g_assert_cmpuint (soundstyle_live_mode_get_n_updates (watch.live), ==, n_updates);
  g_assert_cmpfloat (soundstyle_live_mode_get_level (watch.live), ==, 0.0);

  g_subprocess_force_exit (tone);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (watch.renderer);
}

/* Rendered, and with the slots' starting sounds in place (when there are
 * bundled samples), so that nothing else changes the picture afterwards */
static gboolean
window_rendered (gpointer data)
{
  SoundstyleRenderer *renderer = soundstyle_window_get_renderer (data);

  for (guint slot = 0; slot < 2; slot++)
    {
      SoundstyleSoundSlot *sound_slot = soundstyle_window_get_sound_slot (data, slot);

      if (soundstyle_sound_slot_get_n_samples (sound_slot) >= 2 &&
          soundstyle_sound_slot_get_sound (sound_slot) == NULL)
        return FALSE;
    }
  return g_strcmp0 (soundstyle_window_get_page (data), "editor") == 0 &&
         soundstyle_canvas_get_before (soundstyle_window_get_canvas (data)) != NULL &&
         !soundstyle_renderer_get_busy (renderer) && soundstyle_renderer_get_texture (renderer) != NULL;
}

static gboolean
window_live_updates (gpointer data)
{
  return soundstyle_live_mode_get_n_updates (soundstyle_window_get_live_mode (data)) >= 3;
}

/* In the window: live mode sits in the header bar and its pictures reach
 * the canvas; when the chosen microphone has gone, the window says so in a
 * toast, live mode is off and the picture stays as it was */
static void
test_live_in_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) inputs = NULL;
  g_autoptr(SoundstyleAudioDevice) pulse = NULL;
  g_autoptr(SoundstyleApplication) app = NULL;
  g_autoptr(GSubprocess) tone = NULL;
  g_autoptr(GFile) photo = NULL;
  g_autofree char *photo_path = g_build_filename (fixture.dir, "window-photo.png", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  SoundstyleWindow *window;
  SoundstyleLiveMode *live;
  SoundstyleRenderer *renderer;
  GdkTexture *before;

  if (fixture.server == NULL)
    {
      g_test_skip ("pulseaudio is not installed (build-aux/test.sh installs it)");
      return;
    }
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);
  app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  window = soundstyle_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  test_write_pattern_png (photo_path, 96, 64, 6);
  photo = g_file_new_for_path (photo_path);
  soundstyle_window_open_photo (window, photo);
  gui_test_wait_until (window_rendered, window, "the window's first render");
  live = soundstyle_window_get_live_mode (window);
  renderer = soundstyle_window_get_renderer (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (live)));

  tone = sound_server_play_tone (fixture.server, 660.0, 0.5, 120.0);
  soundstyle_live_mode_set_active (live, TRUE);
  gui_test_wait_until (window_live_updates, window, "live updates in the window");
  g_assert_true (soundstyle_canvas_get_after (soundstyle_window_get_canvas (window)) ==
                 soundstyle_renderer_get_texture (renderer));
  gui_test_screenshot (GTK_WIDGET (window), "live-mode-window.png");
  soundstyle_live_mode_set_active (live, FALSE);
  g_subprocess_force_exit (tone);
  gui_test_wait_until (window_rendered, window, "the last live render");
  before = soundstyle_renderer_get_texture (renderer);

  inputs = soundstyle_audio_list_input_devices (&error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (inputs) && pulse == NULL; i++)
    {
      g_autoptr(SoundstyleAudioDevice) device = g_list_model_get_item (inputs, i);

      if (g_strcmp0 (soundstyle_audio_device_get_name (device), "pulse") == 0)
        pulse = g_steal_pointer (&device);
    }
  g_assert_nonnull (pulse);
  soundstyle_live_mode_set_device (live, pulse);

  /* The same sound server, but ALSA offers only its default device now,
   * as test-audio-io's device-gone test does */
  saved = g_strdup (g_getenv ("ALSA_CONFIG_PATH"));
  dir = test_make_tmpdir ("soundstyle-gone");
  config = g_build_filename (dir, "asound.conf", NULL);
  g_file_set_contents (config, "pcm.!default { type pulse }\nctl.!default { type pulse }\n", -1, &error);
  g_assert_no_error (error);
  g_setenv ("ALSA_CONFIG_PATH", config, TRUE);
  soundstyle_live_mode_set_active (live, TRUE);
  g_setenv ("ALSA_CONFIG_PATH", saved, TRUE);

  g_test_message ("%s", soundstyle_window_get_last_toast (window));
  g_assert_cmpstr (soundstyle_window_get_last_toast (window), ==,
                   "Live mode cannot use the microphone: "
                   "The audio input device “pulse” is no longer available");
  g_assert_false (soundstyle_live_mode_get_active (live));
  g_assert_true (soundstyle_renderer_get_texture (renderer) == before);
  g_assert_false (soundstyle_renderer_get_busy (renderer));
  gui_test_screenshot (GTK_WIDGET (window), "live-mode-no-microphone.png");

  test_rm_rf (dir);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  fixture.dir = test_make_tmpdir ("soundstyle-test-video-live");
  fixture.model = g_build_filename (fixture.dir, "tiny.safetensors", NULL);
  fixture.clip = g_build_filename (fixture.dir, "clip.mp4", NULL);
  dataset = test_make_tiny_dataset (fixture.dir, 4, 32);
  gui_test_train_model (dataset, fixture.model, 2, "3");
  /* adis-video's encoder, as every video test makes its clips */
  test_write_video (fixture.clip, 64, 64, CLIP_FPS, CLIP_SECONDS, 16000, 1, -1.0);

  if (sound_server_available ())
    {
      fixture.server = sound_server_start (&error);
      g_assert_no_error (error);
    }

  g_test_add_func ("/soundstyle/gui/video-view", test_video_view);
  g_test_add_func ("/soundstyle/gui/video-export-cancel", test_video_export_cancel);
  g_test_add_func ("/soundstyle/gui/video-export-failure", test_video_export_failure);
  g_test_add_func ("/soundstyle/gui/video-without-sound", test_video_without_sound);
  g_test_add_func ("/soundstyle/gui/renderer-main-thread", test_renderer_main_thread);
  g_test_add_func ("/soundstyle/gui/live-mode", test_live);
  g_test_add_func ("/soundstyle/gui/live-mode-in-window", test_live_in_window);

  status = g_test_run ();
  g_clear_pointer (&fixture.server, sound_server_stop);
  test_rm_rf (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.model);
  g_free (fixture.clip);
  return status;
}
