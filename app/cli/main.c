/* main.c: the soundstyle command; everything else is in the static library
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "soundstyle-cli.h"

int
main (int    argc,
      char **argv)
{
  return soundstyle_cli_main (argc, argv);
}
