/* soundstyle-mask-editor.c: the region brush's mask, painted stroke by stroke
 *
 * SPDX-License-Identifier: MIT
 *
 * The mask is kept at the photo's full size, so an export composites
 * through exactly what was painted; strokes are round dabs spaced along the
 * pointer's path, each with a soft edge (the feather). Painting takes the
 * larger of the mask and the dab, erasing the smaller of the mask and its
 * complement, so going over a spot twice changes nothing. What the canvas
 * draws is a tinted copy at a display size, updated where the dabs fell.
 */
#define G_LOG_DOMAIN "soundstyle-mask"

#include "config.h"

#include <math.h>
#include <string.h>

#include "soundstyle-mask-editor.h"

/* The overlay's long side: a screen's worth, whatever the photo's size */
#define OVERLAY_SIDE 1024
/* Adwaita's blue, at half strength where the mask is full */
#define TINT_R 53
#define TINT_G 132
#define TINT_B 228
#define TINT_ALPHA 0.5

struct _SoundstyleMaskEditor
{
  GObject     parent_instance;

  int         width;
  int         height;
  guint8     *values;             /* [height, width], NULL until reset */
  gboolean    active;             /* painted, loaded or inverted since the last clear */

  double      brush_size;
  double      feather;
  gboolean    erasing;

  /* The stroke in progress */
  gboolean    stroking;
  double      last_x;
  double      last_y;

  /* The overlay: premultiplied RGBA at overlay_width x overlay_height */
  int         overlay_width;
  int         overlay_height;
  guint8     *overlay_pixels;
  GdkTexture *overlay;
};

G_DEFINE_FINAL_TYPE (SoundstyleMaskEditor, soundstyle_mask_editor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BRUSH_SIZE,
  PROP_FEATHER,
  PROP_ERASING,
  PROP_ACTIVE,
  PROP_OVERLAY,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- the overlay ----------------------------------------------------------- */

/* Refreshes the overlay's pixels over the mask's rectangle [x0, x1) x [y0, y1) */
static void
overlay_update_rect (SoundstyleMaskEditor *self,
                     int                   x0,
                     int                   y0,
                     int                   x1,
                     int                   y1)
{
  double sx = (double) self->width / self->overlay_width;
  double sy = (double) self->height / self->overlay_height;
  int ox0 = MAX (0, (int) floor (x0 / sx) - 1);
  int oy0 = MAX (0, (int) floor (y0 / sy) - 1);
  int ox1 = MIN (self->overlay_width, (int) ceil (x1 / sx) + 1);
  int oy1 = MIN (self->overlay_height, (int) ceil (y1 / sy) + 1);

  for (int oy = oy0; oy < oy1; oy++)
    {
      int my = MIN (self->height - 1, (int) ((oy + 0.5) * sy));
      const guint8 *row = self->values + (gsize) my * self->width;
      guint8 *out = self->overlay_pixels + ((gsize) oy * self->overlay_width + ox0) * 4;

      for (int ox = ox0; ox < ox1; ox++, out += 4)
        {
          double alpha = row[MIN (self->width - 1, (int) ((ox + 0.5) * sx))] / 255.0 * TINT_ALPHA;

          out[0] = (guint8) lrint (TINT_R * alpha);
          out[1] = (guint8) lrint (TINT_G * alpha);
          out[2] = (guint8) lrint (TINT_B * alpha);
          out[3] = (guint8) lrint (255 * alpha);
        }
    }
}

static void
overlay_publish (SoundstyleMaskEditor *self)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;

  g_clear_object (&self->overlay);
  if (self->active && self->overlay_pixels != NULL)
    {
      size = (gsize) self->overlay_width * self->overlay_height * 4;
      bytes = g_bytes_new (self->overlay_pixels, size);
      self->overlay = gdk_memory_texture_new (self->overlay_width, self->overlay_height,
                                              GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes,
                                              (gsize) self->overlay_width * 4);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAY]);
}

static void
set_active (SoundstyleMaskEditor *self,
            gboolean              active)
{
  if (self->active == active)
    return;
  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

/* After a change of the whole mask */
static void
changed_all (SoundstyleMaskEditor *self)
{
  if (self->values != NULL)
    overlay_update_rect (self, 0, 0, self->width, self->height);
  overlay_publish (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* --- dabs ------------------------------------------------------------------ */

static double
brush_radius (SoundstyleMaskEditor *self)
{
  return MAX (0.5, self->brush_size * MAX (self->width, self->height) / 2);
}

/* One round dab: full inside radius * (1 - feather), falling smoothly to
 * nothing at the radius */
static void
dab (SoundstyleMaskEditor *self,
     double                cx,
     double                cy,
     int                  *dirty)
{
  double radius = brush_radius (self);
  double inner = radius * (1.0 - self->feather);
  int x0 = MAX (0, (int) floor (cx - radius));
  int y0 = MAX (0, (int) floor (cy - radius));
  int x1 = MIN (self->width, (int) ceil (cx + radius) + 1);
  int y1 = MIN (self->height, (int) ceil (cy + radius) + 1);

  for (int y = y0; y < y1; y++)
    {
      guint8 *row = self->values + (gsize) y * self->width;
      double dy = y + 0.5 - cy;

      for (int x = x0; x < x1; x++)
        {
          double dx = x + 0.5 - cx;
          double d = sqrt (dx * dx + dy * dy);
          double t, strength;
          guint8 v;

          if (d >= radius)
            continue;
          if (d <= inner)
            strength = 1.0;
          else
            {
              t = (radius - d) / (radius - inner);
              strength = t * t * (3 - 2 * t);
            }
          v = (guint8) lrint (strength * 255);
          if (self->erasing)
            row[x] = MIN (row[x], 255 - v);
          else
            row[x] = MAX (row[x], v);
        }
    }

  dirty[0] = MIN (dirty[0], x0);
  dirty[1] = MIN (dirty[1], y0);
  dirty[2] = MAX (dirty[2], x1);
  dirty[3] = MAX (dirty[3], y1);
}

/* Dabs from the last point to (x, y), a quarter radius apart */
static void
stroke_segment (SoundstyleMaskEditor *self,
                double                x,
                double                y)
{
  double spacing = MAX (0.5, brush_radius (self) / 4);
  double length = hypot (x - self->last_x, y - self->last_y);
  int steps = MAX (1, (int) ceil (length / spacing));
  int dirty[4] = { G_MAXINT, G_MAXINT, 0, 0 };

  for (int i = 1; i <= steps; i++)
    dab (self,
         self->last_x + (x - self->last_x) * i / steps,
         self->last_y + (y - self->last_y) * i / steps,
         dirty);
  self->last_x = x;
  self->last_y = y;

  if (dirty[2] > dirty[0] && dirty[3] > dirty[1])
    overlay_update_rect (self, dirty[0], dirty[1], dirty[2], dirty[3]);
  overlay_publish (self);
}

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_mask_editor_finalize (GObject *object)
{
  SoundstyleMaskEditor *self = SOUNDSTYLE_MASK_EDITOR (object);

  g_free (self->values);
  g_free (self->overlay_pixels);
  g_clear_object (&self->overlay);

  G_OBJECT_CLASS (soundstyle_mask_editor_parent_class)->finalize (object);
}

static void
soundstyle_mask_editor_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SoundstyleMaskEditor *self = SOUNDSTYLE_MASK_EDITOR (object);

  switch (prop_id)
    {
    case PROP_BRUSH_SIZE:
      g_value_set_double (value, self->brush_size);
      break;
    case PROP_FEATHER:
      g_value_set_double (value, self->feather);
      break;
    case PROP_ERASING:
      g_value_set_boolean (value, self->erasing);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_OVERLAY:
      g_value_set_object (value, self->overlay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_mask_editor_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  SoundstyleMaskEditor *self = SOUNDSTYLE_MASK_EDITOR (object);

  switch (prop_id)
    {
    case PROP_BRUSH_SIZE:
      soundstyle_mask_editor_set_brush_size (self, g_value_get_double (value));
      break;
    case PROP_FEATHER:
      soundstyle_mask_editor_set_feather (self, g_value_get_double (value));
      break;
    case PROP_ERASING:
      soundstyle_mask_editor_set_erasing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
soundstyle_mask_editor_class_init (SoundstyleMaskEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = soundstyle_mask_editor_finalize;
  object_class->get_property = soundstyle_mask_editor_get_property;
  object_class->set_property = soundstyle_mask_editor_set_property;

  properties[PROP_BRUSH_SIZE] =
    g_param_spec_double ("brush-size", NULL, NULL,
                         SOUNDSTYLE_BRUSH_MIN_SIZE, SOUNDSTYLE_BRUSH_MAX_SIZE, 0.08,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEATHER] =
    g_param_spec_double ("feather", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERASING] =
    g_param_spec_boolean ("erasing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY] =
    g_param_spec_object ("overlay", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The mask's content changed: a stroke ended, or invert, clear, a load */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
soundstyle_mask_editor_init (SoundstyleMaskEditor *self)
{
  self->brush_size = 0.08;
  self->feather = 0.5;
}

/* --- public API ------------------------------------------------------------ */

SoundstyleMaskEditor *
soundstyle_mask_editor_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_MASK_EDITOR, NULL);
}

void
soundstyle_mask_editor_reset (SoundstyleMaskEditor *self,
                              int                   width,
                              int                   height)
{
  double scale;

  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));
  g_return_if_fail (width > 0 && height > 0);

  self->stroking = FALSE;
  if (self->width != width || self->height != height || self->values == NULL)
    {
      g_free (self->values);
      g_free (self->overlay_pixels);
      self->width = width;
      self->height = height;
      self->values = g_new0 (guint8, (gsize) width * height);
      scale = MIN (1.0, (double) OVERLAY_SIDE / MAX (width, height));
      self->overlay_width = MAX (1, (int) lround (width * scale));
      self->overlay_height = MAX (1, (int) lround (height * scale));
      self->overlay_pixels = g_new0 (guint8, (gsize) self->overlay_width * self->overlay_height * 4);
    }
  else
    memset (self->values, 0, (gsize) width * height);

  set_active (self, FALSE);
  changed_all (self);
}

void
soundstyle_mask_editor_set_mask (SoundstyleMaskEditor *self,
                                 AdisMask             *mask)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));
  g_return_if_fail (self->values != NULL);

  if (mask == NULL)
    {
      soundstyle_mask_editor_clear (self);
      return;
    }
  g_return_if_fail (adis_mask_get_width (mask) == self->width &&
                    adis_mask_get_height (mask) == self->height);

  self->stroking = FALSE;
  memcpy (self->values, adis_mask_get_values (mask), (gsize) self->width * self->height);
  set_active (self, TRUE);
  changed_all (self);
}

AdisMask *
soundstyle_mask_editor_dup_mask (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), NULL);

  if (!self->active || self->values == NULL)
    return NULL;
  return adis_mask_new (self->values, self->width, self->height);
}

gboolean
soundstyle_mask_editor_get_active (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), FALSE);

  return self->active;
}

int
soundstyle_mask_editor_get_width (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), 0);

  return self->width;
}

int
soundstyle_mask_editor_get_height (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), 0);

  return self->height;
}

void
soundstyle_mask_editor_stroke_begin (SoundstyleMaskEditor *self,
                                     double                x,
                                     double                y)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  if (self->values == NULL)
    return;
  self->stroking = TRUE;
  set_active (self, TRUE);
  self->last_x = x;
  self->last_y = y;
  stroke_segment (self, x, y);
}

void
soundstyle_mask_editor_stroke_to (SoundstyleMaskEditor *self,
                                  double                x,
                                  double                y)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  if (self->stroking)
    stroke_segment (self, x, y);
}

void
soundstyle_mask_editor_stroke_end (SoundstyleMaskEditor *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  if (!self->stroking)
    return;
  self->stroking = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
soundstyle_mask_editor_invert (SoundstyleMaskEditor *self)
{
  gsize n;

  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  if (self->values == NULL)
    return;
  n = (gsize) self->width * self->height;
  for (gsize i = 0; i < n; i++)
    self->values[i] = 255 - self->values[i];
  set_active (self, TRUE);
  changed_all (self);
}

void
soundstyle_mask_editor_clear (SoundstyleMaskEditor *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  if (self->values == NULL)
    return;
  self->stroking = FALSE;
  memset (self->values, 0, (gsize) self->width * self->height);
  set_active (self, FALSE);
  changed_all (self);
}

double
soundstyle_mask_editor_get_brush_size (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), 0.0);

  return self->brush_size;
}

void
soundstyle_mask_editor_set_brush_size (SoundstyleMaskEditor *self,
                                       double                size)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  size = CLAMP (size, SOUNDSTYLE_BRUSH_MIN_SIZE, SOUNDSTYLE_BRUSH_MAX_SIZE);
  if (self->brush_size == size)
    return;
  self->brush_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BRUSH_SIZE]);
}

double
soundstyle_mask_editor_get_feather (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), 0.0);

  return self->feather;
}

void
soundstyle_mask_editor_set_feather (SoundstyleMaskEditor *self,
                                    double                feather)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  feather = CLAMP (feather, 0.0, 1.0);
  if (self->feather == feather)
    return;
  self->feather = feather;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEATHER]);
}

gboolean
soundstyle_mask_editor_get_erasing (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), FALSE);

  return self->erasing;
}

void
soundstyle_mask_editor_set_erasing (SoundstyleMaskEditor *self,
                                    gboolean              erasing)
{
  g_return_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self));

  erasing = !!erasing;
  if (self->erasing == erasing)
    return;
  self->erasing = erasing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERASING]);
}

GdkTexture *
soundstyle_mask_editor_get_overlay (SoundstyleMaskEditor *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_MASK_EDITOR (self), NULL);

  return self->overlay;
}
