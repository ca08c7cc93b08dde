/* soundstyle-child-lines.h: a child process's output, line by line
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One line the child wrote: stdout's as they are, stderr's stripped. Blank
 * lines are not delivered. */
typedef void (*SoundstyleChildLineFunc)  (const char  *line,
                                          gboolean     from_stdout,
                                          gpointer     owner);
/* The child has exited and both pipes are at their end. how: "exit
 * status 1" or "killed by signal 9 (Killed)", translated; last_stderr:
 * the last line on stderr, or NULL. */
typedef void (*SoundstyleChildEndedFunc) (GSubprocess *child,
                                          const char  *how,
                                          const char  *last_stderr,
                                          gpointer     owner);

/* Runs argv (NULL-terminated) with stdout and stderr piped and, on the main
 * loop, gives each line to on_line and then the end to on_ended, once. The
 * owner (a GObject) is kept alive until then. After cancellable is
 * cancelled neither is called again. NULL with error when it cannot start. */
GSubprocess *soundstyle_child_lines_spawn (const char * const        *argv,
                                           GCancellable              *cancellable,
                                           SoundstyleChildLineFunc    on_line,
                                           SoundstyleChildEndedFunc   on_ended,
                                           gpointer                   owner,
                                           GError                   **error);

G_END_DECLS
