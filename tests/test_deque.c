/* Unit test of the work-stealing ring (runtimes/os/deque.h): FIFO order and
 * capacity alone, then an owner pushing and popping against thieves that
 * steal half and are themselves stolen from; every item must be taken
 * exactly once. Runtime-independent: argv[1] is ignored. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "runtimes/os/deque.h"
#include "test.h"

static void *item(uintptr_t i) {
  return (void *)(i + 1);
}
static uintptr_t index_of(void *p) {
  return (uintptr_t)p - 1;
}

static sb_deque *deque_new(void) {
  sb_deque *q = aligned_alloc(SB_CACHELINE, sizeof(sb_deque));
  ASSERT(q != NULL);
  sb_deque_init(q);
  return q;
}

static void test_fifo_and_capacity(void) {
  sb_deque *q = deque_new();
  ASSERT(sb_deque_pop(q) == NULL);
  for (uintptr_t i = 0; i < SB_DEQUE_CAP; i++)
    ASSERT_EQ(sb_deque_push(q, item(i)), 0);
  ASSERT_EQ(sb_deque_len(q), SB_DEQUE_CAP);
  ASSERT_EQ(sb_deque_push(q, item(999)), -ENOSPC);
  void *half[SB_DEQUE_CAP / 2];
  ASSERT_EQ(sb_deque_take_half(q, half), SB_DEQUE_CAP / 2);
  for (uintptr_t i = 0; i < SB_DEQUE_CAP / 2; i++)
    ASSERT_EQ(index_of(half[i]), i); /* the oldest half, in order */
  for (uintptr_t i = SB_DEQUE_CAP / 2; i < SB_DEQUE_CAP; i++)
    ASSERT_EQ(index_of(sb_deque_pop(q)), i);
  ASSERT(sb_deque_pop(q) == NULL);
  /* Wrap the indices around many times. */
  for (uintptr_t i = 0; i < 10 * SB_DEQUE_CAP; i++) {
    ASSERT_EQ(sb_deque_push(q, item(i)), 0);
    ASSERT_EQ(index_of(sb_deque_pop(q)), i);
  }
  free(q);
}

static void test_steal_half_alone(void) {
  sb_deque *src = deque_new(), *dst = deque_new();
  ASSERT(sb_deque_steal_half(src, dst) == NULL);
  for (uintptr_t i = 0; i < 7; i++)
    ASSERT_EQ(sb_deque_push(src, item(i)), 0);
  /* Half of 7 rounded up: 4 taken, the newest of them returned to run. */
  ASSERT_EQ(index_of(sb_deque_steal_half(src, dst)), 3);
  ASSERT_EQ(sb_deque_len(src), 3);
  ASSERT_EQ(sb_deque_len(dst), 3);
  for (uintptr_t i = 0; i < 3; i++)
    ASSERT_EQ(index_of(sb_deque_pop(dst)), i);
  for (uintptr_t i = 4; i < 7; i++)
    ASSERT_EQ(index_of(sb_deque_pop(src)), i);
  free(src);
  free(dst);
}

/* ---- concurrent ------------------------------------------------------- */

#define NTHIEVES 3
#define NITEMS 2000000u

typedef struct shared {
  sb_deque *q[1 + NTHIEVES]; /* q[0] the owner's, q[1 + k] thief k's */
  _Atomic uint8_t *taken;    /* taken[i]: times item i was taken */
  _Atomic int done;          /* 1 once the owner pushed everything */
  _Atomic uint64_t ntaken;   /* items taken so far, by anyone */
  _Atomic uint64_t nstolen;  /* items that went through a steal */
} shared;

/* thief: 1 when a thief takes it (everything a thief holds was stolen). */
static void take(shared *s, void *p, int thief) {
  ASSERT(p != NULL);
  if (thief)
    atomic_fetch_add_explicit(&s->nstolen, 1, memory_order_relaxed);
  uintptr_t i = index_of(p);
  ASSERT_LT(i, NITEMS);
  ASSERT_EQ(atomic_fetch_add(&s->taken[i], 1), 0);
  atomic_fetch_add_explicit(&s->ntaken, 1, memory_order_relaxed);
}

typedef struct thief_arg {
  shared *s;
  int k;
} thief_arg;

static void *thief_main(void *arg) {
  thief_arg *a = arg;
  shared *s = a->s;
  sb_deque *mine = s->q[1 + a->k];
  uint32_t rng = 0x9e3779b9u * (uint32_t)(a->k + 1);
  for (;;) {
    /* Drain our own ring first, while other thieves may steal from it. */
    for (void *p; (p = sb_deque_pop(mine)) != NULL;)
      take(s, p, 1);
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    int v = (int)(rng % (1 + NTHIEVES));
    void *p = v == 1 + a->k ? NULL : sb_deque_steal_half(s->q[v], mine);
    if (p != NULL) {
      take(s, p, 1);
      continue;
    }
    if (atomic_load(&s->done) &&
        atomic_load_explicit(&s->ntaken, memory_order_relaxed) == NITEMS)
      return NULL;
    sched_yield();
  }
}

static void test_concurrent(void) {
  shared s;
  for (int i = 0; i < 1 + NTHIEVES; i++)
    s.q[i] = deque_new();
  s.taken = calloc(NITEMS, sizeof(*s.taken));
  ASSERT(s.taken != NULL);
  atomic_init(&s.done, 0);
  atomic_init(&s.ntaken, 0);
  atomic_init(&s.nstolen, 0);
  pthread_t th[NTHIEVES];
  thief_arg args[NTHIEVES];
  for (int k = 0; k < NTHIEVES; k++) {
    args[k] = (thief_arg){.s = &s, .k = k};
    ASSERT_EQ(pthread_create(&th[k], NULL, thief_main, &args[k]), 0);
  }
  /* The owner: pushes in bursts, pops some, sheds half when full. */
  void *half[SB_DEQUE_CAP / 2];
  for (uintptr_t i = 0; i < NITEMS; i++) {
    while (sb_deque_push(s.q[0], item(i)) != 0) {
      uint32_t n = sb_deque_take_half(s.q[0], half);
      for (uint32_t j = 0; j < n; j++)
        take(&s, half[j], 0);
    }
    if (i % 4096 == 0)
      sched_yield(); /* on a small box, let the thieves in now and then */
    if (i % 3 == 0) {
      void *p = sb_deque_pop(s.q[0]);
      if (p != NULL)
        take(&s, p, 0);
    }
  }
  atomic_store(&s.done, 1);
  for (void *p; (p = sb_deque_pop(s.q[0])) != NULL;)
    take(&s, p, 0);
  for (int k = 0; k < NTHIEVES; k++)
    ASSERT_EQ(pthread_join(th[k], NULL), 0);
  ASSERT_EQ(atomic_load(&s.ntaken), NITEMS);
  fprintf(stderr, "  %llu of %u items went through a steal\n",
          (unsigned long long)atomic_load(&s.nstolen), NITEMS);
  ASSERT_GT(atomic_load(&s.nstolen), 0); /* the thieves did take part */
  for (uintptr_t i = 0; i < NITEMS; i++)
    ASSERT_EQ(atomic_load_explicit(&s.taken[i], memory_order_relaxed), 1);
  free(s.taken);
  for (int i = 0; i < 1 + NTHIEVES; i++)
    free(s.q[i]);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "[deque] fifo_and_capacity ...\n");
  test_fifo_and_capacity();
  fprintf(stderr, "[deque] steal_half_alone ...\n");
  test_steal_half_alone();
  fprintf(stderr, "[deque] concurrent ...\n");
  test_concurrent();
  fprintf(stderr, "[deque] 3 cases passed\n");
  return 0;
}
