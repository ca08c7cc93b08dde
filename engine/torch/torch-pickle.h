// torch-pickle.h: reading files written by Python's torch.save
//
// SPDX-License-Identifier: MIT
#pragma once

#include <torch/torch.h>
#include <string>

namespace adis {

// Reads a torch.save zip archive (data.pkl + data/N) into an IValue. Unlike
// torch::pickle_load it also reads the usual module.state_dict() files,
// whose top-level collections.OrderedDict libtorch's unpickler drops (it
// knows OrderedDict only as a tensor's empty backward-hook table).
// Throws c10::Error or std::runtime_error on a file it cannot read.
c10::IValue load_torch_save (const char *data, size_t length);

}  // namespace adis
