/* soundstyle-child-lines.c: a child process's output, line by line
 *
 * SPDX-License-Identifier: MIT
 *
 * Three things end a run: stdout reaching its end, stderr too, and the
 * exit status. The watch waits for all three before it says how the run
 * ended, so the child's last line is never lost to a race with the exit.
 * The video export and the fine-tuning job both run the command line so:
 * a crash in the child ends the run, never the window.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-child-lines.h"

typedef struct
{
  GSubprocess              *child;
  GCancellable             *cancellable;
  SoundstyleChildLineFunc   on_line;
  SoundstyleChildEndedFunc  on_ended;
  GObject                  *owner;
  char                     *last_stderr;
  guint                     pending;     /* stdout, stderr and the exit */
} ChildWatch;

/* One pipe being read */
typedef struct
{
  ChildWatch       *watch;
  GDataInputStream *stream;
  gboolean          from_stdout;
} PipeReader;

/* "killed by signal 9 (Killed)" or "exit status 1" */
static char *
describe_exit (GSubprocess *child)
{
  if (g_subprocess_get_if_signaled (child))
    {
      int sig = g_subprocess_get_term_sig (child);

      return g_strdup_printf (_("killed by signal %d (%s)"), sig, g_strsignal (sig));
    }
  return g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (child));
}

static void
child_part_done (ChildWatch *watch)
{
  g_return_if_fail (watch->pending > 0);

  if (--watch->pending > 0)
    return;

  /* A cancelled watch (its owner disposed) says nothing more */
  if (!g_cancellable_is_cancelled (watch->cancellable))
    {
      g_autofree char *how = describe_exit (watch->child);

      watch->on_ended (watch->child, how, watch->last_stderr, watch->owner);
    }
  g_object_unref (watch->child);
  g_clear_object (&watch->cancellable);
  g_object_unref (watch->owner);
  g_free (watch->last_stderr);
  g_free (watch);
}

static void read_next_line (PipeReader *reader);

static void
on_line_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PipeReader *reader = user_data;
  ChildWatch *watch = reader->watch;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (reader->stream, result, NULL, &error);

  /* The end of the stream, a cancelled watch, or output that is not text */
  if (line == NULL || g_cancellable_is_cancelled (watch->cancellable))
    {
      g_object_unref (reader->stream);
      g_free (reader);
      child_part_done (watch);
      return;
    }

  if (reader->from_stdout)
    {
      if (line[0] != '\0')
        watch->on_line (line, TRUE, watch->owner);
    }
  else if (g_strstrip (line)[0] != '\0')
    {
      g_debug ("child: %s", line);
      g_free (watch->last_stderr);
      watch->last_stderr = g_strdup (line);
      watch->on_line (line, FALSE, watch->owner);
    }
  read_next_line (reader);
}

static void
read_next_line (PipeReader *reader)
{
  g_data_input_stream_read_line_async (reader->stream, G_PRIORITY_DEFAULT, reader->watch->cancellable,
                                       on_line_read, reader);
}

static void
read_lines (ChildWatch   *watch,
            GInputStream *pipe,
            gboolean      from_stdout)
{
  PipeReader *reader = g_new0 (PipeReader, 1);

  reader->watch = watch;
  reader->stream = g_data_input_stream_new (pipe);
  reader->from_stdout = from_stdout;
  read_next_line (reader);
}

static void
on_child_exited (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  /* A cancelled wait is noticed by child_part_done */
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  child_part_done (user_data);
}

GSubprocess *
soundstyle_child_lines_spawn (const char * const        *argv,
                              GCancellable              *cancellable,
                              SoundstyleChildLineFunc    on_line,
                              SoundstyleChildEndedFunc   on_ended,
                              gpointer                   owner,
                              GError                   **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *command = NULL;
  GSubprocess *child;
  ChildWatch *watch;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (on_line != NULL && on_ended != NULL, NULL);
  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);

  command = g_strjoinv (" ", (char **) argv);
  g_debug ("running: %s", command);
  /* The window wants the CPU more than the child does */
  g_subprocess_launcher_setenv (launcher, "OMP_WAIT_POLICY", "PASSIVE", FALSE);
  child = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (child == NULL)
    return NULL;

  watch = g_new0 (ChildWatch, 1);
  watch->child = g_object_ref (child);
  watch->cancellable = g_object_ref (cancellable);
  watch->on_line = on_line;
  watch->on_ended = on_ended;
  watch->owner = g_object_ref (owner);
  watch->pending = 3;
  read_lines (watch, g_subprocess_get_stdout_pipe (child), TRUE);
  read_lines (watch, g_subprocess_get_stderr_pipe (child), FALSE);
  g_subprocess_wait_async (child, cancellable, on_child_exited, watch);
  return child;
}
