/* test-raw-images.h: image files in the pixel formats gdk-pixbuf cannot write
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* PNG colour types */
#define TEST_PNG_GREY        0
#define TEST_PNG_RGB         2
#define TEST_PNG_GREY_ALPHA  4
#define TEST_PNG_RGBA        6

/* The bytes of a PNG of a smooth pattern in the given colour type and bit
 * depth (8 or 16). When header_only, the file stops after the header and an
 * empty image-data chunk: a reader that believes the header would allocate
 * for width x height before finding out. */
GBytes    *test_png_bytes     (int       width,
                               int       height,
                               int       bit_depth,
                               int       color_type,
                               gboolean  header_only);
void       test_write_png     (const char *path,
                               int       width,
                               int       height,
                               int       bit_depth,
                               int       color_type,
                               gboolean  header_only);

/* A CMYK JPEG (as Photoshop writes for print, Adobe-inverted) of a smooth
 * pattern, through libjpeg */
void       test_write_cmyk_jpeg (const char *path,
                                 int         width,
                                 int         height);

G_END_DECLS
