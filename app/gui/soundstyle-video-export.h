/* soundstyle-video-export.h: `soundstyle video --json` as a child process
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  SOUNDSTYLE_EXPORT_IDLE,
  SOUNDSTYLE_EXPORT_RUNNING,
  SOUNDSTYLE_EXPORT_CANCELLING,  /* SIGTERM sent, the child finishing its partial file */
  SOUNDSTYLE_EXPORT_FINISHED,    /* the output is written */
  SOUNDSTYLE_EXPORT_CANCELLED,   /* by the user; the output is not written */
  SOUNDSTYLE_EXPORT_FAILED,      /* the message says why */
} SoundstyleExportState;

#define SOUNDSTYLE_TYPE_VIDEO_EXPORT (soundstyle_video_export_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleVideoExport, soundstyle_video_export, SOUNDSTYLE, VIDEO_EXPORT, GObject)

/* Restyles every frame of input by its own soundtrack at gain into output
 * (long side `size`), with the model at model_path. Signal "changed" after
 * each progress line and when the run ends. */
SoundstyleVideoExport *soundstyle_video_export_new         (const char             *input,
                                                            const char             *output,
                                                            const char             *model_path,
                                                            double                  gain,
                                                            int                     size);
gboolean               soundstyle_video_export_start       (SoundstyleVideoExport  *self,
                                                            GError                **error);
/* Asks the child to stop (it exits at its next frame) */
void                   soundstyle_video_export_cancel      (SoundstyleVideoExport  *self);

SoundstyleExportState  soundstyle_video_export_get_state   (SoundstyleVideoExport  *self);
gboolean               soundstyle_video_export_is_running  (SoundstyleVideoExport  *self);
/* 0..1 */
double                 soundstyle_video_export_get_fraction (SoundstyleVideoExport *self);
/* Frames written so far (at the end: the output's frame count) */
guint                  soundstyle_video_export_get_frames  (SoundstyleVideoExport  *self);
guint                  soundstyle_video_export_get_total_frames (SoundstyleVideoExport *self);
/* Where things stand, one sentence for people */
const char            *soundstyle_video_export_get_message (SoundstyleVideoExport  *self);
const char            *soundstyle_video_export_get_output  (SoundstyleVideoExport  *self);

G_END_DECLS
