/* Stress: channels. Many senders on one small channel (per-sender FIFO,
 * nothing lost or duplicated, close after the last sender), and a ring of
 * tasks passing tokens through channels of capacity one, so every message
 * is a handoff and a wake. */
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* ---- many senders, one receiver --------------------------------------- */

typedef struct sender {
  sb_future base;
  sb_chan *ch;
  uint64_t who;
  uint64_t i, n;
  sb_chan_send tx;
} sender;

static sb_poll sender_poll(sb_future *f, sb_cx *cx) {
  sender *self = (sender *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    sb_chan_send_init(&self->tx, self->ch, self->who << 32 | self->i);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    ASSERT_EQ(self->tx.base.out, 0);
  }
  sb_chan_sender_drop(self->ch);
  SB_END(self, self->n);
}

typedef struct many_root {
  sb_future base;
  int nsenders, i;
  uint64_t per, got;
  size_t cap;
  uint64_t *next; /* next expected sequence number, per sender */
  sb_join *joins;
  sb_chan *ch;
  sb_chan_recv rx;
} many_root;

static sb_poll many_poll(sb_future *f, sb_cx *cx) {
  many_root *self = (many_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(self->cap, self->nsenders, &self->ch), 0);
  for (self->i = 0; self->i < self->nsenders; self->i++) {
    sender s = {.base = SB_FUTURE_INIT(sender_poll, NULL), .ch = self->ch};
    s.who = (uint64_t)self->i;
    s.n = self->per;
    ASSERT_EQ(sb_spawn(cx, &s.base, sizeof s, &self->joins[self->i]), 0);
  }
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ch);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    uint64_t who = self->rx.base.out >> 32;
    ASSERT_LT(who, (uint64_t)self->nsenders);
    ASSERT_EQ(self->rx.base.out & 0xffffffffu, self->next[who]);
    self->next[who]++;
    self->got++;
  }
  for (self->i = 0; self->i < self->nsenders; self->i++)
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
  sb_chan_receiver_drop(self->ch);
  SB_END(self, self->got);
}

static void run_many(const sb_runtime_ops *ops, int nsenders, uint64_t per,
                     size_t cap) {
  many_root root = {.base = SB_FUTURE_INIT(many_poll, NULL)};
  root.nsenders = nsenders;
  root.per = per;
  root.cap = cap;
  root.next = calloc((size_t)nsenders, sizeof(uint64_t));
  root.joins = calloc((size_t)nsenders, sizeof(sb_join));
  ASSERT(root.next != NULL && root.joins != NULL);
  ASSERT_EQ(sb_test_run(ops, &root.base), (uint64_t)nsenders * per);
  free(root.next);
  free(root.joins);
}

static void test_many_senders(const sb_runtime_ops *ops) {
  int threads = (ops->flags & SB_RT_THREAD_PER_TASK) != 0;
  run_many(ops, threads ? 16 : 256, threads ? 2000 : 2000, 8);
  run_many(ops, threads ? 8 : 64, threads ? 2000 : 5000, 1);
}

/* ---- a ring of tasks passing tokens ----------------------------------- */

typedef struct hop {
  sb_future base;
  sb_chan *in, *out; /* receive from in, forward to out */
  uint64_t seen;
  int closed_out;
  sb_chan_recv rx;
  sb_chan_send tx;
} hop;

/* Forwards every token until in closes, then closes out. */
static sb_poll hop_poll(sb_future *f, sb_cx *cx) {
  hop *self = (hop *)f;
  SB_BEGIN(self);
  for (;;) {
    sb_chan_recv_init(&self->rx, self->in);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    self->seen++;
    sb_chan_send_init(&self->tx, self->out, self->rx.base.out + 1);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    ASSERT_EQ(self->tx.base.out, 0);
  }
  sb_chan_receiver_drop(self->in);
  sb_chan_sender_drop(self->out);
  SB_END(self, self->seen);
}

typedef struct ring_root {
  sb_future base;
  int n, i;
  uint64_t laps, tokens, got, sum;
  sb_chan **ch; /* ch[i] feeds hop i; ch[n] comes back to the root */
  sb_join *joins;
  sb_chan_send tx;
  sb_chan_recv rx;
} ring_root;

static sb_poll ring_poll(sb_future *f, sb_cx *cx) {
  ring_root *self = (ring_root *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i <= self->n; self->i++)
    ASSERT_EQ(sb_chan_open(1, 1, &self->ch[self->i]), 0);
  for (self->i = 0; self->i < self->n; self->i++) {
    hop h = {.base = SB_FUTURE_INIT(hop_poll, NULL)};
    h.in = self->ch[self->i];
    h.out = self->ch[self->i + 1];
    ASSERT_EQ(sb_spawn(cx, &h.base, sizeof h, &self->joins[self->i]), 0);
  }
  /* Keep several tokens in flight; each lap adds n to a token. */
  for (self->got = 0; self->got < self->laps * self->tokens;) {
    if (self->tokens > 0 && self->sum < self->tokens) {
      sb_chan_send_init(&self->tx, self->ch[0], 0);
      SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
      self->sum++; /* tokens injected so far */
      continue;
    }
    sb_chan_recv_init(&self->rx, self->ch[self->n]);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    ASSERT_EQ(self->rx.closed, 0);
    ASSERT_EQ(self->rx.base.out % (uint64_t)self->n, 0);
    self->got++;
    if (self->got + self->tokens <= self->laps * self->tokens) {
      sb_chan_send_init(&self->tx, self->ch[0], self->rx.base.out);
      SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    }
  }
  sb_chan_sender_drop(self->ch[0]); /* closes the ring hop by hop */
  sb_chan_recv_init(&self->rx, self->ch[self->n]);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 1);
  sb_chan_receiver_drop(self->ch[self->n]);
  for (self->i = 0; self->i < self->n; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    ASSERT_EQ(self->joins[self->i].base.out, self->laps * self->tokens);
  }
  SB_END(self, self->got);
}

static void test_ring(const sb_runtime_ops *ops) {
  int threads = (ops->flags & SB_RT_THREAD_PER_TASK) != 0;
  ring_root root = {.base = SB_FUTURE_INIT(ring_poll, NULL)};
  root.n = threads ? 32 : 500;
  root.laps = threads ? 100 : 200;
  root.tokens = 4;
  root.ch = calloc((size_t)root.n + 1, sizeof(sb_chan *));
  root.joins = calloc((size_t)root.n, sizeof(sb_join));
  ASSERT(root.ch != NULL && root.joins != NULL);
  ASSERT_EQ(sb_test_run(ops, &root.base), root.laps * root.tokens);
  free(root.ch);
  free(root.joins);
}

static const sb_test_case cases[] = {
    {"many_senders", test_many_senders},
    {"ring", test_ring},
};

SB_TEST_MAIN(cases)
