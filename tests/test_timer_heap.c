/* Unit tests of the executors' timer heap (runtimes/os/timer_heap.c): order,
 * removal from the middle, deadline updates, the index kept in w->slot,
 * and firing what is due.
 * Runs once, not per runtime: the argument is ignored. */
#include <string.h>

#include "runtimes/os/timer_heap.h"
#include "test.h"

#define N 1000

/* A small LCG so that the sequences are the same on every run. */
static uint64_t next_rand(uint64_t *s) {
  *s = *s * 6364136223846793005u + 1442695040888963407u;
  return *s >> 33;
}

/* Every wait's slot points back at it and no child is earlier than its
 * parent. */
static void check_heap(const sb__timer_heap *h) {
  for (uint32_t i = 0; i < h->len; i++) {
    ASSERT_EQ(h->items[i]->slot, i);
    if (i > 0)
      ASSERT_LE(h->items[(i - 1) / 2]->deadline, h->items[i]->deadline);
  }
}

static void pops_in_deadline_order(void) {
  static sb_wait w[N];
  sb__timer_heap h;
  uint64_t seed = 1;
  sb__timer_heap_init(&h);
  for (int i = 0; i < N; i++) {
    w[i] = (sb_wait){0};
    w[i].deadline = (int64_t)(next_rand(&seed) % 5000) + 1;
    ASSERT_EQ(sb__timer_heap_add(&h, &w[i]), 0);
  }
  check_heap(&h);
  ASSERT_EQ(h.len, N);
  ASSERT(sb__timer_heap_pop_expired(&h, 0) == NULL); /* nothing due yet */
  int64_t last = 0;
  int popped = 0;
  for (int64_t now = 0; now <= 5000; now += 250) {
    sb_wait *x;
    while ((x = sb__timer_heap_pop_expired(&h, now)) != NULL) {
      ASSERT_LE(x->deadline, now);
      ASSERT_GE(x->deadline, last);
      ASSERT(!sb__timer_heap_contains(&h, x));
      last = x->deadline;
      popped++;
    }
    ASSERT_GT(sb__timer_heap_next(&h), now);
  }
  ASSERT_EQ(popped, N);
  ASSERT_EQ(sb__timer_heap_next(&h), INT64_MAX);
  sb__timer_heap_destroy(&h);
}

static void remove_and_update(void) {
  static sb_wait w[N];
  static int removed[N];
  sb__timer_heap h;
  uint64_t seed = 7;
  sb__timer_heap_init(&h);
  for (int i = 0; i < N; i++) {
    w[i] = (sb_wait){0};
    w[i].deadline = (int64_t)(next_rand(&seed) % 100000);
    removed[i] = 0;
    ASSERT_EQ(sb__timer_heap_add(&h, &w[i]), 0);
  }
  /* Remove a third from anywhere, move a third to new deadlines. */
  for (int i = 0; i < N; i++) {
    uint64_t r = next_rand(&seed) % 3;
    if (r == 0) {
      sb__timer_heap_remove(&h, &w[i]);
      removed[i] = 1;
      ASSERT(!sb__timer_heap_contains(&h, &w[i]));
      sb__timer_heap_remove(&h, &w[i]); /* a second remove is a no-op */
    } else if (r == 1) {
      sb__timer_heap_update(&h, &w[i], (int64_t)(next_rand(&seed) % 100000));
    }
    check_heap(&h);
  }
  int left = 0;
  for (int i = 0; i < N; i++) {
    ASSERT_EQ(sb__timer_heap_contains(&h, &w[i]), !removed[i]);
    left += !removed[i];
  }
  ASSERT_EQ(h.len, left);
  int64_t last = INT64_MIN;
  sb_wait *x;
  while ((x = sb__timer_heap_pop_expired(&h, INT64_MAX)) != NULL) {
    ASSERT_GE(x->deadline, last);
    last = x->deadline;
    left--;
  }
  ASSERT_EQ(left, 0);
  sb__timer_heap_destroy(&h);
}

/* A zeroed wait that was never added must not look contained, even though
 * its slot (0) is a valid index. */
static void zeroed_wait_is_not_contained(void) {
  sb_wait a = {0}, b = {0};
  sb__timer_heap h;
  sb__timer_heap_init(&h);
  ASSERT(!sb__timer_heap_contains(&h, &a));
  a.deadline = 5;
  ASSERT_EQ(sb__timer_heap_add(&h, &a), 0);
  ASSERT(sb__timer_heap_contains(&h, &a));
  ASSERT(!sb__timer_heap_contains(&h, &b));
  sb__timer_heap_remove(&h, &b); /* not in the heap: nothing happens */
  ASSERT_EQ(h.len, 1);
  ASSERT(sb__timer_heap_pop_expired(&h, 5) == &a);
  ASSERT_EQ(h.len, 0);
  sb__timer_heap_destroy(&h);
}

/* A runtime that only records its wakes, in order. */
static sb_task *woken[4];
static int nwoken;
static void record_wake(sb_waker w) {
  ASSERT_LT(nwoken, 4);
  woken[nwoken++] = w.task;
}

/* fire_expired wakes every wait already due, earliest first, through its
 * waker, and leaves the others in the heap. */
static void fire_expired_wakes_the_due(void) {
  static const sb_runtime_ops ops = {.name = "recorder", .wake = record_wake};
  sb_runtime rt = {.ops = &ops};
  sb_wait w[3];
  memset(w, 0, sizeof(w));
  sb__timer_heap h;
  sb__timer_heap_init(&h);
  ASSERT_EQ(sb__timer_heap_fire_expired(&h), 0); /* empty */
  int64_t deadlines[3] = {2, INT64_MAX, 1}; /* two long past, one never */
  for (int i = 0; i < 3; i++) {
    w[i].deadline = deadlines[i];
    w[i].waker = (sb_waker){.rt = &rt, .task = (sb_task *)&w[i]};
    ASSERT_EQ(sb__timer_heap_add(&h, &w[i]), 0);
  }
  ASSERT_EQ(sb__timer_heap_fire_expired(&h), 2);
  ASSERT_EQ(nwoken, 2);
  ASSERT(woken[0] == (sb_task *)&w[2] && woken[1] == (sb_task *)&w[0]);
  ASSERT_EQ(h.len, 1);
  ASSERT(sb__timer_heap_contains(&h, &w[1]));
  sb__timer_heap_destroy(&h);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  pops_in_deadline_order();
  remove_and_update();
  zeroed_wait_is_not_contained();
  fire_expired_wakes_the_due();
  fprintf(stderr, "timer_heap: 4 cases passed\n");
  return 0;
}
