/* soundstyle-types.h: the engine's objects as GTypes, for properties, and
 * the small GLib helpers the window's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>
#include <gdk/gdk.h>

#include "adis.h"

G_BEGIN_DECLS

/* AdisSound and AdisImage are immutable and reference counted, so a boxed
 * type is a reference, never a copy */
typedef AdisSound SoundstyleSound;
typedef AdisImage SoundstyleImage;

#define SOUNDSTYLE_TYPE_SOUND (soundstyle_sound_get_type ())
#define SOUNDSTYLE_TYPE_IMAGE (soundstyle_image_get_type ())

GType soundstyle_sound_get_type (void) G_GNUC_CONST;
GType soundstyle_image_get_type (void) G_GNUC_CONST;

/* The image as an 8-bit RGB texture, for a GtkPicture or a snapshot */
GdkTexture *soundstyle_texture_new_for_image (AdisImage *image);

/* g_set_str arrived in GLib 2.76; Debian 12 has 2.74 */
gboolean soundstyle_set_str (char       **str_pointer,
                             const char  *new_str);

/* Runs func in context's own thread, at its next iteration: for worker
 * threads handing results to the main thread. Unlike
 * g_main_context_invoke_full, it never runs func in the calling thread,
 * which that does whenever the context is free to acquire (a main thread
 * between iterations) */
void soundstyle_post_to_context (GMainContext   *context,
                                 int             priority,
                                 GSourceFunc     func,
                                 gpointer        data,
                                 GDestroyNotify  notify);

G_END_DECLS
