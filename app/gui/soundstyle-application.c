/* soundstyle-application.c: the application: actions, about, preferences
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <glib/gi18n.h>

#include "soundstyle-application.h"
#include "soundstyle-preferences.h"
#include "soundstyle-samples.h"
#include "soundstyle-settings.h"
#include "soundstyle-window.h"

struct _SoundstyleApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (SoundstyleApplication, soundstyle_application, ADW_TYPE_APPLICATION)

static SoundstyleWindow *
get_or_create_window (SoundstyleApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (soundstyle_window_new (self));
  return SOUNDSTYLE_WINDOW (window);
}

/* --- actions --------------------------------------------------------------- */

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SoundstyleApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing each window lets it save its size */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  SoundstyleApplication *self = user_data;
  static const char *developers[] = { "The Soundstyle contributors", NULL };
  g_autofree char *credits = soundstyle_samples_read_credits ();
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (about),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  adw_about_window_set_application_name (about, _("Soundstyle"));
  adw_about_window_set_application_icon (about, APPLICATION_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developer_name (about, _("The Soundstyle contributors"));
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_license_type (about, GTK_LICENSE_MIT_X11);
  adw_about_window_set_website (about, "https://github.com/soundstyle/soundstyle");
  adw_about_window_set_comments (about,
                                 _("Restyle a photo to match a sound: rain makes it rainy, "
                                   "birdsong makes it sunny, louder makes it stronger.\n\n"
                                   "Based on “Learning Visual Styles from Audio-Visual "
                                   "Associations” by Tingle Li, Yichen Liu, Andrew Owens "
                                   "and Hang Zhao (ECCV 2022)."));
  /* Translators: replace with your names, one per line */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  /* The license text is Pango markup: the credits hold e-mail addresses
   * in <...> and ampersands */
  if (credits != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (credits, -1);

      adw_about_window_add_legal_section (about, _("Bundled Sounds and Photos"), NULL,
                                          GTK_LICENSE_CUSTOM, escaped);
    }
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SoundstyleApplication *self = user_data;
  GtkWidget *preferences = soundstyle_preferences_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
};

/* --- GApplication ---------------------------------------------------------- */

static void
soundstyle_application_startup (GApplication *application)
{
  SoundstyleApplication *self = SOUNDSTYLE_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (soundstyle_application_parent_class)->startup (application);

  g_set_application_name (_("Soundstyle"));
  gtk_window_set_default_icon_name (APPLICATION_ID);

  self->settings = soundstyle_settings_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
}

static void
soundstyle_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (get_or_create_window (SOUNDSTYLE_APPLICATION (application))));
}

/* soundstyle-window PHOTO opens the photo */
static void
soundstyle_application_open (GApplication  *application,
                             GFile        **files,
                             int            n_files,
                             const char    *hint)
{
  SoundstyleWindow *window = get_or_create_window (SOUNDSTYLE_APPLICATION (application));

  if (n_files > 0)
    soundstyle_window_open_photo (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

static int
soundstyle_application_handle_local_options (GApplication *application,
                                             GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", g_get_prgname (), PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

static void
soundstyle_application_finalize (GObject *object)
{
  SoundstyleApplication *self = SOUNDSTYLE_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (soundstyle_application_parent_class)->finalize (object);
}

static void
soundstyle_application_class_init (SoundstyleApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = soundstyle_application_finalize;
  app_class->startup = soundstyle_application_startup;
  app_class->activate = soundstyle_application_activate;
  app_class->open = soundstyle_application_open;
  app_class->handle_local_options = soundstyle_application_handle_local_options;
}

static void
soundstyle_application_init (SoundstyleApplication *self)
{
  static const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[PHOTO]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Restyle a photo to match a sound."));
}

/* --- public API ------------------------------------------------------------ */

SoundstyleApplication *
soundstyle_application_new (void)
{
  return g_object_new (SOUNDSTYLE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/soundstyle/Soundstyle",
                       NULL);
}

GSettings *
soundstyle_application_get_settings (SoundstyleApplication *self)
{
  g_return_val_if_fail (SOUNDSTYLE_IS_APPLICATION (self), NULL);

  return self->settings;
}
