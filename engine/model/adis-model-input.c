/* adis-model-input.c: what a model expects of its inputs beyond Soundstyle's
 * own rules
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "adis-model-input.h"

/* Wider than any network here runs: a hostile file cannot ask for an
 * enormous square */
#define MAX_SQUARE_SIZE 8192

static gboolean
input_error (GError    **error,
             const char *what)
{
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
               "its “%s” metadata %s", ADIS_MODEL_INPUT_KEY, what);
  return FALSE;
}

gboolean
adis_input_rules_from_json (JsonObject      *metadata,
                            AdisInputRules  *rules,
                            GError         **error)
{
  JsonNode *node;
  JsonObject *input;

  g_return_val_if_fail (metadata != NULL && rules != NULL, FALSE);

  *rules = (AdisInputRules) { 0 };
  node = json_object_get_member (metadata, ADIS_MODEL_INPUT_KEY);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return input_error (error, "is not an object");
  input = json_node_get_object (node);

  /* The metadata is untrusted: types are checked before reading, since
   * json-glib's getters only warn about the wrong one */
  node = json_object_get_member (input, "peak_normalised");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return input_error (error, "has a “peak_normalised” that is not true or false");
      rules->peak_normalised = json_node_get_boolean (node);
    }

  node = json_object_get_member (input, "square_size");
  if (node != NULL)
    {
      gint64 size;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        return input_error (error, "has a “square_size” that is not a whole number");
      size = json_node_get_int (node);
      if (size < 4 || size > MAX_SQUARE_SIZE || size % 4 != 0)
        return input_error (error, "has a “square_size” that is not a multiple of 4 from 4 to 8192");
      rules->square_size = (int) size;
    }

  return TRUE;
}

JsonObject *
adis_input_rules_to_json (const AdisInputRules *rules)
{
  JsonObject *input;

  g_return_val_if_fail (rules != NULL, NULL);

  if (!rules->peak_normalised && rules->square_size == 0)
    return NULL;

  input = json_object_new ();
  json_object_set_boolean_member (input, "peak_normalised", rules->peak_normalised);
  if (rules->square_size > 0)
    json_object_set_int_member (input, "square_size", rules->square_size);
  return input;
}

gboolean
adis_aspect_parse (const char  *text,
                   AdisAspect  *out_aspect,
                   GError     **error)
{
  g_return_val_if_fail (out_aspect != NULL, FALSE);

  if (text == NULL)
    *out_aspect = ADIS_ASPECT_AUTO;
  else if (g_strcmp0 (text, "squash") == 0)
    *out_aspect = ADIS_ASPECT_SQUASH;
  else if (g_strcmp0 (text, "keep") == 0)
    *out_aspect = ADIS_ASPECT_KEEP;
  else
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--aspect “%s” is not squash or keep", text);
      return FALSE;
    }
  return TRUE;
}

int
adis_model_default_long_side (AdisModel *model,
                              int        fallback)
{
  AdisInputRules rules;

  g_return_val_if_fail (model != NULL, fallback);

  adis_model_get_input_rules (model, &rules);
  return rules.square_size > 0 ? rules.square_size : fallback;
}

AdisImage *
adis_model_fit_image (AdisModel  *model,
                      AdisImage  *image,
                      AdisAspect  aspect,
                      int        *long_side)
{
  AdisInputRules rules;
  int width = adis_image_get_width (image);
  int height = adis_image_get_height (image);
  int side, unused;

  g_return_val_if_fail (model != NULL && image != NULL && long_side != NULL, NULL);

  adis_model_get_input_rules (model, &rules);
  if (aspect == ADIS_ASPECT_AUTO)
    aspect = rules.square_size > 0 ? ADIS_ASPECT_SQUASH : ADIS_ASPECT_KEEP;
  if (aspect == ADIS_ASPECT_KEEP)
    return adis_image_ref (image);

  /* The size rule's rounding, on a square */
  side = *long_side > 0 ? *long_side : MAX (width, height);
  adis_image_size_for_long_side (side, side, side, &side, &unused);
  *long_side = side;
  return adis_image_resize (image, side, side);
}
