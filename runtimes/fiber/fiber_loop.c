/* A carrier's scheduler context in runtime `fiber`: the loop that runs on
 * the carrier thread's own stack whenever no fiber does. It resumes ready
 * fibers, takes a turn at the reactor, the inbox and the timers, steals
 * fresh fibers when it has nothing (several carriers), and sleeps in its
 * reactor when there is nothing at all.
 *
 * Idle protocol (tokio's and single's, per carrier):
 * 1. A carrier with nothing to run stores parked = 1 (seq_cst), counts
 *    itself in nidle, then looks once more at its inbox and every other
 *    ring; only if all are empty does it block
 *    in its reactor (until I/O, its next timer, or a notify).
 * 2. A remote waker pushes to the inbox (seq_cst) and then reads parked:
 *    one of the two sides sees the other, so no wake is lost; whoever flips
 *    parked to 0 writes the eventfd.
 * 3. A busy carrier reads nidle as a hint only (fiber_sched.c, maybe_shed)
 *    and sheds fresh fibers to its ring for the idle ones: a fresh fiber
 *    cannot be lost, since its own carrier runs it at worst. */
#include "fiber_internal.h"
#include "fiber_san.h"
#include "switch.h"

/* Some other carrier's ring holds a fresh fiber. */
static int work_visible(fiber_rt *rt, fiber_carrier *c) {
  for (int i = 0; i < rt->ncarriers; i++)
    if (&rt->carriers[i] != c && !sb_deque_maybe_empty(&rt->carriers[i].q))
      return 1;
  return 0;
}

/* One look at the reactor, the inbox and the timers; when idle, blocks
 * until I/O, the next timer or a notify. Returns 0 or the reactor's -errno. */
static int turn(fiber_carrier *c, int idle) {
  fiber_rt *rt = c->rt;
  int many = c->many;
  int64_t timeout = 0;
  if (idle) {
    atomic_store(&c->parked, 1); /* seq_cst: step 1 of the protocol */
    /* seq_cst, no fence: busy carriers read nidle as a hint (step 3). */
    if (many)
      atomic_fetch_add(&rt->nidle, 1);
    if (!sb__inbox_empty(&c->inbox) || (many && work_visible(rt, c))) {
      timeout = 0;
    } else if (c->timers.len == 0) {
      timeout = -1;
    } else {
      timeout = sb__timer_heap_next(&c->timers) - sb_now_ns();
      if (timeout < 0)
        timeout = 0;
    }
  }
  int n = sb__reactor_poll(c->reactor, timeout);
  if (idle) {
    if (many)
      atomic_fetch_sub(&rt->nidle, 1);
    /* relaxed: a waker that still flips it only costs a spurious eventfd
     * write; the next park stores it again with seq_cst. */
    atomic_store_explicit(&c->parked, 0, memory_order_relaxed);
  }
  if (!sb__inbox_empty(&c->inbox))
    sb__fiber_drain_inbox(c);
  sb__timer_heap_fire_expired(&c->timers);
  return n < 0 ? n : 0;
}

static uint32_t next_rand(fiber_carrier *c) {
  uint32_t x = c->rng; /* xorshift32 */
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  c->rng = x;
  return x;
}

/* Steals half of what a random other carrier shed to its ring. Only fresh
 * fibers move between carriers. */
static fiber *steal(fiber_carrier *c) {
  fiber_rt *rt = c->rt;
  int n = rt->ncarriers;
  int start = (int)(next_rand(c) % (uint32_t)n);
  for (int i = 0; i < n; i++) {
    fiber_carrier *v = &rt->carriers[(start + i) % n];
    if (v == c || sb_deque_maybe_empty(&v->q))
      continue;
    fiber *f = sb_deque_steal_half(&v->q, &c->q);
    if (f != NULL) {
      f->home = c;
      return f;
    }
  }
  return NULL;
}

/* Switches from the scheduler to f; returns when some fiber of c switches
 * back (c->prev and its action are then for the loop to finish). */
static void run(fiber_carrier *c, fiber *f) {
  sb__fiber_resume_mark(c, f);
  fiber_san_leave(c, NULL, f, 0);
  sb__fiber_switch(&c->sched_sp, f->sp, NULL);
  fiber_san_arrive(c, NULL, 0);
}

int sb__fiber_carrier_loop(fiber_carrier *c) {
  fiber_rt *rt = c->rt;
  int err = 0;
  fiber_san_sched_begin(c);
  for (;;) {
    sb__fiber_finish_switch(c);
    if (c->index == 0
            ? c->root_exited
            /* relaxed: close notifies our reactor after it */
            : atomic_load_explicit(&rt->shutdown, memory_order_relaxed))
      break;
    fiber *f = sb__fiber_pick(c, 1);
    if (f == NULL && c->many)
      f = steal(c);
    if ((err = turn(c, f == NULL)) < 0) {
      if (f != NULL)
        fiber_runq_push(c, f); /* still notified: it runs next time */
      break;
    }
    if (f != NULL)
      run(c, f);
  }
  return err;
}
