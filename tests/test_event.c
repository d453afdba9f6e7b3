/* Conformance: the broadcast event. One set releases every waiting task and
 * every later wait; a dropped pending wait leaves no registration. */
#include "outside.h"
#include "probe.h"
#include "runtimes/primitives/event.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

typedef struct waiter {
  sb_future base;
  sb_event *e;
  sb_event_wait op;
} waiter;

static sb_poll waiter_poll(sb_future *f, sb_cx *cx) {
  waiter *self = (waiter *)f;
  SB_BEGIN(self);
  sb_event_wait_init(&self->op, self->e);
  SB_AWAIT(self, sb_event_wait_poll(&self->op, cx));
  SB_END(self, 1);
}

#define NWAITERS 100

typedef struct bcast_root {
  sb_future base;
  sb_event *e;
  int i;
  uint64_t sum;
  sb_join joins[NWAITERS + 1];
  sb_yield y;
} bcast_root;

static sb_poll bcast_poll(sb_future *f, sb_cx *cx) {
  bcast_root *self = (bcast_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_event_open(&self->e), 0);
  for (int i = 0; i < NWAITERS; i++) {
    waiter w = {.base = SB_FUTURE_INIT(waiter_poll, NULL), .e = self->e};
    ASSERT_EQ(sb_spawn(cx, &w.base, sizeof(w), &self->joins[i]), 0);
  }
  /* Give the waiters a chance to register before the set (not required:
   * a set before a wait releases it as well). */
  for (self->i = 0; self->i < 10; self->i++) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  sb_event_set(self->e);
  {
    /* A wait that starts after the set is READY at once. */
    waiter w = {.base = SB_FUTURE_INIT(waiter_poll, NULL), .e = self->e};
    ASSERT_EQ(sb_spawn(cx, &w.base, sizeof(w), &self->joins[NWAITERS]), 0);
  }
  for (self->i = 0; self->i <= NWAITERS; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    self->sum += self->joins[self->i].base.out;
  }
  sb_event_free(self->e);
  SB_END(self, self->sum);
}

static void test_broadcast(const sb_runtime_ops *ops) {
  bcast_root root = {.base = SB_FUTURE_INIT(bcast_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), NWAITERS + 1);
}

/* ---- a dropped wait is not woken; a kept one is woken once ------------ */

typedef struct cancel_root {
  sb_future base;
  sb_probe probe;
  sb_event *e;
  sb_event_wait *dropped;
  sb_event_wait kept;
} cancel_root;

static sb_poll cancel_poll(sb_future *f, sb_cx *cx) {
  cancel_root *self = (cancel_root *)f;
  SB_BEGIN(self);
  sb_probe_init(&self->probe);
  ASSERT_EQ(sb_event_open(&self->e), 0);
  self->dropped = malloc(sizeof(*self->dropped));
  ASSERT(self->dropped != NULL);
  sb_event_wait_init(self->dropped, self->e);
  sb_event_wait_init(&self->kept, self->e);
  {
    sb_cx pcx = sb_probe_cx(&self->probe, cx);
    ASSERT_EQ(sb_event_wait_poll(self->dropped, &pcx), SB_PENDING);
    ASSERT_EQ(sb_event_wait_poll(&self->kept, &pcx), SB_PENDING);
    ASSERT_EQ(sb_event_wait_poll(&self->kept, &pcx), SB_PENDING); /* again */
  }
  sb_future_drop(&self->dropped->base, cx->rt);
  free(self->dropped);
  sb_event_set(self->e); /* must reach only the kept wait, once */
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  SB_AWAIT(self, sb_event_wait_poll(&self->kept, cx));
  sb_event_free(self->e);
  SB_END(self, 1);
}

static void test_cancel(const sb_runtime_ops *ops) {
  cancel_root root = {.base = SB_FUTURE_INIT(cancel_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- a wake from another thread while the task it woke runs ----------
 * The runner sets `ready` (waking the root) and waits on b; the root sets
 * b (waking the runner, which on steal runs next from the LIFO slot) and
 * waits on a: pending. While the runner is being polled, an outside thread
 * sets a, and only then does the runner finish; it never touches a. On
 * steal that outside wake lands while the root still counts as running
 * (the end of its poll is put off until after the runner's, sb__steal_run):
 * it must not be lost, or the root waits forever and the test times out. */

typedef struct handoff {
  sb_event *a, *b, *ready;
  sb_outside out; /* sets a when the runner asks */
} handoff;

typedef struct runner {
  sb_future base;
  handoff *h;
  sb_event_wait op;
} runner;

static sb_poll runner_poll(sb_future *f, sb_cx *cx) {
  runner *self = (runner *)f;
  SB_BEGIN(self);
  sb_event_set(self->h->ready);
  sb_event_wait_init(&self->op, self->h->b);
  SB_AWAIT(self, sb_event_wait_poll(&self->op, cx));
  sb_outside_fire(&self->h->out); /* wakes the root meanwhile */
  SB_END(self, 1);
}

typedef struct handoff_root {
  sb_future base;
  handoff h;
  int round;
  uint64_t sum;
  sb_join join;
  sb_event_wait op;
} handoff_root;

#define HANDOFF_ROUNDS 50

static sb_poll handoff_poll(sb_future *f, sb_cx *cx) {
  handoff_root *self = (handoff_root *)f;
  SB_BEGIN(self);
  for (self->round = 0; self->round < HANDOFF_ROUNDS; self->round++) {
    ASSERT_EQ(sb_event_open(&self->h.a), 0);
    ASSERT_EQ(sb_event_open(&self->h.b), 0);
    ASSERT_EQ(sb_event_open(&self->h.ready), 0);
    {
      runner r = {.base = SB_FUTURE_INIT(runner_poll, NULL), .h = &self->h};
      ASSERT_EQ(sb_spawn(cx, &r.base, sizeof(r), &self->join), 0);
    }
    sb_outside_start(&self->h.out, self->h.a);
    sb_event_wait_init(&self->op, self->h.ready);
    SB_AWAIT(self, sb_event_wait_poll(&self->op, cx));
    sb_event_set(self->h.b);
    sb_event_wait_init(&self->op, self->h.a);
    SB_AWAIT(self, sb_event_wait_poll(&self->op, cx));
    SB_AWAIT(self, sb_join_poll(&self->join, cx));
    self->sum += self->join.base.out;
    sb_outside_join(&self->h.out);
    sb_event_free(self->h.a);
    sb_event_free(self->h.b);
    sb_event_free(self->h.ready);
  }
  SB_END(self, self->sum);
}

static void test_outside_wake(const sb_runtime_ops *ops) {
  handoff_root root = {.base = SB_FUTURE_INIT(handoff_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), HANDOFF_ROUNDS);
}

static const sb_test_case cases[] = {
    {"broadcast", test_broadcast},
    {"cancel", test_cancel},
    {"outside_wake", test_outside_wake},
};

SB_TEST_MAIN(cases)
