/* soundstyle-types.c: boxed types over the engine's reference counts, and
 * the small GLib helpers the window's files share
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include "soundstyle-types.h"

G_DEFINE_BOXED_TYPE (SoundstyleSound, soundstyle_sound, adis_sound_ref, adis_sound_unref)
G_DEFINE_BOXED_TYPE (SoundstyleImage, soundstyle_image, adis_image_ref, adis_image_unref)

gboolean
soundstyle_set_str (char       **str_pointer,
                    const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

void
soundstyle_post_to_context (GMainContext   *context,
                            int             priority,
                            GSourceFunc     func,
                            gpointer        data,
                            GDestroyNotify  notify)
{
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_source_set_priority (idle, priority);
  g_source_set_callback (idle, func, data, notify);
  g_source_set_static_name (idle, "[soundstyle] from a worker thread");
  g_source_attach (idle, context);
}

GdkTexture *
soundstyle_texture_new_for_image (AdisImage *image)
{
  int width = adis_image_get_width (image);
  int height = adis_image_get_height (image);
  g_autoptr(GBytes) bytes = g_bytes_new_take (adis_image_to_rgb8 (image), (gsize) width * height * 3);

  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}
