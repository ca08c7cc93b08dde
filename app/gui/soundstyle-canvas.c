/* soundstyle-canvas.c: the photo before and after, with a divider to drag
 *
 * SPDX-License-Identifier: MIT
 *
 * The original is drawn left of the divider and the restyled photo right of
 * it, both into the same rectangle: the photo fitted to the widget, times the
 * zoom, moved by the pan. Dragging near the divider moves it; dragging
 * elsewhere pans a zoomed photo, or moves the divider to the pointer when
 * the whole photo is in view. Ctrl + scroll and pinch zoom around the pointer.
 *
 * In painting mode (the region brush) a drag paints instead: the canvas
 * draws the mask's overlay over the photo and a circle for the brush, and
 * reports the pointer in the photo's pixels through the paint signals;
 * what painting does is the mask editor's business.
 */
#define G_LOG_DOMAIN "soundstyle-canvas"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "soundstyle-canvas.h"

/* How close to the divider (in pixels) a press grabs it */
#define DIVIDER_GRAB_DISTANCE 24.0
#define HANDLE_RADIUS 16.0

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

G_DEFINE_FINAL_TYPE (SoundstyleCanvas, soundstyle_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BEFORE,
  PROP_AFTER,
  PROP_DIVIDER,
  PROP_ZOOM,
  PROP_DISPLAY_SIZE,
  PROP_OVERLAY,
  PROP_PAINTING,
  PROP_BRUSH_SIZE,
  N_PROPS
};

enum {
  PAINT_BEGIN,
  PAINT_UPDATE,
  PAINT_END,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- geometry -------------------------------------------------------------- */

static GdkTexture *
reference_texture (SoundstyleCanvas *self)
{
  return self->before ? self->before : self->after;
}

/* The photo's rectangle in widget coordinates; FALSE when there is none */
static gboolean
photo_rect (SoundstyleCanvas *self,
            graphene_rect_t  *rect)
{
  GdkTexture *texture = reference_texture (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double photo_w, photo_h, scale;

  if (texture == NULL || width <= 0 || height <= 0)
    return FALSE;

  photo_w = gdk_texture_get_width (texture);
  photo_h = gdk_texture_get_height (texture);
  scale = MIN (width / photo_w, height / photo_h) * self->zoom;

  graphene_rect_init (rect,
                      (width - photo_w * scale) / 2 + self->pan_x,
                      (height - photo_h * scale) / 2 + self->pan_y,
                      photo_w * scale,
                      photo_h * scale);
  return TRUE;
}

/* The renderer restyles at this size, so that the picture on screen is
 * sharp at every zoom without rendering pixels nobody sees */
static void
update_display_size (SoundstyleCanvas *self)
{
  graphene_rect_t rect;
  int size = 0;

  if (photo_rect (self, &rect))
    size = (int) ceil (MAX (rect.size.width, rect.size.height) *
                       gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  if (size == self->display_size)
    return;
  self->display_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_SIZE]);
}

/* A zoomed photo may move only as far as its edges reach the widget's */
static void
clamp_pan (SoundstyleCanvas *self)
{
  GdkTexture *texture = reference_texture (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double scale, max_x, max_y;

  if (texture == NULL || width <= 0 || height <= 0)
    {
      self->pan_x = self->pan_y = 0;
      return;
    }

  scale = MIN (width / gdk_texture_get_width (texture),
               height / gdk_texture_get_height (texture)) * self->zoom;
  max_x = MAX (0, (gdk_texture_get_width (texture) * scale - width) / 2);
  max_y = MAX (0, (gdk_texture_get_height (texture) * scale - height) / 2);
  self->pan_x = CLAMP (self->pan_x, -max_x, max_x);
  self->pan_y = CLAMP (self->pan_y, -max_y, max_y);
}

static double
divider_x (SoundstyleCanvas      *self,
           const graphene_rect_t *rect)
{
  return rect->origin.x + self->divider * rect->size.width;
}

/* Zooms so that the photo's point under (x, y) stays under it */
static void
zoom_around (SoundstyleCanvas *self,
             double            zoom,
             double            x,
             double            y)
{
  graphene_rect_t before;
  double fx, fy;

  zoom = CLAMP (zoom, 1.0, SOUNDSTYLE_CANVAS_MAX_ZOOM);
  if (zoom == self->zoom)
    return;

  if (!photo_rect (self, &before))
    {
      self->zoom = zoom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
      update_display_size (self);
      return;
    }

  fx = (x - before.origin.x) / before.size.width;
  fy = (y - before.origin.y) / before.size.height;

  self->zoom = zoom;
  {
    graphene_rect_t after;

    self->pan_x = self->pan_y = 0;
    photo_rect (self, &after);
    self->pan_x = x - (after.origin.x + fx * after.size.width);
    self->pan_y = y - (after.origin.y + fy * after.size.height);
  }
  clamp_pan (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  update_display_size (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_divider_from_x (SoundstyleCanvas *self,
                    double            x)
{
  graphene_rect_t rect;

  if (photo_rect (self, &rect) && rect.size.width > 0)
    soundstyle_canvas_set_divider (self, (x - rect.origin.x) / rect.size.width);
}

/* A widget point in the photo's pixels (the original's texture) */
static gboolean
to_photo (SoundstyleCanvas *self,
          double            x,
          double            y,
          double           *out_x,
          double           *out_y)
{
  GdkTexture *texture = reference_texture (self);
  graphene_rect_t rect;

  if (!photo_rect (self, &rect) || rect.size.width <= 0 || rect.size.height <= 0)
    return FALSE;
  *out_x = (x - rect.origin.x) / rect.size.width * gdk_texture_get_width (texture);
  *out_y = (y - rect.origin.y) / rect.size.height * gdk_texture_get_height (texture);
  return TRUE;
}

static void
emit_paint (SoundstyleCanvas *self,
            guint             signal,
            double            x,
            double            y)
{
  double px, py;

  if (to_photo (self, x, y, &px, &py))
    g_signal_emit (self, signals[signal], 0, px, py);
}

/* --- gestures -------------------------------------------------------------- */

static gboolean
near_divider (SoundstyleCanvas *self,
              double            x)
{
  graphene_rect_t rect;

  return self->after != NULL && photo_rect (self, &rect) &&
         ABS (x - divider_x (self, &rect)) <= DIVIDER_GRAB_DISTANCE;
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

  if (self->painting && reference_texture (self) != NULL)
    {
      self->drag_mode = DRAG_PAINT;
      self->pointer_inside = TRUE;
      self->pointer_x = x;
      self->pointer_y = y;
      emit_paint (self, PAINT_BEGIN, x, y);
    }
  else if (near_divider (self, x))
    self->drag_mode = DRAG_DIVIDER;
  else if (self->zoom > 1.0)
    self->drag_mode = DRAG_PAN;
  else if (self->after != NULL)
    {
      /* A press anywhere on an unzoomed photo puts the divider there */
      self->drag_mode = DRAG_DIVIDER;
      set_divider_from_x (self, x);
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
      set_divider_from_x (self, self->drag_start_x + offset_x);
      break;
    case DRAG_PAN:
      self->pan_x = self->drag_start_pan_x + offset_x;
      self->pan_y = self->drag_start_pan_y + offset_y;
      clamp_pan (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_PAINT:
      self->pointer_x = self->drag_start_x + offset_x;
      self->pointer_y = self->drag_start_y + offset_y;
      emit_paint (self, PAINT_UPDATE, self->pointer_x, self->pointer_y);
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
    g_signal_emit (self, signals[PAINT_END], 0);
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

  zoom_around (self, self->zoom * pow (1.15, -dy), x, y);
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
  zoom_around (self, self->pinch_start_zoom * scale, x, y);
}

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
  GdkTexture *texture = reference_texture (self);
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

static void
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

  if (!photo_rect (self, &rect))
    return;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->after == NULL)
    {
      gtk_snapshot_append_texture (snapshot, self->before, &rect);
      append_painting (self, snapshot, &rect);
      gtk_snapshot_pop (snapshot);
      return;
    }

  x = CLAMP (divider_x (self, &rect), 0, width);

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

static void
soundstyle_canvas_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  clamp_pan (SOUNDSTYLE_CANVAS (widget));
  update_display_size (SOUNDSTYLE_CANVAS (widget));
}

static GtkSizeRequestMode
soundstyle_canvas_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
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

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_canvas_dispose (GObject *object)
{
  SoundstyleCanvas *self = SOUNDSTYLE_CANVAS (object);

  g_clear_object (&self->before);
  g_clear_object (&self->after);
  g_clear_object (&self->overlay);

  G_OBJECT_CLASS (soundstyle_canvas_parent_class)->dispose (object);
}

static void
soundstyle_canvas_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SoundstyleCanvas *self = SOUNDSTYLE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_BEFORE:
      g_value_set_object (value, self->before);
      break;
    case PROP_AFTER:
      g_value_set_object (value, self->after);
      break;
    case PROP_DIVIDER:
      g_value_set_double (value, self->divider);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_DISPLAY_SIZE:
      g_value_set_int (value, self->display_size);
      break;
    case PROP_OVERLAY:
      g_value_set_object (value, self->overlay);
      break;
    case PROP_PAINTING:
      g_value_set_boolean (value, self->painting);
      break;
    case PROP_BRUSH_SIZE:
      g_value_set_double (value, self->brush_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_canvas_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SoundstyleCanvas *self = SOUNDSTYLE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_BEFORE:
      soundstyle_canvas_set_before (self, g_value_get_object (value));
      break;
    case PROP_AFTER:
      soundstyle_canvas_set_after (self, g_value_get_object (value));
      break;
    case PROP_DIVIDER:
      soundstyle_canvas_set_divider (self, g_value_get_double (value));
      break;
    case PROP_ZOOM:
      soundstyle_canvas_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_OVERLAY:
      soundstyle_canvas_set_overlay (self, g_value_get_object (value));
      break;
    case PROP_PAINTING:
      soundstyle_canvas_set_painting (self, g_value_get_boolean (value));
      break;
    case PROP_BRUSH_SIZE:
      if (self->brush_size != g_value_get_double (value))
        {
          self->brush_size = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_canvas_class_init (SoundstyleCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = soundstyle_canvas_dispose;
  object_class->get_property = soundstyle_canvas_get_property;
  object_class->set_property = soundstyle_canvas_set_property;

  widget_class->snapshot = soundstyle_canvas_snapshot;
  widget_class->size_allocate = soundstyle_canvas_size_allocate;
  widget_class->measure = soundstyle_canvas_measure;
  widget_class->get_request_mode = soundstyle_canvas_get_request_mode;

  properties[PROP_BEFORE] =
    g_param_spec_object ("before", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AFTER] =
    g_param_spec_object ("after", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIVIDER] =
    g_param_spec_double ("divider", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 1.0, SOUNDSTYLE_CANVAS_MAX_ZOOM, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_SIZE] =
    g_param_spec_int ("display-size", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY] =
    g_param_spec_object ("overlay", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAINTING] =
    g_param_spec_boolean ("painting", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BRUSH_SIZE] =
    g_param_spec_double ("brush-size", NULL, NULL, 0.0, 1.0, 0.08,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* In painting mode: a drag's start, moves and end, in photo pixels */
  signals[PAINT_BEGIN] =
    g_signal_new ("paint-begin", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[PAINT_UPDATE] =
    g_signal_new ("paint-update", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[PAINT_END] =
    g_signal_new ("paint-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
soundstyle_canvas_init (SoundstyleCanvas *self)
{
  GtkGesture *drag, *pinch;
  GtkEventController *scroll, *motion;

  self->divider = 0.5;
  self->zoom = 1.0;
  self->brush_size = 0.08;

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The photo, original left of the divider and restyled right of it"),
                                  -1);

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

/* --- public API ------------------------------------------------------------ */

GtkWidget *
soundstyle_canvas_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_CANVAS, NULL);
}

GdkTexture *
soundstyle_canvas_get_before (SoundstyleCanvas *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), NULL);

  return self->before;
}

void
soundstyle_canvas_set_before (SoundstyleCanvas *self,
                              GdkTexture       *texture)
{
  g_return_if_fail (SOUNDSTYLE_IS_CANVAS (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (g_set_object (&self->before, texture))
    {
      /* A new photo starts fitted */
      self->pan_x = self->pan_y = 0;
      soundstyle_canvas_set_zoom (self, 1.0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEFORE]);
      update_display_size (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

GdkTexture *
soundstyle_canvas_get_after (SoundstyleCanvas *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), NULL);

  return self->after;
}

void
soundstyle_canvas_set_after (SoundstyleCanvas *self,
                             GdkTexture       *texture)
{
  g_return_if_fail (SOUNDSTYLE_IS_CANVAS (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (g_set_object (&self->after, texture))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AFTER]);
      update_display_size (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

double
soundstyle_canvas_get_divider (SoundstyleCanvas *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), 0.5);

  return self->divider;
}

void
soundstyle_canvas_set_divider (SoundstyleCanvas *self,
                               double            divider)
{
  g_return_if_fail (SOUNDSTYLE_IS_CANVAS (self));

  divider = CLAMP (divider, 0.0, 1.0);
  if (self->divider == divider)
    return;
  self->divider = divider;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIVIDER]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
soundstyle_canvas_get_zoom (SoundstyleCanvas *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), 1.0);

  return self->zoom;
}

void
soundstyle_canvas_set_zoom (SoundstyleCanvas *self,
                            double            zoom)
{
  g_return_if_fail (SOUNDSTYLE_IS_CANVAS (self));

  zoom_around (self, zoom,
               gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
               gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
  if (self->zoom == 1.0)
    {
      self->pan_x = self->pan_y = 0;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

int
soundstyle_canvas_get_display_size (SoundstyleCanvas *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), 0);

  return self->display_size;
}

void
soundstyle_canvas_set_overlay (SoundstyleCanvas *self,
                               GdkTexture       *texture)
{
  g_return_if_fail (SOUNDSTYLE_IS_CANVAS (self));
  g_return_if_fail (texture == NULL || GDK_IS_TEXTURE (texture));

  if (g_set_object (&self->overlay, texture))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

gboolean
soundstyle_canvas_get_painting (SoundstyleCanvas *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), FALSE);

  return self->painting;
}

void
soundstyle_canvas_set_painting (SoundstyleCanvas *self,
                                gboolean          painting)
{
  g_return_if_fail (SOUNDSTYLE_IS_CANVAS (self));

  painting = !!painting;
  if (self->painting == painting)
    return;
  self->painting = painting;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), painting ? "crosshair" : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAINTING]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
soundstyle_canvas_widget_to_photo (SoundstyleCanvas *self,
                                   double            x,
                                   double            y,
                                   double           *photo_x,
                                   double           *photo_y)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_CANVAS (self), FALSE);
  g_return_val_if_fail (photo_x != NULL && photo_y != NULL, FALSE);

  return to_photo (self, x, y, photo_x, photo_y);
}
