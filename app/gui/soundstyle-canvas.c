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
 *
 * Here: the geometry, the properties and the public API; the gestures are in
 * soundstyle-canvas-gestures.c, the drawing in soundstyle-canvas-draw.c.
 */
#define G_LOG_DOMAIN "soundstyle-canvas"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "soundstyle-canvas-private.h"

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

static GParamSpec *properties[N_PROPS];
guint soundstyle_canvas_signals[N_SIGNALS];

/* --- geometry -------------------------------------------------------------- */

GdkTexture *
soundstyle_canvas_reference_texture (SoundstyleCanvas *self)
{
  return self->before ? self->before : self->after;
}

/* The photo's rectangle in widget coordinates; FALSE when there is none */
gboolean
soundstyle_canvas_photo_rect (SoundstyleCanvas *self,
                              graphene_rect_t  *rect)
{
  GdkTexture *texture = soundstyle_canvas_reference_texture (self);
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
void
soundstyle_canvas_update_display_size (SoundstyleCanvas *self)
{
  graphene_rect_t rect;
  int size = 0;

  if (soundstyle_canvas_photo_rect (self, &rect))
    size = (int) ceil (MAX (rect.size.width, rect.size.height) *
                       gtk_widget_get_scale_factor (GTK_WIDGET (self)));
  if (size == self->display_size)
    return;
  self->display_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_SIZE]);
}

/* A zoomed photo may move only as far as its edges reach the widget's */
void
soundstyle_canvas_clamp_pan (SoundstyleCanvas *self)
{
  GdkTexture *texture = soundstyle_canvas_reference_texture (self);
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

double
soundstyle_canvas_divider_x (SoundstyleCanvas      *self,
                             const graphene_rect_t *rect)
{
  return rect->origin.x + self->divider * rect->size.width;
}

/* Zooms so that the photo's point under (x, y) stays under it */
void
soundstyle_canvas_zoom_around (SoundstyleCanvas *self,
                               double            zoom,
                               double            x,
                               double            y)
{
  graphene_rect_t before;
  double fx, fy;

  zoom = CLAMP (zoom, 1.0, SOUNDSTYLE_CANVAS_MAX_ZOOM);
  if (zoom == self->zoom)
    return;

  if (!soundstyle_canvas_photo_rect (self, &before))
    {
      self->zoom = zoom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
      soundstyle_canvas_update_display_size (self);
      return;
    }

  fx = (x - before.origin.x) / before.size.width;
  fy = (y - before.origin.y) / before.size.height;

  self->zoom = zoom;
  {
    graphene_rect_t after;

    self->pan_x = self->pan_y = 0;
    soundstyle_canvas_photo_rect (self, &after);
    self->pan_x = x - (after.origin.x + fx * after.size.width);
    self->pan_y = y - (after.origin.y + fy * after.size.height);
  }
  soundstyle_canvas_clamp_pan (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  soundstyle_canvas_update_display_size (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
soundstyle_canvas_set_divider_from_x (SoundstyleCanvas *self,
                                      double            x)
{
  graphene_rect_t rect;

  if (soundstyle_canvas_photo_rect (self, &rect) && rect.size.width > 0)
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
  GdkTexture *texture = soundstyle_canvas_reference_texture (self);
  graphene_rect_t rect;

  if (!soundstyle_canvas_photo_rect (self, &rect) || rect.size.width <= 0 || rect.size.height <= 0)
    return FALSE;
  *out_x = (x - rect.origin.x) / rect.size.width * gdk_texture_get_width (texture);
  *out_y = (y - rect.origin.y) / rect.size.height * gdk_texture_get_height (texture);
  return TRUE;
}

void
soundstyle_canvas_emit_paint (SoundstyleCanvas *self,
                              guint             signal,
                              double            x,
                              double            y)
{
  double px, py;

  if (to_photo (self, x, y, &px, &py))
    g_signal_emit (self, soundstyle_canvas_signals[signal], 0, px, py);
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
  soundstyle_canvas_signals[PAINT_BEGIN] =
    g_signal_new ("paint-begin", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  soundstyle_canvas_signals[PAINT_UPDATE] =
    g_signal_new ("paint-update", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  soundstyle_canvas_signals[PAINT_END] =
    g_signal_new ("paint-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "canvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
soundstyle_canvas_init (SoundstyleCanvas *self)
{

  self->divider = 0.5;
  self->zoom = 1.0;
  self->brush_size = 0.08;

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The photo, original left of the divider and restyled right of it"),
                                  -1);

  soundstyle_canvas_gestures_init (self);
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
      soundstyle_canvas_update_display_size (self);
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
      soundstyle_canvas_update_display_size (self);
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

  soundstyle_canvas_zoom_around (self, zoom,
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
