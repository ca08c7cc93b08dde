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
#include "adis-model.h"
#include "adis-trainer.h"

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

/* The slider path folds the sound into the decoder's first conv
 * (adis_model_decode); this is the unfolded decoder, as the reference runs
 * it, for the test that holds the two equal */
AdisImage *adis_testing_decode_plain     (AdisModel         *model,
                                          AdisImageCode     *image_code,
                                          AdisSoundCode     *sound_code,
                                          GError           **error);

/* The same on a generator with libtorch's default initialisation and a
 * random code [1, 4 ngf, code_height, code_width] and two random embeddings:
 * the largest difference between the folded and the plain decoder, and how
 * much the output moved between the two embeddings (so a fold that dropped
 * the sound would show) */
gboolean   adis_testing_compare_decoders (const AdisConfig  *config,
                                          int                code_height,
                                          int                code_width,
                                          guint64            seed,
                                          double            *out_max_diff,
                                          double            *out_sound_effect,
                                          GError           **error);

/* Turns the exact fast kernels (oneDNN convolutions for inference and for
 * PatchNCE's MLPs and negatives in training, blur-upsampling as bilinear
 * doubling) off or on, process-wide, so a test can compare every result
 * with the plain path's. On by default. */
void      adis_testing_set_fast_kernels  (gboolean           on);

/* A generator and an audio encoder of config with libtorch's default
 * initialisation (and BatchNorm statistics moved off 0 and 1), a random
 * photo of height x width and a random wave, stylized in inference mode in
 * the layout models use (channels-last unless ADIS_CHANNELS_LAST=0), once
 * with the fast kernels and once without: the largest differences of the
 * embeddings and of the images, and the image's largest value, so that a
 * flat output would show */
gboolean  adis_testing_compare_kernels   (const AdisConfig  *config,
                                          int                height,
                                          int                width,
                                          guint64            seed,
                                          double            *out_embed_diff,
                                          double            *out_image_diff,
                                          double            *out_image_range,
                                          GError           **error);

/* The training fast kernels one by one against the plain ones, on random
 * inputs from seed: PatchNCE's MLPs (outputs and the gradients of their
 * inputs and weights), PatchNCE's loss (value and the queries' gradient)
 * and the blur-upsampling (output and input gradient). Out: the largest
 * difference of each. */
gboolean  adis_testing_compare_training_ops (guint64  seed,
                                             double  *out_mlp_diff,
                                             double  *out_nce_diff,
                                             double  *out_upsample_diff,
                                             GError **error);

/* Two copies of the networks config trains (the NCE objective, identity
 * term on, libtorch's default initialisation drawn from seed), one training
 * step each on the same random batch of `batch` images of size x size and
 * the same patch positions: one with the fast kernels, one without. Out:
 * the largest difference of the step's losses and of any parameter's
 * gradient (the D step's and the G step's, as the step leaves them), and
 * the largest gradient, so that a step that left none would show. */
gboolean  adis_testing_compare_training_kernels (const AdisConfig *config,
                                                 int               size,
                                                 int               batch,
                                                 guint64           seed,
                                                 double           *out_loss_diff,
                                                 double           *out_grad_diff,
                                                 double           *out_grad_range,
                                                 GError          **error);


/* Makes the inputs of steps first_step .. first_step + n_steps - 1 (0-based:
 * the step about to run when adis_trainer_get_step says first_step) NaN, so
 * the tests can check that non-finite losses are skipped and stop the run */
void      adis_testing_poison_steps      (AdisTrainer       *trainer,
                                          gint64             first_step,
                                          gint64             n_steps);

G_END_DECLS
