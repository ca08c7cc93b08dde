/* soundstyle-video-view.h: a video restyled by its own soundtrack
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "adis.h"
#include "soundstyle-video-export.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_VIDEO_VIEW (soundstyle_video_view_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleVideoView, soundstyle_video_view, SOUNDSTYLE, VIDEO_VIEW, GtkBox)

/* The paper's Figure 9 as a tool: scrub to a frame, and see it restyled by
 * the 3-s window of the video's own soundtrack centred on it, at the chosen
 * volume; export the whole clip through `soundstyle video` in a child
 * process, with its progress. Properties: "time" and "gain" (read-write),
 * "duration", "texture" (the restyled frame), "busy" (a frame rendering),
 * "exporting", "export-fraction" (0..1). Signals "failed" (a sentence
 * that says what went wrong) and "notice" (how an export ended). */
GtkWidget   *soundstyle_video_view_new             (void);

/* model_path is what the export's child process loads */
void         soundstyle_video_view_set_model       (SoundstyleVideoView  *self,
                                                    AdisModel            *model,
                                                    const char           *model_path);
gboolean     soundstyle_video_view_load            (SoundstyleVideoView  *self,
                                                    const char           *path,
                                                    GError              **error);
double       soundstyle_video_view_get_duration    (SoundstyleVideoView  *self);
void         soundstyle_video_view_set_time        (SoundstyleVideoView  *self,
                                                    double                seconds);
void         soundstyle_video_view_set_gain        (SoundstyleVideoView  *self,
                                                    double                gain);
GdkTexture  *soundstyle_video_view_get_texture     (SoundstyleVideoView  *self);
gboolean     soundstyle_video_view_get_busy        (SoundstyleVideoView  *self);

/* The exported video's long side (default 512) */
void         soundstyle_video_view_set_export_size (SoundstyleVideoView  *self,
                                                    int                   long_side);
/* Runs `soundstyle video` for the whole clip at the current gain */
void         soundstyle_video_view_export          (SoundstyleVideoView  *self,
                                                    const char           *output);
/* Stops it; the output is not written */
void         soundstyle_video_view_cancel_export   (SoundstyleVideoView  *self);
/* The latest export (NULL before the first) */
SoundstyleVideoExport *soundstyle_video_view_get_export (SoundstyleVideoView *self);
gboolean     soundstyle_video_view_get_exporting   (SoundstyleVideoView  *self);
double       soundstyle_video_view_get_export_fraction (SoundstyleVideoView *self);

/* A window holding a view of the video at path */
GtkWindow   *soundstyle_video_view_open_window     (GtkWindow            *parent,
                                                    AdisModel            *model,
                                                    const char           *model_path,
                                                    const char           *path,
                                                    GError              **error);

G_END_DECLS
