/* soundstyle-cli.h: the `soundstyle` command, its subcommands and what they share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "adis.h"

G_BEGIN_DECLS

/* Exit statuses, the same for every subcommand */
#define SOUNDSTYLE_EXIT_OK         0
#define SOUNDSTYLE_EXIT_FAILURE    1   /* I/O, libtorch, anything not the caller's fault */
#define SOUNDSTYLE_EXIT_USAGE      2   /* bad options, bad input files, unusable model or device */
#define SOUNDSTYLE_EXIT_CANCELLED  130 /* SIGINT or SIGTERM */

int            soundstyle_cli_main          (int             argc,
                                             char          **argv);

/* Prints "soundstyle: MESSAGE" as one line on stderr and returns the exit
 * status the error stands for. */
int            soundstyle_cli_report_error  (const GError   *error);
/* A usage mistake in a subcommand's arguments: ADIS_ERROR_INVALID_INPUT
 * whose message ends "; see soundstyle COMMAND --help". Returns FALSE. */
gboolean       soundstyle_cli_usage_error   (GError        **error,
                                             const char     *command,
                                             const char     *format,
                                             ...) G_GNUC_PRINTF (3, 4);
int            soundstyle_cli_exit_status   (const GError   *error);
/* Collapses a message onto one line (libtorch's can span several); free with g_free */
char          *soundstyle_cli_one_line      (const char     *message);

/* Parses a subcommand's options. Unknown options and bad values come back as
 * G_OPTION_ERROR, which soundstyle_cli_exit_status maps to a usage error. */
gboolean       soundstyle_cli_parse         (GOptionContext *context,
                                             int            *argc,
                                             char         ***argv,
                                             GError        **error);

/* The one place where the model to use is decided: the given path, else
 * $SOUNDSTYLE_MODEL, else the installed default, else the source tree's. */
char          *soundstyle_cli_find_model    (const char     *given,
                                             GError        **error);

/* A cancellable that SIGINT and SIGTERM cancel. The handler only writes to a
 * pipe; a watcher thread does the cancelling, since GCancellable is not
 * async-signal-safe and the engine blocks the main loop while it works. A
 * second signal kills the process the usual way. */
GCancellable  *soundstyle_cli_interrupt_cancellable (void);
int            soundstyle_cli_interrupt_signal      (void);
/* After the first, further SIGINT/SIGTERM are ignored instead of killing */
void           soundstyle_cli_interrupt_repeatable  (void);

/* Input checks shared by the commands; each error says which file */
/* An output file: not a folder, in a folder that exists */
gboolean       soundstyle_cli_check_output_path  (const char *path,
                                                  GError    **error);
/* The same, for a .png, .jpg or .jpeg */
gboolean       soundstyle_cli_check_output_image (const char *path,
                                                  GError    **error);
gboolean       soundstyle_cli_check_gain         (double      gain,
                                                  GError    **error);
gboolean       soundstyle_cli_check_weight       (double      weight,
                                                  gboolean    have_mix,
                                                  GError    **error);
gboolean       soundstyle_cli_check_size         (int         size,
                                                  GError    **error);
/* --size when the user gave none: the model's own working size (the
 * 256 x 256 square of an imported avstyle model), else the default 512 */
#define SOUNDSTYLE_SIZE_UNSET    G_MININT
#define SOUNDSTYLE_DEFAULT_SIZE  512
/* Strict number parsing: the whole string, finite; error names what */
gboolean       soundstyle_cli_parse_double       (const char *text,
                                                  const char *what,
                                                  double     *out_value,
                                                  GError    **error);

/* Loaders that make sure the error names the file (stylize and batch) */
AdisImage     *soundstyle_cli_load_image    (const char     *path,
                                             GError        **error);
AdisSound     *soundstyle_cli_load_sound    (const char     *path,
                                             GError        **error);
/* A mask for image: read (the error names the file), and scaled to the
 * image's size with a note on stderr when its own size differs */
AdisMask      *soundstyle_cli_load_mask     (const char     *path,
                                             AdisImage      *image,
                                             GError        **error);
/* A photo fitted to the model (adis_model_fit_image: --aspect, and the
 * model's square for an unset size), then encoded (stylize and batch) */
AdisImageCode *soundstyle_cli_encode_photo  (AdisModel      *model,
                                             AdisImage      *image,
                                             AdisAspect      aspect,
                                             int             size,
                                             GCancellable   *cancellable,
                                             GError        **error);
/* soundstyle_cli_find_model, then adis_model_load */
AdisModel     *soundstyle_cli_load_model    (const char     *given,
                                             AdisDevice      device,
                                             GError        **error);
/* Checks that the way a job conditions the model (a sound or a keyword)
 * is the one the model was trained for */
gboolean       soundstyle_cli_check_conditioning (AdisModel *model,
                                                  gboolean   by_keyword,
                                                  GError   **error);

/* Subcommands: argv[0] is the subcommand's name */
int            soundstyle_cmd_stylize       (int argc, char **argv);
int            soundstyle_cmd_batch         (int argc, char **argv);
int            soundstyle_cmd_train         (int argc, char **argv);
int            soundstyle_cmd_info          (int argc, char **argv);
int            soundstyle_cmd_import        (int argc, char **argv);
int            soundstyle_cmd_prepare       (int argc, char **argv);
int            soundstyle_cmd_record        (int argc, char **argv);
int            soundstyle_cmd_devices       (int argc, char **argv);
int            soundstyle_cmd_eval          (int argc, char **argv);
int            soundstyle_cmd_synth         (int argc, char **argv);
int            soundstyle_cmd_bench         (int argc, char **argv);
int            soundstyle_cmd_video         (int argc, char **argv);
int            soundstyle_cmd_showcase      (int argc, char **argv);

G_END_DECLS
