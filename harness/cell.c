/* One C cell inside Google Benchmark: the workload runner
 * (workloads/runner.h) does PROTOCOL.md's setup, warm-up, reset, runs and
 * counters; this file adds what only the harness knows: the time and
 * context switches of one Google Benchmark call (a probe or a repetition),
 * its peak RSS, and where the load generator runs. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* The load generator's CPU, decided from the topology once the runtime is
 * open and has said how many workers it runs. */
static int loadgen_cpu(const sb_runtime_info *info, void *arg) {
  return sb__loadgen_cpu(arg, info->workers);
}

/* One run, its timed region and context switches added to the call's. */
static int one_run(void *arg, char *why, size_t len) {
  sb_cell_run *r = arg;
  sb_run run;
  if (sb_runner_run(&r->run, &run, why, len) != 0)
    return -1;
  r->t.ns += run.ns;
  r->t.switches += run.switches;
  return 0;
}

/* The start of a Google Benchmark call: nothing of an earlier call (the
 * warm-up, a probe, a repetition) is carried over. */
static int cell_begin(void *arg, char *why, size_t len) {
  sb_cell_run *r = arg;
  if (sb__tally_begin(&r->t, why, len) != 0)
    return -1;
  sb_runner_reset(&r->run);
  return 0;
}

static int cell_batch(void *arg, int64_t n, double *seconds, char *why,
                      size_t len) {
  sb_cell_run *r = arg;
  return sb__tally_batch(&r->t, one_run, r, n, seconds, why, len);
}

static void cell_end(void *arg, int64_t iterations, sb_counters *c) {
  sb_cell_run *r = arg;
  sb__tally_counters(&r->t, iterations * r->run.ops, c);
  sb_runner_counters(&r->run, c);
}

void sb__cell_open(sb_cell_run *r, const sb_cell *c, const sb_config *cfg) {
  memset(r, 0, sizeof *r);
  r->body = (sb_gb_body){
      .arg = r, .begin = cell_begin, .batch = cell_batch, .end = cell_end};
  const sb_runtime_ops *ops = sb_runtime_find(c->runtime);
  SB_ASSERT(ops != NULL);
  sb_runner_opts o = {.runtime = ops,
                      .cfg = *cfg,
                      .loadgen_cpu = loadgen_cpu,
                      .arg = (void *)c};
  /* Setup and the warm-up (exactly one verified run); the first call's
   * begin discards what the warm-up tallied. */
  if (sb_runner_open(&r->run, c->w, &c->params, &o) != 0)
    snprintf(r->t.error, sizeof r->t.error, "%s", r->run.error);
}

void sb__cell_close(sb_cell_run *r) {
  sb_runner_close(&r->run);
}
