/* soundstyle-finetune-process.c: the fine-tune job's child processes:
 * `soundstyle prepare` for a folder of videos, then `soundstyle train
 * --json`, started, stopped, resumed, and how each ended
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "soundstyle-child-lines.h"
#include "soundstyle-finetune-job-private.h"
#include "soundstyle-types.h"

/* `soundstyle train` exits with this when SIGINT or SIGTERM stopped it */
#define EXIT_CANCELLED 130
/* `soundstyle prepare` exits with this when some videos were skipped */
#define EXIT_USAGE 2
static void start_training (SoundstyleFinetuneJob *self, gboolean resume);
/* --- the child --------------------------------------------------------------- */

static void
on_child_line (const char *line,
               gboolean    from_stdout,
               gpointer    user_data)
{
  SoundstyleFinetuneJob *self = user_data;

  if (from_stdout)
    soundstyle_finetune_job_handle_line (self, line);
  else if (self->state == SOUNDSTYLE_JOB_PREPARING && !soundstyle_finetune_job_handle_prepare_line (self, line))
    soundstyle_finetune_job_set_state (self, self->state, line);
}

static void on_child_ended (GSubprocess *child, const char *how, const char *last_stderr,
                            gpointer user_data);

static gboolean
spawn (SoundstyleFinetuneJob  *self,
       GPtrArray              *argv,
       GError                **error)
{
  g_ptr_array_add (argv, NULL);
  g_clear_object (&self->child);
  self->child = soundstyle_child_lines_spawn ((const char * const *) argv->pdata, self->cancellable,
                                              on_child_line, on_child_ended, self, error);
  if (self->child == NULL)
    return FALSE;

  /* Known again from the run's "start" event */
  self->total_steps = 0;
  self->eta = -1;
  self->stop_requested = FALSE;
  self->got_done = FALSE;
  self->done_resumable = FALSE;
  g_clear_pointer (&self->error_event, g_free);
  return TRUE;
}

static void
prepare_ended (SoundstyleFinetuneJob *self,
               const char            *how,
               const char            *last_stderr)
{
  gboolean exited = g_subprocess_get_if_exited (self->child);
  int status = exited ? g_subprocess_get_exit_status (self->child) : -1;
  g_autofree char *manifest = g_build_filename (self->prepared_dir, "manifest.tsv", NULL);

  if (self->stop_requested)
    {
      /* prepare resumes by itself: finished videos are not redone */
      soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_STOPPED, _("Stopped while preparing the videos"));
      return;
    }
  /* Status 2: some videos were skipped, the others are ready */
  if ((status == 0 || status == EXIT_USAGE) && g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
    {
      start_training (self, FALSE);
      return;
    }

  {
    g_autofree char *message =
      g_strdup_printf (_("Preparing the videos failed (%s): %s"), how,
                       last_stderr != NULL ? last_stderr : _("no message"));
    soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_FAILED, message);
  }
}

static void
training_ended (SoundstyleFinetuneJob *self,
                const char            *how,
                const char            *last_stderr)
{
  gboolean exited = g_subprocess_get_if_exited (self->child);
  int status = exited ? g_subprocess_get_exit_status (self->child) : -1;
  g_autofree char *message = NULL;

  if (exited && status == 0 && self->got_done)
    {
      g_autofree char *base = g_path_get_basename (self->output);

      message = g_strdup_printf (_("Finished after %d steps: “%s” is in your models"),
                                 (int) self->step, base);
      soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_FINISHED, message);
      return;
    }
  if (exited && status == EXIT_CANCELLED)
    {
      message = g_strdup_printf (self->stop_requested
                                   ? _("Stopped at step %d; resume goes on from there")
                                   : _("The trainer was stopped from outside at step %d; "
                                       "resume goes on from there"),
                                 (int) self->step);
      soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_STOPPED, message);
      return;
    }

  /* Anything else is a failure that the window survives and names */
  {
    const char *why = self->error_event != NULL ? self->error_event : last_stderr;

    if (why != NULL)
      message = g_strdup_printf (_("The trainer stopped unexpectedly at step %d, %s: %s"),
                                 (int) self->step, how, why);
    else
      message = g_strdup_printf (_("The trainer stopped unexpectedly at step %d, %s"),
                                 (int) self->step, how);
    soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_FAILED, message);
  }
}

static void
on_child_ended (GSubprocess *child,
                const char  *how,
                const char  *last_stderr,
                gpointer     user_data)
{
  SoundstyleFinetuneJob *self = user_data;

  if (self->preparing)
    prepare_ended (self, how, last_stderr);
  else
    training_ended (self, how, last_stderr);
}

/* --- starting ---------------------------------------------------------------- */

static const char *
training_folder (SoundstyleFinetuneJob *self)
{
  return self->kind == SOUNDSTYLE_DATA_VIDEOS ? self->prepared_dir : self->data_folder;
}

static void
add_arg (GPtrArray  *argv,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
add_arg (GPtrArray  *argv,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (argv, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
fail_to_start (SoundstyleFinetuneJob *self,
               const char            *what,
               GError                *error)
{
  g_autofree char *message = g_strdup_printf (_("Cannot start %s: %s"), what, error->message);

  soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_FAILED, message);
}

static void
start_training (SoundstyleFinetuneJob *self,
                gboolean               resume)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cli = soundstyle_find_cli ();
  g_autoptr(GError) error = NULL;
  gint64 max_steps = self->max_steps;

  if (cli == NULL)
    {
      soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_FAILED, _("The soundstyle command is not installed"));
      return;
    }

  g_ptr_array_add (argv, g_steal_pointer (&cli));
  add_arg (argv, "train");
  add_arg (argv, "%s", training_folder (self));
  add_arg (argv, "--json");
  add_arg (argv, "--output=%s", self->output);
  add_arg (argv, "--checkpoint=%s", self->checkpoint);
  add_arg (argv, "--checkpoint-every=%d", self->checkpoint_every);
  add_arg (argv, "--samples=%s", self->samples_dir);
  add_arg (argv, "--sample-every=%d", self->sample_every);
  add_arg (argv, "--device=%s", self->device);
  if (resume)
    {
      add_arg (argv, "--resume=%s", self->checkpoint);
      /* A step limit counts over the whole job, not per run */
      if (max_steps > 0)
        max_steps = MAX (1, max_steps - self->step);
    }
  else
    {
      /* A starting model's preset must be named too: it fixes the shapes */
      add_arg (argv, "--preset=%s", self->preset);
      if (self->init_model != NULL)
        add_arg (argv, "--init-model=%s", self->init_model);
      add_arg (argv, "--epochs=%d+%d", (self->epochs + 1) / 2, self->epochs / 2);
      add_arg (argv, "--size=%d", self->size);
      add_arg (argv, "--batch=%d", self->batch);
    }
  if (max_steps > 0)
    add_arg (argv, "--max-steps=%" G_GINT64_FORMAT, max_steps);

  if (!spawn (self, argv, &error))
    {
      fail_to_start (self, _("training"), error);
      return;
    }
  self->preparing = FALSE;
  soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_TRAINING, resume ? _("Resuming…") : _("Starting…"));
}

static void
start_prepare (SoundstyleFinetuneJob *self)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) videos = soundstyle_finetune_list_videos (self->data_folder);
  g_autofree char *cli = soundstyle_find_cli ();
  g_autoptr(GError) error = NULL;

  if (cli == NULL)
    {
      soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_FAILED, _("The soundstyle command is not installed"));
      return;
    }

  g_ptr_array_add (argv, g_steal_pointer (&cli));
  add_arg (argv, "prepare");
  for (guint i = 0; i < videos->len; i++)
    add_arg (argv, "%s", (const char *) g_ptr_array_index (videos, i));
  add_arg (argv, "--output=%s", self->prepared_dir);
  /* Frames a little larger than the training crop */
  add_arg (argv, "--size=%d", MAX (self->size, 2 * self->size - self->size / 2));

  if (!spawn (self, argv, &error))
    {
      fail_to_start (self, _("preparing the videos"), error);
      return;
    }
  self->preparing = TRUE;
  self->prepare_fraction = -1;
  soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_PREPARING, _("Preparing the videos…"));
}

gboolean
soundstyle_finetune_job_start (SoundstyleFinetuneJob  *self,
                               GError                **error)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_JOB (self), FALSE);
  g_return_val_if_fail (!soundstyle_finetune_job_is_running (self), FALSE);

  if (g_mkdir_with_parents (self->work_dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot make the folder “%s”: %s"),
                   self->work_dir, g_strerror (errno));
      return FALSE;
    }
  /* A new run does not resume an old one's checkpoint */
  g_unlink (self->checkpoint);
  g_array_set_size (self->losses, 0);
  self->step = self->first_step = self->total_steps = 0;

  if (self->kind == SOUNDSTYLE_DATA_VIDEOS)
    start_prepare (self);
  else
    start_training (self, FALSE);
  return self->state != SOUNDSTYLE_JOB_FAILED;
}

void
soundstyle_finetune_job_stop (SoundstyleFinetuneJob *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_FINETUNE_JOB (self));

  if (!soundstyle_finetune_job_is_running (self) || self->state == SOUNDSTYLE_JOB_STOPPING)
    return;
  self->stop_requested = TRUE;
  g_subprocess_send_signal (self->child, SIGTERM);
  soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_STOPPING, _("Stopping after the current step…"));
}

gboolean
soundstyle_finetune_job_can_resume (SoundstyleFinetuneJob *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_JOB (self), FALSE);

  if (self->state == SOUNDSTYLE_JOB_FINISHED)
    return self->done_resumable && g_file_test (self->checkpoint, G_FILE_TEST_IS_REGULAR);
  return (self->state == SOUNDSTYLE_JOB_STOPPED || self->state == SOUNDSTYLE_JOB_FAILED) &&
         g_file_test (self->checkpoint, G_FILE_TEST_IS_REGULAR);
}

gboolean
soundstyle_finetune_job_resume (SoundstyleFinetuneJob  *self,
                                GError                **error)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_FINETUNE_JOB (self), FALSE);

  if (!soundstyle_finetune_job_can_resume (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no checkpoint to resume from"));
      return FALSE;
    }
  start_training (self, TRUE);
  return self->state != SOUNDSTYLE_JOB_FAILED;
}
