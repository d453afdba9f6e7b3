/* Deferred wakes, in the manner of the Linux kernel's wake_q: a runtime whose
 * wake is a system call that may switch to the woken thread at once (threads:
 * a futex wake on one CPU) queues the wakes a poll makes and issues them when
 * the poll returns, or before anything in it blocks. The woken thread then
 * never runs while its waker still holds a lock it needs (a channel's
 * spinlock), which would cost a sched_yield and two extra switches per
 * handoff. Used by threads/threads.c, and flushed by spawn_blocking
 * (runtimes/primitives/blocking.c) before it runs a function inline.
 * Header-only but for the thread-local (wakeq.c).
 *
 * Lifetime: a deferred wake reaches its task after the lock it was made
 * under is released, so the task may have finished meanwhile. Only a runtime
 * whose tasks stay mapped until close, and whose stale wake is a spurious
 * wake-up (threads: tasks are recycled, parkers absorb it), may defer; and
 * every thread issues its wakes before it stops running tasks. */
#ifndef SB_WAKEQ_H
#define SB_WAKEQ_H

#include "runtimes/core/sb.h"

/* Wakes held at once; a wake beyond them is issued at once (picked out of
 * thin air: a poll makes one or two, a broadcast many). */
#define SB__WAKEQ_CAP 16

typedef struct sb__wakeq {
  sb_runtime *rt;            /* whose wakes are deferred */
  void (*issue)(sb_waker w); /* performs one wake now */
  struct sb__wakeq *prev;    /* the thread's queue before begin, if any */
  int n;                     /* wakes queued */
  sb_waker w[SB__WAKEQ_CAP]; /* in the order they were made */
} sb__wakeq;

/* The calling thread's queue while it defers, else NULL. */
extern _Thread_local sb__wakeq *sb__wakeq_current;

/* Starts deferring the calling thread's wakes of rt's tasks into q. */
static inline void sb__wakeq_begin(sb__wakeq *q, sb_runtime *rt,
                                   void (*issue)(sb_waker w)) {
  q->rt = rt;
  q->issue = issue;
  q->n = 0;
  q->prev = sb__wakeq_current;
  sb__wakeq_current = q;
}

/* Issues every wake the calling thread deferred so far; it goes on
 * deferring. Call before anything that may block the thread. */
static inline void sb__wakeq_flush(void) {
  sb__wakeq *q = sb__wakeq_current;
  if (q == NULL)
    return;
  for (int i = 0; i < q->n; i++)
    q->issue(q->w[i]);
  q->n = 0;
}

/* Issues q's wakes and stops deferring (q must be the current queue). */
static inline void sb__wakeq_end(sb__wakeq *q) {
  SB_ASSERT(sb__wakeq_current == q);
  sb__wakeq_flush();
  sb__wakeq_current = q->prev;
}

/* Queues w if the calling thread defers wakes of w.rt and has room:
 * returns 1, else 0 and the caller wakes now. A repeat of the last wake
 * queued coalesces with it. */
static inline int sb__wakeq_defer(sb_waker w) {
  sb__wakeq *q = sb__wakeq_current;
  if (q == NULL || q->rt != w.rt)
    return 0;
  if (q->n > 0 && q->w[q->n - 1].task == w.task)
    return 1;
  if (q->n == SB__WAKEQ_CAP)
    return 0;
  q->w[q->n++] = w;
  return 1;
}

#endif /* SB_WAKEQ_H */
