/* eval-model.c: one model through the held-out clips, the volume and the mix
 * sweeps, read by the probe and compared with the oracle
 *
 * SPDX-License-Identifier: MIT
 *
 * A Spearman correlation that is undefined (the probe read the same value at
 * every gain, say) counts as 0 in the averages: a model that does not respond
 * to the control earns no credit for it.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <string.h>

#include "eval-model.h"

const float eval_gains[EVAL_N_GAINS] = { 0.25f, 0.5f, 1.0f, 2.0f, 4.0f };
const float eval_weights[EVAL_N_WEIGHTS] = { 0.0f, 0.25f, 0.5f, 0.75f, 1.0f };

/* Running sums for one category or all of them */
typedef struct
{
  guint   n;
  guint   n_labelled;
  guint   correct;
  double  abs_error;
  GArray *truth;        /* double: the clips' intensities */
  GArray *predicted;    /* double: the probe's */
  double  psnr;
  guint   n_psnr;
  double  ssim;
  guint   n_ssim;
  double  edge;
  double  volume;
  guint   n_volume;
  guint   n_nearest;
  guint   nearest_correct;
  double  detail;
  guint   n_detail;
} Tally;

static void
tally_init (Tally *tally)
{
  *tally = (Tally) { 0 };
  tally->truth = g_array_new (FALSE, FALSE, sizeof (double));
  tally->predicted = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
tally_clear (Tally *tally)
{
  g_clear_pointer (&tally->truth, g_array_unref);
  g_clear_pointer (&tally->predicted, g_array_unref);
}

static double
zero_if_undefined (double value)
{
  return isnan (value) ? 0.0 : value;
}

static double
mean_or_nan (double sum,
             guint  n)
{
  return n > 0 ? sum / n : NAN;
}

static double
tally_intensity_spearman (const Tally *tally)
{
  if (tally->truth->len < 2)
    return NAN;
  return zero_if_undefined (adis_eval_spearman ((double *) tally->truth->data,
                                                (double *) tally->predicted->data,
                                                tally->truth->len));
}

static void
tally_to_json (const Tally *tally,
               JsonObject  *object,
               gboolean     with_intensity_spearman)
{
  json_object_set_int_member (object, "n", tally->n);
  eval_json_set_double (object, "accuracy",
                        tally->n_labelled > 0 ? (double) tally->correct / tally->n_labelled : NAN);
  eval_json_set_double (object, "intensity_mae", mean_or_nan (tally->abs_error, tally->truth->len));
  if (with_intensity_spearman)
    eval_json_set_double (object, "intensity_spearman", tally_intensity_spearman (tally));
  eval_json_set_double (object, "volume_spearman", mean_or_nan (tally->volume, tally->n_volume));
  eval_json_set_double (object, "edge_correlation", mean_or_nan (tally->edge, tally->n));
  eval_json_set_double (object, "psnr", mean_or_nan (tally->psnr, tally->n_psnr));
  eval_json_set_double (object, "ssim", mean_or_nan (tally->ssim, tally->n_ssim));
  eval_json_set_double (object, "oracle_nearest_accuracy",
                        tally->n_nearest > 0 ? (double) tally->nearest_correct / tally->n_nearest : NAN);
  eval_json_set_double (object, "detail", mean_or_nan (tally->detail, tally->n_detail));
  json_object_set_int_member (object, "n_detail", tally->n_detail);
}

char *
eval_image_name (const char *clip_id,
                 const char *role,
                 const char *what)
{
  return role != NULL ? g_strdup_printf ("%s-%s-%s.png", clip_id, role, what)
                      : g_strdup_printf ("%s-%s.png", clip_id, what);
}

static gboolean
save_for_page (const EvalModelOptions *options,
               AdisImage              *image,
               const char             *clip_id,
               const char             *what,
               GError                **error)
{
  g_autofree char *name = eval_image_name (clip_id, options->role, what);

  return eval_output_save_image (options->output, image, name, error);
}

typedef struct
{
  AdisModel     *model;       /* NULL: the renderer itself is measured */
  EvalSet       *set;
  AdisProbe     *probe;
  gboolean       keyword;
  GCancellable  *cancellable;
  JsonArray     *clips;       /* each clip's volume sweep as the probe read it */
} Context;

static int
argmax (const float *values,
        int          n)
{
  int best = 0;

  for (int i = 1; i < n; i++)
    if (values[i] > values[best])
      best = i;
  return best;
}

static AdisImage *
restyle_with_sound (Context        *ctx,
                    AdisImageCode  *code,
                    AdisSound      *a,
                    AdisSound      *b,
                    float           gain,
                    float           weight,
                    GError        **error)
{
  g_autoptr(AdisSoundCode) sound_code = NULL;

  sound_code = adis_model_encode_sound (ctx->model, a, b, gain, weight, ctx->cancellable, error);
  if (sound_code == NULL)
    return NULL;
  return adis_model_decode (ctx->model, code, sound_code, ctx->cancellable, error);
}

/* The ceiling: what the renderer draws for a clip played at gain (the
 * loudness law moves its intensity) or mixed with b's at weight. A mix's
 * intensity is taken between the two clips' own, by weight. */
static AdisImage *
render_ceiling (Context        *ctx,
                const EvalClip *a,
                const EvalClip *b,
                float           gain,
                float           weight,
                GError        **error)
{
  float intensity = a->intensity;
  int category_b = a->category_b;
  float share = a->weight;

  if (b != NULL)
    {
      intensity = (1.f - weight) * a->intensity + weight * b->intensity;
      category_b = b->category;
      share = weight;
    }
  intensity = adis_synth_intensity_for_rms (adis_synth_rms_for_intensity (intensity) * gain);
  return eval_set_render (ctx->set, a->input, a->category, intensity, category_b, share, a->seed, error);
}

/* The clip's category as the baseline is told it: the larger share of a mix */
static int
dominant_category (const EvalClip *clip)
{
  return clip->category_b >= 0 && clip->weight > 0.5f ? clip->category_b : clip->category;
}

static gboolean
measure_clip (Context                *ctx,
              const EvalClip         *clip,
              const EvalModelOptions *options,
              gboolean                save,
              Tally                  *all,
              Tally                  *own,
              GPtrArray              *outputs,
              GError                **error)
{
  int k = ctx->set->n_categories;
  g_autofree float *probs = g_new (float, k);
  g_autofree float *gain_probs = g_new (float, k);
  g_autoptr(AdisImageCode) code = NULL;
  g_autoptr(AdisImage) main_output = NULL;
  g_autoptr(JsonArray) reads = json_array_new ();
  g_autoptr(JsonArray) read_categories = json_array_new ();
  double gains[EVAL_N_GAINS];
  double read_intensity[EVAL_N_GAINS];
  float intensity = NAN;
  double volume = NAN;
  int expected = dominant_category (clip);
  Tally *tallies[2] = { all, own };

  if (ctx->model != NULL &&
      (code = adis_model_encode_image (ctx->model, clip->input, 0, ctx->cancellable, error)) == NULL)
    return FALSE;

  if (ctx->keyword)
    {
      g_autoptr(AdisSoundCode) sound_code = NULL;

      sound_code = adis_model_encode_keyword (ctx->model, ctx->set->categories[expected], error);
      if (sound_code == NULL ||
          (main_output = adis_model_decode (ctx->model, code, sound_code, ctx->cancellable, error)) == NULL ||
          !adis_probe_predict (ctx->probe, main_output, probs, &intensity, error))
        return FALSE;
      if (save && !save_for_page (options, main_output, clip->clip_id, "keyword", error))
        return FALSE;
    }
  else
    {
      for (int g = 0; g < EVAL_N_GAINS; g++)
        {
          g_autoptr(AdisImage) output = NULL;
          g_autofree char *what = g_strdup_printf ("gain%g", eval_gains[g]);
          float read;

          output = ctx->model != NULL
                   ? restyle_with_sound (ctx, code, clip->sound, NULL, eval_gains[g], 0.0f, error)
                   : render_ceiling (ctx, clip, NULL, eval_gains[g], 0.0f, error);
          if (output == NULL ||
              !adis_probe_predict (ctx->probe, output, gain_probs, &read, error))
            return FALSE;
          if (g == EVAL_UNIT_GAIN_INDEX)
            memcpy (probs, gain_probs, sizeof (float) * k);
          json_array_add_double_element (reads, read);
          json_array_add_string_element (read_categories, ctx->set->categories[argmax (gain_probs, k)]);
          if (save && !save_for_page (options, output, clip->clip_id, what, error))
            return FALSE;
          gains[g] = eval_gains[g];
          read_intensity[g] = read;
          if (g == EVAL_UNIT_GAIN_INDEX)
            {
              main_output = g_steal_pointer (&output);
              intensity = read;
            }
        }
    }

  if (outputs != NULL)
    g_ptr_array_add (outputs, adis_image_ref (main_output));

  if (!ctx->keyword)
    {
      JsonObject *described = json_object_new ();

      volume = zero_if_undefined (adis_eval_spearman (gains, read_intensity, EVAL_N_GAINS));

      json_object_set_string_member (described, "clip", clip->clip_id);
      if (clip->category >= 0)
        json_object_set_string_member (described, "category", ctx->set->categories[clip->category]);
      if (clip->category_b >= 0)
        {
          json_object_set_string_member (described, "category_b", ctx->set->categories[clip->category_b]);
          eval_json_set_double (described, "weight", clip->weight);
        }
      eval_json_set_double (described, "intensity", clip->intensity);
      json_object_set_array_member (described, "gain_intensities", g_steal_pointer (&reads));
      json_object_set_array_member (described, "gain_categories", g_steal_pointer (&read_categories));
      eval_json_set_double (described, "volume_spearman", volume);
      json_array_add_object_element (ctx->clips, described);
    }

  for (int t = 0; t < 2; t++)
    {
      Tally *tally = tallies[t];

      if (tally == NULL)
        continue;

      tally->n++;
      tally->edge += zero_if_undefined (adis_eval_edge_correlation (clip->input, main_output));

      if (!ctx->keyword)
        {
          tally->volume += volume;
          tally->n_volume++;
        }

      /* A blend near half and half has no right category: accuracy is
       * over unmixed clips, and mix_spearman measures the blends */
      if (expected >= 0 && clip->category_b < 0)
        {
          tally->n_labelled++;
          tally->correct += argmax (probs, k) == expected;
        }

      if (!isnan (clip->intensity))
        {
          double truth = clip->intensity;
          double predicted = intensity;

          tally->abs_error += fabs (predicted - truth);
          g_array_append_val (tally->truth, truth);
          g_array_append_val (tally->predicted, predicted);
        }

      /* Which weather the output looks like, by colour layout alone */
      if (clip->oracle_grids != NULL && clip->category >= 0)
        {
          int nearest = adis_eval_oracle_nearest (main_output, clip->oracle_grids, k,
                                                  EVAL_N_ORACLE_INTENSITIES, NULL);

          tally->n_nearest++;
          tally->nearest_correct += nearest == clip->category;
        }

      if (clip->oracle != NULL)
        {
          double psnr = adis_eval_psnr (main_output, clip->oracle);
          double ssim = adis_eval_ssim (main_output, clip->oracle);

          /* Identical images have no finite PSNR: left out of the mean */
          if (isfinite (psnr))
            {
              tally->psnr += psnr;
              tally->n_psnr++;
            }
          if (!isnan (ssim))
            {
              tally->ssim += ssim;
              tally->n_ssim++;
            }
        }
    }

  return TRUE;
}

/* The mix sweep of one pair: the rank correlation of the weight with the
 * probe's probability of b's category (on a set without factors: of the
 * category the probe sees at weight 1, when that differs from weight 0's) */
static gboolean
measure_pair (Context                *ctx,
              const EvalPair         *pair,
              const EvalModelOptions *options,
              gboolean                save,
              double                 *out_spearman,
              GError                **error)
{
  const EvalClip *a = g_ptr_array_index (ctx->set->clips, pair->clip_a);
  const EvalClip *b = g_ptr_array_index (ctx->set->clips, pair->clip_b);
  int k = ctx->set->n_categories;
  g_autofree float *probs = g_new (float, (gsize) k * EVAL_N_WEIGHTS);
  g_autoptr(AdisImageCode) code = NULL;
  double weights[EVAL_N_WEIGHTS];
  double share[EVAL_N_WEIGHTS];
  int target = b->category;

  *out_spearman = NAN;

  if (ctx->model != NULL &&
      (code = adis_model_encode_image (ctx->model, a->input, 0, ctx->cancellable, error)) == NULL)
    return FALSE;

  for (int w = 0; w < EVAL_N_WEIGHTS; w++)
    {
      g_autoptr(AdisImage) output = NULL;

      output = ctx->model != NULL
               ? restyle_with_sound (ctx, code, a->sound, b->sound, 1.0f, eval_weights[w], error)
               : render_ceiling (ctx, a, b, 1.0f, eval_weights[w], error);
      if (output == NULL || !adis_probe_predict (ctx->probe, output, probs + (gsize) w * k, NULL, error))
        return FALSE;
      if (save)
        {
          g_autofree char *what = g_strdup_printf ("mix-%s-w%g", b->clip_id, eval_weights[w]);

          if (!save_for_page (options, output, a->clip_id, what, error))
            return FALSE;
        }
    }

  if (target < 0)
    {
      target = argmax (probs + (gsize) (EVAL_N_WEIGHTS - 1) * k, k);
      if (target == argmax (probs, k))
        return TRUE;
    }

  for (int w = 0; w < EVAL_N_WEIGHTS; w++)
    {
      weights[w] = eval_weights[w];
      share[w] = probs[(gsize) w * k + target];
    }
  *out_spearman = zero_if_undefined (adis_eval_spearman (weights, share, EVAL_N_WEIGHTS));
  return TRUE;
}

/* One held-out photo, whole, at its own size (or --detail-size), restyled
 * by each class's sound: the LoG correlation of input and output */
static gboolean
measure_detail_photo (Context                *ctx,
                      const EvalPhoto        *entry,
                      const EvalModelOptions *options,
                      Tally                  *all,
                      Tally                  *tallies,
                      JsonArray              *photos,
                      GError                **error)
{
  EvalSet *set = ctx->set;
  g_autoptr(AdisImage) photo = NULL;
  g_autoptr(AdisImage) input = NULL;
  g_autoptr(AdisImageCode) code = NULL;
  JsonObject *described;
  int w, h;

  if ((photo = adis_image_load (entry->path, error)) == NULL)
    return FALSE;
  w = adis_image_get_width (photo);
  h = adis_image_get_height (photo);
  if (options->detail_size > 0 && MAX (w, h) > options->detail_size)
    {
      AdisImage *smaller;

      adis_image_size_for_long_side (w, h, options->detail_size, &w, &h);
      smaller = adis_image_resize (photo, w, h);
      adis_image_unref (photo);
      photo = smaller;
    }

  if (ctx->model != NULL)
    {
      /* The model's own size rule rounds the sides: compare with what it saw */
      if ((code = adis_model_encode_image (ctx->model, photo, 0, ctx->cancellable, error)) == NULL)
        return FALSE;
      w = adis_image_code_get_width (code);
      h = adis_image_code_get_height (code);
    }
  input = w == adis_image_get_width (photo) && h == adis_image_get_height (photo)
          ? adis_image_ref (photo) : adis_image_resize (photo, w, h);

  for (int k = 0; k < set->n_categories; k++)
    {
      const EvalClip *clip;
      g_autoptr(AdisImage) output = NULL;
      double detail;

      if (set->detail_clip[k] < 0)
        continue;
      clip = g_ptr_array_index (set->clips, set->detail_clip[k]);
      if (ctx->model == NULL)
        output = eval_set_render (set, input, k, clip->intensity, -1, 0.0f, clip->seed, error);
      else if (ctx->keyword)
        {
          g_autoptr(AdisSoundCode) sound_code = adis_model_encode_keyword (ctx->model, set->categories[k], error);

          output = sound_code != NULL
                   ? adis_model_decode (ctx->model, code, sound_code, ctx->cancellable, error) : NULL;
        }
      else
        output = restyle_with_sound (ctx, code, clip->sound, NULL, 1.0f, 0.0f, error);
      if (output == NULL)
        return FALSE;

      detail = zero_if_undefined (adis_eval_detail_correlation (input, output));
      all->detail += detail;
      all->n_detail++;
      tallies[k].detail += detail;
      tallies[k].n_detail++;
    }

  described = json_object_new ();
  json_object_set_string_member (described, "photo", entry->name);
  json_object_set_string_member (described, "file", entry->path);
  json_object_set_boolean_member (described, "original", entry->original);
  json_object_set_int_member (described, "width", w);
  json_object_set_int_member (described, "height", h);
  json_array_add_object_element (photos, described);
  return TRUE;
}

JsonObject *
eval_model (AdisModel              *model,
            EvalSet                *set,
            AdisProbe              *probe,
            const EvalModelOptions *options,
            GPtrArray              *outputs,
            EvalProgress           *progress,
            GCancellable           *cancellable,
            GError                **error)
{
  Context ctx = { model, set, probe, FALSE, cancellable, NULL };
  g_autoptr(JsonArray) clips = json_array_new ();
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(JsonObject) per_category = json_object_new ();
  g_autofree Tally *tallies = g_new (Tally, set->n_categories);
  g_autofree char *stage = NULL;
  g_autoptr(JsonArray) detail_photos = json_array_new ();
  Tally all;
  double mix_sum = 0.0;
  guint n_mix = 0;
  gboolean ok = FALSE;
  guint n_units;

  ctx.clips = clips;
  ctx.keyword = model != NULL && adis_model_get_config (model)->conditioning == ADIS_CONDITIONING_KEYWORD;

  tally_init (&all);
  for (int c = 0; c < set->n_categories; c++)
    tally_init (&tallies[c]);

  n_units = set->clips->len + (ctx.keyword ? 0 : set->pairs->len);
  stage = g_strdup_printf ("%s outputs", options->role);
  eval_progress_stage (progress, stage, n_units);

  for (guint i = 0; i < set->clips->len; i++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, i);
      Tally *own = clip->category >= 0 ? &tallies[clip->category] : NULL;

      if (!measure_clip (&ctx, clip, options, options->output != NULL && i < options->n_grid,
                         &all, own, outputs, error))
        goto out;
      eval_progress_update (progress, i + 1);
    }

  for (guint p = 0; !ctx.keyword && p < set->pairs->len; p++)
    {
      double spearman;

      if (!measure_pair (&ctx, &g_array_index (set->pairs, EvalPair, p), options,
                         options->output != NULL && p < options->n_grid_pairs, &spearman, error))
        goto out;
      if (!isnan (spearman))
        {
          mix_sum += spearman;
          n_mix++;
        }
      eval_progress_update (progress, set->clips->len + p + 1);
    }
  eval_progress_finish (progress);

  if (set->detail_photos->len > 0)
    {
      g_autofree char *detail_stage = g_strdup_printf ("%s detail at full size", options->role);

      eval_progress_stage (progress, detail_stage, set->detail_photos->len);
      for (guint p = 0; p < set->detail_photos->len; p++)
        {
          if (!measure_detail_photo (&ctx, g_ptr_array_index (set->detail_photos, p), options,
                                     &all, tallies, detail_photos, error))
            goto out;
          eval_progress_update (progress, p + 1);
        }
      eval_progress_finish (progress);
    }

  json_object_set_string_member (result, "conditioning", ctx.keyword ? "keyword" : "audio");
  json_object_set_int_member (result, "n_clips", set->clips->len);
  tally_to_json (&all, result, FALSE);
  json_object_remove_member (result, "n");   /* n_clips says it */

  /* Within-category intensity: the one thing labels cannot carry */
  {
    double sum = 0.0;
    guint n = 0;

    for (int c = 0; c < set->n_categories; c++)
      if (tallies[c].truth->len >= 2)
        {
          sum += tally_intensity_spearman (&tallies[c]);
          n++;
        }
    eval_json_set_double (result, "intensity_spearman", mean_or_nan (sum, n));
  }

  eval_json_set_double (result, "mix_spearman", ctx.keyword ? NAN : mean_or_nan (mix_sum, n_mix));
  json_object_set_int_member (result, "n_pairs", ctx.keyword ? 0 : n_mix);

  for (int c = 0; c < set->n_categories; c++)
    if (tallies[c].n > 0)
      {
        JsonObject *object = json_object_new ();

        tally_to_json (&tallies[c], object, TRUE);
        json_object_set_object_member (per_category, set->categories[c], object);
      }
  json_object_set_object_member (result, "per_category", g_steal_pointer (&per_category));
  json_object_set_array_member (result, "detail_photos", g_steal_pointer (&detail_photos));
  if (!ctx.keyword)
    json_object_set_array_member (result, "clips", g_steal_pointer (&clips));

  ok = TRUE;

out:
  tally_clear (&all);
  for (int c = 0; c < set->n_categories; c++)
    tally_clear (&tallies[c]);
  return ok ? g_steal_pointer (&result) : NULL;
}
