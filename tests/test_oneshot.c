/* Conformance: the oneshot channel. A value sent from another task, "closed"
 * when the sender goes without sending, -EPIPE when the receiver is gone,
 * and a dropped pending receive that leaves no registration. */
#include <errno.h>

#include "probe.h"
#include "runtimes/primitives/oneshot.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* A task that yields, then sends v (send = 1) or drops the sender. */
typedef struct replier {
  sb_future base;
  sb_oneshot *o;
  uint64_t v;
  int send;
  sb_yield y;
} replier;

static sb_poll replier_poll(sb_future *f, sb_cx *cx) {
  replier *self = (replier *)f;
  SB_BEGIN(self);
  sb_yield_init(&self->y);
  SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  if (self->send)
    SB_RETURN(self, (uint64_t)(int64_t)sb_oneshot_send(self->o, self->v));
  sb_oneshot_sender_drop(self->o);
  SB_END(self, 0);
}

#define ROUNDS 200

typedef struct reply_root {
  sb_future base;
  int send; /* what the repliers do */
  int i;
  uint64_t sum;
  sb_oneshot *o;
  sb_join join;
  sb_oneshot_recv rx;
} reply_root;

static sb_poll reply_root_poll(sb_future *f, sb_cx *cx) {
  reply_root *self = (reply_root *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < ROUNDS; self->i++) {
    ASSERT_EQ(sb_oneshot_open(&self->o), 0);
    {
      replier r = {.base = SB_FUTURE_INIT(replier_poll, NULL)};
      r.o = self->o;
      r.v = (uint64_t)self->i * 2 + 1;
      r.send = self->send;
      ASSERT_EQ(sb_spawn(cx, &r.base, sizeof(r), &self->join), 0);
    }
    sb_oneshot_recv_init(&self->rx, self->o);
    SB_AWAIT(self, sb_oneshot_recv_poll(&self->rx, cx));
    if (self->send) {
      ASSERT_EQ(self->rx.closed, 0);
      ASSERT_EQ(self->rx.base.out, (uint64_t)self->i * 2 + 1);
      self->sum += self->rx.base.out;
    } else {
      ASSERT_EQ(self->rx.closed, 1);
    }
    sb_oneshot_receiver_drop(&self->rx, cx->rt);
    SB_AWAIT(self, sb_join_poll(&self->join, cx));
    ASSERT_EQ(self->join.base.out, 0);
  }
  SB_END(self, self->sum);
}

static void test_send_recv(const sb_runtime_ops *ops) {
  reply_root root = {.base = SB_FUTURE_INIT(reply_root_poll, NULL)};
  root.send = 1;
  ASSERT_EQ(sb_test_run(ops, &root.base), (uint64_t)ROUNDS * ROUNDS);
}

static void test_sender_drop(const sb_runtime_ops *ops) {
  reply_root root = {.base = SB_FUTURE_INIT(reply_root_poll, NULL)};
  root.send = 0;
  ASSERT_EQ(sb_test_run(ops, &root.base), 0);
}

/* ---- send before the receive, and to a receiver that is gone ---------- */

typedef struct local_root {
  sb_future base;
  sb_oneshot *o;
  sb_oneshot_recv rx;
} local_root;

static sb_poll local_poll(sb_future *f, sb_cx *cx) {
  local_root *self = (local_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_oneshot_open(&self->o), 0);
  ASSERT_EQ(sb_oneshot_send(self->o, 9), 0);
  sb_oneshot_recv_init(&self->rx, self->o);
  SB_AWAIT(self, sb_oneshot_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 0);
  ASSERT_EQ(self->rx.base.out, 9);
  sb_oneshot_receiver_drop(&self->rx, cx->rt);

  ASSERT_EQ(sb_oneshot_open(&self->o), 0);
  sb_oneshot_recv_init(&self->rx, self->o);
  sb_oneshot_receiver_drop(&self->rx, cx->rt);
  ASSERT_EQ(sb_oneshot_send(self->o, 10), -EPIPE);
  SB_END(self, 1);
}

static void test_local(const sb_runtime_ops *ops) {
  local_root root = {.base = SB_FUTURE_INIT(local_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- a dropped pending receive leaves no registration ----------------- */

/* The receive is polled with a probe waker, then dropped (and freed); the
 * send that follows must not wake the probe. A second receive, not dropped,
 * is the control: its send wakes the probe exactly once. */
typedef struct cancel_root {
  sb_future base;
  sb_probe probe;
  sb_oneshot *o;
  sb_join join;
  sb_oneshot_recv *rx;
} cancel_root;

static sb_poll cancel_poll(sb_future *f, sb_cx *cx) {
  cancel_root *self = (cancel_root *)f;
  SB_BEGIN(self);
  sb_probe_init(&self->probe);
  ASSERT_EQ(sb_oneshot_open(&self->o), 0);
  self->rx = malloc(sizeof(*self->rx));
  ASSERT(self->rx != NULL);
  sb_oneshot_recv_init(self->rx, self->o);
  {
    sb_cx pcx = sb_probe_cx(&self->probe, cx);
    ASSERT_EQ(sb_oneshot_recv_poll(self->rx, &pcx), SB_PENDING);
  }
  sb_future_drop(&self->rx->base, cx->rt); /* the registration goes ... */
  {
    replier r = {.base = SB_FUTURE_INIT(replier_poll, NULL)};
    r.o = self->o;
    r.v = 5;
    r.send = 1;
    ASSERT_EQ(sb_spawn(cx, &r.base, sizeof(r), &self->join), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  ASSERT_EQ(self->join.base.out, 0); /* ... but the receiver stays */
  ASSERT_EQ(sb_probe_wakes(&self->probe), 0);
  sb_oneshot_receiver_drop(self->rx, cx->rt);

  /* Control: a registered receive is woken once by the send. */
  ASSERT_EQ(sb_oneshot_open(&self->o), 0);
  sb_oneshot_recv_init(self->rx, self->o);
  {
    sb_cx pcx = sb_probe_cx(&self->probe, cx);
    ASSERT_EQ(sb_oneshot_recv_poll(self->rx, &pcx), SB_PENDING);
  }
  ASSERT_EQ(sb_oneshot_send(self->o, 6), 0);
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  SB_AWAIT(self, sb_oneshot_recv_poll(self->rx, cx));
  ASSERT_EQ(self->rx->base.out, 6);
  sb_oneshot_receiver_drop(self->rx, cx->rt);
  free(self->rx);
  SB_END(self, 1);
}

static void test_cancel(const sb_runtime_ops *ops) {
  cancel_root root = {.base = SB_FUTURE_INIT(cancel_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

static const sb_test_case cases[] = {
    {"send_recv", test_send_recv},
    {"sender_drop", test_sender_drop},
    {"local", test_local},
    {"cancel", test_cancel},
};

SB_TEST_MAIN(cases)
