// model-file.h: reading and writing the inference model file, shared by the
// model loader, the trainer (export, init_model) and the importer
//
// SPDX-License-Identifier: MIT
#pragma once

#include "runtime.h"
#include "nets.h"

extern "C" {
#include "adis-model.h"
#include "adis-model-input.h"
}

namespace adis {

// Opens path and checks its "soundstyle" metadata: our format, a version
// this build reads, a valid config. Fills config (clear it with
// adis_config_clear) and, when out_metadata is non-NULL, the parsed object.
AdisTensorFile *open_model_file (const char *path, AdisConfig *config,
                                 JsonObject **out_metadata, GError **error);

// Loads G and the conditioning net (A or K, whichever is non-null) from a
// model file opened by open_model_file, refusing tensors of anything else
bool load_model_tensors (AdisTensorFile *file, torch::nn::Module &G,
                         torch::nn::Module *A, torch::nn::Module *K,
                         GError **error);

// Writes G and A (audio) or K (keyword) with the metadata; training is an
// object describing how the weights were made (taken over), or NULL; input,
// when given, what the model expects beyond Soundstyle's own rules
bool write_model_file (const char *path, const AdisConfig &config,
                       const torch::nn::Module &G, const torch::nn::Module *A,
                       const torch::nn::Module *K, JsonObject *training,
                       bool half_precision, GError **error,
                       const AdisInputRules *input = nullptr);

}  // namespace adis
