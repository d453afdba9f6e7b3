/* Randomized stress: random trees of spawn, join, detach, select (join vs
 * timer, join vs join) and channel streams (sends and receives raced
 * against yields and timers), on the runtime named in argv[1]. Each round
 * is a pure function of its seed: a sequential model of the same plan
 * predicts how many nodes run and the sum of their values, and every join
 * and every message is checked as it arrives. A failure (an assertion, or a
 * round that hangs) prints the seed and the command that replays it:
 *   stress_random RUNTIME [SEED [ROUNDS]]   (or SB_STRESS_SEED, _ROUNDS)
 * Rounds run from SEED, SEED+1, ... for at most SB_STRESS_SECONDS (3). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/combine.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "stress_random_plan.h"
#include "stress_replay.h"
#include "test.h"

/* ---- the running tree -----------------------------------------------------
 */

typedef struct ctx {
  _Atomic uint64_t nodes; /* nodes that ran to the end */
  _Atomic uint64_t sum;   /* their values */
  int max_depth;          /* nodes below it spawn no children */
} ctx;

static uint64_t msg_value(uint64_t seed, int i) {
  return mix64(seed ^ ((uint64_t)i << 40));
}

/* Sends m values, each raced (by a jitter choice) against a yield or a
 * short timer: a send that loses is not sent and is made again. */
typedef struct producer {
  sb_future base;
  sb_chan *ch;        /* our sender reference */
  uint64_t seed;      /* picks the values (msg_value) */
  uint64_t jitter;    /* picks how each send is raced: timing only */
  int m, i;           /* values to send, values sent */
  sb_chan_send tx;    /* the send in flight */
  sb_yield y;         /* a rival of the send, or the pause after a loss */
  sb_sleep nap;       /* a rival of the send */
  sb_future *kids[2]; /* the select's children */
  sb_select sel;      /* send vs yield or timer */
} producer;

static sb_poll producer_poll(sb_future *f, sb_cx *cx) {
  producer *p = (producer *)f;
  SB_BEGIN(p);
  while (p->i < p->m) {
    sb_chan_send_init(&p->tx, p->ch, msg_value(p->seed, p->i));
    if (next64(&p->jitter) % 3 == 0) {
      SB_AWAIT(p, sb_chan_send_poll(&p->tx, cx));
      ASSERT_EQ(p->tx.base.out, 0);
      p->i++;
      continue;
    }
    p->kids[0] = &p->tx.base;
    if (next64(&p->jitter) % 2 == 0) {
      sb_yield_init(&p->y);
      p->kids[1] = &p->y.base;
    } else {
      sb_sleep_for_init(&p->nap, (int64_t)(next64(&p->jitter) % 30000));
      p->kids[1] = &p->nap.base;
    }
    sb_select_init(&p->sel, p->kids, 2);
    SB_AWAIT(p, sb_select_poll(&p->sel, cx));
    if (p->sel.base.out == 0) {
      ASSERT_EQ(p->tx.base.out, 0);
      p->i++;
    } else {
      /* Lost: let the receiver run before trying again (on `pool`, where a
       * sleep blocks the worker, a loop of timed tries would hold it). */
      sb_yield_init(&p->y);
      SB_AWAIT(p, sb_yield_poll(&p->y, cx));
    }
  }
  sb_chan_sender_drop(p->ch);
  SB_END(p, p->m);
}

typedef struct pend {
  sb_join j;     /* the child's handle */
  uint64_t seed; /* the child's seed: its value is mix64(seed) */
} pend;

typedef struct node {
  sb_future base;
  ctx *c;             /* the round's tallies */
  uint64_t seed;      /* the plan's seed; the node's value is mix64(seed) */
  uint64_t jitter;    /* timing choices (durations, plain or raced recv) */
  plan plan;          /* the structural decisions still to come */
  step st;            /* the step in flight */
  int npend;          /* handles held (as plan.npend, after the step) */
  pend pend[MAXP];    /* the handles held, with their children's seeds */
  sb_sleep nap;       /* K_SLEEP, K_SEL_TIMER, a raced recv's timer */
  sb_yield y;         /* K_YIELD, the pause after a timed-out recv */
  sb_future *kids[2]; /* the select's children */
  sb_select sel;      /* K_SEL_TIMER, K_SEL_JOIN, a raced recv */
  sb_chan *ch;        /* K_CHAN: the stream */
  sb_join prod;       /* K_CHAN: the producer */
  int k;              /* K_CHAN: messages received */
  sb_chan_recv rx;    /* K_CHAN: the receive in flight */
} node;

static sb_poll node_poll(sb_future *f, sb_cx *cx);

static void pend_remove(node *n, int a) {
  n->pend[a] = n->pend[--n->npend];
}

static void check_join(const pend *p) {
  ASSERT_EQ(p->j.base.out, mix64(p->seed));
}

static sb_poll node_poll(sb_future *f, sb_cx *cx) {
  node *n = (node *)f;
  SB_BEGIN(n);
  for (n->st = plan_next(&n->plan); n->st.kind != K_DONE;
       n->st = plan_next(&n->plan)) {
    if (n->st.kind == K_SPAWN) {
      node child = {.base = SB_FUTURE_INIT(node_poll, NULL),
                    .c = n->c,
                    .seed = n->st.seed,
                    .jitter = ~n->st.seed};
      plan_init(&child.plan, n->st.seed, n->plan.depth + 1, n->c->max_depth);
      n->pend[n->npend].seed = n->st.seed;
      ASSERT_EQ(sb_spawn(cx, &child.base, sizeof(child), &n->pend[n->npend].j),
                0);
      n->npend++;
    } else if (n->st.kind == K_JOIN || n->st.kind == K_END_JOIN) {
      SB_AWAIT(n, sb_join_poll(&n->pend[n->st.a].j, cx));
      check_join(&n->pend[n->st.a]);
      pend_remove(n, n->st.a);
    } else if (n->st.kind == K_END_DETACH) {
      sb_join_release(&n->pend[n->st.a].j, cx->rt);
      pend_remove(n, n->st.a);
    } else if (n->st.kind == K_SEL_TIMER) {
      sb_sleep_for_init(&n->nap, (int64_t)(next64(&n->jitter) % 200000));
      n->kids[0] = &n->pend[n->st.a].j.base;
      n->kids[1] = &n->nap.base;
      sb_select_init(&n->sel, n->kids, 2);
      SB_AWAIT(n, sb_select_poll(&n->sel, cx));
      if (n->sel.base.out == 0)
        check_join(&n->pend[n->st.a]); /* else detached: it runs on */
      pend_remove(n, n->st.a);
    } else if (n->st.kind == K_SEL_JOIN) {
      n->kids[0] = &n->pend[n->st.a].j.base;
      n->kids[1] = &n->pend[n->st.b].j.base;
      sb_select_init(&n->sel, n->kids, 2);
      SB_AWAIT(n, sb_select_poll(&n->sel, cx));
      check_join(&n->pend[n->sel.base.out == 0 ? n->st.a : n->st.b]);
      pend_remove(n, n->st.a > n->st.b ? n->st.a : n->st.b);
      pend_remove(n, n->st.a > n->st.b ? n->st.b : n->st.a);
    } else if (n->st.kind == K_CHAN) {
      ASSERT_EQ(sb_chan_open((size_t)n->st.cap, 1, &n->ch), 0);
      {
        producer p = {.base = SB_FUTURE_INIT(producer_poll, NULL),
                      .ch = n->ch,
                      .seed = n->st.seed,
                      .jitter = mix64(n->st.seed),
                      .m = n->st.m};
        ASSERT_EQ(sb_spawn(cx, &p.base, sizeof(p), &n->prod), 0);
      }
      for (n->k = 0;;) {
        sb_chan_recv_init(&n->rx, n->ch);
        if (next64(&n->jitter) % 2 == 0) {
          SB_AWAIT(n, sb_chan_recv_poll(&n->rx, cx));
        } else {
          sb_sleep_for_init(&n->nap, (int64_t)(next64(&n->jitter) % 30000));
          n->kids[0] = &n->rx.base;
          n->kids[1] = &n->nap.base;
          sb_select_init(&n->sel, n->kids, 2);
          SB_AWAIT(n, sb_select_poll(&n->sel, cx));
          if (n->sel.base.out == 1) {
            /* Timed out (a handed message went back): let the producer
             * run before trying again, as in producer_poll. */
            sb_yield_init(&n->y);
            SB_AWAIT(n, sb_yield_poll(&n->y, cx));
            continue;
          }
        }
        if (n->rx.closed)
          break;
        ASSERT_LT(n->k, n->st.m); /* nothing extra */
        ASSERT_EQ(n->rx.base.out, msg_value(n->st.seed, n->k));
        n->k++;
      }
      ASSERT_EQ(n->k, n->st.m); /* nothing lost */
      sb_chan_receiver_drop(n->ch);
      SB_AWAIT(n, sb_join_poll(&n->prod, cx));
      ASSERT_EQ(n->prod.base.out, n->st.m);
    } else if (n->st.kind == K_SLEEP) {
      sb_sleep_for_init(&n->nap, (int64_t)(next64(&n->jitter) % 100000));
      SB_AWAIT(n, sb_sleep_poll(&n->nap, cx));
    } else {
      sb_yield_init(&n->y);
      SB_AWAIT(n, sb_yield_poll(&n->y, cx));
    }
  }
  ASSERT_EQ(n->npend, 0);
  atomic_fetch_add(&n->c->sum, mix64(n->seed));
  atomic_fetch_add(&n->c->nodes, 1);
  SB_END(n, mix64(n->seed));
}

/* The root: grow the tree, join its top, wait for detached nodes. */
typedef struct root {
  sb_future base;
  ctx *c;              /* the round's tallies */
  uint64_t seed;       /* the top node's seed */
  uint64_t want_nodes; /* the model's node count */
  sb_join top;         /* the top node */
  sb_yield y;          /* the pauses while detached nodes finish */
  sb_sleep nap;
} root;

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  root *r = (root *)f;
  SB_BEGIN(r);
  {
    node top = {.base = SB_FUTURE_INIT(node_poll, NULL),
                .c = r->c,
                .seed = r->seed,
                .jitter = ~r->seed};
    plan_init(&top.plan, r->seed, 0, r->c->max_depth);
    ASSERT_EQ(sb_spawn(cx, &top.base, sizeof(top), &r->top), 0);
  }
  SB_AWAIT(r, sb_join_poll(&r->top, cx));
  ASSERT_EQ(r->top.base.out, mix64(r->seed));
  while (atomic_load(&r->c->nodes) < r->want_nodes) {
    /* Detached nodes still run. Yield too: on `pool` a sleep holds the
     * worker they may be queued for. */
    sb_yield_init(&r->y);
    SB_AWAIT(r, sb_yield_poll(&r->y, cx));
    sb_sleep_for_init(&r->nap, 100000);
    SB_AWAIT(r, sb_sleep_poll(&r->nap, cx));
  }
  SB_END(r, atomic_load(&r->c->nodes));
}

/* ---- rounds and seeds ------------------------------------------------------
 */

/* Runs one round of seed on ops. Returns the nodes it ran, or 0 when the
 * model says the tree is too big for this runtime (the seed is skipped). */
static uint64_t run_round(const sb_runtime_ops *ops, uint64_t seed) {
  int thread_per_task = (ops->flags & SB_RT_THREAD_PER_TASK) != 0;
  ctx c = {.max_depth = thread_per_task ? 4 : 7};
  uint64_t want_nodes = 0, want_sum = 0;
  model(seed, 0, c.max_depth, &want_nodes, &want_sum);
  if (want_nodes > (thread_per_task ? 150u : 3000u))
    return 0;
  atomic_init(&c.nodes, 0);
  atomic_init(&c.sum, 0);
  /* Varied worker counts (1..4), picked by the seed too. */
  sb_config cfg = {.workers = 1 + (int)(mix64(seed ^ 0xabcd) % 4)};
  sb_runtime *rt = NULL;
  root r = {.base = SB_FUTURE_INIT(root_poll, NULL),
            .c = &c,
            .seed = seed,
            .want_nodes = want_nodes};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, &r.base), 0);
  ops->close(rt);
  ASSERT_EQ(r.base.out, want_nodes); /* no node lost, none run twice */
  ASSERT_EQ(atomic_load(&c.sum), want_sum);
  return want_nodes;
}

/* Parses an unsigned number (decimal or 0x hex). Returns 0 or -EINVAL. */
static int parse_u64(const char *s, uint64_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
    return -EINVAL;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  uint64_t seed = 20240601, rounds = 1000, seconds = 3;
  const char *arg[3] = {argc > 2 ? argv[2] : getenv("SB_STRESS_SEED"),
                        argc > 3 ? argv[3] : getenv("SB_STRESS_ROUNDS"),
                        getenv("SB_STRESS_SECONDS")};
  uint64_t *dst[3] = {&seed, &rounds, &seconds};
  static const char *names[3] = {"seed", "rounds", "SB_STRESS_SECONDS"};
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s RUNTIME [SEED [ROUNDS]]\n", argv[0]);
    return 2;
  }
  const sb_runtime_ops *ops = sb_runtime_find(argv[1]);
  if (ops == NULL) {
    fprintf(stderr, "%s: unknown runtime '%s'\n", argv[0], argv[1]);
    return 2;
  }
  for (int i = 0; i < 3; i++) {
    if (arg[i] != NULL && parse_u64(arg[i], dst[i]) < 0) {
      fprintf(stderr, "%s: %s '%s' is not an unsigned number\n", argv[0],
              names[i], arg[i]);
      return 2;
    }
  }
  sb_replay_install();
  sb_watchdog d;
  sb_watchdog_start(&d);
  fprintf(stderr, "[%s] seed %#llx, up to %llu rounds in %llu s\n", ops->name,
          (unsigned long long)seed, (unsigned long long)rounds,
          (unsigned long long)seconds);
  int64_t end = sb_now_ns() + (int64_t)seconds * 1000000000;
  uint64_t ran = 0, skipped = 0, nodes = 0, i = 0;
  for (; i < rounds && (i == 0 || sb_now_ns() < end); i++) {
    uint64_t s = seed + i;
    sb_replay_set("stress_random: FAILED in the round of seed %#llx; "
                  "replay: %s %s %#llx 1\n",
                  (unsigned long long)s, argv[0], ops->name,
                  (unsigned long long)s);
    sb_watchdog_round(&d);
    uint64_t n = run_round(ops, s);
    ran += n > 0;
    skipped += n == 0;
    nodes += n;
  }
  sb_watchdog_stop(&d);
  fprintf(stderr,
          "[%s] %llu rounds (seeds %#llx..%#llx), %llu nodes, "
          "%llu seeds skipped as too big; all verified\n",
          ops->name, (unsigned long long)ran, (unsigned long long)seed,
          (unsigned long long)(seed + i - 1), (unsigned long long)nodes,
          (unsigned long long)skipped);
  return ran > 0 ? 0 : 1;
}
