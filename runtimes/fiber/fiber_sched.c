/* The scheduler of runtime `fiber`: wakes, the switch away from a fiber and
 * what its carrier does once off that fiber's stack, and the life of a
 * fiber (its top loop). The carrier's own loop is in fiber_loop.c.
 *
 * 1. A fiber polls its future on its own stack. A leaf that must wait for
 *    the kernel (wait_fd, sleep_until, yield: fiber_wait.c) registers and
 *    switches away; it returns READY once resumed, as on `threads`. A leaf
 *    that waits on a waker only (channels, join) returns PENDING up to the
 *    top loop, which parks the fiber the same way.
 * 2. Parking switches straight to the next ready fiber of the carrier (one
 *    switch), or to the carrier's scheduler context when there is none or
 *    when the scheduler's turn is due (every TICK_SWITCHES switches), which
 *    then looks at the reactor, the inbox and the timers.
 * 3. What becomes of the fiber that left (parked, or queued again) is done
 *    by whoever runs next, once off its stack (sb__fiber_finish_switch).
 * 4. A wake from the fiber's home carrier marks it notified and, if it is
 *    not running, queues it: plain stores, as in `single`. A wake from any
 *    other thread links it on the home's inbox (once: FJ_INBOX) and, if the
 *    home sleeps in its reactor, writes its eventfd; the home drains the
 *    inbox at its next switch or turn. */
#include "fiber_internal.h"
#include "fiber_san.h"
#include "switch.h"

/* Switches between two turns of the scheduler (as single's TICK_POLLS:
 * prime, after tokio's event interval). */
#define TICK_SWITCHES 61

_Thread_local fiber_carrier *sb__fiber_self;

int sb__fiber_unpark(fiber_carrier *c) {
  /* seq_cst load after a seq_cst inbox push: the Dekker half of the
   * parking protocol, mirrored by the seq_cst store of parked before the
   * carrier looks at its inbox (fiber_loop.c). After a ring push (a hint
   * only, see notify_idle) it orders nothing. Only the thread that flips
   * parked writes the eventfd, so a burst of wakes costs one syscall. */
  if (!atomic_load(&c->parked) || !atomic_exchange(&c->parked, 0))
    return 0;
  sb__reactor_notify(c->reactor);
  return 1;
}

/* A wake on the home carrier's thread: plain stores. */
static void local_wake(fiber_carrier *c, fiber *f) {
  if (f->notified)
    return; /* wakes coalesce */
  f->notified = 1;
  if (!f->running)
    fiber_runq_push(c, f); /* else its park (or resume) sees notified */
}

void sb__fiber_wake(sb_waker w) {
  fiber_rt *rt = (fiber_rt *)w.rt;
  fiber *f = w.task;
  fiber_carrier *c = f->home;
  if (sb__fiber_self == c) {
    local_wake(c, f);
    return;
  }
  /* relaxed: once close stopped the carriers nothing reads a queue again;
   * a wake racing with that is harmless (the memory lives until close
   * ends, and no wake may come later than that, by the contract). */
  if (atomic_load_explicit(&rt->closing, memory_order_relaxed))
    return;
  /* acq_rel: acquire pairs with the release that cleared INBOX in the
   * drain, so its read of f->inbox.next is done before this push reuses
   * the link; release publishes what the waker wrote before waking. A
   * fiber already on the inbox needs nothing more: its wakes coalesce. */
  if (atomic_fetch_or_explicit(&f->join, FJ_INBOX, memory_order_acq_rel) &
      FJ_INBOX)
    return;
  sb__inbox_push(&c->inbox, &f->inbox);
  sb__fiber_unpark(c);
}

void sb__fiber_drain_inbox(fiber_carrier *c) {
  sb_snode *n = sb__inbox_take_all(&c->inbox);
  /* The whole chain is walked before any of its fibers runs. */
  while (n != NULL) {
    fiber *f = SB_CONTAINER_OF(n, fiber, inbox);
    n = n->next;
    /* acq_rel: release orders our read of the link above before a new
     * push (which acquires INBOX); acquire sees the waker's data and, when
     * we free, everyone's last touch of the slot. */
    uint32_t j =
        atomic_fetch_and_explicit(&f->join, ~FJ_INBOX, memory_order_acq_rel);
    if (!(j & FJ_EXITED))
      local_wake(c, f); /* it can only exit here, on this thread */
    else if (j & FJ_RELEASED)
      sb__fiber_slot_free(c->rt, c, f); /* exited meanwhile: ours to free */
    /* else: exited, joined later by whoever releases it; f is not ours to
     * touch any more (block_on's fiber never sets EXITED). */
  }
}

/* Wakes one parked carrier other than c, to steal what c shed. */
static void notify_idle(fiber_rt *rt, fiber_carrier *c) {
  for (int i = 1; i < rt->ncarriers; i++)
    if (sb__fiber_unpark(&rt->carriers[(c->index + i) % rt->ncarriers]))
      return;
}

/* Fresh fibers a carrier keeps to itself between two turns of its
 * scheduler: two spawned together are often a conversation (a pinger and
 * its ponger), and a fiber that has run never moves again, so splitting
 * them would put every message across carriers for good; a crowd is work
 * to share. The scheduler's turn (every TICK_SWITCHES switches) sheds from
 * two on, by which time a conversation has started. */
#define SHED_MIN 4

/* With several carriers: when some carrier is idle, c's ring is empty and
 * c holds at least min fresh fibers, moves the older half of them to its
 * ring (thieves get the oldest, the biggest subtrees of a fork-join; c
 * keeps walking depth first) and wakes an idle carrier. nidle is read
 * relaxed, as a hint: a fresh fiber is never lost (c runs it at worst),
 * only help comes later; c looks again at every switch. */
static void maybe_shed(fiber_rt *rt, fiber_carrier *c, size_t min) {
  if (c->nfresh < min ||
      atomic_load_explicit(&rt->nidle, memory_order_relaxed) == 0 ||
      !sb_deque_maybe_empty(&c->q))
    return;
  for (size_t n = c->nfresh / 2; n > 0; n--) {
    fiber *f = fiber_fresh_take(c, 1);
    if (sb_deque_push(&c->q, f) < 0) { /* a thief's copy holds slots */
      fiber_fresh_push(c, f);          /* (as the newest: order is moot) */
      break;
    }
  }
  notify_idle(rt, c);
}

void sb__fiber_spawned(fiber_carrier *c, fiber *f) {
  fiber_fresh_push(c, f);
  if (c->many)
    maybe_shed(c->rt, c, SHED_MIN);
}

fiber *sb__fiber_pick(fiber_carrier *c, int fresh_first) {
  fiber *f;
  if (c->many) /* fresh_first: the scheduler's turn */
    maybe_shed(c->rt, c, fresh_first ? 2 : SHED_MIN);
  if (fresh_first && (f = fiber_fresh_take(c, 0)) != NULL)
    return f;
  if ((f = fiber_runq_pop(c)) != NULL)
    return f;
  if (!sb__inbox_empty(&c->inbox)) {
    sb__fiber_drain_inbox(c);
    if ((f = fiber_runq_pop(c)) != NULL)
      return f;
  }
  if ((f = fiber_fresh_take(c, 0)) != NULL)
    return f;
  return c->many ? fiber_ring_pop(c) : NULL;
}

void sb__fiber_resume_mark(fiber_carrier *c, fiber *f) {
  f->notified = 0; /* a wake from now on asks for another poll */
  f->running = 1;
  c->running = f;
}

void sb__fiber_exited(fiber_carrier *c, fiber *f) {
  fiber_san_exited(c, f);
  if (f->is_root) {
    c->root_exited = 1;
    return;
  }
  /* acq_rel: release orders our last touch of f before a free by the
   * joiner or the drain; acquire orders theirs before ours. */
  uint32_t j =
      atomic_fetch_or_explicit(&f->join, FJ_EXITED, memory_order_acq_rel);
  if ((j & (FJ_RELEASED | FJ_INBOX)) == FJ_RELEASED)
    sb__fiber_slot_free(c->rt, c, f);
}

void sb__fiber_finish_switch(fiber_carrier *c) {
  fiber *p = c->prev;
  int act = c->prev_action;
  c->prev = NULL;
  c->prev_action = FIBER_ACT_NONE;
  switch (act) {
  case FIBER_ACT_PARK:
    p->running = 0;
    if (p->notified) /* woken since it decided to park */
      fiber_runq_push(c, p);
    break;
  case FIBER_ACT_YIELD:
    fiber_runq_push(c, p); /* still `running`: wakes only mark it */
    break;
  case FIBER_ACT_EXIT:
    sb__fiber_exited(c, p);
    break;
  default:
    break;
  }
}

/* Before f switches to next (NULL: the scheduler): what to do to f once
 * off its stack, and next marked running. */
static void hand_over(fiber_carrier *c, fiber *f, int act, fiber *next) {
  c->prev = f;
  c->prev_action = act;
  if (next != NULL)
    sb__fiber_resume_mark(c, next);
  else
    c->running = NULL;
}

/* noinline: the one place a fiber switches from and is resumed at, so the
 * return predictor finds the call it expects (switch_x86_64.S). */
__attribute__((noinline)) void sb__fiber_leave(fiber *f, int act) {
  fiber_carrier *c = f->home;
  int due = ++c->tick % TICK_SWITCHES == 0;
  fiber *next = due ? NULL : sb__fiber_pick(c, 0);
  if (next == NULL && !due && act == FIBER_ACT_YIELD) {
    /* Nobody else is ready: go on. A wake that came meanwhile is taken
     * here; `woken` makes the top loop poll again before any park. */
    f->notified = 0;
    f->woken = 1;
    f->cx.budget = SB_BUDGET;
    return;
  }
  hand_over(c, f, act, next);
  fiber_san_leave(c, f, next, 0);
  sb__fiber_switch(&f->sp, next != NULL ? next->sp : c->sched_sp, NULL);
  /* Resumed, on the same carrier: a fiber that ran never moves. */
  c = f->home;
  fiber_san_arrive(c, f, c->prev == NULL);
  sb__fiber_finish_switch(c);
  f->woken = 1;
  f->cx.budget = SB_BUDGET;
}

void sb__fiber_park(fiber *f) {
  if (f->notified) {
    /* Woken already in this poll: do not sleep, let the caller re-check. */
    f->notified = 0;
    f->woken = 1;
    return;
  }
  sb__fiber_leave(f, FIBER_ACT_PARK);
}

/* The fiber's future is READY: publish the output, wake the joiner. */
static void complete(fiber *f) {
  f->out = f->fut->out;
  /* acq_rel: release publishes out to a joiner that sees DONE; acquire
   * makes the joiner's waker (written before it set WAITER) visible. */
  uint32_t j =
      atomic_fetch_or_explicit(&f->join, FJ_DONE, memory_order_acq_rel);
  if (j & FJ_WAITER) {
    sb_wake(f->joiner);
    /* release: our read of joiner and the wake happen before a joiner
     * that acquires the cleared bit moves on (and maybe frees its task). */
    atomic_fetch_and_explicit(&f->join, ~FJ_WAITER, memory_order_release);
  }
}

/* The life of a fiber on its own stack, up to its output: it returns, so
 * that its frames are gone before the final switch (below). noinline: it
 * must keep ThreadSanitizer's instrumentation. */
__attribute__((noinline)) static void fiber_run(fiber *f) {
  fiber_carrier *c = f->home;
  fiber_san_arrive(c, f, c->prev == NULL);
  sb__fiber_finish_switch(c);
  f->cx.budget = SB_BUDGET;
  for (;;) {
    f->woken = 0;
    if (sb_future_poll(f->fut, &f->cx) == SB_READY)
      break;
    /* Resumed inside that poll, or woken during it: whatever woke it may
     * be what the poll waits for now. Poll again, behind the others. */
    if (f->woken || f->notified)
      sb__fiber_leave(f, FIBER_ACT_YIELD);
    else
      sb__fiber_leave(f, FIBER_ACT_PARK);
  }
  complete(f);
}

/* Who runs after an exiting fiber: the next ready one, or the scheduler
 * (always, for block_on's fiber, so that block_on returns now). */
__attribute__((noinline)) static fiber *exit_next(fiber *f) {
  fiber_carrier *c = f->home;
  int due = ++c->tick % TICK_SWITCHES == 0;
  fiber *next = due || f->is_root ? NULL : sb__fiber_pick(c, 0);
  hand_over(c, f, FIBER_ACT_EXIT, next);
  return next;
}

/* Not instrumented by ThreadSanitizer (no frame of its own on the fiber's
 * shadow stack): the fiber leaves for good from here with nothing on it,
 * so its ThreadSanitizer fiber can serve the next one. Everything that
 * touches shared state is in the two calls, which are instrumented. */
FIBER_NO_TSAN_FRAME void sb__fiber_entry(void *arg, void *data) {
  fiber *f = data;
  (void)arg;
  fiber_run(f);
  fiber *next = exit_next(f);
  fiber_carrier *c = f->home;
  fiber_san_leave(c, f, next, 1);
  sb__fiber_switch(&f->sp, next != NULL ? next->sp : c->sched_sp, NULL);
  SB_ASSERT(!"an exited fiber was resumed");
}
