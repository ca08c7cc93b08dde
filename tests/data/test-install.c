/* test-install.c: `meson install` into a DESTDIR puts every file where GNOME
 * and the command line look for it, and the installed command runs
 *
 * SPDX-License-Identifier: MIT
 *
 * The installed files are checked at DESTDIR + the very paths compiled into
 * the program (SOUNDSTYLE_DATADIR), so that a real install finds its model
 * and samples; then the installed soundstyle restyles a bundled photo with a
 * bundled sound.
 */
#define G_LOG_DOMAIN "test-install"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

static struct
{
  char *tmp;
  char *root;            /* the DESTDIR */
  gboolean installed;
} fixture;

static const char *
env_or_fail (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || value[0] == '\0')
    g_error ("%s is not set; run this test through meson test", name);
  return value;
}

/* DESTDIR + an absolute installed path */
static char *
staged (const char *installed_path)
{
  return g_build_filename (fixture.root, installed_path, NULL);
}

static void
assert_staged_file (const char *installed_path)
{
  g_autofree char *path = staged (installed_path);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("%s was not installed (looked for %s)", installed_path, path);
}

static gboolean
ensure_installed (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = {
    env_or_fail ("SOUNDSTYLE_MESON"), "install",
    "-C", test_build_dir (), "--no-rebuild", "--quiet",
    "--destdir", NULL, NULL,
  };
  int status;

  if (fixture.installed)
    return TRUE;

  fixture.tmp = test_make_tmpdir ("install");
  fixture.root = g_build_filename (fixture.tmp, "root", NULL);
  argv[7] = fixture.root;

  status = test_run (argv, &out, &err);
  if (status != 0)
    g_error ("meson install failed (%d):\n%s\n%s", status, out, err);

  fixture.installed = TRUE;
  return TRUE;
}

/* Every file under a source folder, as paths relative to it */
static void
list_files (const char *base,
            const char *relative,
            GPtrArray  *out)
{
  g_autofree char *path = g_build_filename (base, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (relative, name, NULL);
      g_autofree char *child_path = g_build_filename (base, child, NULL);

      if (g_file_test (child_path, G_FILE_TEST_IS_DIR))
        list_files (base, child, out);
      else if (!g_str_equal (name, "meson.build"))
        g_ptr_array_add (out, g_steal_pointer (&child));
    }
}

/* --- the tests ------------------------------------------------------------ */

static void
test_command_and_man_page (void)
{
  g_autofree char *bin = NULL;
  g_autofree char *man = NULL;

  ensure_installed ();

  bin = g_build_filename (env_or_fail ("SOUNDSTYLE_INSTALL_BINDIR"), "soundstyle", NULL);
  man = g_build_filename (env_or_fail ("SOUNDSTYLE_INSTALL_MANDIR"), "man1", "soundstyle.1", NULL);
  assert_staged_file (bin);
  assert_staged_file (man);
}

static void
test_translations (void)
{
  g_autofree char *linguas_path = g_build_filename (test_source_dir (), "po", "LINGUAS", NULL);
  g_autofree char *linguas = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_languages = 0;

  ensure_installed ();

  g_assert_true (g_file_get_contents (linguas_path, &linguas, NULL, NULL));
  lines = g_strsplit (linguas, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *mo = NULL;
      const char *language = g_strstrip (lines[i]);

      if (language[0] == '\0' || language[0] == '#')
        continue;
      /* GNOME looks in LOCALEDIR/LANG/LC_MESSAGES/GETTEXT_PACKAGE.mo */
      mo = g_build_filename (LOCALEDIR, language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
      assert_staged_file (mo);
      n_languages++;
    }
  /* po/LINGUAS names German, French and Simplified Chinese at least */
  g_assert_cmpuint (n_languages, >=, 3);
  g_test_message ("%u translations installed", n_languages);
}

static void
test_desktop_integration (void)
{
  const char *datadir = env_or_fail ("SOUNDSTYLE_INSTALL_DATADIR");
  const char *files[] = {
    "applications/" APPLICATION_ID ".desktop",
    "metainfo/" APPLICATION_ID ".metainfo.xml",
    "dbus-1/services/" APPLICATION_ID ".service",
    "icons/hicolor/scalable/apps/" APPLICATION_ID ".svg",
    "icons/hicolor/symbolic/apps/" APPLICATION_ID "-symbolic.svg",
  };
  g_autofree char *schema_dir = NULL;
  g_autofree char *staged_schema_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gboolean have_schema = FALSE;

  if (!g_str_equal (env_or_fail ("SOUNDSTYLE_GUI"), "true"))
    {
      g_test_skip ("built without the window (-Dgui=false): no desktop files to install");
      return;
    }

  ensure_installed ();

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (datadir, files[i], NULL);
      assert_staged_file (path);
    }

  /* and the window that the desktop file and D-Bus service start */
  {
    g_autofree char *window = g_build_filename (env_or_fail ("SOUNDSTYLE_INSTALL_BINDIR"),
                                                env_or_fail ("SOUNDSTYLE_GUI_BINARY"), NULL);
    assert_staged_file (window);
  }

  /* The window's settings schema, once the repository has one */
  {
    g_autofree char *source_data = g_build_filename (test_source_dir (), "data", NULL);
    g_autoptr(GDir) source_dir = g_dir_open (source_data, 0, NULL);
    gboolean source_has_schema = FALSE;

    while (source_dir != NULL && (name = g_dir_read_name (source_dir)) != NULL)
      source_has_schema |= g_str_has_suffix (name, ".gschema.xml");
    if (!source_has_schema)
      return;
  }

  schema_dir = g_build_filename (datadir, "glib-2.0", "schemas", NULL);
  staged_schema_dir = staged (schema_dir);
  dir = g_dir_open (staged_schema_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    have_schema |= g_str_has_suffix (name, ".gschema.xml");
  g_assert_true (have_schema);
}

/* The default model and every sample land under the data folder that the
 * program was compiled to search */
static void
test_data_files (void)
{
  g_autofree char *source_model = g_build_filename (test_source_dir (), "resources", "models",
                                                    "default.safetensors", NULL);
  g_autofree char *source_samples = g_build_filename (test_source_dir (), "resources", "samples", NULL);
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func (g_free);

  ensure_installed ();

  if (g_file_test (source_model, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *model = g_build_filename (SOUNDSTYLE_DATADIR, "models", "default.safetensors", NULL);
      assert_staged_file (model);
    }
  else
    g_test_message ("no resources/models/default.safetensors in the repository yet");

  list_files (source_samples, "", samples);
  for (guint i = 0; i < samples->len; i++)
    {
      g_autofree char *sample = g_build_filename (SOUNDSTYLE_DATADIR, "samples",
                                                  (char *) samples->pdata[i], NULL);
      assert_staged_file (sample);
    }
  g_test_message ("%u sample files installed", samples->len);
}

static char *
first_sample (const char *const *suffixes)
{
  g_autofree char *dir = g_build_filename (SOUNDSTYLE_DATADIR, "samples", NULL);
  g_autofree char *staged_dir = staged (dir);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  list_files (staged_dir, "", files);
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < files->len; i++)
    for (guint j = 0; suffixes[j] != NULL; j++)
      if (g_str_has_suffix ((char *) files->pdata[i], suffixes[j]))
        return g_build_filename (staged_dir, (char *) files->pdata[i], NULL);
  return NULL;
}

/* The installed command restyles a bundled photo with a bundled sound, with
 * the installed default model or, until there is one, a tiny model that it
 * trains itself */
static void
test_installed_command_runs (void)
{
  const char *photo_suffixes[] = { ".jpg", ".jpeg", ".png", NULL };
  const char *sound_suffixes[] = { ".ogg", ".oga", ".wav", ".flac", NULL };
  g_autofree char *bin = NULL;
  g_autofree char *installed_model = NULL;
  g_autofree char *model = NULL;
  g_autofree char *photo = NULL;
  g_autofree char *sound = NULL;
  g_autofree char *output = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(AdisImage) result = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  ensure_installed ();

  photo = first_sample (photo_suffixes);
  sound = first_sample (sound_suffixes);
  if (photo == NULL || sound == NULL)
    {
      g_test_skip ("no bundled photo and sound in resources/samples yet");
      return;
    }

  {
    g_autofree char *bin_dir = staged (env_or_fail ("SOUNDSTYLE_INSTALL_BINDIR"));
    bin = g_build_filename (bin_dir, "soundstyle", NULL);
  }

  installed_model = g_build_filename (SOUNDSTYLE_DATADIR, "models", "default.safetensors", NULL);
  model = staged (installed_model);
  if (!g_file_test (model, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *dataset = test_make_tiny_dataset (fixture.tmp, 4, 32);
      const char *train[] = { bin, "train", dataset, "--preset", "tiny", "--size", "32",
                              "--batch", "2", "--max-steps", "2", "--seed", "1",
                              "--output", NULL, NULL };

      g_free (model);
      model = g_build_filename (fixture.tmp, "tiny.safetensors", NULL);
      train[14] = model;
      status = test_run (train, &out, &err);
      if (status != 0)
        g_error ("installed soundstyle train failed (%d): %s", status, err);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }

  {
    const char *info[] = { bin, "info", model, NULL };

    status = test_run (info, &out, &err);
    if (status != 0)
      g_error ("installed soundstyle info failed (%d): %s", status, err);
    g_assert_nonnull (strstr (out, "Preset:"));
    g_assert_nonnull (strstr (out, "Sample rate:"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  output = g_build_filename (fixture.tmp, "restyled.png", NULL);
  {
    const char *stylize[] = { bin, "stylize", "--model", model, "--image", photo,
                              "--audio", sound, "--size", "64", "--output", output, NULL };

    status = test_run (stylize, &out, &err);
    if (status != 0)
      g_error ("installed soundstyle stylize failed (%d): %s", status, err);
  }

  result = adis_image_load (output, &error);
  g_assert_no_error (error);
  g_assert_cmpint (MAX (adis_image_get_width (result), adis_image_get_height (result)), ==, 64);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The installed command must not pick up a developer's model */
  g_unsetenv ("SOUNDSTYLE_MODEL");

  g_test_add_func ("/install/command-and-man-page", test_command_and_man_page);
  g_test_add_func ("/install/translations", test_translations);
  g_test_add_func ("/install/desktop-integration", test_desktop_integration);
  g_test_add_func ("/install/data-files", test_data_files);
  g_test_add_func ("/install/installed-command-runs", test_installed_command_runs);

  status = g_test_run ();

  if (fixture.tmp != NULL)
    test_rm_rf (fixture.tmp);
  g_free (fixture.tmp);
  g_free (fixture.root);
  return status;
}
