/* Workloads fib and fibjoin: fork-join recursion, a task per call above a
 * cutoff and plain recursion below it, so spawn cost and work stealing
 * decide the speed-up over sb_fib_serial (fib.h). fib hands each child to
 * sb_spawn (a heap task, spawn+join); fibjoin hands both to sb_join2 (the
 * scoped fork, rayon's join), the same tree and the same count. */
#include <stdlib.h>

#include "fib.h"
#include "runtimes/primitives/fork.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

#define FIB_MAX_N 80 /* fib(80) fits in 64 bits; the serial time does not */

static const sb_param_spec specs[] = {
    {"n", 30, 2, FIB_MAX_N}, {"cutoff", 15, 0, FIB_MAX_N - 1}, {NULL, 0, 0, 0}};

typedef struct fib_state fib_state;

/* fib(k): serial at or below the cutoff, else two child tasks. */
typedef struct fib_task {
  sb_future base;
  fib_state *st; /* the workload state (cutoff, error) */
  int k;         /* the argument */
  sb_join a, b;  /* fib(k-1) and fib(k-2) */
} fib_task;

struct fib_state {
  int n, cutoff;     /* the params */
  sb__run_error err; /* the run's first error */
  fib_task root;     /* the root future of the current run: fib(n) */
};

__attribute__((noinline)) uint64_t sb_fib_serial(int n) {
  return n < 2 ? (uint64_t)n : sb_fib_serial(n - 1) + sb_fib_serial(n - 2);
}

__attribute__((noinline)) uint64_t sb_fib_tree(int n, int cutoff) {
  /* An empty asm makes n opaque: no call is evaluated at compile time or
   * merged with another of the same argument. */
  __asm__("" : "+r"(n));
  if (n <= cutoff || n < 2)
    return sb_fib_serial(n);
  return sb_fib_tree(n - 1, cutoff) + sb_fib_tree(n - 2, cutoff);
}

int64_t sb_fib_tasks(int n, int cutoff) {
  int64_t t[FIB_MAX_N + 1];
  for (int k = 0; k <= n && k <= FIB_MAX_N; k++)
    t[k] = (k <= cutoff || k < 2) ? 0 : 2 + t[k - 1] + t[k - 2];
  return n <= FIB_MAX_N && n >= 0 ? t[n] : -1;
}

static void fib_drop(sb_future *f, sb_runtime *rt) {
  fib_task *self = (fib_task *)f;
  sb_join_release(&self->a, rt);
  sb_join_release(&self->b, rt);
}

static sb_poll fib_poll(sb_future *f, sb_cx *cx) {
  fib_task *self = (fib_task *)f;
  fib_state *st = self->st;
  SB_BEGIN(self);
  if (self->k <= st->cutoff || self->k < 2)
    SB_RETURN(self, sb_fib_serial(self->k));
  {
    fib_task child = {
        .base = SB_FUTURE_INIT(fib_poll, fib_drop), .st = st, .k = self->k - 1};
    int rc = sb_spawn(cx, &child.base, sizeof(child), &self->a);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn fib task");
      SB_RETURN(self, 0);
    }
    child.k = self->k - 2;
    rc = sb_spawn(cx, &child.base, sizeof(child), &self->b);
    if (rc < 0) /* b is inert: awaiting it is READY at once */
      sb__run_error_set(&st->err, rc, "spawn fib task");
  }
  SB_AWAIT(self, sb_join_poll(&self->a, cx));
  SB_AWAIT(self, sb_join_poll(&self->b, cx));
  SB_END(self, self->a.base.out + self->b.base.out);
}

/* ---- fibjoin: the same tree through sb_join2 -------------------------
 * A future cannot hold its own type, so the frames are laid out once, in
 * setup, in preorder: fib(k) at byte offset o has fib(k-1) right after its
 * own frame and fib(k-2) after fib(k-1)'s region, where bytes(k) is the
 * region of fib(k)'s subtree. Each parent's region holds its children's,
 * as a call stack holds a callee's frame: the children are embedded in it
 * and never move, and a fork writes a child in place. A leaf's frame
 * stops before the join it never makes. Unlike a thread's stack, which
 * reuses a finished callee's frame, the layout is as big as the tree,
 * made once per cell, outside the time. */
typedef struct fj_state fj_state;
static void fib_params(fib_state *st, const sb_params *ps);
static int fib_verify(void *state, uint64_t out, char *why, size_t len);
static sb_poll fj_poll_fn(sb_future *f, sb_cx *cx);

typedef struct fj_task {
  sb_future base;
  fj_state *st; /* the workload state */
  int k;        /* the argument */
  uint32_t at;  /* this frame's byte offset in st->frames */
  sb_join2 j;   /* fib(k-1) inline, fib(k-2) forked; absent in a leaf */
} fj_task;

/* Bytes of a leaf's frame and of an inner node's (16-byte multiples, so
 * every frame stays aligned as sb_fork wants). */
#define FJ_LEAF ((offsetof(fj_task, j) + 15) & ~(size_t)15)
#define FJ_NODE sizeof(fj_task)

struct fj_state {
  fib_state fib;                /* params and error, shared with fib */
  int64_t bytes[FIB_MAX_N + 1]; /* bytes of fib(k)'s subtree region */
  unsigned char *frames;        /* bytes[n], fib(n)'s frame first */
};

static int fj_leaf(const fj_state *st, int k) {
  return k <= st->fib.cutoff || k < 2;
}

static void fj_drop(sb_future *f, sb_runtime *rt) {
  fj_task *self = (fj_task *)f;
  /* A leaf has no join; an inner node not polled yet made none. */
  if (!fj_leaf(self->st, self->k) && !sb_future_is_idle(f))
    sb_join2_drop(&self->j, rt);
}

/* Writes fib(k)'s frame at byte offset at (the header alone: a leaf's
 * frame has no room for the join). */
static fj_task *fj_frame(fj_state *st, int k, uint32_t at) {
  fj_task *t = (fj_task *)(st->frames + at);
  t->base = SB_FUTURE_INIT(fj_poll_fn, fj_drop);
  t->st = st;
  t->k = k;
  t->at = at;
  return t;
}

static sb_poll fj_poll_fn(sb_future *f, sb_cx *cx) {
  fj_task *self = (fj_task *)f;
  fj_state *st = self->st;
  if (fj_leaf(st, self->k))
    SB_RETURN(self, sb_fib_serial(self->k));
  uint32_t at_a = self->at + (uint32_t)FJ_NODE;
  uint32_t at_b = at_a + (uint32_t)st->bytes[self->k - 1];
  fj_task *a = (fj_task *)(st->frames + at_a);
  fj_task *b = (fj_task *)(st->frames + at_b);
  SB_BEGIN(self);
  (void)fj_frame(st, self->k - 1, at_a);
  (void)fj_frame(st, self->k - 2, at_b);
  sb_join2_init(&self->j, &a->base, fj_leaf(st, a->k) ? FJ_LEAF : FJ_NODE,
                &b->base, fj_leaf(st, b->k) ? FJ_LEAF : FJ_NODE);
  SB_AWAIT(self, sb_join2_poll(&self->j, cx));
  SB_END(self, a->base.out + b->base.out);
}

static int fj_setup(const sb_params *ps, const sb_setup_env *env, void **state,
                    char *why, size_t len) {
  (void)env;
  fj_state *st = calloc(1, sizeof(*st));
  *state = st;
  if (st == NULL)
    goto oom;
  fib_params(&st->fib, ps);
  for (int k = 0; k <= st->fib.n; k++)
    st->bytes[k] = fj_leaf(st, k)
                       ? (int64_t)FJ_LEAF
                       : (int64_t)FJ_NODE + st->bytes[k - 1] + st->bytes[k - 2];
  if (st->bytes[st->fib.n] > UINT32_MAX / 2)
    goto oom;
  st->frames = aligned_alloc(SB_CACHELINE,
                             ((size_t)st->bytes[st->fib.n] + SB_CACHELINE - 1) &
                                 ~(size_t)(SB_CACHELINE - 1));
  if (st->frames == NULL)
    goto oom;
  return 0;
oom:
  snprintf(why, len, "out of memory for the frames");
  return -ENOMEM;
}

static sb_future *fj_root_new(void *state) {
  fj_state *st = state;
  sb__run_error_reset(&st->fib.err);
  return &fj_frame(st, st->fib.n, 0)->base;
}

static int fj_verify(void *state, uint64_t out, char *why, size_t len) {
  return fib_verify(&((fj_state *)state)->fib, out, why, len);
}

static void fj_teardown(void *state) {
  fj_state *st = state;
  if (st != NULL)
    free(st->frames);
  free(st);
}

/* cutoff < n: a run that spawns no task would have zero ops. */
static int fib_check(const sb_params *ps, char *why, size_t len) {
  int64_t n = sb_param_of(ps, specs, "n"),
          cutoff = sb_param_of(ps, specs, "cutoff");
  if (cutoff < n)
    return 0;
  snprintf(why, len, "param cutoff=%" PRId64 " out of range [0, %" PRId64 "]",
           cutoff, n - 1);
  return -EINVAL;
}

static void fib_params(fib_state *st, const sb_params *ps) {
  st->n = (int)sb_param_of(ps, specs, "n");
  st->cutoff = (int)sb_param_of(ps, specs, "cutoff");
}

static int fib_setup(const sb_params *ps, const sb_setup_env *env, void **state,
                     char *why, size_t len) {
  (void)env;
  fib_state *st = calloc(1, sizeof(*st));
  *state = st;
  if (st == NULL) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  fib_params(st, ps);
  return 0;
}

static sb_future *fib_root_new(void *state) {
  fib_state *st = state;
  st->root = (fib_task){
      .base = SB_FUTURE_INIT(fib_poll, fib_drop), .st = st, .k = st->n};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t fib_checksum(const sb_params *ps) {
  /* Iteratively: the checksum must not cost a serial run. */
  uint64_t a = 0, b = 1;
  for (int64_t k = sb_param_of(ps, specs, "n"); k > 0; k--) {
    uint64_t c = a + b;
    a = b;
    b = c;
  }
  return a;
}

static int fib_verify(void *state, uint64_t out, char *why, size_t len) {
  fib_state *st = state;
  sb_params ps = {{{"n", st->n}, {"cutoff", st->cutoff}}};
  return sb__verify_out(&st->err, out, fib_checksum(&ps), why, len);
}

static int64_t fib_ops(const sb_params *ps) {
  return sb_fib_tasks((int)sb_param_of(ps, specs, "n"),
                      (int)sb_param_of(ps, specs, "cutoff"));
}

static void fib_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(fib_ops(ps));
}

static void fib_teardown(void *state) {
  free(state);
}

/* Quick: 3192 tasks, which threads create in ~50 ms. Full sweeps the cutoff:
 * 35420, 3192 and 286 tasks for the same fib(30). */
static const sb_params quick[] = {{{{"n", 30}, {"cutoff", 15}}}, {{{NULL, 0}}}};
static const sb_params full[] = {{{{"n", 30}, {"cutoff", 10}}},
                                 {{{"n", 30}, {"cutoff", 15}}},
                                 {{{"n", 30}, {"cutoff", 20}}},
                                 {{{NULL, 0}}}};

/* What fib and fibjoin share: the same tree, params, checksum and count. */
#define FIB_COMMON                                                             \
  .unit = "task", .kind = "cpu", .headline = "ns_per_op",                      \
  .headline_unit = "ns", .quick = quick, .full = full, .params = specs,        \
  .check = fib_check
#define FIB_COUNTS                                                             \
  .checksum = fib_checksum, .ops = fib_ops, .work = fib_work, .counters = NULL

const sb_workload sb_workload_fib = {
    .name = "fib",
    .question = "What does a spawn cost in fork-join recursion, and does "
                "work stealing scale?",
    FIB_COMMON,
    .setup = fib_setup,
    .root = fib_root_new,
    .verify = fib_verify,
    .teardown = fib_teardown,
    FIB_COUNTS,
};

const sb_workload sb_workload_fibjoin = {
    .name = "fibjoin",
    .question = "What does a fork cost when the child is joined in place "
                "(rayon's join), beside fib's heap spawn?",
    FIB_COMMON,
    .setup = fj_setup,
    .root = fj_root_new,
    .verify = fj_verify,
    .teardown = fj_teardown,
    FIB_COUNTS,
    .forks = 1,
};
