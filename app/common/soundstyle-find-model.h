/* soundstyle-find-model.h: the one place that decides which model file to use
 *
 * SPDX-License-Identifier: MIT
 *
 * Shared by the command line and the window so that both look in the same
 * places in the same order.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The given path, else $SOUNDSTYLE_MODEL, else the installed default, else
 * the source tree's resources/models/default.safetensors. A set but dangling
 * $SOUNDSTYLE_MODEL, or no model anywhere, is ADIS_ERROR_INVALID_INPUT. */
char        *soundstyle_find_model          (const char  *given,
                                             GError     **error);

/* Where the bundled data lives: the installed data dir when it holds
 * `what` (e.g. "samples"), else the source tree's resources/ folder (an
 * uninstalled run). NULL when neither has it. */
char        *soundstyle_find_data_dir       (const char  *what);

G_END_DECLS
