/* adis-types.c: errors and device names
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "adis"

#include "config.h"

#include "adis-types.h"

G_DEFINE_QUARK (adis-error-quark, adis_error)

const char *
adis_version (void)
{
  return PACKAGE_VERSION;
}

gboolean
adis_device_parse (const char  *name,
                   AdisDevice  *out_device,
                   GError     **error)
{
  g_return_val_if_fail (out_device != NULL, FALSE);

  if (g_strcmp0 (name, "auto") == 0)
    *out_device = ADIS_DEVICE_AUTO;
  else if (g_strcmp0 (name, "cpu") == 0)
    *out_device = ADIS_DEVICE_CPU;
  else if (g_strcmp0 (name, "cuda") == 0)
    *out_device = ADIS_DEVICE_CUDA;
  else
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "Unknown device “%s”: use auto, cpu or cuda", name ? name : "");
      return FALSE;
    }

  return TRUE;
}

const char *
adis_device_to_string (AdisDevice device)
{
  switch (device)
    {
    case ADIS_DEVICE_CPU:
      return "cpu";
    case ADIS_DEVICE_CUDA:
      return "cuda";
    case ADIS_DEVICE_AUTO:
    default:
      return "auto";
    }
}
