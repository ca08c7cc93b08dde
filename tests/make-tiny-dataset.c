/* make-tiny-dataset.c: writes the tests' tiny image + tone dataset to a folder
 *
 * SPDX-License-Identifier: MIT
 *
 * Used by the README's main command until the bundled samples land: it gives
 * the command line something real to train on and restyle.
 */
#include "config.h"

#include <stdlib.h>

#include "test-util.h"

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  int n_items;
  int size;

  if (argc != 4)
    {
      g_printerr ("usage: %s DIR N_ITEMS SIZE\n", argv[0]);
      return 2;
    }

  n_items = atoi (argv[2]);
  size = atoi (argv[3]);
  if (n_items < 2 || size < 8)
    {
      g_printerr ("%s: need at least 2 items of at least 8 pixels\n", argv[0]);
      return 2;
    }

  g_mkdir_with_parents (argv[1], 0755);
  path = test_make_tiny_dataset (argv[1], n_items, size);
  g_print ("%s\n", path);
  return 0;
}
