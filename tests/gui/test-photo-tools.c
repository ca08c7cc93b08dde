/* test-photo-tools.c: the region brush and Restyle Photos… under Xvfb
 *
 * SPDX-License-Identifier: MIT
 *
 * A person's steps: turn the brush on, paint the sky, look, export; the
 * export is the original wherever nothing was painted. Invert, erase, save
 * and load the mask, a mask of another size, a file that is no mask, a
 * second photo with a mask of its own. Then a folder of photos restyled at
 * once into another folder that already holds a result of the same name,
 * with a photo that cannot be read among them, and a run cancelled at
 * once. Then undo and redo, and the history: exports and kept pictures
 * with their settings, brought back by a click, still there for a new
 * history read from the same folder (a restart), bounded, and cleared.
 * Screenshots go to $SOUNDSTYLE_BUILD_DIR/tests/gui/screenshots.
 */
#define G_LOG_DOMAIN "test-photo-tools"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "soundstyle-application.h"
#include "soundstyle-batch-window.h"
#include "soundstyle-samples.h"
#include "soundstyle-window.h"
#include "test-util.h"

static struct
{
  char                  *dir;
  char                  *model;
  char                  *photo;        /* a bundled photo, else a pattern */
  char                  *pattern;      /* 160x120: the second photo */
  SoundstyleApplication *app;
  SoundstyleWindow      *window;
} fixture;

/* --- waiting --------------------------------------------------------------- */

static gboolean
render_done (gpointer data)
{
  SoundstyleRenderer *renderer = soundstyle_window_get_renderer (fixture.window);

  return !soundstyle_renderer_get_busy (renderer) && soundstyle_renderer_get_texture (renderer) != NULL;
}

static gboolean
toast_starts_with (gpointer data)
{
  const char *toast = soundstyle_window_get_last_toast (fixture.window);

  return toast != NULL && g_str_has_prefix (toast, data);
}

static gboolean
toast_contains (gpointer data)
{
  const char *toast = soundstyle_window_get_last_toast (fixture.window);

  return toast != NULL && strstr (toast, data) != NULL;
}

static gboolean
editor_shown (gpointer data)
{
  return g_strcmp0 (soundstyle_window_get_page (fixture.window), "editor") == 0;
}

static gboolean
slot_a_has_sound (gpointer data)
{
  return soundstyle_sound_slot_get_sound (soundstyle_window_get_sound_slot (fixture.window, 0)) != NULL;
}

static gboolean
photo_is (gpointer data)
{
  GdkTexture *before = soundstyle_canvas_get_before (soundstyle_window_get_canvas (fixture.window));

  return before != NULL && gdk_texture_get_width (before) == GPOINTER_TO_INT (data);
}

static void
open_photo (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisImage) image = adis_image_load (path, &error);

  g_assert_no_error (error);
  soundstyle_window_open_photo (fixture.window, file);
  gui_test_wait_until (photo_is, GINT_TO_POINTER (adis_image_get_width (image)), "the photo");
  gui_test_wait_until (render_done, NULL, "the render");
}

/* --- the brush as a hand moves it ------------------------------------------ */

/* A drag across the canvas from (x0, y0) to (x1, y1), as shares of the
 * widget's size, through the canvas's own paint signals in photo pixels */
static void
drag_on_canvas (double x0,
                double y0,
                double x1,
                double y1)
{
  SoundstyleCanvas *canvas = soundstyle_window_get_canvas (fixture.window);
  double w = gtk_widget_get_width (GTK_WIDGET (canvas));
  double h = gtk_widget_get_height (GTK_WIDGET (canvas));
  double px, py;

  g_assert_true (soundstyle_canvas_widget_to_photo (canvas, x0 * w, y0 * h, &px, &py));
  g_signal_emit_by_name (canvas, "paint-begin", px, py);
  for (int i = 1; i <= 8; i++)
    {
      double t = i / 8.0;

      g_assert_true (soundstyle_canvas_widget_to_photo (canvas, (x0 + (x1 - x0) * t) * w,
                                                        (y0 + (y1 - y0) * t) * h, &px, &py));
      g_signal_emit_by_name (canvas, "paint-update", px, py);
      gui_test_settle (10);
    }
  g_signal_emit_by_name (canvas, "paint-end");
}

/* Where the photo lies in the canvas, as shares of the widget's size: the
 * mapping is linear, so two points of it give its edges */
static void
photo_rect_shares (double *left,
                   double *top,
                   double *right,
                   double *bottom)
{
  SoundstyleCanvas *canvas = soundstyle_window_get_canvas (fixture.window);
  GdkTexture *before = soundstyle_canvas_get_before (canvas);
  double w = gtk_widget_get_width (GTK_WIDGET (canvas));
  double h = gtk_widget_get_height (GTK_WIDGET (canvas));
  double x0, y0, x1, y1;

  g_assert_true (soundstyle_canvas_widget_to_photo (canvas, 0, 0, &x0, &y0));
  g_assert_true (soundstyle_canvas_widget_to_photo (canvas, w, h, &x1, &y1));
  /* photo = a + b * widget: solve for widget at photo 0 and photo size */
  *left = (0 - x0) / (x1 - x0);
  *right = (gdk_texture_get_width (before) - x0) / (x1 - x0);
  *top = (0 - y0) / (y1 - y0);
  *bottom = (gdk_texture_get_height (before) - y0) / (y1 - y0);
}

static AdisImage *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  AdisImage *image = adis_image_load (path, &error);

  g_assert_no_error (error);
  return image;
}

static void
export_to (const char *name)
{
  g_autofree char *path = g_build_filename (fixture.dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *done = g_strdup_printf ("Exported “%s”", name);

  soundstyle_window_export (fixture.window, file);
  gui_test_wait_until (toast_starts_with, done, "the export");
}

static void
test_brush (void)
{
  SoundstyleMaskEditor *editor = soundstyle_window_get_mask_editor (fixture.window);
  SoundstyleCanvas *canvas = soundstyle_window_get_canvas (fixture.window);
  g_autofree char *export_path = g_build_filename (fixture.dir, "sky.png", NULL);
  g_autoptr(AdisMask) mask = NULL;
  g_autoptr(AdisMask) fitted = NULL;
  g_autoptr(AdisImage) exported = NULL;
  g_autoptr(AdisImage) original = NULL;
  g_autoptr(AdisImage) original_fitted = NULL;
  g_autofree guint8 *out = NULL;
  g_autofree guint8 *orig = NULL;
  const guint8 *m;
  double left, top, right, bottom;
  gsize n_outside = 0, n_inside = 0, n_inside_changed = 0;
  int width, height;

  open_photo (fixture.photo);
  g_assert_false (soundstyle_mask_editor_get_active (editor));

  /* The brush on (Ctrl+B's action), a wide soft brush, two strokes along
   * the top: "only the sky" */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.paint", NULL));
  g_assert_true (soundstyle_canvas_get_painting (canvas));
  soundstyle_mask_editor_set_brush_size (editor, 0.12);
  soundstyle_mask_editor_set_feather (editor, 0.6);
  photo_rect_shares (&left, &top, &right, &bottom);
  drag_on_canvas (left + 0.05 * (right - left), top + 0.1 * (bottom - top),
                  left + 0.95 * (right - left), top + 0.1 * (bottom - top));
  drag_on_canvas (left + 0.95 * (right - left), top + 0.22 * (bottom - top),
                  left + 0.05 * (right - left), top + 0.22 * (bottom - top));
  g_assert_true (soundstyle_mask_editor_get_active (editor));
  g_assert_nonnull (soundstyle_renderer_get_mask (soundstyle_window_get_renderer (fixture.window)));
  gui_test_wait_until (render_done, NULL, "the masked render");
  gui_test_screenshot (GTK_WIDGET (fixture.window), "14-brush-sky.png");

  /* The export: outside the mask, the original's pixels exactly (the
   * original at the export's size, as the engine resamples it) */
  export_to ("sky.png");
  exported = load (export_path);
  original = load (fixture.photo);
  width = adis_image_get_width (exported);
  height = adis_image_get_height (exported);
  original_fitted = adis_image_resize (original, width, height);
  mask = soundstyle_mask_editor_dup_mask (editor);
  fitted = adis_mask_resize (mask, width, height);
  m = adis_mask_get_values (fitted);
  out = adis_image_to_rgb8 (exported);
  orig = adis_image_to_rgb8 (original_fitted);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      if (m[i] == 0)
        {
          n_outside++;
          if (memcmp (out + i * 3, orig + i * 3, 3) != 0)
            g_error ("pixel %" G_GSIZE_FORMAT " outside the mask differs from the original", i);
        }
      else if (m[i] == 255)
        {
          n_inside++;
          n_inside_changed += memcmp (out + i * 3, orig + i * 3, 3) != 0;
        }
    }
  g_test_message ("brush export %dx%d: %" G_GSIZE_FORMAT " pixels outside the mask, all the original's; "
                  "%" G_GSIZE_FORMAT " inside, %" G_GSIZE_FORMAT " restyled",
                  width, height, n_outside, n_inside, n_inside_changed);
  /* The lower half was never painted; the strokes covered the top */
  g_assert_cmpuint (n_outside, >, (gsize) width * height / 2);
  g_assert_cmpuint (n_inside, >, (gsize) width * height / 20);
  g_assert_cmpuint (n_inside_changed, >, n_inside / 2);
  for (int x = 0; x < width; x++)
    g_assert_cmpint (m[(gsize) (height - 1) * width + x], ==, 0);

  /* Invert: the ground restyled, the sky kept */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.invert", NULL));
  {
    g_autoptr(AdisMask) inverted = soundstyle_mask_editor_dup_mask (editor);

    g_assert_cmpint (adis_mask_get_values (inverted)[0], ==, 255 - adis_mask_get_values (mask)[0]);
  }
  gui_test_wait_until (render_done, NULL, "the inverted render");
  gui_test_screenshot (GTK_WIDGET (fixture.window), "15-brush-inverted.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.invert", NULL));

  /* The eraser takes a stroke off again: the middle of the first stroke */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.erase", NULL));
  g_assert_true (soundstyle_mask_editor_get_erasing (editor));
  drag_on_canvas (left + 0.45 * (right - left), top + 0.1 * (bottom - top),
                  left + 0.55 * (right - left), top + 0.1 * (bottom - top));
  {
    g_autoptr(AdisMask) erased = soundstyle_mask_editor_dup_mask (editor);
    int photo_w = adis_mask_get_width (erased);
    int photo_h = adis_mask_get_height (erased);
    gsize middle = (gsize) (int) (0.1 * photo_h) * photo_w + photo_w / 2;

    g_assert_cmpint (adis_mask_get_values (mask)[middle], ==, 255);
    g_assert_cmpint (adis_mask_get_values (erased)[middle], ==, 0);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.erase", NULL));
  g_assert_false (soundstyle_mask_editor_get_erasing (editor));
  gui_test_wait_until (render_done, NULL, "the render after erasing");
  gui_test_screenshot (GTK_WIDGET (fixture.window), "16-brush-erased.png");
}

static void
test_brush_files (void)
{
  SoundstyleMaskEditor *editor = soundstyle_window_get_mask_editor (fixture.window);
  g_autofree char *saved = g_build_filename (fixture.dir, "saved-mask.png", NULL);
  g_autofree char *small = g_build_filename (fixture.dir, "small-mask.png", NULL);
  g_autofree char *notes = g_build_filename (fixture.dir, "notes.png", NULL);
  g_autoptr(GFile) saved_file = g_file_new_for_path (saved);
  g_autoptr(GFile) small_file = g_file_new_for_path (small);
  g_autoptr(GFile) notes_file = g_file_new_for_path (notes);
  g_autoptr(AdisMask) painted = soundstyle_mask_editor_dup_mask (editor);
  g_autoptr(AdisMask) reread = NULL;
  g_autoptr(AdisMask) tiny = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scaled_toast = NULL;
  guint8 half[8 * 6];
  int w = adis_mask_get_width (painted);
  int h = adis_mask_get_height (painted);
  gsize n = (gsize) w * h;

  /* Saved as a greyscale PNG, read back value for value */
  soundstyle_window_save_mask (fixture.window, saved_file);
  gui_test_wait_until (toast_starts_with, "Saved the mask", "the mask saved");
  reread = adis_mask_load (saved, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (adis_mask_get_values (reread), n, adis_mask_get_values (painted), n);

  /* Clear: no mask, the whole photo restyled */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.clear", NULL));
  g_assert_false (soundstyle_mask_editor_get_active (editor));
  g_assert_null (soundstyle_renderer_get_mask (soundstyle_window_get_renderer (fixture.window)));

  /* Loaded back */
  soundstyle_window_load_mask (fixture.window, saved_file);
  gui_test_wait_until (toast_starts_with, "Loaded the mask", "the mask loaded");
  {
    g_autoptr(AdisMask) loaded = soundstyle_mask_editor_dup_mask (editor);

    g_assert_cmpmem (adis_mask_get_values (loaded), n, adis_mask_get_values (painted), n);
  }

  /* Another size: scaled, and the toast says so */
  for (int i = 0; i < 8 * 6; i++)
    half[i] = (i % 8) < 4 ? 0 : 255;
  tiny = adis_mask_new (half, 8, 6);
  g_assert_true (adis_mask_save (tiny, small, &error));
  soundstyle_window_load_mask (fixture.window, small_file);
  scaled_toast = g_strdup_printf ("is 8×6, the photo %d×%d: scaled to fit", w, h);
  gui_test_wait_until (toast_contains, scaled_toast, "the scaled mask's toast");
  {
    g_autoptr(AdisMask) loaded = soundstyle_mask_editor_dup_mask (editor);

    g_assert_cmpint (adis_mask_get_width (loaded), ==, w);
    g_assert_cmpint (adis_mask_get_values (loaded)[0], ==, 0);
    g_assert_cmpint (adis_mask_get_values (loaded)[w - 1], ==, 255);
  }
  gui_test_screenshot (GTK_WIDGET (fixture.window), "17-brush-mask-scaled.png");

  /* Not an image: a clear toast, the mask as it was */
  {
    g_autoptr(AdisMask) before = soundstyle_mask_editor_dup_mask (editor);
    g_autoptr(AdisMask) after = NULL;

    g_assert_true (g_file_set_contents (notes, "not a mask\n", -1, NULL));
    soundstyle_window_load_mask (fixture.window, notes_file);
    gui_test_wait_until (toast_starts_with, "“notes.png” is not an image that can be used as a mask",
                         "the bad mask's toast");
    after = soundstyle_mask_editor_dup_mask (editor);
    g_assert_cmpmem (adis_mask_get_values (after), n, adis_mask_get_values (before), n);
  }
  gui_test_screenshot (GTK_WIDGET (fixture.window), "18-brush-bad-mask.png");
}

/* Each photo keeps its own mask while the window is open */
static void
test_brush_per_photo (void)
{
  SoundstyleMaskEditor *editor = soundstyle_window_get_mask_editor (fixture.window);
  g_autoptr(AdisMask) first = soundstyle_mask_editor_dup_mask (editor);
  g_autoptr(AdisMask) back = NULL;
  gsize n = (gsize) adis_mask_get_width (first) * adis_mask_get_height (first);

  open_photo (fixture.pattern);
  g_assert_false (soundstyle_mask_editor_get_active (editor));
  g_assert_null (soundstyle_renderer_get_mask (soundstyle_window_get_renderer (fixture.window)));

  open_photo (fixture.photo);
  back = soundstyle_mask_editor_dup_mask (editor);
  g_assert_nonnull (back);
  g_assert_cmpmem (adis_mask_get_values (back), n, adis_mask_get_values (first), n);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.paint", NULL));
  g_assert_false (soundstyle_canvas_get_painting (soundstyle_window_get_canvas (fixture.window)));
}

/* --- Restyle Photos… ------------------------------------------------------- */

static gboolean
batch_finished (gpointer data)
{
  SoundstyleBatch *batch = soundstyle_batch_window_get_batch (data);

  return !soundstyle_batch_get_running (batch);
}

static gboolean
has_hidden_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      return TRUE;
  return FALSE;
}

static void
test_batch (void)
{
  g_autofree char *photos = g_build_filename (fixture.dir, "holiday", NULL);
  g_autofree char *out = g_build_filename (fixture.dir, "restyled", NULL);
  g_autofree char *beach = g_build_filename (photos, "beach.png", NULL);
  g_autofree char *hills = g_build_filename (photos, "hills.jpg", NULL);
  g_autofree char *broken = g_build_filename (photos, "broken.jpg", NULL);
  g_autofree char *taken = g_build_filename (out, "beach-restyled.png", NULL);
  g_autofree char *beach_out = g_build_filename (out, "beach-restyled-2.png", NULL);
  g_autofree char *hills_out = g_build_filename (out, "hills-restyled.jpg", NULL);
  g_autoptr(GFile) photos_folder = g_file_new_for_path (photos);
  g_autoptr(GFile) out_folder = g_file_new_for_path (out);
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *taken_after = NULL;
  SoundstyleBatch *batch;
  GtkWidget *window;

  g_assert_cmpint (g_mkdir_with_parents (photos, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  test_write_pattern_png (beach, 96, 64, 11);
  {
    g_autoptr(AdisImage) pattern = load (fixture.pattern);

    g_assert_true (adis_image_save (pattern, hills, &error));
  }
  g_assert_true (g_file_set_contents (broken, "not a photo", -1, NULL));
  /* An earlier result of the same name: it must survive */
  g_assert_true (g_file_set_contents (taken, "an earlier result", -1, NULL));

  /* The folder as dropped: its photos by name */
  paths = soundstyle_window_list_photos (photos_folder, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (paths->len, ==, 3);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (paths, 0), "beach.png"));

  window = soundstyle_window_restyle_photos (fixture.window, paths, out_folder, FALSE);
  g_assert_nonnull (window);
  batch = soundstyle_batch_window_get_batch (SOUNDSTYLE_BATCH_WINDOW (window));
  gui_test_wait_until (batch_finished, window, "the batch");
  gui_test_screenshot (window, "19-batch-done.png");

  g_assert_false (soundstyle_batch_get_cancelled (batch));
  g_assert_cmpuint (soundstyle_batch_get_n_done (batch), ==, 3);
  g_assert_cmpuint (soundstyle_batch_get_written (batch)->len, ==, 2);
  g_assert_cmpuint (soundstyle_batch_get_failures (batch)->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (soundstyle_batch_get_failures (batch), 0), "broken.jpg: "));

  /* The files: full size, the earlier result untouched, nothing hidden left */
  g_assert_true (g_file_get_contents (taken, &taken_after, NULL, NULL));
  g_assert_cmpstr (taken_after, ==, "an earlier result");
  {
    g_autoptr(AdisImage) beach_result = load (beach_out);
    g_autoptr(AdisImage) hills_result = load (hills_out);

    g_assert_cmpint (adis_image_get_width (beach_result), ==, 96);
    g_assert_cmpint (adis_image_get_height (beach_result), ==, 64);
    g_assert_cmpint (adis_image_get_width (hills_result), ==, 160);
  }
  g_assert_false (has_hidden_files (out));
  g_assert_true (g_file_test (beach, G_FILE_TEST_IS_REGULAR));
  gtk_window_destroy (GTK_WINDOW (window));

  /* The same again: numbered past both */
  window = soundstyle_window_restyle_photos (fixture.window, paths, out_folder, FALSE);
  gui_test_wait_until (batch_finished, window, "the second batch");
  {
    g_autofree char *third = g_build_filename (out, "beach-restyled-3.png", NULL);

    g_assert_true (g_file_test (third, G_FILE_TEST_IS_REGULAR));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_batch_mask_and_cancel (void)
{
  g_autofree char *out = g_build_filename (fixture.dir, "masked-batch", NULL);
  g_autofree char *cancel_out = g_build_filename (fixture.dir, "cancelled", NULL);
  g_autoptr(GFile) out_folder = g_file_new_for_path (out);
  g_autoptr(GFile) cancel_folder = g_file_new_for_path (cancel_out);
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) many = g_ptr_array_new ();
  SoundstyleMaskEditor *editor = soundstyle_window_get_mask_editor (fixture.window);
  g_autoptr(AdisMask) mask = soundstyle_mask_editor_dup_mask (editor);
  SoundstyleBatch *batch;
  GtkWidget *window;

  g_assert_nonnull (mask);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cancel_out, 0755), ==, 0);

  /* With the mask: scaled to the pattern, the original where it is 0 */
  g_ptr_array_add (one, fixture.pattern);
  window = soundstyle_window_restyle_photos (fixture.window, one, out_folder, TRUE);
  gui_test_wait_until (batch_finished, window, "the masked batch");
  {
    g_autofree char *result_path = g_build_filename (out, "pattern-restyled.png", NULL);
    g_autoptr(AdisImage) result = load (result_path);
    g_autoptr(AdisImage) original = load (fixture.pattern);
    g_autoptr(AdisMask) fitted = adis_mask_resize (mask, 160, 120);
    g_autofree guint8 *a = adis_image_to_rgb8 (result);
    g_autofree guint8 *b = adis_image_to_rgb8 (original);
    const guint8 *m = adis_mask_get_values (fitted);
    gsize outside = 0;

    for (gsize i = 0; i < 160 * 120; i++)
      if (m[i] == 0)
        {
          outside++;
          g_assert_cmpmem (a + i * 3, 3, b + i * 3, 3);
        }
    /* The mask now is the half one loaded in brush-files: its left part */
    g_assert_cmpuint (outside, >, 160 * 120 / 3);
  }
  gtk_window_destroy (GTK_WINDOW (window));

  /* Cancelled at once: whatever is there is whole, nothing hidden */
  for (int i = 0; i < 6; i++)
    g_ptr_array_add (many, fixture.pattern);
  window = soundstyle_window_restyle_photos (fixture.window, many, cancel_folder, FALSE);
  batch = soundstyle_batch_window_get_batch (SOUNDSTYLE_BATCH_WINDOW (window));
  soundstyle_batch_cancel (batch);
  gui_test_wait_until (batch_finished, window, "the cancelled batch");
  gui_test_screenshot (window, "20-batch-cancelled.png");
  g_assert_true (soundstyle_batch_get_cancelled (batch));
  g_assert_cmpuint (soundstyle_batch_get_written (batch)->len, <, 6);
  g_assert_false (has_hidden_files (cancel_out));
  {
    g_autoptr(GDir) dir = g_dir_open (cancel_out, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (cancel_out, name, NULL);
        g_autoptr(AdisImage) image = load (path);

        g_assert_cmpint (adis_image_get_width (image), ==, 160);
      }
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- undo and redo --------------------------------------------------------- */

/* Longer than the window's settling time, so each change is its own step */
#define STEP_MS 700

static gboolean
mask_is_active (gpointer data)
{
  return soundstyle_mask_editor_get_active (soundstyle_window_get_mask_editor (fixture.window)) ==
         GPOINTER_TO_INT (data);
}

static void
test_history_undo (void)
{
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 0);
  GtkAdjustment *mix = soundstyle_window_get_mix (fixture.window);
  SoundstyleMaskEditor *editor = soundstyle_window_get_mask_editor (fixture.window);
  GtkWidget *window = GTK_WIDGET (fixture.window);
  g_autoptr(AdisMask) painted = soundstyle_mask_editor_dup_mask (editor);

  g_assert_nonnull (painted);
  soundstyle_sound_slot_set_gain (slot, 1.0);
  gtk_adjustment_set_value (mix, 0.0);
  gui_test_settle (STEP_MS);
  soundstyle_sound_slot_set_gain (slot, 2.5);
  gui_test_settle (STEP_MS);
  /* A slider dragged through many values is one step */
  for (double v = 0.1; v <= 0.61; v += 0.1)
    {
      gtk_adjustment_set_value (mix, v);
      gui_test_settle (20);
    }
  gui_test_settle (STEP_MS);

  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  g_assert_cmpfloat (gtk_adjustment_get_value (mix), ==, 0.0);
  g_assert_cmpfloat (soundstyle_sound_slot_get_gain (slot), ==, 2.5);
  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  g_assert_cmpfloat (soundstyle_sound_slot_get_gain (slot), ==, 1.0);
  g_assert_true (gtk_widget_activate_action (window, "win.redo", NULL));
  g_assert_cmpfloat (soundstyle_sound_slot_get_gain (slot), ==, 2.5);
  g_assert_true (gtk_widget_activate_action (window, "win.redo", NULL));
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (mix), 0.6, 1e-9);

  /* A mask cleared, then undone: the painted mask back, value for value */
  g_assert_true (gtk_widget_activate_action (window, "mask.clear", NULL));
  g_assert_false (soundstyle_mask_editor_get_active (editor));
  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  gui_test_wait_until (mask_is_active, GINT_TO_POINTER (TRUE), "the mask back");
  {
    g_autoptr(AdisMask) back = soundstyle_mask_editor_dup_mask (editor);
    gsize n = (gsize) adis_mask_get_width (painted) * adis_mask_get_height (painted);

    g_assert_cmpmem (adis_mask_get_values (back), n, adis_mask_get_values (painted), n);
  }
  g_assert_true (gtk_widget_activate_action (window, "win.redo", NULL));
  g_assert_false (soundstyle_mask_editor_get_active (editor));
  g_assert_true (gtk_widget_activate_action (window, "win.undo", NULL));
  g_assert_true (soundstyle_mask_editor_get_active (editor));
  gui_test_wait_until (render_done, NULL, "the render after undo");
  gui_test_screenshot (window, "21-history-undo.png");
}

/* --- the history strip ----------------------------------------------------- */

static guint
count_files (const char *folder,
             const char *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_suffix (name, suffix);
  return n;
}

static void
test_history (void)
{
  SoundstyleHistory *history = soundstyle_window_get_history (fixture.window);
  GListModel *entries = soundstyle_history_get_model (history);
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 0);
  GtkAdjustment *mix = soundstyle_window_get_mix (fixture.window);
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "soundstyle", "history", NULL);
  g_autoptr(SoundstyleHistoryEntry) older = NULL;
  guint before = g_list_model_get_n_items (entries);

  /* Exports in the earlier tests are there already, newest first */
  g_assert_cmpuint (before, >=, 1);
  /* Tall enough that the sidebar shows the strip below the sounds */
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1100, 1000);

  soundstyle_sound_slot_set_gain (slot, 1.5);
  gtk_adjustment_set_value (mix, 0.25);
  gui_test_wait_until (render_done, NULL, "the render");
  export_to ("history-1.png");
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, before + 1);
  older = g_list_model_get_item (entries, 0);
  g_assert_cmpfloat (soundstyle_history_entry_get_gain_a (older), ==, 1.5);
  g_assert_cmpfloat (soundstyle_history_entry_get_mix (older), ==, 0.25);
  g_assert_cmpstr (soundstyle_history_entry_get_photo (older), ==, fixture.photo);
  g_assert_nonnull (soundstyle_history_entry_get_mask (older));
  g_assert_true (g_file_test (soundstyle_history_entry_get_thumbnail (older), G_FILE_TEST_IS_REGULAR));

  /* Keep (Ctrl+K) the picture after other settings, and no mask */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "mask.clear", NULL));
  soundstyle_sound_slot_set_gain (slot, 3.0);
  gtk_adjustment_set_value (mix, 0.75);
  gui_test_wait_until (render_done, NULL, "the render");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.history-add", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, before + 2);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "22-history-strip.png");

  /* A click on the older one: its volumes, mix and mask come back */
  soundstyle_window_history_restore (fixture.window, older);
  g_assert_cmpfloat (soundstyle_sound_slot_get_gain (slot), ==, 1.5);
  g_assert_cmpfloat (gtk_adjustment_get_value (mix), ==, 0.25);
  gui_test_wait_until (mask_is_active, GINT_TO_POINTER (TRUE), "the entry's mask");
  gui_test_wait_until (render_done, NULL, "the render");
  gui_test_screenshot (GTK_WIDGET (fixture.window), "23-history-restored.png");

  /* A restart reads the same entries back */
  {
    g_autoptr(SoundstyleHistory) again = soundstyle_history_new (dir);
    GListModel *read = soundstyle_history_get_model (again);
    g_autoptr(SoundstyleHistoryEntry) first = g_list_model_get_item (read, 1);

    g_assert_cmpuint (g_list_model_get_n_items (read), ==, before + 2);
    g_assert_cmpfloat (soundstyle_history_entry_get_gain_a (first), ==, 1.5);
    g_assert_cmpfloat (soundstyle_history_entry_get_mix (first), ==, 0.25);
  }

  /* Bounded: the oldest go, their files with them */
  {
    g_autofree char *bounded_dir = g_build_filename (fixture.dir, "bounded-history", NULL);
    g_autoptr(SoundstyleHistory) bounded = soundstyle_history_new (bounded_dir);
    g_autoptr(AdisImage) picture = load (fixture.pattern);
    g_autoptr(GError) error = NULL;

    for (int i = 0; i < SOUNDSTYLE_HISTORY_MAX_ENTRIES + 3; i++)
      {
        g_assert_true (soundstyle_history_add (bounded, picture, fixture.pattern, NULL, NULL,
                                               1.0, 1.0, i / 100.0, NULL, NULL, &error));
        g_assert_no_error (error);
      }
    g_assert_cmpuint (g_list_model_get_n_items (soundstyle_history_get_model (bounded)), ==,
                      SOUNDSTYLE_HISTORY_MAX_ENTRIES);
    g_assert_cmpuint (count_files (bounded_dir, ".png"), ==, SOUNDSTYLE_HISTORY_MAX_ENTRIES);
  }

  /* Clear: no entries, no files */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.window), "win.history-clear", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  g_assert_cmpuint (count_files (dir, ".png"), ==, 0);
  g_assert_cmpuint (count_files (dir, ".json"), ==, 0);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "24-history-cleared.png");
}

/* --- setup ----------------------------------------------------------------- */

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) photos = soundstyle_samples_list (SOUNDSTYLE_SAMPLE_PHOTO);
  g_autofree char *tone = NULL;

  fixture.model = g_build_filename (fixture.dir, "tiny.safetensors", NULL);
  fixture.pattern = g_build_filename (fixture.dir, "pattern.png", NULL);
  tone = g_build_filename (fixture.dir, "tone.wav", NULL);
  test_write_pattern_png (fixture.pattern, 160, 120, 5);
  test_write_tone_wav (tone, 880, 0.5, 3.0, 16000, 1);

  {
    g_autofree char *dataset = test_make_tiny_dataset (fixture.dir, 8, 32);

    gui_test_train_model (dataset, fixture.model, 4, "3");
  }
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);

  /* A real photo for the person looking at the screenshots */
  fixture.photo = photos->len > 0 ? g_strdup (g_ptr_array_index (photos, 0)) : g_strdup (fixture.pattern);

  fixture.app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (fixture.app), NULL, &error);
  g_assert_no_error (error);

  fixture.window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1100, 720);
  gtk_window_present (GTK_WINDOW (fixture.window));
  gui_test_wait_until (editor_shown, NULL, "the model");
  /* Without bundled sounds the slots start empty: a tone then */
  if (soundstyle_sound_slot_get_n_samples (soundstyle_window_get_sound_slot (fixture.window, 0)) == 0)
    {
      g_autoptr(GFile) file = g_file_new_for_path (tone);

      soundstyle_sound_slot_load_file (soundstyle_window_get_sound_slot (fixture.window, 0), file);
    }
  gui_test_wait_until (slot_a_has_sound, NULL, "a sound in slot A");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* The history lives under the user's data folder: a private one, set
   * before anything asks GLib where it is */
  fixture.dir = test_make_tmpdir ("soundstyle-test-photo-tools");
  {
    g_autofree char *data_home = g_build_filename (fixture.dir, "data", NULL);

    g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setup ();

  g_test_add_func ("/soundstyle/gui/brush", test_brush);
  g_test_add_func ("/soundstyle/gui/brush-files", test_brush_files);
  g_test_add_func ("/soundstyle/gui/brush-per-photo", test_brush_per_photo);
  g_test_add_func ("/soundstyle/gui/batch", test_batch);
  g_test_add_func ("/soundstyle/gui/batch-mask-and-cancel", test_batch_mask_and_cancel);
  g_test_add_func ("/soundstyle/gui/history-undo", test_history_undo);
  g_test_add_func ("/soundstyle/gui/history", test_history);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_object (&fixture.app);
  test_rm_rf (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.model);
  g_free (fixture.photo);
  g_free (fixture.pattern);
  return status;
}
