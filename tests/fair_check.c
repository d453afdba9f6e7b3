/* The fairness checks on a results file (tests/fair.sh), structural and
 * never by timing (workloads/PROTOCOL.md):
 *   fair_check FILE MIN_TIME REPETITIONS
 * - every measured cell is ok (or skipped with a reason);
 * - its entry records the settings that reached it: min_time, repetitions,
 *   warmup 1, a primitive, and a CPU list when pinned;
 * - it has exactly REPETITIONS repetitions, filling the minimum time with
 *   the sum of their timed runs (Google Benchmark: the first repetition);
 * - every work count equals runs x the closed form of PROTOCOL.md 4,
 *   written here again from the table, not taken from the harness;
 * - counters are per repetition: timers' late_samples = runs x n, echo's
 *   samples = runs x c x r;
 * - timers blocking:1 on one thread (single, tokio-ct, smol-local): the
 *   last task waited behind every sleep queued before it, so its lateness
 *   is at least their sum (a guaranteed lower bound, not a timing).
 * Exit 0 when all hold, 1 listing every cell that breaks one, 2 bad use. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *doc;
static int problems;

static const char *str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s != NULL ? s : "";
}

static double num(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static double param(json_t *cell, const char *name) {
  return num(json_object_get(cell, "params"), name);
}

static void bad(const char *cell, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bad(const char *cell, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "fair: %s: ", cell);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  problems++;
}

/* T(n): tasks of fib n with cutoff (README): 0 at or below the cutoff. */
static double fib_tasks(int n, int cutoff) {
  double t[128] = {0};
  for (int k = 0; k <= n && k < 128; k++)
    t[k] = (k <= cutoff || k < 2) ? 0 : 2 + t[k - 1] + t[k - 2];
  return n >= 0 && n < 128 ? t[n] : NAN;
}

/* The closed form of PROTOCOL.md 4 for one run: tasks, messages,
 * connections; -1 where a count does not apply. 0, or -1 for a workload
 * this table does not know. */
static int closed_form(json_t *cell, double w[3]) {
  const char *wl = str(cell, "workload");
  double n = param(cell, "n");
  w[0] = w[1] = w[2] = -1;
  if (strcmp(wl, "pingpong") == 0)
    w[0] = 2, w[1] = 2 * n;
  else if (strcmp(wl, "yield") == 0)
    w[0] = param(cell, "k");
  else if (strcmp(wl, "spawn") == 0 || strcmp(wl, "grain") == 0 ||
           strcmp(wl, "timers") == 0 || strcmp(wl, "million") == 0)
    w[0] = n;
  else if (strcmp(wl, "fib") == 0)
    w[0] = fib_tasks((int)n, (int)param(cell, "cutoff"));
  else if (strcmp(wl, "sum") == 0)
    w[0] = ceil(n / param(cell, "chunk"));
  else if (strcmp(wl, "echo") == 0)
    w[0] = param(cell, "c"), w[1] = param(cell, "c") * param(cell, "r"),
    w[2] = param(cell, "c");
  else if (strcmp(wl, "ring") == 0)
    w[0] = n, w[1] = n * param(cell, "laps");
  else if (strcmp(wl, "blocking") == 0)
    w[0] = param(cell, "m") + 1;
  else if (strcmp(wl, "workqueue") == 0)
    w[0] = param(cell, "r") + 1, w[1] = 2 * param(cell, "r") * n;
  else if (strcmp(wl, "files") == 0)
    w[0] = param(cell, "f");
  else
    return -1;
  return 0;
}

/* The checks on one repetition entry e of cell. */
static void repetition(json_t *cell, json_t *e, double min_time) {
  static const char *const keys[3] = {"work_tasks", "work_messages",
                                      "work_connections"};
  const char *name = str(cell, "name"), *wl = str(cell, "workload");
  const char *rt = str(cell, "runtime");
  double runs = num(e, "iterations"), w[3];
  if (!(runs >= 1)) {
    bad(name, "a repetition of %g runs", runs);
    return;
  }
  /* The minimum time reached the side, by Google Benchmark's rule that
   * every side follows (PROTOCOL.md 1.3): the first repetition's timed
   * runs fill it, and later repetitions repeat its count (checked in
   * cell()). */
  if (num(e, "repetition_index") == 0 &&
      !(runs * num(e, "real_time") >= min_time * 1e9 * (1 - 1e-9)))
    bad(name, "timed runs sum to %g ns, under the minimum %g ns",
        runs * num(e, "real_time"), min_time * 1e9);
  if (strcmp(str(cell, "primitive"), "serial") != 0) {
    if (closed_form(cell, w) != 0)
      bad(name, "no closed form for workload %s", wl);
    for (int i = 0; i < 3; i++) {
      double got = num(e, keys[i]);
      if (w[i] < 0)
        continue;
      if (isnan(got))
        bad(name, "no %s reported (%g per run expected)", keys[i], w[i]);
      else if (got != runs * w[i])
        bad(name, "%s: %g per run, expected %g", keys[i], got / runs, w[i]);
    }
  }
  /* Per repetition, never accumulated over probes or repetitions. */
  if (strcmp(wl, "timers") == 0 &&
      num(e, "late_samples") != runs * param(cell, "n"))
    bad(name, "late_samples %g, expected runs x n = %g", num(e, "late_samples"),
        runs * param(cell, "n"));
  if (strcmp(wl, "echo") == 0 &&
      num(e, "samples") != runs * param(cell, "c") * param(cell, "r"))
    bad(name, "samples %g, expected runs x c x r = %g", num(e, "samples"),
        runs * param(cell, "c") * param(cell, "r"));
  /* One thread, blocking sleeps: the last task waits for all before it. */
  if (strcmp(wl, "timers") == 0 && param(cell, "blocking") == 1 &&
      (!strcmp(rt, "single") || !strcmp(rt, "tokio-ct") ||
       !strcmp(rt, "smol-local"))) {
    int n = (int)param(cell, "n");
    double queued = 0;
    for (int i = 0; i + 1 < n; i++)
      queued += (1 + i % 20) * 1e6;
    if (!(num(e, "late_max_ns") >= queued))
      bad(name, "last task %g ns late, under the %g ns slept before it",
          num(e, "late_max_ns"), queued);
  }
}

/* The checks on one cell entry and its repetitions. */
static void check_cell(json_t *cell, double min_time, int reps) {
  const char *name = str(cell, "name"), *status = str(cell, "status");
  if (strcmp(str(cell, "source"), "floor") == 0)
    return;
  if (strcmp(status, "skipped") == 0 && str(cell, "reason")[0] != '\0')
    return;
  if (strcmp(status, "ok") != 0) {
    fprintf(stderr, "fair: %s: %s: %s\n", name, status, str(cell, "reason"));
    problems++;
    return;
  }
  if (num(cell, "min_time") != min_time || num(cell, "repetitions") != reps ||
      num(cell, "warmup") != 1)
    bad(name,
        "settings not recorded as given (min_time %g, repetitions %g, "
        "warmup %g)",
        num(cell, "min_time"), num(cell, "repetitions"), num(cell, "warmup"));
  if (str(cell, "primitive")[0] == '\0')
    bad(name, "no primitive recorded");
  if (strcmp(str(cell, "pin"), "none") != 0 &&
      json_array_size(json_object_get(cell, "cpus")) == 0)
    bad(name, "pinned (%s) without a CPU list", str(cell, "pin"));
  size_t i, n = 0;
  double first_runs = 0;
  json_t *e;
  json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
    if (strcmp(str(e, "run_name"), name) != 0 ||
        strcmp(str(e, "run_type"), "iteration") != 0)
      continue;
    n++;
    repetition(cell, e, min_time);
    if (num(e, "repetition_index") == 0)
      first_runs = num(e, "iterations");
    else if (first_runs > 0 && num(e, "iterations") != first_runs)
      bad(name, "repetition %g made %g runs, the first %g",
          num(e, "repetition_index"), num(e, "iterations"), first_runs);
  }
  if (n != (size_t)reps)
    bad(name, "%zu repetitions, expected %d", n, reps);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fair_check FILE MIN_TIME REPETITIONS\n");
    return 2;
  }
  json_error_t err;
  doc = json_load_file(argv[1], 0, &err);
  if (doc == NULL) {
    fprintf(stderr, "fair: %s: %s\n", argv[1], err.text);
    return 1;
  }
  double min_time = atof(argv[2]);
  int reps = atoi(argv[3]);
  size_t i, cells = 0;
  json_t *c;
  json_array_foreach(json_object_get(doc, "switchbench_cells"), i, c) {
    check_cell(c, min_time, reps);
    cells++;
  }
  json_decref(doc);
  if (cells == 0) {
    fprintf(stderr, "fair: %s has no cells\n", argv[1]);
    return 1;
  }
  return problems == 0 ? 0 : 1;
}
