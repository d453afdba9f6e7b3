/* The command line's shared part (face_cli.h): resetting getopt_long
 * between commands and saying what it refused. */
#include "face_cli.h"

#include <stdio.h>

void sb__cli_start(void) {
  /* 0, not 1: glibc then re-reads its state (argv differs per call). */
  optind = 0;
  opterr = 0;
}

int sb__cli_bad(const char *cmd, int ch, char **argv) {
  /* getopt_long has moved past the option it refused. */
  const char *arg = optind > 0 ? argv[optind - 1] : "";
  if (ch == ':')
    fprintf(stderr, "switchbench: %s: option '%s' needs a value\n", cmd, arg);
  else if (optopt != 0)
    fprintf(stderr, "switchbench: %s: unknown option '-%c'\n", cmd, optopt);
  else
    fprintf(stderr,
            "switchbench: %s: unknown option '%s' (try switchbench help)\n",
            cmd, arg);
  return 2;
}
