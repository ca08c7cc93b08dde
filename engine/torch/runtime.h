// runtime.h: what the engine's libtorch side shares: devices, errors, and
// moving module tensors in and out of safetensors files
//
// SPDX-License-Identifier: MIT
#pragma once

#include <torch/torch.h>
#include <exception>
#include <map>
#include <string>

extern "C" {
#include "adis-types.h"
#include "adis-safetensors.h"
}

namespace adis {

// AUTO picks CUDA when there is a GPU; CUDA without one is ADIS_ERROR_DEVICE
bool resolve_device (AdisDevice device, torch::Device *out_device, GError **error);

// "cpu", "cuda:0"
std::string device_name (const torch::Device &device);

// The first line of an exception's message, for one-line GErrors
std::string first_line (const char *what);

// Runs body, turning any libtorch or C++ exception into ADIS_ERROR_FAILED
// with the first line of its message. body returns bool (FALSE with error
// set by itself when it fails in the ordinary way).
template <typename Body>
bool
guard (GError **error, Body &&body)
{
  try
    {
      return body ();
    }
  catch (const c10::Error &e)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "libtorch: %s",
                   first_line (e.what_without_backtrace ()).c_str ());
    }
  catch (const std::exception &e)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_FAILED, "%s",
                   first_line (e.what ()).c_str ());
    }
  return false;
}

// Convolutions run on channels-last (NHWC) tensors: oneDNN runs this
// project's networks several times faster so on CPU than on NCHW ones
// (docs/BENCHMARKS.md), to the same values within float rounding.
// ADIS_CHANNELS_LAST=0 in the environment keeps NCHW, to compare.
bool use_channels_last ();
// Moves a module's 4-D parameters and buffers to channels-last, in place
void to_channels_last (torch::nn::Module &module);
// x as the networks want it: channels-last when 4-D and asked for
torch::Tensor in_layout (const torch::Tensor &x, bool channels_last);

// A CPU float32 (or int64 for I64) copy of a stored tensor; F16 and BF16
// are widened, U8 is kept as uint8
torch::Tensor tensor_from_view (const AdisTensorView *view);

// Copies every named parameter and buffer of module (wherever it lives) from
// the tensors named prefix + name. Each must be present with the module's shape;
// a tensor under prefix that the module does not have is refused. Buffers
// called num_batches_tracked may be absent (the reference's older files).
bool load_module (torch::nn::Module &module, AdisTensorFile *file,
                  const std::string &prefix, GError **error);

// The same from a state dict already in memory (an imported checkpoint)
bool load_module (torch::nn::Module &module,
                  const std::map<std::string, torch::Tensor> &tensors,
                  const std::string &prefix, GError **error);

// Adds every parameter and buffer as prefix + name; floating tensors are
// stored as float_dtype (F32 or F16), integer ones as I64
void save_module (const torch::nn::Module &module, AdisTensorWriter *writer,
                  const std::string &prefix, AdisDType float_dtype);

// Adds one tensor (moved to the CPU, made contiguous) under name; floating
// tensors as float_dtype, int64 as I64, uint8 as U8
void save_tensor (AdisTensorWriter *writer, const std::string &name,
                  const torch::Tensor &tensor, AdisDType float_dtype);

// "[64, 3, 7, 7]"
std::string shape_string (c10::IntArrayRef shape);

}  // namespace adis
