/* Stress: wake storms. Target tasks wait until a number of wakes has been
 * delivered to them; OS threads outside the runtime and waker tasks inside
 * it wake them at random, as fast as they can, many at once, while the
 * targets are idle, queued or running. A lost wakeup hangs the test (ctest's
 * timeout); a wake of a finished task trips ASan or the runtime's asserts. */
#include <pthread.h>
#include <sched.h>

#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

#define NTHREADS 3 /* OS threads that wake from outside */

/* A target's registration, shared with whoever wakes it. */
typedef struct slot {
  pthread_mutex_t lock; /* protects every field below */
  sb_waker waker;       /* the target's waker, valid while armed */
  int armed;            /* 1 while the target waits and waker is valid */
  uint64_t delivered;   /* wakes delivered to the target so far */
} slot;

typedef struct storm {
  slot *slots;      /* one per target */
  int ntargets;     /* targets */
  uint64_t need;    /* wakes each target waits for */
  _Atomic int done; /* targets finished */
} storm;

/* Wakes target i if it waits. Returns 1 if it did. */
static int poke(storm *s, int i) {
  slot *sl = &s->slots[i];
  int woke = 0;
  pthread_mutex_lock(&sl->lock);
  if (sl->armed) {
    sb_wake(sl->waker); /* under the lock: the target disarms under it */
    sl->delivered++;
    woke = 1;
  }
  pthread_mutex_unlock(&sl->lock);
  return woke;
}

typedef struct target {
  sb_future base;
  storm *s;
  int i;
  uint64_t polls;
} target;

static sb_poll target_poll(sb_future *f, sb_cx *cx) {
  target *self = (target *)f;
  slot *sl = &self->s->slots[self->i];
  self->polls++;
  pthread_mutex_lock(&sl->lock);
  if (sl->delivered >= self->s->need) {
    sl->armed = 0; /* nobody may wake us once we are done */
    pthread_mutex_unlock(&sl->lock);
    atomic_fetch_add(&self->s->done, 1);
    self->base.out = self->polls;
    return SB_READY;
  }
  sl->waker = cx->waker;
  sl->armed = 1;
  pthread_mutex_unlock(&sl->lock);
  /* Now and then stay busy a little, so that wakes also land while the
   * task is running and must make it run again after this poll. */
  if (self->polls % 4 == 0)
    for (volatile int spin = 0; spin < 200; spin++)
      ;
  return SB_PENDING;
}

static void *outside_main(void *arg) {
  storm *s = arg;
  uint32_t rng = (uint32_t)(uintptr_t)&rng | 1u;
  while (atomic_load(&s->done) < s->ntargets) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    if (!poke(s, (int)(rng % (uint32_t)s->ntargets)))
      sched_yield();
  }
  return NULL;
}

/* A task that wakes targets from inside the runtime, yielding in between. */
typedef struct inside {
  sb_future base;
  storm *s;
  uint32_t rng;
  sb_yield y;
} inside;

static sb_poll inside_poll(sb_future *f, sb_cx *cx) {
  inside *self = (inside *)f;
  SB_BEGIN(self);
  while (atomic_load(&self->s->done) < self->s->ntargets) {
    for (int k = 0; k < 16; k++) {
      self->rng ^= self->rng << 13;
      self->rng ^= self->rng >> 17;
      self->rng ^= self->rng << 5;
      poke(self->s, (int)(self->rng % (uint32_t)self->s->ntargets));
    }
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  SB_END(self, 0);
}

#define NINSIDE 4

typedef struct storm_root {
  sb_future base;
  storm *s;
  int i;
  sb_join *joins;
  sb_join insiders[NINSIDE];
  pthread_t th[NTHREADS];
} storm_root;

static sb_poll storm_poll(sb_future *f, sb_cx *cx) {
  storm_root *self = (storm_root *)f;
  storm *s = self->s;
  SB_BEGIN(self);
  for (self->i = 0; self->i < s->ntargets; self->i++) {
    target t = {.base = SB_FUTURE_INIT(target_poll, NULL), .s = s};
    t.i = self->i;
    ASSERT_EQ(sb_spawn(cx, &t.base, sizeof t, &self->joins[self->i]), 0);
  }
  for (self->i = 0; self->i < NINSIDE; self->i++) {
    inside in = {.base = SB_FUTURE_INIT(inside_poll, NULL), .s = s};
    in.rng = 0x9e3779b9u * (uint32_t)(self->i + 1);
    ASSERT_EQ(sb_spawn(cx, &in.base, sizeof in, &self->insiders[self->i]), 0);
  }
  for (int k = 0; k < NTHREADS; k++)
    ASSERT_EQ(pthread_create(&self->th[k], NULL, outside_main, s), 0);
  for (self->i = 0; self->i < s->ntargets; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    ASSERT_GE(self->joins[self->i].base.out, 2); /* it did wait */
  }
  for (self->i = 0; self->i < NINSIDE; self->i++)
    SB_AWAIT(self, sb_join_poll(&self->insiders[self->i], cx));
  /* Every target is done, so the threads are about to leave. */
  for (int k = 0; k < NTHREADS; k++)
    ASSERT_EQ(pthread_join(self->th[k], NULL), 0);
  SB_END(self, atomic_load(&s->done));
}

static void run_storm(const sb_runtime_ops *ops, int ntargets, uint64_t need) {
  storm s = {.ntargets = ntargets, .need = need};
  atomic_init(&s.done, 0);
  s.slots = calloc((size_t)ntargets, sizeof(slot));
  ASSERT(s.slots != NULL);
  for (int i = 0; i < ntargets; i++)
    ASSERT_EQ(pthread_mutex_init(&s.slots[i].lock, NULL), 0);
  storm_root root = {.base = SB_FUTURE_INIT(storm_poll, NULL), .s = &s};
  root.joins = calloc((size_t)ntargets, sizeof(sb_join));
  ASSERT(root.joins != NULL);
  ASSERT_EQ(sb_test_run(ops, &root.base), ntargets);
  for (int i = 0; i < ntargets; i++) {
    ASSERT_GE(s.slots[i].delivered, need);
    ASSERT_EQ(s.slots[i].armed, 0);
    pthread_mutex_destroy(&s.slots[i].lock);
  }
  free(root.joins);
  free(s.slots);
}

static void test_storm(const sb_runtime_ops *ops) {
  if (ops->flags & SB_RT_THREAD_PER_TASK)
    run_storm(ops, 40, 500);
  else
    run_storm(ops, 500, 400);
}

/* Few targets, hammered: most wakes coalesce with one already pending. */
static void test_storm_hot(const sb_runtime_ops *ops) {
  run_storm(ops, 4, (ops->flags & SB_RT_THREAD_PER_TASK) ? 5000 : 50000);
}

static const sb_test_case cases[] = {
    {"storm", test_storm},
    {"storm_hot", test_storm_hot},
};

SB_TEST_MAIN(cases)
