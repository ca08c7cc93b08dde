/* main.c: the Soundstyle window's entry point
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "soundstyle-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoundstyleApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = soundstyle_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
