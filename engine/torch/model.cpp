// model.cpp: the inference model file and the slider-friendly API on it
//
// SPDX-License-Identifier: MIT

#include "model-private.h"

extern "C" {
#include "adis-testing.h"
}

#include <cmath>
#include <cstring>

namespace adis {

static bool
model_file_error (GError    **error,
                  const char *path,
                  const char *format,
                  ...) G_GNUC_PRINTF (3, 4);

static bool
model_file_error (GError    **error,
                  const char *path,
                  const char *format,
                  ...)
{
  va_list args;
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base = g_path_get_basename (path);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  // The format or sample rate a hostile file gives can hold line breaks
  line = adis_one_line_text (message);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE, "%s: %s", base, line);
  return false;
}

/* The metadata is untrusted: members are checked for their type before
 * they are read, since json-glib's getters only warn about the wrong one.
 * NULL when absent or not a string. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* fallback when absent, G_MININT64 when not an integer */
static gint64
int_member (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return G_MININT64;
  return json_node_get_int (node);
}

/* A lower bound on the weights the networks of a config hold: the
 * generator's residual blocks and decoder convs, the audio encoder's last
 * stage (or the keyword table). */
static gint64
config_min_weights (const AdisConfig &config)
{
  gint64 w4 = 4 * (gint64) config.ngf;
  gint64 c0 = w4 + config.embed_dim;
  gint64 g = config.n_blocks * 2 * 9 * w4 * w4 + 9 * c0 * (c0 / 2) + 9 * (c0 / 2) * (c0 / 4);
  gint64 a8 = 8 * (gint64) config.audio_width;

  if (config.conditioning == ADIS_CONDITIONING_KEYWORD)
    return g + (gint64) config.n_keywords * config.embed_dim;
  return g + 3 * 9 * a8 * a8 + a8 * config.embed_dim;
}

static bool
check_model_file_size (AdisTensorFile   *file,
                       const AdisConfig &config,
                       const char       *path,
                       GError          **error)
{
  gint64 held = 0;
  gint64 needed = config_min_weights (config);

  /* The config decides how much memory the networks take before a weight is
   * read: a file of a few hundred bytes claiming the widest config would
   * have tens of GB allocated for it. Every weight must be in the file, so
   * one holding fewer is refused before anything is built. */
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    held += (gint64) adis_tensor_file_get_tensor (file, i)->n_elements;
  if (held < needed)
    return model_file_error (error, path,
                             "it holds %" G_GINT64_FORMAT " weights but its config (%s) needs at least %"
                             G_GINT64_FORMAT " (truncated, or tensors missing)",
                             held, config.preset, needed);
  return true;
}

AdisTensorFile *
open_model_file (const char  *path,
                 AdisConfig  *config,
                 JsonObject **out_metadata,
                 GError     **error)
{
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  const char *text;
  const char *format;
  gint64 version;

  file = adis_tensor_file_open (path, error);
  if (file == NULL)
    return NULL;

  text = adis_tensor_file_get_metadata (file, ADIS_MODEL_METADATA_KEY);
  if (text == NULL)
    {
      model_file_error (error, path, "not a Soundstyle model: it has no “%s” metadata",
                        ADIS_MODEL_METADATA_KEY);
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      model_file_error (error, path, "not a Soundstyle model: its metadata is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  format = string_member (object, "format");
  if (g_strcmp0 (format, ADIS_MODEL_FORMAT) != 0)
    {
      model_file_error (error, path, "not a Soundstyle model: its format is “%s”, not “%s”",
                        format ? format : "", ADIS_MODEL_FORMAT);
      return NULL;
    }

  version = int_member (object, "format_version", 0);
  if (version < 1 || version > ADIS_MODEL_FORMAT_VERSION)
    {
      model_file_error (error, path,
                        "format version %" G_GINT64_FORMAT " is not one this Soundstyle reads (1 to %d); "
                        "a newer Soundstyle may read it", version, ADIS_MODEL_FORMAT_VERSION);
      return NULL;
    }

  /* The audio rules are fixed by the engine; a file made for others would
   * give wrong embeddings silently */
  if (int_member (object, "sample_rate", ADIS_SAMPLE_RATE) != ADIS_SAMPLE_RATE ||
      int_member (object, "clip_samples", ADIS_CLIP_SAMPLES) != ADIS_CLIP_SAMPLES)
    {
      model_file_error (error, path, "made for audio other than %d Hz, %d samples",
                        ADIS_SAMPLE_RATE, ADIS_CLIP_SAMPLES);
      return NULL;
    }

  if (!json_object_has_member (object, "config") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "config")))
    {
      model_file_error (error, path, "its metadata has no “config” object");
      return NULL;
    }
  if (!adis_config_from_json (config, json_object_get_object_member (object, "config"), &local_error))
    {
      model_file_error (error, path, "%s", local_error->message);
      return NULL;
    }
  if (!check_model_file_size (file, *config, path, error))
    {
      adis_config_clear (config);
      return NULL;
    }

  if (out_metadata != NULL)
    *out_metadata = json_object_ref (object);
  return (AdisTensorFile *) g_steal_pointer (&file);
}

bool
load_model_tensors (AdisTensorFile    *file,
                    torch::nn::Module &G,
                    torch::nn::Module *A,
                    torch::nn::Module *K,
                    GError           **error)
{
  const char *cond = A != nullptr ? "A." : "K.";

  /* Anything outside G and the conditioning net is a foreign tensor */
  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    {
      const char *name = adis_tensor_file_get_tensor (file, i)->name;

      if (!g_str_has_prefix (name, "G.") && !g_str_has_prefix (name, cond))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "the file has a tensor %s that the config does not have", name);
          return false;
        }
    }

  if (!load_module (G, file, "G.", error))
    return false;
  return load_module (A != nullptr ? *A : *K, file, cond, error);
}

bool
write_model_file (const char              *path,
                  const AdisConfig        &config,
                  const torch::nn::Module &G,
                  const torch::nn::Module *A,
                  const torch::nn::Module *K,
                  JsonObject              *training,
                  bool                     half_precision,
                  GError                 **error,
                  const AdisInputRules    *input)
{
  g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
  JsonObject *input_json = input != nullptr ? adis_input_rules_to_json (input) : nullptr;
  g_autoptr(JsonObject) meta = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  AdisDType dtype = half_precision ? ADIS_DTYPE_F16 : ADIS_DTYPE_F32;

  save_module (G, writer, "G.", dtype);
  if (A != nullptr)
    save_module (*A, writer, "A.", dtype);
  if (K != nullptr)
    save_module (*K, writer, "K.", dtype);

  json_object_set_string_member (meta, "format", ADIS_MODEL_FORMAT);
  json_object_set_int_member (meta, "format_version",
                              config.head == ADIS_HEAD_GRID || input_json != nullptr ? 2 : 1);
  json_object_set_object_member (meta, "config", adis_config_to_json (&config));
  json_object_set_int_member (meta, "sample_rate", ADIS_SAMPLE_RATE);
  json_object_set_int_member (meta, "clip_samples", ADIS_CLIP_SAMPLES);
  json_object_set_string_member (meta, "dtype", adis_dtype_to_string (dtype));
  json_object_set_object_member (meta, "training", training ? training : json_object_new ());
  json_object_set_string_member (meta, "created", created);
  json_object_set_string_member (meta, "soundstyle_version", adis_version ());
  if (input_json != nullptr)
    json_object_set_object_member (meta, ADIS_MODEL_INPUT_KEY, input_json);

  json_node_set_object (node, meta);
  text = json_to_string (node, FALSE);
  adis_tensor_writer_set_metadata (writer, ADIS_MODEL_METADATA_KEY, text);
  return adis_tensor_writer_save (writer, path, error);
}

}  // namespace adis

static void
model_free (AdisModel *model)
{
  g_mutex_clear (&model->lock);
  adis_config_clear (&model->config);
  g_free (model->metadata_json);
  delete model;
}

/* The grid head's guide, for the CPU apply (adis-apply.h) */
static void
copy_guide (AdisModel *model)
{
  auto &guide = model->G->head->guide;
  auto ccm = guide->ccm.detach ().to (torch::kCPU).contiguous ();
  auto ccm_bias = guide->ccm_bias.detach ().to (torch::kCPU).contiguous ();
  auto slopes = guide->slopes.detach ().to (torch::kCPU).contiguous ();
  auto mix = guide->mix.detach ().to (torch::kCPU).contiguous ();
  AdisGridLook *look = &model->guide;

  memcpy (look->ccm, ccm.data_ptr<float> (), sizeof look->ccm);
  memcpy (look->ccm_bias, ccm_bias.data_ptr<float> (), sizeof look->ccm_bias);
  memcpy (look->mix, mix.data_ptr<float> (), sizeof look->mix);
  look->mix_bias = guide->mix_bias.item<float> ();
  look->knots = (int) guide->knots;
  model->guide_slopes.assign (slopes.data_ptr<float> (), slopes.data_ptr<float> () + slopes.numel ());
  look->slopes = model->guide_slopes.data ();
}

AdisModel *
adis_model_load (const char *path,
                 AdisDevice  device,
                 GError    **error)
{
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(JsonObject) metadata = NULL;
  AdisModel *model;
  torch::Device torch_device (torch::kCPU);
  AdisConfig config = {};

  g_return_val_if_fail (path != NULL, NULL);

  if (!adis::resolve_device (device, &torch_device, error))
    return NULL;

  file = adis::open_model_file (path, &config, &metadata, error);
  if (file == NULL)
    return NULL;

  AdisInputRules input;
  if (!adis_input_rules_from_json (metadata, &input, error))
    {
      g_autofree char *base = g_path_get_basename (path);

      g_prefix_error (error, "%s: ", base);
      adis_config_clear (&config);
      return NULL;
    }

  model = new AdisModel ();
  model->input = input;
  g_mutex_init (&model->lock);
  model->config = config;
  model->device = torch_device;
  model->channels_last = adis::use_channels_last ();
  model->device_name = adis::device_name (torch_device);

  {
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    g_autoptr(JsonGenerator) generator = json_generator_new ();

    json_node_set_object (node, metadata);
    json_generator_set_root (generator, node);
    json_generator_set_pretty (generator, TRUE);
    model->metadata_json = json_generator_to_data (generator, NULL);
  }

  gboolean ok = adis::guard (error, [&] () {
    model->G = adis::Generator (model->config);
    if (model->config.conditioning == ADIS_CONDITIONING_KEYWORD)
      model->K = adis::KeywordEmbedding (model->config.n_keywords, model->config.embed_dim);
    else
      model->A = adis::AudioEncoder (model->config.audio_width, model->config.embed_dim);

    if (!adis::load_model_tensors (file, *model->G,
                                   model->A ? model->A.get () : nullptr,
                                   model->K ? model->K.get () : nullptr, error))
      return false;

    if (model->G->head)
      copy_guide (model);
    model->G->to (torch_device);
    model->G->eval ();
    if (model->channels_last)
      adis::to_channels_last (*model->G);
    for (const auto &p : model->G->parameters ())
      model->n_parameters += p.numel ();
    if (model->A)
      {
        model->A->to (torch_device);
        model->A->eval ();
        if (model->channels_last)
          adis::to_channels_last (*model->A);
        for (const auto &p : model->A->parameters ())
          model->n_parameters += p.numel ();
      }
    else
      {
        model->K->to (torch_device);
        model->K->eval ();
        for (const auto &p : model->K->parameters ())
          model->n_parameters += p.numel ();
      }
    return true;
  });

  if (!ok)
    {
      g_autofree char *base = g_path_get_basename (path);

      g_prefix_error (error, "%s: ", base);
      model_free (model);
      return NULL;
    }

  return model;
}

AdisModel *
adis_model_ref (AdisModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
adis_model_unref (AdisModel *model)
{
  g_return_if_fail (model != NULL);

  if (g_atomic_int_dec_and_test (&model->ref_count))
    model_free (model);
}

const AdisConfig *
adis_model_get_config (AdisModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  /* Immutable after loading: no lock needed */
  return &model->config;
}

char *
adis_model_dup_metadata_json (AdisModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return g_strdup (model->metadata_json);
}

const char *
adis_model_get_device_name (AdisModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return model->device_name.c_str ();
}

gint64
adis_model_get_n_parameters (AdisModel *model)
{
  g_return_val_if_fail (model != NULL, 0);

  return model->n_parameters;
}

/* What the pixel decoder may hold at once: its activations take about
 * 6 C0 bytes a pixel (a 4000 x 3000 photo took 9.3 GB with the compact
 * preset), so this many bytes give about 500,000 pixels to the compact
 * preset and 125,000 to the paper's */
static const double kPixelDecoderBudget = 384.0 * 1024 * 1024;

int
adis_model_get_network_side (AdisModel *model,
                             int        width,
                             int        height)
{
  const AdisConfig *config;
  double max_pixels;

  g_return_val_if_fail (model != NULL && width > 0 && height > 0, 0);

  config = &model->config;
  if (config->head == ADIS_HEAD_GRID)
    return config->grid.working_size;
  max_pixels = kPixelDecoderBudget / (6.0 * (4.0 * config->ngf + config->embed_dim));
  if ((double) width * height <= max_pixels)
    return MAX (width, height);
  /* Rounded down to the size rule's multiple of 4 */
  return MAX (4, (int) (MAX (width, height) * sqrt (max_pixels / ((double) width * height))) / 4 * 4);
}

void
adis_model_get_input_rules (AdisModel      *model,
                            AdisInputRules *out_rules)
{
  g_return_if_fail (model != NULL && out_rules != NULL);

  /* Immutable after loading: no lock needed */
  *out_rules = model->input;
}

AdisImageCode *
adis_model_encode_image (AdisModel     *model,
                         AdisImage     *image,
                         int            long_side,
                         GCancellable  *cancellable,
                         GError       **error)
{
  AdisImageCode *code;
  int width, height;
  int net_width, net_height;
  int in_width, in_height;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (image != NULL, NULL);

  if (check_cancelled (cancellable, error))
    return NULL;

  in_width = adis_image_get_width (image);
  in_height = adis_image_get_height (image);
  adis_image_size_for_long_side (in_width, in_height,
                                 long_side > 0 ? long_side : MAX (in_width, in_height),
                                 &width, &height);
  adis_image_size_for_long_side (in_width, in_height,
                                 adis_model_get_network_side (model, width, height),
                                 &net_width, &net_height);
  if (model->config.head == ADIS_HEAD_PIXELS && net_width * net_height >= width * height)
    {
      /* Within the budget the network makes the output itself, as it
       * always did */
      net_width = width;
      net_height = height;
    }

  code = new AdisImageCode ();
  code->width = width;
  code->height = height;
  code->net_width = net_width;
  code->net_height = net_height;
  code->photo = adis_image_ref (image);
  code->net_input = adis_image_resize (image, net_width, net_height);

  if (check_cancelled (cancellable, error))
    {
      adis_image_unref (code->photo);
      adis_image_unref (code->net_input);
      delete code;
      return NULL;
    }

  ModelLocker locker (model);
  gboolean ok = adis::guard (error, [&] () {
    c10::InferenceMode inference;
    torch::Tensor x = torch::from_blob ((void *) adis_image_get_planes (code->net_input),
                                        {1, 3, net_height, net_width}, torch::kFloat);

    code->code = model->G->encode (adis::in_layout (x.to (model->device), model->channels_last));
    if (!model->G->head)
      code->share = model->G->decode_image_share (code->code);
    return true;
  });

  if (!ok)
    {
      adis_image_unref (code->photo);
      adis_image_unref (code->net_input);
      delete code;
      return NULL;
    }

  code->model = adis_model_ref (model);
  return code;
}

AdisImageCode *
adis_image_code_ref (AdisImageCode *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  g_atomic_int_inc (&code->ref_count);
  return code;
}

void
adis_image_code_unref (AdisImageCode *code)
{
  g_return_if_fail (code != NULL);

  if (g_atomic_int_dec_and_test (&code->ref_count))
    {
      AdisModel *model = code->model;

      adis_image_unref (code->photo);
      adis_image_unref (code->net_input);
      delete code;
      adis_model_unref (model);
    }
}

int
adis_image_code_get_width (AdisImageCode *code)
{
  g_return_val_if_fail (code != NULL, 0);

  return code->width;
}

int
adis_image_code_get_height (AdisImageCode *code)
{
  g_return_val_if_fail (code != NULL, 0);

  return code->height;
}

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
    torch::Tensor spec = adis::spectrogram (wave.to (model->device));

    code = sound_code_new (model, model->A->forward (spec));
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

/* For the tests: the decoder as the reference runs it, without the fold */
extern "C" AdisImage *
adis_testing_decode_plain (AdisModel      *model,
                           AdisImageCode  *image_code,
                           AdisSoundCode  *sound_code,
                           GError        **error)
{
  AdisImage *result = NULL;

  g_return_val_if_fail (image_code->model == model && sound_code->model == model, NULL);

  ModelLocker locker (model);
  adis::guard (error, [&] () {
    c10::InferenceMode inference;
    torch::Tensor out = model->G->decode (image_code->code, sound_code->embedding);

    out = out.clamp (-1.0, 1.0).to (torch::kCPU).contiguous ();
    result = adis_image_new_from_planes (out.data_ptr<float> (),
                                         image_code->net_width, image_code->net_height);
    return true;
  });
  return result;
}
