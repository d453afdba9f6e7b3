/* Conformance: the broadcast event. One set releases every waiting task and
 * every later wait; a dropped pending wait leaves no registration. */
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

static const sb_test_case cases[] = {
    {"broadcast", test_broadcast},
    {"cancel", test_cancel},
};

SB_TEST_MAIN(cases)
