/* switchbench: the command line. `list`, `run` (the matrix), `plot`,
 * `report`, `compare`, `merge` and `serve`; `cell` is the hidden subcommand the
 * matrix runs each cell with; `--version`. Each command parses its
 * arguments with getopt_long from its own option table (face_cli.h). Bad
 * input: one line naming it, exit 2. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "face.h"
#include "face_cli.h"
#include "harness.h"
#include "serve.h"
#include "version.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: switchbench COMMAND [ARGS]\n"
          "  --version                 the version and the commit\n"
          "  list                      runtimes, workloads, baselines, peers\n"
          "  run [--quick] [--runtime R,...] [--workload W,...]\n"
          "      [--workers N,...] [--pin none|compact|spread]\n"
          "      [--repetitions N] [--min-time S] [--param NAME=VALUE]\n"
          "      [--out FILE]\n"
          "      [--resume FILE [--retry-failed]] [--timeout SECONDS]\n"
          "      [--peers|--no-peers]\n"
          "      [--no-plots]          run the matrix (default: everything)\n"
          "  plot RESULTS.json [--out DIR]\n"
          "  report RESULTS.json [--out FILE.md] [--p99-objective US]\n"
          "                            the Markdown report and FILE.html beside it\n"
          "  compare A.json B.json [--fail-above R]\n"
          "  merge A.json B.json ... [--out NAME]   the fleet report\n"
          "  serve echo|http --runtime R [--port P] [--bind ADDR] "
          "[--workers N]\n");
}

static void list(void) {
  printf("runtimes:\n");
  for (const sb_runtime_ops *const *r = sb_runtimes; *r != NULL; r++)
    printf("  %-14s %s\n", (*r)->name,
           (*r)->summary != NULL ? (*r)->summary : "");
  printf("workloads:\n");
  for (const sb_workload *const *w = sb_workloads; *w != NULL; w++)
    printf("  %-14s %s\n", (*w)->name,
           (*w)->question != NULL ? (*w)->question : "");
  printf("baselines (--workload floor):\n");
  for (const sb_floor_cell *f = sb__floor_cells; f->name != NULL; f++)
    printf("  %-28s %s\n", f->name, f->question);
  printf("peers:\n");
  char why[1024];
  sb__peers_discover(10, why, sizeof why);
  for (int i = 0; i < SB_MAX_PEERS; i++) {
    const sb_peer *p = &sb__peers[i];
    if (!p->present) {
      printf("  %-14s not built (%s)\n", p->lang, p->path);
      continue;
    }
    printf("  %-14s", p->lang);
    /* Each runtime once, in the order the peer lists them. */
    for (int k = 0; k < p->npairs; k++) {
      int seen = 0;
      for (int j = 0; j < k; j++)
        seen |= strcmp(p->pairs[j].runtime, p->pairs[k].runtime) == 0;
      if (!seen)
        printf(" %s", p->pairs[k].runtime);
    }
    printf("\n");
  }
}

/* `switchbench list`: no options, no arguments. */
static int cmd_list(int argc, char **argv) {
  static const struct option longopts[] = {{NULL, 0, NULL, 0}};
  int ch;
  sb__cli_start();
  if ((ch = getopt_long(argc, argv, SB_CLI_SHORT, longopts, NULL)) != -1)
    return sb__cli_bad("list", ch, argv);
  if (optind != argc) {
    fprintf(stderr, "switchbench: list takes no arguments\n");
    return 2;
  }
  list();
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "switchbench: no command (try switchbench help)\n");
    return 2;
  }
  const char *cmd = argv[1];
  /* `switchbench COMMAND --help`: the usage, on stdout, exit 0 (not for
   * the internal `cell`, whose arguments the harness writes, nor `serve`,
   * which has a help of its own). */
  int own_help = strcmp(cmd, "cell") == 0 || strcmp(cmd, "serve") == 0;
  for (int i = 2; i < argc && !own_help; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  if (strcmp(cmd, "list") == 0)
    return cmd_list(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0)
    return sb__cmd_run(argc - 1, argv + 1, argc, argv);
  if (strcmp(cmd, "cell") == 0)
    return sb__cell_main(argc - 1, argv + 1);
  if (strcmp(cmd, "plot") == 0)
    return sb_cmd_plot(argc - 1, argv + 1);
  if (strcmp(cmd, "report") == 0)
    return sb_cmd_report(argc - 1, argv + 1);
  if (strcmp(cmd, "compare") == 0)
    return sb_cmd_compare(argc - 1, argv + 1);
  if (strcmp(cmd, "merge") == 0)
    return sb_cmd_merge(argc - 1, argv + 1);
  if (strcmp(cmd, "serve") == 0)
    return sb_cmd_serve(argc - 1, argv + 1);
  if (strcmp(cmd, "--version") == 0 && argc == 2) {
    printf("switchbench %s (commit %s)\n", sb_version(), sb_version_commit());
    return 0;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
      strcmp(cmd, "-h") == 0) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "switchbench: unknown command '%s' (try switchbench help)\n",
          cmd);
  return 2;
}
