/* The per-worker run queue of `steal`: a fixed ring of task pointers that the
 * owner pushes at the tail and pops at the head (FIFO), and that thieves
 * drain half at a time. Header-only, lock-free, Concurrency Kit style.
 *
 * Why a fixed ring with steal-half and not Chase-Lev: an async executor wants
 * FIFO order for its owner (a yielded or re-woken task goes behind the
 * others, so nothing starves; Chase-Lev's owner end is LIFO, which would run
 * a yielding task again at once), and a fixed ring never grows, so there is
 * no old buffer to reclaim safely while a thief may still read it. When the
 * ring is full, half of it moves to the global injection queue in one batch
 * (as tokio and Go do). Stealing half per visit amortises the cache misses
 * of a steal over many tasks, which matters for fork-join trees.
 *
 * Indices are free-running uint32_t (wrapping) and the slot is index & MASK.
 * `head` packs two indices: `real`, the next slot the owner or a thief
 * takes, and `steal`, the first slot a thief is still copying out (equal to
 * real when no steal is in flight). While they differ, another thief backs
 * off and the owner does not reuse the slots from `steal` on. */
#ifndef SB_DEQUE_H
#define SB_DEQUE_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtimes/core/sb.h"

#define SB_DEQUE_CAP 256u /* slots in the ring; a power of two */
#define SB_DEQUE_MASK (SB_DEQUE_CAP - 1u)

typedef struct sb_deque {
  /* (steal << 32) | real, changed by CAS by the owner (pop) and thieves. */
  alignas(SB_CACHELINE) _Atomic uint64_t head;
  /* The next slot the owner pushes into; stored only by the owner. */
  alignas(SB_CACHELINE) _Atomic uint32_t tail;
  /* The ring. A slot is written by the owner (push) or by a thief copying
   * into its own ring, and read by whoever claimed it through head. */
  alignas(SB_CACHELINE) _Atomic(void *) slot[SB_DEQUE_CAP];
} sb_deque;

static inline uint64_t sb__deque_pack(uint32_t steal, uint32_t real) {
  return ((uint64_t)steal << 32) | real;
}
static inline uint32_t sb__deque_steal(uint64_t h) {
  return (uint32_t)(h >> 32);
}
static inline uint32_t sb__deque_real(uint64_t h) {
  return (uint32_t)h;
}

static inline void sb_deque_init(sb_deque *q) {
  atomic_init(&q->head, 0);
  atomic_init(&q->tail, 0);
  for (uint32_t i = 0; i < SB_DEQUE_CAP; i++)
    atomic_init(&q->slot[i], NULL);
}

/* Tasks in the ring, as the owner sees it (a thief may be taking some). */
static inline uint32_t sb_deque_len(sb_deque *q) {
  /* acquire: pairs with the releasing CAS of pop/steal so the length is not
   * computed from a head older than the slots already given away; relaxed
   * tail: only the owner stores it, and the owner calls this. */
  uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
  uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
  return t - sb__deque_real(h);
}

/* A thief's guess whether q has anything to take; may be stale. */
static inline int sb_deque_maybe_empty(sb_deque *q) {
  /* relaxed: a hint only; steal_half re-reads both with the orders it needs */
  uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
  uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
  return t == sb__deque_real(h);
}

/* Owner only. Pushes task at the tail. Returns 0, or -ENOSPC when the ring
 * is full (the caller then moves half out with sb_deque_take_half). */
static inline int sb_deque_push(sb_deque *q, void *task) {
  /* relaxed: the owner is the only writer of tail. */
  uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
  /* acquire: pairs with a thief's releasing CAS that advanced `steal`, so
   * its reads of the slots it copied out happen before we overwrite them. */
  uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
  if (t - sb__deque_steal(h) >= SB_DEQUE_CAP)
    return -ENOSPC;
  /* relaxed: published by the release store of tail just below. */
  atomic_store_explicit(&q->slot[t & SB_DEQUE_MASK], task,
                        memory_order_relaxed);
  /* release: a thief or the owner that sees the new tail (acquire) also
   * sees the slot written above and the task's contents. */
  atomic_store_explicit(&q->tail, t + 1, memory_order_release);
  return 0;
}

/* Owner only, when push reported a full ring and no steal is in flight:
 * claims the oldest half (SB_DEQUE_CAP / 2 tasks) and copies them to out in
 * FIFO order. Returns how many it took: SB_DEQUE_CAP / 2, or 0 when a thief
 * got in first (then push simply has room, or the caller retries). */
static inline uint32_t sb_deque_take_half(sb_deque *q, void **out) {
  const uint32_t n = SB_DEQUE_CAP / 2;
  /* relaxed: the owner is the only writer of tail. */
  uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
  /* acquire: see sb_deque_push; also orders our slot reads after the last
   * thief's completed copy. */
  uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
  uint32_t real = sb__deque_real(h);
  if (sb__deque_steal(h) != real || t - real != SB_DEQUE_CAP)
    return 0;
  uint64_t next = sb__deque_pack(real + n, real + n);
  /* acq_rel on success: acquire to order the slot reads below after the
   * claim, release so a thief that sees the new head sees a consistent
   * ring; relaxed on failure: we give up and re-read nothing. */
  if (!atomic_compare_exchange_strong_explicit(
          &q->head, &h, next, memory_order_acq_rel, memory_order_relaxed))
    return 0;
  for (uint32_t i = 0; i < n; i++)
    /* relaxed: the slots were written by this thread (owner pushes). */
    out[i] = atomic_load_explicit(&q->slot[(real + i) & SB_DEQUE_MASK],
                                  memory_order_relaxed);
  return n;
}

/* Owner only. Pops the oldest task, or NULL when the ring is empty. */
static inline void *sb_deque_pop(sb_deque *q) {
  /* acquire: pairs with the releasing CAS of a thief, so a head a thief
   * moved is seen together with everything it did before. */
  uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
  for (;;) {
    uint32_t steal = sb__deque_steal(h), real = sb__deque_real(h);
    /* relaxed: the owner is the only writer of tail. */
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (real == t)
      return NULL;
    uint64_t next = steal == real ? sb__deque_pack(real + 1, real + 1)
                                  : sb__deque_pack(steal, real + 1);
    /* acq_rel on success: acquire orders the slot read after the claim,
     * release tells thieves the slot is gone; acquire on failure: the head
     * we retry with was published by a thief's release. */
    if (atomic_compare_exchange_weak_explicit(
            &q->head, &h, next, memory_order_acq_rel, memory_order_acquire))
      /* relaxed: the slot was written by this thread (push) or by the
       * steal into our ring whose tail store we read before. */
      return atomic_load_explicit(&q->slot[real & SB_DEQUE_MASK],
                                  memory_order_relaxed);
  }
}

/* A thief (owner of dst) takes half of src's tasks (rounded up) into dst and
 * returns one of them to run, or NULL when src had nothing, another thief is
 * busy with it, or dst has no room for half a ring. */
static inline void *sb_deque_steal_half(sb_deque *src, sb_deque *dst) {
  /* relaxed: dst's tail is ours. */
  uint32_t dst_tail = atomic_load_explicit(&dst->tail, memory_order_relaxed);
  /* acquire: pairs with the releasing CAS by which a thief of dst finished
   * copying, so the slots it read are free to overwrite. A thief of dst may
   * still be copying from `steal` on: keep clear of those slots. */
  uint64_t dh = atomic_load_explicit(&dst->head, memory_order_acquire);
  if (dst_tail - sb__deque_steal(dh) > SB_DEQUE_CAP / 2)
    return NULL;
  /* acquire: pairs with releases on src's head (pops, other steals). */
  uint64_t h = atomic_load_explicit(&src->head, memory_order_acquire);
  uint32_t n, first;
  for (;;) {
    uint32_t steal = sb__deque_steal(h), real = sb__deque_real(h);
    if (steal != real)
      return NULL; /* another thief is copying out of src */
    /* acquire: pairs with the owner's release store of tail, so the slots
     * below tail (and the tasks they point to) are visible to us. */
    uint32_t t = atomic_load_explicit(&src->tail, memory_order_acquire);
    n = t - real;
    n -= n / 2;
    if (n == 0)
      return NULL;
    if (n > SB_DEQUE_CAP / 2)
      n = SB_DEQUE_CAP / 2; /* a racing pop made t - real look odd */
    first = real;
    /* Claim [real, real + n) while `steal` keeps the owner off them.
     * acq_rel on success: acquire orders our slot reads after the claim,
     * release publishes the claim; acquire on failure: retry from a head
     * someone released. */
    uint64_t claimed = sb__deque_pack(steal, real + n);
    if (atomic_compare_exchange_weak_explicit(&src->head, &h, claimed,
                                              memory_order_acq_rel,
                                              memory_order_acquire)) {
      h = claimed;
      break;
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    /* relaxed: ordered after the owner's tail release by the acquire load
     * of tail and our acquiring CAS; the owner cannot overwrite the slot
     * until we move `steal` past it below. Written to dst relaxed: dst's
     * tail release below publishes it. */
    void *task = atomic_load_explicit(&src->slot[(first + i) & SB_DEQUE_MASK],
                                      memory_order_relaxed);
    atomic_store_explicit(&dst->slot[(dst_tail + i) & SB_DEQUE_MASK], task,
                          memory_order_relaxed);
  }
  /* Release the claim: steal catches up with real, whatever the owner
   * popped meanwhile. */
  for (;;) {
    uint32_t real = sb__deque_real(h);
    SB_ASSERT(sb__deque_steal(h) != real);
    /* acq_rel: release orders our slot reads above before the owner's
     * reuse of those slots (its push reads head with acquire); acquire on
     * failure: the retried head came from the owner's releasing pop. */
    if (atomic_compare_exchange_weak_explicit(
            &src->head, &h, sb__deque_pack(real, real), memory_order_acq_rel,
            memory_order_acquire))
      break;
  }
  /* Keep the newest stolen task to run now, publish the rest in dst. */
  n--;
  /* relaxed: written by this thread just above. */
  void *run = atomic_load_explicit(&dst->slot[(dst_tail + n) & SB_DEQUE_MASK],
                                   memory_order_relaxed);
  if (n > 0)
    /* release: thieves of dst that see this tail see the copied slots. */
    atomic_store_explicit(&dst->tail, dst_tail + n, memory_order_release);
  return run;
}

#endif /* SB_DEQUE_H */
