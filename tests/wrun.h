/* Drives a workload through its hooks as the harness does (PROTOCOL.md
 * sections 1 to 4): setup, one warm-up run, reset, the repetition's runs
 * (each verified, its work - the runtime's spawn count and the workload's
 * run_work - checked against the closed form, its timed region checked
 * against block_on's), then the repetition's counters, collected by name.
 * Shared by the workload tests; header-only. */
#ifndef SB_TEST_WRUN_H
#define SB_TEST_WRUN_H

#include <errno.h>

#include "test.h"
#include "workloads/workload.h"

/* The counters a workload reported, by name (the harness implements the
 * real ones). */
struct sb_counters {
  int n;
  struct {
    char name[48];
    double value;
  } c[32];
};

void sb_counter_set(sb_counters *c, const char *name, double value) {
  ASSERT(strlen(name) < sizeof(c->c[0].name));
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->c[i].name, name) == 0) {
      c->c[i].value = value;
      return;
    }
  ASSERT(c->n < 32);
  snprintf(c->c[c->n].name, sizeof(c->c[0].name), "%s", name);
  c->c[c->n++].value = value;
}

/* Returns the counter called name; asserts that it was reported. */
static inline double counter(const sb_counters *c, const char *name) {
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->c[i].name, name) == 0)
      return c->c[i].value;
  fprintf(stderr, "counter %s not reported\n", name);
  ASSERT(0);
  return 0;
}

/* 1 if the counter called name was reported. */
static inline int has_counter(const sb_counters *c, const char *name) {
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->c[i].name, name) == 0)
      return 1;
  return 0;
}

static inline uint64_t wrun_spawned(sb_runtime *rt) {
  sb_runtime_info info = {0};
  rt->ops->info(rt, &info);
  return info.spawned;
}

/* One run, verified, its work checked against want. */
static inline void wrun_once(const sb_workload *w, sb_runtime *rt, void *state,
                             const sb_params *ps, const sb_work *want) {
  char why[512] = "";
  sb_future *root = w->root(state);
  ASSERT(root != NULL);
  uint64_t s0 = wrun_spawned(rt);
  int64_t t0 = sb_now_ns();
  ASSERT_EQ(rt->ops->block_on(rt, root), 0);
  int64_t t1 = sb_now_ns();
  uint64_t tasks = wrun_spawned(rt) - s0;
  if (w->verify(state, root->out, why, sizeof(why)) != 0) {
    fprintf(stderr, "%s on %s: verify: %s\n", w->name, rt->ops->name, why);
    ASSERT(!"verify failed");
  }
  ASSERT_EQ(root->out, w->checksum(ps));
  ASSERT_EQ(tasks, want->tasks);
  sb_work got = {-1, -1, -1};
  if (w->run_work != NULL)
    w->run_work(state, &got);
  ASSERT_EQ(got.tasks, -1); /* tasks come from the runtime */
  ASSERT_EQ(got.messages, want->messages);
  ASSERT_EQ(got.connections, want->connections);
  if (w->timed_ns != NULL) {
    int64_t timed = w->timed_ns(state);
    ASSERT_GT(timed, 0);
    ASSERT_LE(timed, t1 - t0);
  }
}

/* Runs w with ps on ops (cfg.workers = workers) as one repetition of
 * `runs` runs after a warm-up, and fills *c with its counters. Returns 0,
 * or -EOPNOTSUPP when setup says the workload does not apply (any other
 * failure aborts). */
static inline int wrun(const sb_runtime_ops *ops, int workers,
                       const sb_workload *w, const sb_params *ps, int runs,
                       sb_counters *c) {
  char why[512] = "";
  sb_config cfg = {.workers = workers};
  sb_runtime *rt = NULL;
  void *state = NULL;
  c->n = 0;
  int rc = w->check(ps, why, sizeof(why));
  if (rc != 0)
    fprintf(stderr, "%s: check: %s\n", w->name, why);
  ASSERT_EQ(rc, 0);
  ASSERT(w->work != NULL);
  sb_work want;
  w->work(ps, &want);
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  rc = w->setup(ps, rt, &state, why, sizeof(why));
  if (rc != 0) {
    fprintf(stderr, "%s: setup: %s\n", w->name, why);
    ASSERT_EQ(rc, -EOPNOTSUPP);
    ops->close(rt);
    return rc;
  }
  wrun_once(w, rt, state, ps, &want); /* the warm-up */
  if (w->reset != NULL)
    w->reset(state);
  for (int i = 0; i < runs; i++)
    wrun_once(w, rt, state, ps, &want);
  ASSERT_GT(w->ops(ps), 0);
  if (w->counters != NULL)
    w->counters(state, c);
  w->teardown(state);
  ops->close(rt);
  return 0;
}

#endif
