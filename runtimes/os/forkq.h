/* The per-worker fork deque of `steal`: a Chase-Lev deque (Chase and Lev,
 * SPAA 2005, with the C11 orderings of Lê et al., PPoPP 2013) of fixed
 * capacity, for scoped forks (sb_fork) and tasks not yet polled. The owner
 * pushes and pops at the bottom (LIFO: a fork-join tree runs depth first, and a
 * parent takes its own child back from the bottom to run inline, as rayon
 * does); thieves take one at a time from the top (the oldest: the biggest
 * subtree). Header-only, lock-free (push and pop wait-free, steal lock-free).
 *
 * Why this beside the ring (deque.h) and not instead of it: woken and
 * yielded tasks want the ring's FIFO order so nothing starves, and forks
 * and new tasks want LIFO; each queue keeps the order its tasks want. Fixed
 * capacity: a full deque makes the fork run inline (sb_runtime_ops.fork returns
 * 0) or a new task go to the ring, so no buffer ever grows and no old one needs
 * reclaiming.
 *
 * Orderings: the indices use seq_cst where the algorithm needs a total
 * order between the owner's "bottom moved" and a thief's "top read" (pop's
 * store then load, steal's load then load, and the CASes that settle the
 * last element). That is the paper's seq_cst fence written as seq_cst
 * accesses, which costs the same on x86 (one locked instruction) and which
 * ThreadSanitizer understands (it does not model standalone fences). */
#ifndef SB_FORKQ_H
#define SB_FORKQ_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtimes/core/sb.h"

#ifndef SB_FORKQ_CAP
#define SB_FORKQ_CAP                                                           \
  256 /* slots; a power of two. A fork tree deeper than                        \
         this runs its deepest forks inline, which costs                       \
         nothing but parallelism nobody can use. Picked                        \
         as deque.h's ring size. */
#endif
#define SB_FORKQ_MASK (SB_FORKQ_CAP - 1)

typedef struct sb_forkq {
  /* The next slot a thief takes; only ever increases, by CAS. */
  alignas(SB_CACHELINE) _Atomic int64_t top;
  /* One past the owner's newest slot; stored only by the owner. */
  alignas(SB_CACHELINE) _Atomic int64_t bottom;
  /* Written by the owner (push), read by whoever took the index. */
  _Atomic(void *) slot[SB_FORKQ_CAP];
} sb_forkq;

static inline void sb_forkq_init(sb_forkq *q) {
  atomic_init(&q->top, 0);
  atomic_init(&q->bottom, 0);
  for (int i = 0; i < SB_FORKQ_CAP; i++)
    atomic_init(&q->slot[i], NULL);
}

/* A guess whether q holds anything; may be stale (a hint for thieves and
 * for parking, which re-check with the orders they need). */
static inline int sb_forkq_maybe_empty(sb_forkq *q) {
  /* relaxed: a hint only. */
  return atomic_load_explicit(&q->bottom, memory_order_relaxed) <=
         atomic_load_explicit(&q->top, memory_order_relaxed);
}

/* Owner only. Pushes x at the bottom. Returns 0, or -ENOSPC when full.
 * Wait-free. */
static inline int sb_forkq_push(sb_forkq *q, void *x) {
  /* relaxed: the owner is the only writer of bottom. */
  int64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed);
  /* acquire: pairs with a thief's successful CAS of top, so its read of
   * the slot it took happens before we overwrite that slot below. */
  int64_t t = atomic_load_explicit(&q->top, memory_order_acquire);
  if (b - t >= SB_FORKQ_CAP)
    return -ENOSPC;
  /* relaxed: published by the release store of bottom just below. */
  atomic_store_explicit(&q->slot[b & SB_FORKQ_MASK], x, memory_order_relaxed);
  /* release: a thief that reads the new bottom (seq_cst, so acquire) sees
   * the slot and what x points to (the fork's task header and child). */
  atomic_store_explicit(&q->bottom, b + 1, memory_order_release);
  return 0;
}

/* Owner only. Pops the newest entry, or NULL when empty (or a thief took
 * the last one first). Wait-free. */
static inline void *sb_forkq_pop(sb_forkq *q) {
  /* relaxed: the owner is the only writer of bottom. */
  int64_t b = atomic_load_explicit(&q->bottom, memory_order_relaxed) - 1;
  /* relaxed: top only grows, so a stale top that already says empty is
   * right; this spares an empty deque the locked store below, and the
   * thieves that read bottom a cache-line transfer. */
  if (b < atomic_load_explicit(&q->top, memory_order_relaxed))
    return NULL;
  /* seq_cst store, then seq_cst load of top: a thief either sees the
   * lowered bottom and leaves slot b alone, or we see its raised top; the
   * single total order of seq_cst forbids both missing each other. */
  atomic_store_explicit(&q->bottom, b, memory_order_seq_cst);
  int64_t t = atomic_load_explicit(&q->top, memory_order_seq_cst);
  void *x = NULL;
  if (t <= b) {
    /* relaxed: written by this thread (push). */
    x = atomic_load_explicit(&q->slot[b & SB_FORKQ_MASK], memory_order_relaxed);
    if (t == b) {
      /* The last entry: settle it against thieves on top. seq_cst on
       * success (as a thief's CAS); relaxed on failure: a thief won, and
       * we only restore bottom. */
      if (!atomic_compare_exchange_strong_explicit(
              &q->top, &t, t + 1, memory_order_seq_cst, memory_order_relaxed))
        x = NULL;
      b++; /* empty either way: bottom back to top */
    } else {
      return x; /* bottom stays lowered: the entry is ours */
    }
  } else {
    b++; /* it was empty: restore bottom */
  }
  /* release: keeps every store to bottom a release, so a thief's acquire
   * of any value of bottom sees the slots below it. */
  atomic_store_explicit(&q->bottom, b, memory_order_release);
  return x;
}

/* Any thread. Takes the oldest entry, or NULL when empty or when another
 * thief or the owner's pop won the race for it. Lock-free. */
static inline void *sb_forkq_steal(sb_forkq *q) {
  /* seq_cst loads, top then bottom: see sb_forkq_pop; bottom's also
   * acquires the owner's release store, so the slot below is visible. */
  int64_t t = atomic_load_explicit(&q->top, memory_order_seq_cst);
  int64_t b = atomic_load_explicit(&q->bottom, memory_order_seq_cst);
  if (t >= b)
    return NULL;
  /* relaxed: ordered after the owner's release of bottom by the load
   * above; the owner cannot overwrite slot t while top is t, and if top
   * moved on, the CAS below fails and x is dropped unread. */
  void *x =
      atomic_load_explicit(&q->slot[t & SB_FORKQ_MASK], memory_order_relaxed);
  /* seq_cst: the race for the last entry with the owner's pop (see
   * there); relaxed on failure: we give up and read nothing more. */
  if (!atomic_compare_exchange_strong_explicit(
          &q->top, &t, t + 1, memory_order_seq_cst, memory_order_relaxed))
    return NULL;
  return x;
}

#endif /* SB_FORKQ_H */
