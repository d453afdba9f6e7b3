/* Workload sum: the sum of squares of a large array, a task per chunk (the
 * rayon example). Pure CPU and memory bandwidth: no task ever waits on
 * another except the root joining them. */
#include <stdlib.h>

#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

#define SUM_MAX_N (INT64_C(1) << 30)      /* 8 GiB of uint64_t */
#define SUM_MAX_CHUNKS (INT64_C(1) << 22) /* join handles per run */

static const sb_param_spec specs[] = {{"n", 1 << 22, 1, SUM_MAX_N},
                                      {"chunk", 1 << 16, 1, SUM_MAX_N},
                                      {NULL, 0, 0, 0}};

typedef struct sum_state sum_state;

/* Returns the sum of a[i]*a[i] for lo <= i < hi. */
typedef struct chunk_task {
  sb_future base;
  const uint64_t *a; /* the array */
  int64_t lo, hi;    /* the chunk */
} chunk_task;

typedef struct sum_root {
  sb_future base;
  sum_state *st;   /* the workload state */
  int64_t spawned; /* chunk tasks spawned */
  int64_t j;       /* the chunk being joined */
  uint64_t sum;    /* chunk sums joined so far */
} sum_root;

struct sum_state {
  int64_t n, chunk;  /* the params */
  int64_t nchunks;   /* ceil(n / chunk) */
  uint64_t *a;       /* a[i] = i, written in setup */
  sb_join *joins;    /* nchunks join handles */
  sb__run_error err; /* the run's first error */
  sum_root root;     /* the root future of the current run */
};

static sb_poll chunk_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  chunk_task *self = (chunk_task *)f;
  uint64_t s = 0;
  for (int64_t i = self->lo; i < self->hi; i++)
    s += self->a[i] * self->a[i];
  return sb_future_ready(&self->base, s);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  sum_root *self = (sum_root *)f;
  for (int64_t j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  sum_root *self = (sum_root *)f;
  sum_state *st = self->st;
  SB_BEGIN(self);
  for (self->spawned = 0; self->spawned < st->nchunks; self->spawned++) {
    int64_t lo = self->spawned * st->chunk;
    chunk_task t = {.base = SB_FUTURE_INIT(chunk_poll, NULL),
                    .a = st->a,
                    .lo = lo,
                    .hi = lo + st->chunk < st->n ? lo + st->chunk : st->n};
    int rc = sb_spawn(cx, &t.base, sizeof(t), &st->joins[self->spawned]);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn chunk task");
      break;
    }
  }
  for (self->j = 0; self->j < self->spawned; self->j++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
    self->sum += st->joins[self->j].base.out;
  }
  SB_END(self, self->sum);
}

/* A chunk no larger than the array, and at most SUM_MAX_CHUNKS of them. */
static int sum_check(const sb_params *ps, char *why, size_t len) {
  int64_t n = sb_param_of(ps, specs, "n"), c = sb_param_of(ps, specs, "chunk");
  if (c > n) {
    snprintf(why, len, "param chunk=%" PRId64 " out of range [1, %" PRId64 "]",
             c, n);
    return -EINVAL;
  }
  if ((n + c - 1) / c > SUM_MAX_CHUNKS) {
    snprintf(why, len, "n/chunk = %" PRId64 " chunks, more than %" PRId64,
             (n + c - 1) / c, SUM_MAX_CHUNKS);
    return -EINVAL;
  }
  return 0;
}

static void sum_teardown(void *state) {
  sum_state *st = state;
  if (st == NULL)
    return;
  free(st->joins);
  free(st->a);
  free(st);
}

static int sum_setup(const sb_params *ps, const sb_setup_env *env, void **state,
                     char *why, size_t len) {
  (void)env;
  sum_state *st = calloc(1, sizeof(*st));
  *state = NULL;
  if (st == NULL)
    goto nomem;
  st->n = sb_param_of(ps, specs, "n");
  st->chunk = sb_param_of(ps, specs, "chunk");
  st->nchunks = (st->n + st->chunk - 1) / st->chunk;
  st->a = malloc((size_t)st->n * sizeof(uint64_t));
  st->joins = calloc((size_t)st->nchunks, sizeof(sb_join));
  if (st->a == NULL || st->joins == NULL)
    goto nomem;
  /* Written here, so every page is resident before the first timed run. */
  for (int64_t i = 0; i < st->n; i++)
    st->a[i] = (uint64_t)i;
  *state = st;
  return 0;
nomem:
  sum_teardown(st);
  snprintf(why, len, "out of memory for %" PRId64 " elements",
           sb_param_of(ps, specs, "n"));
  return -ENOMEM;
}

static sb_future *sum_root_new(void *state) {
  sum_state *st = state;
  st->root = (sum_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t sum_checksum(const sb_params *ps) {
  /* (n-1) n (2n-1) / 6 mod 2^64: divide the factors exactly first (one of
   * n-1, n is even; one of the three is a multiple of 3). */
  uint64_t n = (uint64_t)sb_param_of(ps, specs, "n");
  uint64_t f[3] = {n - 1, n, 2 * n - 1};
  for (int i = 0; i < 2; i++)
    if (f[i] % 2 == 0) {
      f[i] /= 2;
      break;
    }
  for (int i = 0; i < 3; i++)
    if (f[i] % 3 == 0) {
      f[i] /= 3;
      break;
    }
  return f[0] * f[1] * f[2];
}

static int sum_verify(void *state, uint64_t out, char *why, size_t len) {
  sum_state *st = state;
  sb_params ps = {{{"n", st->n}, {"chunk", st->chunk}}};
  return sb__verify_out(&st->err, out, sum_checksum(&ps), why, len);
}

static int64_t sum_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "n");
}

static void sum_work(const sb_params *ps, sb_work *out) {
  int64_t n = sb_param_of(ps, specs, "n"), c = sb_param_of(ps, specs, "chunk");
  *out = sb__work_tasks((n + c - 1) / c); /* a task per chunk */
}

/* Quick: 32 MiB in 64 chunks. Full: 128 MiB in 4096, 256 and 16 chunks. */
static const sb_params quick[] = {{{{"n", 1 << 22}, {"chunk", 1 << 16}}},
                                  {{{NULL, 0}}}};
static const sb_params full[] = {{{{"n", 1 << 24}, {"chunk", 1 << 12}}},
                                 {{{"n", 1 << 24}, {"chunk", 1 << 16}}},
                                 {{{"n", 1 << 24}, {"chunk", 1 << 20}}},
                                 {{{NULL, 0}}}};

const sb_workload sb_workload_sum = {
    .name = "sum",
    .question = "For pure CPU work split into chunks, do threads and async "
                "differ at all?",
    .unit = "element",
    .kind = "cpu",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .check = sum_check,
    .setup = sum_setup,
    .root = sum_root_new,
    .verify = sum_verify,
    .checksum = sum_checksum,
    .ops = sum_ops,
    .work = sum_work,
    .counters = NULL,
    .teardown = sum_teardown,
};
