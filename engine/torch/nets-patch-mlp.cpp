// nets-patch-mlp.cpp: the PatchSampleMLP of the contrastive (NCE) loss and
// the layers it samples
//
// SPDX-License-Identifier: MIT
//
// Every module is built in the order, and with the names, of the reference's
// state dicts: a weight file written by the PyTorch implementation loads
// here name for name and gives the same numbers.

#include "nets-private.h"

namespace F = torch::nn::functional;

namespace adis {

PatchSampleMLPImpl::PatchSampleMLPImpl (const std::vector<int64_t> &channels, int64_t mlp_dim)
{
  for (size_t k = 0; k < channels.size (); k++)
    {
      auto mlp = torch::nn::Sequential (torch::nn::Linear (channels[k], mlp_dim),
                                        torch::nn::ReLU (),
                                        torch::nn::Linear (mlp_dim, mlp_dim));

      mlps.push_back (register_module ("mlp_" + std::to_string (k), mlp));
    }
}

namespace {

// Linear, ReLU, Linear on [N, C] rows, as 1 x 1 convolutions over an N x 1
// picture: the same sums, but through oneDNN on every core, where
// libtorch 1.13 sends Linear to Debian's generic BLAS on one core (the
// MLPs were a fifth of a training step's time on 2 cores). The weights are
// the Linears' own, viewed as [out, in, 1, 1], so their gradients land in
// the same tensors.
torch::Tensor
mlp_as_convolutions (torch::nn::SequentialImpl &mlp, const torch::Tensor &rows)
{
  auto *first = mlp.ptr (0)->as<torch::nn::Linear> ();
  auto *second = mlp.ptr (2)->as<torch::nn::Linear> ();

  TORCH_CHECK (first != nullptr && second != nullptr, "PatchSampleMLP: unexpected layout");
  auto h = rows.t ().unsqueeze (0).unsqueeze (-1);   // [1, C, N, 1]
  h = F::conv2d (h, first->weight.unsqueeze (-1).unsqueeze (-1), F::Conv2dFuncOptions ().bias (first->bias));
  h = torch::relu (h);
  h = F::conv2d (h, second->weight.unsqueeze (-1).unsqueeze (-1), F::Conv2dFuncOptions ().bias (second->bias));
  return h.squeeze (-1).squeeze (0).t ();           // [N, out]
}

}  // namespace

std::vector<torch::Tensor>
PatchSampleMLPImpl::forward (const std::vector<torch::Tensor> &feats,
                             int64_t n_patches,
                             const std::vector<torch::Tensor> &patch_ids,
                             std::vector<torch::Tensor> *out_ids)
{
  std::vector<torch::Tensor> out;

  TORCH_CHECK (feats.size () == mlps.size (), "PatchSampleMLP: ", feats.size (),
               " feature maps for ", mlps.size (), " MLPs");
  TORCH_CHECK (patch_ids.empty () || patch_ids.size () == feats.size (),
               "PatchSampleMLP: ", patch_ids.size (), " id lists for ", feats.size (), " layers");
  if (out_ids)
    out_ids->clear ();

  for (size_t k = 0; k < feats.size (); k++)
    {
      const auto &feat = feats[k];
      int64_t n_positions = feat.size (2) * feat.size (3);
      // [B, C, H, W] -> [B, H W, C]
      auto flat = feat.permute ({0, 2, 3, 1}).flatten (1, 2);
      torch::Tensor ids;

      if (!patch_ids.empty ())
        ids = patch_ids[k].to (feat.device (), torch::kLong);
      else
        ids = torch::randperm (n_positions, torch::TensorOptions ().dtype (torch::kLong)
                                                                   .device (feat.device ()))
                .slice (0, 0, std::min (n_patches, n_positions));
      TORCH_CHECK (ids.numel () == 0 || ids.max ().item<int64_t> () < n_positions,
                   "PatchSampleMLP: patch id beyond the ", n_positions, " positions of layer ", k);

      auto sample = flat.index_select (1, ids).flatten (0, 1);
      auto x = fast_kernels () ? mlp_as_convolutions (*mlps[k], sample) : mlps[k]->forward (sample);
      auto norm = x.pow (2).sum (1, /* keepdim */ true).sqrt ();

      out.push_back (x / (norm + 1e-7));
      if (out_ids)
        out_ids->push_back (ids);
    }
  return out;
}

std::vector<int64_t>
nce_layers (const AdisConfig &config)
{
  int layers[ADIS_MAX_NCE_LAYERS];
  int n = adis_config_nce_layers (&config, layers);

  return std::vector<int64_t> (layers, layers + n);
}

std::vector<int64_t>
nce_channels (const AdisConfig &config)
{
  std::vector<int64_t> channels;

  // Index 0 is the padded image; the widths double at 4 and at 8
  for (int64_t layer : nce_layers (config))
    channels.push_back (layer == 0 ? 3
                        : layer < 4 ? config.ngf
                        : layer < 8 ? 2 * config.ngf
                        : 4 * config.ngf);
  return channels;
}

}  // namespace adis
