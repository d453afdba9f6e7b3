/* The timer heap: a binary min-heap of sb_wait by deadline, each wait's index
 * kept in w->slot so that cancel removes it in O(log n). Single-threaded. */
#include <errno.h>
#include <stdlib.h>

#include "timer_heap.h"

void sb__timer_heap_init(sb__timer_heap *h) {
  h->items = NULL;
  h->len = 0;
  h->cap = 0;
}

void sb__timer_heap_destroy(sb__timer_heap *h) {
  free(h->items);
  sb__timer_heap_init(h);
}

/* Puts w at index i and records the index in the wait. */
static inline void place(sb__timer_heap *h, uint32_t i, sb_wait *w) {
  h->items[i] = w;
  w->slot = i;
}

static void sift_up(sb__timer_heap *h, uint32_t i) {
  sb_wait *w = h->items[i];
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (h->items[parent]->deadline <= w->deadline)
      break;
    place(h, i, h->items[parent]);
    i = parent;
  }
  place(h, i, w);
}

static void sift_down(sb__timer_heap *h, uint32_t i) {
  sb_wait *w = h->items[i];
  for (;;) {
    uint32_t child = 2 * i + 1;
    if (child >= h->len)
      break;
    if (child + 1 < h->len &&
        h->items[child + 1]->deadline < h->items[child]->deadline)
      child++;
    if (w->deadline <= h->items[child]->deadline)
      break;
    place(h, i, h->items[child]);
    i = child;
  }
  place(h, i, w);
}

int sb__timer_heap_add(sb__timer_heap *h, sb_wait *w) {
  if (h->len == h->cap) {
    uint32_t cap = h->cap ? h->cap * 2 : 64;
    if (cap <= h->cap) /* 2^32 timers: the index would not fit in w->slot */
      return -ENOMEM;
    sb_wait **items = realloc(h->items, (size_t)cap * sizeof(*items));
    if (items == NULL)
      return -ENOMEM;
    h->items = items;
    h->cap = cap;
  }
  h->items[h->len] = w;
  sift_up(h, h->len++);
  return 0;
}

/* Re-establishes the heap order around index i after its deadline changed
 * or another wait was moved into it. */
static void restore(sb__timer_heap *h, uint32_t i) {
  if (i > 0 && h->items[(i - 1) / 2]->deadline > h->items[i]->deadline)
    sift_up(h, i);
  else
    sift_down(h, i);
}

void sb__timer_heap_remove(sb__timer_heap *h, sb_wait *w) {
  if (!sb__timer_heap_contains(h, w))
    return;
  uint32_t i = w->slot;
  w->slot = UINT32_MAX; /* no longer points back at w, whatever moves in */
  sb_wait *last = h->items[--h->len];
  if (i == h->len)
    return;
  place(h, i, last);
  restore(h, i);
}

void sb__timer_heap_update(sb__timer_heap *h, sb_wait *w, int64_t deadline) {
  SB_ASSERT(sb__timer_heap_contains(h, w));
  w->deadline = deadline;
  restore(h, w->slot);
}

sb_wait *sb__timer_heap_pop_expired(sb__timer_heap *h, int64_t now) {
  if (h->len == 0 || h->items[0]->deadline > now)
    return NULL;
  sb_wait *w = h->items[0];
  sb__timer_heap_remove(h, w);
  return w;
}

uint32_t sb__timer_heap_fire_expired(sb__timer_heap *h) {
  if (h->len == 0)
    return 0;
  int64_t now = sb_now_ns();
  uint32_t fired = 0;
  sb_wait *w;
  while ((w = sb__timer_heap_pop_expired(h, now)) != NULL) {
    sb_wake(w->waker);
    fired++;
  }
  return fired;
}
