/* soundstyle-canvas.h: the photo before and after, with a divider to drag
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_CANVAS (soundstyle_canvas_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleCanvas, soundstyle_canvas, SOUNDSTYLE, CANVAS, GtkWidget)

#define SOUNDSTYLE_CANVAS_MAX_ZOOM 8.0

GtkWidget  *soundstyle_canvas_new         (void);

GdkTexture *soundstyle_canvas_get_before  (SoundstyleCanvas *self);
void        soundstyle_canvas_set_before  (SoundstyleCanvas *self,
                                           GdkTexture       *texture);
GdkTexture *soundstyle_canvas_get_after   (SoundstyleCanvas *self);
void        soundstyle_canvas_set_after   (SoundstyleCanvas *self,
                                           GdkTexture       *texture);

/* Where the divider sits, 0 (all after) to 1 (all before) across the photo */
double      soundstyle_canvas_get_divider (SoundstyleCanvas *self);
void        soundstyle_canvas_set_divider (SoundstyleCanvas *self,
                                           double            divider);

/* 1 fits the photo in the widget; up to SOUNDSTYLE_CANVAS_MAX_ZOOM */
double      soundstyle_canvas_get_zoom    (SoundstyleCanvas *self);
/* The photo's long side as shown, in device pixels (0: no photo) */
int         soundstyle_canvas_get_display_size (SoundstyleCanvas *self);
void        soundstyle_canvas_set_zoom    (SoundstyleCanvas *self,
                                           double            zoom);

/* The region brush: a texture drawn over the whole photo (the mask), and
 * painting mode, in which a drag emits ::paint-begin (x, y),
 * ::paint-update (x, y) and ::paint-end in the photo's pixels instead of
 * moving the divider; brush-size (a share of the long side) sizes the
 * circle drawn at the pointer */
void        soundstyle_canvas_set_overlay (SoundstyleCanvas *self,
                                           GdkTexture       *texture);
gboolean    soundstyle_canvas_get_painting (SoundstyleCanvas *self);
void        soundstyle_canvas_set_painting (SoundstyleCanvas *self,
                                            gboolean          painting);
/* A point of the widget in the photo's pixels; FALSE without a photo */
gboolean    soundstyle_canvas_widget_to_photo (SoundstyleCanvas *self,
                                               double            x,
                                               double            y,
                                               double           *photo_x,
                                               double           *photo_y);

G_END_DECLS
