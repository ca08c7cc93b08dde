// runtime.cpp: devices, thread counts, errors and module <-> file helpers
//
// SPDX-License-Identifier: MIT

#include "runtime.h"

#include <cstring>
#include <functional>
#include <set>
#include <sstream>

namespace adis {

bool
resolve_device (AdisDevice     device,
                torch::Device *out_device,
                GError       **error)
{
  bool have_cuda = torch::cuda::is_available ();

  switch (device)
    {
    case ADIS_DEVICE_CPU:
      *out_device = torch::Device (torch::kCPU);
      return true;
    case ADIS_DEVICE_CUDA:
      if (!have_cuda)
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_DEVICE,
                       "CUDA was requested but libtorch sees no GPU");
          return false;
        }
      *out_device = torch::Device (torch::kCUDA, 0);
      return true;
    case ADIS_DEVICE_AUTO:
    default:
      *out_device = have_cuda ? torch::Device (torch::kCUDA, 0) : torch::Device (torch::kCPU);
      return true;
    }
}

std::string
device_name (const torch::Device &device)
{
  if (device.is_cuda ())
    return "cuda:" + std::to_string (device.has_index () ? device.index () : 0);
  return "cpu";
}

std::string
first_line (const char *what)
{
  std::string text = what ? what : "unknown error";
  size_t end = text.find ('\n');

  if (end != std::string::npos)
    text.resize (end);
  return text;
}

std::string
shape_string (c10::IntArrayRef shape)
{
  std::ostringstream out;

  out << "[";
  for (size_t i = 0; i < shape.size (); i++)
    out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str ();
}

static c10::ScalarType
scalar_type_for (AdisDType dtype)
{
  switch (dtype)
    {
    case ADIS_DTYPE_F16:
      return torch::kHalf;
    case ADIS_DTYPE_BF16:
      return torch::kBFloat16;
    case ADIS_DTYPE_I64:
      return torch::kLong;
    case ADIS_DTYPE_U8:
      return torch::kUInt8;
    case ADIS_DTYPE_F32:
    default:
      return torch::kFloat;
    }
}

torch::Tensor
tensor_from_view (const AdisTensorView *view)
{
  std::vector<int64_t> shape (view->shape, view->shape + view->n_dims);
  torch::Tensor stored = torch::empty (shape, torch::TensorOptions ().dtype (scalar_type_for (view->dtype)));

  /* A copy rather than from_blob: the mapping may be unaligned and goes
   * away with the file */
  g_assert ((gsize) stored.nbytes () == view->n_bytes);
  if (view->n_bytes > 0)
    memcpy (stored.data_ptr (), view->data, view->n_bytes);

  if (view->dtype == ADIS_DTYPE_F16 || view->dtype == ADIS_DTYPE_BF16)
    return stored.to (torch::kFloat);
  return stored;
}

static bool
ends_with (const std::string &text,
           const char        *suffix)
{
  size_t n = strlen (suffix);

  return text.size () >= n && text.compare (text.size () - n, n, suffix) == 0;
}

/* Where load_module reads from: a safetensors file or a state dict */
struct TensorSource
{
  std::vector<std::string> names;
  std::function<bool (const std::string &, std::vector<int64_t> *, bool *)> info;
  std::function<torch::Tensor (const std::string &)> fetch;
};

static bool
load_from (torch::nn::Module  &module,
           const TensorSource &source,
           const std::string  &prefix,
           GError            **error)
{
  std::set<std::string> expected;
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  torch::NoGradGuard no_grad;

  for (const auto &item : module.named_parameters (true))
    targets.emplace_back (item.key (), item.value ());
  for (const auto &item : module.named_buffers (true))
    targets.emplace_back (item.key (), item.value ());

  /* Check everything before touching anything, so a bad file leaves the
   * module as it was */
  for (const auto &[key, target] : targets)
    {
      std::string name = prefix + key;
      std::vector<int64_t> file_shape;
      bool file_float = false;

      expected.insert (name);
      if (!source.info (name, &file_shape, &file_float))
        {
          if (ends_with (key, "num_batches_tracked"))
            continue;
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "tensor %s is missing from the file", name.c_str ());
          return false;
        }

      if (c10::IntArrayRef (file_shape) != target.sizes ())
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "tensor %s has shape %s in the file but the config needs %s",
                       name.c_str (), shape_string (file_shape).c_str (),
                       shape_string (target.sizes ()).c_str ());
          return false;
        }

      if (file_float != target.is_floating_point ())
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                       "tensor %s holds %s values where the model needs %s ones", name.c_str (),
                       file_float ? "floating-point" : "integer",
                       target.is_floating_point () ? "floating-point" : "integer");
          return false;
        }
    }

  for (const std::string &name : source.names)
    if (name.compare (0, prefix.size (), prefix) == 0 && expected.count (name) == 0)
      {
        g_set_error (error, ADIS_ERROR, ADIS_ERROR_MODEL_FILE,
                     "the file has a tensor %s that the config does not have", name.c_str ());
        return false;
      }

  for (auto &[key, target] : targets)
    {
      std::vector<int64_t> shape;
      bool is_float;

      if (source.info (prefix + key, &shape, &is_float))
        target.copy_ (source.fetch (prefix + key).to (target.device (), target.scalar_type ()));
    }

  return true;
}

bool
load_module (torch::nn::Module &module,
             AdisTensorFile    *file,
             const std::string &prefix,
             GError           **error)
{
  TensorSource source;

  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    source.names.push_back (adis_tensor_file_get_tensor (file, i)->name);
  source.info = [file] (const std::string &name, std::vector<int64_t> *shape, bool *is_float) {
    const AdisTensorView *view = adis_tensor_file_lookup (file, name.c_str ());

    if (view == nullptr)
      return false;
    shape->assign (view->shape, view->shape + view->n_dims);
    *is_float = view->dtype == ADIS_DTYPE_F32 || view->dtype == ADIS_DTYPE_F16 ||
                view->dtype == ADIS_DTYPE_BF16;
    return true;
  };
  source.fetch = [file] (const std::string &name) {
    return tensor_from_view (adis_tensor_file_lookup (file, name.c_str ()));
  };
  return load_from (module, source, prefix, error);
}

bool
load_module (torch::nn::Module                          &module,
             const std::map<std::string, torch::Tensor> &tensors,
             const std::string                          &prefix,
             GError                                    **error)
{
  TensorSource source;

  for (const auto &item : tensors)
    source.names.push_back (item.first);
  source.info = [&tensors] (const std::string &name, std::vector<int64_t> *shape, bool *is_float) {
    auto found = tensors.find (name);

    if (found == tensors.end ())
      return false;
    shape->assign (found->second.sizes ().begin (), found->second.sizes ().end ());
    *is_float = found->second.is_floating_point ();
    return true;
  };
  source.fetch = [&tensors] (const std::string &name) {
    return tensors.at (name);
  };
  return load_from (module, source, prefix, error);
}

void
save_tensor (AdisTensorWriter  *writer,
             const std::string &name,
             const torch::Tensor &tensor,
             AdisDType          float_dtype)
{
  torch::Tensor cpu = tensor.detach ().to (torch::kCPU).contiguous ();
  std::vector<gint64> shape (cpu.sizes ().begin (), cpu.sizes ().end ());

  if (cpu.is_floating_point ())
    {
      cpu = cpu.to (torch::kFloat).contiguous ();
      adis_tensor_writer_add_f32_as (writer, name.c_str (), float_dtype, (int) shape.size (),
                                     shape.data (), cpu.data_ptr<float> ());
    }
  else if (cpu.scalar_type () == torch::kUInt8)
    adis_tensor_writer_add (writer, name.c_str (), ADIS_DTYPE_U8, (int) shape.size (),
                            shape.data (), cpu.data_ptr ());
  else
    {
      cpu = cpu.to (torch::kLong).contiguous ();
      adis_tensor_writer_add (writer, name.c_str (), ADIS_DTYPE_I64, (int) shape.size (),
                              shape.data (), cpu.data_ptr ());
    }
}

void
save_module (const torch::nn::Module &module,
             AdisTensorWriter        *writer,
             const std::string       &prefix,
             AdisDType                float_dtype)
{
  for (const auto &item : module.named_parameters (true))
    save_tensor (writer, prefix + item.key (), item.value (), float_dtype);
  for (const auto &item : module.named_buffers (true))
    save_tensor (writer, prefix + item.key (), item.value (), float_dtype);
}

}  // namespace adis

extern "C" gboolean
adis_cuda_available (void)
{
  try
    {
      return torch::cuda::is_available ();
    }
  catch (...)
    {
      return FALSE;
    }
}

extern "C" void
adis_set_num_threads (int n_threads)
{
  /* 0 or less keeps libtorch's own choice (the core count) */
  if (n_threads > 0)
    torch::set_num_threads (n_threads);
}

namespace adis {

bool
use_channels_last ()
{
  return g_strcmp0 (g_getenv ("ADIS_CHANNELS_LAST"), "0") != 0;
}

void
to_channels_last (torch::nn::Module &module)
{
  torch::NoGradGuard no_grad;

  for (auto &p : module.parameters (true))
    if (p.dim () == 4)
      p.set_data (p.data ().contiguous (torch::MemoryFormat::ChannelsLast));
  for (auto &b : module.buffers (true))
    if (b.dim () == 4)
      b.set_data (b.data ().contiguous (torch::MemoryFormat::ChannelsLast));
}

torch::Tensor
in_layout (const torch::Tensor &x,
           bool                 channels_last)
{
  if (channels_last && x.dim () == 4)
    return x.contiguous (torch::MemoryFormat::ChannelsLast);
  return x;
}

}  // namespace adis

// Declared in adis-threads.h
extern "C" gboolean
adis_get_channels_last (void)
{
  return adis::use_channels_last ();
}

// Declared in adis-threads.h
extern "C" int
adis_get_num_threads (void)
{
  return torch::get_num_threads ();
}
