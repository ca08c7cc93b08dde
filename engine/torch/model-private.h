// model-private.h: what model.cpp (loading, encoding images),
// model-sound.cpp (encoding sounds) and style.cpp (decoding, applying) share of the inference objects behind adis-model.h
//
// SPDX-License-Identifier: MIT
#pragma once

#include "model-file.h"

#include <string>
#include <vector>

extern "C" {
#include "adis-apply.h"
}

struct _AdisModel
{
  gint             ref_count = 1;
  GMutex           lock;
  AdisConfig       config = {};
  char            *metadata_json = nullptr;
  std::string      device_name;
  gint64           n_parameters = 0;
  torch::Device    device{torch::kCPU};
  adis::Generator  G{nullptr};
  adis::AudioEncoder A{nullptr};
  adis::KeywordEmbedding K{nullptr};
  /* What the file says the model expects (adis-model-input.h) */
  AdisInputRules   input = {};
  /* The networks' tensors are channels-last (adis::use_channels_last) */
  bool             channels_last = false;
  /* A grid head's guide on the CPU, for adis_grid_look_apply: the look's
   * guide fields, and the slopes they point into */
  AdisGridLook       guide = {};
  std::vector<float> guide_slopes;
};

struct _AdisImageCode
{
  gint           ref_count = 1;
  AdisModel     *model = nullptr;
  int            width = 0;          /* output size */
  int            height = 0;
  int            net_width = 0;      /* the size the networks ran at */
  int            net_height = 0;
  AdisImage     *photo = nullptr;    /* as given: what a style is applied to */
  AdisImage     *net_input = nullptr; /* the photo at the networks' size */
  torch::Tensor  code;        /* [1, 4 ngf, net_height / 4, net_width / 4] */
  /* Pixel decoder: the first decoder conv's share of the code, [1, C0 / 2,
   * net_height / 2, net_width / 2]: everything of the decoder that does not
   * depend on the sound, so a slider move starts after it */
  torch::Tensor  share;
};

struct _AdisSoundCode
{
  gint               ref_count = 1;
  AdisModel         *model = nullptr;
  torch::Tensor      embedding;   /* [1, embed_dim] on the model's device */
  std::vector<float> host;        /* the same on the CPU */
};

struct _AdisStyle
{
  gint               ref_count = 1;
  AdisImageCode     *image_code = nullptr;
  /* Grid head: the look at the working size, on the CPU */
  AdisGridLook       look = {};
  std::vector<float> grid;
  std::vector<float> overlay;
  /* Pixel decoder: its picture at the networks' size, and (made when first
   * needed, under the model's lock) the guided filter that carries it to a
   * larger size, as a one-bin grid */
  AdisImage         *picture = nullptr;
  std::vector<float> carry;
  AdisGridLook       carry_look = {};
};

/* Holds the model's lock for a scope: every torch call on a model goes
 * through one thread at a time */
struct ModelLocker
{
  explicit ModelLocker (AdisModel *model) : mutex (&model->lock) { g_mutex_lock (mutex); }
  ~ModelLocker () { g_mutex_unlock (mutex); }
  GMutex *mutex;
};

static inline gboolean
check_cancelled (GCancellable *cancellable,
                 GError      **error)
{
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_CANCELLED, "Cancelled");
      return TRUE;
    }
  return FALSE;
}
