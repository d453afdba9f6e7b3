/* One C cell, run as PROTOCOL.md says: setup, one verified warm-up run
 * before Google Benchmark starts, then in every Google Benchmark call (a
 * probe or a repetition) every tally reset first, timed runs each verified,
 * and the call's counters: time, context switches, peak RSS, work done. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Tasks the runtime has spawned since it was opened (read outside block_on). */
static uint64_t spawned(const sb_cell_run *r) {
  sb_runtime_info info = {0};
  r->rt->ops->info(r->rt, &info);
  return info.spawned;
}

/* Adds one run's count to a total; -1 (not counted) is sticky. */
static void add_count(int64_t *total, int64_t run) {
  *total = *total < 0 || run < 0 ? -1 : *total + run;
}

/* One run: a fresh root (untimed), block_on, verify (untimed). Adds its
 * timed region, context switches and work to r's tallies. */
static int one_run(void *arg, char *why, size_t len) {
  sb_cell_run *r = arg;
  sb_future *root = r->w->root(r->state);
  if (root == NULL) {
    snprintf(why, len, "%s: no root future (out of memory)", r->w->name);
    return -1;
  }
  uint64_t before = spawned(r);
  uint64_t s0 = sb__ctx_switches();
  int64_t t0 = sb_now_ns();
  int rc = r->rt->ops->block_on(r->rt, root);
  int64_t t1 = sb_now_ns();
  r->t.switches += sb__ctx_switches() - s0;
  if (rc != 0) {
    snprintf(why, len, "block_on failed: %s", strerror(-rc));
    return -1;
  }
  if (r->w->verify(r->state, root->out, why, len) != 0)
    return -1;
  r->last_out = root->out;
  /* The workload's own clock where its timed region is not the whole
   * block_on (echo: every connection established to the last response). */
  int64_t ns = r->w->timed_ns != NULL ? r->w->timed_ns(r->state) : t1 - t0;
  if (ns < 0 || ns > t1 - t0) {
    snprintf(why, len,
             "%s: timed region of %" PRId64 " ns outside block_on's"
             " %" PRId64 " ns",
             r->w->name, ns, t1 - t0);
    return -1;
  }
  r->t.ns += ns;
  sb_work got = {.tasks = -1, .messages = -1, .connections = -1};
  if (r->w->run_work != NULL)
    r->w->run_work(r->state, &got);
  add_count(&r->work.tasks, (int64_t)(spawned(r) - before));
  add_count(&r->work.messages, got.messages);
  add_count(&r->work.connections, got.connections);
  return 0;
}

/* The start of a Google Benchmark call: nothing of an earlier call (the
 * warm-up, a probe, a repetition) is carried over. */
static int cell_begin(void *arg, char *why, size_t len) {
  sb_cell_run *r = arg;
  if (sb__tally_begin(&r->t, why, len) != 0)
    return -1;
  if (r->w->reset != NULL)
    r->w->reset(r->state);
  r->work = (sb_work){0, 0, 0};
  return 0;
}

static int cell_batch(void *arg, int64_t n, double *seconds, char *why,
                      size_t len) {
  sb_cell_run *r = arg;
  return sb__tally_batch(&r->t, one_run, r, n, seconds, why, len);
}

static void cell_end(void *arg, int64_t iterations, sb_counters *c) {
  sb_cell_run *r = arg;
  sb__tally_counters(&r->t, iterations * r->ops, c);
  sb_counter_set(c, "workers", r->workers);
  if (r->w->work != NULL) {
    sb_work defined;
    r->w->work(&r->params, &defined);
    sb__work_counters(c, &defined, &r->work);
  }
  if (r->w->counters != NULL)
    r->w->counters(r->state, c);
  snprintf(c->label, sizeof c->label, "checksum=0x%016llx",
           (unsigned long long)r->last_out);
}

/* Opens the runtime and sets up the workload; on failure r->t.error says
 * why. */
static void cell_setup(sb_cell_run *r, const sb_cell *c, const sb_config *cfg) {
  const sb_workload *w = c->w;
  if (w->setup == NULL || w->root == NULL || w->verify == NULL ||
      w->ops == NULL) {
    snprintf(r->t.error, sizeof r->t.error,
             "workload %s is incomplete (no setup, root, verify or ops)",
             w->name);
    return;
  }
  r->ops = w->ops(&c->params);
  if (r->ops <= 0) {
    snprintf(r->t.error, sizeof r->t.error,
             "workload %s: %" PRId64 " ops per run", w->name, r->ops);
    return;
  }
  const sb_runtime_ops *ops = sb_runtime_find(c->runtime);
  SB_ASSERT(ops != NULL);
  int rc = ops->open(cfg, &r->rt);
  if (rc != 0) {
    snprintf(r->t.error, sizeof r->t.error, "runtime %s: open failed: %s",
             c->runtime, strerror(-rc));
    r->rt = NULL;
    return;
  }
  sb_runtime_info info = {0};
  ops->info(r->rt, &info);
  r->workers = info.workers;
  char why[SB_REASON_LEN] = "";
  rc = w->setup(&c->params, r->rt, &r->state, why, sizeof why);
  if (rc != 0) {
    /* A workload that does not apply to a runtime says -EOPNOTSUPP. */
    snprintf(r->t.error, sizeof r->t.error, "%s%.*s",
             rc == -EOPNOTSUPP ? "skipped: " : "setup failed: ",
             SB_REASON_LEN - 16, why[0] != '\0' ? why : strerror(-rc));
    r->state = NULL;
  }
}

void sb__cell_open(sb_cell_run *r, const sb_cell *c, const sb_config *cfg) {
  memset(r, 0, sizeof *r);
  r->w = c->w;
  r->params = c->params;
  r->body = (sb_gb_body){
      .arg = r, .begin = cell_begin, .batch = cell_batch, .end = cell_end};
  cell_setup(r, c, cfg);
  /* The warm-up: exactly one verified run; the first call's begin
   * discards its tallies. */
  sb__tally_warmup(&r->t, one_run, r);
}

void sb__cell_close(sb_cell_run *r) {
  if (r->state != NULL && r->w->teardown != NULL)
    r->w->teardown(r->state);
  if (r->rt != NULL)
    r->rt->ops->close(r->rt);
  r->state = NULL;
  r->rt = NULL;
}
