/* The task state machine of runtime `steal` (after tokio's): wake, run one
 * poll, complete, join and detach, all as transitions of one atomic word.
 *
 * Invariants: a task is in at most one queue, and only while NOTIFIED and
 * not RUNNING; a wake during a poll only sets NOTIFIED and the poller
 * re-queues the task after the poll; a COMPLETE task is never polled again;
 * the memory is freed by whoever drops the last reference.
 *
 * Join waker ownership: while ST_JOIN_WAKER is clear and the task is not
 * COMPLETE, the joiner owns joiner and may write it, then sets the bit.
 * Once the bit is set the completer owns it: the completer reads it after
 * setting COMPLETE, wakes the joiner, and clears the bit. A joiner or
 * detacher that finds COMPLETE with the bit still set waits for it to clear,
 * because until then the completer may still touch the joiner's task. */
#include <sched.h>

#include "runtimes/core/spinlock.h"
#include "steal_internal.h"

/* Waits for a completer to finish waking the joiner (a few instructions
 * unless it was preempted); returns the state once ST_JOIN_WAKER is clear. */
static uint64_t wait_join_waker_clear(sb_task *t, uint64_t s) {
  int spins = 0;
  while (s & ST_JOIN_WAKER) {
    if (++spins < SB_SPIN_LIMIT)
      sb_cpu_relax();
    else
      sched_yield();
    /* acquire: pairs with the completer's releasing fetch_sub that cleared
     * the bit, so its last touch of the joiner happens before we go on. */
    s = atomic_load_explicit(&t->state, memory_order_acquire);
  }
  return s;
}

static void release(steal_rt *rt, sb_task *t, uint64_t bits) {
  /* acq_rel: release orders all our accesses to t before the free by
   * whoever drops the last reference; acquire, for when that is us, orders
   * everyone else's accesses before our free. */
  uint64_t s = atomic_fetch_sub_explicit(&t->state, bits, memory_order_acq_rel);
  SB_ASSERT((s & ST_REF_MASK) >= ST_REF_ONE);
  if ((s & ST_REF_MASK) == ST_REF_ONE)
    sb__steal_free(rt, t);
}

void sb__steal_wake(sb_waker wk) {
  steal_rt *rt = (steal_rt *)wk.rt;
  sb_task *t = wk.task;
  /* relaxed: once workers are gone (close), queues are never read again. */
  if (atomic_load_explicit(&rt->closing, memory_order_relaxed))
    return;
  steal_worker *w = steal_local(rt);
  if (w != NULL && w->current != NULL) {
    if (t == w->deferred) {
      /* Its last poll ended just before this one and it is still RUNNING,
       * held by this worker (sb__steal_run): it runs next, no RMW at all. */
      w->deferred = NULL;
      sb__steal_lifo_claimed(w, t);
      return;
    }
    /* Woken by the task running here: it will run next on this worker
     * (the LIFO slot), so claim it RUNNING now, idle -> RUNNING in the one
     * RMW a wake costs anyway, and its poll skips NOTIFIED -> RUNNING: one
     * locked instruction fewer per message of a ping-pong pair. A wake from
     * elsewhere meanwhile sees RUNNING and only sets NOTIFIED: the poll's
     * end re-queues it, as for a wake during a poll. acq_rel on success:
     * as below (the poll that follows is on this thread, after it);
     * relaxed on failure: the task is busy, the general path follows. */
    uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
    while ((s & (ST_NOTIFIED | ST_RUNNING | ST_COMPLETE)) == 0) {
      if (atomic_compare_exchange_weak_explicit(&t->state, &s, s | ST_RUNNING,
                                                memory_order_acq_rel,
                                                memory_order_relaxed)) {
        SB_ASSERT((s & ST_REF_MASK) != 0); /* a wake of a freed task */
        sb__steal_lifo_claimed(w, t);
        return;
      }
    }
  }
  /* acq_rel: release makes what the waker wrote before waking (a message,
   * a readiness flag) visible to the poll that follows, whose NOTIFIED ->
   * RUNNING transition acquires later in this word's modification order;
   * acquire pairs with the releasing end of the previous poll, so whoever
   * queues the task sees the future as that poll left it. A wake on a task
   * already NOTIFIED or RUNNING changes nothing else: it is queued, or its
   * poller re-queues it after the poll. Setting NOTIFIED on a COMPLETE task
   * is harmless: nothing looks at it any more. */
  uint64_t s =
      atomic_fetch_or_explicit(&t->state, ST_NOTIFIED, memory_order_acq_rel);
  SB_ASSERT((s & ST_REF_MASK) != 0); /* a wake of a freed task */
  if ((s & (ST_NOTIFIED | ST_RUNNING | ST_COMPLETE)) == 0)
    sb__steal_schedule(rt, t, STEAL_SCHED_WAKE);
}

static void complete(steal_rt *rt, sb_task *t) {
  /* RUNNING -> COMPLETE and the alive reference dropped, in one RMW (an
   * add, as RUNNING is known to be set: one locked instruction, no CAS
   * loop). NOTIFIED, if a wake came during the last poll, stays: nothing
   * looks at it on a COMPLETE task. acq_rel: release publishes fut->out
   * (and our last touch of the task, if the joiner frees it) to the joiner
   * that sees COMPLETE; acquire makes the joiner field the joiner wrote
   * before setting ST_JOIN_WAKER visible, and orders everything before a
   * free we do. */
  uint64_t s = atomic_fetch_add_explicit(
      &t->state, (uint64_t)ST_COMPLETE - ST_RUNNING - ST_REF_ONE,
      memory_order_acq_rel);
  uint64_t ns = s + ST_COMPLETE - ST_RUNNING - ST_REF_ONE;
  SB_ASSERT((s & (ST_RUNNING | ST_COMPLETE)) == ST_RUNNING);
  if ((s & (ST_JOIN_INTEREST | ST_JOIN_WAKER)) ==
      (ST_JOIN_INTEREST | ST_JOIN_WAKER)) {
    /* The joiner's reference keeps t alive: it cannot let go while the
     * bit is set (wait_join_waker_clear). */
    sb__steal_wake((sb_waker){.rt = &rt->base, .task = t->joiner});
    /* release: our read of joiner and the wake happen before the
     * joiner, which acquires the cleared bit, moves on and frees t. */
    atomic_fetch_and_explicit(&t->state, ~(uint64_t)ST_JOIN_WAKER,
                              memory_order_release);
    return;
  }
  if ((ns & ST_REF_MASK) == 0)
    sb__steal_free(rt, t); /* detached: nobody else refers to it */
}

/* The joiner or detacher of a COMPLETE task gives up the join reference,
 * the only one left (the completer dropped the alive one with COMPLETE). */
static void release_completed(steal_rt *rt, sb_task *t, uint64_t s) {
  s = wait_join_waker_clear(t, s);
  if ((s & ST_REF_MASK) == ST_REF_ONE)
    sb__steal_free(rt, t); /* ours alone, and nobody can take another */
  else
    release(rt, t, ST_REF_ONE + ST_JOIN_INTEREST);
}

void sb__steal_unclaim(sb_task *t) {
  /* Whatever wakes came meanwhile. acq_rel: release hands the future's
   * state to the next poller, as the end of a poll does; acquire sees the
   * data of those wakes. relaxed on failure: we retry with the fresh value. */
  uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(
      &t->state, &s, (s & ~(uint64_t)ST_RUNNING) | ST_NOTIFIED,
      memory_order_acq_rel, memory_order_relaxed))
    ;
}

/* RUNNING -> idle, at the end of a poll that returned PENDING. acq_rel:
 * release hands the future's new state to the next poller, acquire sees the
 * data of a wake that came during the poll. If one did, NOTIFIED is set and
 * nobody queued the task: we do, behind the others (a self-wake is how an
 * exhausted budget works). */
static void end_poll(steal_rt *rt, sb_task *t) {
  uint64_t s =
      atomic_fetch_sub_explicit(&t->state, ST_RUNNING, memory_order_acq_rel);
  if (s & ST_NOTIFIED)
    sb__steal_schedule(rt, t, STEAL_SCHED_YIELD);
}

void sb__steal_run(steal_worker *w, sb_task *t, int *budget, int claimed) {
  steal_rt *rt = w->rt;
  uint64_t s;
  if (!claimed) {
    /* NOTIFIED -> RUNNING in one RMW: a subtraction, as NOTIFIED is set and
     * RUNNING clear (asserted below), which x86 does in one locked add where
     * an xor would be a CAS loop. acquire: the poll sees what wakers
     * released before waking and what the previous poll left. (A claimed
     * task was made RUNNING by its wake's acq_rel CAS on this thread.) */
    s = atomic_fetch_sub_explicit(&t->state, (uint64_t)ST_NOTIFIED - ST_RUNNING,
                                  memory_order_acquire);
    SB_ASSERT((s & (ST_NOTIFIED | ST_RUNNING | ST_COMPLETE)) == ST_NOTIFIED);
  }
  sb_cx cx = {.rt = &rt->base,
              .waker = {.rt = &rt->base, .task = t},
              .budget = *budget,
              .worker = w};
  w->current = t;
  sb_poll r = sb_future_poll(t->fut, &cx);
  *budget = cx.budget;
  if (r == SB_READY) {
    w->yielded = 0;  /* asked to yield, then finished anyway */
    complete(rt, t); /* with current set: the joiner goes to the LIFO slot */
    w->current = NULL;
    sb__steal_end_deferred(w);
    return;
  }
  w->current = NULL;
  sb__steal_end_deferred(w); /* the last poll's, if this one did not wake it */
  if (w->yielded) {
    /* RUNNING -> NOTIFIED, woken meanwhile or not. */
    w->yielded = 0;
    sb__steal_unclaim(t);
    sb__steal_schedule(rt, t, STEAL_SCHED_YIELD);
    return;
  }
  /* relaxed: a wake from this thread (a self-wake) is always seen; one
   * from another thread that this load misses is handled by the deferred
   * end, as any wake in that window is. */
  if (w->lifo != NULL && w->lifo_claimed &&
      !(atomic_load_explicit(&t->state, memory_order_relaxed) & ST_NOTIFIED)) {
    /* A task this poll woke (not one it spawned) runs next. If that poll
     * wakes t back (a ping-pong pair, a request and its reply), t is still
     * RUNNING here and goes to the LIFO slot with no RMW: the end of this
     * poll and that wake's claim, two locked instructions, are both saved.
     * Else its end comes after that one poll (run_task ends the chain with
     * sb__steal_end_deferred too). Meanwhile it is RUNNING, so another
     * thread's wake only sets NOTIFIED, which the deferred end sees and
     * acts on: that wake waits one poll longer, as a wake during a poll
     * does, and t is queued here, not run where the wake came from. A
     * spawned LIFO task does not defer its parent for that reason: in a
     * fork-join tree the parent waits for a child another worker may
     * steal, and its continuation should run where that child ends. Nor
     * does a task woken during its own poll (a self-wake, a spent budget):
     * it goes behind the others, as it always did. */
    w->deferred = t;
    return;
  }
  end_poll(rt, t);
}

void sb__steal_end_deferred(steal_worker *w) {
  sb_task *t = w->deferred;
  if (t != NULL) {
    w->deferred = NULL;
    end_poll(w->rt, t);
  }
}

sb_poll sb__steal_join(sb_cx *cx, sb_task *t, uint64_t *out) {
  steal_rt *rt = (steal_rt *)cx->rt;
  /* acquire: if COMPLETE, the output is visible. */
  uint64_t s = atomic_load_explicit(&t->state, memory_order_acquire);
  while (!(s & ST_COMPLETE)) {
    if (s & ST_JOIN_WAKER) {
      if (t->joiner == cx->waker.task)
        return SB_PENDING; /* already registered by this task */
      /* Take the field back to replace it. acquire on failure: the output
       * if the task completed meanwhile. On success there is nothing to
       * order (the completer reads the field only after COMPLETE, which
       * this CAS excludes), but C11 wants success no weaker than failure. */
      if (!atomic_compare_exchange_weak_explicit(
              &t->state, &s, s & ~(uint64_t)ST_JOIN_WAKER, memory_order_acquire,
              memory_order_acquire))
        continue;
      s &= ~(uint64_t)ST_JOIN_WAKER;
    }
    SB_ASSERT(cx->waker.rt == &rt->base); /* a joiner of this runtime */
    t->joiner = cx->waker.task;
    /* acq_rel: release publishes joiner to the completer, which reads
     * it only after seeing the bit (its CAS acquires); the acquire half is
     * there because the failure order needs it: on failure, acquire makes
     * the output visible if the task completed meanwhile. */
    if (atomic_compare_exchange_weak_explicit(&t->state, &s, s | ST_JOIN_WAKER,
                                              memory_order_acq_rel,
                                              memory_order_acquire))
      return SB_PENDING;
  }
  s = wait_join_waker_clear(t, s);
  *out = t->fut->out;
  release_completed(rt, t, s);
  return SB_READY;
}

void sb__steal_detach(sb_runtime *base, sb_task *t) {
  steal_rt *rt = (steal_rt *)base;
  /* acquire: pairs with the completer's release when it is done. */
  uint64_t s = atomic_load_explicit(&t->state, memory_order_acquire);
  while (!(s & ST_COMPLETE)) {
    /* Not done: drop interest, waker and our reference at once. The alive
     * reference remains, so this never frees. acq_rel on success: release
     * orders our last use of t before its free by the completer; acquire
     * on failure: we re-decide on the fresh state. */
    uint64_t ns =
        (s & ~(uint64_t)(ST_JOIN_INTEREST | ST_JOIN_WAKER)) - ST_REF_ONE;
    if (atomic_compare_exchange_weak_explicit(
            &t->state, &s, ns, memory_order_acq_rel, memory_order_acquire))
      return;
  }
  release_completed(rt, t, s);
}
