/* The malformed corpus (tests/data/bad/: empty, truncated, not an object,
 * wrong types, foreign JSON, huge numbers, ...): every file is refused by
 * every command with exit 2 and one line naming the problem, no crash. */
#include <dirent.h>

#include "face.h"
#include "face_test.h"
#include "results_read.h"

static caught c;

static int summary_cmd(int argc, char **argv) {
  (void)argc;
  return sb_summary_print(argv[1], stdout);
}

/* Runs cmd on file; expects 2 and one line on stderr mentioning file. */
static void refused(int (*cmd)(int, char **), const char *name, char *file,
                    char *good) {
  char out[2048]; /* file names come from a 1400-byte buffer */
  snprintf(out, sizeof out, "%s.out", file);
  char *argv[] = {(char *)name, file, "--out", out, NULL};
  char *cmp[] = {"compare", good, file, NULL};
  if (cmd == sb_cmd_compare)
    catch_cmd(cmd, 3, cmp, &c);
  else
    catch_cmd(cmd, cmd == summary_cmd ? 2 : 4, argv, &c);
  if (c.rc != 2 || count_lines(c.err) != 1 || strstr(c.err, file) == NULL) {
    fprintf(stderr, "%s %s: rc %d, stderr:\n%s", name, file, c.rc, c.err);
    abort();
  }
}

int main(int argc, char **argv) {
  char dir[1024], file[1400], good[1100];
  int n = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  snprintf(dir, sizeof dir, "%s/bad", argv[1]);
  snprintf(good, sizeof good, "%s/results-small.json", argv[1]);
  DIR *d = opendir(dir);
  ASSERT(d != NULL);
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
    sb_results *r = NULL;
    char why[512];
    int rc = sb_results_read(file, &r, why, sizeof why);
    if (rc == 0)
      fprintf(stderr, "%s was accepted\n", file);
    ASSERT(rc < 0 && r == NULL);
    ASSERT(why[0] != '\0' && strchr(why, '\n') == NULL);
    fprintf(stderr, "  %s\n", why);
    refused(summary_cmd, "summary", file, good);
    refused(sb_cmd_plot, "plot", file, good);
    refused(sb_cmd_report, "report", file, good);
    refused(sb_cmd_compare, "compare", file, good);
    n++;
  }
  closedir(d);
  ASSERT_GE(n, 20);
  fprintf(stderr, "malformed: %d files refused by every command\n", n);
  return 0;
}
