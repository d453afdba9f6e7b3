/* Conformance: the bounded MPSC channel. FIFO order, close when the last
 * sender goes (drain, then "closed"), -EPIPE once the receiver goes, many
 * senders across tasks, and dropped ops that leave no registration. */
#include <errno.h>

#include "probe.h"
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* A producer task: sends base + i for i < n on ch, then drops its sender.
 * Returns how many sends succeeded. */
typedef struct producer {
  sb_future base;
  sb_chan *ch;
  uint64_t first;
  int n, i, ok;
  sb_chan_send tx;
} producer;

static sb_poll producer_poll(sb_future *f, sb_cx *cx) {
  producer *self = (producer *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    sb_chan_send_init(&self->tx, self->ch, self->first + (uint64_t)self->i);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    if (self->tx.base.out == 0)
      self->ok++;
    else
      ASSERT_EQ((int64_t)self->tx.base.out, -EPIPE);
  }
  sb_chan_sender_drop(self->ch);
  SB_END(self, self->ok);
}

static producer producer_make(sb_chan *ch, uint64_t first, int n) {
  producer p = {.base = SB_FUTURE_INIT(producer_poll, NULL)};
  p.ch = ch;
  p.first = first;
  p.n = n;
  return p;
}

/* ---- FIFO order and close after drain --------------------------------- */

#define NSENDERS_MAX 8

typedef struct recv_root {
  sb_future base;
  size_t cap;
  int nsenders, per_sender;
  sb_chan *ch;
  int i, got;
  uint64_t next[NSENDERS_MAX]; /* next expected index, per sender */
  sb_join joins[NSENDERS_MAX];
  sb_chan_recv rx;
} recv_root;

static sb_poll recv_root_poll(sb_future *f, sb_cx *cx) {
  recv_root *self = (recv_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(self->cap, self->nsenders, &self->ch), 0);
  for (self->i = 0; self->i < self->nsenders; self->i++) {
    producer p =
        producer_make(self->ch, (uint64_t)self->i << 32, self->per_sender);
    ASSERT_EQ(sb_spawn(cx, &p.base, sizeof(p), &self->joins[self->i]), 0);
  }
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ch);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    /* Per sender, messages arrive in the order they were sent. */
    uint64_t msg = self->rx.base.out;
    int who = (int)(msg >> 32);
    ASSERT_LT(who, self->nsenders);
    ASSERT_EQ(msg & 0xffffffffu, self->next[who]);
    self->next[who]++;
    self->got++;
  }
  ASSERT_EQ(self->got, self->nsenders * self->per_sender);
  /* Closed stays closed. */
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 1);
  for (self->i = 0; self->i < self->nsenders; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    ASSERT_EQ(self->joins[self->i].base.out, self->per_sender);
  }
  sb_chan_receiver_drop(self->ch);
  SB_END(self, self->got);
}

static void run_recv_root(const sb_runtime_ops *ops, size_t cap, int nsenders,
                          int per_sender) {
  recv_root root = {.base = SB_FUTURE_INIT(recv_root_poll, NULL)};
  root.cap = cap;
  root.nsenders = nsenders;
  root.per_sender = per_sender;
  ASSERT_EQ(sb_test_run(ops, &root.base), nsenders * per_sender);
}

static void test_fifo(const sb_runtime_ops *ops) {
  run_recv_root(ops, 4, 1, 2000);
}

static void test_capacity_one(const sb_runtime_ops *ops) {
  run_recv_root(ops, 1, 1, 2000);
}

static void test_many_senders(const sb_runtime_ops *ops) {
  run_recv_root(ops, 16, NSENDERS_MAX, 1000);
  run_recv_root(ops, 1, NSENDERS_MAX, 200);
}

/* ---- close: queued messages drain before "closed" --------------------- */

typedef struct drain_root {
  sb_future base;
  sb_chan *ch;
  int i;
  sb_chan_send tx;
  sb_chan_recv rx;
} drain_root;

static sb_poll drain_poll(sb_future *f, sb_cx *cx) {
  drain_root *self = (drain_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(8, 1, &self->ch), 0);
  for (self->i = 0; self->i < 5; self->i++) {
    sb_chan_send_init(&self->tx, self->ch, 100 + (uint64_t)self->i);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    ASSERT_EQ(self->tx.base.out, 0);
  }
  sb_chan_sender_drop(self->ch);
  for (self->i = 0; self->i < 5; self->i++) {
    sb_chan_recv_init(&self->rx, self->ch);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    ASSERT_EQ(self->rx.closed, 0);
    ASSERT_EQ(self->rx.base.out, 100 + (uint64_t)self->i);
  }
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 1);
  sb_chan_receiver_drop(self->ch);
  SB_END(self, 1);
}

static void test_close_drains(const sb_runtime_ops *ops) {
  drain_root root = {.base = SB_FUTURE_INIT(drain_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- receiver gone: a waiting sender fails with -EPIPE ----------------- */

typedef struct epipe_root {
  sb_future base;
  sb_chan *ch;
  sb_join join;
  sb_chan_recv rx;
} epipe_root;

static sb_poll epipe_poll(sb_future *f, sb_cx *cx) {
  epipe_root *self = (epipe_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(1, 1, &self->ch), 0);
  {
    producer p = producer_make(self->ch, 0, 3); /* 1 fits, 2 must fail */
    ASSERT_EQ(sb_spawn(cx, &p.base, sizeof(p), &self->join), 0);
  }
  /* Wait for the first message so the producer is known to be running. */
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 0);
  ASSERT_EQ(self->rx.base.out, 0);
  sb_chan_receiver_drop(self->ch);
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  /* The message taken, possibly one more queued before the drop; the
   * third send can never succeed (capacity 1, nobody receives). */
  ASSERT_GE(self->join.base.out, 1);
  ASSERT_LE(self->join.base.out, 2);
  SB_END(self, 1);
}

static void test_receiver_drop(const sb_runtime_ops *ops) {
  epipe_root root = {.base = SB_FUTURE_INIT(epipe_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- wakes: only a waiting side, and never a dropped op ---------------- */

/* Ops are polled with a probe waker (tests/probe.h) so every wake the channel
 * makes is counted. The dropped ops live on the heap and are freed at once:
 * if the channel kept a pointer to one, the next send or recv would touch
 * freed memory (ASan) or wake the probe. */
typedef struct cancel_root {
  sb_future base;
  sb_probe probe;
  sb_chan *ch;
  sb_chan_send tx;
  sb_chan_recv rx;
} cancel_root;

/* Polls op once with the probe's waker. */
#define PROBE_POLL(self, pollfn, op)                                           \
  do {                                                                         \
    sb_cx pcx_ = sb_probe_cx(&(self)->probe, cx);                              \
    ASSERT_EQ(pollfn(op, &pcx_), SB_PENDING);                                  \
  } while (0)

static sb_poll cancel_poll(sb_future *f, sb_cx *cx) {
  cancel_root *self = (cancel_root *)f;
  SB_BEGIN(self);
  sb_probe_init(&self->probe);
  ASSERT_EQ(sb_chan_open(1, 1, &self->ch), 0);
  /* A waiting recv is woken once by a send. */
  sb_chan_recv_init(&self->rx, self->ch);
  PROBE_POLL(self, sb_chan_recv_poll, &self->rx);
  sb_chan_send_init(&self->tx, self->ch, 1);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.base.out, 1);
  {
    /* A pending recv, dropped: the next send must not reach it. */
    sb_chan_recv *rx = malloc(sizeof(*rx));
    ASSERT(rx != NULL);
    sb_chan_recv_init(rx, self->ch);
    PROBE_POLL(self, sb_chan_recv_poll, rx);
    sb_future_drop(&rx->base, cx->rt);
    free(rx);
  }
  sb_chan_send_init(&self->tx, self->ch, 42);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  ASSERT_EQ(self->tx.base.out, 0);
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  {
    /* The channel is full: a pending send, dropped. */
    sb_chan_send *tx = malloc(sizeof(*tx));
    ASSERT(tx != NULL);
    sb_chan_send_init(tx, self->ch, 43);
    PROBE_POLL(self, sb_chan_send_poll, tx);
    sb_future_drop(&tx->base, cx->rt);
    free(tx);
  }
  /* This recv frees a slot and would wake the dropped send. */
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.base.out, 42);
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  /* A waiting send is woken once by a recv that frees a slot. */
  sb_chan_send_init(&self->tx, self->ch, 50);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  sb_chan_send_init(&self->tx, self->ch, 51);
  PROBE_POLL(self, sb_chan_send_poll, &self->tx);
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.base.out, 50);
  ASSERT_EQ(sb_probe_wakes(&self->probe), 2);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  ASSERT_EQ(self->tx.base.out, 0);
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.base.out, 51);
  /* The dropped send's 43 never went in: next is "closed". */
  sb_chan_sender_drop(self->ch);
  sb_chan_recv_init(&self->rx, self->ch);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 1);
  ASSERT_EQ(sb_probe_wakes(&self->probe), 2);
  sb_chan_receiver_drop(self->ch);
  SB_END(self, 1);
}

static void test_cancel(const sb_runtime_ops *ops) {
  cancel_root root = {.base = SB_FUTURE_INIT(cancel_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- bad arguments ---------------------------------------------------- */

static void test_open_einval(const sb_runtime_ops *ops) {
  (void)ops;
  sb_chan *ch = (sb_chan *)1;
  ASSERT_EQ(sb_chan_open(0, 1, &ch), -EINVAL);
  ASSERT(ch == NULL);
  ASSERT_EQ(sb_chan_open(4, 0, &ch), -EINVAL);
}

static const sb_test_case cases[] = {
    {"fifo", test_fifo},
    {"capacity_one", test_capacity_one},
    {"many_senders", test_many_senders},
    {"close_drains", test_close_drains},
    {"receiver_drop", test_receiver_drop},
    {"wakes_and_cancel", test_cancel},
    {"open_einval", test_open_einval},
};

SB_TEST_MAIN(cases)
