/* adis-testing-distributed.h: a hook for test-distributed only
 *
 * SPDX-License-Identifier: MIT
 *
 * Not part of the public API (as adis-testing.h; a header of its own so
 * that the libtorch files that include that one need no rebuild).
 */
#pragma once

#include "adis-trainer.h"

G_BEGIN_DECLS

/* Writes the gradient every parameter holds after the last step (F32,
 * under "grad." and the parameter's name; a parameter without one is left
 * out) and every trainable parameter's value (under "param."), so a test
 * can hold a data-parallel step to one process's */
gboolean  adis_testing_save_gradients    (AdisTrainer       *trainer,
                                          const char        *path,
                                          GError           **error);

G_END_DECLS
