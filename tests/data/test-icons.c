/* test-icons.c: the app icons load as the icon theme will load them
 *
 * SPDX-License-Identifier: MIT
 *
 * Each SVG is rendered through gdk-pixbuf (librsvg's loader, what GTK uses)
 * at the sizes GNOME shows it: it must draw something, fill most of the
 * GNOME icon grid, and the symbolic one must use a single colour, since the
 * theme recolours it.
 */
#define G_LOG_DOMAIN "test-icons"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "test-util.h"

typedef struct
{
  guint  n_opaque;
  guint  n_pixels;
  guint  n_colours;      /* distinct colours among opaque pixels, up to 8 */
  guint  colours[8];
} Coverage;

static GdkPixbuf *
render (const char *relative,
        int         size)
{
  g_autofree char *path = g_build_filename (test_source_dir (), "data", "icons", "hicolor",
                                            relative, NULL);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file_at_size (path, size, size, &error);

  if (pixbuf == NULL)
    g_error ("%s does not render: %s", path, error->message);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, size);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, size);
  g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
  return pixbuf;
}

static Coverage
coverage_of (GdkPixbuf *pixbuf)
{
  Coverage coverage = { 0 };
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n_channels = gdk_pixbuf_get_n_channels (pixbuf);

  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pixbuf); x++)
      {
        const guint8 *p = pixels + y * stride + x * n_channels;
        guint colour = (p[0] << 16) | (p[1] << 8) | p[2];
        gboolean seen = FALSE;

        coverage.n_pixels++;
        /* Fully opaque pixels only: edges blend with the background */
        if (p[3] != 255)
          continue;
        coverage.n_opaque++;
        for (guint i = 0; i < coverage.n_colours; i++)
          seen |= coverage.colours[i] == colour;
        if (!seen && coverage.n_colours < G_N_ELEMENTS (coverage.colours))
          coverage.colours[coverage.n_colours++] = colour;
      }
  return coverage;
}

static void
check_app_icon (const char *name)
{
  g_autofree char *relative = g_strdup_printf ("scalable/apps/%s.svg", name);
  const int sizes[] = { 16, 32, 64, 128, 256 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = render (relative, sizes[i]);
      Coverage coverage = coverage_of (pixbuf);

      g_test_message ("%s at %d: %u of %u pixels opaque, %s%u colours", name, sizes[i],
                      coverage.n_opaque, coverage.n_pixels,
                      coverage.n_colours == G_N_ELEMENTS (coverage.colours) ? "at least " : "",
                      coverage.n_colours);
      /* A full-colour icon on the grid covers roughly half the canvas or more */
      g_assert_cmpuint (coverage.n_opaque, >, coverage.n_pixels * 4 / 10);
      if (sizes[i] >= 64)
        g_assert_cmpuint (coverage.n_colours, >=, 5);
    }
}

static void
test_app_icon (void)
{
  check_app_icon ("io.github.soundstyle.Soundstyle");
}

static void
test_devel_icon (void)
{
  check_app_icon ("io.github.soundstyle.Soundstyle.Devel");
}

static void
test_symbolic_icon (void)
{
  g_autoptr(GdkPixbuf) pixbuf = render ("symbolic/apps/io.github.soundstyle.Soundstyle-symbolic.svg", 16);
  Coverage coverage = coverage_of (pixbuf);

  g_test_message ("symbolic: %u of %u pixels opaque", coverage.n_opaque, coverage.n_pixels);
  g_assert_cmpuint (coverage.n_opaque, >, 20);
  g_assert_cmpuint (coverage.n_colours, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/icons/app", test_app_icon);
  g_test_add_func ("/icons/devel", test_devel_icon);
  g_test_add_func ("/icons/symbolic", test_symbolic_icon);

  return g_test_run ();
}
