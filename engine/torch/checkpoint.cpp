// checkpoint.cpp: saving a training run whole, and picking it up again
//
// SPDX-License-Identifier: MIT
//
// One safetensors file holds every network tensor under its Networks name,
// each Adam state as "opt.<g|d|f>.<param index>.<exp_avg|exp_avg_sq|step>",
// the RNG states as U8 tensors ("rng.cpu", "rng.cuda"), and the options,
// step and loader position as JSON metadata. With all of that back, the next
// step computes exactly what the uninterrupted run would have.

#include "trainer-private.h"

#include <ATen/Context.h>
#include <ATen/CPUGeneratorImpl.h>

namespace adis {

static JsonObject *
options_to_json (const AdisTrainOptions *o)
{
  JsonObject *object = json_object_new ();

  json_object_set_object_member (object, "model", adis_config_to_json (&o->model));
  json_object_set_int_member (object, "crop_size", o->crop_size);
  json_object_set_int_member (object, "load_size", o->load_size);
  json_object_set_int_member (object, "batch_size", o->batch_size);
  json_object_set_int_member (object, "epochs_constant", o->epochs_constant);
  json_object_set_int_member (object, "epochs_decay", o->epochs_decay);
  json_object_set_double_member (object, "lr", o->lr);
  json_object_set_double_member (object, "beta1", o->beta1);
  json_object_set_double_member (object, "beta2", o->beta2);
  json_object_set_double_member (object, "lambda_gan", o->lambda_gan);
  json_object_set_double_member (object, "lambda_nce", o->lambda_nce);
  json_object_set_double_member (object, "lambda_cycle", o->lambda_cycle);
  json_object_set_double_member (object, "lambda_oracle", o->lambda_oracle);
  json_object_set_double_member (object, "nce_temperature", o->nce_temperature);
  json_object_set_int_member (object, "nce_patches", o->nce_patches);
  json_object_set_boolean_member (object, "identity", o->identity);
  json_object_set_string_member (object, "objective", o->objective == ADIS_OBJECTIVE_CYCLE ? "cycle" : "nce");
  json_object_set_string_member (object, "fusion", o->fusion == ADIS_FUSION_LATE ? "late" : "early");
  if (o->audio_init != NULL)
    json_object_set_string_member (object, "audio_init", o->audio_init);
  if (o->init_model != NULL)
    json_object_set_string_member (object, "init_model", o->init_model);
  json_object_set_double_member (object, "gain_augment", o->gain_augment);
  json_object_set_boolean_member (object, "media_augment", o->media_augment);
  /* As a string: JSON readers lose integers above 2^53 */
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, o->seed);
  json_object_set_string_member (object, "seed", seed);
  json_object_set_int_member (object, "n_workers", o->n_workers);
  return object;
}

static bool
checkpoint_error (GError    **error,
                  const char *what)
{
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE, "Not a usable Soundstyle checkpoint: %s", what);
  return false;
}

static bool
options_from_json (AdisTrainOptions *o,
                   JsonObject       *object,
                   GError          **error)
{
  static const char *const ints[] = { "crop_size", "load_size", "batch_size", "epochs_constant",
                                      "epochs_decay", "nce_patches" };
  static const char *const doubles[] = { "lr", "beta1", "beta2", "lambda_gan", "lambda_nce",
                                         "lambda_cycle", "nce_temperature", "gain_augment" };

  for (const char *name : ints)
    if (!json_object_has_member (object, name))
      return checkpoint_error (error, "its options lack an integer field");
  for (const char *name : doubles)
    if (!json_object_has_member (object, name))
      return checkpoint_error (error, "its options lack a number field");
  if (!json_object_has_member (object, "model") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "model")))
    return checkpoint_error (error, "its options have no model config");

  *o = AdisTrainOptions {};
  if (!adis_config_from_json (&o->model, json_object_get_object_member (object, "model"), error))
    return false;
  o->crop_size = (int) json_object_get_int_member (object, "crop_size");
  o->load_size = (int) json_object_get_int_member (object, "load_size");
  o->batch_size = (int) json_object_get_int_member (object, "batch_size");
  o->epochs_constant = (int) json_object_get_int_member (object, "epochs_constant");
  o->epochs_decay = (int) json_object_get_int_member (object, "epochs_decay");
  o->nce_patches = (int) json_object_get_int_member (object, "nce_patches");
  o->lr = json_object_get_double_member (object, "lr");
  o->beta1 = json_object_get_double_member (object, "beta1");
  o->beta2 = json_object_get_double_member (object, "beta2");
  o->lambda_gan = json_object_get_double_member (object, "lambda_gan");
  o->lambda_nce = json_object_get_double_member (object, "lambda_nce");
  o->lambda_cycle = json_object_get_double_member (object, "lambda_cycle");
  /* Checkpoints from before the oracle term trained without it */
  o->lambda_oracle = json_object_get_double_member_with_default (object, "lambda_oracle", 0.0);
  o->nce_temperature = json_object_get_double_member (object, "nce_temperature");
  o->gain_augment = (float) json_object_get_double_member (object, "gain_augment");
  /* Checkpoints from before the media augmentation trained without it */
  o->media_augment = json_object_get_boolean_member_with_default (object, "media_augment", FALSE);
  o->identity = json_object_get_boolean_member_with_default (object, "identity", TRUE);
  o->objective = g_strcmp0 (json_object_get_string_member_with_default (object, "objective", "nce"),
                            "cycle") == 0 ? ADIS_OBJECTIVE_CYCLE : ADIS_OBJECTIVE_NCE;
  o->fusion = g_strcmp0 (json_object_get_string_member_with_default (object, "fusion", "early"),
                         "late") == 0 ? ADIS_FUSION_LATE : ADIS_FUSION_EARLY;
  o->audio_init = g_strdup (json_object_get_string_member_with_default (object, "audio_init", NULL));
  o->init_model = g_strdup (json_object_get_string_member_with_default (object, "init_model", NULL));
  o->seed = g_ascii_strtoull (json_object_get_string_member_with_default (object, "seed", "0"), NULL, 10);
  o->n_workers = (int) json_object_get_int_member_with_default (object, "n_workers", 0);
  return true;
}

// The optimisers in a fixed order with their names in the file
static std::vector<std::pair<const char *, torch::optim::Adam *>>
optimizers (AdisTrainer *trainer)
{
  return { { "g", trainer->opt.g.get () }, { "d", trainer->opt.d.get () }, { "f", trainer->opt.f.get () } };
}

// libtorch keys Adam's per-parameter state by the parameter's TensorImpl
static std::string
state_key (const torch::Tensor &param)
{
  return c10::guts::to_string (param.unsafeGetTensorImpl ());
}

static void
save_optimizer (AdisTensorWriter     *writer,
                const char           *name,
                torch::optim::Adam   *adam)
{
  int64_t index = 0;

  for (auto &group : adam->param_groups ())
    for (auto &param : group.params ())
      {
        auto found = adam->state ().find (state_key (param));
        std::string base = std::string ("opt.") + name + "." + std::to_string (index++) + ".";

        if (found == adam->state ().end ())
          continue;
        auto &state = static_cast<torch::optim::AdamParamState &> (*found->second);
        save_tensor (writer, base + "exp_avg", state.exp_avg (), ADIS_DTYPE_F32);
        save_tensor (writer, base + "exp_avg_sq", state.exp_avg_sq (), ADIS_DTYPE_F32);
        save_tensor (writer, base + "step", torch::full ({1}, state.step (), torch::kLong), ADIS_DTYPE_F32);
      }
}

static bool
load_optimizer (AdisTensorFile       *file,
                const char           *name,
                torch::optim::Adam   *adam,
                GError              **error)
{
  int64_t index = 0;

  for (auto &group : adam->param_groups ())
    for (auto &param : group.params ())
      {
        std::string base = std::string ("opt.") + name + "." + std::to_string (index++) + ".";
        const AdisTensorView *avg = adis_tensor_file_lookup (file, (base + "exp_avg").c_str ());
        const AdisTensorView *avg_sq = adis_tensor_file_lookup (file, (base + "exp_avg_sq").c_str ());
        const AdisTensorView *step = adis_tensor_file_lookup (file, (base + "step").c_str ());

        /* No state yet: the checkpoint was taken before the first step */
        if (avg == NULL && avg_sq == NULL && step == NULL)
          continue;
        if (avg == NULL || avg_sq == NULL || step == NULL || step->dtype != ADIS_DTYPE_I64 ||
            step->n_elements != 1)
          {
            g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                         "Checkpoint optimiser state %s is incomplete", base.c_str ());
            return false;
          }

        torch::Tensor m = tensor_from_view (avg);
        torch::Tensor v = tensor_from_view (avg_sq);
        if (m.sizes () != param.sizes () || v.sizes () != param.sizes ())
          {
            g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                         "Checkpoint optimiser state %s has shape %s but its parameter has %s",
                         base.c_str (), shape_string (m.sizes ()).c_str (),
                         shape_string (param.sizes ()).c_str ());
            return false;
          }

        auto state = std::make_unique<torch::optim::AdamParamState> ();
        state->step (*(const int64_t *) step->data);
        state->exp_avg (m.to (param.device ()));
        state->exp_avg_sq (v.to (param.device ()));
        adam->state ()[state_key (param)] = std::move (state);
      }

  return true;
}

}  // namespace adis

extern "C" gboolean
adis_trainer_save_checkpoint (AdisTrainer *trainer,
                              const char  *path,
                              GError     **error)
{
  g_return_val_if_fail (trainer != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return adis::guard (error, [&] () {
    g_autoptr(AdisTensorWriter) writer = adis_tensor_writer_new ();
    g_autoptr(JsonObject) meta = json_object_new ();
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    g_autofree char *text = NULL;

    adis::save_module (*trainer->nets, writer, "", ADIS_DTYPE_F32);
    for (auto &[name, adam] : adis::optimizers (trainer))
      adis::save_optimizer (writer, name, adam);

    adis::save_tensor (writer, "rng.cpu", at::detail::getDefaultCPUGenerator ().get_state (),
                       ADIS_DTYPE_F32);
    if (trainer->device.is_cuda ())
      adis::save_tensor (writer, "rng.cuda",
                         at::globalContext ().defaultGenerator (trainer->device).get_state (),
                         ADIS_DTYPE_F32);

    json_object_set_string_member (meta, "format", ADIS_CHECKPOINT_FORMAT);
    json_object_set_int_member (meta, "format_version", ADIS_CHECKPOINT_FORMAT_VERSION);
    json_object_set_object_member (meta, "options", adis::options_to_json (&trainer->options));
    json_object_set_int_member (meta, "step", trainer->step);
    json_object_set_int_member (meta, "loader_batch", trainer->step);
    json_object_set_string_member (meta, "dataset", adis_dataset_get_path (trainer->dataset));
    json_object_set_int_member (meta, "dataset_items", adis_dataset_get_n_items (trainer->dataset));
    json_object_set_string_member (meta, "device", trainer->device_name.c_str ());
    json_object_set_string_member (meta, "soundstyle_version", adis_version ());
    json_node_set_object (node, meta);
    text = json_to_string (node, FALSE);
    adis_tensor_writer_set_metadata (writer, ADIS_CHECKPOINT_METADATA_KEY, text);

    return (bool) adis_tensor_writer_save (writer, path, error);
  });
}

extern "C" AdisTrainer *
adis_trainer_resume (const char  *checkpoint_path,
                     AdisDataset *dataset,
                     AdisDevice   device,
                     GError     **error)
{
  g_autoptr(AdisTensorFile) file = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  AdisTrainOptions options = {};
  AdisTrainer *trainer;
  JsonObject *meta;
  JsonNode *root;
  const char *text;
  gint64 step;

  g_return_val_if_fail (checkpoint_path != NULL, NULL);
  g_return_val_if_fail (dataset != NULL, NULL);

  file = adis_tensor_file_open (checkpoint_path, error);
  if (file == NULL)
    return NULL;

  text = adis_tensor_file_get_metadata (file, ADIS_CHECKPOINT_METADATA_KEY);
  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      adis::checkpoint_error (error, "it has no “soundstyle-checkpoint” metadata");
      return NULL;
    }
  meta = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (meta, "format", ""), ADIS_CHECKPOINT_FORMAT) != 0 ||
      json_object_get_int_member_with_default (meta, "format_version", 0) != ADIS_CHECKPOINT_FORMAT_VERSION)
    {
      adis::checkpoint_error (error, "its format or version is not one this Soundstyle reads");
      return NULL;
    }
  if (!json_object_has_member (meta, "options") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (meta, "options")) ||
      !adis::options_from_json (&options, json_object_get_object_member (meta, "options"), error))
    {
      if (error != NULL && *error == NULL)
        adis::checkpoint_error (error, "it has no training options");
      adis_train_options_clear (&options);
      return NULL;
    }

  /* Another dataset would change the epochs' length and the batches */
  if (json_object_get_int_member_with_default (meta, "dataset_items", -1) != adis_dataset_get_n_items (dataset))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "The checkpoint was trained on %" G_GINT64_FORMAT " items but %s has %u",
                   json_object_get_int_member_with_default (meta, "dataset_items", -1),
                   adis_dataset_get_path (dataset), adis_dataset_get_n_items (dataset));
      adis_train_options_clear (&options);
      return NULL;
    }

  options.device = device;
  trainer = adis::trainer_create (&options, dataset, false, error);
  adis_train_options_clear (&options);
  if (trainer == NULL)
    return NULL;

  step = json_object_get_int_member_with_default (meta, "step", 0);
  bool ok = adis::guard (error, [&] () {
    for (const auto &child : trainer->nets->named_children ())
      if (!adis::load_module (*child.value (), file, child.key () + ".", error))
        return false;
    for (auto &[name, adam] : adis::optimizers (trainer))
      if (!adis::load_optimizer (file, name, adam, error))
        return false;

    const AdisTensorView *rng = adis_tensor_file_lookup (file, "rng.cpu");
    if (rng == NULL || rng->dtype != ADIS_DTYPE_U8)
      return adis::checkpoint_error (error, "it has no CPU random state (rng.cpu)");
    at::Generator cpu_gen = at::detail::getDefaultCPUGenerator ();
    {
      std::lock_guard<std::mutex> lock (cpu_gen.mutex ());
      cpu_gen.set_state (adis::tensor_from_view (rng));
    }

    /* The CUDA state only means something on the GPU it came from */
    const AdisTensorView *cuda_rng = adis_tensor_file_lookup (file, "rng.cuda");
    if (cuda_rng != NULL && trainer->device.is_cuda ())
      {
        at::Generator cuda_gen = at::globalContext ().defaultGenerator (trainer->device);
        std::lock_guard<std::mutex> lock (cuda_gen.mutex ());
        cuda_gen.set_state (adis::tensor_from_view (cuda_rng));
      }
    return true;
  });
  if (!ok || step < 0 || step > trainer->total_steps)
    {
      if (ok)
        adis::checkpoint_error (error, "its step count is out of range");
      g_prefix_error (error, "%s: ", checkpoint_path);
      adis_trainer_free (trainer);
      return NULL;
    }

  trainer->step = step;
  adis_loader_seek (trainer->loader, (guint64) json_object_get_int_member_with_default (meta, "loader_batch", step));
  return trainer;
}
