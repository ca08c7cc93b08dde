// step.cpp: the modules that train together, and one step of the reference
//
// SPDX-License-Identifier: MIT
//
// The order of operations follows the reference: one forward of the audio
// encoder and the generator, a D step on detached outputs, then a step of
// G, the audio encoder and the MLPs with D frozen. Keeping that order keeps
// the random streams and the numbers equal to the PyTorch implementation's.

#include "step.h"

#include <cmath>

#include "distributed.h"
#include "losses.h"

namespace adis {

namespace {

void
set_requires_grad (torch::nn::Module &module, bool requires_grad)
{
  for (auto &p : module.parameters ())
    p.set_requires_grad (requires_grad);
}

void
append (std::vector<torch::Tensor> &to, const std::vector<torch::Tensor> &from)
{
  to.insert (to.end (), from.begin (), from.end ());
}

std::unique_ptr<torch::optim::Adam>
adam (const std::vector<torch::Tensor> &params, const AdisTrainOptions &options)
{
  return std::make_unique<torch::optim::Adam> (
    params, torch::optim::AdamOptions (options.lr).betas ({options.beta1, options.beta2}));
}

}  // namespace

NetworksImpl::NetworksImpl (const AdisTrainOptions &options_)
  : options (options_)
{
  const AdisConfig &config = options.model;
  bool cycle = options.objective == ADIS_OBJECTIVE_CYCLE;

  G = register_module ("G", Generator (config));
  if (config.conditioning == ADIS_CONDITIONING_KEYWORD)
    K = register_module ("K", KeywordEmbedding (config.n_keywords, config.embed_dim));
  else
    A = register_module ("A", AudioEncoder (config.audio_width, config.embed_dim, config.audio_level));

  // D always sees the clip of the image it judges, in keyword mode too:
  // the datasets carry every item's clip
  if (options.fusion == ADIS_FUSION_LATE)
    D_late = register_module ("D", LateFusionDiscriminator (config.ndf));
  else
    D = register_module ("D", Discriminator (config.ndf, 6));

  // The MLPs exist for both objectives so every run has the same optimisers;
  // the cycle objective never gives them a gradient, and Adam skips them
  F = register_module ("F", PatchSampleMLP (nce_channels (config), config.mlp_dim));

  if (cycle)
    {
      G_B = register_module ("G_B", Generator (config));
      D_B = register_module ("D_B", Discriminator (config.ndf, 6));
    }
}

torch::Tensor
NetworksImpl::embed (const torch::Tensor &wave, const torch::Tensor &categories)
{
  if (K)
    return K->forward (categories);
  return A->embed_wave (wave);
}

torch::Tensor
NetworksImpl::discriminate (const torch::Tensor &image, const torch::Tensor &spec)
{
  if (D_late)
    return D_late->forward (image, spec);
  return D->forward (image, spec);
}

void
NetworksImpl::reset_parameters ()
{
  const double gain = 0.02;

  init_xavier (*G, gain);
  G->reset_beyond_paper ();
  if (D)
    init_xavier (*D, gain);
  if (D_late)
    init_xavier (*D_late, gain);
  init_xavier (*F, gain);
  if (G_B)
    {
      init_xavier (*G_B, gain);
      G_B->reset_beyond_paper ();
    }
  if (D_B)
    init_xavier (*D_B, gain);
}

void
Optimizers::set_lr (double lr)
{
  for (torch::optim::Adam *o : {g.get (), d.get (), f.get ()})
    {
      if (o == nullptr)
        continue;
      for (auto &group : o->param_groups ())
        static_cast<torch::optim::AdamOptions &> (group.options ()).lr (lr);
    }
}

Optimizers
make_optimizers (Networks &nets, const AdisTrainOptions &options)
{
  Optimizers opt;
  std::vector<torch::Tensor> g_params = nets->G->parameters ();
  std::vector<torch::Tensor> d_params;

  if (nets->G_B)
    append (g_params, nets->G_B->parameters ());
  append (g_params, nets->A ? nets->A->parameters () : nets->K->parameters ());

  append (d_params, nets->D_late ? nets->D_late->parameters () : nets->D->parameters ());
  if (nets->D_B)
    append (d_params, nets->D_B->parameters ());

  opt.g = adam (g_params, options);
  opt.d = adam (d_params, options);
  opt.f = adam (nets->F->parameters (), options);
  return opt;
}

torch::Tensor
nce_total (Networks &nets, const torch::Tensor &source,
           const torch::Tensor &generated,
           const std::vector<torch::Tensor> &patch_ids,
           std::vector<torch::Tensor> *out_ids)
{
  std::vector<torch::Tensor> feats;

  // The keys are detached in the loss, so the source pass needs no graph
  {
    torch::NoGradGuard no_grad;
    feats = nets->G->encode_features (source, nce_layers (nets->options.model));
  }
  return nce_total_from_features (nets, feats, generated, patch_ids, out_ids);
}

torch::Tensor
nce_total_from_features (Networks &nets,
                         const std::vector<torch::Tensor> &source_features,
                         const torch::Tensor &generated,
                         const std::vector<torch::Tensor> &patch_ids,
                         std::vector<torch::Tensor> *out_ids)
{
  const AdisTrainOptions &options = nets->options;
  auto layers = nce_layers (options.model);
  int64_t batch = source_features.at (0).size (0);
  std::vector<torch::Tensor> keys, ids;

  {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> detached;

    for (const auto &f : source_features)
      detached.push_back (f.detach ());
    keys = nets->F->forward (detached, options.nce_patches, patch_ids, &ids);
  }

  // Same positions for the generated image as for its source
  auto feat_q = nets->G->encode_features (generated, layers);
  auto queries = nets->F->forward (feat_q, options.nce_patches, ids, nullptr);
  auto total = torch::zeros ({}, generated.options ());

  for (size_t k = 0; k < layers.size (); k++)
    total = total + patch_nce_loss (queries[k], keys[k], batch, options.nce_temperature);

  if (out_ids)
    *out_ids = ids;
  return total / (double) layers.size ();
}

double
grad_norm (const std::vector<torch::Tensor> &params)
{
  torch::Tensor sum;

  // One read back at the end, not one per tensor (each is a sync on a GPU)
  for (const auto &p : params)
    if (p.grad ().defined ())
      {
        auto term = p.grad ().detach ().to (torch::kDouble).pow (2).sum ();
        sum = sum.defined () ? sum + term : term;
      }
  return sum.defined () ? std::sqrt (sum.item<double> ()) : 0.0;
}

namespace {

std::vector<torch::Tensor>
generator_params (Networks &nets)
{
  std::vector<torch::Tensor> params = nets->G->parameters ();

  if (nets->G_B)
    append (params, nets->G_B->parameters ());
  append (params, nets->A ? nets->A->parameters () : nets->K->parameters ());
  return params;
}

std::vector<torch::Tensor>
discriminator_params (Networks &nets)
{
  std::vector<torch::Tensor> params =
    nets->D_late ? nets->D_late->parameters () : nets->D->parameters ();

  if (nets->D_B)
    append (params, nets->D_B->parameters ());
  return params;
}

// Everything the G step updates: G (+ G_B), the audio encoder or the
// keyword table, and PatchNCE's MLPs
std::vector<torch::Tensor>
trained_with_generator (Networks &nets)
{
  std::vector<torch::Tensor> params = generator_params (nets);

  append (params, nets->F->parameters ());
  return params;
}

void
freeze_discriminators (Networks &nets, bool frozen)
{
  if (nets->D_late)
    set_requires_grad (*nets->D_late, !frozen);
  if (nets->D)
    set_requires_grad (*nets->D, !frozen);
  if (nets->D_B)
    set_requires_grad (*nets->D_B, !frozen);
}

// An update from a loss or gradient that is not finite would write NaN into
// every weight it touches: it is skipped, and the result says so
static bool
finite_update (const torch::Tensor &loss,
               double               norm,
               StepResult          &result)
{
  if (std::isfinite (loss.item<double> ()) && std::isfinite (norm))
    return true;
  result.skipped = true;
  return false;
}

StepResult
nce_step (Networks &nets, Optimizers &opt, const StepInputs &in)
{
  const AdisTrainOptions &o = nets->options;
  StepResult result;
  auto spec_y = spectrogram (in.wave_y);

  // Forward: one embedding of y's clip serves both generator passes. The
  // encoder's features on the way are PatchNCE's keys later (the reference
  // runs the encoder a second time for them)
  auto layers = nce_layers (o.model);
  std::vector<torch::Tensor> feats_x, feats_y;
  auto e_y = nets->embed (in.wave_y, in.category_y);
  auto fake = nets->G->render (nets->G->encode_with_features (in.x, layers, &feats_x), e_y, in.x);
  torch::Tensor idt;

  if (o.identity)
    idt = nets->G->render (nets->G->encode_with_features (in.y, layers, &feats_y), e_y, in.y);

  // D step on detached fakes
  freeze_discriminators (nets, false);
  opt.d->zero_grad ();
  auto loss_d = (lsgan_loss (nets->discriminate (fake.detach (), spec_y), false) +
                 lsgan_loss (nets->discriminate (in.y, spec_y), true)) * 0.5;
  // Data parallel: the ranks' mean gradient, and their mean loss
  auto loss_d_all = backward_averaged (Averaged::kDiscriminators, discriminator_params (nets), loss_d);
  result.grad_norm_d = grad_norm (discriminator_params (nets));
  if (finite_update (loss_d_all, result.grad_norm_d, result))
    opt.d->step ();

  // G, audio encoder and MLP step with D frozen. The total is the paper's
  // GAN + lambda NCE(x) + mu NCE(y) with lambda = mu = lambda_nce; without
  // the identity term it is GAN + lambda_nce NCE(x).
  freeze_discriminators (nets, true);
  opt.g->zero_grad ();
  opt.f->zero_grad ();
  auto loss_gan = lsgan_loss (nets->discriminate (fake, spec_y), true) * o.lambda_gan;
  auto loss_nce = nce_total_from_features (nets, feats_x, fake, in.patch_ids, nullptr);
  auto total = loss_gan + o.lambda_nce * loss_nce;
  torch::Tensor loss_nce_y;

  if (o.identity)
    {
      loss_nce_y = nce_total_from_features (nets, feats_y, idt, in.patch_ids, nullptr);
      total = total + o.lambda_nce * loss_nce_y;
    }
  // Beyond the paper: on a set whose frames are known renders of x, the
  // frame itself is a target, which teaches the loudness law far sooner
  // than the adversarial term alone
  torch::Tensor loss_oracle;
  if (o.lambda_oracle > 0)
    {
      loss_oracle = torch::l1_loss (fake, in.y);
      total = total + o.lambda_oracle * loss_oracle;
    }
  // The streak layer: y was drawn without its streaks, whose strength the
  // sound must tell, on the same footing as the frame's pixels
  torch::Tensor loss_streaks;
  if (o.lambda_oracle > 0 && nets->G->rain_streaks)
    {
      TORCH_CHECK (in.streaks.defined (), "train_step: the streak layer needs the targets' streaks");
      loss_streaks = torch::l1_loss (nets->G->streak_strength (e_y), in.streaks);
      total = total + o.lambda_oracle * loss_streaks;
    }
  auto total_all = backward_averaged (Averaged::kGenerators, trained_with_generator (nets), total);
  result.grad_norm_g = grad_norm (generator_params (nets));
  if (finite_update (total_all, result.grad_norm_g, result))
    {
      opt.g->step ();
      opt.f->step ();
    }
  freeze_discriminators (nets, false);

  result.loss_d = loss_d.item<double> ();
  result.loss_g_gan = loss_gan.item<double> ();
  result.loss_nce = loss_nce.item<double> ();
  result.loss_nce_y = o.identity ? loss_nce_y.item<double> () : 0.0;
  result.loss_oracle = o.lambda_oracle > 0 ? loss_oracle.item<double> () : 0.0;
  result.loss_streaks = loss_streaks.defined () ? loss_streaks.item<double> () : 0.0;
  result.loss_g_total = total.item<double> ();
  result.fake = fake.detach ();
  return result;
}

// CycleGAN with audio: G maps x to y's style, G_B maps back with x's own
// clip; D judges y-domain images with a_y, D_B x-domain images with a_x
StepResult
cycle_step (Networks &nets, Optimizers &opt, const StepInputs &in)
{
  const AdisTrainOptions &o = nets->options;
  StepResult result;
  auto spec_x = spectrogram (in.wave_x);
  auto spec_y = spectrogram (in.wave_y);
  auto e_x = nets->embed (in.wave_x, in.category_x);
  auto e_y = nets->embed (in.wave_y, in.category_y);
  auto fake_y = nets->G->forward (in.x, e_y);
  auto rec_x = nets->G_B->forward (fake_y, e_x);
  auto fake_x = nets->G_B->forward (in.y, e_x);
  auto rec_y = nets->G->forward (fake_x, e_y);

  freeze_discriminators (nets, false);
  opt.d->zero_grad ();
  auto loss_d = (lsgan_loss (nets->discriminate (fake_y.detach (), spec_y), false) +
                 lsgan_loss (nets->discriminate (in.y, spec_y), true)) * 0.5;
  auto loss_d_b = (lsgan_loss (nets->D_B->forward (fake_x.detach (), spec_x), false) +
                   lsgan_loss (nets->D_B->forward (in.x, spec_x), true)) * 0.5;
  auto loss_d_all = backward_averaged (Averaged::kDiscriminators, discriminator_params (nets),
                                       loss_d + loss_d_b);
  result.grad_norm_d = grad_norm (discriminator_params (nets));
  if (finite_update (loss_d_all, result.grad_norm_d, result))
    opt.d->step ();

  freeze_discriminators (nets, true);
  opt.g->zero_grad ();
  auto loss_gan = (lsgan_loss (nets->discriminate (fake_y, spec_y), true) +
                   lsgan_loss (nets->D_B->forward (fake_x, spec_x), true)) * o.lambda_gan;
  auto loss_cycle = cycle_loss (rec_x, in.x) + cycle_loss (rec_y, in.y);
  auto total = loss_gan + o.lambda_cycle * loss_cycle;
  auto total_all = backward_averaged (Averaged::kGenerators, generator_params (nets), total);
  result.grad_norm_g = grad_norm (generator_params (nets));
  if (finite_update (total_all, result.grad_norm_g, result))
    opt.g->step ();
  freeze_discriminators (nets, false);

  // loss_d reports D's own term, the one the NCE objective reports too
  result.loss_d = loss_d.item<double> ();
  result.loss_g_gan = loss_gan.item<double> ();
  result.loss_nce = loss_cycle.item<double> ();
  result.loss_nce_y = 0.0;
  result.loss_g_total = total.item<double> ();
  result.fake = fake_y.detach ();
  return result;
}

}  // namespace

StepResult
train_step (Networks &nets, Optimizers &opt, const StepInputs &in)
{
  TORCH_CHECK (in.x.defined () && in.y.defined () && in.wave_y.defined (),
               "train_step: x, y and wave_y are required");
  TORCH_CHECK (nets->A || in.category_y.defined (),
               "train_step: keyword mode needs category_y");

  TORCH_CHECK (nets->options.objective != ADIS_OBJECTIVE_CYCLE ||
               (in.wave_x.defined () && (nets->A || in.category_x.defined ())),
               "train_step: the cycle objective needs x's own clip");

  // Forward passes in training mode update batch norm's running statistics
  // (and its batch count) whatever the optimizers do: a step whose loss is
  // not finite must leave those as they were too, or NaN inputs would
  // poison the running means. They are small (a few kB), so copying them
  // every step costs nothing next to the step.
  std::vector<torch::Tensor> buffers = nets->buffers (true);
  std::vector<torch::Tensor> saved;
  StepResult result;

  saved.reserve (buffers.size ());
  for (const auto &b : buffers)
    saved.push_back (b.detach ().clone ());

  nets->train ();
  if (nets->options.objective == ADIS_OBJECTIVE_CYCLE)
    result = cycle_step (nets, opt, in);
  else
    result = nce_step (nets, opt, in);

  if (result.skipped)
    {
      torch::NoGradGuard no_grad;

      for (size_t i = 0; i < buffers.size (); i++)
        buffers[i].copy_ (saved[i]);
    }
  return result;
}

}  // namespace adis
