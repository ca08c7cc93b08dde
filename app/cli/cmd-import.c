/* cmd-import.c: `soundstyle import-checkpoint`, the reference's weights as a model file
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"

#include "config.h"

#include "soundstyle-cli.h"

static gboolean
check_input (const char  *option,
             const char  *path,
             GError     **error)
{
  if (path == NULL)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "no %s given; see soundstyle import-checkpoint --help", option);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "%s “%s” does not exist or is not a file", option, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_output (const char  *path,
              GError     **error)
{
  if (path == NULL)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no --output given; see soundstyle import-checkpoint --help");
      return FALSE;
    }
  return soundstyle_cli_check_output_path (path, error);
}

int
soundstyle_cmd_import (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *generator = NULL;
  g_autofree char *audio = NULL;
  g_autofree char *preset = NULL;
  g_autofree char *output = NULL;
  gboolean half = FALSE;
  AdisConfig config = { 0 };
  gboolean ok;
  const GOptionEntry entries[] = {
    { "generator", 0, 0, G_OPTION_ARG_FILENAME, &generator, "The generator's state dict, latest_net_G.pth", "G.pth" },
    { "audio", 0, 0, G_OPTION_ARG_FILENAME, &audio, "The audio network's state dict, latest_net_Audio.pth", "AUDIO.pth" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "The shape the weights have: paper, desktop, compact or tiny (default: paper)", "NAME" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "The model file to write (.safetensors)", "MODEL" },
    { "half", 0, 0, G_OPTION_ARG_NONE, &half, "Store the weights in 16-bit floats (half the size)", NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Convert the PyTorch weights of the paper's published implementation,\n"
    "avstyle (a generator and an audio network saved with torch.save), into a\n"
    "Soundstyle model file.");
  g_option_context_set_description (context,
    "Where the weights come from: the README of https://github.com/Tinglok/avstyle\n"
    "links avstyle's pre-trained models (Into the Wild, The Greatest Hits), and\n"
    "its training writes them to checkpoints/NAME/. Each model is two files,\n"
    "latest_net_G.pth (the generator) and latest_net_Audio.pth (the audio\n"
    "network); --preset paper (the default) is their shape.\n"
    "\n"
    "Both namings of the generator are read: the published code's (model_down.N,\n"
    "model_up.M) and CUT's flat one (model.N), which older downloads may use; the\n"
    "audio network by the published code's names (AudioInconv, AudioLayer1-4,\n"
    "proj) or torchvision's (conv1, layer1-4, fc). Every tensor's name and shape\n"
    "is checked against the preset; an error names the naming it expected and\n"
    "the first tensor missing or extra. The audio network's STFT kernels\n"
    "(stft.wsin, stft.wcos) must compute Soundstyle's own STFT; they are checked,\n"
    "not stored. Nothing is written unless everything matches.\n"
    "\n"
    "avstyle was trained on clips peak-normalised to 1 / (1.1 max|wav|) and runs\n"
    "on photos squashed to 256 x 256. The model file records that (see\n"
    "soundstyle info), and stylize, batch, video and the window then\n"
    "peak-normalise each sound before its gain; stylize and batch squash photos\n"
    "unless --aspect keep.\n"
    "\n"
    "The .pth files are Python pickles. libtorch's unpickler reads them and runs\n"
    "no Python code, but a pickle is not a format made for untrusted files:\n"
    "import only checkpoints from a source you trust. This command is the only\n"
    "place Soundstyle reads pickles; everything else reads .safetensors model\n"
    "files, whose every offset and size is checked.\n"
    "\n"
    "Examples:\n"
    "  soundstyle import-checkpoint --generator checkpoints/hiking/latest_net_G.pth \\\n"
    "      --audio checkpoints/hiking/latest_net_Audio.pth --output hiking.safetensors\n"
    "  soundstyle import-checkpoint --generator latest_net_G.pth \\\n"
    "      --audio latest_net_Audio.pth --half -o hiking-f16.safetensors\n");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!soundstyle_cli_parse (context, &argc, &argv, &error))
    return soundstyle_cli_report_error (error);

  if (argc > 1)
    {
      g_set_error (&error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "unexpected argument “%s”; see soundstyle import-checkpoint --help", argv[1]);
      return soundstyle_cli_report_error (error);
    }

  if (!check_input ("--generator", generator, &error) ||
      !check_input ("--audio", audio, &error) ||
      !check_output (output, &error) ||
      !adis_config_init_preset (&config, preset ? preset : "paper", &error))
    return soundstyle_cli_report_error (error);

  g_print ("Reading PyTorch pickles %s and %s (import only checkpoints you trust)\n",
           generator, audio);
  ok = adis_import_checkpoint (generator, audio, &config, output, half, &error);
  adis_config_clear (&config);
  if (!ok)
    return soundstyle_cli_report_error (error);

  g_printerr ("Wrote %s\n", output);
  return SOUNDSTYLE_EXIT_OK;
}
