/* image-grid.h: pictures pasted on a grid, for sheets a person looks at
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis.h"

G_BEGIN_DECLS

typedef struct
{
  float *planes;   /* 3 planes of width x height, as AdisImage holds them */
  int    width;
  int    height;
} ImageGrid;

/* A grid on a light grey ground */
ImageGrid *image_grid_new         (int          width,
                                   int          height);
void       image_grid_free        (ImageGrid   *grid);
/* Copies image with its top left corner at (x, y); it must fit */
void       image_grid_paste       (ImageGrid   *grid,
                                   AdisImage   *image,
                                   int          x,
                                   int          y);
/* Saved as adis_image_save does: PNG or JPEG by extension, atomically */
gboolean   image_grid_save        (ImageGrid   *grid,
                                   const char  *path,
                                   GError     **error);
/* The photo's largest centred square, at cell x cell */
AdisImage *image_grid_load_square (const char  *path,
                                   int          cell,
                                   GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImageGrid, image_grid_free)

G_END_DECLS
