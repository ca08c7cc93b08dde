/* adis-model-input.h: what a model expects of its inputs beyond Soundstyle's
 * own rules
 *
 * SPDX-License-Identifier: MIT
 *
 * Soundstyle's own models take a sound at its loudness and a photo at its
 * aspect. The checkpoints that avstyle publishes were trained, and are run by
 * their own test path, on clips peak-normalised to 1 / (1.1 max|wav|) and on
 * photos squashed to 256 x 256. import-checkpoint records that in the model
 * file (metadata member "input"); the model then applies it itself:
 * adis_model_encode_sound peak-normalises before the gain, and
 * adis_model_fit_image squashes by default. Every front end gets the same.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "adis-types.h"
#include "adis-image.h"
#include "adis-model.h"

G_BEGIN_DECLS

/* The model file's metadata member: {"peak_normalised": true,
 * "square_size": 256}; absent for Soundstyle's own models */
#define ADIS_MODEL_INPUT_KEY  "input"

typedef struct
{
  /* The clip is scaled to 1 / (ADIS_PEAK_HEADROOM max|wav|) before the gain
   * (adis_sound_mix_peak_normalised) */
  gboolean peak_normalised;
  /* > 0: trained on, and published for, square_size x square_size photos */
  int      square_size;
} AdisInputRules;

/* From the metadata object that holds the member (none: no rules). A member
 * of the wrong type or out of range is ADIS_ERROR_MODEL_FILE. */
gboolean    adis_input_rules_from_json   (JsonObject            *metadata,
                                          AdisInputRules        *rules,
                                          GError               **error);
/* The member's value, or NULL when the rules are Soundstyle's own */
JsonObject *adis_input_rules_to_json     (const AdisInputRules  *rules);

/* The rules of a loaded model's file */
void        adis_model_get_input_rules   (AdisModel             *model,
                                          AdisInputRules        *out_rules);

typedef enum
{
  ADIS_ASPECT_AUTO,     /* squash for a model with a square size, else keep */
  ADIS_ASPECT_SQUASH,   /* stretched to a square, as avstyle's test path does */
  ADIS_ASPECT_KEEP,     /* Soundstyle's size rule: the photo's own aspect */
} AdisAspect;

/* "squash" or "keep"; NULL is ADIS_ASPECT_AUTO */
gboolean    adis_aspect_parse            (const char            *text,
                                          AdisAspect            *out_aspect,
                                          GError               **error);

/* The long side to work at when none was asked for: the model's square
 * size, or fallback */
int         adis_model_default_long_side (AdisModel             *model,
                                          int                    fallback);

/* The photo to hand to adis_model_encode_image, and the long side to pass
 * with it (*long_side in, as for adis_model_encode_image: <= 0 keeps the
 * photo's own). Keeping returns the photo itself; squashing resizes it to a
 * square of side *long_side (rounded to a multiple of 4), so the result is
 * square too. */
AdisImage  *adis_model_fit_image         (AdisModel             *model,
                                          AdisImage             *image,
                                          AdisAspect             aspect,
                                          int                   *long_side);

G_END_DECLS
