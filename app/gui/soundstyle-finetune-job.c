/* soundstyle-finetune-job.c: `soundstyle train --json` as a child process
 *
 * SPDX-License-Identifier: MIT
 *
 * soundstyle-child-lines.c reads the child's lines and says when it has
 * ended, after its last JSON line (done, error). Here: what the child's
 * lines say, turned into the job's state, and the GObject; the child
 * processes are in soundstyle-finetune-process.c, the data folder and the
 * command in soundstyle-finetune-data.c.
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

#include "soundstyle-finetune-job-private.h"
#include "soundstyle-types.h"

G_DEFINE_FINAL_TYPE (SoundstyleFinetuneJob, soundstyle_finetune_job, G_TYPE_OBJECT)

enum { CHANGED, LOSS, SAMPLE, N_SIGNALS };
static guint signals[N_SIGNALS];

/* --- state ------------------------------------------------------------------- */

void
soundstyle_finetune_job_set_state (SoundstyleFinetuneJob *self,
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

void
soundstyle_finetune_job_handle_line (SoundstyleFinetuneJob *self,
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
gboolean
soundstyle_finetune_job_handle_prepare_line (SoundstyleFinetuneJob *self,
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
  soundstyle_finetune_job_set_state (self, SOUNDSTYLE_JOB_PREPARING, text);
  return TRUE;
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
