/* job-events.h: what test-train-robust.c and test-distributed-jobs.c share:
 * a training job's --json lines, read back from its stdout file
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Every line of the file that is a JSON object, in order: a line that a
 * kill cut short, or one a launcher printed, is left out. No file: none. */
GPtrArray  *job_events_read   (const char *path);
/* The event's "event" member, or "" */
const char *job_event_name    (JsonObject *event);
/* The losses and gradient norms of a progress event, as a string that
 * compares exactly (every digit of every double) */
char       *job_event_losses  (JsonObject *event);
