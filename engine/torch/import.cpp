// import.cpp: turning the reference's torch.save'd state dicts into a
// Soundstyle model file
//
// SPDX-License-Identifier: MIT
//
// The reference names G's tensors "model.N.*" (CUT's Sequential) and the
// audio encoder's with torchvision's ResNet names, exactly as the engine's
// modules do; so importing is reading the pickles, dropping DataParallel's
// "module." prefix, and loading them with the usual checks.

#include "model-file.h"

#include <torch/serialize.h>

#include "torch-pickle.h"

namespace adis {

static bool
read_state_dict (const char                           *path,
                 std::map<std::string, torch::Tensor> *out,
                 GError                              **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = g_path_get_basename (path);
  gsize length = 0;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_IO, "%s", local_error->message);
      return false;
    }

  c10::IValue value;
  try
    {
      value = load_torch_save (contents, length);
    }
  catch (const std::exception &e)
    {
      std::string what = first_line (e.what ());

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "%s: not a PyTorch checkpoint that can be read (%s)", base, what.c_str ());
      return false;
    }

  /* Training scripts sometimes wrap the weights: {"state_dict": {...}} */
  if (value.isGenericDict ())
    for (const auto &entry : value.toGenericDict ())
      if (entry.key ().isString () && entry.key ().toStringRef () == "state_dict" &&
          entry.value ().isGenericDict ())
        {
          c10::IValue inner = entry.value ();
          value = inner;
          break;
        }

  if (!value.isGenericDict ())
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "%s: holds a %s, not a state dict", base, value.tagKind ().c_str ());
      return false;
    }

  for (const auto &entry : value.toGenericDict ())
    {
      if (!entry.key ().isString () || !entry.value ().isTensor ())
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "%s: an entry of the state dict is not a named tensor", base);
          return false;
        }

      std::string key = entry.key ().toStringRef ();
      /* nn.DataParallel's wrapper */
      if (g_str_has_prefix (key.c_str (), "module."))
        key = key.substr (strlen ("module."));
      (*out)[key] = entry.value ().toTensor ().to (torch::kCPU);
    }

  return true;
}

}  // namespace adis

extern "C" gboolean
adis_import_checkpoint (const char       *generator_pt,
                        const char       *audio_pt,
                        const AdisConfig *config,
                        const char       *output_path,
                        gboolean          half_precision,
                        GError          **error)
{
  g_return_val_if_fail (generator_pt != NULL, FALSE);
  g_return_val_if_fail (audio_pt != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (output_path != NULL, FALSE);

  if (!adis_config_validate (config, error))
    return FALSE;
  if (config->conditioning != ADIS_CONDITIONING_AUDIO)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "The reference's checkpoints are audio-conditioned; the config is for keywords");
      return FALSE;
    }

  return adis::guard (error, [&] () {
    std::map<std::string, torch::Tensor> g_dict, a_dict;
    adis::Generator G (*config);
    adis::AudioEncoder A (config->audio_width, config->embed_dim);
    g_autofree char *g_base = g_path_get_basename (generator_pt);
    g_autofree char *a_base = g_path_get_basename (audio_pt);
    JsonObject *training;

    if (!adis::read_state_dict (generator_pt, &g_dict, error) ||
        !adis::read_state_dict (audio_pt, &a_dict, error))
      return false;

    if (!adis::load_module (*G, g_dict, "", error))
      {
        g_prefix_error (error, "%s: ", g_base);
        return false;
      }
    if (!adis::load_module (*A, a_dict, "", error))
      {
        g_prefix_error (error, "%s: ", a_base);
        return false;
      }

    training = json_object_new ();
    json_object_set_string_member (training, "imported_from", "reference PyTorch checkpoints");
    json_object_set_string_member (training, "generator", g_base);
    json_object_set_string_member (training, "audio_encoder", a_base);
    return adis::write_model_file (output_path, *config, *G, A.get (), nullptr,
                                   training, half_precision, error);
  });
}
