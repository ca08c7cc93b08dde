/* distributed-step.c: one training step, alone or as one rank under
 * torchrun, with its gradients and losses written out
 *
 * SPDX-License-Identifier: MIT
 *
 * test-distributed runs it once alone and once as each rank of a 2-rank
 * job on the same global batch, and holds every gradient and loss equal.
 * Usage: distributed-step DATASET OUT_PREFIX BATCH [OPTION...]
 *   --keyword         the label baseline (no audio encoder, no BatchNorm)
 *   --sync-batchnorm  the ranks' BatchNorm with the global batch's statistics
 *   --double          the networks and inputs in double (below float32's
 *                     rounding, two computations of a step show their maths)
 *   --no-overlap      the gradients averaged after the backward pass
 *   --bucket-bytes N  the gradients' buckets (many small ones: many hooks)
 * writes OUT_PREFIX-single.safetensors (alone) or -rankN.safetensors, and
 * the losses as text next to it (.losses).
 */
#include "config.h"

#include <stdlib.h>

#include "adis.h"
#include "adis-distributed.h"
#include "adis-testing-distributed.h"

static int
fail (const GError *error)
{
  g_printerr ("distributed-step: %s\n", error->message);
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisDataset) dataset = NULL;
  g_autoptr(AdisTrainer) trainer = NULL;
  g_autofree char *grads_path = NULL;
  g_autofree char *losses_path = NULL;
  g_autofree char *losses = NULL;
  AdisDistributedEnv env;
  AdisDistributedOptions dist_options;
  AdisTrainOptions options;
  AdisTrainProgress p;
  AdisConfig config = { 0 };
  gboolean distributed, keyword = FALSE, use_double = FALSE;

  adis_distributed_options_init (&dist_options);
  dist_options.timeout_seconds = 60;
  for (int i = 4; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--keyword"))
        keyword = TRUE;
      else if (g_str_equal (argv[i], "--sync-batchnorm"))
        dist_options.sync_batchnorm = TRUE;
      else if (g_str_equal (argv[i], "--double"))
        use_double = TRUE;
      else if (g_str_equal (argv[i], "--no-overlap"))
        dist_options.no_overlap = TRUE;
      else if (g_str_equal (argv[i], "--bucket-bytes") && i + 1 < argc)
        dist_options.bucket_bytes = g_ascii_strtoll (argv[++i], NULL, 10);
      else
        argc = 0;
    }
  if (argc < 4)
    {
      g_printerr ("usage: %s DATASET OUT_PREFIX BATCH [--keyword] [--sync-batchnorm] [--double] "
                  "[--no-overlap] [--bucket-bytes N]\n", argv[0]);
      return 2;
    }

  distributed = adis_distributed_env_read (&env, &error);
  if (error != NULL)
    return fail (error);
  if (distributed)
    {
      gboolean joined = adis_distributed_join (&env, &dist_options, &error);

      adis_distributed_env_clear (&env);
      if (!joined)
        return fail (error);
      grads_path = g_strdup_printf ("%s-rank%d.safetensors", argv[2], adis_distributed_get_rank ());
    }
  else
    grads_path = g_strdup_printf ("%s-single.safetensors", argv[2]);

  if ((dataset = adis_dataset_open (argv[1], &error)) == NULL ||
      !adis_config_init_preset (&config, "tiny", &error))
    return fail (error);

  /* The label baseline has no audio encoder, hence no BatchNorm, whose
   * per-rank statistics (as DDP's) would make 2 ranks' step another one */
  if (keyword)
    {
      const char *const *categories = adis_dataset_get_categories (dataset);

      config.conditioning = ADIS_CONDITIONING_KEYWORD;
      config.keywords = g_strdupv ((char **) categories);
      config.n_keywords = (int) g_strv_length (config.keywords);
    }
  adis_train_options_init (&options, &config);
  adis_config_clear (&config);
  options.crop_size = 32;
  options.load_size = 36;
  options.batch_size = atoi (argv[3]);
  options.seed = 7;
  options.device = ADIS_DEVICE_CPU;
  options.n_workers = 1;
  trainer = adis_trainer_new (&options, dataset, &error);
  adis_train_options_clear (&options);
  if (trainer == NULL || (use_double && !adis_testing_use_double (trainer, &error)) ||
      !adis_trainer_step (trainer, &p, &error) ||
      !adis_testing_save_gradients (trainer, grads_path, &error))
    return fail (error);

  losses = g_strdup_printf ("%.17g %.17g %.17g %.17g %.17g %.17g %.17g\n",
                            p.loss_d, p.loss_g_gan, p.loss_nce, p.loss_nce_y, p.loss_g_total,
                            p.grad_norm_g, p.grad_norm_d);
  losses_path = g_strconcat (grads_path, ".losses", NULL);
  if (!g_file_set_contents (losses_path, losses, -1, &error))
    return fail (error);

  g_clear_pointer (&trainer, adis_trainer_free);
  adis_distributed_leave ();
  return 0;
}
