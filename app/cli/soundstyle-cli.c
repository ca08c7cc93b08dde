/* soundstyle-cli.c: dispatch to the subcommands, and what they share
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "soundstyle"
/* sigaction's SA_RESTART and SA_RESETHAND are XSI */
#define _XOPEN_SOURCE 700

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "soundstyle-audio-io.h"
#include "soundstyle-cli.h"
#include "soundstyle-find-model.h"

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "stylize",           "Restyle an image the way a sound suggests",        soundstyle_cmd_stylize },
  { "batch",             "Run many stylize jobs from a TSV file, one model load", soundstyle_cmd_batch },
  { "prepare",           "Cut videos into clips: a dataset for training",   soundstyle_cmd_prepare },
  { "train",             "Train a model on a folder of images and clips",   soundstyle_cmd_train },
  { "info",              "Describe a model file",                            soundstyle_cmd_info },
  { "import-checkpoint", "Convert the reference implementation's weights",  soundstyle_cmd_import },
  { "record",            "Record a clip from the microphone into a WAV file", soundstyle_cmd_record },
  { "devices",           "List the audio devices record can use",          soundstyle_cmd_devices },
  { "eval",              "Measure a model on a data set's held-out clips",   soundstyle_cmd_eval },
  { "synth",             "Make a data set whose ground truth is known (weather on photos)", soundstyle_cmd_synth },
  { "bench",             "Time stylizing, sliders and training on this machine (JSON)", soundstyle_cmd_bench },
  { "video",             "Restyle a video by its own (edited) soundtrack",   soundstyle_cmd_video },
  { "showcase",          "Draw one sheet of what a model does to the sample photos and sounds", soundstyle_cmd_showcase },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage:\n"
           "  soundstyle COMMAND [OPTION…]\n"
           "  soundstyle --version\n"
           "\n"
           "Learned visual styles from sound: restyle an image by what a clip sounds like.\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-19s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream,
           "\n"
           "Run “soundstyle COMMAND --help” for a command's options and examples.\n");
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static int
run_command (const Command  *command,
             int             argc,
             char          **argv)
{
  g_autofree char *prgname = g_strdup_printf ("soundstyle %s", command->name);

  /* GOptionContext prints the program name in its usage line */
  g_set_prgname (prgname);
  return command->run (argc, argv);
}

int
soundstyle_cli_main (int    argc,
                     char **argv)
{
  const Command *command;
  const char *first;

  setlocale (LC_ALL, "");
  /* Past a file-size limit (ulimit -f), write() should fail with EFBIG and
   * be reported like a full disk, not kill the process mid-file */
  signal (SIGXFSZ, SIG_IGN);

  if (argc < 2)
    {
      print_usage (stderr);
      return SOUNDSTYLE_EXIT_USAGE;
    }

  first = argv[1];

  if (g_str_equal (first, "--help") || g_str_equal (first, "-h") || g_str_equal (first, "-?"))
    {
      print_usage (stdout);
      return SOUNDSTYLE_EXIT_OK;
    }

  if (g_str_equal (first, "--version") || g_str_equal (first, "-V"))
    {
      g_print ("soundstyle %s (libtorch, cuda: %s)\n",
               adis_version (), adis_cuda_available () ? "yes" : "no");
      return SOUNDSTYLE_EXIT_OK;
    }

  /* "soundstyle help train" is "soundstyle train --help" */
  if (g_str_equal (first, "help"))
    {
      char *help_argv[] = { NULL, (char *) "--help", NULL };

      if (argc < 3)
        {
          print_usage (stdout);
          return SOUNDSTYLE_EXIT_OK;
        }
      if ((command = find_command (argv[2])) == NULL)
        {
          g_printerr ("soundstyle: unknown command “%s”; see soundstyle --help\n", argv[2]);
          return SOUNDSTYLE_EXIT_USAGE;
        }
      help_argv[0] = (char *) command->name;
      return run_command (command, 2, help_argv);
    }

  if (first[0] == '-')
    {
      g_printerr ("soundstyle: unknown option “%s”; see soundstyle --help\n", first);
      return SOUNDSTYLE_EXIT_USAGE;
    }

  if ((command = find_command (first)) == NULL)
    {
      g_printerr ("soundstyle: unknown command “%s”; see soundstyle --help\n", first);
      return SOUNDSTYLE_EXIT_USAGE;
    }

  return run_command (command, argc - 1, argv + 1);
}

/* --- errors --------------------------------------------------------------- */

char *
soundstyle_cli_one_line (const char *message)
{
  GString *line = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = message ? message : ""; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          pending_space = line->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (line, ' ');
      pending_space = FALSE;
      g_string_append_c (line, *p);
    }

  return g_string_free (line, FALSE);
}

int
soundstyle_cli_exit_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, SOUNDSTYLE_EXIT_FAILURE);

  if (error->domain == ADIS_ERROR)
    {
      switch ((AdisError) error->code)
        {
        case ADIS_ERROR_INVALID_INPUT:
        case ADIS_ERROR_MODEL_FILE:
        case ADIS_ERROR_DEVICE:
          return SOUNDSTYLE_EXIT_USAGE;
        case ADIS_ERROR_CANCELLED:
          return SOUNDSTYLE_EXIT_CANCELLED;
        case ADIS_ERROR_IO:
        case ADIS_ERROR_FAILED:
        default:
          return SOUNDSTYLE_EXIT_FAILURE;
        }
    }

  if (error->domain == G_OPTION_ERROR)
    return SOUNDSTYLE_EXIT_USAGE;

  /* No device, a busy one or too short a take is the caller's to fix */
  if (error->domain == SOUNDSTYLE_AUDIO_ERROR)
    return error->code == SOUNDSTYLE_AUDIO_ERROR_FAILED ? SOUNDSTYLE_EXIT_FAILURE
                                                        : SOUNDSTYLE_EXIT_USAGE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return SOUNDSTYLE_EXIT_CANCELLED;

  return SOUNDSTYLE_EXIT_FAILURE;
}

gboolean
soundstyle_cli_usage_error (GError     **error,
                            const char  *command,
                            const char  *format,
                            ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "%s; see soundstyle %s --help", message, command);
  return FALSE;
}

int
soundstyle_cli_report_error (const GError *error)
{
  g_autofree char *line = NULL;

  g_return_val_if_fail (error != NULL, SOUNDSTYLE_EXIT_FAILURE);

  line = soundstyle_cli_one_line (error->message);
  g_printerr ("soundstyle: %s\n", line);

  return soundstyle_cli_exit_status (error);
}

gboolean
soundstyle_cli_parse (GOptionContext   *context,
                      int              *argc,
                      char           ***argv,
                      GError          **error)
{
  g_return_val_if_fail (context != NULL, FALSE);

  if (!g_option_context_parse (context, argc, argv, error))
    {
      /* GOption's own words, and where to look for the right ones */
      if (error != NULL && *error != NULL)
        {
          char *message = g_strdup_printf ("%s; see %s --help", (*error)->message, g_get_prgname ());

          g_free ((*error)->message);
          (*error)->message = message;
        }
      return FALSE;
    }

  return TRUE;
}

/* --- the default model ---------------------------------------------------- */

/* The lookup itself is shared with the window (app/common) */
char *
soundstyle_cli_find_model (const char  *given,
                           GError     **error)
{
  return soundstyle_find_model (given, error);
}

/* --- interruption --------------------------------------------------------- */

static int interrupt_pipe[2] = { -1, -1 };
static volatile sig_atomic_t interrupt_signo;
static GCancellable *interrupt_cancellable;

static void
on_interrupt_signal (int signo)
{
  int saved_errno = errno;
  char byte = 1;
  ssize_t ignored;

  interrupt_signo = signo;
  ignored = write (interrupt_pipe[1], &byte, 1);
  (void) ignored;
  errno = saved_errno;
}

static gpointer
watch_interrupts (gpointer data)
{
  GCancellable *cancellable = data;
  char byte;
  ssize_t n;

  do
    n = read (interrupt_pipe[0], &byte, 1);
  while (n < 0 && errno == EINTR);

  if (n == 1)
    g_cancellable_cancel (cancellable);

  return NULL;
}

GCancellable *
soundstyle_cli_interrupt_cancellable (void)
{
  struct sigaction action;
  GThread *thread;

  if (interrupt_cancellable != NULL)
    return interrupt_cancellable;

  interrupt_cancellable = g_cancellable_new ();

  if (!g_unix_open_pipe (interrupt_pipe, FD_CLOEXEC, NULL))
    {
      g_warning ("Cannot watch for Ctrl-C: %s", g_strerror (errno));
      return interrupt_cancellable;
    }

  thread = g_thread_new ("soundstyle-interrupt", watch_interrupts, interrupt_cancellable);
  g_thread_unref (thread);

  memset (&action, 0, sizeof action);
  action.sa_handler = on_interrupt_signal;
  sigemptyset (&action.sa_mask);
  /* The first signal asks for a clean stop; a second one, with the default
   * disposition back in place, ends the process at once */
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);

  return interrupt_cancellable;
}

/* Under a launcher (torchrun) in the same process group, Ctrl-C reaches a
 * rank twice: from the terminal and from the launcher passing it on. The
 * second must not kill the rank before its checkpoint; the launcher's own
 * deadline (SIGKILL after 30 s) still bounds the stop. */
void
soundstyle_cli_interrupt_repeatable (void)
{
  struct sigaction action;

  soundstyle_cli_interrupt_cancellable ();
  memset (&action, 0, sizeof action);
  action.sa_handler = on_interrupt_signal;
  sigemptyset (&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
}

int
soundstyle_cli_interrupt_signal (void)
{
  return interrupt_signo;
}

/* --- input checks --------------------------------------------------------- */

gboolean
soundstyle_cli_parse_double (const char  *text,
                             const char  *what,
                             double      *out_value,
                             GError     **error)
{
  char *end = NULL;
  double value;

  g_return_val_if_fail (what != NULL && out_value != NULL, FALSE);

  if (text == NULL || text[0] == '\0' || g_ascii_isspace (text[0]))
    goto bad;

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite (value))
    goto bad;

  *out_value = value;
  return TRUE;

bad:
  g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
               "%s “%s” is not a number", what, text ? text : "");
  return FALSE;
}

gboolean
soundstyle_cli_check_output_path (const char  *path,
                                  GError     **error)
{
  g_autofree char *folder = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "output “%s” is a folder", path);
      return FALSE;
    }

  folder = g_path_get_dirname (path);
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "folder “%s” for output “%s” does not exist", folder, path);
      return FALSE;
    }

  return TRUE;
}

gboolean
soundstyle_cli_check_output_image (const char  *path,
                                   GError     **error)
{
  g_autofree char *lower = NULL;

  if (path == NULL || path[0] == '\0')
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "no output given; pass --output FILE.png");
      return FALSE;
    }

  lower = g_ascii_strdown (path, -1);
  if (!g_str_has_suffix (lower, ".png") && !g_str_has_suffix (lower, ".jpg") &&
      !g_str_has_suffix (lower, ".jpeg"))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "output “%s” must end in .png, .jpg or .jpeg", path);
      return FALSE;
    }

  return soundstyle_cli_check_output_path (path, error);
}

gboolean
soundstyle_cli_check_gain (double   gain,
                           GError **error)
{
  if (!(gain >= 0.0 && gain <= ADIS_MAX_GAIN))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "gain %g is out of range: use 0 to %g", gain, (double) ADIS_MAX_GAIN);
      return FALSE;
    }
  return TRUE;
}

gboolean
soundstyle_cli_check_weight (double    weight,
                             gboolean  have_mix,
                             GError  **error)
{
  if (!(weight >= 0.0 && weight <= 1.0))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "mix weight %g is out of range: use 0 to 1", weight);
      return FALSE;
    }
  if (!have_mix && weight != 0.0)
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "mix weight %g given without a second sound to mix in", weight);
      return FALSE;
    }
  return TRUE;
}

gboolean
soundstyle_cli_check_size (int      size,
                           GError **error)
{
  /* 0 keeps the image's own size; below 16 pixels nothing is left to restyle */
  if (size != 0 && size != SOUNDSTYLE_SIZE_UNSET && (size < 16 || size > ADIS_IMAGE_MAX_SIDE))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "size %d is out of range: use 16 to %d, or 0 for the image's own size",
                   size, ADIS_IMAGE_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

/* --- loading -------------------------------------------------------------- */

AdisImageCode *
soundstyle_cli_encode_photo (AdisModel     *model,
                             AdisImage     *image,
                             AdisAspect     aspect,
                             int            size,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(AdisImage) fitted = NULL;

  if (size == SOUNDSTYLE_SIZE_UNSET)
    size = adis_model_default_long_side (model, SOUNDSTYLE_DEFAULT_SIZE);
  fitted = adis_model_fit_image (model, image, aspect, &size);
  return adis_model_encode_image (model, fitted, size, cancellable, error);
}

/* The engine's messages usually name the file already; when one does not,
 * the path goes in front so the user knows which input was wrong */
static void
name_file_in_error (GError     **error,
                    const char  *path)
{
  if (error != NULL && *error != NULL && strstr ((*error)->message, path) == NULL)
    g_prefix_error (error, "%s: ", path);
}

AdisImage *
soundstyle_cli_load_image (const char  *path,
                           GError     **error)
{
  AdisImage *image;

  g_return_val_if_fail (path != NULL, NULL);

  if ((image = adis_image_load (path, error)) == NULL)
    name_file_in_error (error, path);

  return image;
}

AdisMask *
soundstyle_cli_load_mask (const char  *path,
                          AdisImage   *image,
                          GError     **error)
{
  g_autoptr(AdisMask) mask = NULL;
  int width, height;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (image != NULL, NULL);

  if ((mask = adis_mask_load (path, error)) == NULL)
    {
      name_file_in_error (error, path);
      return NULL;
    }

  width = adis_image_get_width (image);
  height = adis_image_get_height (image);
  if (adis_mask_get_width (mask) == width && adis_mask_get_height (mask) == height)
    return g_steal_pointer (&mask);

  /* Usable, but perhaps not what was meant: say so, and go on */
  g_printerr ("soundstyle: note: mask “%s” is %d×%d, the image %d×%d: scaled to fit\n",
              path, adis_mask_get_width (mask), adis_mask_get_height (mask), width, height);
  return adis_mask_resize (mask, width, height);
}

AdisSound *
soundstyle_cli_load_sound (const char  *path,
                           GError     **error)
{
  AdisSound *sound;

  g_return_val_if_fail (path != NULL, NULL);

  if ((sound = adis_sound_load (path, error)) == NULL)
    name_file_in_error (error, path);

  return sound;
}

AdisModel *
soundstyle_cli_load_model (const char  *given,
                           AdisDevice   device,
                           GError     **error)
{
  g_autofree char *path = NULL;
  AdisModel *model;

  if ((path = soundstyle_cli_find_model (given, error)) == NULL)
    return NULL;

  /* A mistyped --model is the caller's mistake, not an I/O failure */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "model “%s” does not exist or is not a file", path);
      return NULL;
    }

  if ((model = adis_model_load (path, device, error)) == NULL)
    name_file_in_error (error, path);

  return model;
}

gboolean
soundstyle_cli_check_conditioning (AdisModel  *model,
                                   gboolean    by_keyword,
                                   GError    **error)
{
  const AdisConfig *config;

  g_return_val_if_fail (model != NULL, FALSE);

  config = adis_model_get_config (model);

  if (config->conditioning == ADIS_CONDITIONING_KEYWORD && !by_keyword)
    {
      g_autofree char *words = config->keywords ? g_strjoinv (", ", config->keywords) : g_strdup ("");

      g_set_error (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                   "this model is conditioned on keywords (%s), not sounds; pass --keyword WORD",
                   words);
      return FALSE;
    }

  if (config->conditioning == ADIS_CONDITIONING_AUDIO && by_keyword)
    {
      g_set_error_literal (error, ADIS_ERROR, ADIS_ERROR_INVALID_INPUT,
                           "this model is conditioned on sounds, not keywords; pass --audio FILE");
      return FALSE;
    }

  return TRUE;
}
