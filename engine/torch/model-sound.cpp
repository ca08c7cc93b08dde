// model-sound.cpp: sound codes: a sound (or a keyword) encoded by the
// model, blended, and the spectrogram the model hears (adis-model.h)
//
// SPDX-License-Identifier: MIT

#include "model-private.h"

#include <cmath>
#include <cstring>

static AdisSoundCode *
sound_code_new (AdisModel     *model,
                torch::Tensor  embedding)
{
  AdisSoundCode *code = new AdisSoundCode ();
  torch::Tensor host = embedding.to (torch::kCPU).contiguous ();

  code->embedding = embedding;
  code->host.assign (host.data_ptr<float> (), host.data_ptr<float> () + host.numel ());
  code->model = adis_model_ref (model);
  return code;
}

AdisSoundCode *
adis_model_encode_sound (AdisModel     *model,
                         AdisSound     *a,
                         AdisSound     *b,
                         float          gain,
                         float          weight,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(AdisSound) mixed = NULL;
  AdisSoundCode *code = NULL;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (a != NULL, NULL);

  if (model->config.conditioning != ADIS_CONDITIONING_AUDIO)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "This model is conditioned on keywords, not sounds");
      return NULL;
    }

  if (check_cancelled (cancellable, error))
    return NULL;

  /* The one place a model's expected loudness rule is applied */
  if (model->input.peak_normalised)
    mixed = adis_sound_mix_peak_normalised (a, b, gain, weight, error);
  else
    mixed = adis_sound_mix (a, b, gain, weight, error);
  if (mixed == NULL)
    return NULL;

  ModelLocker locker (model);
  if (check_cancelled (cancellable, error))
    return NULL;

  adis::guard (error, [&] () {
    c10::InferenceMode inference;
    torch::Tensor wave = torch::from_blob ((void *) adis_sound_get_samples (mixed),
                                           {1, ADIS_CLIP_SAMPLES}, torch::kFloat);

    code = sound_code_new (model, model->A->embed_wave (wave.to (model->device)));
    return true;
  });

  return code;
}

AdisSoundCode *
adis_model_encode_keyword (AdisModel   *model,
                           const char  *keyword,
                           GError     **error)
{
  AdisSoundCode *code = NULL;
  int index = -1;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (keyword != NULL, NULL);

  if (model->config.conditioning != ADIS_CONDITIONING_KEYWORD)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "This model is conditioned on sounds, not keywords");
      return NULL;
    }

  for (int i = 0; i < model->config.n_keywords; i++)
    if (g_strcmp0 (model->config.keywords[i], keyword) == 0)
      index = i;
  if (index < 0)
    {
      g_autofree char *known = g_strjoinv (", ", model->config.keywords);

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Unknown keyword “%s”: this model knows %s", keyword, known);
      return NULL;
    }

  ModelLocker locker (model);
  adis::guard (error, [&] () {
    c10::InferenceMode inference;
    torch::Tensor category = torch::full ({1}, (int64_t) index,
                                          torch::TensorOptions ().dtype (torch::kLong).device (model->device));

    code = sound_code_new (model, model->K->forward (category));
    return true;
  });

  return code;
}

AdisSoundCode *
adis_sound_code_ref (AdisSoundCode *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  g_atomic_int_inc (&code->ref_count);
  return code;
}

void
adis_sound_code_unref (AdisSoundCode *code)
{
  g_return_if_fail (code != NULL);

  if (g_atomic_int_dec_and_test (&code->ref_count))
    {
      AdisModel *model = code->model;

      delete code;
      adis_model_unref (model);
    }
}

AdisSoundCode *
adis_sound_code_blend (AdisSoundCode **codes,
                       const float    *weights,
                       guint           n_codes,
                       GError        **error)
{
  AdisSoundCode *code = NULL;
  AdisModel *model;
  double total = 0.0;

  g_return_val_if_fail (codes != NULL && weights != NULL && n_codes > 0, NULL);

  model = codes[0]->model;
  for (guint i = 0; i < n_codes; i++)
    {
      if (codes[i]->model != model)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "Sound codes from different models cannot be blended");
          return NULL;
        }
      if (!(weights[i] >= 0.0f) || !std::isfinite (weights[i]))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "A blend weight of %g is not a share", (double) weights[i]);
          return NULL;
        }
      total += weights[i];
    }
  if (!(total > 0.0))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Blend weights are all zero");
      return NULL;
    }

  ModelLocker locker (model);
  adis::guard (error, [&] () {
    c10::InferenceMode inference;
    torch::Tensor sum = codes[0]->embedding * (float) (weights[0] / total);

    for (guint i = 1; i < n_codes; i++)
      sum = sum + codes[i]->embedding * (float) (weights[i] / total);
    code = sound_code_new (model, sum);
    return true;
  });

  return code;
}

const float *
adis_sound_code_get_embedding (AdisSoundCode *code,
                               int           *out_dim)
{
  g_return_val_if_fail (code != NULL, NULL);

  if (out_dim != NULL)
    *out_dim = (int) code->host.size ();
  return code->host.data ();
}

float *
adis_model_spectrogram (AdisModel  *model,
                        AdisSound  *sound,
                        GError    **error)
{
  float *result = NULL;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (sound != NULL, NULL);

  ModelLocker locker (model);
  adis::guard (error, [&] () {
    c10::InferenceMode inference;
    torch::Tensor wave = torch::from_blob ((void *) adis_sound_get_samples (sound),
                                           {1, ADIS_CLIP_SAMPLES}, torch::kFloat);
    torch::Tensor spec = adis::spectrogram (wave.to (model->device)).to (torch::kCPU).contiguous ();

    g_assert (spec.numel () == ADIS_STFT_BINS * ADIS_STFT_FRAMES);
    result = (float *) g_memdup2 (spec.data_ptr<float> (), sizeof (float) * spec.numel ());
    return true;
  });

  return result;
}
