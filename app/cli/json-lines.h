/* json-lines.h: one JSON object per line on stdout, for programs that follow
 * a long command (`soundstyle train --json`, `soundstyle video --json`)
 *
 * SPDX-License-Identifier: MIT
 *
 * Each event is an object whose "event" member names it; the line is
 * flushed at once, so a reader (the window's fine-tuning and export jobs)
 * sees it while the command runs.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* An open object with "event": event; add members, then json_lines_emit() */
JsonBuilder *json_lines_begin       (const char  *event);
void         json_lines_add_int     (JsonBuilder *builder,
                                     const char  *name,
                                     gint64       value);
/* JSON has no NaN or infinity: those become null, never a broken line */
void         json_lines_add_double  (JsonBuilder *builder,
                                     const char  *name,
                                     double       value);
/* NULL becomes null */
void         json_lines_add_string  (JsonBuilder *builder,
                                     const char  *name,
                                     const char  *value);
void         json_lines_add_boolean (JsonBuilder *builder,
                                     const char  *name,
                                     gboolean     value);
/* Closes the object and writes it as one line on stdout, flushed; the
 * builder stays the caller's */
void         json_lines_emit        (JsonBuilder *builder);

G_END_DECLS
