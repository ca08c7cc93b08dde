/* test-metainfo.c: what appstreamcli cannot check offline in the metainfo
 *
 * SPDX-License-Identifier: MIT
 *
 * The screenshot URLs point into this repository (they resolve once it is
 * published): each must name a PNG that is here, with the size the metainfo
 * declares and a caption. The newest release must be this version.
 */
#define G_LOG_DOMAIN "test-metainfo"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "test-util.h"

#define REPOSITORY_URL "https://raw.githubusercontent.com/soundstyle/soundstyle/main/"

typedef struct
{
  char    *url;
  int      width;
  int      height;
  gboolean has_caption;
  gboolean is_default;
} Screenshot;

typedef struct
{
  GPtrArray *screenshots;
  GPtrArray *releases;       /* "VERSION DATE", newest first as written */
  Screenshot *current;
  gboolean    in_image;
  gboolean    in_caption;
  gboolean    in_releases;
} Metainfo;

static void
screenshot_free (Screenshot *screenshot)
{
  g_free (screenshot->url);
  g_free (screenshot);
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], wanted))
      return values[i];
  return NULL;
}

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  Metainfo *info = user_data;

  if (g_str_equal (element, "screenshot"))
    {
      info->current = g_new0 (Screenshot, 1);
      info->current->is_default = g_strcmp0 (attribute (names, values, "type"), "default") == 0;
      g_ptr_array_add (info->screenshots, info->current);
    }
  else if (g_str_equal (element, "image") && info->current != NULL)
    {
      const char *width = attribute (names, values, "width");
      const char *height = attribute (names, values, "height");

      info->in_image = TRUE;
      info->current->width = width ? atoi (width) : 0;
      info->current->height = height ? atoi (height) : 0;
    }
  else if (g_str_equal (element, "caption") && info->current != NULL)
    info->in_caption = TRUE;
  else if (g_str_equal (element, "releases"))
    info->in_releases = TRUE;
  else if (g_str_equal (element, "release") && info->in_releases)
    g_ptr_array_add (info->releases,
                     g_strdup_printf ("%s %s", attribute (names, values, "version"),
                                      attribute (names, values, "date")));
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  Metainfo *info = user_data;

  if (g_str_equal (element, "screenshot"))
    info->current = NULL;
  else if (g_str_equal (element, "image"))
    info->in_image = FALSE;
  else if (g_str_equal (element, "caption"))
    info->in_caption = FALSE;
  else if (g_str_equal (element, "releases"))
    info->in_releases = FALSE;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  Metainfo *info = user_data;
  g_autofree char *stripped = g_strstrip (g_strndup (text, length));

  if (info->current == NULL || stripped[0] == '\0')
    return;
  if (info->in_image)
    {
      g_free (info->current->url);
      info->current->url = g_steal_pointer (&stripped);
    }
  else if (info->in_caption)
    info->current->has_caption = TRUE;
}

static void
parse (Metainfo *info)
{
  g_autofree char *name = g_strdup_printf ("%s.metainfo.xml", APPLICATION_ID);
  g_autofree char *path = g_build_filename (test_build_dir (), "data", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("The metainfo was not built: %s", error->message);

  info->screenshots = g_ptr_array_new_with_free_func ((GDestroyNotify) screenshot_free);
  info->releases = g_ptr_array_new_with_free_func (g_free);
  context = g_markup_parse_context_new (&parser, 0, info, NULL);
  if (!g_markup_parse_context_parse (context, text, -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    g_error ("%s: %s", path, error->message);
}

static void
test_screenshots (void)
{
  Metainfo info = { 0 };
  guint n_default = 0;

  parse (&info);
  g_assert_cmpuint (info.screenshots->len, >=, 2);

  for (guint i = 0; i < info.screenshots->len; i++)
    {
      Screenshot *screenshot = info.screenshots->pdata[i];
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      int width = 0;
      int height = 0;

      g_assert_nonnull (screenshot->url);
      if (!g_str_has_prefix (screenshot->url, REPOSITORY_URL))
        g_error ("screenshot %s is not in the repository (%s…)", screenshot->url, REPOSITORY_URL);
      path = g_build_filename (test_source_dir (), screenshot->url + strlen (REPOSITORY_URL), NULL);
      if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL)
        g_error ("screenshot %s: no image at %s", screenshot->url, path);
      g_test_message ("%s: %d×%d", path, width, height);
      g_assert_cmpint (width, ==, screenshot->width);
      g_assert_cmpint (height, ==, screenshot->height);
      if (!screenshot->has_caption)
        g_error ("screenshot %s has no caption", screenshot->url);
      n_default += screenshot->is_default;
    }
  g_assert_cmpuint (n_default, ==, 1);

  g_ptr_array_unref (info.screenshots);
  g_ptr_array_unref (info.releases);
}

static void
test_release (void)
{
  Metainfo info = { 0 };
  g_auto(GStrv) newest = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *iso = NULL;

  parse (&info);
  g_assert_cmpuint (info.releases->len, >=, 1);

  newest = g_strsplit (info.releases->pdata[0], " ", 2);
  g_assert_cmpstr (newest[0], ==, PACKAGE_VERSION);
  iso = g_strdup_printf ("%sT00:00:00Z", newest[1]);
  date = g_date_time_new_from_iso8601 (iso, NULL);
  if (date == NULL)
    g_error ("release %s has no YYYY-MM-DD date", (char *) info.releases->pdata[0]);

  g_ptr_array_unref (info.screenshots);
  g_ptr_array_unref (info.releases);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metainfo/screenshots", test_screenshots);
  g_test_add_func ("/metainfo/release", test_release);

  return g_test_run ();
}
