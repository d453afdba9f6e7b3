/* Conformance: spawn_blocking. Plain C functions run off the executor (or
 * inline on `threads`) and wake their task; more jobs than pool threads
 * queue; a job whose op was dropped finishes without waking anyone. */
#include <stdatomic.h>

#include "probe.h"
#include "runtimes/primitives/blocking.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

#define MS (1000 * 1000)

/* Sleeps 3 ms in the kernel (a blocking call), then returns arg * 2. */
static uint64_t slow_double(void *arg) {
  struct timespec ts = {0, 3 * MS};
  nanosleep(&ts, NULL);
  return (uint64_t)(uintptr_t)arg * 2;
}

typedef struct offload {
  sb_future base;
  uint64_t v;
  sb_spawn_blocking op;
} offload;

static sb_poll offload_poll(sb_future *f, sb_cx *cx) {
  offload *self = (offload *)f;
  SB_BEGIN(self);
  sb_spawn_blocking_init(&self->op, slow_double, (void *)(uintptr_t)self->v);
  SB_AWAIT(self, sb_spawn_blocking_poll(&self->op, cx));
  SB_END(self, self->op.base.out);
}

/* ---- many tasks offload at once (more than SB_BLOCKING_THREADS) ------- */

#define NJOBS (SB_BLOCKING_THREADS * 3)

typedef struct many_root {
  sb_future base;
  int i;
  uint64_t sum;
  sb_join joins[NJOBS];
} many_root;

static sb_poll many_poll(sb_future *f, sb_cx *cx) {
  many_root *self = (many_root *)f;
  SB_BEGIN(self);
  for (int i = 0; i < NJOBS; i++) {
    offload o = {.base = SB_FUTURE_INIT(offload_poll, NULL), .v = (uint64_t)i};
    ASSERT_EQ(sb_spawn(cx, &o.base, sizeof(o), &self->joins[i]), 0);
  }
  for (self->i = 0; self->i < NJOBS; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    ASSERT_EQ(self->joins[self->i].base.out, (uint64_t)self->i * 2);
    self->sum += self->joins[self->i].base.out;
  }
  SB_END(self, self->sum);
}

static void test_many(const sb_runtime_ops *ops) {
  many_root root = {.base = SB_FUTURE_INIT(many_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), (uint64_t)NJOBS * (NJOBS - 1));
}

/* ---- wakes: a dropped op's job wakes nobody; a kept one wakes once ---- */

static atomic_int jobs_done;

static uint64_t flag_when_done(void *arg) {
  struct timespec ts = {0, 10 * MS};
  nanosleep(&ts, NULL);
  atomic_fetch_add(&jobs_done, 1);
  return (uint64_t)(uintptr_t)arg;
}

typedef struct drop_root {
  sb_future base;
  sb_probe probe;
  int inline_run; /* the runtime ran the function inline */
  int rounds;
  sb_spawn_blocking *dropped;
  sb_spawn_blocking kept;
  sb_sleep nap;
} drop_root;

static sb_poll drop_poll(sb_future *f, sb_cx *cx) {
  drop_root *self = (drop_root *)f;
  SB_BEGIN(self);
  sb_probe_init(&self->probe);
  atomic_store(&jobs_done, 0);
  self->dropped = malloc(sizeof(*self->dropped));
  ASSERT(self->dropped != NULL);
  sb_spawn_blocking_init(self->dropped, flag_when_done, (void *)1);
  sb_spawn_blocking_init(&self->kept, flag_when_done, (void *)2);
  {
    sb_cx pcx = sb_probe_cx(&self->probe, cx);
    if (sb_spawn_blocking_poll(self->dropped, &pcx) == SB_READY) {
      /* Thread-per-task: ran inline, as the contract allows. */
      ASSERT(cx->rt->ops->flags & SB_RT_THREAD_PER_TASK);
      ASSERT_EQ(self->dropped->base.out, 1);
      self->inline_run = 1;
    } else {
      sb_future_drop(&self->dropped->base, cx->rt);
      ASSERT_EQ(sb_spawn_blocking_poll(&self->kept, &pcx), SB_PENDING);
    }
  }
  free(self->dropped);
  if (self->inline_run)
    SB_RETURN(self, 1);
  /* Wait (bounded) for the kept job's wake to reach the probe. */
  for (self->rounds = 0; sb_probe_wakes(&self->probe) == 0; self->rounds++) {
    ASSERT_LT(self->rounds, 1000); /* 5 s */
    sb_sleep_for_init(&self->nap, 5 * MS);
    SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  }
  /* Both jobs take the same time; let the dropped one finish too. */
  while (atomic_load(&jobs_done) < 2) {
    sb_sleep_for_init(&self->nap, 5 * MS);
    SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  }
  sb_sleep_for_init(&self->nap, 20 * MS);
  SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1); /* only the kept job woke */
  SB_AWAIT(self, sb_spawn_blocking_poll(&self->kept, cx));
  ASSERT_EQ(self->kept.base.out, 2);
  SB_END(self, 1);
}

static void test_drop(const sb_runtime_ops *ops) {
  drop_root root = {.base = SB_FUTURE_INIT(drop_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

static const sb_test_case cases[] = {
    {"many", test_many},
    {"drop", test_drop},
};

SB_TEST_MAIN(cases)
