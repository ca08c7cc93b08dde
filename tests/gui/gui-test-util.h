/* gui-test-util.h: what the window test programs share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Generous: the machine running the tests may be busy */
#define GUI_TEST_WAIT_SECONDS 300

typedef gboolean (*GuiTestPredicate) (gpointer data);

/* Runs the main loop until predicate holds; fails the test after
 * GUI_TEST_WAIT_SECONDS, naming what it waited for */
void     gui_test_wait_until      (GuiTestPredicate  predicate,
                                   gpointer          data,
                                   const char       *what);
/* Runs the main loop for a while: layout, drawing, animations */
void     gui_test_settle          (int               milliseconds);
/* Saves what the widget shows as $SOUNDSTYLE_BUILD_DIR/tests/gui/screenshots/NAME */
void     gui_test_screenshot      (GtkWidget        *widget,
                                   const char       *name);
/* Trains a tiny model with the command line (a few steps, seeded) */
void     gui_test_train_model     (const char       *dataset,
                                   const char       *output,
                                   int               steps,
                                   const char       *seed);
/* The main loop's pauses: call gui_test_gap_meter_tick() from a timeout
 * or a frame-clock tick. A long gap with little main-thread CPU time in it
 * is the scheduler (a busy machine); CPU time between two ticks is work
 * done on the main loop, which is what must stay short. */
typedef struct
{
  gint64 last;
  gint64 last_cpu;
  gint64 longest;        /* longest wall-clock gap, µs */
  gint64 longest_cpu;    /* main-thread CPU time within that gap, µs */
  gint64 longest_busy;   /* most main-thread CPU time between two ticks, µs */
  guint  n;
} GuiTestGapMeter;

/* Wall-clock gaps include time the scheduler gives to other processes:
 * generous, as this machine shares two cores with a training run */
#define GUI_TEST_MAX_GAP_MS 500.0
/* Main-thread work between two ticks (issue 8: no stall over 100 ms) */
#define GUI_TEST_MAX_BUSY_MS 100.0

void     gui_test_gap_meter_tick  (GuiTestGapMeter  *meter);
/* A GSourceFunc for g_timeout_add with the meter as data */
gboolean gui_test_gap_meter_timeout (gpointer        meter);

/* Resident memory of this process in bytes, from /proc/self/statm */
gsize    gui_test_resident_bytes  (void);

G_END_DECLS
