/* test-finetune-videos.c: fine-tuning on a folder of videos, in the window
 *
 * SPDX-License-Identifier: MIT
 *
 * A folder of three 4-s videos with a soundtrack (made by the engine's own
 * writer) is chosen as the training data, as the dialog's folder chooser
 * does. Start runs the real `soundstyle prepare` and then the real
 * `soundstyle train --json` as children of the window: the preparing stage
 * shows its progress, training follows, its progress arrives, and the
 * finished model joins the model list with a card. Everything is checked
 * from what the job reported on the way, never by catching a state while
 * it lasts, so a fast and a slow machine see the same test.
 * $XDG_DATA_HOME is a scratch folder, so the user's own models are safe.
 */
#define G_LOG_DOMAIN "test-finetune-videos"

#include "config.h"

#include <string.h>

#include "gui-test-util.h"
#include "soundstyle-application.h"
#include "soundstyle-finetune-window.h"
#include "soundstyle-models.h"
#include "soundstyle-models-window.h"
#include "soundstyle-window.h"
#include "test-util.h"

#define N_VIDEOS 3

static struct
{
  char                     *dir;
  char                     *model;
  char                     *videos;
  SoundstyleApplication    *app;
  SoundstyleWindow         *window;
  SoundstyleFinetuneWindow *finetune;
} fixture;

/* What the job said, in order, as it said it */
typedef struct
{
  GPtrArray *states;            /* SoundstyleJobState, as pointers */
  GPtrArray *prepare_messages;  /* distinct messages while preparing */
  double     prepare_fraction;  /* the largest seen */
  guint      n_training_changes;
} JobLog;

static void
on_job_changed (SoundstyleFinetuneJob *job,
                JobLog                *log)
{
  SoundstyleJobState state = soundstyle_finetune_job_get_state (job);
  const char *message = soundstyle_finetune_job_get_message (job);

  if (log->states->len == 0 ||
      GPOINTER_TO_INT (g_ptr_array_index (log->states, log->states->len - 1)) != (int) state)
    g_ptr_array_add (log->states, GINT_TO_POINTER (state));

  if (state == SOUNDSTYLE_JOB_PREPARING)
    {
      const char *last = log->prepare_messages->len > 0
        ? g_ptr_array_index (log->prepare_messages, log->prepare_messages->len - 1) : NULL;

      log->prepare_fraction = MAX (log->prepare_fraction, soundstyle_finetune_job_get_prepare_fraction (job));
      if (message != NULL && g_strcmp0 (message, last) != 0)
        g_ptr_array_add (log->prepare_messages, g_strdup (message));
    }
  else if (state == SOUNDSTYLE_JOB_TRAINING)
    log->n_training_changes++;
}

static gboolean
job_ended (gpointer data)
{
  SoundstyleFinetuneJob *job = soundstyle_finetune_window_get_job (fixture.finetune);

  return job != NULL && !soundstyle_finetune_job_is_running (job);
}

static gboolean
window_settled (gpointer data)
{
  return g_strcmp0 (soundstyle_window_get_page (fixture.window), "loading") != 0;
}

static gboolean
models_lists (gpointer data)
{
  SoundstyleModelsWindow *models = SOUNDSTYLE_MODELS_WINDOW (soundstyle_window_show_models (fixture.window));

  return soundstyle_models_window_lists (models, data);
}

static gboolean
saw_state (JobLog             *log,
           SoundstyleJobState  state,
           guint              *index)
{
  for (guint i = 0; i < log->states->len; i++)
    if (GPOINTER_TO_INT (g_ptr_array_index (log->states, i)) == (int) state)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

static void
test_finetune_videos (void)
{
  g_autoptr(GFile) chosen = g_file_new_for_path (fixture.videos);
  g_autofree char *manifest = NULL;
  JobLog log = {
    .states = g_ptr_array_new (),
    .prepare_messages = g_ptr_array_new_with_free_func (g_free),
    .prepare_fraction = -1,
  };
  SoundstyleFinetuneJob *job;
  const char *output;
  guint preparing_at = G_MAXUINT, training_at = G_MAXUINT;

  fixture.finetune = SOUNDSTYLE_FINETUNE_WINDOW (soundstyle_window_show_finetune (fixture.window));

  /* What the folder chooser's callback does with the chosen folder */
  g_assert_true (soundstyle_finetune_window_choose_data (fixture.finetune, chosen));
  soundstyle_finetune_window_set_name (fixture.finetune, "walks");
  g_assert_true (soundstyle_finetune_window_set_start (fixture.finetune, fixture.model));
  /* Tiny frames, a checkpoint and a sample every step */
  soundstyle_finetune_window_set_schedule (fixture.finetune, 2, 0);
  soundstyle_finetune_window_set_advanced (fixture.finetune, 32, 2, 1, 1);
  gui_test_screenshot (GTK_WIDGET (fixture.finetune), "30-finetune-videos-setup.png");

  g_assert_true (soundstyle_finetune_window_start (fixture.finetune));
  job = soundstyle_finetune_window_get_job (fixture.finetune);
  /* start() has set the first state already; the rest comes from the loop */
  on_job_changed (job, &log);
  g_signal_connect (job, "changed", G_CALLBACK (on_job_changed), &log);
  output = soundstyle_finetune_job_get_output (job);

  gui_test_wait_until (job_ended, NULL, "preparing and training to end");
  g_test_message ("ended: %s", soundstyle_finetune_job_get_message (job));
  for (guint i = 0; i < log.prepare_messages->len; i++)
    g_test_message ("while preparing: %s", (const char *) g_ptr_array_index (log.prepare_messages, i));
  g_assert_cmpint (soundstyle_finetune_job_get_state (job), ==, SOUNDSTYLE_JOB_FINISHED);

  /* Preparing came first and showed progress: one line per video, the
   * last one at 100 % */
  g_assert_true (saw_state (&log, SOUNDSTYLE_JOB_PREPARING, &preparing_at));
  g_assert_true (saw_state (&log, SOUNDSTYLE_JOB_TRAINING, &training_at));
  g_assert_cmpuint (preparing_at, ==, 0);
  g_assert_cmpuint (training_at, >, preparing_at);
  g_assert_cmpfloat (log.prepare_fraction, ==, 1.0);
  g_assert_cmpuint (log.prepare_messages->len, ==, 1 + N_VIDEOS);
  g_assert_cmpstr (g_ptr_array_index (log.prepare_messages, 0), ==, "Preparing the videos…");
  g_assert_true (g_str_has_prefix (g_ptr_array_index (log.prepare_messages, N_VIDEOS),
                                   "Preparing the videos: 3 of 3 done"));
  manifest = g_build_filename (g_getenv ("XDG_DATA_HOME"), "soundstyle", "training", "walks",
                               "prepared", "manifest.tsv", NULL);
  g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));

  /* Training ran to its end, and its progress arrived on the way */
  g_test_message ("trained %" G_GINT64_FORMAT " steps; %u progress updates",
                  soundstyle_finetune_job_get_step (job), log.n_training_changes);
  g_assert_cmpint (soundstyle_finetune_job_get_total_steps (job), >, 0);
  g_assert_cmpint (soundstyle_finetune_job_get_step (job), ==, soundstyle_finetune_job_get_total_steps (job));
  g_assert_cmpuint (soundstyle_finetune_job_get_losses (job)->len, ==,
                    (guint) soundstyle_finetune_job_get_total_steps (job));
  g_assert_cmpuint (soundstyle_loss_plot_get_n_points (soundstyle_finetune_window_get_plot (fixture.finetune)),
                    ==, soundstyle_finetune_job_get_losses (job)->len);
  g_assert_cmpuint (log.n_training_changes, >, soundstyle_finetune_job_get_losses (job)->len);
  g_assert_true (soundstyle_finetune_window_has_sample (fixture.finetune));
  gui_test_screenshot (GTK_WIDGET (fixture.finetune), "31-finetune-videos-finished.png");

  /* The model joins the list, its card naming the videos' folder */
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
  gui_test_wait_until (models_lists, (gpointer) output, "the model trained on videos in the list");
  {
    g_autoptr(SoundstyleModelCard) card = soundstyle_model_card_read (output);

    g_assert_null (card->error);
    g_assert_cmpint (card->steps, ==, soundstyle_finetune_job_get_step (job));
    g_assert_nonnull (card->card_text);
    g_test_message ("card: %s", card->card_text);
    g_assert_nonnull (strstr (card->card_text, fixture.videos));
  }
  gui_test_screenshot (soundstyle_window_show_models (fixture.window), "32-models-with-videos-model.png");

  g_signal_handlers_disconnect_by_data (job, &log);
  g_ptr_array_unref (log.states);
  g_ptr_array_unref (log.prepare_messages);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset = test_make_tiny_dataset (fixture.dir, 4, 32);

  /* The starting model: a tiny one, two steps */
  fixture.model = g_build_filename (fixture.dir, "base.safetensors", NULL);
  gui_test_train_model (dataset, fixture.model, 2, "5");
  g_setenv ("SOUNDSTYLE_MODEL", fixture.model, TRUE);

  /* Three 64 x 64 videos of 4 s with a tone soundtrack: one 3-s clip each */
  fixture.videos = g_build_filename (fixture.dir, "my videos", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture.videos, 0755), ==, 0);
  for (int i = 0; i < N_VIDEOS; i++)
    {
      g_autofree char *name = g_strdup_printf ("walk-%d.mp4", i + 1);
      g_autofree char *path = g_build_filename (fixture.videos, name, NULL);

      test_write_video (path, 64, 64, 10, 4.0, 16000, 1, -1.0);
    }

  fixture.app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (fixture.app), NULL, &error);
  g_assert_no_error (error);
  fixture.window = soundstyle_window_new (fixture.app);
  gtk_window_set_default_size (GTK_WINDOW (fixture.window), 1000, 680);
  gtk_window_present (GTK_WINDOW (fixture.window));
  gui_test_wait_until (window_settled, NULL, "the window to load its model");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = NULL;
  int status;

  /* Before anything asks GLib for the data folder: it keeps the first answer */
  fixture.dir = test_make_tmpdir ("soundstyle-test-finetune-videos");
  data_home = g_build_filename (fixture.dir, "data-home", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  g_assert_cmpstr (g_get_user_data_dir (), ==, data_home);
  adw_init ();
  setup ();

  g_test_add_func ("/soundstyle/finetune/videos", test_finetune_videos);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_object (&fixture.app);
  test_rm_rf (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.model);
  g_free (fixture.videos);
  return status;
}
