// model.cpp: the slider-friendly API on a model: loading it, its properties
// and image codes; the file is read and written in model-file.cpp, sound
// codes are in model-sound.cpp
//
// SPDX-License-Identifier: MIT

#include "model-private.h"

extern "C" {
#include "adis-testing.h"
}

#include <cmath>
#include <cstring>

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
      model->A = adis::AudioEncoder (model->config.audio_width, model->config.embed_dim,
                                     model->config.audio_level);

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
