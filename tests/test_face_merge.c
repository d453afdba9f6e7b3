/* `switchbench merge` on the synthetic files: the cells-by-machines table,
 * switch figures as multiples of each machine's floor, a cell missing on a
 * machine, the warnings for another commit and another matrix, the noise
 * note, the JSON and the plots; a corrupt or foreign file is one line
 * naming it and exit 2. */
#include <sys/stat.h>

#include "face.h"
#include "face_test.h"

#define PAGE_LEN (1 << 17)

static const char *data;
static char tmp[] = "/tmp/sb-merge-XXXXXX";
static caught c;
static char page[PAGE_LEN];

static char *path(const char *name) {
  static char buf[4][1024];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", data, name);
  return p;
}

/* Runs merge over files a and b into tmp/name; returns its exit code. */
static int merge(const char *a, const char *b, const char *name) {
  char out[1100];
  snprintf(out, sizeof out, "%s/%s", tmp, name);
  char *argv[] = {"merge", path(a), path(b), "--out", out, NULL};
  catch_cmd(sb_cmd_merge, 5, argv, &c);
  return c.rc;
}

/* Reads tmp/name into page (NULL when it is not there). */
static char *read_out(const char *name) {
  char p[1200];
  snprintf(p, sizeof p, "%s/%s", tmp, name);
  FILE *f = fopen(p, "r");
  if (f == NULL)
    return NULL;
  slurp(f, page, PAGE_LEN);
  return page;
}

static int exists(const char *name) {
  char p[1200];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", tmp, name);
  return stat(p, &st) == 0 && st.st_size > 0;
}

/* Two machines of one commit, the second 1.5x slower on fewer cells. */
static void table(void) {
  ASSERT_EQ(merge("results-small.json", "results-slower.json", "two"), 0);
  ASSERT_HAS(c.out, "2 machines, 85 cells, 60 not on every machine");
  char *md = read_out("two.md");
  ASSERT(md != NULL);
  /* Cells against machines, named by their files. */
  ASSERT_HAS(md, "| cell | figure | results-small | results-slower |");
  /* The contexts side by side. */
  ASSERT_HAS(md, "| CPU | Synthetic CPU @ 2.00GHz | Other CPU @ 3.10GHz |");
  ASSERT_HAS(md, "| kernel | Linux 6.1.0-synthetic x86_64 | Linux "
                 "6.6.0-other x86_64 |");
  ASSERT_HAS(md, "| virtualization | kvm | kvm |");
  ASSERT_HAS(md, "| kernel floor (futex, same core) | 1.50 µs | 2.26 µs |");
  /* Switch figures in multiples of the machine's own floor: 2.13 µs over
   * 1.50 µs, and 3.11 µs over 2.26 µs; spawn is not a switch figure. */
  ASSERT_HAS(md, "| pingpong/threads/n:10000 | per message | 2.13 µs (1.4x "
                 "floor) | 3.11 µs (1.4x floor) |");
  ASSERT_HAS(md, "| floor/futex/same-core | per switch | 1.50 µs (1x floor) "
                 "| 2.26 µs (1x floor) |");
  ASSERT_HAS(md, "| spawn/single/n:10000 | per task | 60.5 ns | 91.1 ns |");
  /* A cell only the first machine ran is shown, as missing. */
  ASSERT_HAS(md, "| ring/threads/n:16/laps:100 | per hop | 3.14 µs (2.1x "
                 "floor) | missing |");
  /* Not ok on both: its status. */
  ASSERT_HAS(md, "| million/pool/n:10000 | memory per waiting task | "
                 "skipped | skipped |");
  /* Another matrix, one commit. */
  ASSERT_HAS(md, "**The machines ran different matrices**");
  ASSERT(strstr(md, "different commits") == NULL);
  /* 1.5x slower with 5 repetitions each: apart, except the noisy cell
   * (cv 25%) whose spreads the U test cannot tell apart. */
  ASSERT_HAS(md, "| pingpong/steal/n:10000 | per message | 110 ns (0.073x "
                 "floor) | ≈ 121 ns");
  ASSERT_HAS(md, "- results-slower against results-small: 1 of the 23 "
                 "figures both have are within noise");
  /* The JSON carries the same. */
  char *js = read_out("two.json");
  ASSERT(js != NULL);
  ASSERT_HAS(js, "\"floor_multiple\"");
  ASSERT_HAS(js, "\"results-slower\": null");
  ASSERT_HAS(js, "\"matrices_differ\": true");
}

/* A rerun with fresh noise is within noise; another commit is warned of. */
static void noise_and_commit(void) {
  ASSERT_EQ(merge("results-small.json", "results-rerun.json", "rerun"), 0);
  char *md = read_out("rerun.md");
  ASSERT(md != NULL);
  ASSERT_HAS(md, "| pingpong/single/n:10000 | per message | 27.7 ns (0.018x "
                 "floor) | ≈ ");
  ASSERT(strstr(md, "different commits") == NULL);

  ASSERT_EQ(merge("results-slower.json", "results-fleet-arm.json", "arm"), 0);
  ASSERT_HAS(c.out, "warning: the machines ran different commits");
  md = read_out("arm.md");
  ASSERT(md != NULL);
  ASSERT_HAS(md, "**The machines ran different commits**: results-slower "
                 "0123456789ab, results-fleet-arm fedcba987654");
  ASSERT_HAS(md, "| CPU | Other CPU @ 3.10GHz | Synthetic Arm Neoverse-N1 |");
  ASSERT(strstr(md, "different matrices") == NULL);
  ASSERT(strstr(md, "missing |") == NULL);
}

static void plots(void) {
  if (system("gnuplot --version >/dev/null 2>&1") != 0) {
    fprintf(stderr, "merge: gnuplot not found, plots not checked\n");
    return;
  }
  static const char *const stems[] = {"fleet-switch", "fleet-spawn", "fleet-io",
                                      "fleet-speedup"};
  for (size_t i = 0; i < sizeof stems / sizeof *stems; i++) {
    char name[128];
    snprintf(name, sizeof name, "two-plots/%s.png", stems[i]);
    ASSERT(exists(name));
    snprintf(name, sizeof name, "two-plots/%s.svg", stems[i]);
    ASSERT(exists(name));
    char *md = read_out("two.md");
    snprintf(name, sizeof name, "](two-plots/%s.png)", stems[i]);
    ASSERT_HAS(md, name);
  }
  /* One series per machine: the data's header names both. */
  char *dat = read_out("two-plots/fleet-switch.dat");
  ASSERT(dat != NULL);
  ASSERT_HAS(dat, "cell \"results-small\" lo hi \"results-slower\" lo hi");
  ASSERT_HAS(dat, "\"ring/threads/n:16/laps:100\" ");
  ASSERT_HAS(dat, " ? ? ?");
}

/* A corrupt or foreign file: one line naming it, exit 2, nothing written. */
static void bad(void) {
  static const char *const files[] = {"bad/empty.json",
                                      "bad/foreign-gbench.json",
                                      "bad/not-object.json", "no-such.json"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    ASSERT_EQ(merge("results-small.json", files[i], "bad"), 2);
    ASSERT_EQ(count_lines(c.err), 1);
    ASSERT_HAS(c.err, files[i]);
    ASSERT(!exists("bad.md"));
  }
  char *argv[] = {"merge", NULL};
  catch_cmd(sb_cmd_merge, 1, argv, &c);
  ASSERT_EQ(c.rc, 2);
  ASSERT_HAS(c.err, "usage: switchbench merge");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data = argv[1];
  ASSERT(mkdtemp(tmp) != NULL);
  table();
  noise_and_commit();
  plots();
  bad();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  ASSERT_EQ(system(cmd), 0);
  fprintf(stderr, "merge: 4 cases passed\n");
  return 0;
}
