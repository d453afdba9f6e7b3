/* Conformance: many tasks alive at once. 10,000 tasks wait on one event at
 * the same time (2,000 on `threads`, where each task is an OS thread), then
 * all are released and joined; and as many tasks ping through channels. */
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/event.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

#define MANY 10000
#define MANY_THREADS 2000

static int many_for(const sb_runtime_ops *ops) {
#if defined(__SANITIZE_THREAD__)
  /* ThreadSanitizer counts every started fiber as a thread (8128 at most):
   * there, `fiber` runs the thread-sized test. */
  if (strcmp(ops->name, "fiber") == 0)
    return MANY_THREADS;
#endif
  return (ops->flags & SB_RT_THREAD_PER_TASK) ? MANY_THREADS : MANY;
}

/* Waits for the event, then reports on the channel that it was released. */
typedef struct waiter {
  sb_future base;
  sb_event *e;
  sb_chan *started; /* each waiter sends once before waiting */
  uint64_t id;
  sb_chan_send tx;
  sb_event_wait op;
} waiter;

static sb_poll waiter_poll(sb_future *f, sb_cx *cx) {
  waiter *self = (waiter *)f;
  SB_BEGIN(self);
  sb_chan_send_init(&self->tx, self->started, self->id);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  ASSERT_EQ(self->tx.base.out, 0);
  sb_chan_sender_drop(self->started);
  sb_event_wait_init(&self->op, self->e);
  SB_AWAIT(self, sb_event_wait_poll(&self->op, cx));
  SB_END(self, self->id + 1);
}

typedef struct many_root {
  sb_future base;
  int n, i;
  uint64_t sum;
  sb_event *e;
  sb_chan *started;
  sb_join *joins;
  sb_chan_recv rx;
} many_root;

static sb_poll many_poll(sb_future *f, sb_cx *cx) {
  many_root *self = (many_root *)f;
  SB_BEGIN(self);
  self->joins = calloc((size_t)self->n, sizeof(*self->joins));
  ASSERT(self->joins != NULL);
  ASSERT_EQ(sb_event_open(&self->e), 0);
  /* Capacity 64 < n: the senders also exercise back-pressure en masse. */
  ASSERT_EQ(sb_chan_open(64, self->n, &self->started), 0);
  for (self->i = 0; self->i < self->n; self->i++) {
    waiter w = {.base = SB_FUTURE_INIT(waiter_poll, NULL)};
    w.e = self->e;
    w.started = self->started;
    w.id = (uint64_t)self->i;
    ASSERT_EQ(sb_spawn(cx, &w.base, sizeof(w), &self->joins[self->i]), 0);
  }
  /* Every waiter has started once the channel closes (all senders gone). */
  for (self->i = 0;; self->i++) {
    sb_chan_recv_init(&self->rx, self->started);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    self->sum += self->rx.base.out;
  }
  ASSERT_EQ(self->i, self->n);
  ASSERT_EQ(self->sum, (uint64_t)self->n * (self->n - 1) / 2);
  sb_event_set(self->e);
  self->sum = 0;
  for (self->i = 0; self->i < self->n; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    self->sum += self->joins[self->i].base.out;
  }
  sb_chan_receiver_drop(self->started);
  sb_event_free(self->e);
  free(self->joins);
  SB_END(self, self->sum);
}

static void test_many_waiting(const sb_runtime_ops *ops) {
  many_root root = {.base = SB_FUTURE_INIT(many_poll, NULL)};
  root.n = many_for(ops);
  uint64_t n = (uint64_t)root.n;
  ASSERT_EQ(sb_test_run(ops, &root.base), n * (n + 1) / 2);
}

static const sb_test_case cases[] = {
    {"many_waiting", test_many_waiting},
};

SB_TEST_MAIN(cases)
