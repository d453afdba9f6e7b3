/* Unit test of the fork deque (runtimes/os/forkq.h), built with a capacity
 * of 8 so that full and nearly empty are reached often: LIFO for the owner
 * and FIFO for thieves alone, then an owner pushing and popping against
 * thieves, where every item must be taken exactly once. Runtime-free. */
#define SB_FORKQ_CAP 8
#include <pthread.h>
#include <stdatomic.h>

#include "runtimes/os/forkq.h"
#include "test.h"

#define ITEMS 200000
#define THIEVES 2

static void *item(uintptr_t i) {
  return (void *)(i + 1);
}
static uintptr_t index_of(void *p) {
  return (uintptr_t)p - 1;
}

static sb_forkq *forkq_new(void) {
  sb_forkq *q = aligned_alloc(SB_CACHELINE, sizeof(sb_forkq));
  ASSERT(q != NULL);
  sb_forkq_init(q);
  return q;
}

static void test_orders(void) {
  sb_forkq *q = forkq_new();
  ASSERT(sb_forkq_pop(q) == NULL);
  ASSERT(sb_forkq_steal(q) == NULL);
  for (uintptr_t i = 0; i < SB_FORKQ_CAP; i++)
    ASSERT_EQ(sb_forkq_push(q, item(i)), 0);
  ASSERT_EQ(sb_forkq_push(q, item(99)), -ENOSPC);
  ASSERT_EQ(index_of(sb_forkq_pop(q)), SB_FORKQ_CAP - 1); /* newest */
  ASSERT_EQ(index_of(sb_forkq_steal(q)), 0);              /* oldest */
  for (uintptr_t i = SB_FORKQ_CAP - 2; i >= 1; i--)
    ASSERT_EQ(index_of(sb_forkq_pop(q)), i);
  ASSERT(sb_forkq_pop(q) == NULL);
  ASSERT(sb_forkq_steal(q) == NULL);
  ASSERT(sb_forkq_maybe_empty(q));
  free(q);
}

typedef struct shared {
  sb_forkq *q;
  _Atomic unsigned char *taken; /* one flag per item */
  atomic_int done;              /* the owner finished */
  atomic_long count;            /* items taken in all */
} shared;

static void take(shared *s, void *x) {
  ASSERT(x != NULL);
  uintptr_t i = index_of(x);
  ASSERT_LT(i, ITEMS);
  ASSERT_EQ(atomic_exchange(&s->taken[i], 1), 0); /* exactly once */
  atomic_fetch_add(&s->count, 1);
}

static void *thief(void *arg) {
  shared *s = arg;
  while (!atomic_load(&s->done) || !sb_forkq_maybe_empty(s->q)) {
    void *x = sb_forkq_steal(s->q);
    if (x != NULL)
      take(s, x);
  }
  return NULL;
}

static void test_owner_against_thieves(void) {
  shared s = {.q = forkq_new(), .taken = calloc(ITEMS, 1)};
  ASSERT(s.taken != NULL);
  pthread_t th[THIEVES];
  for (int i = 0; i < THIEVES; i++)
    ASSERT_EQ(pthread_create(&th[i], NULL, thief, &s), 0);
  uintptr_t next = 0;
  while (next < ITEMS) {
    /* Push a few (up to full), then pop some back: the owner's pattern
     * of a fork tree, which takes its own children back. */
    int burst = (int)(next % 5) + 1;
    for (int k = 0; k < burst && next < ITEMS; k++) {
      if (sb_forkq_push(s.q, item(next)) < 0)
        break;
      next++;
    }
    for (int k = 0; k < burst / 2 + 1; k++) {
      void *x = sb_forkq_pop(s.q);
      if (x != NULL)
        take(&s, x);
    }
  }
  for (void *x; (x = sb_forkq_pop(s.q)) != NULL;)
    take(&s, x);
  atomic_store(&s.done, 1);
  for (int i = 0; i < THIEVES; i++)
    pthread_join(th[i], NULL);
  ASSERT_EQ(atomic_load(&s.count), ITEMS);
  free((void *)s.taken);
  free(s.q);
}

int main(void) {
  test_orders();
  test_owner_against_thieves();
  printf("forkq: 2 cases passed\n");
  return 0;
}
