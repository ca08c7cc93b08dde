/* soundstyle-canvas-private.h: what the canvas's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "soundstyle-canvas.h"

G_BEGIN_DECLS

typedef enum
{
  DRAG_NONE,
  DRAG_DIVIDER,
  DRAG_PAN,
  DRAG_PAINT,
} DragMode;

struct _SoundstyleCanvas
{
  GtkWidget   parent_instance;

  GdkTexture *before;
  GdkTexture *after;
  double      divider;
  double      zoom;
  double      pan_x;
  double      pan_y;
  GdkTexture *overlay;
  gboolean    painting;
  double      brush_size;     /* diameter, share of the photo's long side */
  gboolean    pointer_inside;
  double      pointer_x;
  double      pointer_y;

  /* Gestures */
  DragMode    drag_mode;
  double      drag_start_x;
  double      drag_start_y;
  double      drag_start_pan_x;
  double      drag_start_pan_y;
  double      pinch_start_zoom;

  /* The photo's long side on screen, in device pixels */
  int         display_size;
};

enum {
  PAINT_BEGIN,
  PAINT_UPDATE,
  PAINT_END,
  N_SIGNALS
};

extern guint soundstyle_canvas_signals[N_SIGNALS];

/* --- geometry (soundstyle-canvas.c) --------------------------------------- */

GdkTexture *soundstyle_canvas_reference_texture (SoundstyleCanvas *self);
gboolean soundstyle_canvas_photo_rect (SoundstyleCanvas *self,
                                       graphene_rect_t  *rect);
void soundstyle_canvas_update_display_size (SoundstyleCanvas *self);
void soundstyle_canvas_clamp_pan (SoundstyleCanvas *self);
double soundstyle_canvas_divider_x (SoundstyleCanvas      *self,
                                    const graphene_rect_t *rect);
void soundstyle_canvas_zoom_around (SoundstyleCanvas *self,
                                    double            zoom,
                                    double            x,
                                    double            y);
void soundstyle_canvas_set_divider_from_x (SoundstyleCanvas *self,
                                           double            x);
void soundstyle_canvas_emit_paint (SoundstyleCanvas *self,
                                   guint             signal,
                                   double            x,
                                   double            y);

/* --- gestures (soundstyle-canvas-gestures.c) ------------------------------- */

void soundstyle_canvas_gestures_init (SoundstyleCanvas *self);

/* --- drawing (soundstyle-canvas-draw.c) ------------------------------------ */

void soundstyle_canvas_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot);
void soundstyle_canvas_size_allocate (GtkWidget *widget,
                                      int        width,
                                      int        height,
                                      int        baseline);
GtkSizeRequestMode soundstyle_canvas_get_request_mode (GtkWidget *widget);
void soundstyle_canvas_measure (GtkWidget      *widget,
                                GtkOrientation  orientation,
                                int             for_size,
                                int            *minimum,
                                int            *natural,
                                int            *minimum_baseline,
                                int            *natural_baseline);

G_END_DECLS
