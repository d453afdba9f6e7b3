/* Workload workqueue: r requesters send requests on a bounded MPSC channel
 * to one worker, which answers each on the request's oneshot; what one
 * request/response over channels costs. */
#include <stdlib.h>
#include <string.h>

#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/oneshot.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

static const sb_param_spec specs[] = {{"r", 4, 1, 1 << 16},
                                      {"n", 2000, 1, INT64_C(1) << 24},
                                      {"cap", 16, 1, 1 << 20},
                                      {NULL, 0, 0, 0}};

typedef struct wq_state wq_state;

/* Receives requests until every requester is gone; answers v with 2v+1.
 * Returns the number of requests answered. */
typedef struct wq_worker {
  sb_future base;
  wq_state *st;    /* the workload state (reply slots) */
  sb_chan *ch;     /* the request channel's receiver; NULL once dropped */
  uint64_t count;  /* requests answered */
  sb_chan_recv rx; /* the receive in flight */
} wq_worker;

/* Requester id: sends v = id*n + i for i < n, one at a time, and sums the
 * replies. */
typedef struct wq_requester {
  sb_future base;
  wq_state *st;       /* the workload state (reply slots, n) */
  sb_chan *ch;        /* our sender reference; NULL once dropped */
  int64_t id;         /* the requester's index */
  int64_t i;          /* the request in flight */
  uint64_t sum;       /* replies so far */
  sb_oneshot *reply;  /* its sender end while ours (not yet queued) */
  sb_chan_send tx;    /* the send in flight */
  sb_oneshot_recv rx; /* the reply's receive (o = NULL once released) */
} wq_requester;

typedef struct wq_root {
  sb_future base;
  wq_state *st;    /* the workload state */
  int64_t spawned; /* requesters spawned */
  int64_t j;       /* the requester being joined */
  uint64_t sum;    /* requesters' sums joined so far */
  sb_join worker;  /* the worker */
} wq_root;

/* The channel carries 64-bit words, so a request is its v; its oneshot
 * travels in slot[v / n], the requester's own slot (a requester has one
 * request outstanding at a time). The channel's lock orders the slot's
 * write before the worker's read. */
struct wq_state {
  int64_t r, n, cap; /* the params */
  sb_oneshot **slot; /* r reply slots */
  sb_join *joins;    /* r join handles */
  /* Messages received in the last run, each tally written by one task
   * alone and read after block_on (whose return orders the writes): */
  int64_t *replies;     /* replies requester j received, r entries */
  int64_t worker_recvd; /* requests the worker received */
  sb__run_error err;    /* the run's first error */
  wq_root root;         /* the root future of the current run */
};

static void worker_release(wq_worker *self, sb_runtime *rt) {
  sb_future_drop(&self->rx.base, rt);
  if (self->ch != NULL)
    sb_chan_receiver_drop(self->ch);
  self->ch = NULL;
}

static void worker_drop(sb_future *f, sb_runtime *rt) {
  worker_release((wq_worker *)f, rt);
}

static sb_poll worker_poll(sb_future *f, sb_cx *cx) {
  wq_worker *self = (wq_worker *)f;
  SB_BEGIN(self);
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ch);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    self->st->worker_recvd++;
    uint64_t v = self->rx.base.out;
    /* -EPIPE only if the requester gave up waiting: nothing to answer. */
    (void)sb_oneshot_send(self->st->slot[v / (uint64_t)self->st->n], 2 * v + 1);
    self->count++;
  }
  worker_release(self, cx->rt);
  SB_END(self, self->count);
}

static void requester_release(wq_requester *self, sb_runtime *rt) {
  sb_future_drop(&self->tx.base, rt);
  sb_future_drop(&self->rx.base, rt);
  if (self->reply != NULL)
    sb_oneshot_sender_drop(self->reply);
  self->reply = NULL;
  sb_oneshot_receiver_drop(&self->rx, rt);
  if (self->ch != NULL)
    sb_chan_sender_drop(self->ch);
  self->ch = NULL;
}

static void requester_drop(sb_future *f, sb_runtime *rt) {
  requester_release((wq_requester *)f, rt);
}

static sb_poll requester_poll(sb_future *f, sb_cx *cx) {
  wq_requester *self = (wq_requester *)f;
  wq_state *st = self->st;
  SB_BEGIN(self);
  for (self->i = 0; self->i < st->n; self->i++) {
    {
      int rc = sb_oneshot_open(&self->reply);
      if (rc < 0) {
        sb__run_error_set(&st->err, rc, "sb_oneshot_open");
        break;
      }
    }
    sb_oneshot_recv_init(&self->rx, self->reply);
    st->slot[self->id] = self->reply;
    sb_chan_send_init(&self->tx, self->ch,
                      (uint64_t)(self->id * st->n + self->i));
    SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
    if (self->tx.base.out != 0) {
      sb__run_error_set(&st->err, -EPIPE, "request channel closed");
      break;
    }
    self->reply = NULL; /* the worker owns the sender end now */
    SB_AWAIT(self, sb_oneshot_recv_poll(&self->rx, cx));
    if (self->rx.closed) {
      sb__run_error_set(&st->err, -EPIPE, "request dropped unanswered");
      break;
    }
    st->replies[self->id]++;
    self->sum += self->rx.base.out;
    sb_oneshot_receiver_drop(&self->rx, cx->rt);
  }
  requester_release(self, cx->rt);
  SB_END(self, self->sum);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  wq_root *self = (wq_root *)f;
  for (int64_t j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
  sb_join_release(&self->worker, rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  wq_root *self = (wq_root *)f;
  wq_state *st = self->st;
  SB_BEGIN(self);
  {
    sb_chan *ch = NULL;
    int rc = sb_chan_open((size_t)st->cap, (int)st->r, &ch);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "sb_chan_open");
      SB_RETURN(self, 0);
    }
    wq_worker w = {
        .base = SB_FUTURE_INIT(worker_poll, worker_drop), .st = st, .ch = ch};
    rc = sb_spawn(cx, &w.base, sizeof(w), &self->worker);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn worker");
      worker_release(&w, cx->rt);
      for (int64_t j = 0; j < st->r; j++)
        sb_chan_sender_drop(ch);
      SB_RETURN(self, 0);
    }
    for (self->spawned = 0; self->spawned < st->r; self->spawned++) {
      wq_requester q = {.base = SB_FUTURE_INIT(requester_poll, requester_drop),
                        .st = st,
                        .ch = ch,
                        .id = self->spawned};
      rc = sb_spawn(cx, &q.base, sizeof(q), &st->joins[self->spawned]);
      if (rc < 0) {
        sb__run_error_set(&st->err, rc, "spawn requester");
        /* The unspawned requesters' sender references close the channel. */
        for (int64_t j = self->spawned; j < st->r; j++)
          sb_chan_sender_drop(ch);
        break;
      }
    }
  }
  for (self->j = 0; self->j < self->spawned; self->j++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
    self->sum += st->joins[self->j].base.out;
  }
  SB_AWAIT(self, sb_join_poll(&self->worker, cx));
  if ((int64_t)self->worker.base.out != st->r * st->n)
    sb__run_error_set(&st->err, -EPIPE, "worker answered too few requests");
  SB_END(self, self->sum);
}

static void wq_teardown(void *state) {
  wq_state *st = state;
  if (st == NULL)
    return;
  free(st->joins);
  free(st->slot);
  free(st->replies);
  free(st);
}

static int wq_setup(const sb_params *ps, const sb_setup_env *env, void **state,
                    char *why, size_t len) {
  (void)env;
  wq_state *st = calloc(1, sizeof(*st));
  *state = NULL;
  if (st == NULL)
    goto nomem;
  st->r = sb_param_of(ps, specs, "r");
  st->n = sb_param_of(ps, specs, "n");
  st->cap = sb_param_of(ps, specs, "cap");
  st->slot = calloc((size_t)st->r, sizeof(*st->slot));
  st->joins = calloc((size_t)st->r, sizeof(sb_join));
  st->replies = calloc((size_t)st->r, sizeof(*st->replies));
  if (st->slot == NULL || st->joins == NULL || st->replies == NULL)
    goto nomem;
  *state = st;
  return 0;
nomem:
  wq_teardown(st);
  snprintf(why, len, "out of memory");
  return -ENOMEM;
}

static sb_future *wq_root_new(void *state) {
  wq_state *st = state;
  st->root = (wq_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  memset(st->replies, 0, (size_t)st->r * sizeof(*st->replies));
  st->worker_recvd = 0;
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

/* The sum of 2v+1 over v < T is T^2, T = r*n. */
static uint64_t wq_checksum(const sb_params *ps) {
  uint64_t t = (uint64_t)sb_param_of(ps, specs, "r") *
               (uint64_t)sb_param_of(ps, specs, "n");
  return t * t;
}

static int wq_verify(void *state, uint64_t out, char *why, size_t len) {
  wq_state *st = state;
  sb_params ps = {{{"r", st->r}, {"n", st->n}, {"cap", st->cap}}};
  return sb__verify_out(&st->err, out, wq_checksum(&ps), why, len);
}

static int64_t wq_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "r") * sb_param_of(ps, specs, "n");
}

/* The worker and r requesters; each request and each reply is received
 * once (PROTOCOL.md 4). */
static void wq_work(const sb_params *ps, sb_work *out) {
  int64_t r = sb_param_of(ps, specs, "r"), n = sb_param_of(ps, specs, "n");
  *out = (sb_work){.tasks = r + 1, .messages = 2 * r * n, .connections = -1};
}

static void wq_run_work(void *state, sb_work *out) {
  wq_state *st = state;
  int64_t m = st->worker_recvd;
  for (int64_t j = 0; j < st->r; j++)
    m += st->replies[j];
  *out = (sb_work){.tasks = -1, .messages = m, .connections = -1};
}

/* Quick: 8000 requests, two handoffs each: threads ~100-200 ms. */
static const sb_params quick[] = {{{{"r", 4}, {"n", 2000}, {"cap", 16}}},
                                  {{{NULL, 0}}}};
static const sb_params full[] = {{{{"r", 1}, {"n", 50000}, {"cap", 1}}},
                                 {{{"r", 16}, {"n", 5000}, {"cap", 64}}},
                                 {{{"r", 64}, {"n", 1000}, {"cap", 16}}},
                                 {{{NULL, 0}}}};

const sb_workload sb_workload_workqueue = {
    .name = "workqueue",
    .question = "What does a request/response over channels cost?",
    .unit = "request",
    .kind = "switch",
    .headline = "ns_per_op",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = wq_setup,
    .root = wq_root_new,
    .verify = wq_verify,
    .checksum = wq_checksum,
    .ops = wq_ops,
    .work = wq_work,
    .run_work = wq_run_work,
    .counters = NULL,
    .teardown = wq_teardown,
};
