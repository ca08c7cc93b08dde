/* soundstyle-application.h: the application: actions, about, preferences
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SOUNDSTYLE_TYPE_APPLICATION (soundstyle_application_get_type ())

G_DECLARE_FINAL_TYPE (SoundstyleApplication, soundstyle_application, SOUNDSTYLE, APPLICATION, AdwApplication)

SoundstyleApplication *soundstyle_application_new          (void);
GSettings             *soundstyle_application_get_settings (SoundstyleApplication *self);

G_END_DECLS
