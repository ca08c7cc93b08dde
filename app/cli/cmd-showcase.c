/* cmd-showcase.c: soundstyle showcase, a model's work on one sheet
 *
 * SPDX-License-Identifier: MIT
 *
 * Three blocks a person can judge at a glance: every bundled photo restyled
 * by every bundled sound; one photo under rain at five volumes; one photo
 * under a mix sliding from rain to birdsong. Each row starts with the photo
 * itself. The README shows the sheet made from the default model.
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <string.h>

#include "image-grid.h"
#include "soundstyle-cli.h"
#include "soundstyle-find-model.h"

#define GAP        4
#define BLOCK_GAP  16

static const float volume_gains[] = { 0.25f, 0.5f, 1.f, 2.f, 4.f };
static const float mix_weights[] = { 0.f, 0.25f, 0.5f, 0.75f, 1.f };

typedef struct
{
  AdisModel  *model;
  ImageGrid  *sheet;
  int         cell;
} Showcase;

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted file names of a samples subfolder, as full paths */
static GPtrArray *
list_files (const char  *dir,
            GError     **error)
{
  g_autoptr(GDir) handle = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *paths;
  const char *name;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || (handle = g_dir_open (dir, 0, NULL)) == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s is not a folder that can be read (a sample library has photos/ and sounds/)", dir);
      return NULL;
    }
  while ((name = g_dir_read_name (handle)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_build_filename (dir, names->pdata[i], NULL));
  if (paths->len == 0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT, "%s has no files", dir);
      g_ptr_array_unref (paths);
      return NULL;
    }
  return paths;
}

/* The first sound whose file name starts with prefix (sounds are named
 * after their category: rain-light.ogg) */
static const char *
find_sound (GPtrArray  *sounds,
            const char *prefix)
{
  for (guint i = 0; i < sounds->len; i++)
    {
      g_autofree char *base = g_path_get_basename (sounds->pdata[i]);

      if (g_str_has_prefix (base, prefix))
        return sounds->pdata[i];
    }
  return NULL;
}

static gboolean
paste_styled (Showcase       *self,
              AdisImageCode  *image_code,
              AdisSound      *a,
              AdisSound      *b,
              float           gain,
              float           weight,
              int             x,
              int             y,
              GError        **error)
{
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisImage) styled = NULL;
  g_autoptr(AdisImage) cell = NULL;

  sound_code = adis_model_encode_sound (self->model, a, b, gain, weight, NULL, error);
  if (sound_code == NULL)
    return FALSE;
  styled = adis_model_decode (self->model, image_code, sound_code, NULL, error);
  if (styled == NULL)
    return FALSE;
  cell = adis_image_resize (styled, self->cell, self->cell);
  image_grid_paste (self->sheet, cell, x, y);
  return TRUE;
}

static gboolean
showcase (const char  *model_path,
          const char  *samples,
          int          cell,
          const char  *output,
          GError     **error)
{
  g_autofree char *samples_dir = samples != NULL ? g_strdup (samples) : soundstyle_find_data_dir ("samples");
  g_autofree char *photos_dir = NULL;
  g_autofree char *sounds_dir = NULL;
  g_autoptr(GPtrArray) photo_paths = NULL;
  g_autoptr(GPtrArray) sound_paths = NULL;
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_image_unref);
  g_autoptr(GPtrArray) sounds = g_ptr_array_new_with_free_func ((GDestroyNotify) adis_sound_unref);
  g_autoptr(AdisModel) model = NULL;
  g_autoptr(ImageGrid) sheet = NULL;
  g_autoptr(AdisSound) rain = NULL;
  g_autoptr(AdisSound) birds = NULL;
  const char *rain_path, *birds_path;
  Showcase self = { 0 };
  int columns, rows_height, y;

  if (!soundstyle_cli_check_output_image (output, error))
    return FALSE;
  if (samples_dir == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "no sample library found; give one with --samples");
      return FALSE;
    }
  photos_dir = g_build_filename (samples_dir, "photos", NULL);
  sounds_dir = g_build_filename (samples_dir, "sounds", NULL);
  if ((photo_paths = list_files (photos_dir, error)) == NULL ||
      (sound_paths = list_files (sounds_dir, error)) == NULL)
    return FALSE;

  /* Light rain has the most room to grow louder */
  rain_path = find_sound (sound_paths, "rain-light");
  if (rain_path == NULL)
    rain_path = find_sound (sound_paths, "rain");
  birds_path = find_sound (sound_paths, "sunny");
  if (rain_path == NULL || birds_path == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s needs a rain-*.ogg and a sunny-*.ogg sound for the volume and mix rows",
                   sounds_dir);
      return FALSE;
    }

  /* Every input is read before the model loads */
  for (guint i = 0; i < photo_paths->len; i++)
    {
      AdisImage *image = image_grid_load_square (photo_paths->pdata[i], cell, error);

      if (image == NULL)
        return FALSE;
      g_ptr_array_add (images, image);
    }
  for (guint i = 0; i < sound_paths->len; i++)
    {
      AdisSound *sound = soundstyle_cli_load_sound (sound_paths->pdata[i], error);

      if (sound == NULL)
        return FALSE;
      g_ptr_array_add (sounds, sound);
    }
  if ((rain = soundstyle_cli_load_sound (rain_path, error)) == NULL ||
      (birds = soundstyle_cli_load_sound (birds_path, error)) == NULL)
    return FALSE;

  if ((model = soundstyle_cli_load_model (model_path, ADIS_DEVICE_AUTO, error)) == NULL ||
      !soundstyle_cli_check_conditioning (model, FALSE, error))
    return FALSE;

  columns = 1 + MAX ((int) sounds->len, (int) G_N_ELEMENTS (volume_gains));
  rows_height = (int) images->len * (cell + GAP) - GAP;
  sheet = image_grid_new (columns * (cell + GAP) - GAP,
                          rows_height + 2 * (BLOCK_GAP + cell));
  self = (Showcase) { model, sheet, cell };

  /* Block 1: photos x sounds, at the sounds' own loudness */
  for (guint row = 0; row < images->len; row++)
    {
      g_autoptr(AdisImageCode) code = NULL;

      y = row * (cell + GAP);
      image_grid_paste (sheet, images->pdata[row], 0, y);
      if ((code = adis_model_encode_image (model, images->pdata[row], cell, NULL, error)) == NULL)
        return FALSE;
      for (guint s = 0; s < sounds->len; s++)
        if (!paste_styled (&self, code, sounds->pdata[s], NULL, 1.f, 0.f,
                           (1 + s) * (cell + GAP), y, error))
          return FALSE;
      g_printerr ("showcase: photo %u of %u\n", row + 1, images->len);
    }

  /* Blocks 2 and 3: the first photo, rain at five volumes, then rain
   * giving way to birdsong */
  {
    g_autoptr(AdisImageCode) code = adis_model_encode_image (model, images->pdata[0], cell, NULL, error);

    if (code == NULL)
      return FALSE;
    y = rows_height + BLOCK_GAP;
    image_grid_paste (sheet, images->pdata[0], 0, y);
    for (guint k = 0; k < G_N_ELEMENTS (volume_gains); k++)
      if (!paste_styled (&self, code, rain, NULL, volume_gains[k], 0.f, (1 + k) * (cell + GAP), y, error))
        return FALSE;

    y += cell + BLOCK_GAP;
    image_grid_paste (sheet, images->pdata[0], 0, y);
    for (guint k = 0; k < G_N_ELEMENTS (mix_weights); k++)
      if (!paste_styled (&self, code, rain, birds, 1.f, mix_weights[k], (1 + k) * (cell + GAP), y, error))
        return FALSE;
  }

  if (!image_grid_save (sheet, output, error))
    return FALSE;
  g_print ("Wrote %s: %u photos x %u sounds; rain (%s) at gains 0.25, 0.5, 1, 2, 4; "
           "mixed towards birdsong (%s) at 0, 0.25, 0.5, 0.75, 1\n",
           output, images->len, sounds->len, rain_path, birds_path);
  return TRUE;
}

int
soundstyle_cmd_showcase (int    argc,
                         char **argv)
{
  g_autofree char *model = NULL;
  g_autofree char *samples = NULL;
  g_autofree char *output = NULL;
  int cell = 160;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Model file (default: $SOUNDSTYLE_MODEL or the installed one)", "FILE" },
    { "samples", 0, 0, G_OPTION_ARG_FILENAME, &samples, "Sample library with photos/ and sounds/ (default: the bundled one)", "DIR" },
    { "cell", 's', 0, G_OPTION_ARG_INT, &cell, "Side of each picture in pixels, 32 to 512 (default: 160)", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The sheet to write (.png, .jpg)", "FILE" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Show what a model does on one sheet: the sample photos restyled by every\n"
    "sample sound, one photo under rain at five volumes, and one under a mix\n"
    "sliding from rain to birdsong. Each row starts with the photo itself.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  soundstyle showcase --output docs/showcase.png\n"
    "  soundstyle showcase --model mine.safetensors --cell 256 -o mine.jpg\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);
  if (argc > 1)
    soundstyle_cli_usage_error (&error, "showcase", "unexpected argument “%s”", argv[1]);
  else if (output == NULL)
    soundstyle_cli_usage_error (&error, "showcase", "--output is required");
  else if (cell < 32 || cell > 512)
    soundstyle_cli_usage_error (&error, "showcase", "--cell %d is out of range: use 32 to 512", cell);
  if (error != NULL)
    return soundstyle_cli_report_error (error);

  if (!showcase (model, samples, cell, output, &error))
    return soundstyle_cli_report_error (error);
  return SOUNDSTYLE_EXIT_OK;
}
