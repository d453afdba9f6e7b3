/* Conformance: a message-passing pair does not starve a ready task. Two
 * players hand a counter back and forth over two capacity-1 channels,
 * PAIR_ROUNDS times; early on, an outside thread wakes a bystander that
 * waits on an event. The bystander must run while the pair is still
 * playing: on the executors, the cooperative budget (single's per poll,
 * steal's per LIFO chain, where a reply may also skip the end of its
 * sender's poll) sends the pair behind the others now and then. One worker
 * where the runtime has workers, so that nobody else could run the
 * bystander; pool, whose waits each block a worker, gets one per task. */
#include "outside.h"
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/spawn.h"

#define PAIR_ROUNDS 200000 /* messages the pair exchanges */
#define PAIR_MARK 1001     /* the message at which the bystander is woken */

typedef struct coop_shared {
  sb_outside out;       /* sets the bystander's event when a player asks */
  atomic_llong playing; /* the last message a player received */
  long long seen;       /* `playing` when the bystander ran */
} coop_shared;

typedef struct player {
  sb_future base;
  coop_shared *s;
  sb_chan *in, *out; /* our receiver and our sender reference */
  int first;         /* 1: sends the first message */
  uint64_t got;      /* messages received */
  sb_chan_recv rx;
  sb_chan_send tx;
} player;

static void player_release(player *self, sb_runtime *rt) {
  sb_future_drop(&self->rx.base, rt);
  sb_future_drop(&self->tx.base, rt);
  if (self->out != NULL)
    sb_chan_sender_drop(self->out); /* the other's receive sees closed */
  if (self->in != NULL)
    sb_chan_receiver_drop(self->in);
  self->in = self->out = NULL;
}

static void player_drop(sb_future *f, sb_runtime *rt) {
  player_release((player *)f, rt);
}

static sb_poll player_poll(sb_future *f, sb_cx *cx) {
  player *self = (player *)f;
  SB_BEGIN(self);
  if (self->first) {
    sb_chan_send_init(&self->tx, self->out, 0);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  }
  for (;;) {
    sb_chan_recv_init(&self->rx, self->in);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    self->got++;
    uint64_t x = self->rx.base.out;
    atomic_store_explicit(&self->s->playing, (long long)x,
                          memory_order_relaxed);
    if (x + 1 >= PAIR_ROUNDS)
      break;
    if (x == PAIR_MARK)
      sb_outside_fire(&self->s->out); /* the bystander is woken meanwhile */
    sb_chan_send_init(&self->tx, self->out, x + 1);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    if (self->tx.base.out != 0)
      break;
  }
  player_release(self, cx->rt);
  SB_END(self, self->got);
}

typedef struct bystander {
  sb_future base;
  coop_shared *s;
  sb_event_wait op;
} bystander;

static sb_poll bystander_poll(sb_future *f, sb_cx *cx) {
  bystander *self = (bystander *)f;
  SB_BEGIN(self);
  sb_event_wait_init(&self->op, self->s->out.e);
  SB_AWAIT(self, sb_event_wait_poll(&self->op, cx));
  self->s->seen = atomic_load_explicit(&self->s->playing, memory_order_relaxed);
  SB_END(self, 1);
}

typedef struct coop_root {
  sb_future base;
  coop_shared *s;
  int i;
  uint64_t sum;
  sb_join joins[3];
} coop_root;

static sb_poll coop_root_poll(sb_future *f, sb_cx *cx) {
  coop_root *self = (coop_root *)f;
  SB_BEGIN(self);
  {
    sb_chan *ping = NULL, *pong = NULL;
    ASSERT_EQ(sb_chan_open(1, 1, &ping), 0);
    ASSERT_EQ(sb_chan_open(1, 1, &pong), 0);
    bystander b = {.base = SB_FUTURE_INIT(bystander_poll, NULL), .s = self->s};
    ASSERT_EQ(sb_spawn(cx, &b.base, sizeof(b), &self->joins[0]), 0);
    player p = {.base = SB_FUTURE_INIT(player_poll, player_drop),
                .s = self->s,
                .in = pong,
                .out = ping,
                .first = 1};
    ASSERT_EQ(sb_spawn(cx, &p.base, sizeof(p), &self->joins[1]), 0);
    player q = {.base = SB_FUTURE_INIT(player_poll, player_drop),
                .s = self->s,
                .in = ping,
                .out = pong,
                .first = 0};
    ASSERT_EQ(sb_spawn(cx, &q.base, sizeof(q), &self->joins[2]), 0);
  }
  for (self->i = 0; self->i < 3; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    self->sum += self->joins[self->i].base.out;
  }
  SB_END(self, self->sum);
}

static void test_pair_lets_others_run(const sb_runtime_ops *ops) {
  static coop_shared s;
  sb_event *e = NULL;
  ASSERT_EQ(sb_event_open(&e), 0);
  atomic_init(&s.playing, 0);
  s.seen = -1;
  sb_outside_start(&s.out, e);
  sb_config cfg = {.workers = strcmp(ops->name, "pool") == 0 ? 4 : 1};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  coop_root root = {.base = SB_FUTURE_INIT(coop_root_poll, NULL), .s = &s};
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  ops->close(rt);
  sb_outside_join(&s.out);
  sb_event_free(e);
  /* Every message was received once, plus the bystander's 1. */
  ASSERT_EQ(root.base.out, (uint64_t)PAIR_ROUNDS + 1);
  /* The bystander ran after it was woken and before the pair ended. */
  ASSERT_GE(s.seen, PAIR_MARK);
  ASSERT_LT(s.seen, PAIR_ROUNDS - 1);
  fprintf(stderr, "  the bystander ran at message %lld of %d\n", s.seen,
          PAIR_ROUNDS);
}

static const sb_test_case cases[] = {
    {"pair_lets_others_run", test_pair_lets_others_run},
};

SB_TEST_MAIN(cases)
