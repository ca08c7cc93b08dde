/* eval-probe.h: the probe that reads the weather off an image, trained on
 * the renderer's images of the held-out photos
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "eval-set.h"

G_BEGIN_DECLS

/* Trains a probe on n_examples renderer images of the even-numbered held-out
 * inputs with random factors drawn from seed (a quarter of them two-category
 * blends, learnt as soft targets), checks it on images of the odd-numbered
 * ones, and describes it (size, epochs, oracle_accuracy, ...) in report */
AdisProbe  *eval_probe_train         (EvalSet       *set,
                                      int            n_examples,
                                      guint64        seed,
                                      EvalProgress  *progress,
                                      JsonObject    *report,
                                      GCancellable  *cancellable,
                                      GError       **error);

G_END_DECLS
