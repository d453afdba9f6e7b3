/* The global injection queue of a work-stealing executor: a FIFO of tasks
 * woken or spawned from outside the workers, and of the half a worker's
 * ring sheds when full. An intrusive queue (sb_queue) under a mutex, with
 * an atomic length so that workers can see "empty" without taking the lock
 * (tokio's Inject, Go's global runq). A queued task embeds an sb_snode; it
 * is in at most one queue at a time (its state says so). */
#ifndef SB_INJECT_H
#define SB_INJECT_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

#include "runtimes/core/list.h"
#include "runtimes/core/sb.h"

typedef struct sb_inject {
  /* Protects tasks and the links of the nodes in it. */
  alignas(SB_CACHELINE) pthread_mutex_t lock;
  sb_queue tasks; /* the queued tasks, oldest first */
  /* Tasks in the queue: written under lock, read without it as a hint. */
  _Atomic size_t len;
} sb_inject;

static inline int sb_inject_init(sb_inject *q) {
  sb_queue_init(&q->tasks);
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
static inline void sb_inject_push_batch(sb_inject *q, sb_snode *first,
                                        sb_snode *last, size_t n) {
  pthread_mutex_lock(&q->lock);
  sb_queue_push_chain(&q->tasks, first, last);
  /* relaxed: the lock orders len with the list for poppers; lock-free
   * readers use it only as a hint (see sb_inject_len). */
  atomic_store_explicit(&q->len,
                        atomic_load_explicit(&q->len, memory_order_relaxed) + n,
                        memory_order_relaxed);
  pthread_mutex_unlock(&q->lock);
}

static inline void sb_inject_push(sb_inject *q, sb_snode *node) {
  sb_inject_push_batch(q, node, node, 1);
}

/* Pops up to max tasks (max >= 1) into out, oldest first. Returns how many. */
static inline size_t sb_inject_pop_batch(sb_inject *q, sb_snode **out,
                                         size_t max) {
  if (sb_inject_len(q) == 0)
    return 0;
  size_t n = 0;
  pthread_mutex_lock(&q->lock);
  while (n < max && (out[n] = sb_queue_pop(&q->tasks)) != NULL)
    n++;
  /* relaxed: as in sb_inject_push_batch. */
  atomic_store_explicit(&q->len,
                        atomic_load_explicit(&q->len, memory_order_relaxed) - n,
                        memory_order_relaxed);
  pthread_mutex_unlock(&q->lock);
  return n;
}

#endif /* SB_INJECT_H */
