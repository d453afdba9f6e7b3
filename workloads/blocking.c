/* Workload blocking: one task burns cpu_ms of CPU without yielding while m
 * probe tasks sleep 1 ms at a time and record how late they wake; what
 * "don't block the executor" costs when ignored, and with offload=1 what
 * spawn_blocking buys back. */
#include <stdlib.h>

#include "latency.h"
#include "lcg.h"
#include "runtimes/primitives/blocking.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

#define PROBE_NS 1000000 /* each probe sleeps 1 ms at a time */
#define BURN_SEED 1      /* the burner's LCG start value */

static const sb_param_spec specs[] = {{"m", 4, 1, 1 << 16},
                                      {"cpu_ms", 100, 1, 60000},
                                      {"offload", 0, 0, 1},
                                      {NULL, 0, 0, 0}};

typedef struct blocking_state blocking_state;

/* Sleeps 1 ms and records the lateness, at least once and at most cpu_ms
 * times, until the burner is done; returns 1. The cap lets a runtime whose
 * sleeps hold a worker (pool) finish with fewer workers than probes: the
 * burner runs once the probes holding the workers are through. */
typedef struct probe {
  sb_future base;
  blocking_state *st; /* the workload state */
  int64_t wakes;      /* wakes so far */
  sb_sleep sleep;     /* the sleep in flight */
} probe;

/* Burns iters LCG steps inline (offload = 0) or through spawn_blocking. */
typedef struct burner {
  sb_future base;
  blocking_state *st;    /* the workload state */
  int64_t t0;            /* sb_now_ns when the burn began */
  uint64_t result;       /* the burn's LCG result */
  sb_spawn_blocking off; /* the offloaded burn (offload = 1) */
} burner;

typedef struct blocking_root {
  sb_future base;
  blocking_state *st; /* the workload state */
  int64_t spawned;    /* tasks spawned: m probes, then the burner */
  int64_t j;          /* the task being joined */
  uint64_t sum;       /* outputs joined so far */
} blocking_root;

struct blocking_state {
  int64_t m, cpu_ms; /* probes, burn length */
  int offload;       /* 1: burn through spawn_blocking */
  int64_t iters;     /* calibrated LCG steps for cpu_ms */
  atomic_int done;   /* 1 once this run's burn has finished */
  /* Tallies of the repetition: the runs since the last reset. */
  atomic_llong wakes; /* probe wakes */
  int64_t runs;       /* runs finished */
  int64_t burn_sum;   /* sum of the runs' burn times, ns */
  sb_latency *late;   /* probe lateness, every wake */
  sb_join *joins;     /* m + 1 join handles; the burner's is last */
  sb__run_error err;  /* the run's first error */
  blocking_root root; /* the root future of the current run */
};

static void probe_drop(sb_future *f, sb_runtime *rt) {
  probe *self = (probe *)f;
  sb_future_drop(&self->sleep.base, rt);
}

static sb_poll probe_poll(sb_future *f, sb_cx *cx) {
  probe *self = (probe *)f;
  SB_BEGIN(self);
  do {
    sb_sleep_for_init(&self->sleep, PROBE_NS);
    SB_AWAIT(self, sb_sleep_poll(&self->sleep, cx));
    sb_latency_record(self->st->late, (int64_t)self->sleep.base.out);
    self->wakes++;
  } while (!atomic_load(&self->st->done) && self->wakes < self->st->cpu_ms);
  atomic_fetch_add(&self->st->wakes, self->wakes);
  SB_END(self, 1);
}

static uint64_t burn(void *arg) {
  blocking_state *st = arg;
  return sb__lcg_burn(BURN_SEED, st->iters);
}

static void burner_drop(sb_future *f, sb_runtime *rt) {
  burner *self = (burner *)f;
  sb_future_drop(&self->off.base, rt);
}

static sb_poll burner_poll(sb_future *f, sb_cx *cx) {
  burner *self = (burner *)f;
  SB_BEGIN(self);
  self->t0 = sb_now_ns();
  if (self->st->offload) {
    sb_spawn_blocking_init(&self->off, burn, self->st);
    SB_AWAIT(self, sb_spawn_blocking_poll(&self->off, cx));
    self->result = self->off.base.out;
  } else {
    self->result = burn(self->st); /* the mistake measured: no yield */
  }
  self->st->burn_sum += sb_now_ns() - self->t0;
  atomic_store(&self->st->done, 1);
  SB_END(self, self->result);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  blocking_root *self = (blocking_root *)f;
  for (int64_t j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
}

/* Probes first, so on a single thread they are all asleep before the burn. */
static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  blocking_root *self = (blocking_root *)f;
  blocking_state *st = self->st;
  SB_BEGIN(self);
  atomic_store(&st->done, 0);
  for (self->spawned = 0; self->spawned <= st->m; self->spawned++) {
    int rc;
    if (self->spawned < st->m) {
      probe p = {.base = SB_FUTURE_INIT(probe_poll, probe_drop), .st = st};
      rc = sb_spawn(cx, &p.base, sizeof(p), &st->joins[self->spawned]);
    } else {
      burner b = {.base = SB_FUTURE_INIT(burner_poll, burner_drop), .st = st};
      rc = sb_spawn(cx, &b.base, sizeof(b), &st->joins[self->spawned]);
    }
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn probe or burner");
      atomic_store(&st->done, 1); /* the probes spawned so far stop */
      break;
    }
  }
  for (self->j = 0; self->j < self->spawned; self->j++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
    self->sum += st->joins[self->j].base.out;
  }
  st->runs++;
  SB_END(self, self->sum);
}

static void blocking_teardown(void *state) {
  blocking_state *st = state;
  if (st == NULL)
    return;
  free(st->joins);
  free(st->late);
  free(st);
}

static int blocking_setup(const sb_params *ps, const sb_setup_env *env,
                          void **state, char *why, size_t len) {
  (void)env;
  blocking_state *st = calloc(1, sizeof(*st));
  *state = NULL;
  if (st == NULL)
    goto nomem;
  st->m = sb_param_of(ps, specs, "m");
  st->cpu_ms = sb_param_of(ps, specs, "cpu_ms");
  st->offload = (int)sb_param_of(ps, specs, "offload");
  st->iters = sb__lcg_iters_for_ns(st->cpu_ms * 1000000);
  st->joins = calloc((size_t)st->m + 1, sizeof(sb_join));
  st->late = malloc(sizeof(*st->late));
  if (st->joins == NULL || st->late == NULL)
    goto nomem;
  sb_latency_reset(st->late);
  atomic_init(&st->done, 0);
  atomic_init(&st->wakes, 0);
  *state = st;
  return 0;
nomem:
  blocking_teardown(st);
  snprintf(why, len, "out of memory");
  return -ENOMEM;
}

static sb_future *blocking_root_new(void *state) {
  blocking_state *st = state;
  st->root =
      (blocking_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

/* LCG^iters(BURN_SEED) + m: the burner's result and one per probe. */
static uint64_t blocking_checksum(const sb_params *ps) {
  uint64_t a, c;
  sb__lcg_affine(
      sb__lcg_iters_for_ns(sb_param_of(ps, specs, "cpu_ms") * 1000000), &a, &c);
  return a * BURN_SEED + c + (uint64_t)sb_param_of(ps, specs, "m");
}

static int blocking_verify(void *state, uint64_t out, char *why, size_t len) {
  blocking_state *st = state;
  sb_params ps = {
      {{"m", st->m}, {"cpu_ms", st->cpu_ms}, {"offload", st->offload}}};
  return sb__verify_out(&st->err, out, blocking_checksum(&ps), why, len);
}

/* The most probe wakes a run can have, which a runtime that is never
 * blocked gives: one per probe per ms of burn. The wakes that really
 * happened are a counter. */
static int64_t blocking_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "m") * sb_param_of(ps, specs, "cpu_ms");
}

static void blocking_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(sb_param_of(ps, specs, "m") + 1); /* probes, burner */
}

static void blocking_reset(void *state) {
  blocking_state *st = state;
  sb_latency_reset(st->late);
  atomic_store(&st->wakes, 0);
  st->runs = 0;
  st->burn_sum = 0;
}

static void blocking_counters(void *state, sb_counters *c) {
  blocking_state *st = state;
  sb_latency_counters(st->late, SB_LATENCY_NAMES("probe_late_"), c);
  sb_counter_set(c, "iters", (double)st->iters);
  if (st->runs > 0) {
    sb_counter_set(c, "probe_wakes_per_run",
                   (double)atomic_load(&st->wakes) / (double)st->runs);
    sb_counter_set(c, "burn_ns", (double)st->burn_sum / (double)st->runs);
  }
}

/* Quick: a 100 ms burn with 4 probes, inline and offloaded. */
static const sb_params quick[] = {{{{"m", 4}, {"cpu_ms", 100}, {"offload", 0}}},
                                  {{{"m", 4}, {"cpu_ms", 100}, {"offload", 1}}},
                                  {{{NULL, 0}}}};
static const sb_params full[] = {{{{"m", 16}, {"cpu_ms", 500}, {"offload", 0}}},
                                 {{{"m", 16}, {"cpu_ms", 500}, {"offload", 1}}},
                                 {{{NULL, 0}}}};

const sb_workload sb_workload_blocking = {
    .name = "blocking",
    .question = "What does blocking the executor with a CPU loop cost the "
                "other tasks' latency?",
    .unit = "probe wake",
    .kind = "pitfall",
    .headline = "probe_late_p99_ns",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = blocking_setup,
    .root = blocking_root_new,
    .verify = blocking_verify,
    .checksum = blocking_checksum,
    .ops = blocking_ops,
    .work = blocking_work,
    .reset = blocking_reset,
    .counters = blocking_counters,
    .teardown = blocking_teardown,
};
