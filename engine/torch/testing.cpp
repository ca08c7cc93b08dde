// testing.cpp: the parity tests' way into the networks and the step
//
// SPDX-License-Identifier: MIT
//
// Runs the same sequence as tests/reference/make_golden.py, on the weights
// and inputs it wrote, so the test can compare every intermediate result.

#include <cstdlib>
#include <cstring>
#include <string>

#include "losses.h"
#include "nets.h"
#include "runtime.h"
#include "step.h"
#include "trainer-private.h"

extern "C" {
#include "adis-safetensors.h"
#include "adis-testing.h"
}

namespace {

// The tests switch the fast kernels process-wide; this puts the setting
// back however the comparison ends
struct FastKernelsRestored {
  bool was_on = adis::fast_kernels ();
  ~FastKernelsRestored () { adis::set_fast_kernels (was_on); }
};

bool
parse_json_object (const char *text, const char *what, JsonParser *parser,
                   JsonObject **out, GError **error)
{
  JsonNode *root;

  if (text == nullptr || !json_parser_load_from_data (parser, text, -1, nullptr) ||
      (root = json_parser_get_root (parser)) == nullptr || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Golden file: metadata “%s” is missing or not a JSON object", what);
      return false;
    }
  *out = json_node_get_object (root);
  return true;
}

bool
read_options (AdisTensorFile *file, AdisTrainOptions *options, GError **error)
{
  g_autoptr (JsonParser) config_parser = json_parser_new ();
  g_autoptr (JsonParser) options_parser = json_parser_new ();
  JsonObject *config_json, *options_json;

  if (!parse_json_object (adis_tensor_file_get_metadata (file, "config"), "config",
                          config_parser, &config_json, error) ||
      !parse_json_object (adis_tensor_file_get_metadata (file, "options"), "options",
                          options_parser, &options_json, error))
    return false;

  memset (options, 0, sizeof *options);
  if (!adis_config_from_json (&options->model, config_json, error) ||
      !adis_config_validate (&options->model, error))
    return false;

  options->lr = json_object_get_double_member_with_default (options_json, "lr", 2e-4);
  options->beta1 = json_object_get_double_member_with_default (options_json, "beta1", 0.5);
  options->beta2 = json_object_get_double_member_with_default (options_json, "beta2", 0.999);
  options->lambda_gan = json_object_get_double_member_with_default (options_json, "lambda_gan", 1.0);
  options->lambda_nce = json_object_get_double_member_with_default (options_json, "lambda_nce", 0.5);
  options->nce_temperature =
    json_object_get_double_member_with_default (options_json, "nce_temperature", 0.07);
  options->nce_patches =
    (int) json_object_get_int_member_with_default (options_json, "nce_patches", 256);
  options->lambda_cycle =
    json_object_get_double_member_with_default (options_json, "lambda_cycle", 10.0);
  options->identity =
    json_object_get_boolean_member_with_default (options_json, "identity", TRUE);
  options->objective =
    g_strcmp0 (json_object_get_string_member_with_default (options_json, "objective", "nce"),
               "cycle") == 0 ? ADIS_OBJECTIVE_CYCLE : ADIS_OBJECTIVE_NCE;
  options->fusion =
    g_strcmp0 (json_object_get_string_member_with_default (options_json, "fusion", "early"),
               "late") == 0 ? ADIS_FUSION_LATE : ADIS_FUSION_EARLY;
  return true;
}

bool
read_input (AdisTensorFile *file, const std::string &name, torch::Tensor *out, GError **error)
{
  const AdisTensorView *view = adis_tensor_file_lookup (file, name.c_str ());

  if (view == nullptr)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "Golden file: input %s is missing", name.c_str ());
      return false;
    }
  *out = adis::tensor_from_view (view);
  return true;
}

torch::Tensor
scalar (double value)
{
  return torch::tensor (value, torch::kFloat);
}

bool
run_parity (const char *golden_path, const char *output_path, GError **error)
{
  g_autoptr (AdisTensorFile) file = adis_tensor_file_open (golden_path, error);
  g_autoptr (AdisTensorWriter) writer = nullptr;
  AdisTrainOptions options;
  adis::StepInputs in;
  torch::Tensor x;
  int steps;

  if (file == nullptr || !read_options (file, &options, error))
    return false;

  adis::Networks nets (options);
  std::string config_name = options.model.preset;
  adis_config_clear (&options.model);

  // Every network under its registered name: "D" is whichever fusion runs
  for (const auto &item : nets->named_children ())
    if (!adis::load_module (*item.value (), file, item.key () + ".", error))
      return false;

  if (!read_input (file, "in.x", &in.x, error) ||
      !read_input (file, "in.y", &in.y, error) ||
      !read_input (file, "in.wave_x", &in.wave_x, error) ||
      !read_input (file, "in.wave_y", &in.wave_y, error))
    return false;

  for (size_t k = 0; k < adis::nce_layers (nets->options.model).size (); k++)
    {
      torch::Tensor ids;

      if (!read_input (file, "in.patch_ids." + std::to_string (k), &ids, error))
        return false;
      in.patch_ids.push_back (ids);
    }

  {
    const char *steps_text = adis_tensor_file_get_metadata (file, "steps");

    steps = steps_text != nullptr ? atoi (steps_text) : 1;
  }
  writer = adis_tensor_writer_new ();

  // Inference mode, as the reference runs it first
  nets->eval ();
  {
    torch::NoGradGuard no_grad;
    auto spec = adis::spectrogram (in.wave_y);
    auto embed = nets->A->forward (spec);
    auto fake = nets->G->forward (in.x, embed);

    adis::save_tensor (writer, "spec", spec, ADIS_DTYPE_F32);
    adis::save_tensor (writer, "embed", embed, ADIS_DTYPE_F32);
    adis::save_tensor (writer, "fake", fake, ADIS_DTYPE_F32);
    adis::save_tensor (writer, "d_out", nets->discriminate (fake, spec), ADIS_DTYPE_F32);
    adis::save_tensor (writer, "nce", adis::nce_total (nets, in.x, fake, in.patch_ids, nullptr),
                       ADIS_DTYPE_F32);
  }

  auto opt = adis::make_optimizers (nets, nets->options);
  for (int step = 1; step <= steps; step++)
    {
      adis::StepResult r = adis::train_step (nets, opt, in);
      std::string p = "step" + std::to_string (step) + ".";

      adis::save_tensor (writer, p + "loss_d", scalar (r.loss_d), ADIS_DTYPE_F32);
      adis::save_tensor (writer, p + "loss_g_gan", scalar (r.loss_g_gan), ADIS_DTYPE_F32);
      adis::save_tensor (writer, p + "loss_nce", scalar (r.loss_nce), ADIS_DTYPE_F32);
      adis::save_tensor (writer, p + "loss_nce_y", scalar (r.loss_nce_y), ADIS_DTYPE_F32);
      adis::save_tensor (writer, p + "loss_g_total", scalar (r.loss_g_total), ADIS_DTYPE_F32);
      adis::save_tensor (writer, p + "grad_norm_g", scalar (r.grad_norm_g), ADIS_DTYPE_F32);
      adis::save_tensor (writer, p + "grad_norm_d", scalar (r.grad_norm_d), ADIS_DTYPE_F32);
    }

  nets->eval ();
  {
    torch::NoGradGuard no_grad;
    auto embed = nets->A->forward (adis::spectrogram (in.wave_y));

    adis::save_tensor (writer, "fake_after", nets->G->forward (in.x, embed), ADIS_DTYPE_F32);
  }

  adis_tensor_writer_set_metadata (writer, "preset", config_name.c_str ());
  return adis_tensor_writer_save (writer, output_path, error);
}

int64_t
count (torch::nn::Module &module)
{
  int64_t n = 0;

  for (const auto &p : module.parameters ())
    n += p.numel ();
  return n;
}

}  // namespace

extern "C" gboolean
adis_testing_run_parity (const char  *golden_path,
                         const char  *output_path,
                         GError     **error)
{
  FastKernelsRestored restore;

  g_return_val_if_fail (golden_path != NULL && output_path != NULL, FALSE);

  // The reference's own kernels, so that two steps compare: Adam's first
  // update moves every weight by about lr whatever its gradient's size, so
  // a gradient of about 0 whose sign differs by rounding alone moves a
  // weight 2 lr the other way. The fast kernels are held to the plain ones
  // on a step's losses and gradients instead (test-speed's
  // /speed/kernels/training).
  adis::set_fast_kernels (false);
  return adis::guard (error, [&] { return run_parity (golden_path, output_path, error); });
}

extern "C" gint64
adis_testing_count_parameters (const AdisConfig  *config,
                               const char        *network,
                               GError           **error)
{
  gint64 n = -1;

  g_return_val_if_fail (config != NULL && network != NULL, -1);

  if (!adis_config_validate (config, error))
    return -1;

  adis::guard (error, [&] {
    std::string which = network;

    if (which == "G")
      n = count (*adis::Generator (*config));
    else if (which == "A")
      n = count (*adis::AudioEncoder (config->audio_width, config->embed_dim));
    else if (which == "D")
      n = count (*adis::Discriminator (config->ndf, 6));
    else if (which == "F")
      n = count (*adis::PatchSampleMLP (adis::nce_channels (*config), config->mlp_dim));
    else
      {
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                     "Unknown network “%s”: use G, A, D or F", network);
        return false;
      }
    return true;
  });
  return n;
}

extern "C" gboolean
adis_testing_compare_decoders (const AdisConfig *config,
                               int               code_height,
                               int               code_width,
                               guint64           seed,
                               double           *out_max_diff,
                               double           *out_sound_effect,
                               GError          **error)
{
  g_return_val_if_fail (config != NULL && out_max_diff != NULL && out_sound_effect != NULL, FALSE);

  if (!adis_config_validate (config, error))
    return FALSE;

  return adis::guard (error, [&] {
    torch::manual_seed (seed);
    // libtorch's default initialisation: weights of a useful size, unlike
    // the training init's gain of 0.02, so a wrong fold shows plainly
    adis::Generator G (*config);
    G->eval ();
    // The FiLM starts at zero; a random one shows whether it is applied
    // in the same place on both paths
    if (G->audio_film)
      {
        torch::NoGradGuard no_grad;
        G->audio_film->weight.normal_ (0.0, 0.5);
        G->audio_film->bias.normal_ (0.0, 0.5);
      }
    c10::InferenceMode inference;
    auto code = torch::randn ({1, 4 * config->ngf, code_height, code_width});
    auto e1 = torch::randn ({1, config->embed_dim});
    auto e2 = torch::randn ({1, config->embed_dim});
    auto share = G->decode_image_share (code);
    auto plain1 = G->decode (code, e1);
    auto fast1 = G->decode_from_share (share, e1);
    auto fast2 = G->decode_from_share (share, e2);

    *out_max_diff = std::max ((plain1 - fast1).abs ().max ().item<double> (),
                              (G->decode (code, e2) - fast2).abs ().max ().item<double> ());
    *out_sound_effect = (fast1 - fast2).abs ().max ().item<double> ();
    return true;
  });
}

extern "C" gboolean
adis_testing_compare_kernels (const AdisConfig *config,
                              int               height,
                              int               width,
                              guint64           seed,
                              double           *out_embed_diff,
                              double           *out_image_diff,
                              double           *out_image_range,
                              GError          **error)
{
  g_return_val_if_fail (config != NULL && out_embed_diff != NULL && out_image_diff != NULL &&
                        out_image_range != NULL, FALSE);

  if (!adis_config_validate (config, error))
    return FALSE;

  FastKernelsRestored restore;

  return adis::guard (error, [&] {
    bool channels_last = adis::use_channels_last ();
    torch::manual_seed (seed);
    adis::Generator G (*config);
    adis::AudioEncoder A (config->audio_width, config->embed_dim);

    {
      torch::NoGradGuard no_grad;

      // Variances off 1; means left at 0, so the ReLUs pass half the values
      for (auto &item : A->named_buffers ())
        if (g_str_has_suffix (item.key ().c_str (), "running_var"))
          item.value ().uniform_ (0.5, 1.5);
    }
    G->eval ();
    A->eval ();
    if (channels_last)
      {
        adis::to_channels_last (*G);
        adis::to_channels_last (*A);
      }
    c10::InferenceMode inference;
    auto x = adis::in_layout (torch::rand ({1, 3, height, width}) * 2 - 1, channels_last);
    auto spec = adis::spectrogram (torch::randn ({1, ADIS_CLIP_SAMPLES}) * 0.1);
    torch::Tensor embed[2], image[2];

    for (int fast = 0; fast < 2; fast++)
      {
        adis::set_fast_kernels (fast);
        embed[fast] = A->forward (spec);
        image[fast] = G->decode_from_share (G->decode_image_share (G->encode (x)), embed[fast]);
      }
    *out_embed_diff = (embed[0] - embed[1]).abs ().max ().item<double> ();
    // An embedding that is the fc's bias alone would compare nothing
    TORCH_CHECK ((embed[0] - A->fc->bias).abs ().max ().item<double> () > 1e-3,
                 "the test's audio encoder gives a constant embedding");
    *out_image_diff = (image[0] - image[1]).abs ().max ().item<double> ();
    *out_image_range = image[0].abs ().max ().item<double> ();
    return true;
  });
}

extern "C" gboolean
adis_testing_compare_training_kernels (const AdisConfig *config,
                                       int               size,
                                       int               batch,
                                       guint64           seed,
                                       double           *out_loss_diff,
                                       double           *out_grad_diff,
                                       double           *out_grad_range,
                                       GError          **error)
{
  g_return_val_if_fail (config != NULL && size > 0 && batch > 0 && out_loss_diff != NULL &&
                        out_grad_diff != NULL && out_grad_range != NULL, FALSE);

  if (!adis_config_validate (config, error))
    return FALSE;

  FastKernelsRestored restore;

  return adis::guard (error, [&] {
    AdisTrainOptions options;
    adis::StepInputs in;
    std::vector<double> losses[2];
    std::vector<torch::Tensor> grads[2];

    adis_train_options_init (&options, config);
    torch::manual_seed (seed);
    in.x = torch::rand ({batch, 3, size, size}) * 2 - 1;
    in.y = torch::rand ({batch, 3, size, size}) * 2 - 1;
    in.wave_x = torch::randn ({batch, ADIS_CLIP_SAMPLES}) * 0.1;
    in.wave_y = torch::randn ({batch, ADIS_CLIP_SAMPLES}) * 0.1;

    for (int fast = 0; fast < 2; fast++)
      {
        adis::set_fast_kernels (fast);
        torch::manual_seed (seed + 1);
        // libtorch's default initialisation, as in compare_kernels, not
        // the training init's gain of 0.02: under that, the decoder's
        // first norm subtracts the sound's large per-channel constant and
        // divides by a tiny deviation, so rounding differences of 1e-7 in
        // that constant come out of its backward a thousand times larger,
        // whichever kernels ran
        adis::Networks nets (options);
        auto opt = adis::make_optimizers (nets, nets->options);
        // The patch positions come from torch's generator, seeded alike
        // for both, and neither path draws anything else from it
        adis::StepResult r = adis::train_step (nets, opt, in);

        losses[fast] = { r.loss_d, r.loss_g_gan, r.loss_nce, r.loss_nce_y, r.loss_g_total };
        for (const auto &p : nets->parameters ())
          if (p.grad ().defined ())
            grads[fast].push_back (p.grad ().clone ());
      }

    TORCH_CHECK (grads[0].size () == grads[1].size () && !grads[0].empty (),
                 "the two steps left gradients on different parameters");
    *out_loss_diff = 0;
    for (size_t i = 0; i < losses[0].size (); i++)
      *out_loss_diff = std::max (*out_loss_diff, std::abs (losses[0][i] - losses[1][i]));
    *out_grad_diff = 0;
    *out_grad_range = 0;
    for (size_t i = 0; i < grads[0].size (); i++)
      {
        *out_grad_diff = std::max (*out_grad_diff, (grads[0][i] - grads[1][i]).abs ().max ().item<double> ());
        *out_grad_range = std::max (*out_grad_range, grads[0][i].abs ().max ().item<double> ());
      }
    adis_train_options_clear (&options);
    return true;
  });
}

namespace {

// The largest difference between two lists of tensors
double
max_diff (const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
  double d = 0;

  TORCH_CHECK (a.size () == b.size (), "max_diff: lists of different lengths");
  for (size_t i = 0; i < a.size (); i++)
    d = std::max (d, (a[i] - b[i]).abs ().max ().item<double> ());
  return d;
}

}  // namespace

extern "C" gboolean
adis_testing_compare_training_ops (guint64  seed,
                                   double  *out_mlp_diff,
                                   double  *out_nce_diff,
                                   double  *out_upsample_diff,
                                   GError **error)
{
  g_return_val_if_fail (out_mlp_diff != NULL && out_nce_diff != NULL && out_upsample_diff != NULL, FALSE);

  FastKernelsRestored restore;

  return adis::guard (error, [&] {
    torch::manual_seed (seed);
    adis::PatchSampleMLP mlp (std::vector<int64_t> { 16, 64 }, 128);
    adis::BlurUpsample up (32);
    std::vector<torch::Tensor> feats = { torch::randn ({2, 16, 32, 32}), torch::randn ({2, 64, 16, 16}) };
    std::vector<torch::Tensor> ids = { torch::randperm (32 * 32).slice (0, 0, 256), torch::randperm (16 * 16) };
    auto mlp_upstream = torch::randn ({2 * 256, 128});
    auto q0 = torch::nn::functional::normalize (torch::randn ({2 * 256, 128}),
                                                torch::nn::functional::NormalizeFuncOptions ().dim (1));
    auto k = torch::nn::functional::normalize (torch::randn ({2 * 256, 128}),
                                               torch::nn::functional::NormalizeFuncOptions ().dim (1));
    auto x0 = torch::randn ({2, 32, 16, 16});
    auto up_upstream = torch::randn ({2, 32, 32, 32});
    std::vector<torch::Tensor> mlp_results[2], nce_results[2], up_results[2];

    for (int fast = 0; fast < 2; fast++)
      {
        adis::set_fast_kernels (fast);

        // The MLPs: outputs, then the gradients of the features and weights
        std::vector<torch::Tensor> leaves;
        for (const auto &f : feats)
          leaves.push_back (f.clone ().requires_grad_ (true));
        mlp->zero_grad ();
        auto out = mlp->forward (leaves, 256, ids, nullptr);
        ((out[0] * mlp_upstream).sum () + (out[1] * mlp_upstream).sum ()).backward ();
        mlp_results[fast] = { out[0].detach (), out[1].detach (), leaves[0].grad (), leaves[1].grad () };
        for (const auto &p : mlp->parameters ())
          mlp_results[fast].push_back (p.grad ().clone ());

        // PatchNCE: the loss and the queries' gradient
        auto q = q0.clone ().requires_grad_ (true);
        auto loss = adis::patch_nce_loss (q, k, 2, 0.07);
        loss.backward ();
        nce_results[fast] = { loss.detach (), q.grad () };

        // Blur-upsampling: output and input gradient
        auto x = x0.clone ().requires_grad_ (true);
        auto y = up->forward (x);
        (y * up_upstream).sum ().backward ();
        up_results[fast] = { y.detach (), x.grad () };
      }
    *out_mlp_diff = max_diff (mlp_results[0], mlp_results[1]);
    *out_nce_diff = max_diff (nce_results[0], nce_results[1]);
    *out_upsample_diff = max_diff (up_results[0], up_results[1]);
    return true;
  });
}

extern "C" void
adis_testing_set_fast_kernels (gboolean on)
{
  adis::set_fast_kernels (on);
}

extern "C" void
adis_testing_poison_steps (AdisTrainer *trainer,
                           gint64       first_step,
                           gint64       n_steps)
{
  g_return_if_fail (trainer != NULL);

  trainer->poison_first = first_step;
  trainer->poison_count = n_steps;
}
