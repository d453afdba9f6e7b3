/* A wait list: the tasks waiting for one thing (a channel's message or free
 * slot, an event, a oneshot's value, a blocking job's end), each as a node
 * inside its waiting future. Every call here is made under the lock of the
 * thing waited for, which the caller holds: waking under it is what keeps
 * sb.h's waker rule, since a waiting future's drop takes the same lock to
 * remove its node, so no wake can reach a task that is gone. Waiters are
 * woken oldest first. Header-only. */
#ifndef SB_WAITLIST_H
#define SB_WAITLIST_H

#include "list.h"
#include "sb.h"

/* A waiting future's node. Zero-initialise it (not on a list). */
typedef struct sb_waiter {
  sb_waker waker; /* the waiting task */
  sb_list link;   /* on a wait list; next == NULL when not */
} sb_waiter;

typedef struct sb_waitlist {
  sb_list head; /* the waiters, oldest first */
} sb_waitlist;

static inline void sb_waitlist_init(sb_waitlist *l) {
  sb_list_init(&l->head);
}

static inline int sb_waitlist_empty(const sb_waitlist *l) {
  return sb_list_empty(&l->head);
}

/* 1 if w is on a wait list. */
static inline int sb_waiter_queued(const sb_waiter *w) {
  return sb_list_linked(&w->link);
}

/* Registers w to be woken through k, last; if w is already on l, only its
 * waker is refreshed (how a spurious poll keeps a registration current). */
static inline void sb_waitlist_add(sb_waitlist *l, sb_waiter *w, sb_waker k) {
  w->waker = k;
  if (!sb_waiter_queued(w))
    sb_list_push_back(&l->head, &w->link);
}

/* Takes w off its list if it is on one; it will not be woken. */
static inline void sb_waitlist_remove(sb_waiter *w) {
  if (sb_waiter_queued(w))
    sb_list_remove(&w->link);
}

/* The oldest waiter, left on the list, or NULL when none waits. */
static inline sb_waiter *sb_waitlist_first(const sb_waitlist *l) {
  sb_list *n = sb_list_first(&l->head);
  return n != NULL ? SB_CONTAINER_OF(n, sb_waiter, link) : NULL;
}

/* Takes w off the list and wakes it. */
static inline void sb_waiter_wake(sb_waiter *w) {
  sb_list_remove(&w->link);
  sb_wake(w->waker);
}

/* Wakes the oldest waiter. Returns 1, or 0 when none waits. */
static inline int sb_waitlist_wake_one(sb_waitlist *l) {
  sb_waiter *w = sb_waitlist_first(l);
  if (w == NULL)
    return 0;
  sb_waiter_wake(w);
  return 1;
}

/* Wakes every waiter. */
static inline void sb_waitlist_wake_all(sb_waitlist *l) {
  while (sb_waitlist_wake_one(l))
    ;
}

#endif /* SB_WAITLIST_H */
