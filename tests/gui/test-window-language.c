/* test-window-language.c: the window speaks the user's language
 *
 * SPDX-License-Identifier: MIT
 *
 * Runs the window under Xvfb with LANGUAGE=de (and LC_ALL=C.UTF-8, which
 * every Debian system has: gettext honours LANGUAGE under it, though not
 * under plain "C") against the catalogs built in this build folder, and
 * checks that a text from a .ui template and one made in C come out in
 * German. The model is a broken file, so the window stops at its no-model
 * page without training anything.
 */
#define G_LOG_DOMAIN "test-window-language"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "soundstyle-application.h"
#include "soundstyle-window.h"
#include "test-util.h"

#define WAIT_SECONDS 120

static char *tmp_dir;

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
no_model_shown (SoundstyleWindow *window)
{
  return g_strcmp0 (soundstyle_window_get_page (window), "no-model") == 0;
}

/* The status pages anywhere under widget */
static void
collect_status_pages (GtkWidget *widget,
                      GPtrArray *pages)
{
  if (ADW_IS_STATUS_PAGE (widget))
    g_ptr_array_add (pages, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_status_pages (child, pages);
}

static void
test_german (void)
{
  g_autoptr(SoundstyleApplication) app = NULL;
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  SoundstyleWindow *window;
  AdwStatusPage *no_model = NULL;
  gint64 deadline;
  guint source;

  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "de");
  /* The catalog itself, before any widget: gettext finds the German one */
  g_assert_cmpstr (_("No Model Found"), ==, "Kein Modell gefunden");

  app = soundstyle_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = soundstyle_window_new (app);
  gtk_window_present (GTK_WINDOW (window));

  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  source = g_timeout_add (20, wake_up, NULL);
  while (!no_model_shown (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the no-model page");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (source);

  collect_status_pages (GTK_WIDGET (window), pages);
  for (guint i = 0; i < pages->len; i++)
    {
      const char *title = adw_status_page_get_title (g_ptr_array_index (pages, i));

      g_test_message ("status page: %s", title);
      /* No page may still carry the English title */
      g_assert_cmpstr (title, !=, "No Model Found");
      if (g_strcmp0 (title, "Kein Modell gefunden") == 0)
        no_model = g_ptr_array_index (pages, i);
    }
  /* The title from ui/soundstyle-window.ui ... */
  g_assert_nonnull (no_model);
  /* ... and the description the window's C code wrote with _() */
  g_test_message ("description: %s", adw_status_page_get_description (no_model));
  g_assert_true (g_str_has_prefix (adw_status_page_get_description (no_model),
                                   "Das Modell „broken.safetensors“ lässt sich nicht laden: "));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = g_build_filename (test_build_dir (), "po", NULL);
  g_autofree char *broken = NULL;
  int status;

  /* Before GTK starts threads: a model file that will not load */
  tmp_dir = test_make_tmpdir ("soundstyle-language");
  broken = g_build_filename (tmp_dir, "broken.safetensors", NULL);
  g_assert_true (g_file_set_contents (broken, "not a model", -1, NULL));
  g_setenv ("SOUNDSTYLE_MODEL", broken, TRUE);

  /* As main.c does, with the catalogs of this build instead of LOCALEDIR */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/soundstyle/gui/language/german", test_german);
  status = g_test_run ();
  test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return status;
}
