/* cli-test-util.h: what test-cli.c and test-cli-usage.c share: their
 * fixture, and running the soundstyle command as a user would
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct
{
  char *dir;
  char *dataset;
  char *image;        /* 96x64 */
  char *image2;       /* 80x80 */
  char *wav;
  char *wav2;
  char *model;
  char *samples;
  char *train_json;   /* the shared model's training, as --json told it */
  gboolean tried_training;
} CliFixture;

/* Made by cli_fixture_setup: two images and two sounds, a tiny data set,
 * the paths of the model test-cli.c trains once and of its samples */
extern CliFixture fixture;

void cli_fixture_setup (const char *name);
void cli_fixture_teardown (void);

/* A launcher without the developer's SOUNDSTYLE_MODEL, in C.UTF-8 */
GSubprocessLauncher *new_launcher (GSubprocessFlags flags);

/* The exit status, or 128 + the signal that ended the process */
int exit_status_of (GSubprocess *process);

/* Runs soundstyle with the NULL-terminated arguments (and env_name set to
 * env_value, unless NULL); returns its exit status, its output in
 * out_stdout and out_stderr when not NULL */
int run_with_env (const char  *env_name,
                  const char  *env_value,
                  char       **out_stdout,
                  char       **out_stderr,
                  const char  *first,
                  ...);

#define run(out, err, ...) run_with_env (NULL, NULL, out, err, __VA_ARGS__, NULL)

/* Bad input: status 2 and exactly one "soundstyle: ..." line on stderr */
/* err is passed by address: it is filled by the run in the same call */
void assert_usage_error (int          status,
                         char *const *err_ptr,
                         const char  *must_mention);

void assert_folder_empty (const char *path);

/* The --json lines of a run, every one an object with an "event" */
GPtrArray *parse_json_lines (const char *text);
const char *event_name (JsonObject *event);
/* The first event called name, or NULL */
JsonObject *find_event (GPtrArray  *events,
                        const char *name);

void write_file (const char *path,
                 const void *data,
                 gsize       length);
