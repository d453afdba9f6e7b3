/* Workload spawn: spawn and join n trivial tasks in batches of up to 1024,
 * so the run is the runtime's spawn, first poll, completion and join. */
#include <stdlib.h>

#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

#define BATCH 1024

static const sb_param_spec specs[] = {{"n", 100000, 1, INT64_C(1) << 32},
                                      {NULL, 0, 0, 0}};

typedef struct spawn_state spawn_state;

/* Task i: returns i at its first poll. */
typedef struct trivial {
  sb_future base;
  uint64_t i; /* the task's index and output */
} trivial;

typedef struct spawn_root {
  sb_future base;
  spawn_state *st; /* the workload state */
  int64_t done;    /* tasks joined in earlier batches */
  int spawned;     /* tasks spawned in this batch */
  int j;           /* the task of this batch being joined */
  int failed;      /* 1 once a spawn failed: no more batches */
  uint64_t sum;    /* outputs joined so far */
} spawn_root;

struct spawn_state {
  int64_t n;            /* tasks per run */
  sb_join joins[BATCH]; /* one batch of join handles */
  sb__run_error err;    /* the run's first error */
  spawn_root root;      /* the root future of the current run */
};

static sb_poll trivial_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  trivial *self = (trivial *)f;
  return sb_future_ready(&self->base, self->i);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  spawn_root *self = (spawn_root *)f;
  for (int j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  spawn_root *self = (spawn_root *)f;
  spawn_state *st = self->st;
  SB_BEGIN(self);
  while (self->done < st->n && !self->failed) {
    for (self->spawned = 0;
         self->spawned < BATCH && self->done + self->spawned < st->n;
         self->spawned++) {
      trivial t = {.base = SB_FUTURE_INIT(trivial_poll, NULL),
                   .i = (uint64_t)(self->done + self->spawned)};
      int rc = sb_spawn(cx, &t.base, sizeof(t), &st->joins[self->spawned]);
      if (rc < 0) {
        sb__run_error_set(&st->err, rc, "spawn trivial task");
        self->failed = 1;
        break;
      }
    }
    for (self->j = 0; self->j < self->spawned; self->j++) {
      SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
      self->sum += st->joins[self->j].base.out;
    }
    self->done += self->spawned;
    self->spawned = 0;
  }
  SB_END(self, self->sum);
}

static int spawn_setup(const sb_params *ps, const sb_setup_env *env,
                       void **state, char *why, size_t len) {
  (void)env;
  spawn_state *st = calloc(1, sizeof(*st));
  *state = st;
  if (st == NULL) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  st->n = sb_param_of(ps, specs, "n");
  return 0;
}

static sb_future *spawn_root_new(void *state) {
  spawn_state *st = state;
  st->root =
      (spawn_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t spawn_checksum(const sb_params *ps) {
  uint64_t n = (uint64_t)sb_param_of(ps, specs, "n");
  /* n(n-1)/2: halve whichever factor is even. */
  return n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
}

static int spawn_verify(void *state, uint64_t out, char *why, size_t len) {
  spawn_state *st = state;
  sb_params ps = {{{"n", st->n}}};
  return sb__verify_out(&st->err, out, spawn_checksum(&ps), why, len);
}

static int64_t spawn_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "n");
}

static void spawn_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(sb_param_of(ps, specs, "n"));
}

static void spawn_teardown(void *state) {
  free(state);
}

/* Quick: a thread create and join costs threads ~10-20 us; 10k stays near
 * 150 ms there and a few ms on the executors. */
static const sb_params quick[] = {{{{"n", 10000}}}, {{{NULL, 0}}}};
static const sb_params full[] = {{{{"n", 100000}}}, {{{NULL, 0}}}};

const sb_workload sb_workload_spawn = {
    .name = "spawn",
    .question = "What does spawning and joining a trivial task cost?",
    .unit = "task",
    .kind = "spawn",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = spawn_setup,
    .root = spawn_root_new,
    .verify = spawn_verify,
    .checksum = spawn_checksum,
    .ops = spawn_ops,
    .work = spawn_work,
    .counters = NULL,
    .teardown = spawn_teardown,
};
