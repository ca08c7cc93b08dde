/* soundstyle-renderer.h: restyles the photo off the main thread, latest wins
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "adis.h"

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_RENDERER (soundstyle_renderer_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleRenderer, soundstyle_renderer, SOUNDSTYLE, RENDERER, GObject)

SoundstyleRenderer *soundstyle_renderer_new             (void);

/* Inputs; each change starts a light preview at once and a full render when
 * the inputs rest. A missing sound counts as silence; with neither sound,
 * nor photo, nor model there is nothing to render. */
void                soundstyle_renderer_set_model       (SoundstyleRenderer   *self,
                                                         AdisModel            *model);
AdisModel          *soundstyle_renderer_get_model       (SoundstyleRenderer   *self);
void                soundstyle_renderer_set_photo       (SoundstyleRenderer   *self,
                                                         AdisImage            *photo);
void                soundstyle_renderer_set_sounds      (SoundstyleRenderer   *self,
                                                         AdisSound            *a,
                                                         double                gain_a,
                                                         AdisSound            *b,
                                                         double                gain_b,
                                                         double                mix);
/* Where the style applies (the region brush): results, previews and
 * exports alike, are the original outside it; NULL restyles everywhere */
void                soundstyle_renderer_set_mask        (SoundstyleRenderer   *self,
                                                         AdisMask             *mask);
AdisMask           *soundstyle_renderer_get_mask        (SoundstyleRenderer   *self);
void                soundstyle_renderer_set_sizes       (SoundstyleRenderer   *self,
                                                         int                   preview_size,
                                                         int                   render_size);
/* Live mode: inputs that change many times a second, each shown at the
 * preview size; no full render follows, and "busy" ends with each preview */
void                soundstyle_renderer_set_live        (SoundstyleRenderer   *self,
                                                         gboolean              live);

/* The latest result: a preview or the full render */
/* The photo's long side on the canvas, in device pixels: a grid-head model
 * restyles at this size (0: unknown, the preview size then) */
void                soundstyle_renderer_set_display_size (SoundstyleRenderer  *self,
                                                          int                  display_size);
int                 soundstyle_renderer_get_display_size (SoundstyleRenderer  *self);
/* The running export's share done, 0 to 1, or -1 when none runs
 * ("export-progress") */
double              soundstyle_renderer_get_export_progress (SoundstyleRenderer *self);
GdkTexture         *soundstyle_renderer_get_texture     (SoundstyleRenderer   *self);
AdisImage          *soundstyle_renderer_get_result      (SoundstyleRenderer   *self);
gboolean            soundstyle_renderer_get_is_preview  (SoundstyleRenderer   *self);
gboolean            soundstyle_renderer_get_busy        (SoundstyleRenderer   *self);
/* Wall time of the result's render in milliseconds */
double              soundstyle_renderer_get_render_time (SoundstyleRenderer   *self);

/* Renders the current inputs at the photo's full size and saves them
 * (PNG or JPEG by extension, atomically) */
void                soundstyle_renderer_export_async    (SoundstyleRenderer   *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean            soundstyle_renderer_export_finish   (SoundstyleRenderer   *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
