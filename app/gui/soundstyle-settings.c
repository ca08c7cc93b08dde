/* soundstyle-settings.c: the app's GSettings, installed or not
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include "soundstyle-settings.h"

GSettings *
soundstyle_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) built = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SOUNDSTYLE_SCHEMA_ID, TRUE);

  if (schema == NULL)
    {
      built = g_settings_schema_source_new_from_directory (SOUNDSTYLE_BUILD_SCHEMA_DIR, source,
                                                           TRUE, &error);
      if (built != NULL)
        schema = g_settings_schema_source_lookup (built, SOUNDSTYLE_SCHEMA_ID, FALSE);
    }

  /* Without its schema GSettings would abort; say what is missing instead */
  if (schema == NULL)
    g_error ("The settings schema %s is not installed (%s)", SOUNDSTYLE_SCHEMA_ID,
             error ? error->message : "run “meson install” or set GSETTINGS_SCHEMA_DIR");

  return g_settings_new_full (schema, NULL, NULL);
}

AdisDevice
soundstyle_settings_get_device (GSettings *settings)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), ADIS_DEVICE_AUTO);

  name = g_settings_get_string (settings, "device");
  if (g_str_equal (name, "cpu"))
    return ADIS_DEVICE_CPU;
  if (g_str_equal (name, "gpu"))
    return ADIS_DEVICE_CUDA;
  return ADIS_DEVICE_AUTO;
}
