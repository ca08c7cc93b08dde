/* synth-sheet.c: a grid a person can look at to judge the weather renderer
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "image-grid.h"
#include "synth-sheet.h"

#define MAX_ROWS   5
#define GAP        4      /* pixels between cells */
#define GROUP_GAP  12     /* and between categories */
static const float intensities[] = { 0.f, 0.5f, 1.f };
static const float weights[] = { 0.f, 0.25f, 0.5f, 0.75f, 1.f };

static gboolean
paste_render (ImageGrid *sheet, AdisImage *input, const AdisSynthFactors *factors,
              int x, int y, GError **error)
{
  g_autoptr(AdisImage) out = adis_synth_render (input, factors, error);

  if (out == NULL)
    return FALSE;
  image_grid_paste (sheet, out, x, y);
  return TRUE;
}

gboolean
synth_contact_sheet (AdisSynthMedia  *media,
                     int              cell,
                     guint64          seed,
                     const char      *output,
                     GError         **error)
{
  const char *const *photos = adis_synth_media_get_photos (media);
  guint n_photos = g_strv_length ((char **) photos);
  guint n_rows = MIN (n_photos, MAX_ROWS);
  int n_int = G_N_ELEMENTS (intensities);
  int group = n_int * (cell + GAP) - GAP;
  g_autoptr(ImageGrid) sheet = image_grid_new (cell + ADIS_SYNTH_N_CATEGORIES * (GROUP_GAP + group),
                                               (n_rows + 1) * (cell + GAP) - GAP);

  for (guint row = 0; row <= n_rows; row++)
    {
      /* Photos spread over the whole list; the blend row reuses the first */
      const char *path = photos[row < n_rows ? row * n_photos / n_rows : 0];
      g_autoptr(AdisImage) input = image_grid_load_square (path, cell, error);
      int y = row * (cell + GAP);

      if (input == NULL)
        return FALSE;
      image_grid_paste (sheet, input, 0, y);
      for (int c = 0; c < ADIS_SYNTH_N_CATEGORIES; c++)
        {
          int x0 = cell + GROUP_GAP + c * (GROUP_GAP + group);

          if (row < n_rows)
            {
              for (int k = 0; k < n_int; k++)
                {
                  AdisSynthFactors f;

                  adis_synth_factors_init (&f);
                  f.category = (AdisSynthCategory) c;
                  f.intensity = intensities[k];
                  f.seed = seed;
                  if (!paste_render (sheet, input, &f, x0 + k * (cell + GAP), y, error))
                    return FALSE;
                }
            }
          else if (c == 0 || c == 2)
            {
              /* Two groups wide: rain -> sunny, then snow -> fog */
              for (int k = 0; k < (int) G_N_ELEMENTS (weights); k++)
                {
                  AdisSynthFactors f;
                  int x = cell + GROUP_GAP + (c / 2) * 2 * (GROUP_GAP + group) + k * (cell + GAP);

                  adis_synth_factors_init (&f);
                  f.category = c == 0 ? ADIS_SYNTH_RAIN : ADIS_SYNTH_SNOW;
                  f.category_b = c == 0 ? ADIS_SYNTH_SUNNY : ADIS_SYNTH_FOG;
                  f.weight = weights[k];
                  f.intensity = 0.7f;
                  f.seed = seed;
                  if (!paste_render (sheet, input, &f, x, y, error))
                    return FALSE;
                }
            }
        }
    }

  return image_grid_save (sheet, output, error);
}
