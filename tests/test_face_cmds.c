/* The face's commands on the synthetic files: the summary's tables,
 * headlines and notes; plot (PNG and SVG through gnuplot, a picture with
 * no cells skipped); the report's computed verdicts; and compare's
 * regression gate (a slower file trips it, an equal one does not). */
#include <errno.h>
#include <sys/stat.h>

#include "face.h"
#include "face_test.h"

static const char *data;
static char tmp[] = "/tmp/sb-face-XXXXXX";
static caught c; /* large: one, reused */

static char *path(const char *name) {
  static char buf[4][1024];
  static int next;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", data, name);
  return p;
}

static int summary_cmd(int argc, char **argv) {
  (void)argc;
  return sb_summary_print(argv[1], stdout);
}

static void summary(void) {
  char *argv[] = {"summary", path("results-small.json"), NULL};
  catch_cmd(summary_cmd, 2, argv, &c);
  ASSERT_EQ(c.rc, 0);
  ASSERT_HAS(c.out, "Switch cost: the kernel floor");
  ASSERT_HAS(c.out, "floor/futex/cross-core");
  ASSERT_HAS(c.out, "== What does handing a message to another task cost?");
  /* The headline is spelled out from the medians. */
  ASSERT_HAS(c.out, "pingpong n:10000: threads 2.13 µs vs single 27.7 ns per "
                    "message: threads 77x slower");
  ASSERT_HAS(c.out, "million (largest n each): threads 11.0 KiB vs single "
                    "146 B memory per waiting task: threads 77x larger");
  ASSERT_HAS(c.out, "OS ctx sw/op");
  ASSERT_HAS(c.out, "million/pool/n:10000 skipped: a pool of 2 workers");
  /* Noise notes from the context and the repetitions. */
  ASSERT_HAS(c.out, "noisy: 1 cell varies by more than 10%");
  ASSERT_HAS(c.out, "pingpong/steal/n:10000");
  ASSERT_HAS(c.out, "CPU frequency scaling is on");
  ASSERT_HAS(c.out, "running in a VM (kvm)");
  ASSERT(strstr(c.out, "single iteration") == NULL);
  /* Another primitive is apart and labelled, never a per-task row. */
  ASSERT_HAS(c.out, "another primitive: not a spawned task, so not in the "
                    "per-task column above:");
  ASSERT_HAS(c.out, "join: one closure inline, the other a stack job, no "
                    "allocation");
  ASSERT_HAS(c.out, " per fork");
  ASSERT_HAS(c.out, "scope-spawn: a heap job joined by its scope, no handle");
  /* fib beside its language's serial row. */
  ASSERT_HAS(c.out, "serial row");
  ASSERT_HAS(c.out, "serial-rust 5");
  /* The thread model on one CPU is its own parameter set. */
  ASSERT_HAS(c.out, "pingpong/threads/n:10000/cpus:1");
  ASSERT_HAS(c.out, "pingpong n:10000: threads 2.13 µs vs single 27.7 ns per "
                    "message: threads 77x slower");

  char *one[] = {"summary", path("results-onerep.json"), NULL};
  catch_cmd(summary_cmd, 2, one, &c);
  ASSERT_EQ(c.rc, 0);
  ASSERT_HAS(c.out, "* one repetition: the figure is that single iteration");
  ASSERT_HAS(c.out, "one repetition per cell");
}

static int file_exists(const char *dir, const char *name) {
  char p[1200];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return stat(p, &st) == 0 && st.st_size > 0;
}

static int have_gnuplot(void) {
  return system("gnuplot --version >/dev/null 2>&1") == 0;
}

/* dir holds every picture: PNG, SVG and its data. */
static void all_pictures(const char *dir) {
  static const char *const stems[] = {"switch", "spawn", "io", "cpu",
                                      "pitfalls"};
  static const char *const exts[] = {"png", "svg", "dat"};
  for (int i = 0; i < 5; i++)
    for (int e = 0; e < 3; e++) {
      char n[64];
      snprintf(n, sizeof n, "%s.%s", stems[i], exts[e]);
      if (!file_exists(dir, n))
        fprintf(stderr, "%s/%s is missing\n", dir, n);
      ASSERT(file_exists(dir, n));
    }
}

static void plot(void) {
  char out[1100];
  snprintf(out, sizeof out, "%s/plots", tmp);
  char *argv[] = {"plot", path("results-small.json"), "--out", out, NULL};
  if (!have_gnuplot()) {
    fprintf(stderr, "plot: gnuplot not installed, skipping the pictures\n");
    return;
  }
  catch_cmd(sb_cmd_plot, 4, argv, &c);
  ASSERT_EQ(c.rc, 0);
  all_pictures(out);
  /* A run without echo, fib, sum, grain, blocking or timers cells: those
   * pictures are skipped with a note, not an error. */
  snprintf(out, sizeof out, "%s/few", tmp);
  char *few[] = {"plot", path("results-rerun.json"), "--out", out, NULL};
  catch_cmd(sb_cmd_plot, 4, few, &c);
  ASSERT_EQ(c.rc, 0);
  ASSERT_HAS(c.out, "plot io       skipped: no io cell in the run");
  ASSERT_HAS(c.out, "plot pitfalls skipped");
  ASSERT(file_exists(out, "switch.png") && file_exists(out, "spawn.svg"));
  ASSERT(!file_exists(out, "io.png"));
  char *usage[] = {"plot", NULL};
  catch_cmd(sb_cmd_plot, 1, usage, &c);
  ASSERT_EQ(c.rc, 2);
}

/* Copies data file name to tmp/stem.json, writes its report (beside it:
 * tmp/stem.md) and returns the page. */
#define PAGE_LEN (1 << 17)
static char *report_of(const char *name, const char *stem) {
  static char page[PAGE_LEN];
  char json[1100], md[1100], cmd[2400];
  snprintf(json, sizeof json, "%s/%s.json", tmp, stem);
  snprintf(md, sizeof md, "%s/%s.md", tmp, stem);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path(name), json);
  ASSERT_EQ(system(cmd), 0);
  char *argv[] = {"report", json, NULL};
  catch_cmd(sb_cmd_report, 2, argv, &c);
  ASSERT_EQ(c.rc, 0);
  FILE *f = fopen(md, "r");
  ASSERT(f != NULL);
  slurp(f, page, sizeof page);
  return page;
}

/* The page report_of wrote beside tmp/stem.md (its first PAGE_LEN bytes:
 * the claims come before the plots and the cells). */
static char *html_of(const char *stem) {
  static char page[PAGE_LEN];
  char html[1100];
  snprintf(html, sizeof html, "%s/%s.html", tmp, stem);
  FILE *f = fopen(html, "r");
  ASSERT(f != NULL);
  slurp(f, page, sizeof page);
  return page;
}

static void report(void) {
  char md[1100];
  char *page = report_of("results-small.json", "run");
  FILE *f;
  ASSERT_HAS(page, "## The machine");
  ASSERT_HAS(page, "| CPU | Synthetic CPU @ 2.00GHz |");
  /* Verdicts computed from the numbers. */
  ASSERT_HAS(page, "threads / single = 77x (71x to 80x over the "
                   "repetitions, p 0.0079)");
  ASSERT_HAS(page, "**Verdict:** holds: the task switch is 2x or more "
                   "cheaper than the OS switch in every pair of repetitions");
  ASSERT_HAS(page, "| 1 | An OS context switch costs about 2 µs; a task switch "
                   "in an async runtime about 500 ns. | **holds** |");
  ASSERT_HAS(page, "**Verdict:** does not hold for resident memory");
  ASSERT_HAS(page, "**Verdict:** not measured in this run at a million");
  ASSERT_HAS(page, "timers on single: p99 lateness 194 ms with blocking:1, "
                   "60.0 µs with blocking:0 (3227x");
  ASSERT_HAS(page, "**Verdict:** holds: on single, the blocking case left "
                   "the other tasks 10x or more later");
  /* Each claim's evidence: the cells it read, with their spread. */
  ASSERT_HAS(page, "   | pingpong/single/n:10000 | ns_per_op | 27.7 ns |");
  ASSERT_HAS(page, "blocking on single: p99 probe lateness 48.4 ms with "
                   "offload:0, 100.0 µs with offload:1");
  ASSERT_HAS(page, "### What does handing a message to another task cost?");
  ASSERT_HAS(page, "| pingpong/single/n:10000 | 27.7 ns |");
  /* The fairness section: the protocol, the remaining differences, and how
   * each peer cell was pinned. */
  ASSERT_HAS(page, "## Fairness");
  ASSERT_HAS(page, "PROTOCOL.md)");
  ASSERT_HAS(page, "Go's blocking sleep does not block an executor");
  ASSERT_HAS(page, "Rust boxes recursive futures");
  ASSERT_HAS(page, "In this run: 1 cell (fib/tokio-mt/n:25/cutoff:10)");
  ASSERT_HAS(page, "| fib/rayon/n:25/cutoff:10 | none | - | not pinned");
  if (have_gnuplot())
    ASSERT_HAS(page, "![What does a switch cost? Kernel floor and runtimes]"
                     "(run-plots/switch.png)");
  /* The page beside it: self-contained, every claim and every cell. */
  page = html_of("run");
  ASSERT_HAS(page, "<a href=\"run.json\">run.json</a> (JSON)");
  ASSERT_HAS(page,
             "<section class=\"claim v-holds\" id=\"claim-switch-cost\">");
  ASSERT_HAS(page, "<svg class=\"plot\"");
  ASSERT(strstr(page, "src=\"http") == NULL);
  ASSERT(strstr(page, "<script src") == NULL && strstr(page, "<link") == NULL);
  /* A run with a green-thread runtime and open-loop cells: their claims
   * are judged, in the Markdown and on the page. */
  page = report_of("claims-run1.json", "claims");
  ASSERT_HAS(page, "| 7 | Green threads give a task switch's cost with a "
                   "thread's programming model. | **holds** |");
  ASSERT_HAS(page, "open-loop echo at 2000 requests/s offered: p99");
  page = html_of("claims");
  ASSERT_HAS(page,
             "<section class=\"claim v-holds\" id=\"claim-green-threads\">");
  ASSERT_HAS(page, "<a href=\"#cell-");
  /* Cells missing from a run: the claims say so instead of a verdict. */
  snprintf(md, sizeof md, "%s/few.md", tmp);
  char *few[] = {"report", path("results-rerun.json"), "--out", md, NULL};
  catch_cmd(sb_cmd_report, 4, few, &c);
  ASSERT_EQ(c.rc, 0);
  f = fopen(md, "r");
  ASSERT(f != NULL);
  slurp(f, page, PAGE_LEN);
  ASSERT_HAS(page, "a pitfall workload (a cell pair with and without the "
                   "blocking call) on single is not in this run.  \n"
                   "   **Verdict:** not measured in this run.");
}

static int compare(const char *a, const char *b, const char *gate) {
  char *argv[] = {"compare",      path(a),      path(b),
                  "--fail-above", (char *)gate, NULL};
  catch_cmd(sb_cmd_compare, gate ? 5 : 3, argv, &c);
  return c.rc;
}

static void gate(void) {
  /* 1.5x slower on every cell, 5 repetitions each: significant. */
  ASSERT_EQ(compare("results-small.json", "results-slower.json", "1.2"), 1);
  ASSERT_HAS(c.out, "pingpong/single/n:10000");
  ASSERT_HAS(c.out, "SLOWER beyond the gate");
  ASSERT_HAS(c.out, "the machines differ in: CPU, kernel");
  ASSERT_HAS(c.err, "slower than 1.2x A with significance");
  /* The same slowdown under a looser gate passes. */
  ASSERT_EQ(compare("results-small.json", "results-slower.json", "2"), 0);
  /* Equal: the same file, and a rerun with fresh noise. */
  ASSERT_EQ(compare("results-small.json", "results-small.json", "1.01"), 0);
  ASSERT_HAS(c.out, "same machine description on both sides");
  ASSERT_EQ(compare("results-small.json", "results-rerun.json", "1.2"), 0);
  ASSERT_HAS(c.out, "only in A: ring/threads/n:16/laps:100");
  /* One repetition cannot show significance: the gate cannot judge, and
   * says so with its own exit status instead of "passed". */
  ASSERT_EQ(compare("results-onerep.json", "results-slower.json", "1.01"),
            SB_EXIT_CANNOT_JUDGE);
  ASSERT_HAS(c.out, "too few repetitions to tell");
  ASSERT_HAS(c.out, "CANNOT JUDGE");
  ASSERT(strstr(c.out, "passed") == NULL);
  ASSERT_HAS(c.err, "the gate cannot judge");
  /* Without a gate, the same comparison is only a report. */
  ASSERT_EQ(compare("results-onerep.json", "results-slower.json", NULL), 0);
  /* No gate: report only. */
  ASSERT_EQ(compare("results-small.json", "results-slower.json", NULL), 0);
  /* Bad usage. */
  ASSERT_EQ(compare("results-small.json", "results-slower.json", "0.5"), 2);
  ASSERT_EQ(compare("results-small.json", "results-slower.json", "x"), 2);
  ASSERT_EQ(count_lines(c.err), 1);
}

/* Workloads the face has never heard of (results-roles.json): every table,
 * claim and picture reads them by the role and headline their cells
 * record, as a new workload would be read. */
static void roles(void) {
  char *argv[] = {"summary", path("results-roles.json"), NULL};
  catch_cmd(summary_cmd, 2, argv, &c);
  ASSERT_EQ(c.rc, 0);
  ASSERT_HAS(c.out, "the kernel floor (futex, pipe; same-core and "
                    "cross-core) next to relay on each runtime");
  ASSERT_HAS(c.out, "== What does an idle task hold? (idle)");
  ASSERT_HAS(c.out, "idle (largest n each): threads 11.6 KiB vs single 200 B "
                    "held_bytes: threads 59x larger");
  ASSERT_HAS(c.out, "fill n:4000 g:100: threads 5% vs single 43% fill: "
                    "threads 9x lower");
  ASSERT_HAS(c.out, "nap n:10 sync:1: threads 50.1 µs vs single 77.7 ms");

  char *page = report_of("results-roles.json", "roles"), cmd[1200];
  ASSERT_HAS(page, "One token (relay) costs 2.97 µs on threads");
  ASSERT_HAS(page, "A waiting thread holds 11.6 KiB (held_bytes, "
                   "idle/threads/n:100)");
  ASSERT_HAS(page, "nap on single: wake_p99_ns 77.7 ms with sync:1, 49.6 µs "
                   "with sync:0 (1568x");
  ASSERT_HAS(page, "CPU: crunch: pool / steal = 1x (0.91x to 1.1x over the "
                   "repetitions, p 0.0079)");
  ASSERT_HAS(page, "rpc at c:512: peak memory 12.0 KiB per connection");
  if (!have_gnuplot())
    return;
  char out[1100];
  snprintf(out, sizeof out, "%s/roles-plots", tmp);
  char *pargv[] = {"plot", path("results-roles.json"), "--out", out, NULL};
  catch_cmd(sb_cmd_plot, 4, pargv, &c);
  ASSERT_EQ(c.rc, 0);
  all_pictures(out);
  snprintf(cmd, sizeof cmd, "%s/pitfalls.dat", out);
  FILE *f = fopen(cmd, "r");
  ASSERT(f != NULL);
  slurp(f, page, PAGE_LEN);
  ASSERT_HAS(page, "\"single\" 49");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data = argv[1];
  ASSERT(mkdtemp(tmp) != NULL);
  summary();
  plot();
  report();
  gate();
  roles();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  ASSERT_EQ(system(cmd), 0);
  fprintf(stderr, "face commands: 5 cases passed\n");
  return 0;
}
