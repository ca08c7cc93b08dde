/* soundstyle-loss-plot.c: training losses as curves, drawn with Cairo
 *
 * SPDX-License-Identifier: MIT
 *
 * Four curves share one linear axis from 0: the discriminator's loss, the
 * generator's adversarial loss, PatchNCE, and the identity PatchNCE term.
 * Steps run along the bottom. Colours are from the GNOME palette and read
 * on light and dark styles alike.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "soundstyle-loss-plot.h"

#define N_SERIES 4
#define MARGIN_LEFT 44.0
#define MARGIN_RIGHT 12.0
#define MARGIN_TOP 30.0
#define MARGIN_BOTTOM 24.0

struct _SoundstyleLossPlot
{
  GtkDrawingArea  parent_instance;

  GArray         *points;   /* SoundstyleLossPoint */
};

G_DEFINE_FINAL_TYPE (SoundstyleLossPlot, soundstyle_loss_plot, GTK_TYPE_DRAWING_AREA)

static const struct { double r, g, b; } series_colours[N_SERIES] = {
  { 0x35 / 255.0, 0x84 / 255.0, 0xe4 / 255.0 },   /* blue 3 */
  { 0xff / 255.0, 0x78 / 255.0, 0x00 / 255.0 },   /* orange 3 */
  { 0x2e / 255.0, 0xc2 / 255.0, 0x7e / 255.0 },   /* green 4 */
  { 0x91 / 255.0, 0x41 / 255.0, 0xac / 255.0 },   /* purple 3 */
};

static const char *
series_name (int series)
{
  switch (series)
    {
    case 0: return _("Discriminator");
    case 1: return _("Adversarial");
    case 2: return _("PatchNCE");
    default: return _("Identity NCE");
    }
}

static double
series_value (const SoundstyleLossPoint *point,
              int                        series)
{
  switch (series)
    {
    case 0: return point->loss_d;
    case 1: return point->loss_g_gan;
    case 2: return point->loss_nce;
    default: return point->loss_nce_y;
    }
}

/* 1, 2 or 5 times a power of ten, so the grid lines land on round numbers */
static double
nice_step (double range,
           int    n_lines)
{
  double raw = range / MAX (n_lines, 1);
  double magnitude = pow (10.0, floor (log10 (raw)));
  double fraction = raw / magnitude;

  if (fraction <= 1.0)
    return magnitude;
  if (fraction <= 2.0)
    return 2.0 * magnitude;
  if (fraction <= 5.0)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}

static void
draw_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      x_align,
           double      y_align)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_move_to (cr, x - x_align * width, y - y_align * height);
  pango_cairo_show_layout (cr, layout);
}

static void
draw (GtkDrawingArea *area,
      cairo_t        *cr,
      int             width,
      int             height,
      gpointer        user_data)
{
  SoundstyleLossPlot *self = SOUNDSTYLE_LOSS_PLOT (area);
  GtkWidget *widget = GTK_WIDGET (area);
  GdkRGBA fg;
  double plot_w = width - MARGIN_LEFT - MARGIN_RIGHT;
  double plot_h = height - MARGIN_TOP - MARGIN_BOTTOM;
  double y_max = 0;
  gint64 x_min, x_max;
  double legend_x = MARGIN_LEFT;
  double grid;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (plot_w < 20 || plot_h < 20)
    return;

  /* Legend along the top */
  for (int s = 0; s < N_SERIES; s++)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, series_name (s));
      int tw, th;

      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_set_source_rgb (cr, series_colours[s].r, series_colours[s].g, series_colours[s].b);
      cairo_arc (cr, legend_x + 5, MARGIN_TOP / 2, 4, 0, 2 * G_PI);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, legend_x + 13, MARGIN_TOP / 2 - th / 2.0);
      pango_cairo_show_layout (cr, layout);
      legend_x += 13 + tw + 18;
    }

  if (self->points->len == 0)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.55);
      draw_text (widget, cr, _("The losses appear here as training runs"),
                 MARGIN_LEFT + plot_w / 2, MARGIN_TOP + plot_h / 2, 0.5, 0.5);
      return;
    }

  for (guint i = 0; i < self->points->len; i++)
    for (int s = 0; s < N_SERIES; s++)
      {
        double v = series_value (&g_array_index (self->points, SoundstyleLossPoint, i), s);

        if (isfinite (v))
          y_max = MAX (y_max, v);
      }
  if (y_max <= 0)
    y_max = 1;
  grid = nice_step (y_max, 4);
  y_max = ceil (y_max / grid) * grid;

  x_min = g_array_index (self->points, SoundstyleLossPoint, 0).step;
  x_max = g_array_index (self->points, SoundstyleLossPoint, self->points->len - 1).step;
  if (x_max <= x_min)
    x_max = x_min + 1;

  /* Grid and axis labels */
  cairo_set_line_width (cr, 1.0);
  for (double v = 0; v <= y_max + grid / 2; v += grid)
    {
      double y = round (MARGIN_TOP + plot_h - v / y_max * plot_h) + 0.5;
      g_autofree char *label = g_strdup_printf ("%g", v);

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * (v == 0 ? 0.35 : 0.12));
      cairo_move_to (cr, MARGIN_LEFT, y);
      cairo_line_to (cr, MARGIN_LEFT + plot_w, y);
      cairo_stroke (cr);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.6);
      draw_text (widget, cr, label, MARGIN_LEFT - 6, y, 1.0, 0.5);
    }
  {
    g_autofree char *first = g_strdup_printf ("%" G_GINT64_FORMAT, x_min);
    g_autofree char *last = g_strdup_printf (_("step %d"), (int) x_max);

    draw_text (widget, cr, first, MARGIN_LEFT, MARGIN_TOP + plot_h + 4, 0.0, 0.0);
    draw_text (widget, cr, last, MARGIN_LEFT + plot_w, MARGIN_TOP + plot_h + 4, 1.0, 0.0);
  }

  /* The curves; a non-finite loss (a skipped step) breaks the line */
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (int s = 0; s < N_SERIES; s++)
    {
      gboolean pen_down = FALSE;

      cairo_set_source_rgb (cr, series_colours[s].r, series_colours[s].g, series_colours[s].b);
      for (guint i = 0; i < self->points->len; i++)
        {
          const SoundstyleLossPoint *p = &g_array_index (self->points, SoundstyleLossPoint, i);
          double v = series_value (p, s);
          double x = MARGIN_LEFT + (double) (p->step - x_min) / (x_max - x_min) * plot_w;
          double y = MARGIN_TOP + plot_h - CLAMP (v, 0, y_max) / y_max * plot_h;

          if (!isfinite (v))
            {
              pen_down = FALSE;
              continue;
            }
          if (pen_down)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          pen_down = TRUE;
        }
      if (self->points->len == 1)
        {
          cairo_rel_line_to (cr, 0, 0);   /* a dot for a single point */
          cairo_set_line_width (cr, 5.0);
        }
      cairo_stroke (cr);
      cairo_set_line_width (cr, 2.0);
    }
}

static void
soundstyle_loss_plot_finalize (GObject *object)
{
  SoundstyleLossPlot *self = SOUNDSTYLE_LOSS_PLOT (object);

  g_array_unref (self->points);

  G_OBJECT_CLASS (soundstyle_loss_plot_parent_class)->finalize (object);
}

static void
soundstyle_loss_plot_class_init (SoundstyleLossPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = soundstyle_loss_plot_finalize;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "lossplot");
}

static void
soundstyle_loss_plot_init (SoundstyleLossPlot *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (SoundstyleLossPoint));
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self), 200);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw, NULL, NULL);
}

GtkWidget *
soundstyle_loss_plot_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_LOSS_PLOT, NULL);
}

void
soundstyle_loss_plot_add (SoundstyleLossPlot        *self,
                          const SoundstyleLossPoint *point)
{
  g_return_if_fail (SOUNDSTYLE_IS_LOSS_PLOT (self));

  g_array_append_val (self->points, *point);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
soundstyle_loss_plot_clear (SoundstyleLossPlot *self)
{
  g_return_if_fail (SOUNDSTYLE_IS_LOSS_PLOT (self));

  g_array_set_size (self->points, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
soundstyle_loss_plot_get_n_points (SoundstyleLossPlot *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_LOSS_PLOT (self), 0);

  return self->points->len;
}
