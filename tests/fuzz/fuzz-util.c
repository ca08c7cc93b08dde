/* fuzz-util.c: the shared part of the libFuzzer harnesses
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-util.h"

static int input_fd = -1;
static char input_path[64];

/* Criticals inside a library's own code that our input can trigger but our
 * code cannot prevent; each was seen by the fuzzers and is harmless to us
 * (the reader refuses the file right after) */
static const char *const library_criticals[] = {
  /* gdk-pixbuf 2.42: a loader reports a 0-pixel size to get_file_info's
   * callback; adis_image_load then refuses the image as empty */
  "info_cb: assertion 'width > 0 && height > 0' failed",
  /* gdk-pixbuf 2.42's GIF loader sizes a frame of width or height 0;
   * loading then fails and adis_image_load reports it */
  "gdk_pixbuf_calculate_rowstride: assertion 'width > 0' failed",
  "gdk_pixbuf_calculate_rowstride: assertion 'height > 0' failed",
};

/* abort() rather than GLib's breakpoint trap: libFuzzer saves the input of
 * an abort as crash-*, but not of a SIGTRAP */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  gboolean ours = g_strcmp0 (domain, "adis") == 0 || g_strcmp0 (domain, "soundstyle") == 0;

  g_log_default_handler (domain, level, message, user_data);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL))
    abort ();
  if (level & G_LOG_LEVEL_CRITICAL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (library_criticals); i++)
        if (g_strcmp0 (domain, "GdkPixbuf") == 0 && strstr (message, library_criticals[i]) != NULL)
          return;
      abort ();
    }
  if ((level & G_LOG_LEVEL_WARNING) && ours)
    abort ();
}

void
fuzz_init (void)
{
  g_log_set_default_handler (log_handler, NULL);
}

const char *
fuzz_input_path (const uint8_t *data,
                 size_t         size)
{
  if (input_fd < 0)
    {
      input_fd = memfd_create ("fuzz-input", 0);
      if (input_fd < 0)
        g_error ("memfd_create: %s", g_strerror (errno));
      g_snprintf (input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }

  if (ftruncate (input_fd, 0) != 0 ||
      (size > 0 && pwrite (input_fd, data, size, 0) != (ssize_t) size))
    g_error ("writing the fuzz input: %s", g_strerror (errno));
  return input_path;
}

void
fuzz_check_outcome (gboolean      have_result,
                    const GError *error,
                    const char   *path)
{
  g_autofree char *base = g_path_get_basename (path);

  if (have_result == (error != NULL))
    g_error ("%s: a result and an error, or neither", have_result ? "both" : "neither");
  if (error == NULL)
    return;
  if (error->domain != ADIS_ERROR)
    g_error ("error outside ADIS_ERROR: %s", error->message);
  if (strchr (error->message, '\n') != NULL)
    g_error ("error message spans lines: %s", error->message);
  if (strstr (error->message, base) == NULL)
    g_error ("error message does not name the file: %s", error->message);
}
