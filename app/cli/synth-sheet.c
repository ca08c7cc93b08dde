/* synth-sheet.c: a grid a person can look at to judge the weather renderer
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "synth-sheet.h"

#define MAX_ROWS   5
#define GAP        4      /* pixels between cells */
#define GROUP_GAP  12     /* and between categories */
static const float intensities[] = { 0.f, 0.5f, 1.f };
static const float weights[] = { 0.f, 0.25f, 0.5f, 0.75f, 1.f };

typedef struct
{
  float *planes;
  int    width;
  int    height;
} Sheet;

static void
paste (Sheet *sheet, AdisImage *image, int x0, int y0)
{
  const float *src = adis_image_get_planes (image);
  int w = adis_image_get_width (image), h = adis_image_get_height (image);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      memcpy (sheet->planes + ((gsize) c * sheet->height + y0 + y) * sheet->width + x0,
              src + ((gsize) c * h + y) * w, (gsize) w * sizeof (float));
}

/* The largest centred square, at cell x cell */
static AdisImage *
load_cell (const char *path, int cell, GError **error)
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

static gboolean
paste_render (Sheet *sheet, AdisImage *input, const AdisSynthFactors *factors,
              int x, int y, GError **error)
{
  g_autoptr(AdisImage) out = adis_synth_render (input, factors, error);

  if (out == NULL)
    return FALSE;
  paste (sheet, out, x, y);
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
  g_autoptr(AdisImage) image = NULL;
  Sheet sheet;
  gboolean ok = FALSE;

  sheet.width = cell + ADIS_SYNTH_N_CATEGORIES * (GROUP_GAP + group);
  sheet.height = (n_rows + 1) * (cell + GAP) - GAP;
  sheet.planes = g_new (float, 3 * (gsize) sheet.width * sheet.height);
  /* A light grey ground */
  for (gsize i = 0; i < 3 * (gsize) sheet.width * sheet.height; i++)
    sheet.planes[i] = 0.7f;

  for (guint row = 0; row <= n_rows; row++)
    {
      /* Photos spread over the whole list; the blend row reuses the first */
      const char *path = photos[row < n_rows ? row * n_photos / n_rows : 0];
      g_autoptr(AdisImage) input = load_cell (path, cell, error);
      int y = row * (cell + GAP);

      if (input == NULL)
        goto out;
      paste (&sheet, input, 0, y);
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
                  if (!paste_render (&sheet, input, &f, x0 + k * (cell + GAP), y, error))
                    goto out;
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
                  if (!paste_render (&sheet, input, &f, x, y, error))
                    goto out;
                }
            }
        }
    }

  image = adis_image_new_from_planes (sheet.planes, sheet.width, sheet.height);
  ok = adis_image_save (image, output, error);

out:
  g_free (sheet.planes);
  return ok;
}
