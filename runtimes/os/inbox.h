/* A lock-free multi-producer, single-consumer inbox of intrusive nodes
 * (sb_snode, runtimes/core/list.h), in the manner of Linux's llist: any
 * thread pushes with one CAS, the one consumer takes everything at once with
 * one exchange. Header-only. */
#ifndef SB_INBOX_H
#define SB_INBOX_H

#include <stdatomic.h>
#include <stddef.h>

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

#endif /* SB_INBOX_H */
