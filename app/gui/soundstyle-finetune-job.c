/* soundstyle-finetune-job.c: `soundstyle train --json` as a child process
 *
 * SPDX-License-Identifier: MIT
 *
 * soundstyle-child-lines.c reads the child's lines and says when it has
 * ended, after its last JSON line (done, error).
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "soundstyle-child-lines.h"
#include "soundstyle-finetune-job.h"
#include "soundstyle-types.h"

/* `soundstyle train` exits with this when SIGINT or SIGTERM stopped it */
#define EXIT_CANCELLED 130
/* `soundstyle prepare` exits with this when some videos were skipped */
#define EXIT_USAGE 2

static const char *video_suffixes[] = {
  ".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".ogv", ".mpg", ".mpeg", NULL
};

struct _SoundstyleFinetuneJob
{
  GObject             parent_instance;

  /* What to do */
  char               *data_folder;
  SoundstyleDataKind  kind;
  char               *output;
  char               *work_dir;
  char               *checkpoint;
  char               *samples_dir;
  char               *prepared_dir;
  char               *init_model;
  char               *preset;
  char               *device;
  int                 epochs;
  gint64              max_steps;
  int                 size;
  int                 batch;
  int                 checkpoint_every;
  int                 sample_every;

  /* How it goes */
  SoundstyleJobState  state;
  GSubprocess        *child;
  GCancellable       *cancellable;
  gboolean            stop_requested;
  gboolean            preparing;       /* the child is prepare, not train */
  gboolean            got_done;
  gboolean            done_resumable;
  char               *error_event;     /* the trainer's own "error" message */
  char               *message;
  char               *sample;
  gint64              step;
  gint64              first_step;
  gint64              total_steps;
  double              eta;
  double              prepare_fraction; /* share of the videos' clips done, < 0: unknown */
  GArray             *losses;
};

G_DEFINE_FINAL_TYPE (SoundstyleFinetuneJob, soundstyle_finetune_job, G_TYPE_OBJECT)

enum { CHANGED, LOSS, SAMPLE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_training (SoundstyleFinetuneJob *self, gboolean resume);

/* --- finding things ---------------------------------------------------------- */

static gboolean
has_video_suffix (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; video_suffixes[i] != NULL; i++)
    if (g_str_has_suffix (lower, video_suffixes[i]))
      return TRUE;
  return FALSE;
}

static GPtrArray *
list_videos (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  GPtrArray *videos = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && has_video_suffix (name))
      g_ptr_array_add (videos, g_build_filename (folder, name, NULL));
  g_ptr_array_sort (videos, (GCompareFunc) g_strcmp0);
  return videos;
}

gboolean
soundstyle_detect_training_data (const char          *folder,
                                 SoundstyleDataKind  *out_kind,
                                 GError             **error)
{
  g_autofree char *manifest = g_build_filename (folder, "manifest.tsv", NULL);
  g_autofree char *images = g_build_filename (folder, "images", NULL);
  g_autofree char *clips = g_build_filename (folder, "clips", NULL);
  g_autofree char *base = g_path_get_basename (folder);
  g_autoptr(GPtrArray) videos = NULL;

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, _("“%s” is not a folder"), base);
      return FALSE;
    }
  if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
    {
      *out_kind = SOUNDSTYLE_DATA_PREPARED;
      return TRUE;
    }
  if (g_file_test (images, G_FILE_TEST_IS_DIR) && g_file_test (clips, G_FILE_TEST_IS_DIR))
    {
      *out_kind = SOUNDSTYLE_DATA_PAIRS;
      return TRUE;
    }
  videos = list_videos (folder);
  if (videos->len > 0)
    {
      *out_kind = SOUNDSTYLE_DATA_VIDEOS;
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("“%s” holds no training data: a manifest.tsv, images and clips folders, or videos"),
               base);
  return FALSE;
}

static gboolean
is_program (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

char *
soundstyle_find_cli (void)
{
  const char *env = g_getenv ("SOUNDSTYLE_BIN");
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = self_path != NULL ? g_path_get_dirname (self_path) : NULL;
  g_autofree char *beside = NULL;
  g_autofree char *in_build = NULL;
  g_autofree char *installed = g_build_filename (SOUNDSTYLE_BINDIR, "soundstyle", NULL);

  if (env != NULL && env[0] != '\0' && is_program (env))
    return g_strdup (env);

  if (self_dir != NULL)
    {
      /* Installed side by side, or build/app/gui next to build/app/cli */
      beside = g_build_filename (self_dir, "soundstyle", NULL);
      if (is_program (beside))
        return g_steal_pointer (&beside);
      in_build = g_build_filename (self_dir, "..", "cli", "soundstyle", NULL);
      if (is_program (in_build))
        return g_canonicalize_filename (in_build, NULL);
    }

  if (is_program (installed))
    return g_steal_pointer (&installed);

  return g_find_program_in_path ("soundstyle");
}

/* --- state ------------------------------------------------------------------- */

static void
set_state (SoundstyleFinetuneJob *self,
           SoundstyleJobState     state,
           const char            *message)
{
  self->state = state;
  if (message != NULL)
    soundstyle_set_str (&self->message, message);
  g_signal_emit (self, signals[CHANGED], 0);
}

char *
soundstyle_format_duration (double seconds)
{
  int s = (int) (seconds + 0.5);

  if (s >= 3600)
    return g_strdup_printf (_("%d h %02d min"), s / 3600, s / 60 % 60);
  if (s >= 60)
    return g_strdup_printf (_("%d min %02d s"), s / 60, s % 60);
  return g_strdup_printf (_("%d s"), s);
}

static void
update_progress_message (SoundstyleFinetuneJob *self)
{
  g_autofree char *text = NULL;

  if (self->eta >= 0 && self->step < self->total_steps)
    {
      g_autofree char *eta = soundstyle_format_duration (self->eta);

      /* Translators: "Step 12 of 400, about 3 min 10 s left" */
      text = g_strdup_printf (_("Step %d of %d, about %s left"),
                              (int) self->step, (int) self->total_steps, eta);
    }
  else
    text = g_strdup_printf (_("Step %d of %d"), (int) self->step, (int) self->total_steps);
  soundstyle_set_str (&self->message, text);
}

/* --- the trainer's JSON lines -------------------------------------------------- */

static double
get_double (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  return json_node_get_double (node);
}

static void
handle_event (SoundstyleFinetuneJob *self,
              JsonObject            *event)
{
  const char *name = json_object_get_string_member_with_default (event, "event", "");

  if (g_str_equal (name, "start"))
    {
      self->first_step = self->step = json_object_get_int_member_with_default (event, "step", 0);
      self->total_steps = json_object_get_int_member_with_default (event, "total_steps", 0);
      self->eta = -1;
      update_progress_message (self);
      g_signal_emit (self, signals[CHANGED], 0);
    }
  else if (g_str_equal (name, "progress"))
    {
      SoundstyleLossPoint point = {
        .step = json_object_get_int_member_with_default (event, "step", 0),
        .loss_d = get_double (event, "loss_d"),
        .loss_g_gan = get_double (event, "loss_g_gan"),
        .loss_nce = get_double (event, "loss_nce"),
        .loss_nce_y = get_double (event, "loss_nce_y"),
      };
      double eta = get_double (event, "eta_seconds");

      self->step = point.step;
      self->total_steps = json_object_get_int_member_with_default (event, "total_steps", self->total_steps);
      self->eta = isnan (eta) ? -1 : eta;
      g_array_append_val (self->losses, point);
      if (self->state == SOUNDSTYLE_JOB_TRAINING)
        update_progress_message (self);
      g_signal_emit (self, signals[LOSS], 0, &g_array_index (self->losses, SoundstyleLossPoint,
                                                             self->losses->len - 1));
      g_signal_emit (self, signals[CHANGED], 0);
    }
  else if (g_str_equal (name, "sample"))
    {
      soundstyle_set_str (&self->sample, json_object_get_string_member_with_default (event, "path", NULL));
      g_signal_emit (self, signals[SAMPLE], 0, self->sample);
    }
  else if (g_str_equal (name, "done"))
    {
      self->got_done = TRUE;
      self->done_resumable = json_object_has_member (event, "resume");
      self->step = json_object_get_int_member_with_default (event, "step", self->step);
    }
  else if (g_str_equal (name, "interrupted"))
    self->step = json_object_get_int_member_with_default (event, "step", self->step);
  else if (g_str_equal (name, "error"))
    soundstyle_set_str (&self->error_event, json_object_get_string_member_with_default (event, "message", NULL));
}

static void
handle_line (SoundstyleFinetuneJob *self,
             const char            *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (line[0] == '\0')
    return;
  if (!json_parser_load_from_data (parser, line, -1, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("trainer: not a JSON event: %s", line);
      return;
    }
  handle_event (self, json_node_get_object (json_parser_get_root (parser)));
}

/* --- prepare's progress -------------------------------------------------------- */

/* Without a terminal, `soundstyle prepare` writes one line per finished
 * video (app/cli/prepare-progress.c):
 *   video 2/3 /path/walk.mp4: 1 of 1 clips kept (67% done, ETA 4s)
 * Such a line becomes the fraction and a translated sentence; any other
 * line (a video that cannot be read) is shown as it is. */
static gboolean
handle_prepare_line (SoundstyleFinetuneJob *self,
                     const char            *line)
{
  g_autoptr(GRegex) regex = g_regex_new ("^video (\\d+)/(\\d+) .*\\((\\d+)% done, ETA ([^)]+)\\)$",
                                         0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *percent = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *text = NULL;

  if (!g_regex_match (regex, line, 0, &match))
    return FALSE;
  done = g_match_info_fetch (match, 1);
  total = g_match_info_fetch (match, 2);
  percent = g_match_info_fetch (match, 3);
  eta = g_match_info_fetch (match, 4);
  self->prepare_fraction = CLAMP (g_ascii_strtod (percent, NULL) / 100.0, 0.0, 1.0);
  /* The command line says "?" until it has something to go by */
  if (g_str_equal (eta, "?"))
    /* Translators: "Preparing the videos: 1 of 3 done" */
    text = g_strdup_printf (_("Preparing the videos: %s of %s done"), done, total);
  else
    /* Translators: "Preparing the videos: 2 of 3 done, about 4s left"; the
     * time comes from the command line as it is ("4s", "3m05s") */
    text = g_strdup_printf (_("Preparing the videos: %s of %s done, about %s left"), done, total, eta);
  set_state (self, SOUNDSTYLE_JOB_PREPARING, text);
  return TRUE;
}

/* --- the child --------------------------------------------------------------- */

static void
on_child_line (const char *line,
               gboolean    from_stdout,
               gpointer    user_data)
{
  SoundstyleFinetuneJob *self = user_data;

  if (from_stdout)
    handle_line (self, line);
  else if (self->state == SOUNDSTYLE_JOB_PREPARING && !handle_prepare_line (self, line))
    set_state (self, self->state, line);
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
      set_state (self, SOUNDSTYLE_JOB_STOPPED, _("Stopped while preparing the videos"));
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
    set_state (self, SOUNDSTYLE_JOB_FAILED, message);
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
      set_state (self, SOUNDSTYLE_JOB_FINISHED, message);
      return;
    }
  if (exited && status == EXIT_CANCELLED)
    {
      message = g_strdup_printf (self->stop_requested
                                   ? _("Stopped at step %d; resume goes on from there")
                                   : _("The trainer was stopped from outside at step %d; "
                                       "resume goes on from there"),
                                 (int) self->step);
      set_state (self, SOUNDSTYLE_JOB_STOPPED, message);
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
    set_state (self, SOUNDSTYLE_JOB_FAILED, message);
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

  set_state (self, SOUNDSTYLE_JOB_FAILED, message);
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
      set_state (self, SOUNDSTYLE_JOB_FAILED, _("The soundstyle command is not installed"));
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
  set_state (self, SOUNDSTYLE_JOB_TRAINING, resume ? _("Resuming…") : _("Starting…"));
}

static void
start_prepare (SoundstyleFinetuneJob *self)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) videos = list_videos (self->data_folder);
  g_autofree char *cli = soundstyle_find_cli ();
  g_autoptr(GError) error = NULL;

  if (cli == NULL)
    {
      set_state (self, SOUNDSTYLE_JOB_FAILED, _("The soundstyle command is not installed"));
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
  set_state (self, SOUNDSTYLE_JOB_PREPARING, _("Preparing the videos…"));
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
  set_state (self, SOUNDSTYLE_JOB_STOPPING, _("Stopping after the current step…"));
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

/* --- GObject ----------------------------------------------------------------- */

static void
soundstyle_finetune_job_dispose (GObject *object)
{
  SoundstyleFinetuneJob *self = SOUNDSTYLE_FINETUNE_JOB (object);

  /* A job nobody watches stops, keeping its checkpoint */
  if (soundstyle_finetune_job_is_running (self))
    g_subprocess_send_signal (self->child, SIGTERM);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->child);

  G_OBJECT_CLASS (soundstyle_finetune_job_parent_class)->dispose (object);
}

static void
soundstyle_finetune_job_finalize (GObject *object)
{
  SoundstyleFinetuneJob *self = SOUNDSTYLE_FINETUNE_JOB (object);

  g_clear_object (&self->cancellable);
  g_free (self->data_folder);
  g_free (self->output);
  g_free (self->work_dir);
  g_free (self->checkpoint);
  g_free (self->samples_dir);
  g_free (self->prepared_dir);
  g_free (self->init_model);
  g_free (self->preset);
  g_free (self->device);
  g_free (self->error_event);
  g_free (self->message);
  g_free (self->sample);
  g_array_unref (self->losses);

  G_OBJECT_CLASS (soundstyle_finetune_job_parent_class)->finalize (object);
}

static void
soundstyle_finetune_job_class_init (SoundstyleFinetuneJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = soundstyle_finetune_job_dispose;
  object_class->finalize = soundstyle_finetune_job_finalize;

  /* State, step, message or ETA changed */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A progress event's losses: const SoundstyleLossPoint * */
  signals[LOSS] = g_signal_new ("loss", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* A sample image was written: its path */
  signals[SAMPLE] = g_signal_new ("sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
soundstyle_finetune_job_init (SoundstyleFinetuneJob *self)
{
  self->cancellable = g_cancellable_new ();
  self->losses = g_array_new (FALSE, FALSE, sizeof (SoundstyleLossPoint));
  self->preset = g_strdup ("tiny");
  self->device = g_strdup ("auto");
  self->epochs = 10;
  self->size = 256;
  self->batch = 8;
  self->checkpoint_every = 200;
  self->sample_every = 50;
  self->eta = -1;
  self->prepare_fraction = -1;
}

SoundstyleFinetuneJob *
soundstyle_finetune_job_new (const char         *data_folder,
                             SoundstyleDataKind  kind,
                             const char         *output,
                             const char         *work_dir)
{
  SoundstyleFinetuneJob *self = g_object_new (SOUNDSTYLE_TYPE_FINETUNE_JOB, NULL);
  g_autofree char *base = g_path_get_basename (output);

  self->data_folder = g_strdup (data_folder);
  self->kind = kind;
  self->output = g_strdup (output);
  self->work_dir = g_strdup (work_dir);
  self->checkpoint = g_build_filename (work_dir, "training.ckpt", NULL);
  self->samples_dir = g_build_filename (work_dir, "samples", NULL);
  self->prepared_dir = g_build_filename (work_dir, "prepared", NULL);
  return self;
}

/* --- options and getters ------------------------------------------------------- */

void
soundstyle_finetune_job_set_init_model (SoundstyleFinetuneJob *self,
                                        const char            *init_model)
{
  soundstyle_set_str (&self->init_model, init_model);
}

void
soundstyle_finetune_job_set_preset (SoundstyleFinetuneJob *self,
                                    const char            *preset)
{
  soundstyle_set_str (&self->preset, preset);
}

void
soundstyle_finetune_job_set_epochs (SoundstyleFinetuneJob *self,
                                    int                    epochs)
{
  self->epochs = MAX (epochs, 1);
}

void
soundstyle_finetune_job_set_max_steps (SoundstyleFinetuneJob *self,
                                       gint64                 max_steps)
{
  self->max_steps = MAX (max_steps, 0);
}

void
soundstyle_finetune_job_set_size (SoundstyleFinetuneJob *self,
                                  int                    size)
{
  self->size = size;
}

void
soundstyle_finetune_job_set_batch (SoundstyleFinetuneJob *self,
                                   int                    batch)
{
  self->batch = MAX (batch, 1);
}

void
soundstyle_finetune_job_set_device (SoundstyleFinetuneJob *self,
                                    const char            *device)
{
  soundstyle_set_str (&self->device, device);
}

void
soundstyle_finetune_job_set_intervals (SoundstyleFinetuneJob *self,
                                       int                    checkpoint_every,
                                       int                    sample_every)
{
  self->checkpoint_every = MAX (checkpoint_every, 0);
  self->sample_every = MAX (sample_every, 1);
}

SoundstyleJobState
soundstyle_finetune_job_get_state (SoundstyleFinetuneJob *self)
{
  return self->state;
}

gboolean
soundstyle_finetune_job_is_running (SoundstyleFinetuneJob *self)
{
  return self->state == SOUNDSTYLE_JOB_PREPARING || self->state == SOUNDSTYLE_JOB_TRAINING ||
         self->state == SOUNDSTYLE_JOB_STOPPING;
}

gint64
soundstyle_finetune_job_get_step (SoundstyleFinetuneJob *self)
{
  return self->step;
}

gint64
soundstyle_finetune_job_get_total_steps (SoundstyleFinetuneJob *self)
{
  return self->total_steps;
}

gint64
soundstyle_finetune_job_get_first_step (SoundstyleFinetuneJob *self)
{
  return self->first_step;
}

double
soundstyle_finetune_job_get_eta (SoundstyleFinetuneJob *self)
{
  return self->eta;
}

double
soundstyle_finetune_job_get_prepare_fraction (SoundstyleFinetuneJob *self)
{
  return self->prepare_fraction;
}

const char *
soundstyle_finetune_job_get_message (SoundstyleFinetuneJob *self)
{
  return self->message;
}

const char *
soundstyle_finetune_job_get_output (SoundstyleFinetuneJob *self)
{
  return self->output;
}

const char *
soundstyle_finetune_job_get_sample (SoundstyleFinetuneJob *self)
{
  return self->sample;
}

GArray *
soundstyle_finetune_job_get_losses (SoundstyleFinetuneJob *self)
{
  return self->losses;
}

const char *
soundstyle_finetune_job_get_child_id (SoundstyleFinetuneJob *self)
{
  if (!soundstyle_finetune_job_is_running (self) || self->child == NULL)
    return NULL;
  return g_subprocess_get_identifier (self->child);
}
