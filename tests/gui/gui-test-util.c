/* gui-test-util.c: what the window test programs share
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gui-test"
/* clock_gettime and CLOCK_THREAD_CPUTIME_ID */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "gui-test-util.h"
#include "test-util.h"

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
gui_test_wait_until (GuiTestPredicate  predicate,
                     gpointer          data,
                     const char       *what)
{
  gint64 deadline = g_get_monotonic_time () + GUI_TEST_WAIT_SECONDS * G_USEC_PER_SEC;
  guint source = g_timeout_add (20, wake_up, NULL);

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (source);
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

void
gui_test_settle (int milliseconds)
{
  gint64 until = g_get_monotonic_time () + milliseconds * 1000;

  gui_test_wait_until (time_passed, &until, "the window to settle");
}

static gboolean
widget_drawn (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

void
gui_test_screenshot (GtkWidget  *widget,
                     const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (test_build_dir (), "tests", "gui", "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GtkSnapshot *snapshot;
  int width, height;

  g_mkdir_with_parents (dir, 0755);
  /* A window just presented is mapped when the X server says so: on a busy
   * machine that can take longer than the settling below */
  gui_test_wait_until (widget_drawn, widget, "the widget on screen");
  /* Transitions and toasts take a moment, longer on a busy machine */
  gui_test_settle (800);
  /* A window that is redrawing (a toast or a dialog coming and going) can
   * have no render node for a frame or two: wait for one */
  for (int attempt = 0; attempt < 20 && node == NULL; attempt++)
    {
      if (attempt > 0)
        gui_test_settle (200);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      g_assert_cmpint (width, >, 0);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

void
gui_test_train_model (const char *dataset,
                      const char *output,
                      int         steps,
                      const char *seed)
{
  g_autofree char *err = NULL;
  g_autofree char *max_steps = g_strdup_printf ("%d", steps);
  const char *argv[] = {
    test_soundstyle_bin (), "train", dataset, "--output", output,
    "--preset", "tiny", "--size", "32", "--batch", "2", "--max-steps", max_steps,
    "--seed", seed, "--device", "cpu", NULL
  };
  int status = test_run (argv, NULL, &err);

  if (status != 0)
    g_error ("training the test model failed (%d): %s", status, err);
}

gsize
gui_test_resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL));
  g_assert_cmpint (sscanf (text, "%lu %lu", &size, &resident), ==, 2);
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

void
gui_test_gap_meter_tick (GuiTestGapMeter *meter)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_usec ();

  if (meter->last != 0)
    {
      if (now - meter->last > meter->longest)
        {
          meter->longest = now - meter->last;
          meter->longest_cpu = cpu - meter->last_cpu;
        }
      meter->longest_busy = MAX (meter->longest_busy, cpu - meter->last_cpu);
    }
  meter->last = now;
  meter->last_cpu = cpu;
  meter->n++;
}

gboolean
gui_test_gap_meter_timeout (gpointer meter)
{
  gui_test_gap_meter_tick (meter);
  return G_SOURCE_CONTINUE;
}
