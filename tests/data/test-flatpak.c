/* test-flatpak.c: the Flatpak manifest parses, names only files that exist,
 * and agrees with the desktop file and metainfo
 *
 * SPDX-License-Identifier: MIT
 *
 * Building the Flatpak needs Flathub's runtime and the internet; this checks
 * what can be checked without them: flatpak-builder reads the manifest, every
 * local source path exists, every download is pinned to an https URL and a
 * well-formed sha256, the app id and command match the desktop integration
 * files, and the sandbox asks for nothing beyond what the app uses.
 */
#define G_LOG_DOMAIN "test-flatpak"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "test-util.h"

static JsonParser *parser;

static const char *
env_or_fail (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || value[0] == '\0')
    g_error ("%s is not set; run this test through meson test", name);
  return value;
}

static char *
manifest_path (void)
{
  g_autofree char *name = g_strdup_printf ("%s.json", env_or_fail ("SOUNDSTYLE_BASE_APP_ID"));

  return g_build_filename (test_source_dir (), "flatpak", name, NULL);
}

static JsonObject *
manifest (void)
{
  if (parser == NULL)
    {
      g_autofree char *path = manifest_path ();
      g_autoptr(GError) error = NULL;

      parser = json_parser_new ();
      if (!json_parser_load_from_file (parser, path, &error))
        g_error ("%s: %s", path, error->message);
    }
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_flatpak_builder_reads_it (void)
{
  g_autofree char *builder = g_find_program_in_path ("flatpak-builder");
  g_autofree char *path = manifest_path ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "flatpak-builder", "--show-manifest", path, NULL };

  if (builder == NULL)
    {
      g_test_skip ("flatpak-builder is not installed");
      return;
    }

  if (test_run (argv, &out, &err) != 0)
    g_error ("flatpak-builder --show-manifest %s failed: %s", path, err);
  g_assert_nonnull (strstr (out, env_or_fail ("SOUNDSTYLE_BASE_APP_ID")));
}

static void
test_app_id_and_command (void)
{
  JsonObject *root = manifest ();
  const char *app_id = env_or_fail ("SOUNDSTYLE_BASE_APP_ID");
  g_autofree char *desktop_in = NULL;
  g_autofree char *metainfo_in = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *metainfo = NULL;

  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, app_id);
  g_assert_cmpstr (json_object_get_string_member (root, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (json_object_get_string_member (root, "sdk"), ==, "org.gnome.Sdk");
  /* The command is the window, which the desktop file starts too */
  g_assert_cmpstr (json_object_get_string_member (root, "command"), ==,
                   env_or_fail ("SOUNDSTYLE_GUI_BINARY"));

  /* The desktop file, metainfo and icon are named after the same id */
  desktop_in = g_strdup_printf ("%s/data/%s.desktop.in.in", test_source_dir (), app_id);
  metainfo_in = g_strdup_printf ("%s/data/%s.metainfo.xml.in.in", test_source_dir (), app_id);
  icon = g_strdup_printf ("%s/data/icons/hicolor/scalable/apps/%s.svg", test_source_dir (), app_id);
  g_assert_true (g_file_test (desktop_in, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (metainfo_in, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (icon, G_FILE_TEST_IS_REGULAR));

  /* and the built metainfo says so, with the desktop file as its launchable */
  if (g_str_equal (APPLICATION_ID, app_id))
    {
      g_autofree char *built = g_strdup_printf ("%s/data/%s.metainfo.xml", test_build_dir (), app_id);
      g_autofree char *id_element = g_strdup_printf ("<id>%s</id>", app_id);
      g_autofree char *launchable = g_strdup_printf (">%s.desktop</launchable>", app_id);

      g_assert_true (g_file_get_contents (built, &metainfo, NULL, NULL));
      g_assert_nonnull (strstr (metainfo, id_element));
      g_assert_nonnull (strstr (metainfo, launchable));
    }
}

/* Exactly these, in any order: files go through the portal */
static void
test_finish_args (void)
{
  const char *expected[] = {
    "--share=ipc", "--socket=wayland", "--socket=fallback-x11",
    "--device=dri", "--socket=pulseaudio",
  };
  JsonArray *args = json_object_get_array_member (manifest (), "finish-args");

  g_assert_cmpuint (json_array_get_length (args), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (args); j++)
        found |= g_str_equal (json_array_get_string_element (args, j), expected[i]);
      if (!found)
        g_error ("finish-args lacks %s", expected[i]);
    }
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static void
check_source (const char *module,
              JsonObject *source,
              guint      *n_local,
              guint      *n_downloads)
{
  g_autofree char *flatpak_dir = g_build_filename (test_source_dir (), "flatpak", NULL);

  if (json_object_has_member (source, "path"))
    {
      /* Paths are relative to the manifest's folder */
      g_autofree char *path = g_build_filename (flatpak_dir,
                                                json_object_get_string_member (source, "path"), NULL);
      g_autofree char *canonical = g_canonicalize_filename (path, NULL);

      if (!g_file_test (canonical, G_FILE_TEST_EXISTS))
        g_error ("module %s names %s, which does not exist", module, canonical);
      (*n_local)++;
    }

  if (json_object_has_member (source, "url"))
    {
      const char *url = json_object_get_string_member (source, "url");
      const char *sha = json_object_get_string_member_with_default (source, "sha256", NULL);

      if (!g_str_has_prefix (url, "https://"))
        g_error ("module %s downloads from %s, not an https URL", module, url);
      if (!is_sha256 (sha))
        g_error ("module %s: %s has no well-formed sha256 (64 lower-case hex digits)", module, url);
      (*n_downloads)++;
    }
}

static void
test_sources (void)
{
  JsonArray *modules = json_object_get_array_member (manifest (), "modules");
  gboolean have_app = FALSE;
  guint n_local = 0;
  guint n_downloads = 0;

  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonObject *module = json_array_get_object_element (modules, i);
      const char *name = json_object_get_string_member (module, "name");
      JsonArray *sources = json_object_get_array_member (module, "sources");

      for (guint j = 0; j < json_array_get_length (sources); j++)
        check_source (name, json_array_get_object_element (sources, j), &n_local, &n_downloads);

      if (g_str_equal (name, "soundstyle"))
        {
          have_app = TRUE;
          /* The app's own tests run inside the SDK as it builds */
          g_assert_true (json_object_get_boolean_member_with_default (module, "run-tests", FALSE));
        }
    }

  g_test_message ("%u local sources, %u pinned downloads", n_local, n_downloads);
  g_assert_true (have_app);
  g_assert_cmpuint (n_local, >=, 1);
  g_assert_cmpuint (n_downloads, >=, 3);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/flatpak/flatpak-builder-reads-it", test_flatpak_builder_reads_it);
  g_test_add_func ("/flatpak/app-id-and-command", test_app_id_and_command);
  g_test_add_func ("/flatpak/finish-args", test_finish_args);
  g_test_add_func ("/flatpak/sources", test_sources);

  status = g_test_run ();
  g_clear_object (&parser);
  return status;
}
