/* fuzz-model-file.c: libFuzzer harness for model files
 *
 * SPDX-License-Identifier: MIT
 *
 * Two layers, both fed the same bytes: the safetensors container
 * (adis_tensor_file_open: header length, JSON, dtypes, shapes, offsets) and
 * the model loader on top (adis_model_load: the "soundstyle" metadata, the
 * config, and tensors checked against the networks the config builds).
 * A model file is untrusted input: every path must end in a model or a
 * one-line error naming the file, and no tensor may reach outside the file.
 */
#include "config.h"

#include "fuzz-util.h"

static void
check_tensor_file (const char *path,
                   size_t      size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisTensorFile) file = adis_tensor_file_open (path, &error);
  gsize total = 0;

  fuzz_check_outcome (file != NULL, error, path);
  if (file == NULL)
    return;

  for (guint i = 0; i < adis_tensor_file_get_n_tensors (file); i++)
    {
      const AdisTensorView *view = adis_tensor_file_get_tensor (file, i);
      guint8 sum = 0;

      if (view->n_bytes != view->n_elements * adis_dtype_size (view->dtype))
        g_error ("tensor %s: %" G_GSIZE_FORMAT " bytes for %" G_GSIZE_FORMAT " elements",
                 view->name, view->n_bytes, view->n_elements);
      if (adis_tensor_file_lookup (file, view->name) != view)
        g_error ("tensor %s is not found by its name", view->name);
      /* Tensors may not overlap, so together they fit in the file */
      total += view->n_bytes;
      if (total > size)
        g_error ("tensors hold %" G_GSIZE_FORMAT " bytes of a %" G_GSIZE_FORMAT "-byte file", total, size);
      /* Touch every byte: a view past the mapping faults here */
      for (gsize b = 0; b < view->n_bytes; b++)
        sum ^= view->data[b];
      (void) sum;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdisModel) model = NULL;
  const char *path;

  if (!initialized)
    {
      fuzz_init ();
      adis_set_num_threads (1);
      initialized = TRUE;
    }

  path = fuzz_input_path (data, size);
  check_tensor_file (path, size);

  model = adis_model_load (path, ADIS_DEVICE_CPU, &error);
  fuzz_check_outcome (model != NULL, error, path);
  if (model != NULL && adis_model_get_n_parameters (model) <= 0)
    g_error ("a model without parameters");

  return 0;
}
