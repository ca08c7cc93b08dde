/* distributed-test-util.h: what the two programs that train under torchrun
 * share (test-distributed.c: one step against one process's;
 * test-distributed-jobs.c: whole jobs resumed, killed, restarted,
 * interrupted, on two launchers)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#define BATCH "4"

/* Made by distributed_test_setup: a scratch folder, a tiny data set of 8
 * items in it, and torchrun (NULL without python3-torch) */
extern char *tmpdir;
extern char *dataset_path;
extern char *torchrun;

void distributed_test_setup (const char *name);
void distributed_test_teardown (void);

/* Skips the test when torchrun is not installed */
gboolean have_torchrun (void);

/* A port nobody listens on now (the launchers bind it a moment later) */
int free_port (void);

/* Each job's processes carry a tag in their environment, so that the test
 * can find its own ranks among the machine's processes */
GSubprocess *spawn (const char * const *argv,
                    const char         *tag,
                    const char         *stdout_path,
                    const char         *stderr_path);

/* Appends the NULL-terminated strings to argv */
void add_args (GPtrArray *argv,
               ...) G_GNUC_NULL_TERMINATED;

/* argv's strings, NULL-terminated */
const char * const *argv_of (GPtrArray *argv);

/* The process's exit status once it has ended, -1 if a signal ended it */
int wait_status (GSubprocess *process);

/* The file's text as a test message */
void show_file (const char *what,
                const char *path);

/* Runs a job to its end, its output in DIR/NAME.out and .err; returns its
 * exit status */
int run_job (GPtrArray  *argv,
             const char *dir,
             const char *name);
