/* The command line's shared part (face_cli.h): resetting getopt_long
 * between commands, saying what it refused, and the one command line plot
 * and report both take. */
#include "face_cli.h"

#include <stdio.h>
#include <stdlib.h>

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

int sb__cli_results_out(const char *cmd, const char *out_what, int argc,
                        char **argv, const char **path, const char **out,
                        double *objective_ns) {
  static const struct option longopts[] = {
      {"out", required_argument, NULL, 'o'},
      {"p99-objective", required_argument, NULL, 'p'},
      {NULL, 0, NULL, 0}};
  int ch;
  *path = *out = NULL;
  sb__cli_start();
  while ((ch = getopt_long(argc, argv, SB_CLI_SHORT, longopts, NULL)) != -1) {
    if (ch == 'p' && objective_ns != NULL) {
      char *end = NULL;
      double us = strtod(optarg, &end);
      if (end == optarg || *end != '\0' || !(us > 0 && us < 1e12)) {
        fprintf(stderr,
                "switchbench: %s: bad --p99-objective '%s' (want µs > 0)\n",
                cmd, optarg);
        return 2;
      }
      *objective_ns = us * 1e3;
      continue;
    }
    if (ch == 'p') {
      fprintf(stderr, "switchbench: %s: unknown option '--p99-objective'\n",
              cmd);
      return 2;
    }
    if (ch != 'o')
      return sb__cli_bad(cmd, ch, argv);
    *out = optarg;
  }
  if (optind == argc - 1)
    *path = argv[optind];
  if (*path == NULL || (*out != NULL && (*out)[0] == '\0')) {
    fprintf(stderr, "usage: switchbench %s RESULTS.json [--out %s]%s\n", cmd,
            out_what, objective_ns ? " [--p99-objective US]" : "");
    return 2;
  }
  return 0;
}
