/* Stress: select with cancellation, in a loop. A consumer selects between a
 * channel receive and a short timer thousands of times while a producer
 * sends at an uneven pace, so both sides win and the loser is dropped each
 * time; every message must still arrive exactly once, in order. Then a
 * select between a child's join handle and a timer, where losing detaches
 * the child, which must still finish and be freed. */
#include <stdatomic.h>

#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/combine.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

static uint32_t next_rand(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* ---- recv vs timer ---------------------------------------------------- */

typedef struct producer {
  sb_future base;
  sb_chan *ch;
  uint64_t i, n;
  uint32_t rng;
  sb_chan_send tx;
  sb_sleep nap;
  sb_yield y;
} producer;

static sb_poll producer_poll(sb_future *f, sb_cx *cx) {
  producer *self = (producer *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    sb_chan_send_init(&self->tx, self->ch, self->i);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    ASSERT_EQ(self->tx.base.out, 0);
    if (next_rand(&self->rng) % 8 == 0) {
      sb_sleep_for_init(&self->nap, 1000 * (next_rand(&self->rng) % 50));
      SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
    } else if (next_rand(&self->rng) % 2 == 0) {
      sb_yield_init(&self->y);
      SB_AWAIT(self, sb_yield_poll(&self->y, cx));
    }
  }
  sb_chan_sender_drop(self->ch);
  SB_END(self, self->n);
}

typedef struct recv_root {
  sb_future base;
  uint64_t n, expect, timeouts;
  sb_chan *ch;
  sb_join prod;
  sb_chan_recv rx;
  sb_sleep timer;
  sb_future *children[2];
  sb_select sel;
} recv_root;

static sb_poll recv_root_poll(sb_future *f, sb_cx *cx) {
  recv_root *self = (recv_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(2, 1, &self->ch), 0);
  {
    producer p = {.base = SB_FUTURE_INIT(producer_poll, NULL)};
    p.ch = self->ch;
    p.n = self->n;
    p.rng = 12345;
    ASSERT_EQ(sb_spawn(cx, &p.base, sizeof p, &self->prod), 0);
  }
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ch);
    sb_sleep_for_init(&self->timer, 20000);
    self->children[0] = &self->rx.base;
    self->children[1] = &self->timer.base;
    sb_select_init(&self->sel, self->children, 2);
    SB_AWAIT(self, sb_select_poll(&self->sel, cx));
    if (self->sel.base.out == 1) {
      self->timeouts++; /* the receive was dropped; a handed message too */
      continue;
    }
    if (self->rx.closed)
      break;
    ASSERT_EQ(self->rx.base.out, self->expect);
    self->expect++;
  }
  ASSERT_EQ(self->expect, self->n);
  SB_AWAIT(self, sb_join_poll(&self->prod, cx));
  sb_chan_receiver_drop(self->ch);
  fprintf(stderr, "  %llu messages, %llu timeouts\n",
          (unsigned long long)self->n, (unsigned long long)self->timeouts);
  SB_END(self, self->expect);
}

static void test_recv_vs_timer(const sb_runtime_ops *ops) {
  recv_root root = {.base = SB_FUTURE_INIT(recv_root_poll, NULL)};
  root.n = (ops->flags & SB_RT_THREAD_PER_TASK) ? 3000 : 20000;
  ASSERT_EQ(sb_test_run(ops, &root.base), root.n);
}

/* ---- join vs timer: the loser detaches the child ----------------------- */

typedef struct child {
  sb_future base;
  _Atomic uint64_t *finished;
  int naps;
  sb_sleep nap;
} child;

static sb_poll child_poll(sb_future *f, sb_cx *cx) {
  child *self = (child *)f;
  SB_BEGIN(self);
  while (self->naps-- > 0) {
    sb_sleep_for_init(&self->nap, 10000);
    SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  }
  atomic_fetch_add(self->finished, 1);
  SB_END(self, 7);
}

typedef struct join_root {
  sb_future base;
  uint64_t i, n, won, lost;
  uint32_t rng;
  _Atomic uint64_t finished; /* children that ran to the end */
  sb_join join;
  sb_sleep timer;
  sb_future *children[2];
  sb_select sel;
  sb_sleep nap;
} join_root;

static sb_poll join_root_poll(sb_future *f, sb_cx *cx) {
  join_root *self = (join_root *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    {
      child c = {.base = SB_FUTURE_INIT(child_poll, NULL)};
      c.finished = &self->finished;
      c.naps = (int)(next_rand(&self->rng) % 3);
      ASSERT_EQ(sb_spawn(cx, &c.base, sizeof c, &self->join), 0);
    }
    sb_sleep_for_init(&self->timer, 5000 + next_rand(&self->rng) % 20000);
    self->children[0] = &self->join.base;
    self->children[1] = &self->timer.base;
    sb_select_init(&self->sel, self->children, 2);
    SB_AWAIT(self, sb_select_poll(&self->sel, cx));
    if (self->sel.base.out == 0) {
      ASSERT_EQ(self->join.base.out, 7);
      self->won++;
    } else {
      self->lost++; /* the join handle was dropped: the child is detached */
    }
  }
  /* Detached children finish on their own; wait for the last of them. */
  while (atomic_load(&self->finished) < self->n) {
    sb_sleep_for_init(&self->nap, 100000);
    SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  }
  fprintf(stderr, "  %llu joined, %llu detached by the timer\n",
          (unsigned long long)self->won, (unsigned long long)self->lost);
  SB_END(self, self->won + self->lost);
}

static void test_join_vs_timer(const sb_runtime_ops *ops) {
  join_root root = {.base = SB_FUTURE_INIT(join_root_poll, NULL)};
  root.n = (ops->flags & SB_RT_THREAD_PER_TASK) ? 500 : 5000;
  root.rng = 777;
  atomic_init(&root.finished, 0);
  ASSERT_EQ(sb_test_run(ops, &root.base), root.n);
}

static const sb_test_case cases[] = {
    {"recv_vs_timer", test_recv_vs_timer},
    {"join_vs_timer", test_join_vs_timer},
};

SB_TEST_MAIN(cases)
