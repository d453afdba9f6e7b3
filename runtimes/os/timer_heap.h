/* A binary min-heap of sb_wait ordered by deadline: the timers of the
 * executors. Each wait's heap index lives in w->slot, so removal is O(log n).
 * Single-threaded: a runtime that shares it between threads (steal) wraps
 * every call in its own mutex. */
#ifndef SB_TIMER_HEAP_H
#define SB_TIMER_HEAP_H

#include "runtimes/core/sb.h"

typedef struct sb__timer_heap {
  sb_wait **items; /* the heap; items[0] has the earliest deadline */
  uint32_t len;    /* waits in the heap */
  uint32_t cap;    /* slots allocated in items */
} sb__timer_heap;

/* Makes an empty heap. Never fails: memory is taken on the first add. */
void sb__timer_heap_init(sb__timer_heap *h);
/* Frees the heap's array. Waits still in it are simply forgotten. */
void sb__timer_heap_destroy(sb__timer_heap *h);

/* Adds w, ordered by w->deadline (set it first), and stores its index in
 * w->slot. w must not be in the heap. Returns 0, or -ENOMEM with the heap
 * unchanged. */
int sb__timer_heap_add(sb__timer_heap *h, sb_wait *w);
/* Removes w if it is in the heap; otherwise does nothing. */
void sb__timer_heap_remove(sb__timer_heap *h, sb_wait *w);
/* Moves w, which is in the heap, to a new deadline. */
void sb__timer_heap_update(sb__timer_heap *h, sb_wait *w, int64_t deadline);
/* Returns 1 if w is in the heap (its index in w->slot points back at it). */
static inline int sb__timer_heap_contains(const sb__timer_heap *h,
                                          const sb_wait *w) {
  return w->slot < h->len && h->items[w->slot] == w;
}

/* Returns the earliest deadline in the heap, or INT64_MAX when it is empty. */
static inline int64_t sb__timer_heap_next(const sb__timer_heap *h) {
  return h->len > 0 ? h->items[0]->deadline : INT64_MAX;
}
/* Removes and returns the earliest wait whose deadline is <= now, or NULL.
 * The caller wakes it (w->waker); the wait is no longer in the heap, which is
 * how its owner tells "fired" from "still pending". */
sb_wait *sb__timer_heap_pop_expired(sb__timer_heap *h, int64_t now);
/* Takes every wait whose deadline has passed out of the heap and wakes it,
 * earliest first; reads the clock only when the heap is not empty. Returns
 * how many it woke. A runtime that shares the heap calls it under the lock
 * its cancel takes, so no wake races the drop of a wait. */
uint32_t sb__timer_heap_fire_expired(sb__timer_heap *h);

#endif /* SB_TIMER_HEAP_H */
