/* The workload tests' use of the runner (workloads/runner.h): a workload
 * runs exactly as the harness runs it (setup, warm-up, reset, runs,
 * counters), and every run is also checked against the closed forms the
 * harness checks afterwards: the output against the checksum, the work
 * against the workload's work. Header-only. */
#ifndef SB_TEST_RUN_CHECK_H
#define SB_TEST_RUN_CHECK_H

#include <errno.h>

#include "test.h"
#include "workloads/runner.h"

/* Returns the counter called name; asserts that it was reported. */
static inline double counter(const sb_counters *c, const char *name) {
  const double *v = sb_counter_get(c, name);
  if (v == NULL)
    fprintf(stderr, "counter %s not reported\n", name);
  ASSERT(v != NULL);
  return *v;
}

/* 1 if the counter called name was reported. */
static inline int has_counter(const sb_counters *c, const char *name) {
  return sb_counter_get(c, name) != NULL;
}

/* Runs w with ps on ops (cfg.workers = workers) as one repetition of runs
 * runs after the warm-up, checking each, and fills *c with the repetition's
 * counters. Returns 0, or -EOPNOTSUPP when the workload does not apply to
 * the runtime; any other failure aborts. */
static inline int run_check(const sb_runtime_ops *ops, int workers,
                            const sb_workload *w, const sb_params *ps, int runs,
                            sb_counters *c) {
  char why[SB_REASON_LEN] = "";
  sb_runner_opts o = {.runtime = ops, .cfg = {.workers = workers}};
  sb_runner r;
  memset(c, 0, sizeof *c);
  ASSERT(w->work != NULL);
  sb_work want;
  w->work(ps, &want);
  int rc = sb_runner_open(&r, w, ps, &o);
  if (rc != 0) {
    fprintf(stderr, "%s on %s: %s\n", w->name, ops->name, r.error);
    ASSERT_EQ(rc, -EOPNOTSUPP);
    sb_runner_close(&r);
    return rc;
  }
  sb_runner_reset(&r);
  for (int i = 0; i < runs; i++) {
    sb_run run;
    if (sb_runner_run(&r, &run, why, sizeof why) != 0)
      fprintf(stderr, "%s on %s: run %d: %s\n", w->name, ops->name, i, why);
    ASSERT(r.error[0] == '\0');
    ASSERT_EQ(run.out, w->checksum(ps));
    ASSERT_EQ(run.work.tasks, want.tasks);
    ASSERT_EQ(run.work.messages, want.messages);
    ASSERT_EQ(run.work.connections, want.connections);
    ASSERT_GE(run.ns, 0);
  }
  ASSERT_EQ(r.runs, runs);
  sb_runner_counters(&r, c);
  sb_runner_close(&r);
  return 0;
}

/* run_check for the workload called name, printing its counters. */
static inline int run_named(const sb_runtime_ops *ops, int workers,
                            const char *name, sb_params ps, int runs) {
  const sb_workload *w = sb_workload_find(name);
  sb_counters c;
  ASSERT(w != NULL);
  int rc = run_check(ops, workers, w, &ps, runs, &c);
  for (int i = 0; i < c.n; i++)
    fprintf(stderr, "    %s = %g\n", c.c[i].name, c.c[i].value);
  return rc;
}

#endif /* SB_TEST_RUN_CHECK_H */
