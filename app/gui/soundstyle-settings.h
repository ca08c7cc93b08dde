/* soundstyle-settings.h: the app's GSettings, installed or not
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "adis.h"

G_BEGIN_DECLS

/* The installed schema when there is one; otherwise the one compiled into
 * the build folder, so an uninstalled run (the README's main command) works
 * without GSETTINGS_SCHEMA_DIR. */
GSettings   *soundstyle_settings_new        (void);

/* The "device" key as the engine's device */
AdisDevice   soundstyle_settings_get_device (GSettings *settings);

G_END_DECLS
