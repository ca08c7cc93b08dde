/* cmd-stylize.c: `soundstyle stylize`, one image restyled by one sound
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include <math.h>

#include "soundstyle-cli.h"

typedef struct
{
  char   *image;
  char   *audio;
  char   *keyword;
  char   *mix;
  char   *model;
  char   *device;
  char   *output;
  char   *mask;
  char   *aspect_name;
  AdisAspect aspect;
  double  gain;
  double  mix_weight;
  int     size;
} StylizeArgs;

static void
stylize_args_clear (StylizeArgs *args)
{
  g_clear_pointer (&args->image, g_free);
  g_clear_pointer (&args->audio, g_free);
  g_clear_pointer (&args->keyword, g_free);
  g_clear_pointer (&args->mix, g_free);
  g_clear_pointer (&args->model, g_free);
  g_clear_pointer (&args->device, g_free);
  g_clear_pointer (&args->output, g_free);
  g_clear_pointer (&args->mask, g_free);
  g_clear_pointer (&args->aspect_name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StylizeArgs, stylize_args_clear)

static gboolean
check_args (StylizeArgs  *args,
            AdisDevice   *out_device,
            GError      **error)
{
  if (args->image == NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no image given; pass --image FILE");
      return FALSE;
    }
  if (args->audio == NULL && args->keyword == NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no sound given; pass --audio FILE (or --keyword WORD for a keyword model)");
      return FALSE;
    }
  if (args->audio != NULL && args->keyword != NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--audio and --keyword cannot be used together");
      return FALSE;
    }
  if (args->keyword != NULL && args->mix != NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "--mix needs --audio: a keyword cannot be mixed");
      return FALSE;
    }

  /* Mixing without a weight means an even blend */
  if (isnan (args->mix_weight))
    args->mix_weight = args->mix != NULL ? 0.5 : 0.0;

  return soundstyle_cli_check_output_image (args->output, error) &&
         soundstyle_cli_check_gain (args->gain, error) &&
         soundstyle_cli_check_weight (args->mix_weight, args->mix != NULL, error) &&
         soundstyle_cli_check_size (args->size, error) &&
         adis_aspect_parse (args->aspect_name, &args->aspect, error) &&
         adis_device_parse (args->device, out_device, error);
}

static gboolean
stylize (StylizeArgs  *args,
         GError      **error)
{
  g_autoptr(AdisImage) image = NULL;
  g_autoptr(AdisSound) sound = NULL;
  g_autoptr(AdisSound) mix = NULL;
  g_autoptr(AdisModel) model = NULL;
  g_autoptr(AdisImageCode) image_code = NULL;
  g_autoptr(AdisSoundCode) sound_code = NULL;
  g_autoptr(AdisImage) styled = NULL;
  g_autoptr(AdisMask) mask = NULL;
  GCancellable *cancellable;
  AdisDevice device;

  /* Every input is read and checked before the model loads, so a mistake
   * shows in a moment and nothing is written */
  if (!check_args (args, &device, error))
    return FALSE;

  if ((image = soundstyle_cli_load_image (args->image, error)) == NULL)
    return FALSE;

  if (args->mask != NULL && (mask = soundstyle_cli_load_mask (args->mask, image, error)) == NULL)
    return FALSE;

  if (args->audio != NULL &&
      (sound = soundstyle_cli_load_sound (args->audio, error)) == NULL)
    return FALSE;

  if (args->mix != NULL &&
      (mix = soundstyle_cli_load_sound (args->mix, error)) == NULL)
    return FALSE;

  cancellable = soundstyle_cli_interrupt_cancellable ();

  if ((model = soundstyle_cli_load_model (args->model, device, error)) == NULL ||
      !soundstyle_cli_check_conditioning (model, args->keyword != NULL, error))
    return FALSE;

  if ((image_code = soundstyle_cli_encode_photo (model, image, args->aspect, args->size,
                                                 cancellable, error)) == NULL)
    return FALSE;

  if (args->keyword != NULL)
    sound_code = adis_model_encode_keyword (model, args->keyword, error);
  else
    sound_code = adis_model_encode_sound (model, sound, mix, (float) args->gain,
                                          (float) args->mix_weight, cancellable, error);
  if (sound_code == NULL)
    return FALSE;

  if ((styled = adis_model_decode (model, image_code, sound_code, cancellable, error)) == NULL)
    return FALSE;

  /* Outside the mask the original, resampled to the output's size */
  if (mask != NULL)
    {
      AdisImage *composite = adis_image_composite_masked (image, styled, mask);

      adis_image_unref (styled);
      styled = composite;
    }

  return adis_image_save (styled, args->output, error);
}

int
soundstyle_cmd_stylize (int    argc,
                        char **argv)
{
  g_auto(StylizeArgs) args = { .gain = 1.0, .mix_weight = NAN,
                              .size = SOUNDSTYLE_SIZE_UNSET };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &args.image, "The image to restyle (PNG, JPEG, …)", "FILE" },
    { "audio", 'a', 0, G_OPTION_ARG_FILENAME, &args.audio, "The sound whose style to apply (WAV, FLAC, OGG, MP3, …)", "FILE" },
    { "keyword", 'k', 0, G_OPTION_ARG_STRING, &args.keyword, "A category name instead of a sound, for a keyword model", "WORD" },
    { "gain", 'g', 0, G_OPTION_ARG_DOUBLE, &args.gain, "Loudness of the sound, 0 to 4 (default: 1)", "G" },
    { "mix", 0, 0, G_OPTION_ARG_FILENAME, &args.mix, "A second sound to blend with the first", "FILE" },
    { "mix-weight", 0, 0, G_OPTION_ARG_DOUBLE, &args.mix_weight, "Share of the second sound, 0 to 1 (default: 0.5)", "W" },
    { "size", 's', 0, G_OPTION_ARG_INT, &args.size, "Long side of the output in pixels; 0 keeps the image's (default: 512, or 256 for an imported avstyle model)", "N" },
    { "aspect", 0, 0, G_OPTION_ARG_STRING, &args.aspect_name, "squash or keep: a photo squashed to a square, or its aspect kept (default: squash for an imported avstyle model, as its own code does; keep otherwise)", "HOW" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &args.model, "Model file (default: $SOUNDSTYLE_MODEL or the installed one)", "FILE" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &args.device, "auto, cpu or cuda (default: auto)", "DEVICE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "Where to write the result (.png, .jpg)", "FILE" },
    { "mask", 0, 0, G_OPTION_ARG_FILENAME, &args.mask, "Restyle only where this greyscale image is white (black keeps the original, grey blends)", "MASK.png" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Restyle an image the way a sound suggests.");
  g_option_context_set_description (context,
    "The output is (re)written only once everything has worked. Its long side\n"
    "is --size, both sides rounded to a multiple of 4, keeping the aspect.\n"
    "With --mask, the original shows wherever the mask is black; a mask of\n"
    "another size than the image is scaled smoothly, with a note saying so.\n"
    "\n"
    "A model imported from avstyle's published checkpoints (import-checkpoint)\n"
    "was trained on peak-normalised clips and 256 x 256 squares: its sound is\n"
    "peak-normalised before --gain scales it, and by default the photo is\n"
    "squashed to 256 x 256 and so is the output, as avstyle's own code gives it.\n"
    "--aspect keep keeps the photo's aspect instead.\n"
    "\n"
    "Examples:\n"
    "  soundstyle stylize --image street.jpg --audio rain.wav --output wet-street.png\n"
    "  soundstyle stylize -i street.jpg -a rain.wav --gain 2 --size 1024 -o louder.png\n"
    "  soundstyle stylize -i street.jpg -a rain.wav --mix fire.wav --mix-weight 0.3 -o blend.png\n"
    "  soundstyle stylize -i street.jpg --keyword rain --model labels.safetensors -o rain.png\n"
    "  soundstyle stylize -i street.jpg -a rain.wav --mask sky.png -o rainy-sky.png\n"
    "  soundstyle stylize -i street.jpg -a rain.wav -m avstyle.safetensors --aspect keep -o rain.png\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc > 1)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "unexpected argument “%s”; see soundstyle stylize --help", argv[1]);
      return soundstyle_cli_report_error (error);
    }

  if (args.device == NULL)
    args.device = g_strdup ("auto");

  if (!stylize (&args, &error))
    return soundstyle_cli_report_error (error);

  return SOUNDSTYLE_EXIT_OK;
}
