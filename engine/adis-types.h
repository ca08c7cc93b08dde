/* adis-types.h: errors, devices and the version shared by the whole engine
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define ADIS_ERROR (adis_error_quark ())

typedef enum
{
  ADIS_ERROR_INVALID_INPUT,  /* a file or argument that cannot be used: corrupt, empty, wrong shape */
  ADIS_ERROR_IO,             /* reading or writing failed at the OS level */
  ADIS_ERROR_MODEL_FILE,     /* a model or checkpoint file that is truncated, foreign or inconsistent */
  ADIS_ERROR_DEVICE,         /* the requested device cannot be used */
  ADIS_ERROR_CANCELLED,      /* the caller's GCancellable fired */
  ADIS_ERROR_FAILED,         /* anything else; the message carries libtorch's words */
} AdisError;

typedef enum
{
  ADIS_DEVICE_AUTO,          /* CUDA when libtorch sees a GPU, else CPU */
  ADIS_DEVICE_CPU,
  ADIS_DEVICE_CUDA,
} AdisDevice;

GQuark       adis_error_quark      (void);
const char  *adis_version          (void);

/* "auto", "cpu" or "cuda"; anything else is ADIS_ERROR_INVALID_INPUT */
gboolean     adis_device_parse     (const char  *name,
                                    AdisDevice  *out_device,
                                    GError     **error);
const char  *adis_device_to_string (AdisDevice   device);
gboolean     adis_cuda_available   (void);

/* Makes libtorch's own RNG and thread count follow the caller (seeded runs repeat) */
void         adis_set_num_threads  (int          n_threads);

G_END_DECLS
