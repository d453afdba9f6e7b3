/* A lock-free multi-producer, single-consumer inbox of intrusive nodes
 * (sb_snode, runtimes/core/list.h), in the manner of Linux's llist: any
 * thread pushes with one CAS, the one consumer takes everything at once with
 * one exchange. Header-only.
 *
 * Two kinds: sb__inbox links plain sb_snode nodes, and its caller keeps a
 * node from being pushed twice by its own means (steal's and fiber's state
 * words); sb__tinbox links nodes through a tagged atomic word (sb__tlink)
 * that is also the "on the inbox" flag, so a push claims the node and a
 * second push of it coalesces, with no other word (single's task header). */
#ifndef SB_INBOX_H
#define SB_INBOX_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "runtimes/core/list.h"

typedef struct sb__inbox {
  _Atomic(sb_snode *) head; /* the last node pushed (its next: the one
                               pushed before); NULL if empty */
} sb__inbox;

static inline void sb__inbox_init(sb__inbox *q) {
  atomic_init(&q->head, NULL);
}

/* Pushes n, which must not be in any inbox. Any thread.
 * seq_cst: besides publishing n->next and whatever the producer wrote before
 * (release), the push must be ordered before the producer's next load of
 * the consumer's "parked" flag, a store-load order only seq_cst gives; the
 * consumer does the mirror image (stores "parked", then sb__inbox_empty), so
 * one of the two always sees the other and no wake is lost. */
static inline void sb__inbox_push(sb__inbox *q, sb_snode *n) {
  /* Relaxed: only a first guess for the CAS, which re-reads on failure. */
  sb_snode *head = atomic_load_explicit(&q->head, memory_order_relaxed);
  do
    n->next = head;
  while (!atomic_compare_exchange_weak_explicit(
      &q->head, &head, n, memory_order_seq_cst, memory_order_relaxed));
}

/* Returns 1 if nothing is pushed. seq_cst: see sb__inbox_push. */
static inline int sb__inbox_empty(sb__inbox *q) {
  return atomic_load_explicit(&q->head, memory_order_seq_cst) == NULL;
}

/* Takes every node pushed so far, oldest first, linked through next; NULL if
 * none. Consumer only. Acquire: pairs with the release half of each push, so
 * the nodes' next fields and the producers' earlier writes are visible. */
static inline sb_snode *sb__inbox_take_all(sb__inbox *q) {
  sb_snode *n = atomic_exchange_explicit(&q->head, NULL, memory_order_acquire);
  sb_snode *fifo = NULL;
  while (n != NULL) { /* reverse the LIFO chain into push order */
    sb_snode *next = n->next;
    n->next = fifo;
    fifo = n;
    n = next;
  }
  return fifo;
}

/* ---- the tagged kind --------------------------------------------------- */

/* A node's link: 0 while off the inbox, else the next node's address (the
 * one pushed before it; NULL at the end) with SB__TLINK_ON set. Nodes are at
 * least 2-aligned, so bit 0 is free. */
typedef struct sb__tlink {
  _Atomic uintptr_t word;
} sb__tlink;

#define SB__TLINK_ON ((uintptr_t)1)

typedef struct sb__tinbox {
  _Atomic(sb__tlink *) head; /* the last node pushed, or NULL */
} sb__tinbox;

static inline void sb__tlink_init(sb__tlink *n) {
  atomic_init(&n->word, 0);
}

static inline void sb__tinbox_init(sb__tinbox *q) {
  atomic_init(&q->head, NULL);
}

/* Pushes n unless it is on the inbox already (then its pushes coalesce).
 * Returns 1 if this call pushed it. Any thread. */
static inline int sb__tinbox_push(sb__tinbox *q, sb__tlink *n) {
  /* 0 -> ON claims the word. acquire: pairs with the release that gives it
   * back in sb__tlink_release, so the consumer's read of the next node in
   * it is done before this push overwrites it. */
  uintptr_t off = 0;
  if (!atomic_compare_exchange_strong_explicit(&n->word, &off, SB__TLINK_ON,
                                               memory_order_acquire,
                                               memory_order_relaxed))
    return 0;
  /* A Treiber push. relaxed: the first guess and the link are published by
   * the CAS, whose release the consumer's exchange acquires. seq_cst on the
   * CAS: as sb__inbox_push, for the caller's parking protocol. */
  sb__tlink *head = atomic_load_explicit(&q->head, memory_order_relaxed);
  do
    atomic_store_explicit(&n->word, (uintptr_t)head | SB__TLINK_ON,
                          memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(
      &q->head, &head, n, memory_order_seq_cst, memory_order_relaxed));
  return 1;
}

/* Returns 1 if nothing is pushed. seq_cst: see sb__inbox_push. */
static inline int sb__tinbox_empty(sb__tinbox *q) {
  return atomic_load_explicit(&q->head, memory_order_seq_cst) == NULL;
}

/* The node after n in a chain from sb__tinbox_take_all, or NULL. Consumer
 * only, before it releases n. relaxed: n is the consumer's from the exchange
 * that took the chain until sb__tlink_release; the pushes' writes were
 * acquired with that exchange. */
static inline sb__tlink *sb__tlink_next(sb__tlink *n) {
  return (sb__tlink *)(atomic_load_explicit(&n->word, memory_order_relaxed) &
                       ~SB__TLINK_ON);
}

/* Takes every node pushed so far, oldest first, linked as sb__tlink_next
 * reads them; NULL if none. Each stays claimed (a push of it coalesces)
 * until the consumer releases it. Consumer only. */
static inline sb__tlink *sb__tinbox_take_all(sb__tinbox *q) {
  /* acquire: every push's link and claim, published by its CAS. */
  sb__tlink *n = atomic_exchange_explicit(&q->head, NULL, memory_order_acquire);
  sb__tlink *fifo = NULL;
  while (n != NULL) { /* reverse the pushes into push order */
    sb__tlink *next = sb__tlink_next(n);
    /* relaxed: the consumer's own; still claimed, so ON stays set. */
    atomic_store_explicit(&n->word, (uintptr_t)fifo | SB__TLINK_ON,
                          memory_order_relaxed);
    fifo = n;
    n = next;
  }
  return fifo;
}

/* Gives n back: it is off the inbox, and the next wake pushes it again.
 * Read its sb__tlink_next first: that push overwrites it. release: the read
 * happens before the new push (whose claim acquires this 0) overwrites it,
 * and whatever the consumer did with n before is visible to a thread that
 * sees it off (sb__tlink_on). */
static inline void sb__tlink_release(sb__tlink *n) {
  atomic_store_explicit(&n->word, 0, memory_order_release);
}

/* Returns 1 while n is on an inbox or in a chain not yet released. acquire:
 * pairs with the release in sb__tlink_release. */
static inline int sb__tlink_on(sb__tlink *n) {
  return atomic_load_explicit(&n->word, memory_order_acquire) != 0;
}

#endif /* SB_INBOX_H */
