/* Workload yield: k tasks each give the processor away n times, so the run
 * is nothing but the scheduler switching between ready tasks (sched_yield
 * on the OS-thread runtimes, a re-queue on the executors). */
#include <stdlib.h>

#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

static const sb_param_spec specs[] = {
    {"k", 4, 1, 1 << 20}, {"n", 10000, 0, INT64_C(1) << 32}, {NULL, 0, 0, 0}};

typedef struct yield_state yield_state;

/* Task j: yields n times, returns (j+1)*n. */
typedef struct yielder {
  sb_future base;
  int64_t j;  /* the task's index */
  int64_t n;  /* yields to do */
  int64_t i;  /* yields done */
  sb_yield y; /* the yield in flight */
} yielder;

typedef struct yield_root {
  sb_future base;
  yield_state *st; /* the workload state */
  int64_t spawned; /* tasks spawned so far */
  int64_t j;       /* the task being joined */
  uint64_t sum;    /* outputs joined so far */
} yield_root;

struct yield_state {
  int64_t k, n;      /* tasks, yields per task */
  sb_join *joins;    /* k join handles */
  sb__run_error err; /* the run's first error */
  yield_root root;   /* the root future of the current run */
};

static sb_poll yielder_poll(sb_future *f, sb_cx *cx) {
  yielder *self = (yielder *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  SB_END(self, (uint64_t)(self->j + 1) * (uint64_t)self->n);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  yield_root *self = (yield_root *)f;
  for (int64_t j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  yield_root *self = (yield_root *)f;
  yield_state *st = self->st;
  SB_BEGIN(self);
  for (self->spawned = 0; self->spawned < st->k; self->spawned++) {
    yielder y = {.base = SB_FUTURE_INIT(yielder_poll, NULL),
                 .j = self->spawned,
                 .n = st->n};
    int rc = sb_spawn(cx, &y.base, sizeof(y), &st->joins[self->spawned]);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn yielder");
      break;
    }
  }
  for (self->j = 0; self->j < self->spawned; self->j++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
    self->sum += st->joins[self->j].base.out;
  }
  SB_END(self, self->sum);
}

static int yield_setup(const sb_params *ps, const sb_setup_env *env,
                       void **state, char *why, size_t len) {
  (void)env;
  yield_state *st = calloc(1, sizeof(*st));
  *state = NULL;
  if (st == NULL)
    goto nomem;
  st->k = sb_param_of(ps, specs, "k");
  st->n = sb_param_of(ps, specs, "n");
  st->joins = calloc((size_t)st->k, sizeof(sb_join));
  if (st->joins == NULL)
    goto nomem;
  *state = st;
  return 0;
nomem:
  free(st);
  snprintf(why, len, "out of memory");
  return -ENOMEM;
}

static sb_future *yield_root_new(void *state) {
  yield_state *st = state;
  st->root =
      (yield_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t yield_checksum(const sb_params *ps) {
  uint64_t k = (uint64_t)sb_param_of(ps, specs, "k");
  uint64_t n = (uint64_t)sb_param_of(ps, specs, "n");
  uint64_t tri = k % 2 == 0 ? (k / 2) * (k + 1) : k * ((k + 1) / 2);
  return n * tri;
}

static int yield_verify(void *state, uint64_t out, char *why, size_t len) {
  yield_state *st = state;
  sb_params ps = {{{"k", st->k}, {"n", st->n}}};
  return sb__verify_out(&st->err, out, yield_checksum(&ps), why, len);
}

static int64_t yield_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "k") * sb_param_of(ps, specs, "n");
}

static void yield_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(sb_param_of(ps, specs, "k"));
}

static void yield_teardown(void *state) {
  yield_state *st = state;
  if (st == NULL)
    return;
  free(st->joins);
  free(st);
}

/* Quick: 40k sched_yields keep threads near 50 ms on 2 cores. */
static const sb_params quick[] = {{{{"k", 4}, {"n", 10000}}}, {{{NULL, 0}}}};
static const sb_params full[] = {{{{"k", 2}, {"n", 100000}}},
                                 {{{"k", 16}, {"n", 20000}}},
                                 {{{"k", 256}, {"n", 2000}}},
                                 {{{NULL, 0}}}};

const sb_workload sb_workload_yield = {
    .name = "yield",
    .question = "What does giving the processor to another ready task cost?",
    .unit = "yield",
    .kind = "switch",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = yield_setup,
    .root = yield_root_new,
    .verify = yield_verify,
    .checksum = yield_checksum,
    .ops = yield_ops,
    .work = yield_work,
    .counters = NULL,
    .teardown = yield_teardown,
};
