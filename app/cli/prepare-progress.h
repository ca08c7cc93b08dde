/* prepare-progress.h: what `soundstyle prepare` shows while it works
 *
 * SPDX-License-Identifier: MIT
 *
 * On a terminal, one bar redrawn in place with the ETA; otherwise (a log, a
 * pipe) one plain line per finished video. Both on stderr.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PrepareProgress PrepareProgress;

/* total_clips: the clips the run expects to make, for the ETA */
PrepareProgress *prepare_progress_new         (guint             n_videos,
                                               guint             total_clips);
void             prepare_progress_free        (PrepareProgress  *progress);

void             prepare_progress_start_video (PrepareProgress  *progress,
                                               const char       *name,
                                               guint             index);
void             prepare_progress_update      (PrepareProgress  *progress,
                                               const char       *name,
                                               guint             clip,
                                               guint             n_clips);
void             prepare_progress_video_done  (PrepareProgress  *progress,
                                               const char       *name,
                                               guint             n_made,
                                               guint             n_clips);
/* Wipes the bar so that a message can be printed */
void             prepare_progress_clear       (PrepareProgress  *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PrepareProgress, prepare_progress_free)

G_END_DECLS
