/* image-grid.c: pictures pasted on a grid, for sheets a person looks at
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "image-grid.h"

ImageGrid *
image_grid_new (int width,
                int height)
{
  ImageGrid *grid = g_new0 (ImageGrid, 1);
  gsize n = 3 * (gsize) width * height;

  grid->width = width;
  grid->height = height;
  grid->planes = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    grid->planes[i] = 0.7f;
  return grid;
}

void
image_grid_free (ImageGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->planes);
  g_free (grid);
}

void
image_grid_paste (ImageGrid *grid,
                  AdisImage *image,
                  int        x0,
                  int        y0)
{
  const float *src = adis_image_get_planes (image);
  int w = adis_image_get_width (image), h = adis_image_get_height (image);

  g_return_if_fail (x0 >= 0 && y0 >= 0 && x0 + w <= grid->width && y0 + h <= grid->height);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      memcpy (grid->planes + ((gsize) c * grid->height + y0 + y) * grid->width + x0,
              src + ((gsize) c * h + y) * w, (gsize) w * sizeof (float));
}

gboolean
image_grid_save (ImageGrid   *grid,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(AdisImage) image = adis_image_new_from_planes (grid->planes, grid->width, grid->height);

  return adis_image_save (image, path, error);
}

AdisImage *
image_grid_load_square (const char  *path,
                        int          cell,
                        GError     **error)
{
  g_autoptr(AdisImage) photo = adis_image_load (path, error);
  AdisSynthCrop crop = { 0 };

  if (photo == NULL)
    return NULL;
  crop.side = MIN (adis_image_get_width (photo), adis_image_get_height (photo));
  crop.x = (adis_image_get_width (photo) - crop.side) / 2;
  crop.y = (adis_image_get_height (photo) - crop.side) / 2;
  return adis_synth_crop_apply (photo, &crop, cell, error);
}
