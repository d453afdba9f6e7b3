/* A one-shot broadcast event: a flag and a list of waiting ops under one
 * mutex; sb_event_set wakes them all. Registration never allocates (the
 * list node lives in the waiting op), so a million waiters cost no malloc.
 *
 * The lock is a pthread mutex, not the primitives' spinlock: a set wakes
 * every waiter while holding it, and on `threads` each of up to tens of
 * thousands of woken threads then takes it once. Spinning and sched_yield()
 * starved the setter (10,000 waiters took 12-16 s to release); a mutex puts
 * them to sleep on a futex, so the setter runs at full speed. */
#include <errno.h>
#include <pthread.h>

#include "event.h"

struct sb_event {
  pthread_mutex_t lock; /* protects head and the waiters' nodes */
  atomic_int set;       /* 1 once set; never goes back to 0 */
  sb_chan_waiter *head; /* waiting ops, most recent first */
};

int sb_event_open(sb_event **out) {
  sb_event *e = calloc(1, sizeof(*e));
  *out = NULL;
  if (e == NULL)
    return -ENOMEM;
  pthread_mutex_init(&e->lock, NULL);
  atomic_init(&e->set, 0);
  *out = e;
  return 0;
}

void sb_event_free(sb_event *e) {
  if (e == NULL)
    return;
  SB_ASSERT(e->head == NULL); /* a task still waits on it */
  pthread_mutex_destroy(&e->lock);
  free(e);
}

static void unlink_node(sb_event *e, sb_chan_waiter *n) {
  if (n->prev != NULL)
    n->prev->next = n->next;
  else
    e->head = n->next;
  if (n->next != NULL)
    n->next->prev = n->prev;
  n->next = n->prev = NULL;
  n->queued = 0;
}

void sb_event_set(sb_event *e) {
  pthread_mutex_lock(&e->lock);
  /* release: a waiter whose acquire load sees 1 on the lock-free fast path
   * also sees everything the setter wrote before setting (as with a
   * condition variable, the event orders the setter's work before the
   * waiters' continuation). */
  atomic_store_explicit(&e->set, 1, memory_order_release);
  /* Wakes under the lock so no waiter's drop can free its task in between
   * (the waker-lifetime rule in sb.h). */
  while (e->head != NULL) {
    sb_chan_waiter *n = e->head;
    unlink_node(e, n);
    sb_wake(n->waker);
  }
  pthread_mutex_unlock(&e->lock);
}

static sb_poll wait_poll(sb_future *f, sb_cx *cx) {
  return sb_event_wait_poll((sb_event_wait *)f, cx);
}

static void wait_drop(sb_future *f, sb_runtime *rt) {
  sb_event_wait *op = (sb_event_wait *)f;
  (void)rt;
  if (op->base.line != 1) /* never registered */
    return;
  pthread_mutex_lock(&op->e->lock);
  if (op->node.queued)
    unlink_node(op->e, &op->node);
  pthread_mutex_unlock(&op->e->lock);
  op->base.line = -1;
}

void sb_event_wait_init(sb_event_wait *op, sb_event *e) {
  op->base = SB_FUTURE_INIT(wait_poll, wait_drop);
  op->e = e;
  op->node = (sb_chan_waiter){0};
}

sb_poll sb_event_wait_poll(sb_event_wait *op, sb_cx *cx) {
  sb_event *e = op->e;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  /* acquire: pairs with the release in sb_event_set. Only an op that never
   * registered may skip the lock: a registered node is unlinked by the setter
   * under the lock, so its state is read under the lock too. */
  if (op->base.line == 0 && atomic_load_explicit(&e->set, memory_order_acquire))
    goto ready;
  pthread_mutex_lock(&e->lock);
  /* relaxed: under the lock, which orders it with the setter's store. */
  if (atomic_load_explicit(&e->set, memory_order_relaxed)) {
    if (op->node.queued)
      unlink_node(e, &op->node);
    pthread_mutex_unlock(&e->lock);
    goto ready;
  }
  op->node.waker = cx->waker; /* refresh on a spurious poll */
  if (!op->node.queued) {
    op->node.prev = NULL;
    op->node.next = e->head;
    if (e->head != NULL)
      e->head->prev = &op->node;
    e->head = &op->node;
    op->node.queued = 1;
  }
  op->base.line = 1;
  pthread_mutex_unlock(&e->lock);
  return SB_PENDING;
ready:
  op->base.line = -1;
  return SB_READY;
}
