// import.cpp: turning avstyle's torch.save'd state dicts into a Soundstyle
// model file
//
// SPDX-License-Identifier: MIT
//
// The engine's modules use CUT's flat names for G ("model.N") and
// torchvision's for the audio encoder ("conv1", "layer1", "fc"). The
// checkpoints avstyle publishes name the same tensors otherwise (see
// /work/shared/reference/avstyle-facts.md, "Checkpoint files"): G's
// Sequential split into "model_down" and "model_up", the audio network's
// "AudioInconv", "AudioLayer1-4" and "proj", plus nnAudio's STFT kernels as
// buffers. Each file's naming is recognised, every tensor is checked by the
// name the file uses, and the weights are renamed to the engine's. The STFT
// kernels are checked against the engine's own STFT and not stored.

#include "model-file.h"

#include <torch/serialize.h>

#include <cmath>
#include <functional>
#include <set>

#include "torch-pickle.h"

namespace adis {

namespace {

// A state dict's tensors, and the order the file holds them in
struct StateDict
{
  std::vector<std::string> order;
  std::map<std::string, torch::Tensor> tensors;
};

bool
read_state_dict (const char *path,
                 StateDict  *out,
                 GError    **error)
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
      if (out->tensors.count (key) == 0)
        out->order.push_back (key);
      out->tensors[key] = entry.value ().toTensor ().to (torch::kCPU);
    }

  return true;
}

// How a file names a network's tensors: "what" for messages, and the file's
// name for each of the engine's tensors
struct Naming
{
  std::string what;
  std::function<std::string (const std::string &engine_name)> file_name;
};

// A tensor the file must hold: its name there, the engine's name for it
// (empty for one that is checked, not stored) and what the preset needs
struct Wanted
{
  std::string file_name;
  std::string engine_name;
  std::vector<int64_t> shape;
  bool is_float;
};

// The module's tensors in the order a state dict lists them: module by
// module, each one's parameters, then its buffers
std::vector<Wanted>
wanted_tensors (torch::nn::Module &module,
                const Naming      &naming)
{
  std::vector<Wanted> wanted;

  for (const auto &item : module.named_modules ("", true))
    {
      std::string prefix = item.key ().empty () ? "" : item.key () + ".";
      auto add = [&] (const std::string &name, const torch::Tensor &t) {
        std::string engine_name = prefix + name;

        wanted.push_back ({ naming.file_name (engine_name), engine_name,
                            t.sizes ().vec (), t.is_floating_point () });
      };

      for (const auto &p : item.value ()->named_parameters (false))
        add (p.key (), p.value ());
      for (const auto &b : item.value ()->named_buffers (false))
        add (b.key (), b.value ());
    }
  return wanted;
}

bool
starts_with (const std::string &text,
             const char        *prefix)
{
  return text.compare (0, strlen (prefix), prefix) == 0;
}

bool
ends_with (const std::string &text,
           const char        *suffix)
{
  size_t n = strlen (suffix);

  return text.size () >= n && text.compare (text.size () - n, n, suffix) == 0;
}

std::string
described (const std::string &name,
           c10::IntArrayRef   shape)
{
  return name + " " + shape_string (shape);
}

// Checks the file against what the naming wants, all before anything is
// kept: the first tensor missing (and the first one the naming does not
// have, if any), a shape or kind that differs. Fills out with the tensors
// by the engine's names.
bool
match_naming (const StateDict                      &file,
              const std::vector<Wanted>            &wanted,
              const Naming                         &naming,
              const char                           *base,
              const char                           *preset,
              std::map<std::string, torch::Tensor> *out,
              GError                              **error)
{
  std::set<std::string> known;
  const Wanted *missing = nullptr;
  std::string extra;

  for (const Wanted &w : wanted)
    {
      known.insert (w.file_name);
      /* Files from PyTorch before 0.4.1 have no BatchNorm step counts */
      if (missing == nullptr && file.tensors.count (w.file_name) == 0 &&
          !ends_with (w.file_name, "num_batches_tracked"))
        missing = &w;
    }
  for (const std::string &name : file.order)
    if (known.count (name) == 0)
      {
        extra = described (name, file.tensors.at (name).sizes ());
        break;
      }

  if (missing != nullptr)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "%s: %s at the %s preset needs %s, which the file lacks%s%s", base,
                   naming.what.c_str (), preset, described (missing->file_name, missing->shape).c_str (),
                   extra.empty () ? "" : "; it has ", extra.empty () ? "" : (extra + " instead").c_str ());
      return false;
    }
  if (!extra.empty ())
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "%s: has %s, which %s at the %s preset does not have", base,
                   extra.c_str (), naming.what.c_str (), preset);
      return false;
    }

  for (const Wanted &w : wanted)
    {
      auto found = file.tensors.find (w.file_name);

      if (found == file.tensors.end ())
        continue;
      if (found->second.sizes () != c10::IntArrayRef (w.shape))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "%s: %s is %s in the file, but %s at the %s preset needs %s", base,
                       w.file_name.c_str (), shape_string (found->second.sizes ()).c_str (),
                       naming.what.c_str (), preset, shape_string (w.shape).c_str ());
          return false;
        }
      if (found->second.is_floating_point () != w.is_float)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "%s: %s holds %s values where %s has %s ones", base, w.file_name.c_str (),
                       w.is_float ? "integer" : "floating-point", naming.what.c_str (),
                       w.is_float ? "floating-point" : "integer");
          return false;
        }
      if (!w.engine_name.empty ())
        (*out)[w.engine_name] = found->second;
    }
  return true;
}

bool
holds_prefix (const StateDict                 &file,
              std::initializer_list<const char *> prefixes)
{
  for (const std::string &name : file.order)
    for (const char *prefix : prefixes)
      if (starts_with (name, prefix))
        return true;
  return false;
}

// Says which namings were looked for, and what the file starts with instead
bool
unknown_naming (const StateDict &file,
                const char      *base,
                const char      *looked_for,
                GError         **error)
{
  std::string first = file.order.empty () ? std::string ("no tensors at all")
    : "its first tensor is " + described (file.order[0], file.tensors.at (file.order[0]).sizes ());

  g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
               "%s: holds neither %s; %s", base, looked_for, first.c_str ());
  return false;
}

// --- the generator --------------------------------------------------------

// The published code's split: "model_down.N" up to the residual blocks'
// end, then "model_up.M" for the engine's model.(n_down + M)
Naming
published_generator (int64_t n_down)
{
  return { "avstyle's published generator (model_down.N, model_up.M)",
           [n_down] (const std::string &name) {
             size_t dot = name.find ('.', strlen ("model."));
             int64_t index;

             if (!starts_with (name, "model.") || dot == std::string::npos)
               return name;
             index = g_ascii_strtoll (name.substr (6, dot - 6).c_str (), NULL, 10);
             if (index < n_down)
               return "model_down." + std::to_string (index) + name.substr (dot);
             return "model_up." + std::to_string (index - n_down) + name.substr (dot);
           } };
}

const Naming flat_generator = {
  "CUT's flat generator (model.N)",
  [] (const std::string &name) { return name; },
};

bool
read_generator (const StateDict                      &file,
                Generator                            &G,
                const char                           *base,
                const char                           *preset,
                std::map<std::string, torch::Tensor> *out,
                const char                          **naming_name,
                GError                              **error)
{
  Naming naming;

  if (holds_prefix (file, { "model_down.", "model_up." }))
    {
      naming = published_generator (G->n_encoder_layers);
      *naming_name = "avstyle's published naming (model_down, model_up)";
    }
  else if (holds_prefix (file, { "model." }))
    {
      naming = flat_generator;
      *naming_name = "CUT's flat naming (model.N)";
    }
  else
    return unknown_naming (file, base,
                           "avstyle's published generator (model_down.N, model_up.M) "
                           "nor CUT's flat one (model.N)", error);

  return match_naming (file, wanted_tensors (*G, naming), naming, base, preset, out, error);
}

// --- the audio encoder ----------------------------------------------------

const char *const stft_buffers[] = { "stft.wsin", "stft.wcos", "stft.window_mask" };

// The published AudioModel: the stem conv and its BatchNorm in one
// Sequential, torchvision's stages under other names, "proj" for fc
const Naming published_audio = {
  "avstyle's published audio network (AudioInconv, AudioLayer1-4, proj, stft)",
  [] (const std::string &name) {
    if (starts_with (name, "conv1."))
      return "AudioInconv.0." + name.substr (6);
    if (starts_with (name, "bn1."))
      return "AudioInconv.1." + name.substr (4);
    if (starts_with (name, "layer"))
      return "AudioLayer" + name.substr (5);
    if (starts_with (name, "fc."))
      return "proj." + name.substr (3);
    return name;
  },
};

// torchvision's own names, as Soundstyle's PyTorch reference saves them
const Naming torchvision_audio = {
  "torchvision's ResNet naming (conv1, bn1, layer1-4, fc)",
  [] (const std::string &name) { return name; },
};

// A deterministic test sound for the STFT check: a chirp over the whole
// band under white noise, so every bin and frame has energy
torch::Tensor
stft_test_signal ()
{
  std::vector<float> samples (ADIS_CLIP_SAMPLES);
  guint32 state = 20;

  for (int i = 0; i < ADIS_CLIP_SAMPLES; i++)
    {
      double t = (double) i / ADIS_SAMPLE_RATE;
      double sweep = G_PI * (ADIS_SAMPLE_RATE / 2.0) / ADIS_CLIP_SECONDS * t * t;

      state = state * 1664525u + 1013904223u;
      samples[i] = (float) (0.4 * sin (sweep) + 0.2 * ((state >> 8) / 16777216.0 - 0.5));
    }
  return torch::from_blob (samples.data (), {1, ADIS_CLIP_SAMPLES}, torch::kFloat).clone ();
}

// nnAudio computes its spectrogram as two strided conv1d with these
// kernels (the window already in them) on the reflect-padded wave. Run
// that on a test sound next to the engine's own STFT: a file trained with
// another window or FFT size gives another spectrogram, and its encoder
// would see inputs unlike the ones it learned. (The hop is not in the
// kernels; nnAudio's is an argument, 160 in the published code.)
bool
check_stft_kernels (const StateDict &file,
                    const char      *base,
                    GError         **error)
{
  torch::NoGradGuard no_grad;
  torch::Tensor wsin = file.tensors.at ("stft.wsin").to (torch::kDouble);
  torch::Tensor wcos = file.tensors.at ("stft.wcos").to (torch::kDouble);
  torch::Tensor window = file.tensors.at ("stft.window_mask").to (torch::kDouble).reshape ({-1});
  torch::Tensor wave = stft_test_signal ();
  namespace Fn = torch::nn::functional;

  /* The zero-frequency cosine row is the window itself */
  double window_gap = (wcos[0][0] - window).abs ().max ().item<double> ();
  if (!(window_gap <= 1e-6 * std::max (1.0, window.abs ().max ().item<double> ())))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "%s: stft.window_mask is not the window in its stft.wcos kernels", base);
      return false;
    }

  torch::Tensor ours = spectrogram (wave).to (torch::kDouble).squeeze (1);
  torch::Tensor padded = Fn::pad (wave.to (torch::kDouble).unsqueeze (1),
                                  Fn::PadFuncOptions ({ADIS_STFT_N_FFT / 2, ADIS_STFT_N_FFT / 2})
                                    .mode (torch::kReflect));
  const int64_t hop = ADIS_STFT_HOP;
  torch::Tensor re = torch::conv1d (padded, wcos, {}, hop);
  torch::Tensor im = torch::conv1d (padded, wsin, {}, hop);
  torch::Tensor theirs = (re * re + im * im).sqrt ();
  double gap = (ours - theirs).abs ().max ().item<double> () / ours.abs ().max ().item<double> ();

  /* float32 kernels against an FFT: about 1e-6 of the peak; another
   * window or length: percents */
  if (!(gap <= 1e-4))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                   "%s: its STFT kernels (stft.wsin, stft.wcos) are not Soundstyle's STFT "
                   "(n_fft %d, periodic Hann of %d centred): on a test sound they give a spectrogram "
                   "%.2g%% of its peak away, so the encoder was trained on another front end",
                   base, ADIS_STFT_N_FFT, ADIS_STFT_WIN_LENGTH, 100.0 * gap);
      return false;
    }
  return true;
}

bool
read_audio (const StateDict                      &file,
            AudioEncoder                         &A,
            const char                           *base,
            const char                           *preset,
            std::map<std::string, torch::Tensor> *out,
            const char                          **naming_name,
            bool                                 *published,
            GError                              **error)
{
  std::vector<Wanted> wanted;
  const Naming *naming;

  *published = holds_prefix (file, { "AudioInconv.", "AudioLayer", "proj.", "stft." });
  if (*published)
    {
      naming = &published_audio;
      *naming_name = "avstyle's published naming (AudioInconv, AudioLayer1-4, proj; STFT kernels checked)";
    }
  else if (holds_prefix (file, { "conv1.", "bn1.", "layer1.", "fc." }))
    {
      naming = &torchvision_audio;
      *naming_name = "torchvision's naming (conv1, bn1, layer1-4, fc)";
    }
  else
    return unknown_naming (file, base,
                           "avstyle's published audio network (AudioInconv, AudioLayer1-4, proj, stft) "
                           "nor torchvision's ResNet (conv1, layer1-4, fc)", error);

  wanted = wanted_tensors (*A, *naming);
  if (*published)
    {
      const std::vector<int64_t> kernel = { ADIS_STFT_BINS, 1, ADIS_STFT_N_FFT };

      wanted.push_back ({ stft_buffers[0], "", kernel, true });
      wanted.push_back ({ stft_buffers[1], "", kernel, true });
      wanted.push_back ({ stft_buffers[2], "", { 1, ADIS_STFT_N_FFT, 1 }, true });
    }

  if (!match_naming (file, wanted, *naming, base, preset, out, error))
    return false;
  return !*published || check_stft_kernels (file, base, error);
}

}  // namespace

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
  if (config->audio_film)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "avstyle's checkpoints have no audio FiLM; the config asks for one");
      return FALSE;
    }

  return adis::guard (error, [&] () {
    adis::StateDict g_file, a_file;
    std::map<std::string, torch::Tensor> g_dict, a_dict;
    adis::Generator G (*config);
    adis::AudioEncoder A (config->audio_width, config->embed_dim);
    g_autofree char *g_base = g_path_get_basename (generator_pt);
    g_autofree char *a_base = g_path_get_basename (audio_pt);
    const char *g_naming = NULL;
    const char *a_naming = NULL;
    bool published_audio = false;
    AdisInputRules input = {};
    JsonObject *training;

    if (!adis::read_state_dict (generator_pt, &g_file, error) ||
        !adis::read_state_dict (audio_pt, &a_file, error) ||
        !adis::read_generator (g_file, G, g_base, config->preset, &g_dict, &g_naming, error) ||
        !adis::read_audio (a_file, A, a_base, config->preset, &a_dict, &a_naming,
                           &published_audio, error))
      return false;

    /* Every name and shape is checked above; these fail only on a bug */
    if (!adis::load_module (*G, g_dict, "", error) ||
        !adis::load_module (*A, a_dict, "", error))
      return false;

    /* avstyle's own test path: a peak-normalised clip, a photo squashed to
     * 256 x 256. Torchvision-named encoders come from Soundstyle's own
     * PyTorch reference, which keeps the engine's rules. */
    if (published_audio)
      {
        input.peak_normalised = TRUE;
        input.square_size = 256;
      }

    training = json_object_new ();
    json_object_set_string_member (training, "imported_from",
                                   published_audio ? "avstyle's published checkpoints (github.com/Tinglok/avstyle)"
                                                   : "reference PyTorch checkpoints");
    json_object_set_string_member (training, "generator", g_base);
    json_object_set_string_member (training, "generator_naming", g_naming);
    json_object_set_string_member (training, "audio_encoder", a_base);
    json_object_set_string_member (training, "audio_naming", a_naming);
    return adis::write_model_file (output_path, *config, *G, A.get (), nullptr,
                                   training, half_precision, error, &input);
  });
}
