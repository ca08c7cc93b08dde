/* test-manpage.c: the generated soundstyle(1) covers every command and option
 *
 * SPDX-License-Identifier: MIT
 *
 * The page is made at build time from the --help texts
 * (build-aux/make-manpage.py); this reads the same texts from the built
 * program and checks that nothing in them is missing from the page, and
 * that man(1) formats it without a warning.
 */
#define G_LOG_DOMAIN "test-manpage"

#include "config.h"

#include <string.h>

#include "test-util.h"

static char *page;

static const char *
manpage (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (page != NULL)
    return page;

  path = g_build_filename (test_build_dir (), "data", "soundstyle.1", NULL);
  if (!g_file_get_contents (path, &page, NULL, &error))
    g_error ("The man page was not generated: %s", error->message);
  return page;
}

static char *
help_of (const char *command)
{
  const char *argv[] = { test_soundstyle_bin (), command ? command : "--help",
                         command ? "--help" : NULL, NULL };
  char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (test_run (argv, &out, &err), ==, 0);
  return out;
}

/* The names under "Commands:" in soundstyle --help */
static GPtrArray *
commands (void)
{
  g_autofree char *help = help_of (NULL);
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  gboolean in_commands = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Commands:"))
        {
          in_commands = TRUE;
          continue;
        }
      if (!in_commands)
        continue;
      if (!g_str_has_prefix (lines[i], "  ") || lines[i][2] == ' ')
        break;
      {
        g_auto(GStrv) words = g_strsplit (lines[i] + 2, " ", 2);
        g_ptr_array_add (names, g_strdup (words[0]));
      }
    }

  g_assert_cmpuint (names->len, >=, 5);
  return names;
}

/* roff writes a hyphen as \- */
static char *
roff_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-')
        g_string_append (out, "\\-");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
test_header (void)
{
  g_autofree char *header = g_strdup_printf ("\"soundstyle %s\"", PACKAGE_VERSION);

  g_assert_true (g_str_has_prefix (manpage (), ".TH SOUNDSTYLE 1 "));
  g_assert_nonnull (strstr (manpage (), header));
  g_assert_nonnull (strstr (manpage (), ".SH NAME\n"));
  g_assert_nonnull (strstr (manpage (), ".SH SYNOPSIS\n"));
  g_assert_nonnull (strstr (manpage (), ".SH EXIT STATUS\n"));
}

static void
test_every_command (void)
{
  g_autoptr(GPtrArray) names = commands ();

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *escaped = roff_escape (names->pdata[i]);
      g_autofree char *upper = g_ascii_strup (escaped, -1);
      g_autofree char *listed = g_strdup_printf ("\\fB%s\\fR\n", escaped);
      g_autofree char *section = g_strdup_printf (".SH \"SOUNDSTYLE %s\"\n", upper);

      g_test_message ("command %s", (char *) names->pdata[i]);
      g_assert_nonnull (strstr (manpage (), listed));
      g_assert_nonnull (strstr (manpage (), section));
    }
}

/* Every long option of every command, as --help lists it */
static void
test_every_option (void)
{
  g_autoptr(GPtrArray) names = commands ();
  g_autoptr(GRegex) option = g_regex_new ("^\\s+(?:-\\w, )?(--[\\w-]+)", G_REGEX_MULTILINE, 0, NULL);
  guint n_options = 0;

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *help = help_of (names->pdata[i]);
      g_autoptr(GMatchInfo) match = NULL;

      g_regex_match (option, help, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *name = g_match_info_fetch (match, 1);
          g_autofree char *escaped = roff_escape (name);

          if (strstr (manpage (), escaped) == NULL)
            g_error ("%s of “soundstyle %s” is not in the man page", name, (char *) names->pdata[i]);
          n_options++;
          g_match_info_next (match, NULL);
        }
    }

  g_test_message ("%u options found in the man page", n_options);
  g_assert_cmpuint (n_options, >=, 20);
}

static void
test_formats_cleanly (void)
{
  g_autofree char *path = g_build_filename (test_build_dir (), "data", "soundstyle.1", NULL);
  g_autofree char *man = g_find_program_in_path ("man");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "man", "--warnings", "-l", "-Tutf8", path, NULL };

  if (man == NULL)
    {
      g_test_skip ("man is not installed");
      return;
    }

  g_assert_cmpint (test_run (argv, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  /* Bold text comes back overstruck, so only its size is checked */
  g_assert_cmpuint (strlen (out), >, 4000);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  g_test_add_func ("/manpage/header", test_header);
  g_test_add_func ("/manpage/every-command", test_every_command);
  g_test_add_func ("/manpage/every-option", test_every_option);
  g_test_add_func ("/manpage/formats-cleanly", test_formats_cleanly);

  status = g_test_run ();
  g_free (page);
  return status;
}
