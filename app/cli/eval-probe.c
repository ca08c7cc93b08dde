/* eval-probe.c: training `soundstyle eval`'s probe on the renderer's images
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>

#include "eval-probe.h"

/* The probe sees the renderer's images at this long side at most: effects
 * scale with the image, and it reads them at 64 px anyway */
#define PROBE_RENDER_SIZE 128
/* A mixed example in this share of the probe's training set */
#define PROBE_MIX_SHARE 0.25

static AdisImage *
render_probe_example (EvalSet    *set,
                      AdisImage  *photo,
                      GRand      *rand,
                      double      mix_share,
                      float      *target,
                      float      *out_intensity,
                      int        *out_category,
                      GError    **error)
{
  int category = g_rand_int_range (rand, 0, set->n_categories);
  int category_b = -1;
  float intensity = (float) g_rand_double (rand);
  float weight = 0.0f;
  guint64 seed = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);

  if (set->n_categories > 1 && g_rand_double (rand) < mix_share)
    {
      category_b = (category + g_rand_int_range (rand, 1, set->n_categories)) % set->n_categories;
      weight = (float) g_rand_double (rand);
    }

  memset (target, 0, sizeof (float) * set->n_categories);
  target[category] += 1.0f - weight;
  if (category_b >= 0)
    target[category_b] += weight;
  *out_intensity = intensity;
  *out_category = weight > 0.5f ? category_b : category;

  return eval_set_render (set, photo, category, intensity, category_b, weight, seed, error);
}

static void
probe_progress_cb (int      epoch,
                   int      n_epochs,
                   double   loss,
                   gpointer user_data)
{
  eval_progress_update (user_data, (guint) epoch);
}

/* Trained on the even-numbered held-out photos and checked on unmixed
 * images of the odd ones (a blend near half and half has no right answer):
 * none of them is a photo the model trained on */
AdisProbe *
eval_probe_train (EvalSet       *set,
                  int            n_examples,
                  guint64        seed,
                  EvalProgress  *progress,
                  JsonObject    *report,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(AdisProbe) probe = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed_array ((const guint32 *) &seed, 2);
  g_autoptr(GPtrArray) photos = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);
  g_autofree float *target = g_new (float, set->n_categories);
  g_autofree float *probs = g_new (float, set->n_categories);
  g_autoptr(GPtrArray) checks = NULL;
  g_autofree int *check_categories = NULL;
  g_autofree float *check_intensities = NULL;
  AdisProbeOptions options;
  guint n_train_photos, n_check, correct = 0;
  double abs_error = 0.0;

  for (guint i = 0; i < set->clips->len; i++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, i);
      int width, height;

      adis_image_size_for_long_side (adis_image_get_width (clip->input), adis_image_get_height (clip->input),
                                     MIN (PROBE_RENDER_SIZE, adis_image_get_width (clip->input)),
                                     &width, &height);
      g_ptr_array_add (photos, adis_image_resize (clip->input, width, height));
    }
  n_train_photos = (photos->len + 1) / 2;
  n_check = MAX (n_examples / 4, 20);

  adis_probe_options_init (&options);
  options.seed = seed;
  probe = adis_probe_new (set->n_categories, &options);

  eval_progress_stage (progress, "probe examples", n_examples + n_check);
  for (int i = 0; i < n_examples; i++)
    {
      g_autoptr(AdisImage) image = NULL;
      AdisImage *photo = g_ptr_array_index (photos, 2 * (i % n_train_photos));
      float intensity;
      int category;

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          (image = render_probe_example (set, photo, rand, PROBE_MIX_SHARE, target, &intensity, &category, error)) == NULL)
        return NULL;
      adis_probe_add_example (probe, image, target, intensity);
      eval_progress_update (progress, i + 1);
    }

  /* Rendered before training, so the random stream, and so the examples,
   * do not depend on how training went */
  checks = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);
  check_categories = g_new (int, n_check);
  check_intensities = g_new (float, n_check);
  for (guint i = 0; i < n_check; i++)
    {
      guint odd = photos->len > 1 ? 2 * (i % (photos->len / 2)) + 1 : 0;
      AdisImage *image = render_probe_example (set, g_ptr_array_index (photos, odd), rand, 0.0, target,
                                               &check_intensities[i], &check_categories[i], error);

      if (image == NULL)
        return NULL;
      g_ptr_array_add (checks, image);
      eval_progress_update (progress, n_examples + i + 1);
    }

  eval_progress_stage (progress, "probe training", options.epochs);
  if (!adis_probe_train (probe, probe_progress_cb, progress, cancellable, error))
    return NULL;
  eval_progress_finish (progress);

  for (guint i = 0; i < n_check; i++)
    {
      float intensity;
      int best = 0;

      if (!adis_probe_predict (probe, g_ptr_array_index (checks, i), probs, &intensity, error))
        return NULL;
      for (int c = 1; c < set->n_categories; c++)
        if (probs[c] > probs[best])
          best = c;
      correct += best == check_categories[i];
      abs_error += fabs (intensity - check_intensities[i]);
    }

  json_object_set_int_member (report, "examples", n_examples);
  json_object_set_int_member (report, "size", options.size);
  json_object_set_int_member (report, "epochs", options.epochs);
  json_object_set_int_member (report, "check_examples", n_check);
  eval_json_set_double (report, "oracle_accuracy", (double) correct / n_check);
  eval_json_set_double (report, "oracle_intensity_mae", abs_error / n_check);
  {
    JsonArray *names = json_array_new ();

    for (int c = 0; c < set->n_categories; c++)
      json_array_add_string_element (names, set->categories[c]);
    json_object_set_array_member (report, "categories", names);
  }

  return g_steal_pointer (&probe);
}
