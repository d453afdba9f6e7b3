/* Workload pingpong: two tasks hand a counter back and forth over two
 * capacity-1 channels, so every message is a handoff to the other task (an
 * OS context switch on threads, a task switch on the executors). */
#include <stdlib.h>

#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

static const sb_param_spec specs[] = {{"n", 100000, 1, INT64_C(1) << 32},
                                      {NULL, 0, 0, 0}};

typedef struct pp_state pp_state;

/* Sends 0..n-1 on ping, sums the replies from pong. */
typedef struct pinger {
  sb_future base;
  sb_chan *ping;   /* our sender reference; NULL once dropped */
  sb_chan *pong;   /* our receiver; NULL once dropped */
  int64_t *recvd;  /* replies received: written by this task alone */
  int64_t n;       /* messages to send */
  int64_t i;       /* the message being sent */
  uint64_t sum;    /* sum of the replies so far */
  sb_chan_send tx; /* the send in flight (zeroed when none) */
  sb_chan_recv rx; /* the receive in flight (zeroed when none) */
} pinger;

/* Answers each x on ping with x+1 on pong until ping closes. */
typedef struct ponger {
  sb_future base;
  sb_chan *ping;   /* our receiver; NULL once dropped */
  sb_chan *pong;   /* our sender reference; NULL once dropped */
  int64_t *recvd;  /* messages received: written by this task alone */
  uint64_t count;  /* messages answered */
  sb_chan_recv rx; /* the receive in flight (zeroed when none) */
  sb_chan_send tx; /* the send in flight (zeroed when none) */
} ponger;

typedef struct pp_root {
  sb_future base;
  pp_state *st; /* the workload state */
  sb_join a, b; /* the pinger and the ponger */
} pp_root;

struct pp_state {
  int64_t n;         /* round trips per run */
  int64_t recvd[2];  /* messages the pinger [0] and the ponger [1] received
                        in the last run; read after block_on, whose return
                        orders the tasks' writes before the read */
  sb__run_error err; /* the run's first error */
  pp_root root;      /* the root future of the current run */
};

static void pinger_release(pinger *self, sb_runtime *rt) {
  sb_future_drop(&self->tx.base, rt);
  sb_future_drop(&self->rx.base, rt);
  if (self->ping != NULL)
    sb_chan_sender_drop(self->ping);
  if (self->pong != NULL)
    sb_chan_receiver_drop(self->pong);
  self->ping = self->pong = NULL;
}

static void pinger_drop(sb_future *f, sb_runtime *rt) {
  pinger_release((pinger *)f, rt);
}

static sb_poll pinger_poll(sb_future *f, sb_cx *cx) {
  pinger *self = (pinger *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    sb_chan_send_init(&self->tx, self->ping, (uint64_t)self->i);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    if (self->tx.base.out != 0)
      break; /* the ponger is gone; the root records why */
    sb_chan_recv_init(&self->rx, self->pong);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    (*self->recvd)++;
    self->sum += self->rx.base.out;
  }
  pinger_release(self, cx->rt);
  SB_END(self, self->sum);
}

static void ponger_release(ponger *self, sb_runtime *rt) {
  sb_future_drop(&self->rx.base, rt);
  sb_future_drop(&self->tx.base, rt);
  if (self->ping != NULL)
    sb_chan_receiver_drop(self->ping);
  if (self->pong != NULL)
    sb_chan_sender_drop(self->pong);
  self->ping = self->pong = NULL;
}

static void ponger_drop(sb_future *f, sb_runtime *rt) {
  ponger_release((ponger *)f, rt);
}

static sb_poll ponger_poll(sb_future *f, sb_cx *cx) {
  ponger *self = (ponger *)f;
  SB_BEGIN(self);
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ping);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    (*self->recvd)++;
    sb_chan_send_init(&self->tx, self->pong, self->rx.base.out + 1);
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    if (self->tx.base.out != 0)
      break;
    self->count++;
  }
  ponger_release(self, cx->rt);
  SB_END(self, self->count);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  pp_root *self = (pp_root *)f;
  sb_join_release(&self->a, rt);
  sb_join_release(&self->b, rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  pp_root *self = (pp_root *)f;
  pp_state *st = self->st;
  SB_BEGIN(self);
  {
    sb_chan *ping = NULL, *pong = NULL;
    int rc = sb_chan_open(1, 1, &ping);
    if (rc == 0)
      rc = sb_chan_open(1, 1, &pong);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "sb_chan_open");
      if (ping != NULL) {
        sb_chan_sender_drop(ping);
        sb_chan_receiver_drop(ping);
      }
      SB_RETURN(self, 0);
    }
    pinger p = {.base = SB_FUTURE_INIT(pinger_poll, pinger_drop),
                .ping = ping,
                .pong = pong,
                .recvd = &st->recvd[0],
                .n = st->n};
    ponger q = {.base = SB_FUTURE_INIT(ponger_poll, ponger_drop),
                .ping = ping,
                .pong = pong,
                .recvd = &st->recvd[1]};
    rc = sb_spawn(cx, &p.base, sizeof(p), &self->a);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn pinger");
      pinger_release(&p, cx->rt);
      ponger_release(&q, cx->rt);
      SB_RETURN(self, 0);
    }
    rc = sb_spawn(cx, &q.base, sizeof(q), &self->b);
    if (rc < 0) {
      /* Dropping the ponger's ends makes the pinger stop at once. */
      sb__run_error_set(&st->err, rc, "spawn ponger");
      ponger_release(&q, cx->rt);
    }
  }
  SB_AWAIT(self, sb_join_poll(&self->a, cx));
  SB_AWAIT(self, sb_join_poll(&self->b, cx));
  if ((int64_t)self->b.base.out != st->n)
    sb__run_error_set(&st->err, -EPIPE, "ponger answered too few messages");
  SB_END(self, self->a.base.out);
}

static int pp_setup(const sb_params *ps, const sb_setup_env *env, void **state,
                    char *why, size_t len) {
  (void)env;
  pp_state *st = calloc(1, sizeof(*st));
  *state = NULL;
  if (st == NULL) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  st->n = sb_param_of(ps, specs, "n");
  *state = st;
  return 0;
}

static sb_future *pp_root_new(void *state) {
  pp_state *st = state;
  st->root = (pp_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  st->recvd[0] = st->recvd[1] = 0;
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t pp_checksum(const sb_params *ps) {
  uint64_t n = (uint64_t)sb_param_of(ps, specs, "n");
  /* n(n+1)/2 without overflow before the halving. */
  return n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
}

static int pp_verify(void *state, uint64_t out, char *why, size_t len) {
  pp_state *st = state;
  sb_params ps = {{{"n", st->n}}};
  return sb__verify_out(&st->err, out, pp_checksum(&ps), why, len);
}

static int64_t pp_ops(const sb_params *ps) {
  return 2 * sb_param_of(ps, specs, "n");
}

/* Two tasks; every message sent is received once (PROTOCOL.md 4). */
static void pp_work(const sb_params *ps, sb_work *out) {
  *out = (sb_work){.tasks = 2,
                   .messages = 2 * sb_param_of(ps, specs, "n"),
                   .connections = -1};
}

static void pp_run_work(void *state, sb_work *out) {
  pp_state *st = state;
  *out = (sb_work){
      .tasks = -1, .messages = st->recvd[0] + st->recvd[1], .connections = -1};
}

static void pp_teardown(void *state) {
  free(state);
}

/* Quick: threads pay ~5-10 us per round trip, so 20k keeps a run < 300 ms. */
static const sb_params quick[] = {{{{"n", 20000}}}, {{{NULL, 0}}}};
static const sb_params full[] = {{{{"n", 200000}}}, {{{NULL, 0}}}};

const sb_workload sb_workload_pingpong = {
    .name = "pingpong",
    .question = "What does handing a message to another task cost?",
    .unit = "message",
    .kind = "switch",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = pp_setup,
    .root = pp_root_new,
    .verify = pp_verify,
    .checksum = pp_checksum,
    .ops = pp_ops,
    .work = pp_work,
    .run_work = pp_run_work,
    .counters = NULL,
    .teardown = pp_teardown,
};
