/* soundstyle-canvas-draw.c: the canvas drawn: the photo before and after
 * the divider, its handle, and in painting mode the mask's overlay and the
 * brush; and its size
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-canvas"

#include "config.h"

#include <math.h>

#include "soundstyle-canvas-private.h"

#define HANDLE_RADIUS 16.0

/* --- drawing --------------------------------------------------------------- */

static void
append_handle (GtkSnapshot *snapshot,
               double       x,
               double       y)
{
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA grip = { 0.2, 0.2, 0.2, 0.8 };
  static const GdkRGBA shadow = { 0, 0, 0, 0.35 };
  GskRoundedRect circle;

  gsk_rounded_rect_init_from_rect (&circle,
                                   &GRAPHENE_RECT_INIT (x - HANDLE_RADIUS, y - HANDLE_RADIUS,
                                                        2 * HANDLE_RADIUS, 2 * HANDLE_RADIUS),
                                   HANDLE_RADIUS);
  gtk_snapshot_append_outset_shadow (snapshot, &circle, &shadow, 0, 1, 0, 4);
  gtk_snapshot_push_rounded_clip (snapshot, &circle);
  gtk_snapshot_append_color (snapshot, &white, &circle.bounds);
  gtk_snapshot_pop (snapshot);

  /* Two short bars say "drag me sideways" */
  gtk_snapshot_append_color (snapshot, &grip, &GRAPHENE_RECT_INIT (x - 5, y - 6, 2, 12));
  gtk_snapshot_append_color (snapshot, &grip, &GRAPHENE_RECT_INIT (x + 3, y - 6, 2, 12));
}

/* The mask over the whole photo, and while painting the brush's circle */
static void
append_painting (SoundstyleCanvas      *self,
                 GtkSnapshot           *snapshot,
                 const graphene_rect_t *rect)
{
  static const GdkRGBA ring = { 1, 1, 1, 0.9 };
  static const GdkRGBA ring_shadow = { 0, 0, 0, 0.5 };
  GdkTexture *texture = soundstyle_canvas_reference_texture (self);
  double radius;
  GskRoundedRect circle;
  graphene_rect_t bounds;

  if (self->overlay != NULL)
    gtk_snapshot_append_texture (snapshot, self->overlay, rect);

  if (!self->painting || !self->pointer_inside || texture == NULL)
    return;

  radius = self->brush_size / 2 * rect->size.width *
           MAX (gdk_texture_get_width (texture), gdk_texture_get_height (texture)) /
           gdk_texture_get_width (texture);
  radius = MAX (radius, 2.0);
  graphene_rect_init (&bounds, self->pointer_x - radius, self->pointer_y - radius, 2 * radius, 2 * radius);
  gsk_rounded_rect_init_from_rect (&circle, &bounds, radius);
  {
    const float widths[4] = { 3, 3, 3, 3 };
    const float thin[4] = { 1, 1, 1, 1 };
    const GdkRGBA shadows[4] = { ring_shadow, ring_shadow, ring_shadow, ring_shadow };
    const GdkRGBA rings[4] = { ring, ring, ring, ring };

    gtk_snapshot_append_border (snapshot, &circle, widths, shadows);
    gtk_snapshot_append_border (snapshot, &circle, thin, rings);
  }
}

void
soundstyle_canvas_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  SoundstyleCanvas *self = SOUNDSTYLE_CANVAS (widget);
  static const GdkRGBA line = { 1, 1, 1, 0.9 };
  static const GdkRGBA line_shadow = { 0, 0, 0, 0.3 };
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  graphene_rect_t rect;
  double x;

  if (!soundstyle_canvas_photo_rect (self, &rect))
    return;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->after == NULL)
    {
      gtk_snapshot_append_texture (snapshot, self->before, &rect);
      append_painting (self, snapshot, &rect);
      gtk_snapshot_pop (snapshot);
      return;
    }

  x = CLAMP (soundstyle_canvas_divider_x (self, &rect), 0, width);

  if (self->before != NULL && x > 0)
    {
      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, x, height));
      gtk_snapshot_append_texture (snapshot, self->before, &rect);
      gtk_snapshot_pop (snapshot);
    }
  if (x < width)
    {
      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (x, 0, width - x, height));
      gtk_snapshot_append_texture (snapshot, self->after, &rect);
      gtk_snapshot_pop (snapshot);
    }

  if (self->before != NULL)
    {
      double top = MAX (rect.origin.y, 0);
      double bottom = MIN (rect.origin.y + rect.size.height, height);

      gtk_snapshot_append_color (snapshot, &line_shadow, &GRAPHENE_RECT_INIT (x - 2, top, 4, bottom - top));
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x - 1, top, 2, bottom - top));
      append_handle (snapshot, x, (top + bottom) / 2);
    }

  append_painting (self, snapshot, &rect);
  gtk_snapshot_pop (snapshot);
}

void
soundstyle_canvas_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  soundstyle_canvas_clamp_pan (SOUNDSTYLE_CANVAS (widget));
  soundstyle_canvas_update_display_size (SOUNDSTYLE_CANVAS (widget));
}

GtkSizeRequestMode
soundstyle_canvas_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

void
soundstyle_canvas_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  /* Any size will do: the photo is fitted into whatever space there is */
  *minimum = 120;
  *natural = 480;
}
