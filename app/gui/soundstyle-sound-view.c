/* soundstyle-sound-view.c: a sound's waveform and spectrogram, drawn with Cairo
 *
 * SPDX-License-Identifier: MIT
 *
 * The waveform is reduced to one min/max pair per column when the sound
 * arrives, and the spectrogram to a Cairo image once, so a redraw is cheap
 * whatever the widget's size.
 */
#define G_LOG_DOMAIN "soundstyle-sound-view"

#include "config.h"

#include <math.h>

#include "soundstyle-sound-view.h"

#define N_COLUMNS 600
/* The spectrogram's range, from its loudest bin down */
#define SPECTROGRAM_DB_RANGE 80.0

struct _SoundstyleSoundView
{
  GtkWidget        parent_instance;

  gboolean         has_sound;
  float            wave_min[N_COLUMNS];
  float            wave_max[N_COLUMNS];
  cairo_surface_t *spectrogram;
  double           level;
};

G_DEFINE_FINAL_TYPE (SoundstyleSoundView, soundstyle_sound_view, GTK_TYPE_WIDGET)

/* --- colours --------------------------------------------------------------- */

/* Dark to bright through GNOME's palette: dark 4, purple 3, blue 3, orange 2, yellow 1 */
static void
heat_colour (double  t,
             guint8 *r,
             guint8 *g,
             guint8 *b)
{
  static const double stops[][3] = {
    { 0x24, 0x1f, 0x31 },
    { 0x61, 0x35, 0x83 },
    { 0x1c, 0x71, 0xd8 },
    { 0xff, 0xa3, 0x48 },
    { 0xf9, 0xf0, 0x6b },
  };
  double position = CLAMP (t, 0.0, 1.0) * (G_N_ELEMENTS (stops) - 1);
  guint i = MIN ((guint) position, G_N_ELEMENTS (stops) - 2);
  double f = position - i;

  *r = (guint8) (stops[i][0] + f * (stops[i + 1][0] - stops[i][0]));
  *g = (guint8) (stops[i][1] + f * (stops[i + 1][1] - stops[i][1]));
  *b = (guint8) (stops[i][2] + f * (stops[i + 1][2] - stops[i][2]));
}

/* --- drawing --------------------------------------------------------------- */

static void
draw_waveform (SoundstyleSoundView *self,
               cairo_t             *cr,
               double               width,
               double               height,
               const GdkRGBA       *colour)
{
  double middle = height / 2;

  gdk_cairo_set_source_rgba (cr, colour);
  cairo_move_to (cr, 0, middle);
  for (int i = 0; i < N_COLUMNS; i++)
    cairo_line_to (cr, i * width / (N_COLUMNS - 1), middle - CLAMP (self->wave_max[i], -1, 1) * middle);
  for (int i = N_COLUMNS - 1; i >= 0; i--)
    cairo_line_to (cr, i * width / (N_COLUMNS - 1), middle - CLAMP (self->wave_min[i], -1, 1) * middle);
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
draw_spectrogram (SoundstyleSoundView *self,
                  cairo_t             *cr,
                  double               y,
                  double               width,
                  double               height)
{
  double scale_x = width / cairo_image_surface_get_width (self->spectrogram);
  double scale_y = height / cairo_image_surface_get_height (self->spectrogram);

  cairo_save (cr);
  cairo_rectangle (cr, 0, y, width, height);
  cairo_clip (cr);
  cairo_translate (cr, 0, y);
  cairo_scale (cr, scale_x, scale_y);
  cairo_set_source_surface (cr, self->spectrogram, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
soundstyle_sound_view_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  SoundstyleSoundView *self = SOUNDSTYLE_SOUND_VIEW (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double wave_height;
  cairo_t *cr;
  GdkRGBA colour;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, &colour);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &colour);
#endif

  wave_height = self->spectrogram ? height * 0.4 : height;

  if (self->has_sound)
    {
      GdkRGBA wave = colour;

      wave.alpha *= 0.8;
      draw_waveform (self, cr, width, wave_height, &wave);
    }
  else
    {
      /* A flat line: room for a sound */
      GdkRGBA faint = colour;

      faint.alpha *= 0.25;
      gdk_cairo_set_source_rgba (cr, &faint);
      cairo_rectangle (cr, 0, wave_height / 2 - 0.5, width, 1);
      cairo_fill (cr);
    }

  if (self->spectrogram != NULL)
    draw_spectrogram (self, cr, wave_height, width, height - wave_height);

  /* While recording: the input level as a bar along the bottom */
  if (self->level >= 0)
    {
      GdkRGBA meter = { 0.2, 0.82, 0.48, 1.0 };   /* GNOME green 3 */

      if (self->level > 0.9)
        meter = (GdkRGBA) { 0.88, 0.11, 0.14, 1.0 };   /* red 3: clipping */
      gdk_cairo_set_source_rgba (cr, &meter);
      cairo_rectangle (cr, 0, height - 6, width * CLAMP (self->level, 0, 1), 6);
      cairo_fill (cr);
    }

  cairo_destroy (cr);
}

static void
soundstyle_sound_view_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 280;
    }
  else
    {
      *minimum = 64;
      *natural = 96;
    }
}

/* --- GObject --------------------------------------------------------------- */

static void
soundstyle_sound_view_finalize (GObject *object)
{
  SoundstyleSoundView *self = SOUNDSTYLE_SOUND_VIEW (object);

  g_clear_pointer (&self->spectrogram, cairo_surface_destroy);

  G_OBJECT_CLASS (soundstyle_sound_view_parent_class)->finalize (object);
}

static void
soundstyle_sound_view_class_init (SoundstyleSoundViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = soundstyle_sound_view_finalize;

  widget_class->snapshot = soundstyle_sound_view_snapshot;
  widget_class->measure = soundstyle_sound_view_measure;

  gtk_widget_class_set_css_name (widget_class, "soundview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
soundstyle_sound_view_init (SoundstyleSoundView *self)
{
  self->level = -1;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

/* --- public API ------------------------------------------------------------ */

GtkWidget *
soundstyle_sound_view_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_SOUND_VIEW, NULL);
}

void
soundstyle_sound_view_set_sound (SoundstyleSoundView *self,
                                 AdisSound           *sound)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_VIEW (self));

  self->has_sound = sound != NULL;
  if (sound != NULL)
    {
      const float *samples = adis_sound_get_samples (sound);
      const int per_column = ADIS_CLIP_SAMPLES / N_COLUMNS;

      for (int c = 0; c < N_COLUMNS; c++)
        {
          float lo = 0, hi = 0;

          for (int i = c * per_column; i < (c + 1) * per_column; i++)
            {
              lo = MIN (lo, samples[i]);
              hi = MAX (hi, samples[i]);
            }
          self->wave_min[c] = lo;
          self->wave_max[c] = hi;
        }
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
soundstyle_sound_view_set_spectrogram (SoundstyleSoundView *self,
                                       const float         *magnitudes)
{
  const int bins = ADIS_STFT_BINS;
  const int frames = ADIS_STFT_FRAMES;
  double peak_db = -INFINITY;
  guint8 *data;
  int stride;

  g_return_if_fail (SOUNDSTYLE_IS_SOUND_VIEW (self));

  g_clear_pointer (&self->spectrogram, cairo_surface_destroy);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (magnitudes == NULL)
    return;

  for (int i = 0; i < bins * frames; i++)
    peak_db = MAX (peak_db, 20.0 * log10 (magnitudes[i] + 1e-6));

  self->spectrogram = cairo_image_surface_create (CAIRO_FORMAT_RGB24, frames, bins);
  cairo_surface_flush (self->spectrogram);
  data = cairo_image_surface_get_data (self->spectrogram);
  stride = cairo_image_surface_get_stride (self->spectrogram);

  /* Low frequencies at the bottom, as people expect */
  for (int bin = 0; bin < bins; bin++)
    {
      guint32 *row = (guint32 *) (data + (gsize) (bins - 1 - bin) * stride);

      for (int frame = 0; frame < frames; frame++)
        {
          double db = 20.0 * log10 (magnitudes[bin * frames + frame] + 1e-6);
          guint8 r, g, b;

          heat_colour (1.0 - (peak_db - db) / SPECTROGRAM_DB_RANGE, &r, &g, &b);
          row[frame] = ((guint32) r << 16) | ((guint32) g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (self->spectrogram);
}

void
soundstyle_sound_view_set_level (SoundstyleSoundView *self,
                                 double               level)
{
  g_return_if_fail (SOUNDSTYLE_IS_SOUND_VIEW (self));

  if (self->level == level)
    return;
  self->level = level;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
