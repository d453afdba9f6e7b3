/* The workload runner (runner.h): open, set up and warm up; per repetition
 * a reset and timed, verified runs; the repetition's counters; close. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "oslimits.h"
#include "runner.h"

/* Tasks the runtime has spawned since it was opened (read outside block_on). */
static uint64_t spawned(const sb_runner *r) {
  sb_runtime_info info = {0};
  r->env.rt->ops->info(r->env.rt, &info);
  return info.spawned;
}

/* Adds one run's count to a total; -1 (not counted) is sticky. */
static void add_count(int64_t *total, int64_t run) {
  *total = *total < 0 || run < 0 ? -1 : *total + run;
}

/* One run; on failure the reason goes to why. */
static int run_once(sb_runner *r, sb_run *out, char *why, size_t len) {
  const sb_workload *w = r->w;
  sb_future *root = w->root(r->state);
  if (root == NULL) {
    snprintf(why, len, "%s: no root future (out of memory)", w->name);
    return -1;
  }
  uint64_t before = spawned(r);
  uint64_t s0 = sb__ctx_switches();
  int64_t t0 = sb_now_ns();
  int rc = r->env.rt->ops->block_on(r->env.rt, root);
  int64_t t1 = sb_now_ns();
  out->switches = sb__ctx_switches() - s0;
  if (rc != 0) {
    snprintf(why, len, "block_on failed: %s", strerror(-rc));
    return -1;
  }
  if (w->verify(r->state, root->out, why, len) != 0)
    return -1;
  out->out = root->out;
  /* The workload's own clock where its timed region is not the whole
   * block_on (echo: every connection established to the last response). */
  out->ns = w->timed_ns != NULL ? w->timed_ns(r->state) : t1 - t0;
  if (out->ns < 0 || out->ns > t1 - t0) {
    snprintf(why, len,
             "%s: timed region of %" PRId64 " ns outside block_on's"
             " %" PRId64 " ns",
             w->name, out->ns, t1 - t0);
    return -1;
  }
  out->work = (sb_work){.tasks = -1, .messages = -1, .connections = -1};
  if (w->run_work != NULL)
    w->run_work(r->state, &out->work);
  out->work.tasks = (int64_t)(spawned(r) - before);
  return 0;
}

int sb_runner_run(sb_runner *r, sb_run *out, char *why, size_t len) {
  if (run_once(r, out, why, len) != 0) {
    snprintf(r->error, sizeof r->error, "%s", why);
    return -1;
  }
  r->runs++;
  r->last_out = out->out;
  add_count(&r->work.tasks, out->work.tasks);
  add_count(&r->work.messages, out->work.messages);
  add_count(&r->work.connections, out->work.connections);
  return 0;
}

void sb_runner_reset(sb_runner *r) {
  if (r->w->reset != NULL && r->state != NULL)
    r->w->reset(r->state);
  r->runs = 0;
  r->work = (sb_work){0, 0, 0};
}

/* Opens the runtime and sets the workload up. 0, or -errno with r->error. */
static int setup(sb_runner *r, const sb_runner_opts *o) {
  const sb_workload *w = r->w;
  char why[SB_REASON_LEN] = "";
  int rc = sb_workload_check(w, &r->params, why, sizeof why);
  if (rc != 0) {
    snprintf(r->error, sizeof r->error, "params: %s", why);
    return rc;
  }
  r->ops = w->ops(&r->params);
  if (r->ops <= 0) {
    snprintf(r->error, sizeof r->error, "workload %s: %" PRId64 " ops per run",
             w->name, r->ops);
    return -EINVAL;
  }
  rc = o->runtime->open(&o->cfg, &r->env.rt);
  if (rc != 0) {
    snprintf(r->error, sizeof r->error, "runtime %s: open failed: %s",
             o->runtime->name, strerror(-rc));
    r->env.rt = NULL;
    return rc;
  }
  o->runtime->info(r->env.rt, &r->env.info);
  r->env.loadgen_cpu =
      o->loadgen_cpu != NULL ? o->loadgen_cpu(&r->env.info, o->arg) : -1;
  rc = w->setup(&r->params, &r->env, &r->state, why, sizeof why);
  if (rc != 0) {
    /* A workload that does not apply to a runtime says -EOPNOTSUPP. */
    snprintf(r->error, sizeof r->error, "%s%.*s",
             rc == -EOPNOTSUPP ? "skipped: " : "setup failed: ",
             SB_REASON_LEN - 16, why[0] != '\0' ? why : strerror(-rc));
    r->state = NULL;
  }
  return rc;
}

int sb_runner_open(sb_runner *r, const sb_workload *w, const sb_params *ps,
                   const sb_runner_opts *o) {
  memset(r, 0, sizeof *r);
  r->w = w;
  r->params = *ps;
  r->env.loadgen_cpu = -1;
  if (w->setup == NULL || w->root == NULL || w->verify == NULL ||
      w->ops == NULL) {
    snprintf(r->error, sizeof r->error,
             "workload %s is incomplete (no setup, root, verify or ops)",
             w->name);
    return -EINVAL;
  }
  int rc = setup(r, o);
  if (rc != 0)
    return rc;
  /* The warm-up: exactly one verified run; the first repetition's reset
   * discards what it tallied. */
  char why[SB_REASON_LEN] = "";
  sb_run run;
  if (run_once(r, &run, why, sizeof why) != 0) {
    snprintf(r->error, sizeof r->error, "warm-up run: %.*s", SB_REASON_LEN - 16,
             why);
    return -EIO;
  }
  r->last_out = run.out;
  return 0;
}

void sb_work_counters(sb_counters *c, const sb_work *defined,
                      const sb_work *total) {
  if (defined->tasks >= 0 && total->tasks >= 0)
    sb_counter_set(c, "work_tasks", (double)total->tasks);
  if (defined->messages >= 0 && total->messages >= 0)
    sb_counter_set(c, "work_messages", (double)total->messages);
  if (defined->connections >= 0 && total->connections >= 0)
    sb_counter_set(c, "work_connections", (double)total->connections);
}

void sb_runner_counters(const sb_runner *r, sb_counters *c) {
  const sb_workload *w = r->w;
  sb_counter_set(c, "workers", r->env.info.workers);
  if (w->work != NULL) {
    sb_work defined;
    w->work(&r->params, &defined);
    sb_work_counters(c, &defined, &r->work);
  }
  if (w->counters != NULL)
    w->counters(r->state, c);
  snprintf(c->label, sizeof c->label, "checksum=0x%016llx",
           (unsigned long long)r->last_out);
}

void sb_runner_close(sb_runner *r) {
  if (r->state != NULL && r->w->teardown != NULL)
    r->w->teardown(r->state);
  if (r->env.rt != NULL)
    r->env.rt->ops->close(r->env.rt);
  r->state = NULL;
  r->env.rt = NULL;
}
