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
  pthread_mutex_t lock; /* protects waiters */
  atomic_int set;       /* 1 once set; never goes back to 0 */
  sb_waitlist waiters;  /* the waiting ops */
};

int sb_event_open(sb_event **out) {
  sb_event *e = calloc(1, sizeof(*e));
  *out = NULL;
  if (e == NULL)
    return -ENOMEM;
  pthread_mutex_init(&e->lock, NULL);
  atomic_init(&e->set, 0);
  sb_waitlist_init(&e->waiters);
  *out = e;
  return 0;
}

void sb_event_free(sb_event *e) {
  if (e == NULL)
    return;
  SB_ASSERT(sb_waitlist_empty(&e->waiters)); /* a task still waits on it */
  pthread_mutex_destroy(&e->lock);
  free(e);
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
  sb_waitlist_wake_all(&e->waiters);
  pthread_mutex_unlock(&e->lock);
}

static sb_poll wait_poll(sb_future *f, sb_cx *cx) {
  return sb_event_wait_poll((sb_event_wait *)f, cx);
}

static void wait_drop(sb_future *f, sb_runtime *rt) {
  sb_event_wait *op = (sb_event_wait *)f;
  (void)rt;
  if (!sb_future_is_waiting(&op->base)) /* never registered */
    return;
  pthread_mutex_lock(&op->e->lock);
  sb_waitlist_remove(&op->node);
  pthread_mutex_unlock(&op->e->lock);
  sb_future_done(&op->base);
}

void sb_event_wait_init(sb_event_wait *op, sb_event *e) {
  op->base = SB_FUTURE_INIT(wait_poll, wait_drop);
  op->e = e;
  op->node = (sb_waiter){0};
}

sb_poll sb_event_wait_poll(sb_event_wait *op, sb_cx *cx) {
  sb_event *e = op->e;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  /* acquire: pairs with the release in sb_event_set. Only an op that never
   * registered may skip the lock: a registered node is unlinked by the setter
   * under the lock, so its state is read under the lock too. */
  if (sb_future_is_idle(&op->base) &&
      atomic_load_explicit(&e->set, memory_order_acquire))
    return sb_future_ready(&op->base, 0);
  pthread_mutex_lock(&e->lock);
  /* relaxed: under the lock, which orders it with the setter's store. */
  if (atomic_load_explicit(&e->set, memory_order_relaxed)) {
    sb_waitlist_remove(&op->node);
    pthread_mutex_unlock(&e->lock);
    return sb_future_ready(&op->base, 0);
  }
  /* A spurious poll only refreshes the waker. */
  sb_waitlist_add(&e->waiters, &op->node, cx->waker);
  sb_future_waiting(&op->base);
  pthread_mutex_unlock(&e->lock);
  return SB_PENDING;
}
