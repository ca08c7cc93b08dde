/* distributed-test-util.c: the scratch folder, the tiny data set and
 * launching a job for test-distributed.c and test-distributed-jobs.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "test-util.h"
#include "distributed-test-util.h"

#define ITEMS 8

char *tmpdir;
char *dataset_path;
char *torchrun;

void
distributed_test_setup (const char *name)
{
  tmpdir = test_make_tmpdir (name);
  dataset_path = test_make_tiny_dataset (tmpdir, ITEMS, 32);
  torchrun = g_find_program_in_path ("torchrun");
}

void
distributed_test_teardown (void)
{
  test_rm_rf (tmpdir);
  g_free (tmpdir);
  g_free (dataset_path);
  g_free (torchrun);
}

gboolean
have_torchrun (void)
{
  if (torchrun == NULL)
    {
      g_test_skip ("torchrun (python3-torch) is not installed");
      return FALSE;
    }
  return TRUE;
}

int
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

GSubprocess *
spawn (const char * const *argv,
       const char         *tag,
       const char         *stdout_path,
       const char         *stderr_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_unsetenv (launcher, "SOUNDSTYLE_MODEL");
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* N ranks × 1 thread on this 2-core machine */
  g_subprocess_launcher_setenv (launcher, "OMP_NUM_THREADS", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "SOUNDSTYLE_TEST_TAG", tag, TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, stdout_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

void
add_args (GPtrArray *argv,
          ...)
{
  va_list args;
  const char *arg;

  va_start (args, argv);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
}

const char * const *
argv_of (GPtrArray *argv)
{
  if (argv->len == 0 || argv->pdata[argv->len - 1] != NULL)
    g_ptr_array_add (argv, NULL);
  return (const char * const *) argv->pdata;
}

int
wait_status (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

void
show_file (const char *what,
           const char *path)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    g_test_message ("%s:\n%s", what, text);
}

/* Runs a job to its end; returns its exit status */
int
run_job (GPtrArray  *argv,
         const char *dir,
         const char *name)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.out", dir, name);
  g_autofree char *err = g_strdup_printf ("%s/%s.err", dir, name);
  g_autoptr(GSubprocess) job = spawn (argv_of (argv), name, out, err);
  int status = wait_status (job);

  if (status != 0)
    show_file ("stderr", err);
  return status;
}
