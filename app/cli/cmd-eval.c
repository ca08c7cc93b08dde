/* cmd-eval.c: `soundstyle eval MODEL DATASET`, metrics that need no download
 *
 * SPDX-License-Identifier: MIT
 *
 * The order of work: every argument and file is checked before anything
 * slow starts; then the held-out clips are loaded (eval-set.c), a probe is
 * trained on the renderer's images of the held-out photos with fresh random
 * factors, the model (and the keyword baseline) go through the clips
 * (eval-model.c), and the report is written (eval-report.c).
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "soundstyle-cli.h"
#include "eval-model.h"
#include "eval-probe.h"
#include "eval-report.h"
#include "eval-set.h"

/* Clips and pairs whose images go into the page */
#define GRID_CLIPS 6
#define GRID_PAIRS 3

typedef struct
{
  char     *model;
  char     *dataset;
  char     *baseline;
  char     *output;
  char     *inception;
  char     *device;
  char     *seed;
  int       size;
  int       max_clips;
  int       probe_examples;
  int       detail_size;
  gboolean  ceiling;
  gboolean  quiet;
} EvalArgs;

static void
eval_args_clear (EvalArgs *args)
{
  g_clear_pointer (&args->model, g_free);
  g_clear_pointer (&args->dataset, g_free);
  g_clear_pointer (&args->baseline, g_free);
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->inception, g_free);
  g_clear_pointer (&args->device, g_free);
  g_clear_pointer (&args->seed, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EvalArgs, eval_args_clear)

#define usage_error(error, ...) soundstyle_cli_usage_error (error, "eval", __VA_ARGS__)

static gboolean
check_file (const char  *what,
            const char  *path,
            GError     **error)
{
  if (path != NULL && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s “%s” does not exist or is not a file", what, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_args (EvalArgs    *args,
            AdisDevice  *out_device,
            guint64     *out_seed,
            GError     **error)
{
  *out_seed = 0;
  if (args->seed != NULL && !g_ascii_string_to_unsigned (args->seed, 10, 0, G_MAXUINT64, out_seed, NULL))
    return usage_error (error, "--seed “%s” is not a whole number", args->seed);
  if (args->size < 32 || args->size > 1024 || args->size % 4 != 0)
    return usage_error (error, "--size %d must be a multiple of 4 from 32 to 1024", args->size);
  if (args->max_clips < 1)
    return usage_error (error, "--max-clips %d must be at least 1", args->max_clips);
  if (args->probe_examples < 20 || args->probe_examples > 100000)
    return usage_error (error, "--probe-examples %d must be from 20 to 100000", args->probe_examples);
  if (args->detail_size != 0 && (args->detail_size < 32 || args->detail_size > ADIS_IMAGE_MAX_SIDE))
    return usage_error (error, "--detail-size %d must be 0 (each photo's own size) or from 32 to %d",
                        args->detail_size, ADIS_IMAGE_MAX_SIDE);

  return check_file ("model", args->model, error) &&
         check_file ("baseline", args->baseline, error) &&
         check_file ("Inception network", args->inception, error) &&
         adis_device_parse (args->device ? args->device : "auto", out_device, error);
}

/* The model must hear sounds, the baseline read keywords */
static gboolean
check_conditioning (AdisModel   *model,
                    const char  *model_path,
                    AdisModel   *baseline,
                    const char  *baseline_path,
                    GError     **error)
{
  if (adis_model_get_config (model)->conditioning != ADIS_CONDITIONING_AUDIO)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "model “%s” is conditioned on keywords; pass it as --baseline and give a sound model",
                   model_path);
      return FALSE;
    }
  if (baseline != NULL && adis_model_get_config (baseline)->conditioning != ADIS_CONDITIONING_KEYWORD)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "baseline “%s” is conditioned on sounds, not keywords (train it with --keyword)",
                   baseline_path);
      return FALSE;
    }
  return TRUE;
}

/* ... and have a keyword for every category of the set's clips */
static gboolean
check_keywords (AdisModel   *baseline,
                const char  *baseline_path,
                EvalSet     *set,
                GError     **error)
{
  const AdisConfig *config;

  if (baseline == NULL)
    return TRUE;

  config = adis_model_get_config (baseline);
  for (guint i = 0; i < set->clips->len; i++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, i);
      const char *name = clip->category >= 0 ? set->categories[clip->category] : NULL;

      if (name != NULL && !g_strv_contains ((const char *const *) config->keywords, name))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "baseline “%s” has no keyword “%s”, a category of the dataset's test clips",
                       baseline_path, name);
          return FALSE;
        }
    }
  return TRUE;
}

/* --- FID and KID --------------------------------------------------------- */

/* clean-fid's KID: 100 subsets of up to 1000 */
#define KID_SUBSETS     100
#define KID_SUBSET_SIZE 1000

static gboolean
add_distances (JsonObject     *metrics,
               AdisFeatureNet *net,
               const float    *reference,
               guint           n_reference,
               int             dim,
               GPtrArray      *outputs,
               guint64         seed,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autofree float *features = NULL;
  int output_dim = 0;
  double fid, kid, kid_std;

  features = adis_feature_net_extract (net, (AdisImage **) outputs->pdata, outputs->len,
                                       &output_dim, cancellable, error);
  if (features == NULL)
    return FALSE;
  g_assert (output_dim == dim);

  if (!adis_eval_fid (features, outputs->len, reference, n_reference, dim, &fid, error) ||
      !adis_eval_kid (features, outputs->len, reference, n_reference, dim,
                      KID_SUBSETS, KID_SUBSET_SIZE, seed, &kid, &kid_std, error))
    return FALSE;

  eval_json_set_double (metrics, "fid", fid);
  eval_json_set_double (metrics, "kid", kid);
  eval_json_set_double (metrics, "kid_std", kid_std);
  return TRUE;
}

/* --- the page ------------------------------------------------------------ */

static EvalGridRow *
grid_row_new (char *title)
{
  EvalGridRow *row = g_new0 (EvalGridRow, 1);

  row->title = title;
  return row;
}

static void
grid_row_set (EvalGridRow *row,
              GPtrArray   *labels,
              GPtrArray   *images)
{
  g_ptr_array_add (labels, NULL);
  g_ptr_array_add (images, NULL);
  row->labels = (char **) g_ptr_array_free (labels, FALSE);
  row->images = (char **) g_ptr_array_free (images, FALSE);
}

static void
add_cell (GPtrArray  *labels,
          GPtrArray  *images,
          EvalOutput *output,
          char       *label,
          const char *clip_id,
          const char *role,
          const char *what)
{
  g_autofree char *name = eval_image_name (clip_id, role, what);

  g_ptr_array_add (labels, label);
  g_ptr_array_add (images, eval_output_image_path (output, name));
}

/* Inputs and oracle images are saved here; the outputs by eval_model */
static gboolean
build_grid (EvalSet     *set,
            EvalOutput  *output,
            gboolean     with_baseline,
            GPtrArray   *rows,
            GError     **error)
{
  for (guint i = 0; i < set->clips->len && i < GRID_CLIPS; i++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, i);
      g_autofree char *input_name = eval_image_name (clip->clip_id, NULL, "input");
      g_autofree char *oracle_name = eval_image_name (clip->clip_id, NULL, "oracle");
      GPtrArray *labels = g_ptr_array_new ();
      GPtrArray *images = g_ptr_array_new ();
      char *title;

      if (!eval_output_save_image (output, clip->input, input_name, error) ||
          (clip->oracle != NULL && !eval_output_save_image (output, clip->oracle, oracle_name, error)))
        {
          g_ptr_array_free (labels, TRUE);
          g_ptr_array_free (images, TRUE);
          return FALSE;
        }

      if (clip->category >= 0 && clip->category_b >= 0)
        title = g_strdup_printf ("%s · %s + %s (weight %.2f), intensity %.2f", clip->clip_id,
                                 set->categories[clip->category], set->categories[clip->category_b],
                                 clip->weight, clip->intensity);
      else if (clip->category >= 0)
        title = g_strdup_printf ("%s · %s, intensity %.2f", clip->clip_id,
                                 set->categories[clip->category], clip->intensity);
      else
        title = g_strdup (clip->clip_id);

      add_cell (labels, images, output, g_strdup ("input"), clip->clip_id, NULL, "input");
      for (int g = 0; g < EVAL_N_GAINS; g++)
        {
          g_autofree char *what = g_strdup_printf ("gain%g", eval_gains[g]);

          add_cell (labels, images, output, g_strdup_printf ("sound × %g", eval_gains[g]),
                    clip->clip_id, "model", what);
        }
      if (clip->oracle != NULL)
        add_cell (labels, images, output, g_strdup ("oracle"), clip->clip_id, NULL, "oracle");
      if (with_baseline)
        add_cell (labels, images, output, g_strdup ("keyword baseline"), clip->clip_id, "baseline", "keyword");

      g_ptr_array_add (rows, grid_row_new (title));
      grid_row_set (g_ptr_array_index (rows, rows->len - 1), labels, images);
    }

  for (guint p = 0; p < set->pairs->len && p < GRID_PAIRS; p++)
    {
      const EvalPair *pair = &g_array_index (set->pairs, EvalPair, p);
      const EvalClip *a = g_ptr_array_index (set->clips, pair->clip_a);
      const EvalClip *b = g_ptr_array_index (set->clips, pair->clip_b);
      g_autofree char *input_name = eval_image_name (a->clip_id, NULL, "input");
      GPtrArray *labels = g_ptr_array_new ();
      GPtrArray *images = g_ptr_array_new ();

      if (!eval_output_save_image (output, a->input, input_name, error))
        {
          g_ptr_array_free (labels, TRUE);
          g_ptr_array_free (images, TRUE);
          return FALSE;
        }
      add_cell (labels, images, output, g_strdup ("input"), a->clip_id, NULL, "input");
      for (int w = 0; w < EVAL_N_WEIGHTS; w++)
        {
          g_autofree char *what = g_strdup_printf ("mix-%s-w%g", b->clip_id, eval_weights[w]);

          add_cell (labels, images, output, g_strdup_printf ("weight %g", eval_weights[w]),
                    a->clip_id, "model", what);
        }
      g_ptr_array_add (rows, grid_row_new (g_strdup_printf ("mix: %s's sound → %s's", a->clip_id, b->clip_id)));
      grid_row_set (g_ptr_array_index (rows, rows->len - 1), labels, images);
    }

  return TRUE;
}

/* --- the run ------------------------------------------------------------- */

static void
copy_members (JsonObject *dest,
              JsonObject *src)
{
  g_autoptr(GList) names = json_object_get_members (src);

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (dest, l->data, json_node_copy (json_object_get_member (src, l->data)));
}

static void
list_skipped (JsonObject *metrics,
              EvalSet    *set,
              gboolean    baseline_given,
              gboolean    inception_given)
{
  JsonArray *skipped = json_array_new ();

  if (!set->synthetic)
    {
      json_array_add_string_element (skipped,
        "accuracy, intensity_mae, intensity_spearman: no factors.tsv, so the clips' categories and intensities are unknown");
      json_array_add_string_element (skipped,
        "psnr, ssim: no factors.tsv, so there is no oracle image to compare with");
      json_array_add_string_element (skipped,
        "mix_spearman reads the probe's category at weight 1 as the second category");
      if (baseline_given)
        json_array_add_string_element (skipped,
          "baseline: a keyword model needs each clip's category, which only a synthetic set's factors give");
    }
  if (!set->synthetic)
    {
      json_array_add_string_element (skipped,
        "oracle_nearest_accuracy: no factors.tsv, so the renderer cannot draw each category on the clips' photos");
      json_array_add_string_element (skipped,
        "detail: no factors.tsv, so the set has no whole photos to restyle at their own size");
    }
  if (!inception_given)
    json_array_add_string_element (skipped, "fid, kid: no --inception network given");

  json_object_set_array_member (metrics, "skipped", skipped);
}

/* How many of the measured clips are really unseen: no train clip uses
 * their recordings, their photo, or either (null where the set cannot say) */
static void
add_held_out (JsonObject *metrics,
              EvalSet    *set)
{
  gint64 recordings = 0, photos = 0, both = 0;
  gboolean known_recordings = set->synthetic, known_photos = set->synthetic;

  for (guint i = 0; i < set->clips->len; i++)
    {
      const EvalClip *clip = g_ptr_array_index (set->clips, i);

      known_recordings &= clip->new_recordings >= 0;
      known_photos &= clip->new_photo >= 0;
      recordings += clip->new_recordings == 1;
      photos += clip->new_photo == 1;
      both += clip->new_recordings == 1 && clip->new_photo == 1;
    }
  if (known_recordings)
    json_object_set_int_member (metrics, "n_clips_new_recordings", recordings);
  else
    json_object_set_null_member (metrics, "n_clips_new_recordings");
  if (known_photos)
    json_object_set_int_member (metrics, "n_clips_new_photo", photos);
  else
    json_object_set_null_member (metrics, "n_clips_new_photo");
  if (known_recordings && known_photos)
    json_object_set_int_member (metrics, "n_clips_new_both", both);
  else
    json_object_set_null_member (metrics, "n_clips_new_both");
}

/* The error starts a line of its own, even after a progress line */
static int
fail (EvalProgress *progress,
      const GError *error)
{
  eval_progress_finish (progress);
  return soundstyle_cli_report_error (error);
}

static int
run_eval (EvalArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvalProgress) progress = eval_progress_new (args->quiet);
  g_autoptr(EvalOutput) output = NULL;
  g_autoptr(AdisModel) model = NULL;
  g_autoptr(AdisModel) baseline = NULL;
  g_autoptr(AdisFeatureNet) inception = NULL;
  g_autoptr(EvalSet) set = NULL;
  g_autoptr(AdisProbe) probe = NULL;
  g_autoptr(JsonObject) metrics = json_object_new ();
  g_autoptr(JsonObject) probe_report = json_object_new ();
  g_autoptr(JsonObject) model_metrics = NULL;
  g_autoptr(JsonObject) baseline_metrics = NULL;
  g_autoptr(JsonObject) ceiling_metrics = NULL;
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);
  g_autoptr(GPtrArray) baseline_outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) eval_grid_row_free);
  g_autofree char *json_text = NULL;
  GCancellable *cancellable = soundstyle_cli_interrupt_cancellable ();
  EvalModelOptions model_options = { "model", NULL, GRID_CLIPS, GRID_PAIRS };
  EvalModelOptions baseline_options = { "baseline", NULL, GRID_CLIPS, 0 };
  EvalModelOptions ceiling_options = { "renderer", NULL, 0, 0 };
  AdisDevice device;
  guint64 seed;

  /* Everything that can be wrong with the arguments shows before any work */
  if (!check_args (args, &device, &seed, &error) ||
      (args->output != NULL && (output = eval_output_begin (args->output, &error)) == NULL))
    return fail (progress, error);
  model_options.output = output;
  baseline_options.output = output;
  model_options.detail_size = args->detail_size;
  baseline_options.detail_size = args->detail_size;
  ceiling_options.detail_size = args->detail_size;

  if ((model = soundstyle_cli_load_model (args->model, device, &error)) == NULL ||
      (args->baseline != NULL &&
       (baseline = soundstyle_cli_load_model (args->baseline, device, &error)) == NULL) ||
      (args->inception != NULL &&
       (inception = adis_feature_net_load (args->inception, device, &error)) == NULL) ||
      !check_conditioning (model, args->model, baseline, args->baseline, &error))
    return fail (progress, error);

  if ((set = eval_set_load (args->dataset, args->size, args->max_clips, seed,
                            progress, cancellable, &error)) == NULL ||
      !check_keywords (baseline, args->baseline, set, &error))
    return fail (progress, error);

  /* A keyword model cannot be told the category of a clip nobody labelled */
  if (!set->synthetic)
    g_clear_pointer (&baseline, adis_model_unref);
  if (args->ceiling && !set->synthetic)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "--ceiling needs a set made by soundstyle synth: “%s” has no factors.tsv, so the renderer cannot redraw its clips",
                   args->dataset);
      return fail (progress, error);
    }

  /* The outputs are kept only for FID and KID */
  if ((probe = eval_probe_train (set, args->probe_examples, seed, progress, probe_report,
                                 cancellable, &error)) == NULL ||
      (model_metrics = eval_model (model, set, probe, &model_options,
                                   inception != NULL ? outputs : NULL,
                                   progress, cancellable, &error)) == NULL ||
      (baseline != NULL &&
       (baseline_metrics = eval_model (baseline, set, probe, &baseline_options,
                                       inception != NULL ? baseline_outputs : NULL,
                                       progress, cancellable, &error)) == NULL) ||
      (args->ceiling &&
       (ceiling_metrics = eval_model (NULL, set, probe, &ceiling_options, NULL,
                                      progress, cancellable, &error)) == NULL))
    return fail (progress, error);

  json_object_set_string_member (metrics, "model", args->model);
  json_object_set_string_member (metrics, "dataset", args->dataset);
  json_object_set_boolean_member (metrics, "synthetic", set->synthetic);
  json_object_set_int_member (metrics, "n_test_clips", set->n_test);
  json_object_set_int_member (metrics, "size", args->size);
  json_object_set_int_member (metrics, "seed", (gint64) seed);
  add_held_out (metrics, set);
  if (set->detail_note != NULL)
    json_object_set_string_member (metrics, "detail_note", set->detail_note);
  copy_members (metrics, model_metrics);

  if (inception != NULL)
    {
      g_autoptr(GPtrArray) reference = g_ptr_array_new ();
      g_autofree float *reference_features = NULL;
      int dim = 0;

      /* The renderer's images, or the held-out frames on a real set */
      for (guint i = 0; i < set->clips->len; i++)
        {
          EvalClip *clip = g_ptr_array_index (set->clips, i);

          g_ptr_array_add (reference, clip->oracle != NULL ? clip->oracle : clip->input);
        }
      eval_progress_stage (progress, "Inception features", 1);
      reference_features = adis_feature_net_extract (inception, (AdisImage **) reference->pdata, reference->len,
                                                     &dim, cancellable, &error);
      if (reference_features == NULL ||
          !add_distances (metrics, inception, reference_features, reference->len, dim,
                          outputs, seed, cancellable, &error) ||
          (baseline_metrics != NULL &&
           !add_distances (baseline_metrics, inception, reference_features, reference->len, dim,
                           baseline_outputs, seed, cancellable, &error)))
        return fail (progress, error);
      eval_progress_update (progress, 1);
      eval_progress_finish (progress);
    }
  else
    {
      json_object_set_null_member (metrics, "fid");
      json_object_set_null_member (metrics, "kid");
    }

  json_object_set_object_member (metrics, "probe", g_steal_pointer (&probe_report));
  if (baseline_metrics != NULL)
    {
      json_object_set_string_member (baseline_metrics, "model", args->baseline);
      json_object_remove_member (baseline_metrics, "detail_photos");
      json_object_set_object_member (metrics, "baseline", g_steal_pointer (&baseline_metrics));
    }
  if (ceiling_metrics != NULL)
    {
      /* The renderer against itself: PSNR and SSIM say nothing */
      json_object_set_null_member (ceiling_metrics, "psnr");
      json_object_set_null_member (ceiling_metrics, "ssim");
      json_object_remove_member (ceiling_metrics, "detail_photos");
      json_object_set_object_member (metrics, "ceiling", g_steal_pointer (&ceiling_metrics));
    }
  list_skipped (metrics, set, args->baseline != NULL, args->inception != NULL);

  json_text = eval_json_to_text (metrics);

  if (output == NULL)
    {
      fputs (json_text, stdout);
      fflush (stdout);
      return SOUNDSTYLE_EXIT_OK;
    }

  {
    g_autofree char *html = NULL;

    if (!build_grid (set, output, json_object_has_member (metrics, "baseline"), rows, &error))
      return fail (progress, error);
    html = eval_report_html (metrics, rows);
    if (!eval_output_commit (output, json_text, html, &error))
      return fail (progress, error);
  }

  if (!args->quiet)
    g_printerr ("eval: report in %s (metrics.json, index.html)\n", args->output);
  return SOUNDSTYLE_EXIT_OK;
}

int
soundstyle_cmd_eval (int    argc,
                     char **argv)
{
  g_auto(EvalArgs) args = { .size = 128, .max_clips = 100, .probe_examples = 4000 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "baseline", 'b', 0, G_OPTION_ARG_FILENAME, &args.baseline, "A keyword model (train --keyword) to measure side by side", "MODEL" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "Write DIR/metrics.json, DIR/index.html and DIR/images/ (default: JSON on stdout)", "DIR" },
    { "size", 's', 0, G_OPTION_ARG_INT, &args.size, "Long side of the images measured, in pixels (default: 128)", "N" },
    { "max-clips", 'n', 0, G_OPTION_ARG_INT, &args.max_clips, "Held-out clips to measure at most, chosen by --seed (default: 100); each takes about 2 MB of memory at --size 256", "N" },
    { "probe-examples", 0, 0, G_OPTION_ARG_INT, &args.probe_examples, "Renderer images the probe learns from (default: 4000)", "N" },
    { "inception", 0, 0, G_OPTION_ARG_FILENAME, &args.inception, "TorchScript Inception-v3 feature network, for FID and KID", "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &args.seed, "Seed for the clips chosen, the probe and KID (default: 0)", "S" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { "detail-size", 0, 0, G_OPTION_ARG_INT, &args.detail_size, "Restyle the detail figure's photos at this long side at most (default: 0, each photo's own size)", "N" },
    { "ceiling", 0, 0, G_OPTION_ARG_NONE, &args.ceiling, "Also measure the renderer itself (synthetic sets): the best each figure can be with this probe", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &args.quiet, "No progress on stderr", NULL },
    { NULL }
  };

  context = g_option_context_new ("MODEL DATASET");
  g_option_context_set_summary (context,
    "Measure MODEL on the test split of DATASET (made by soundstyle synth or\n"
    "soundstyle prepare), with no download: a probe network learns the\n"
    "weather renderer's categories and intensities, then reads the model's outputs.");
  g_option_context_set_description (context,
    "Metrics (JSON keys): accuracy and intensity_mae of the probe on the outputs;\n"
    "intensity_spearman, within each category; volume_spearman, gain against the\n"
    "probe's intensity; mix_spearman, mix weight against the probe's probability of\n"
    "the second category; edge_correlation of the input's and output's edge maps;\n"
    "psnr and ssim against the renderer's image; oracle_nearest_accuracy, the share\n"
    "of unmixed outputs whose colour layout (mean CIELAB of 16 x 16 cells) is\n"
    "nearest the renderer's image of their own category (each category drawn on\n"
    "the same input at intensities 0.2, 0.5 and 0.8, same seed); detail, the\n"
    "correlation of the Laplacian of Gaussian (sigma 1) of L* of input and output,\n"
    "each held-out photo restyled whole at its own size by one clip of each\n"
    "category (the original file media.tsv records, else the set's copy:\n"
    "detail_photos and detail_note say which); n_clips_new_recordings and\n"
    "n_clips_new_photo, the measured clips no train clip shares them with;\n"
    "per_category; clips, each clip's volume sweep as the probe read it (its\n"
    "intensity and category at every gain); probe (its own\n"
    "accuracy on held-out renderer images); baseline, the same for --baseline;\n"
    "ceiling, the same for the renderer's own images (--ceiling): a mix is drawn\n"
    "at the blend weight, its intensity between the two clips' by weight.\n"
    "On a set without factors.tsv the figures that need the renderer's ground\n"
    "truth are null and listed under \"skipped\".\n"
    "\n"
    "FID and KID follow clean-fid: each image resized to 299 x 299, bilinear,\n"
    "values 0..255, through the network given by --inception: a TorchScript file\n"
    "(torch.jit.save) whose forward takes a [N, 3, 299, 299] float batch (and\n"
    "clean-fid's return_features flag, if it has one) and returns [N, 2048]\n"
    "pool3 features. None is shipped: bring your own, such as clean-fid's.\n"
    "\n"
    "Examples:\n"
    "  soundstyle eval model.safetensors data/synth\n"
    "  soundstyle eval model.safetensors data/synth --baseline keyword.safetensors --output report\n"
    "  soundstyle eval model.safetensors data/hikes --inception inception.pt --max-clips 500\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc != 3)
    {
      if (argc < 3)
        usage_error (&error, "eval needs a MODEL and a DATASET");
      else
        usage_error (&error, "unexpected argument “%s”", argv[3]);
      return soundstyle_cli_report_error (error);
    }
  args.model = g_strdup (argv[1]);
  args.dataset = g_strdup (argv[2]);

  return run_eval (&args);
}
