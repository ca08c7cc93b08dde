/* adis-threads.h: how the engine's operators run on this machine
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

/* Whether models loaded now run channels-last (NHWC), the
 * default; ADIS_CHANNELS_LAST=0 in the environment keeps NCHW */
gboolean     adis_get_channels_last (void);

G_END_DECLS
