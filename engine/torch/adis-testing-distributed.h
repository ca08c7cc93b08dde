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

/* Before the first step: the networks and the inputs become double, so
 * that a test can compare two computations of a step far below float32's
 * rounding */
gboolean  adis_testing_use_double        (AdisTrainer       *trainer,
                                          GError           **error);

/* Writes the gradient every parameter holds after the last step (F32,
 * under "grad." and the parameter's name; a parameter without one is left
 * out), every trainable parameter's value (under "param.") and every
 * floating-point buffer (under "buffer.": BatchNorm's running statistics),
 * so a test can hold a data-parallel step to one process's. A double
 * tensor's rest below float32 goes under "lo." and its name. */
gboolean  adis_testing_save_gradients    (AdisTrainer       *trainer,
                                          const char        *path,
                                          GError           **error);

G_END_DECLS
