/* The global injection queue of `steal`: a FIFO of tasks woken or spawned
 * from outside the workers, and of the half a worker's ring sheds when full.
 * An intrusive list under a mutex, with an atomic length so that workers can
 * see "empty" without taking the lock (tokio's Inject, Go's global runq). */
#ifndef SB_INJECT_H
#define SB_INJECT_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

#include "runtimes/core/sb.h"

/* The link a queued task embeds. A task is in at most one queue at a time
 * (its NOTIFIED bit says so), so one link suffices. */
typedef struct sb_inject_node {
  struct sb_inject_node *next; /* the next task in the queue; NULL at tail */
} sb_inject_node;

typedef struct sb_inject {
  /* Protects head, tail and the links of the nodes in the queue. */
  alignas(SB_CACHELINE) pthread_mutex_t lock;
  sb_inject_node *head; /* the oldest task, popped first; NULL when empty */
  sb_inject_node *tail; /* the newest task; NULL when empty */
  /* Tasks in the queue: written under lock, read without it as a hint. */
  _Atomic size_t len;
} sb_inject;

static inline int sb_inject_init(sb_inject *q) {
  q->head = q->tail = NULL;
  atomic_init(&q->len, 0);
  return -pthread_mutex_init(&q->lock, NULL);
}

static inline void sb_inject_destroy(sb_inject *q) {
  pthread_mutex_destroy(&q->lock);
}

/* A lock-free guess: may be stale by the time the caller acts on it. */
static inline size_t sb_inject_len(sb_inject *q) {
  /* relaxed: a hint for "is it worth taking the lock"; the lock orders the
   * queue's contents for whoever pops. */
  return atomic_load_explicit(&q->len, memory_order_relaxed);
}

/* Appends the chain first..last of n tasks (already linked, last->next is
 * ignored) in one critical section. */
static inline void sb_inject_push_batch(sb_inject *q, sb_inject_node *first,
                                        sb_inject_node *last, size_t n) {
  last->next = NULL;
  pthread_mutex_lock(&q->lock);
  if (q->tail != NULL)
    q->tail->next = first;
  else
    q->head = first;
  q->tail = last;
  /* relaxed: the lock orders len with the list for poppers; lock-free
   * readers use it only as a hint (see sb_inject_len). */
  atomic_store_explicit(&q->len,
                        atomic_load_explicit(&q->len, memory_order_relaxed) + n,
                        memory_order_relaxed);
  pthread_mutex_unlock(&q->lock);
}

static inline void sb_inject_push(sb_inject *q, sb_inject_node *node) {
  sb_inject_push_batch(q, node, node, 1);
}

/* Pops up to max tasks (max >= 1) into out, oldest first. Returns how many. */
static inline size_t sb_inject_pop_batch(sb_inject *q, sb_inject_node **out,
                                         size_t max) {
  if (sb_inject_len(q) == 0)
    return 0;
  size_t n = 0;
  pthread_mutex_lock(&q->lock);
  while (n < max && q->head != NULL) {
    out[n++] = q->head;
    q->head = q->head->next;
  }
  if (q->head == NULL)
    q->tail = NULL;
  /* relaxed: as in sb_inject_push_batch. */
  atomic_store_explicit(&q->len,
                        atomic_load_explicit(&q->len, memory_order_relaxed) - n,
                        memory_order_relaxed);
  pthread_mutex_unlock(&q->lock);
  return n;
}

#endif /* SB_INJECT_H */
