/* soundstyle-video-export.c: `soundstyle video --json` as a child process
 *
 * SPDX-License-Identifier: MIT
 *
 * A child process, not a thread: a long export neither blocks the window
 * nor dies with a crash in it, and the command line already does the work
 * (smoothing, flicker, a playable file or none). soundstyle-child-lines.c
 * reads its lines and says when it has ended.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "soundstyle-child-lines.h"
#include "soundstyle-finetune-job.h"
#include "soundstyle-types.h"
#include "soundstyle-video-export.h"

/* `soundstyle video` exits with this when SIGINT or SIGTERM stopped it */
#define EXIT_CANCELLED 130

struct _SoundstyleVideoExport
{
  GObject                parent_instance;

  /* What to do */
  char                  *input;
  char                  *output;
  char                  *model_path;
  double                 gain;
  int                    size;

  /* How it goes */
  SoundstyleExportState  state;
  GSubprocess           *child;
  GCancellable          *cancellable;
  gboolean               got_done;
  guint                  frames;
  guint                  total_frames;
  double                 fraction;
  double                 eta;
  char                  *partial;        /* what an interrupted child kept */
  char                  *message;
};

G_DEFINE_FINAL_TYPE (SoundstyleVideoExport, soundstyle_video_export, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_state (SoundstyleVideoExport *self,
           SoundstyleExportState  state,
           const char            *message)
{
  self->state = state;
  if (message != NULL)
    soundstyle_set_str (&self->message, message);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* --- the child's JSON lines ------------------------------------------------ */

static void
update_progress_message (SoundstyleVideoExport *self)
{
  g_autofree char *text = NULL;

  if (self->eta >= 0 && self->frames < self->total_frames)
    {
      g_autofree char *eta = soundstyle_format_duration (self->eta);

      /* Translators: "Frame 12 of 90, about 1 min 10 s left" */
      text = g_strdup_printf (_("Frame %u of %u, about %s left"), self->frames, self->total_frames, eta);
    }
  else
    text = g_strdup_printf (_("Frame %u of %u"), self->frames, self->total_frames);
  soundstyle_set_str (&self->message, text);
}

static void
handle_event (SoundstyleVideoExport *self,
              JsonObject            *event)
{
  const char *name = json_object_get_string_member_with_default (event, "event", "");

  if (g_str_equal (name, "start"))
    {
      self->total_frames = (guint) json_object_get_int_member_with_default (event, "frames", 0);
      update_progress_message (self);
    }
  else if (g_str_equal (name, "progress"))
    {
      self->frames = (guint) json_object_get_int_member_with_default (event, "frame", self->frames);
      self->total_frames = (guint) json_object_get_int_member_with_default (event, "frames",
                                                                           self->total_frames);
      self->fraction = CLAMP (json_object_get_double_member_with_default (event, "fraction", 0.0), 0.0, 1.0);
      self->eta = json_object_get_double_member_with_default (event, "eta_s", -1.0);
      if (self->state == SOUNDSTYLE_EXPORT_RUNNING)
        update_progress_message (self);
    }
  else if (g_str_equal (name, "done"))
    {
      self->got_done = TRUE;
      self->frames = (guint) json_object_get_int_member_with_default (event, "frames", self->frames);
      self->fraction = 1.0;
    }
  else if (g_str_equal (name, "interrupted"))
    {
      self->frames = (guint) json_object_get_int_member_with_default (event, "frames", self->frames);
      soundstyle_set_str (&self->partial, json_object_get_string_member_with_default (event, "partial", NULL));
    }
  else
    return;
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A JSON event on stdout; what stderr says is only the end's reason */
static void
on_child_line (const char *line,
               gboolean    from_stdout,
               gpointer    user_data)
{
  SoundstyleVideoExport *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!from_stdout)
    return;
  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_debug ("video export: not a JSON event: %s", line);
      return;
    }
  handle_event (self, json_node_get_object (json_parser_get_root (parser)));
}

/* --- the end of a run ------------------------------------------------------ */

/* The command line's one-line error, without its "soundstyle: " */
static const char *
strip_program_name (const char *line)
{
  if (line != NULL && g_str_has_prefix (line, "soundstyle: "))
    line += strlen ("soundstyle: ");
  return line;
}

static void
on_child_ended (GSubprocess *child,
                const char  *how,
                const char  *last_stderr,
                gpointer     user_data)
{
  SoundstyleVideoExport *self = user_data;
  gboolean exited = g_subprocess_get_if_exited (child);
  int status = exited ? g_subprocess_get_exit_status (child) : -1;
  const char *why = strip_program_name (last_stderr);
  g_autofree char *name = g_path_get_basename (self->output);
  g_autofree char *message = NULL;

  if (exited && status == 0 && self->got_done)
    {
      message = g_strdup_printf (_("Exported “%s”: %u frames"), name, self->frames);
      set_state (self, SOUNDSTYLE_EXPORT_FINISHED, message);
      return;
    }
  if (self->state == SOUNDSTYLE_EXPORT_CANCELLING && exited && status == EXIT_CANCELLED)
    {
      /* The user asked for no video: what the child kept of it goes too */
      if (self->partial != NULL)
        g_unlink (self->partial);
      set_state (self, SOUNDSTYLE_EXPORT_CANCELLED, _("Export cancelled; nothing was saved"));
      return;
    }

  /* A signal is the reason even when the child said something before it */
  message = g_strdup_printf (_("The video could not be exported: %s"),
                             exited && why != NULL ? why : how);
  set_state (self, SOUNDSTYLE_EXPORT_FAILED, message);
}

/* --- GObject ---------------------------------------------------------------- */

static void
soundstyle_video_export_dispose (GObject *object)
{
  SoundstyleVideoExport *self = SOUNDSTYLE_VIDEO_EXPORT (object);

  /* A running child is left to finish: it writes its file whole or not at all */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->child);

  G_OBJECT_CLASS (soundstyle_video_export_parent_class)->dispose (object);
}

static void
soundstyle_video_export_finalize (GObject *object)
{
  SoundstyleVideoExport *self = SOUNDSTYLE_VIDEO_EXPORT (object);

  g_clear_object (&self->cancellable);
  g_free (self->input);
  g_free (self->output);
  g_free (self->model_path);
  g_free (self->partial);
  g_free (self->message);

  G_OBJECT_CLASS (soundstyle_video_export_parent_class)->finalize (object);
}

static void
soundstyle_video_export_class_init (SoundstyleVideoExportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = soundstyle_video_export_dispose;
  object_class->finalize = soundstyle_video_export_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
soundstyle_video_export_init (SoundstyleVideoExport *self)
{
  self->cancellable = g_cancellable_new ();
  self->eta = -1;
}

/* --- public API -------------------------------------------------------------- */

SoundstyleVideoExport *
soundstyle_video_export_new (const char *input,
                             const char *output,
                             const char *model_path,
                             double      gain,
                             int         size)
{
  SoundstyleVideoExport *self;

  g_return_val_if_fail (input != NULL && output != NULL && model_path != NULL, NULL);

  self = g_object_new (SOUNDSTYLE_TYPE_VIDEO_EXPORT, NULL);
  self->input = g_strdup (input);
  self->output = g_strdup (output);
  self->model_path = g_strdup (model_path);
  self->gain = gain;
  self->size = size;
  return self;
}

gboolean
soundstyle_video_export_start (SoundstyleVideoExport  *self,
                               GError                **error)
{
  g_autofree char *cli = soundstyle_find_cli ();
  g_autofree char *size = g_strdup_printf ("%d", self->size);
  char gain[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), FALSE);
  g_return_val_if_fail (self->state == SOUNDSTYLE_EXPORT_IDLE, FALSE);

  if (cli == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The soundstyle command is not installed, so videos cannot be exported"));
      return FALSE;
    }
  g_ascii_dtostr (gain, sizeof gain, self->gain);
  {
    const char *argv[] = { cli, "video", self->input, "--output", self->output, "--gain", gain,
                           "--size", size, "--model", self->model_path, "--json", NULL };

    self->child = soundstyle_child_lines_spawn (argv, self->cancellable, on_child_line,
                                                on_child_ended, self, error);
  }
  if (self->child == NULL)
    return FALSE;

  set_state (self, SOUNDSTYLE_EXPORT_RUNNING, _("Starting the export…"));
  return TRUE;
}

void
soundstyle_video_export_cancel (SoundstyleVideoExport *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self));

  if (self->state != SOUNDSTYLE_EXPORT_RUNNING)
    return;
  /* The command line stops at its next frame and exits with 130 */
  g_subprocess_send_signal (self->child, SIGTERM);
  set_state (self, SOUNDSTYLE_EXPORT_CANCELLING, _("Cancelling…"));
}

SoundstyleExportState
soundstyle_video_export_get_state (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), SOUNDSTYLE_EXPORT_IDLE);

  return self->state;
}

gboolean
soundstyle_video_export_is_running (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), FALSE);

  return self->state == SOUNDSTYLE_EXPORT_RUNNING || self->state == SOUNDSTYLE_EXPORT_CANCELLING;
}

double
soundstyle_video_export_get_fraction (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), 0.0);

  return self->fraction;
}

guint
soundstyle_video_export_get_frames (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), 0);

  return self->frames;
}

guint
soundstyle_video_export_get_total_frames (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), 0);

  return self->total_frames;
}

const char *
soundstyle_video_export_get_message (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), NULL);

  return self->message;
}

const char *
soundstyle_video_export_get_output (SoundstyleVideoExport *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_VIDEO_EXPORT (self), NULL);

  return self->output;
}
