/* soundstyle-canvas-gestures.c: the canvas's gestures: dragging the
 * divider, panning, painting, Ctrl + scroll and pinch to zoom
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle-canvas"

#include "config.h"

#include <math.h>

#include "soundstyle-canvas-private.h"

/* How close to the divider (in pixels) a press grabs it */
#define DIVIDER_GRAB_DISTANCE 24.0

/* --- gestures -------------------------------------------------------------- */

static gboolean
near_divider (SoundstyleCanvas *self,
              double            x)
{
  graphene_rect_t rect;

  return self->after != NULL && soundstyle_canvas_photo_rect (self, &rect) &&
         ABS (x - soundstyle_canvas_divider_x (self, &rect)) <= DIVIDER_GRAB_DISTANCE;
}

static void
on_drag_begin (GtkGestureDrag   *gesture,
               double            x,
               double            y,
               SoundstyleCanvas *self)
{
  self->drag_start_x = x;
  self->drag_start_y = y;
  self->drag_start_pan_x = self->pan_x;
  self->drag_start_pan_y = self->pan_y;

  if (self->painting && soundstyle_canvas_reference_texture (self) != NULL)
    {
      self->drag_mode = DRAG_PAINT;
      self->pointer_inside = TRUE;
      self->pointer_x = x;
      self->pointer_y = y;
      soundstyle_canvas_emit_paint (self, PAINT_BEGIN, x, y);
    }
  else if (near_divider (self, x))
    self->drag_mode = DRAG_DIVIDER;
  else if (self->zoom > 1.0)
    self->drag_mode = DRAG_PAN;
  else if (self->after != NULL)
    {
      /* A press anywhere on an unzoomed photo puts the divider there */
      self->drag_mode = DRAG_DIVIDER;
      soundstyle_canvas_set_divider_from_x (self, x);
    }
  else
    self->drag_mode = DRAG_NONE;

  if (self->drag_mode != DRAG_NONE)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_drag_update (GtkGestureDrag   *gesture,
                double            offset_x,
                double            offset_y,
                SoundstyleCanvas *self)
{
  switch (self->drag_mode)
    {
    case DRAG_DIVIDER:
      soundstyle_canvas_set_divider_from_x (self, self->drag_start_x + offset_x);
      break;
    case DRAG_PAN:
      self->pan_x = self->drag_start_pan_x + offset_x;
      self->pan_y = self->drag_start_pan_y + offset_y;
      soundstyle_canvas_clamp_pan (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_PAINT:
      self->pointer_x = self->drag_start_x + offset_x;
      self->pointer_y = self->drag_start_y + offset_y;
      soundstyle_canvas_emit_paint (self, PAINT_UPDATE, self->pointer_x, self->pointer_y);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_NONE:
    default:
      break;
    }
}

static void
on_drag_end (GtkGestureDrag   *gesture,
             double            offset_x,
             double            offset_y,
             SoundstyleCanvas *self)
{
  if (self->drag_mode == DRAG_PAINT)
    g_signal_emit (self, soundstyle_canvas_signals[PAINT_END], 0);
  self->drag_mode = DRAG_NONE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SoundstyleCanvas         *self)
{
  const char *cursor = NULL;

  self->pointer_inside = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  if (self->painting)
    {
      /* The brush's own circle shows where it lands */
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "crosshair");
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (near_divider (self, x))
    cursor = "col-resize";
  else if (self->zoom > 1.0)
    cursor = "grab";
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursor);
}

static void
on_leave (GtkEventControllerMotion *controller,
          SoundstyleCanvas         *self)
{
  self->pointer_inside = FALSE;
  if (self->painting)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           SoundstyleCanvas         *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  GdkEvent *event;
  double x, y;

  /* Plain scrolling belongs to whatever holds the canvas */
  if ((state & GDK_CONTROL_MASK) == 0)
    return FALSE;

  event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  if (event == NULL || !gdk_event_get_position (event, &x, &y))
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  else
    {
      /* The event's position is in the surface's coordinates */
      GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
      graphene_point_t in_native = GRAPHENE_POINT_INIT (x, y), in_self;
      double nx, ny;

      gtk_native_get_surface_transform (native, &nx, &ny);
      in_native.x -= nx;
      in_native.y -= ny;
      if (gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self), &in_native, &in_self))
        {
          x = in_self.x;
          y = in_self.y;
        }
    }

  soundstyle_canvas_zoom_around (self, self->zoom * pow (1.15, -dy), x, y);
  return TRUE;
}

static void
on_pinch_begin (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                SoundstyleCanvas *self)
{
  self->pinch_start_zoom = self->zoom;
}

static void
on_pinch_scale_changed (GtkGestureZoom   *gesture,
                        double            scale,
                        SoundstyleCanvas *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    {
      x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  soundstyle_canvas_zoom_around (self, self->pinch_start_zoom * scale, x, y);
}

void
soundstyle_canvas_gestures_init (SoundstyleCanvas *self)
{
  GtkGesture *drag, *pinch;
  GtkEventController *scroll, *motion;

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  pinch = gtk_gesture_zoom_new ();
  g_signal_connect (pinch, "begin", G_CALLBACK (on_pinch_begin), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (on_pinch_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}
