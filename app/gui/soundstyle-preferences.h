/* soundstyle-preferences.h: the preferences window
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_PREFERENCES (soundstyle_preferences_get_type ())

G_DECLARE_FINAL_TYPE (SoundstylePreferences, soundstyle_preferences, SOUNDSTYLE, PREFERENCES, AdwPreferencesWindow)

GtkWidget *soundstyle_preferences_new (GSettings *settings);

G_END_DECLS
