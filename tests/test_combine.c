/* Conformance: join_all and select. join_all finishes when every child has;
 * select returns the first ready child and drops the others, whose
 * registrations (channel wait lists, timers) are gone afterwards. */
#include "probe.h"
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/combine.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* Like sb_test_run, with two workers on the runtimes that have a worker
 * count: on `pool` a task waiting for the kernel holds its worker, and
 * these cases need two such waits (or a wait and a sender) at once. */
static uint64_t run_two_workers(const sb_runtime_ops *ops, sb_future *root) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, root), 0);
  ops->close(rt);
  return root->out;
}

/* A task that yields `yields` times, then sends v on ch (if ch), returns v. */
typedef struct worker {
  sb_future base;
  sb_chan *ch;
  uint64_t v;
  int yields;
  sb_yield y;
  sb_chan_send tx;
} worker;

static sb_poll worker_poll(sb_future *f, sb_cx *cx) {
  worker *self = (worker *)f;
  SB_BEGIN(self);
  while (self->yields-- > 0) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  if (self->ch != NULL) {
    sb_chan_send_init(&self->tx, self->ch, self->v);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    ASSERT_EQ(self->tx.base.out, 0);
    sb_chan_sender_drop(self->ch);
  }
  SB_END(self, self->v);
}

static int spawn_worker(sb_cx *cx, sb_chan *ch, uint64_t v, int yields,
                        sb_join *join) {
  worker w = {.base = SB_FUTURE_INIT(worker_poll, NULL)};
  w.ch = ch;
  w.v = v;
  w.yields = yields;
  return sb_spawn(cx, &w.base, sizeof(w), join);
}

/* ---- join_all over join handles and over channel receives ------------- */

#define K 8

typedef struct join_root {
  sb_future base;
  sb_chan *ch[K];
  sb_join joins[K];
  sb_chan_recv rx[K];
  sb_future *children[K];
  uint8_t done[K];
  sb_join_all all;
} join_root;

static sb_poll join_root_poll(sb_future *f, sb_cx *cx) {
  join_root *self = (join_root *)f;
  SB_BEGIN(self);
  /* Children finish in the reverse of their order in the join. */
  for (int i = 0; i < K; i++) {
    ASSERT_EQ(sb_chan_open(1, 1, &self->ch[i]), 0);
    ASSERT_EQ(spawn_worker(cx, self->ch[i], 10 + (uint64_t)i, 2 * (K - i),
                           &self->joins[i]),
              0);
    sb_chan_recv_init(&self->rx[i], self->ch[i]);
    self->children[i] = &self->rx[i].base;
  }
  sb_join_all_init(&self->all, self->children, self->done, K);
  SB_AWAIT(self, sb_join_all_poll(&self->all, cx));
  ASSERT_EQ(self->all.base.out, K);
  for (int i = 0; i < K; i++) {
    ASSERT_EQ(self->done[i], 1);
    ASSERT_EQ(self->rx[i].closed, 0);
    ASSERT_EQ(self->rx[i].base.out, 10 + (uint64_t)i);
    self->children[i] = &self->joins[i].base;
  }
  /* Now the join handles themselves, through the same combinator. */
  sb_join_all_init(&self->all, self->children, self->done, K);
  SB_AWAIT(self, sb_join_all_poll(&self->all, cx));
  for (int i = 0; i < K; i++) {
    ASSERT_EQ(self->joins[i].base.out, 10 + (uint64_t)i);
    sb_chan_receiver_drop(self->ch[i]);
  }
  SB_END(self, 1);
}

static void test_join_all(const sb_runtime_ops *ops) {
  join_root root = {.base = SB_FUTURE_INIT(join_root_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- select drops the loser: its channel registration is gone --------- */

/* The select is polled with a probe waker so every wake is counted. The
 * loser lives on the heap and is freed right after the select: a channel
 * still pointing at it would be caught by ASan, or by the probe count. */
typedef struct select_root {
  sb_future base;
  sb_probe probe;
  sb_chan *a, *b;
  sb_chan_recv *ra, *rb;
  sb_future *children[2];
  sb_select sel;
  sb_chan_send tx;
  sb_chan_recv rx;
} select_root;

static void send_now(sb_chan *ch, uint64_t v, sb_cx *cx) {
  sb_chan_send op;
  sb_chan_send_init(&op, ch, v);
  ASSERT_EQ(sb_chan_send_poll(&op, cx), SB_READY); /* room for it */
  ASSERT_EQ(op.base.out, 0);
}

static sb_poll select_root_poll(sb_future *f, sb_cx *cx) {
  select_root *self = (select_root *)f;
  SB_BEGIN(self);
  sb_probe_init(&self->probe);
  ASSERT_EQ(sb_chan_open(1, 1, &self->a), 0);
  ASSERT_EQ(sb_chan_open(1, 1, &self->b), 0);
  self->ra = malloc(sizeof(*self->ra));
  self->rb = malloc(sizeof(*self->rb));
  ASSERT(self->ra != NULL && self->rb != NULL);
  sb_chan_recv_init(self->ra, self->a);
  sb_chan_recv_init(self->rb, self->b);
  self->children[0] = &self->ra->base;
  self->children[1] = &self->rb->base;
  sb_select_init(&self->sel, self->children, 2);
  {
    sb_cx pcx = sb_probe_cx(&self->probe, cx);
    ASSERT_EQ(sb_select_poll(&self->sel, &pcx), SB_PENDING); /* both wait */
    send_now(self->b, 7, cx);
    ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
    ASSERT_EQ(sb_select_poll(&self->sel, &pcx), SB_READY);
  }
  ASSERT_EQ(self->sel.base.out, 1);
  ASSERT_EQ(self->rb->base.out, 7);
  free(self->ra); /* the loser, dropped by the select */
  free(self->rb);
  send_now(self->a, 8, cx); /* would wake the loser if it were registered */
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  sb_chan_recv_init(&self->rx, self->a);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.base.out, 8); /* the loser took nothing */
  sb_chan_sender_drop(self->a);
  sb_chan_sender_drop(self->b);
  sb_chan_receiver_drop(self->a);
  sb_chan_receiver_drop(self->b);
  SB_END(self, 1);
}

static void test_select_drops_loser(const sb_runtime_ops *ops) {
  select_root root = {.base = SB_FUTURE_INIT(select_root_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- select ties go to the lowest index; the other keeps its message -- */

typedef struct tie_root {
  sb_future base;
  sb_chan *a, *b;
  sb_chan_recv ra, rb, rx;
  sb_future *children[2];
  sb_select sel;
} tie_root;

static sb_poll tie_poll(sb_future *f, sb_cx *cx) {
  tie_root *self = (tie_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(2, 1, &self->a), 0);
  ASSERT_EQ(sb_chan_open(2, 1, &self->b), 0);
  send_now(self->a, 1, cx);
  send_now(self->b, 2, cx);
  sb_chan_recv_init(&self->ra, self->a);
  sb_chan_recv_init(&self->rb, self->b);
  self->children[0] = &self->ra.base;
  self->children[1] = &self->rb.base;
  sb_select_init(&self->sel, self->children, 2);
  SB_AWAIT(self, sb_select_poll(&self->sel, cx));
  ASSERT_EQ(self->sel.base.out, 0);
  ASSERT_EQ(self->ra.base.out, 1);
  sb_chan_sender_drop(self->b);
  sb_chan_recv_init(&self->rx, self->b);
  SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 0);
  ASSERT_EQ(self->rx.base.out, 2);
  sb_chan_sender_drop(self->a);
  sb_chan_receiver_drop(self->a);
  sb_chan_receiver_drop(self->b);
  SB_END(self, 1);
}

static void test_select_tie(const sb_runtime_ops *ops) {
  tie_root root = {.base = SB_FUTURE_INIT(tie_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- select over a channel and a timer: the timer loses --------------- */

#define MS (1000 * 1000)

/* The losing sleep is heap-allocated and freed once the select is done; the
 * root then sleeps past the loser's deadline, so a timer left registered
 * would fire into freed memory (ASan). A sender task sends after a few
 * yields: select must wake for the channel although a timer also waits. */
typedef struct timer_root {
  sb_future base;
  sb_chan *ch;
  sb_join join;
  sb_chan_recv rx;
  sb_sleep *loser;
  sb_future *children[2];
  sb_select sel;
  sb_sleep nap;
} timer_root;

static sb_poll timer_root_poll(sb_future *f, sb_cx *cx) {
  timer_root *self = (timer_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(1, 1, &self->ch), 0);
  self->loser = malloc(sizeof(*self->loser));
  ASSERT(self->loser != NULL);
  sb_sleep_for_init(self->loser, 400 * MS);
  sb_chan_recv_init(&self->rx, self->ch);
  self->children[0] = &self->rx.base;
  self->children[1] = &self->loser->base;
  sb_select_init(&self->sel, self->children, 2);
  ASSERT_EQ(spawn_worker(cx, self->ch, 99, 3, &self->join), 0);
  SB_AWAIT(self, sb_select_poll(&self->sel, cx));
  ASSERT_EQ(self->sel.base.out, 0);
  ASSERT_EQ(self->rx.base.out, 99);
  free(self->loser);
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  sb_sleep_for_init(&self->nap, 500 * MS);
  SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  sb_chan_receiver_drop(self->ch);
  SB_END(self, 1);
}

static void test_select_timer_loses(const sb_runtime_ops *ops) {
  timer_root root = {.base = SB_FUTURE_INIT(timer_root_poll, NULL)};
  ASSERT_EQ(run_two_workers(ops, &root.base), 1);
}

/* ---- select over a channel and a timer: the timer wins ---------------- */

typedef struct timeout_root {
  sb_future base;
  sb_chan *ch;
  sb_chan_recv *rx;
  sb_sleep timer;
  sb_future *children[2];
  sb_select sel;
} timeout_root;

static sb_poll timeout_root_poll(sb_future *f, sb_cx *cx) {
  timeout_root *self = (timeout_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(1, 1, &self->ch), 0);
  self->rx = malloc(sizeof(*self->rx));
  ASSERT(self->rx != NULL);
  sb_chan_recv_init(self->rx, self->ch);
  sb_sleep_for_init(&self->timer, 5 * MS);
  self->children[0] = &self->rx->base;
  self->children[1] = &self->timer.base;
  sb_select_init(&self->sel, self->children, 2);
  SB_AWAIT(self, sb_select_poll(&self->sel, cx));
  ASSERT_EQ(self->sel.base.out, 1);
  free(self->rx);
  send_now(self->ch, 3, cx); /* must not touch the dropped receive */
  sb_chan_sender_drop(self->ch);
  sb_chan_receiver_drop(self->ch);
  SB_END(self, 1);
}

static void test_select_timer_wins(const sb_runtime_ops *ops) {
  timeout_root root = {.base = SB_FUTURE_INIT(timeout_root_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- dropping a join_all drops its unfinished children ---------------- */

typedef struct jdrop_root {
  sb_future base;
  sb_probe probe;
  sb_chan *a, *b;
  sb_chan_recv *ra, *rb;
  sb_future *children[2];
  uint8_t done[2];
  sb_join_all all;
} jdrop_root;

static sb_poll jdrop_poll(sb_future *f, sb_cx *cx) {
  jdrop_root *self = (jdrop_root *)f;
  SB_BEGIN(self);
  sb_probe_init(&self->probe);
  ASSERT_EQ(sb_chan_open(1, 1, &self->a), 0);
  ASSERT_EQ(sb_chan_open(1, 1, &self->b), 0);
  self->ra = malloc(sizeof(*self->ra));
  self->rb = malloc(sizeof(*self->rb));
  ASSERT(self->ra != NULL && self->rb != NULL);
  sb_chan_recv_init(self->ra, self->a);
  sb_chan_recv_init(self->rb, self->b);
  self->children[0] = &self->ra->base;
  self->children[1] = &self->rb->base;
  sb_join_all_init(&self->all, self->children, self->done, 2);
  {
    sb_cx pcx = sb_probe_cx(&self->probe, cx);
    ASSERT_EQ(sb_join_all_poll(&self->all, &pcx), SB_PENDING);
    send_now(self->a, 1, cx);
    ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
    ASSERT_EQ(sb_join_all_poll(&self->all, &pcx), SB_PENDING);
    ASSERT_EQ(self->done[0], 1);
    ASSERT_EQ(self->done[1], 0);
  }
  sb_future_drop(&self->all.base, cx->rt);
  free(self->ra);
  free(self->rb);
  send_now(self->b, 2, cx); /* the dropped receive must not be reached */
  ASSERT_EQ(sb_probe_wakes(&self->probe), 1);
  sb_chan_sender_drop(self->a);
  sb_chan_sender_drop(self->b);
  sb_chan_receiver_drop(self->a);
  sb_chan_receiver_drop(self->b);
  SB_END(self, 1);
}

static void test_join_all_drop(const sb_runtime_ops *ops) {
  jdrop_root root = {.base = SB_FUTURE_INIT(jdrop_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

static const sb_test_case cases[] = {
    {"join_all", test_join_all},
    {"select_drops_loser", test_select_drops_loser},
    {"select_tie", test_select_tie},
    {"select_timer_loses", test_select_timer_loses},
    {"select_timer_wins", test_select_timer_wins},
    {"join_all_drop", test_join_all_drop},
};

SB_TEST_MAIN(cases)
