/* train-report.c: progress lines, JSON events and sample images for `train`
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adis-distributed.h"
#include "json-lines.h"
#include "train-report.h"

/* A terminal line is redrawn at most this often (seconds) */
#define REDRAW_INTERVAL 0.1
#define BAR_WIDTH       20

struct _TrainReport
{
  gboolean  json;
  gboolean  terminal;      /* stderr is a terminal: redraw one line in place */
  gboolean  line_drawn;    /* a progress line without its newline is on screen */
  int       log_every;
  char     *samples_dir;
  gint64    last_redraw;   /* monotonic µs */
  int       rank;          /* data parallel: only rank 0 reports */
  int       world_size;
  gboolean  quiet;         /* a rank other than 0 */
};

TrainReport *
train_report_new (gboolean    json,
                  int         log_every,
                  const char *samples_dir)
{
  TrainReport *report = g_new0 (TrainReport, 1);

  report->json = json;
  report->terminal = !json && isatty (STDERR_FILENO);
  report->log_every = MAX (log_every, 1);
  report->samples_dir = g_strdup (samples_dir);
  report->world_size = 1;

  return report;
}

void
train_report_set_rank (TrainReport *report,
                       int          rank,
                       int          world_size)
{
  report->rank = rank;
  report->world_size = world_size;
  report->quiet = rank != 0;
  report->terminal = report->terminal && !report->quiet;
}

void
train_report_free (TrainReport *report)
{
  if (report == NULL)
    return;

  g_free (report->samples_dir);
  g_free (report);
}

/* --- people --------------------------------------------------------------- */

static void
end_progress_line (TrainReport *report)
{
  if (report->line_drawn)
    {
      fputc ('\n', stderr);
      report->line_drawn = FALSE;
    }
}

static char *
format_duration (double seconds)
{
  gint64 s;

  if (!isfinite (seconds) || seconds < 0)
    return g_strdup ("?");

  s = (gint64) (seconds + 0.5);
  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

static char *
format_progress (const AdisTrainProgress *p)
{
  g_autofree char *eta = format_duration (p->eta_seconds);
  g_autofree char *oracle = p->loss_oracle > 0 ? g_strdup_printf ("  L1 %.3f", p->loss_oracle)
                                               : g_strdup ("");
  g_autofree char *streaks = p->loss_streaks > 0 ? g_strdup_printf ("  streaks %.3f", p->loss_streaks)
                                                 : g_strdup ("");

  return g_strdup_printf ("step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                          " epoch %d/%d  D %.3f  G %.3f  NCE %.3f/%.3f%s%s  %.1f img/s  ETA %s",
                          p->step, p->total_steps, p->epoch + 1, p->total_epochs,
                          p->loss_d, p->loss_g_gan, p->loss_nce, p->loss_nce_y, oracle, streaks,
                          p->images_per_second, eta);
}

static void
draw_bar (TrainReport             *report,
          const AdisTrainProgress *p)
{
  g_autofree char *text = format_progress (p);
  double fraction = p->total_steps > 0 ? (double) p->step / (double) p->total_steps : 0.0;
  int filled = (int) (CLAMP (fraction, 0.0, 1.0) * BAR_WIDTH);
  char bar[BAR_WIDTH + 1];

  memset (bar, '#', filled);
  memset (bar + filled, '-', BAR_WIDTH - filled);
  bar[BAR_WIDTH] = '\0';

  /* \r and erase-line: the whole status stays on one line */
  fprintf (stderr, "\r\033[K[%s] %3d%%  %s", bar, (int) (fraction * 100.0), text);
  fflush (stderr);
  report->line_drawn = TRUE;
}

/* --- events --------------------------------------------------------------- */

gboolean
train_report_prepare_samples (TrainReport  *report,
                              GError      **error)
{
  g_return_val_if_fail (report != NULL, FALSE);

  if (report->samples_dir == NULL)
    return TRUE;

  if (g_mkdir_with_parents (report->samples_dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "cannot make the samples folder “%s”: %s",
                   report->samples_dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

void
train_report_start (TrainReport *report,
                    AdisTrainer *trainer,
                    AdisDataset *dataset,
                    const char  *output,
                    const char  *checkpoint,
                    gboolean     resumed,
                    gint64       max_steps)
{
  const AdisTrainOptions *options = adis_trainer_get_options (trainer);
  gint64 step = adis_trainer_get_step (trainer);
  gint64 total = adis_trainer_get_total_steps (trainer);
  g_autofree char *ranks = NULL;

  if (report->quiet)
    return;

  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("start");

      json_lines_add_string (builder, "dataset", adis_dataset_get_path (dataset));
      json_lines_add_int (builder, "items", adis_dataset_get_n_items (dataset));
      json_lines_add_string (builder, "preset", options->model.preset);
      json_lines_add_string (builder, "device", adis_trainer_get_device_name (trainer));
      json_lines_add_int (builder, "step", step);
      json_lines_add_int (builder, "total_steps", total);
      json_lines_add_int (builder, "max_steps", max_steps);
      json_lines_add_int (builder, "total_epochs", options->epochs_constant + options->epochs_decay);
      json_lines_add_int (builder, "batch_size", options->batch_size);
      json_lines_add_int (builder, "size", options->crop_size);
      json_lines_add_string (builder, "output", output);
      json_lines_add_string (builder, "checkpoint", checkpoint);
      json_lines_add_boolean (builder, "resumed", resumed);
      json_lines_add_int (builder, "world_size", report->world_size);
      if (adis_distributed_is_active ())
        json_lines_add_string (builder, "backend", adis_distributed_get_backend ());
      json_lines_emit (builder);
      return;
    }

  if (adis_distributed_is_active ())
    ranks = g_strdup_printf (" × %d ranks (%s)", report->world_size, adis_distributed_get_backend ());
  g_printerr ("%s a %s model on %s%s: %u items, step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
              " (epochs %d+%d, batch %d, crop %d)\n",
              resumed ? "Resuming" : "Training", options->model.preset,
              adis_trainer_get_device_name (trainer), ranks != NULL ? ranks : "",
              adis_dataset_get_n_items (dataset),
              step, total, options->epochs_constant, options->epochs_decay,
              options->batch_size, options->crop_size);
}

void
train_report_progress_cb (const AdisTrainProgress *p,
                          gpointer                 user_data)
{
  TrainReport *report = user_data;

  if (report->quiet)
    return;

  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("progress");

      json_lines_add_int (builder, "step", p->step);
      json_lines_add_int (builder, "total_steps", p->total_steps);
      json_lines_add_int (builder, "epoch", p->epoch);
      json_lines_add_int (builder, "total_epochs", p->total_epochs);
      json_lines_add_double (builder, "lr", p->lr);
      json_lines_add_double (builder, "loss_d", p->loss_d);
      json_lines_add_double (builder, "loss_g_gan", p->loss_g_gan);
      json_lines_add_double (builder, "loss_nce", p->loss_nce);
      json_lines_add_double (builder, "loss_nce_y", p->loss_nce_y);
      json_lines_add_double (builder, "loss_oracle", p->loss_oracle);
      json_lines_add_double (builder, "loss_streaks", p->loss_streaks);
      json_lines_add_double (builder, "loss_g_total", p->loss_g_total);
      json_lines_add_double (builder, "grad_norm_g", p->grad_norm_g);
      json_lines_add_double (builder, "grad_norm_d", p->grad_norm_d);
      json_lines_add_double (builder, "images_per_second", p->images_per_second);
      json_lines_add_double (builder, "eta_seconds", p->eta_seconds);
      json_lines_add_boolean (builder, "skipped", p->skipped);
      json_lines_emit (builder);
    }
  else if (p->skipped)
    /* Always said, whatever --log-every: a skipped step is news */
    g_printerr ("step %" G_GINT64_FORMAT ": the loss is not finite (NaN or infinite); "
                "this step's update was skipped\n", p->step);
  else if (report->terminal)
    {
      gint64 now = g_get_monotonic_time ();

      if (p->step == p->total_steps || now - report->last_redraw >= REDRAW_INTERVAL * G_USEC_PER_SEC)
        {
          report->last_redraw = now;
          draw_bar (report, p);
        }
    }
  else if (p->step % report->log_every == 0 || p->step == p->total_steps)
    {
      g_autofree char *text = format_progress (p);

      g_printerr ("%s\n", text);
    }
}

/* Source and result side by side, so one file shows what changed */
static AdisImage *
side_by_side (AdisImage *source,
              AdisImage *styled)
{
  g_autoptr(AdisImage) scaled = NULL;
  int w = adis_image_get_width (styled);
  int h = adis_image_get_height (styled);
  g_autofree float *planes = g_new (float, (gsize) 3 * h * w * 2);
  const float *a;
  const float *b = adis_image_get_planes (styled);

  scaled = adis_image_resize (source, w, h);
  a = adis_image_get_planes (scaled);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      {
        float *row = planes + ((gsize) c * h + y) * (2 * w);

        memcpy (row, a + ((gsize) c * h + y) * w, sizeof (float) * w);
        memcpy (row + w, b + ((gsize) c * h + y) * w, sizeof (float) * w);
      }

  return adis_image_new_from_planes (planes, 2 * w, h);
}

void
train_report_sample_cb (gint64     step,
                        AdisImage *source,
                        AdisImage *styled,
                        gpointer   user_data)
{
  TrainReport *report = user_data;
  /* The engine hands both images over (trainer.cpp keeps no reference) */
  g_autoptr(AdisImage) owned_source = source;
  g_autoptr(AdisImage) owned_styled = styled;
  g_autoptr(AdisImage) pair = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  if (report->samples_dir == NULL || styled == NULL || report->quiet)
    return;

  name = g_strdup_printf ("step-%08" G_GINT64_FORMAT ".png", step);
  path = g_build_filename (report->samples_dir, name, NULL);
  pair = source != NULL ? side_by_side (source, styled) : adis_image_ref (styled);

  /* A sample that cannot be written is not worth stopping training for */
  if (!adis_image_save (pair, path, &error))
    {
      g_autofree char *line = soundstyle_cli_one_line (error->message);

      end_progress_line (report);
      g_printerr ("soundstyle: warning: sample not written: %s\n", line);
      return;
    }

  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("sample");

      json_lines_add_int (builder, "step", step);
      json_lines_add_string (builder, "path", path);
      json_lines_emit (builder);
    }
}

void
train_report_checkpoint (TrainReport *report,
                         gint64       step,
                         const char  *path)
{
  if (report->quiet)
    return;

  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("checkpoint");

      json_lines_add_int (builder, "step", step);
      json_lines_add_string (builder, "path", path);
      json_lines_emit (builder);
      return;
    }

  end_progress_line (report);
  g_printerr ("Checkpoint at step %" G_GINT64_FORMAT ": %s\n", step, path);
}

void
train_report_interrupted (TrainReport *report,
                          gint64       step,
                          gint64       total_steps,
                          const char  *checkpoint,
                          const char  *resume_command)
{
  if (report->quiet)
    return;

  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("interrupted");

      json_lines_add_int (builder, "step", step);
      json_lines_add_int (builder, "total_steps", total_steps);
      json_lines_add_string (builder, "checkpoint", checkpoint);
      json_lines_add_string (builder, "resume", resume_command);
      json_lines_emit (builder);
    }

  end_progress_line (report);
  g_printerr ("soundstyle: interrupted at step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
              "; checkpoint written to %s; resume with: %s\n",
              step, total_steps, checkpoint, resume_command);
}

void
train_report_done (TrainReport *report,
                   gint64       step,
                   gint64       total_steps,
                   const char  *model,
                   const char  *resume_command)
{
  double seconds;
  guint64 bytes;
  guint64 steps;

  if (report->quiet)
    return;

  /* What averaging the gradients cost: scaling figures for a job */
  adis_distributed_get_stats (&seconds, &bytes, &steps);
  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("done");

      json_lines_add_string (builder, "model", model);
      json_lines_add_int (builder, "step", step);
      json_lines_add_int (builder, "total_steps", total_steps);
      if (resume_command != NULL)
        json_lines_add_string (builder, "resume", resume_command);
      if (steps > 0)
        {
          json_lines_add_double (builder, "allreduce_seconds_per_step", seconds / steps);
          json_lines_add_int (builder, "allreduce_bytes_per_step", (gint64) (bytes / steps));
        }
      json_lines_emit (builder);
      return;
    }

  end_progress_line (report);
  if (steps > 0)
    g_printerr ("Averaging gradients over %d ranks: %.1f ms and %.2f MB per step\n",
                report->world_size, 1e3 * seconds / steps, bytes / (double) steps / 1e6);
  if (resume_command != NULL)
    g_printerr ("Wrote %s after %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                " steps; go on with: %s\n", model, step, total_steps, resume_command);
  else
    g_printerr ("Wrote %s after %" G_GINT64_FORMAT " steps\n", model, step);
}

int
train_report_fail (TrainReport  *report,
                   const GError *error)
{
  g_autoptr(GError) ranked = NULL;

  /* The launcher interleaves every rank's stderr */
  if (report->world_size > 1)
    {
      ranked = g_error_copy (error);
      g_prefix_error (&ranked, "rank %d of %d: ", report->rank, report->world_size);
      error = ranked;
      if (report->quiet)
        return soundstyle_cli_report_error (error);
    }

  if (report->json)
    {
      g_autoptr(JsonBuilder) builder = json_lines_begin ("error");
      g_autofree char *line = soundstyle_cli_one_line (error->message);

      json_lines_add_string (builder, "message", line);
      json_lines_emit (builder);
    }

  end_progress_line (report);
  return soundstyle_cli_report_error (error);
}
