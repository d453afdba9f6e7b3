/* `switchbench merge A.json B.json ... [--out NAME]`: the fleet document
 * from the results of many machines: NAME.md, NAME.json and the pictures
 * in NAME-plots/ (default NAME: fleet). A file that is not a results file
 * is named in one line, exit 2. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "face_cli.h"
#include "merge.h"

static int usage(void) {
  fprintf(stderr, "usage: switchbench merge A.json B.json ... [--out NAME]\n");
  return 2;
}

/* Parses argv: the files stay in argv[optind..argc). Returns 0 or 2. */
static int parse_args(int argc, char **argv, const char **out) {
  static const struct option longopts[] = {
      {"out", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
  int ch;
  *out = "fleet";
  sb__cli_start();
  while ((ch = getopt_long(argc, argv, SB_CLI_SHORT, longopts, NULL)) != -1) {
    if (ch != 'o')
      return sb__cli_bad("merge", ch, argv);
    *out = optarg;
  }
  if (argc - optind < 1)
    return usage();
  if (argc - optind > SB_MERGE_MAX) {
    fprintf(stderr, "switchbench: merge takes at most %d files, got %d\n",
            SB_MERGE_MAX, argc - optind);
    return 2;
  }
  if ((*out)[0] == '\0') {
    fprintf(stderr, "switchbench: --out takes a non-empty name\n");
    return 2;
  }
  return 0;
}

/* Writes name.md with the plots in name-plots/ (relative to it). Returns
 * 0 or 1 after a line on stderr. */
static int write_md(const sb_fleet *f, const char *name) {
  char path[PATH_MAX], dir[PATH_MAX], copy[PATH_MAX], rel[PATH_MAX];
  snprintf(path, sizeof path, "%s.md", name);
  snprintf(dir, sizeof dir, "%s-plots", name);
  snprintf(copy, sizeof copy, "%s", name);
  snprintf(rel, sizeof rel, "%s-plots", basename(copy));
  int drawn = sb__fleet_plots(f, dir, stdout);
  FILE *out = fopen(path, "w");
  if (out == NULL) {
    fprintf(stderr, "switchbench: %s: %s\n", path, strerror(errno));
    return 1;
  }
  int rc = sb__fleet_md(f, rel, drawn > 0 ? (unsigned)drawn : 0, out);
  if (fclose(out) != 0 || rc != 0) {
    fprintf(stderr, "switchbench: writing %s failed\n", path);
    return 1;
  }
  printf("fleet report: %s (plots in %s)\n", path, dir);
  return 0;
}

int sb_cmd_merge(int argc, char **argv) {
  const char *name;
  char json[PATH_MAX];
  sb_fleet f;
  int rc = parse_args(argc, argv, &name);
  if (rc != 0)
    return rc;
  if ((rc = sb__fleet_build(&f, argv + optind, (size_t)(argc - optind))) != 0)
    goto cleanup;
  printf("switchbench merge: %zu machines, %zu cells, %zu not on every "
         "machine\n",
         f.n, f.nrows, f.missing);
  if (f.commits_differ)
    printf("warning: the machines ran different commits\n");
  if (f.matrices_differ)
    printf("warning: the machines ran different matrices\n");
  if ((rc = write_md(&f, name)) != 0)
    goto cleanup;
  snprintf(json, sizeof json, "%s.json", name);
  if ((rc = sb__fleet_json(&f, json)) != 0) {
    fprintf(stderr, "switchbench: %s: %s\n", json, strerror(-rc));
    rc = 1;
    goto cleanup;
  }
  printf("fleet data: %s\n", json);
cleanup:
  sb__fleet_free(&f);
  return rc;
}
