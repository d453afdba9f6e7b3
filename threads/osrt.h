/* Pieces shared by the two OS-thread runtimes (threads.c, pool.c): the join
 * protocol between a task and its join reference, and the default thread
 * stack size. Internal; header-only. */
#ifndef SB_OSRT_H
#define SB_OSRT_H

#include <pthread.h>

#include "runtimes/core/sb.h"

/* Join state of one task. Two references keep a task alive: its runner (the
 * thread that polls it to the end) and its join reference (given back by
 * join reaching READY or by detach). Whoever drops the last one recycles the
 * task. */
typedef struct sb__joinref {
  _Atomic uint32_t refs;  /* 2 at spawn: the runner and the join reference */
  _Atomic uint32_t flags; /* SB__JOIN_DONE | SB__JOIN_WAITER */
  sb_waker waker; /* the joiner's waker: written by the joiner only while
                     WAITER is clear, read by the runner once it set DONE and
                     saw WAITER */
  uint64_t out;   /* the child's output, written by the runner before DONE */
} sb__joinref;

#define SB__JOIN_DONE 1u   /* the child finished; out is valid */
#define SB__JOIN_WAITER 2u /* waker holds the joiner's waker */

static inline void sb__joinref_init(sb__joinref *j) {
  atomic_init(&j->refs, 2);
  atomic_init(&j->flags, 0);
  j->out = 0;
}

/* The runner publishes the output and wakes a registered joiner. The
 * runner's reference keeps the task alive while it reads j->waker. */
static inline void sb__joinref_complete(sb__joinref *j, uint64_t out) {
  j->out = out;
  /* acq_rel: release publishes out to a joiner that sees DONE; acquire
   * makes the joiner's j->waker (written before it set WAITER) visible. */
  uint32_t old =
      atomic_fetch_or_explicit(&j->flags, SB__JOIN_DONE, memory_order_acq_rel);
  if (old & SB__JOIN_WAITER)
    sb_wake(j->waker);
}

/* The joiner: returns 1 with *out when the child is done, else 0 after
 * registering w (replacing an earlier, different waker). */
static inline int sb__joinref_poll(sb__joinref *j, sb_waker w, uint64_t *out) {
  /* Acquire: pairs with the runner's release of out. */
  uint32_t f = atomic_load_explicit(&j->flags, memory_order_acquire);
  if (f & SB__JOIN_DONE)
    goto done;
  if (f & SB__JOIN_WAITER) {
    if (j->waker.rt == w.rt && j->waker.task == w.task)
      return 0; /* already registered */
    /* Take the waker back before rewriting it. Acquire (on failure): the
     * only other change is DONE, whose out we then read. */
    if (!atomic_compare_exchange_strong_explicit(
            &j->flags, &f, f & ~SB__JOIN_WAITER, memory_order_acquire,
            memory_order_acquire))
      goto done;
  }
  j->waker = w;
  /* acq_rel: release publishes j->waker to the runner; acquire pairs with
   * the runner's release of out when DONE is already set. */
  f = atomic_fetch_or_explicit(&j->flags, SB__JOIN_WAITER,
                               memory_order_acq_rel);
  if (f & SB__JOIN_DONE)
    goto done;
  return 0;
done:
  *out = j->out;
  return 1;
}

/* Drops one reference; returns 1 when it was the last (recycle the task). */
static inline int sb__joinref_release(sb__joinref *j) {
  /* acq_rel: every use of the task by the other holder happens before the
   * last holder recycles it. */
  return atomic_fetch_sub_explicit(&j->refs, 1, memory_order_acq_rel) == 1;
}

/* The stack size glibc gives a thread created with default attributes
 * (RLIMIT_STACK at startup, 8 MiB on most systems), or 0 if unknown. */
static inline size_t sb__default_stack_size(void) {
  pthread_attr_t attr;
  size_t size = 0;
  if (pthread_getattr_default_np(&attr) != 0)
    return 0;
  if (pthread_attr_getstacksize(&attr, &size) != 0)
    size = 0;
  pthread_attr_destroy(&attr);
  return size;
}

#endif
