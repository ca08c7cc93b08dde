/* soundstyle-find-model.c: the model lookup shared by the command line and the window
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include "adis.h"
#include "soundstyle-find-model.h"

char *
soundstyle_find_data_dir (const char *what)
{
  g_autofree char *installed = NULL;
  g_autofree char *in_source = NULL;

  g_return_val_if_fail (what != NULL, NULL);

  installed = g_build_filename (SOUNDSTYLE_DATADIR, what, NULL);
  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&installed);

  in_source = g_build_filename (SOUNDSTYLE_SOURCE_DIR, "resources", what, NULL);
  if (g_file_test (in_source, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&in_source);

  return NULL;
}

char *
soundstyle_find_model (const char  *given,
                       GError     **error)
{
  const char *from_env;
  g_autofree char *found = NULL;

  if (given != NULL)
    return g_strdup (given);

  from_env = g_getenv ("SOUNDSTYLE_MODEL");
  if (from_env != NULL && from_env[0] != '\0')
    {
      /* A variable set on purpose that names nothing is a mistake to report,
       * not a reason to fall back silently to another model */
      if (!g_file_test (from_env, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "SOUNDSTYLE_MODEL names “%s”, which is not a file", from_env);
          return NULL;
        }
      return g_strdup (from_env);
    }

  found = soundstyle_find_data_dir ("models" G_DIR_SEPARATOR_S "default.safetensors");
  if (found != NULL && g_file_test (found, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&found);

  g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                       "no model given and no default model installed; pass --model FILE");
  return NULL;
}
