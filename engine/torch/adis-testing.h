/* adis-testing.h: hooks into the libtorch side for the parity tests only
 *
 * SPDX-License-Identifier: MIT
 *
 * Not part of the public API: the parity tests use these to run the engine's
 * networks and training step on weights and inputs that the PyTorch
 * reference (tests/reference/) wrote, and to count parameters.
 */
#pragma once

#include "adis-types.h"
#include "adis-config.h"

G_BEGIN_DECLS

/* Reads a golden file from tests/reference/make_golden.py (metadata
 * "config", "options", "steps"; weights "G.*", "A.*", "D.*", "F.*"; inputs
 * "in.*"), computes what the reference computed and writes it to
 * output_path under the golden's names without "expect.": spec, embed,
 * fake, d_out, nce, stepN.loss_d ... stepN.grad_norm_d, fake_after.
 * Missing or misshapen weights are ADIS_ERROR_MODEL_FILE. */
gboolean  adis_testing_run_parity        (const char        *golden_path,
                                          const char        *output_path,
                                          GError           **error);

/* Trainable parameters of one network of a config: "G", "A", "D" or "F";
 * -1 with error set for another name or an invalid config */
gint64    adis_testing_count_parameters  (const AdisConfig  *config,
                                          const char        *network,
                                          GError           **error);

G_END_DECLS
