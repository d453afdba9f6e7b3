/* Conformance: sleep (never early; tasks wake in deadline order), timeout
 * (fires, or lets the child finish and cancels its timer), yield, and a
 * dropped pending sleep that leaves no timer behind. */
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

#define MS (1000 * 1000)

/* A task that sleeps until its deadline, checks it did not wake early, then
 * reports its id on ch. */
typedef struct sleeper {
  sb_future base;
  sb_chan *ch;
  uint64_t id;
  int64_t deadline;
  sb_sleep s;
  sb_chan_send tx;
} sleeper;

static sb_poll sleeper_poll(sb_future *f, sb_cx *cx) {
  sleeper *self = (sleeper *)f;
  SB_BEGIN(self);
  sb_sleep_init(&self->s, self->deadline);
  SB_AWAIT(self, sb_sleep_poll(&self->s, cx));
  ASSERT_GE(sb_now_ns(), self->deadline);
  sb_chan_send_init(&self->tx, self->ch, self->id);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  sb_chan_sender_drop(self->ch);
  SB_END(self, self->id);
}

/* ---- ordering: tasks sleeping at once wake in deadline order ---------- */

/* The deadlines are GAP apart, far more than scheduling noise, so the order
 * is the deadlines' and not a race; only that order is asserted. Tasks are
 * spawned in deadline order: on `pool` a sleeping task holds its worker, so
 * with W workers only the first W spawned can be sleeping at once. */
#define NSLEEPERS 6
#define GAP (25 * MS)

typedef struct order_root {
  sb_future base;
  sb_chan *ch;
  int i;
  uint64_t expect;
  sb_join joins[NSLEEPERS];
  sb_chan_recv rx;
} order_root;

static sb_poll order_poll(sb_future *f, sb_cx *cx) {
  order_root *self = (order_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(NSLEEPERS, NSLEEPERS, &self->ch), 0);
  {
    int64_t t0 = sb_now_ns() + 10 * MS;
    for (int i = 0; i < NSLEEPERS; i++) {
      sleeper s = {.base = SB_FUTURE_INIT(sleeper_poll, NULL)};
      s.ch = self->ch;
      s.id = (uint64_t)i;
      s.deadline = t0 + i * GAP;
      ASSERT_EQ(sb_spawn(cx, &s.base, sizeof(s), &self->joins[i]), 0);
    }
  }
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ch);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    ASSERT_EQ(self->rx.base.out, self->expect);
    self->expect++;
  }
  ASSERT_EQ(self->expect, NSLEEPERS);
  for (self->i = 0; self->i < NSLEEPERS; self->i++)
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
  sb_chan_receiver_drop(self->ch);
  SB_END(self, 1);
}

static void test_order(const sb_runtime_ops *ops) {
  order_root root = {.base = SB_FUTURE_INIT(order_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- a deadline in the past is READY at once; out = lateness ---------- */

typedef struct past_root {
  sb_future base;
  sb_sleep s;
} past_root;

static sb_poll past_poll(sb_future *f, sb_cx *cx) {
  past_root *self = (past_root *)f;
  SB_BEGIN(self);
  sb_sleep_init(&self->s, sb_now_ns() - 5 * MS);
  ASSERT_EQ(sb_sleep_poll(&self->s, cx), SB_READY);
  ASSERT_GE(self->s.base.out, 5 * MS);
  sb_sleep_for_init(&self->s, 2 * MS);
  SB_AWAIT(self, sb_sleep_poll(&self->s, cx));
  SB_END(self, 1);
}

static void test_past_deadline(const sb_runtime_ops *ops) {
  past_root root = {.base = SB_FUTURE_INIT(past_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- timeout: fires around a receive nobody answers; lets a sleep win -- */

typedef struct timeout_root {
  sb_future base;
  sb_chan *ch;
  sb_chan_recv *rx;
  sb_sleep child;
  sb_timeout *t;
  int64_t start;
  sb_sleep nap;
} timeout_root;

static sb_poll timeout_poll(sb_future *f, sb_cx *cx) {
  timeout_root *self = (timeout_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(1, 1, &self->ch), 0);
  self->rx = malloc(sizeof(*self->rx));
  self->t = malloc(sizeof(*self->t));
  ASSERT(self->rx != NULL && self->t != NULL);
  /* 1. The receive never completes: the timeout fires and drops it. */
  sb_chan_recv_init(self->rx, self->ch);
  self->start = sb_now_ns();
  sb_timeout_init(self->t, &self->rx->base, self->start + 10 * MS);
  SB_AWAIT(self, sb_timeout_poll(self->t, cx));
  ASSERT_EQ(self->t->timed_out, 1);
  ASSERT_GE(sb_now_ns() - self->start, 10 * MS);
  free(self->rx);
  {
    /* The dropped receive must be off the channel's wait list (ASan). */
    sb_chan_send tx;
    sb_chan_send_init(&tx, self->ch, 1);
    ASSERT_EQ(sb_chan_send_poll(&tx, cx), SB_READY);
  }
  /* 2. The child finishes first: the timeout's timer is cancelled. */
  sb_sleep_for_init(&self->child, 2 * MS);
  sb_timeout_init(self->t, &self->child.base, sb_now_ns() + 100 * MS);
  SB_AWAIT(self, sb_timeout_poll(self->t, cx));
  ASSERT_EQ(self->t->timed_out, 0);
  free(self->t); /* a timer left registered would now fire into freed memory */
  sb_sleep_for_init(&self->nap, 150 * MS);
  SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  sb_chan_sender_drop(self->ch);
  sb_chan_receiver_drop(self->ch);
  SB_END(self, 1);
}

static void test_timeout(const sb_runtime_ops *ops) {
  timeout_root root = {.base = SB_FUTURE_INIT(timeout_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- a pending sleep, dropped, leaves no timer behind ------------------ */

typedef struct cancel_root {
  sb_future base;
  sb_sleep *s;
  sb_sleep nap;
} cancel_root;

static sb_poll cancel_poll(sb_future *f, sb_cx *cx) {
  cancel_root *self = (cancel_root *)f;
  SB_BEGIN(self);
  self->s = malloc(sizeof(*self->s));
  ASSERT(self->s != NULL);
  sb_sleep_for_init(self->s, 10 * MS);
  /* OS-thread runtimes may block here and return READY: nothing to drop. */
  if (sb_sleep_poll(self->s, cx) == SB_PENDING)
    sb_future_drop(&self->s->base, cx->rt);
  free(self->s);
  sb_sleep_for_init(&self->nap, 40 * MS); /* past the dropped deadline */
  SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  SB_END(self, 1);
}

static void test_cancel(const sb_runtime_ops *ops) {
  cancel_root root = {.base = SB_FUTURE_INIT(cancel_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- yield: k tasks each yield n times -------------------------------- */

typedef struct yielder {
  sb_future base;
  int n, i;
  sb_yield y;
} yielder;

static sb_poll yielder_poll(sb_future *f, sb_cx *cx) {
  yielder *self = (yielder *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  SB_END(self, self->n);
}

#define NYIELDERS 8

typedef struct yield_root {
  sb_future base;
  int i;
  uint64_t sum;
  sb_join joins[NYIELDERS];
} yield_root;

static sb_poll yield_root_poll(sb_future *f, sb_cx *cx) {
  yield_root *self = (yield_root *)f;
  SB_BEGIN(self);
  for (int i = 0; i < NYIELDERS; i++) {
    yielder y = {.base = SB_FUTURE_INIT(yielder_poll, NULL), .n = 1000};
    ASSERT_EQ(sb_spawn(cx, &y.base, sizeof(y), &self->joins[i]), 0);
  }
  for (self->i = 0; self->i < NYIELDERS; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    self->sum += self->joins[self->i].base.out;
  }
  SB_END(self, self->sum);
}

static void test_yield(const sb_runtime_ops *ops) {
  yield_root root = {.base = SB_FUTURE_INIT(yield_root_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), NYIELDERS * 1000);
}

static const sb_test_case cases[] = {
    {"order", test_order},     {"past_deadline", test_past_deadline},
    {"timeout", test_timeout}, {"cancel", test_cancel},
    {"yield", test_yield},
};

SB_TEST_MAIN(cases)
