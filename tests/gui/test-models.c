/* test-models.c: the Models and Fine-Tune windows under a real X server
 *
 * SPDX-License-Identifier: MIT
 *
 * Fine-tuning runs the real `soundstyle train --json` as a child of the
 * window, on a tiny dataset and a tiny model: progress arrives, the loss
 * plot fills, Stop leaves a checkpoint, Resume goes on from it to the end,
 * and the model joins the list. A trainer killed with SIGKILL leaves the
 * window working and a message naming the signal. The model list shows an
 * imported model, and choosing it changes what the window renders.
 * Deleting asks first; a user's model goes with its card and row, the
 * bundled default has no delete button, and deleting the active model
 * makes the window go back to the default.
 * $XDG_DATA_HOME is a scratch folder, so the user's own models are safe.
 */
#define G_LOG_DOMAIN "test-models"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "soundstyle-application.h"
#include "soundstyle-finetune-window.h"
#include "soundstyle-models.h"
#include "soundstyle-models-window.h"
#include "soundstyle-settings.h"
#include "soundstyle-window.h"
#include "test-util.h"

static struct
{
  char                     *dir;
  char                     *model;
  char                     *dataset;
  char                     *photo;
  char                     *finetuned;
  GdkTexture               *default_render;  /* the photo with the default model */
  SoundstyleApplication    *app;
  SoundstyleWindow         *window;
  SoundstyleFinetuneWindow *finetune;
} fixture;

/* --- predicates -------------------------------------------------------------- */

static gboolean
editor_ready (gpointer data)
{
  SoundstyleRenderer *renderer = soundstyle_window_get_renderer (fixture.window);

  return g_strcmp0 (soundstyle_window_get_page (fixture.window), "editor") == 0 &&
         !soundstyle_renderer_get_busy (renderer) && soundstyle_renderer_get_texture (renderer) != NULL &&
         !soundstyle_renderer_get_is_preview (renderer);
}

static gboolean
job_ended (gpointer data)
{
  SoundstyleFinetuneJob *job = soundstyle_finetune_window_get_job (fixture.finetune);

  return job != NULL && !soundstyle_finetune_job_is_running (job);
}

static gboolean
job_reached_step (gpointer data)
{
  SoundstyleFinetuneJob *job = soundstyle_finetune_window_get_job (fixture.finetune);

  return soundstyle_finetune_job_get_step (job) >= GPOINTER_TO_INT (data) ||
         !soundstyle_finetune_job_is_running (job);
}

static gboolean
job_started (gpointer data)
{
  SoundstyleFinetuneJob *job = soundstyle_finetune_window_get_job (fixture.finetune);

  return soundstyle_finetune_job_get_total_steps (job) > 0 || !soundstyle_finetune_job_is_running (job);
}

static gboolean
models_lists (gpointer data)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));

  return soundstyle_models_window_lists (models, data);
}

static const char *
job_message (void)
{
  return soundstyle_finetune_job_get_message (soundstyle_finetune_window_get_job (fixture.finetune));
}

/* --- setup -------------------------------------------------------------------- */

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  /* Four items in batches of two: each epoch is two steps */
  fixture.dataset = test_make_tiny_dataset (fixture.dir, 4, 32);
  fixture.model = g_build_filename (fixture.dir, "base.safetensors", NULL);
  gui_test_train_model (fixture.dataset, fixture.model, 2, "3");
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);

  fixture.photo = g_build_filename (fixture.dir, "pattern.png", NULL);
  test_write_pattern_png (fixture.photo, 160, 120, 9);

  fixture.app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (fixture.app), NULL, &error);
  g_assert_no_error (error);

  fixture.window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1000, 680);
  gtk_window_present (GTK_WINDOW (fixture.window));
  {
    g_autoptr(GFile) photo = g_file_new_for_path (fixture.photo);

    soundstyle_window_open_photo (fixture.window, photo);
  }
  gui_test_wait_until (editor_ready, NULL, "the window's first render");
}

#define FINETUNE_EPOCHS 20
#define FINETUNE_STEPS  (2 * FINETUNE_EPOCHS)

/* --- tests ---------------------------------------------------------------------- */

static void
test_finetune_run (void)
{
  SoundstyleFinetuneJob *job;
  SoundstyleLossPlot *plot;
  gint64 stopped_at;
  g_autofree char *checkpoint = NULL;

  fixture.finetune = SOUNDSTYLE_FINETUNE_WINDOW (soundstyle_window_show_finetune (fixture.window));
  gui_test_screenshot (GTK_WIDGET (fixture.finetune), "20-finetune-setup.png");

  /* Not training data: refused with a sentence naming the folder */
  g_assert_false (soundstyle_finetune_window_set_data (fixture.finetune, fixture.dir));
  g_assert_nonnull (strstr (soundstyle_finetune_window_get_last_toast (fixture.finetune), "holds no training data"));

  g_assert_true (soundstyle_finetune_window_set_data (fixture.finetune, fixture.dataset));
  soundstyle_finetune_window_set_name (fixture.finetune, "rainy");
  g_assert_true (soundstyle_finetune_window_set_start (fixture.finetune, fixture.model));
  /* 20 epochs of 2 steps, so that a stop after step 2 lands well before the
   * end even on an idle machine; a checkpoint every step, a sample every 2 */
  soundstyle_finetune_window_set_schedule (fixture.finetune, FINETUNE_EPOCHS, 0);
  soundstyle_finetune_window_set_advanced (fixture.finetune, 32, 2, 1, 2);
  g_assert_true (soundstyle_finetune_window_start (fixture.finetune));
  job = soundstyle_finetune_window_get_job (fixture.finetune);
  plot = soundstyle_finetune_window_get_plot (fixture.finetune);
  fixture.finetuned = g_strdup (soundstyle_finetune_job_get_output (job));
  checkpoint = g_build_filename (g_getenv ("XDG_DATA_HOME"), "soundstyle", "training", "rainy",
                                 "training.ckpt", NULL);

  /* Progress arrives and the plot gets its points */
  gui_test_wait_until (job_reached_step, GINT_TO_POINTER (2), "two training steps");
  g_assert_true (soundstyle_finetune_job_is_running (job));
  g_assert_cmpint (soundstyle_finetune_job_get_total_steps (job), ==, FINETUNE_STEPS);
  g_assert_cmpuint (soundstyle_loss_plot_get_n_points (plot), >=, 2);
  g_test_message ("progress: %s", job_message ());
  g_assert_true (g_str_has_prefix (job_message (), "Step "));
  gui_test_screenshot (GTK_WIDGET (fixture.finetune), "21-finetune-running.png");

  /* Stop: SIGTERM, the trainer saves a checkpoint and exits */
  soundstyle_finetune_window_stop (fixture.finetune);
  gui_test_wait_until (job_ended, NULL, "the trainer to stop");
  g_test_message ("stopped: %s", job_message ());
  g_assert_cmpint (soundstyle_finetune_job_get_state (job), ==, SOUNDSTYLE_JOB_STOPPED);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (fixture.finetuned, G_FILE_TEST_EXISTS));
  g_assert_true (soundstyle_finetune_job_can_resume (job));
  stopped_at = soundstyle_finetune_job_get_step (job);
  g_assert_cmpint (stopped_at, >=, 2);
  g_assert_cmpint (stopped_at, <, FINETUNE_STEPS);

  /* Resume goes on from the checkpoint to the end */
  g_assert_true (soundstyle_finetune_window_resume (fixture.finetune));
  gui_test_wait_until (job_started, NULL, "the resumed run to start");
  g_test_message ("resumed at step %" G_GINT64_FORMAT " (stopped at %" G_GINT64_FORMAT ")",
                  soundstyle_finetune_job_get_first_step (job), stopped_at);
  g_assert_cmpint (soundstyle_finetune_job_get_first_step (job), ==, stopped_at);
  gui_test_wait_until (job_ended, NULL, "the resumed run to finish");
  g_test_message ("finished: %s", job_message ());
  g_assert_cmpint (soundstyle_finetune_job_get_state (job), ==, SOUNDSTYLE_JOB_FINISHED);
  g_assert_cmpint (soundstyle_finetune_job_get_step (job), ==, FINETUNE_STEPS);
  g_assert_cmpuint (soundstyle_loss_plot_get_n_points (plot), >=, 4);
  g_assert_true (soundstyle_finetune_window_has_sample (fixture.finetune));
  g_assert_true (g_file_test (fixture.finetuned, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (soundstyle_window_get_last_toast (fixture.window), ==, job_message ());
  gui_test_screenshot (GTK_WIDGET (fixture.finetune), "22-finetune-finished.png");

  /* The finished model joins the list, with its card */
  gui_test_wait_until (models_lists, fixture.finetuned, "the fine-tuned model in the list");
  {
    g_autoptr(SoundstyleModelCard) card = soundstyle_model_card_read (fixture.finetuned);

    g_assert_null (card->error);
    g_assert_cmpint (card->steps, ==, FINETUNE_STEPS);
    g_assert_nonnull (card->card_text);
    g_assert_nonnull (strstr (card->card_text, "Fine-tuned"));
  }
}

static gboolean
message_names_signal (gpointer data)
{
  const char *toast = soundstyle_window_get_last_toast (fixture.window);

  return toast != NULL && strstr (toast, "signal 9") != NULL;
}

/* kill -9 from outside: the job fails, says so, and the window goes on */
static void
test_finetune_killed (void)
{
  SoundstyleFinetuneJob *job;
  SoundstyleSoundSlot *slot = soundstyle_window_get_sound_slot (fixture.window, 0);
  const char *pid;
  g_autoptr(GdkTexture) before = NULL;

  soundstyle_finetune_window_set_name (fixture.finetune, "killed");
  soundstyle_finetune_window_set_schedule (fixture.finetune, 3, 0);
  g_assert_true (soundstyle_finetune_window_start (fixture.finetune));
  job = soundstyle_finetune_window_get_job (fixture.finetune);
  gui_test_wait_until (job_reached_step, GINT_TO_POINTER (1), "the first training step");
  pid = soundstyle_finetune_job_get_child_id (job);
  g_assert_nonnull (pid);
  g_test_message ("killing the trainer, pid %s", pid);
  g_assert_cmpint (kill ((pid_t) g_ascii_strtoll (pid, NULL, 10), SIGKILL), ==, 0);

  gui_test_wait_until (job_ended, NULL, "the job to notice");
  gui_test_wait_until (message_names_signal, NULL, "a message naming the signal");
  g_test_message ("message: %s", job_message ());
  g_assert_cmpint (soundstyle_finetune_job_get_state (job), ==, SOUNDSTYLE_JOB_FAILED);
  g_assert_nonnull (strstr (job_message (), "killed by signal 9"));
  gui_test_screenshot (GTK_WIDGET (fixture.finetune), "23-finetune-killed.png");

  /* The window still renders */
  before = g_object_ref (soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)));
  soundstyle_sound_slot_set_gain (slot, soundstyle_sound_slot_get_gain (slot) > 2 ? 1.0 : 3.0);
  gui_test_settle (100);
  gui_test_wait_until (editor_ready, NULL, "a render after the kill");
  g_assert_true (soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)) != before);
  gui_test_screenshot (GTK_WIDGET (fixture.window), "24-window-after-kill.png");
  gtk_window_close (GTK_WINDOW (fixture.finetune));
}

static gboolean
toast_is (gpointer data)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));

  return g_strcmp0 (soundstyle_models_window_get_last_toast (models), data) == 0;
}

static gboolean
toast_starts_with (gpointer data)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));
  const char *toast = soundstyle_models_window_get_last_toast (models);

  return toast != NULL && g_str_has_prefix (toast, data);
}

static gboolean
render_differs (gpointer data)
{
  return editor_ready (NULL) &&
         soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)) != data;
}

static double
mean_difference (GdkTexture *a,
                 GdkTexture *b)
{
  gsize stride = gdk_texture_get_width (a) * 4;
  gsize size = stride * gdk_texture_get_height (a);
  g_autofree guint8 *pa = g_malloc (size);
  g_autofree guint8 *pb = g_malloc (size);
  double sum = 0;

  g_assert_cmpint (gdk_texture_get_width (a), ==, gdk_texture_get_width (b));
  g_assert_cmpint (gdk_texture_get_height (a), ==, gdk_texture_get_height (b));
  gdk_texture_download (a, pa, stride);
  gdk_texture_download (b, pb, stride);
  for (gsize i = 0; i < size; i++)
    sum += ABS ((int) pa[i] - (int) pb[i]);
  return sum / size;
}

static void
test_model_list (void)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));
  g_autofree char *outside = g_build_filename (fixture.dir, "sunny.safetensors", NULL);
  g_autofree char *not_model = g_build_filename (fixture.dir, "notes.safetensors", NULL);
  g_autofree char *dir = soundstyle_models_dir ();
  g_autofree char *imported = g_build_filename (dir, "sunny.safetensors", NULL);
  g_autoptr(GFile) outside_file = g_file_new_for_path (outside);
  g_autoptr(GFile) not_model_file = g_file_new_for_path (not_model);
  g_autoptr(GFile) finetuned_file = g_file_new_for_path (fixture.finetuned);
  g_autoptr(GdkTexture) with_default = NULL;
  g_autoptr(GdkTexture) with_imported = NULL;
  g_autofree char *files_before = NULL;
  g_autoptr(GError) error = NULL;
  double difference;

  /* The bundled default is listed */
  g_assert_true (soundstyle_models_window_lists (models, fixture.model));

  /* A model from elsewhere (the fine-tuned one, under another name) */
  g_assert_true (g_file_copy (finetuned_file, outside_file, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  soundstyle_models_window_import (models, outside_file);
  gui_test_wait_until (toast_is, "Imported “sunny.safetensors”", "the import");
  g_assert_true (soundstyle_models_window_lists (models, imported));
  g_assert_true (g_file_test (imported, G_FILE_TEST_IS_REGULAR));

  /* A file that is not a model is refused and nothing is copied */
  g_assert_true (g_file_set_contents (not_model, "not a model at all", -1, NULL));
  {
    g_autoptr(GPtrArray) listed = soundstyle_models_list ();
    files_before = g_strdup_printf ("%u", listed->len);
  }
  soundstyle_models_window_import (models, not_model_file);
  gui_test_wait_until (toast_starts_with, "“notes.safetensors” cannot be imported: ", "the refusal");
  g_test_message ("refused: %s", soundstyle_models_window_get_last_toast (models));
  {
    g_autoptr(GPtrArray) listed = soundstyle_models_list ();
    g_autofree char *files_after = g_strdup_printf ("%u", listed->len);

    g_assert_cmpstr (files_after, ==, files_before);
  }
  gui_test_screenshot (GTK_WIDGET (models), "25-models.png");

  /* Choosing the imported model changes what the window shows */
  with_default = g_object_ref (soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)));
  g_assert_true (soundstyle_models_window_choose (models, imported));
  gui_test_wait_until (render_differs, with_default, "a render with the imported model");
  fixture.default_render = g_object_ref (with_default);
  with_imported = g_object_ref (soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window)));
  difference = mean_difference (with_default, with_imported);
  g_test_message ("default model vs imported model: mean pixel difference %.3f", difference);
  g_assert_cmpfloat (difference, >, 0.0);

  /* And back to the default, stored as the empty string */
  g_assert_true (soundstyle_models_window_choose (models, fixture.model));
  gui_test_wait_until (render_differs, with_imported, "a render with the default model again");
  g_assert_cmpfloat (mean_difference (with_default,
                                      soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window))),
                     ==, 0.0);
  gtk_window_close (GTK_WINDOW (models));
}

static gboolean
renders_default (gpointer data)
{
  gboolean want_default = GPOINTER_TO_INT (data);

  return editor_ready (NULL) &&
         (mean_difference (fixture.default_render,
                           soundstyle_renderer_get_texture (soundstyle_window_get_renderer (fixture.window))) == 0.0)
         == want_default;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
not_listed (gpointer data)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));

  return !soundstyle_models_window_lists (models, data);
}

/* The dialog's button labelled label, as a person finds it */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
click_response (GtkWidget  *dialog,
                const char *label)
{
  GtkWidget *button = find_button (dialog, label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_model_delete (void)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));
  g_autoptr(GSettings) settings = soundstyle_settings_new ();
  g_autofree char *stem = g_strndup (fixture.finetuned, strlen (fixture.finetuned) - strlen (".safetensors"));
  g_autofree char *card = g_strconcat (stem, ".md", NULL);
  g_autofree char *dir = soundstyle_models_dir ();
  g_autofree char *other = g_build_filename (dir, "sunny.safetensors", NULL);
  g_autofree char *active = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  /* The bundled default has no delete button, and the folder refuses it */
  g_assert_true (soundstyle_models_window_lists (models, fixture.model));
  g_assert_null (soundstyle_models_window_delete (models, fixture.model));
  g_assert_false (soundstyle_models_delete (fixture.model, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("the default refused: %s", error->message);
  g_assert_true (g_file_test (fixture.model, G_FILE_TEST_IS_REGULAR));

  /* The fine-tuned model (it has a card) becomes the active one */
  g_assert_true (g_file_test (card, G_FILE_TEST_IS_REGULAR));
  g_assert_true (soundstyle_models_window_choose (models, fixture.finetuned));
  gui_test_wait_until (renders_default, GINT_TO_POINTER (FALSE), "a render with the fine-tuned model");

  /* Its delete button asks first; Cancel keeps everything */
  dialog = soundstyle_models_window_delete (models, fixture.finetuned);
  g_assert_nonnull (dialog);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_true (gtk_widget_get_visible (dialog));
  g_assert_true (g_file_test (fixture.finetuned, G_FILE_TEST_IS_REGULAR));
  gui_test_screenshot (dialog, "26-models-delete-asks.png");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  click_response (dialog, "_Cancel");
  gui_test_wait_until (is_null, &dialog, "the dialog to close after Cancel");
  g_assert_true (g_file_test (fixture.finetuned, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (card, G_FILE_TEST_IS_REGULAR));
  g_assert_true (soundstyle_models_window_lists (models, fixture.finetuned));
  active = g_settings_get_string (settings, "active-model");
  g_assert_cmpstr (active, ==, fixture.finetuned);
  g_clear_pointer (&active, g_free);

  /* Delete: the file, its card and its row go, and the window goes back
   * to the default model */
  dialog = soundstyle_models_window_delete (models, fixture.finetuned);
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  click_response (dialog, "_Delete");
  gui_test_wait_until (is_null, &dialog, "the dialog to close after Delete");
  g_assert_false (g_file_test (fixture.finetuned, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (card, G_FILE_TEST_EXISTS));
  gui_test_wait_until (not_listed, fixture.finetuned, "the deleted model's row to go");
  active = g_settings_get_string (settings, "active-model");
  g_assert_cmpstr (active, ==, "");
  gui_test_wait_until (renders_default, GINT_TO_POINTER (TRUE), "a render with the default model again");

  /* The other models stay */
  g_assert_true (soundstyle_models_window_lists (models, fixture.model));
  g_assert_true (soundstyle_models_window_lists (models, other));
  g_assert_true (g_file_test (other, G_FILE_TEST_IS_REGULAR));
  gui_test_screenshot (GTK_WIDGET (models), "27-models-after-delete.png");
  gtk_window_close (GTK_WINDOW (models));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_autofree char *data_home = NULL;

  /* Before anything asks GLib for the data folder: it keeps the first answer */
  fixture.dir = test_make_tmpdir ("soundstyle-test-models");
  data_home = g_build_filename (fixture.dir, "data-home", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_user_data_dir (), ==, data_home);
  adw_init ();
  setup ();

  g_test_add_func ("/soundstyle/models/finetune-run", test_finetune_run);
  g_test_add_func ("/soundstyle/models/finetune-killed", test_finetune_killed);
  g_test_add_func ("/soundstyle/models/list", test_model_list);
  g_test_add_func ("/soundstyle/models/delete", test_model_delete);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_object (&fixture.default_render);
  g_clear_object (&fixture.app);
  test_rm_rf (fixture.dir);
  return status;
}
