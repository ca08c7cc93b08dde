/* adis-threads.h: how many threads the engine's operators use
 *
 * SPDX-License-Identifier: MIT
 *
 * adis_set_num_threads (adis-types.h) sets it; this reads it back, for
 * reports such as `soundstyle bench`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The threads libtorch's operators use now (by default the core count) */
int          adis_get_num_threads  (void);

G_END_DECLS
