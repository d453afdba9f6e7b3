/* Unit test of the tagged inbox (runtimes/os/inbox.h, sb__tinbox): push
 * order, coalescing of a second push, release; then producers that push
 * their nodes again and again against one consumer that drains and
 * releases them: every successful push must be taken exactly once, and a
 * node is never in two places. Runtime-independent: argv[1] is ignored. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "runtimes/os/inbox.h"
#include "test.h"

static void test_order_and_coalescing(void) {
  sb__tinbox q;
  sb__tinbox_init(&q);
  sb__tlink n[3];
  for (int i = 0; i < 3; i++)
    sb__tlink_init(&n[i]);
  ASSERT(sb__tinbox_empty(&q));
  ASSERT(sb__tinbox_take_all(&q) == NULL);
  for (int i = 0; i < 3; i++)
    ASSERT_EQ(sb__tinbox_push(&q, &n[i]), 1);
  ASSERT_EQ(sb__tinbox_push(&q, &n[1]), 0); /* on already: coalesces */
  ASSERT(!sb__tinbox_empty(&q));
  sb__tlink *c = sb__tinbox_take_all(&q);
  ASSERT(sb__tinbox_empty(&q));
  for (int i = 0; i < 3; i++) {
    ASSERT(c == &n[i]); /* push order */
    ASSERT(sb__tlink_on(c));
    c = sb__tlink_next(c);
  }
  ASSERT(c == NULL);
  /* Taken but not released: still claimed, so a push still coalesces. */
  ASSERT_EQ(sb__tinbox_push(&q, &n[0]), 0);
  ASSERT(sb__tinbox_empty(&q));
  for (int i = 0; i < 3; i++) {
    sb__tlink_release(&n[i]);
    ASSERT(!sb__tlink_on(&n[i]));
  }
  ASSERT_EQ(sb__tinbox_push(&q, &n[2]), 1);
  c = sb__tinbox_take_all(&q);
  ASSERT(c == &n[2] && sb__tlink_next(c) == NULL);
}

#define PRODUCERS 3
#define NODES 8       /* per producer */
#define PUSHES 200000 /* attempts per producer */

typedef struct shared {
  sb__tinbox q;
  sb__tlink node[PRODUCERS][NODES];
  atomic_int pushed[PRODUCERS][NODES]; /* successful pushes, by producers */
  int taken[PRODUCERS][NODES];         /* takes, by the consumer alone */
  atomic_int running;                  /* producers not finished */
} shared;

typedef struct producer {
  shared *s;
  int p;
} producer;

static void *producer_main(void *arg) {
  producer *pr = arg;
  shared *s = pr->s;
  for (int i = 0; i < PUSHES; i++) {
    int k = i % NODES;
    if (sb__tinbox_push(&s->q, &s->node[pr->p][k]))
      atomic_fetch_add_explicit(&s->pushed[pr->p][k], 1, memory_order_relaxed);
    if (i % 64 == 0)
      sched_yield();
  }
  atomic_fetch_sub(&s->running, 1);
  return NULL;
}

static void drain(shared *s) {
  sb__tlink *n = sb__tinbox_take_all(&s->q);
  while (n != NULL) {
    ptrdiff_t at = n - &s->node[0][0];
    ASSERT(at >= 0 && at < PRODUCERS * NODES);
    sb__tlink *next = sb__tlink_next(n);
    s->taken[at / NODES][at % NODES]++;
    sb__tlink_release(n);
    n = next;
  }
}

static void test_concurrent(void) {
  static shared s;
  sb__tinbox_init(&s.q);
  for (int p = 0; p < PRODUCERS; p++)
    for (int k = 0; k < NODES; k++) {
      sb__tlink_init(&s.node[p][k]);
      atomic_init(&s.pushed[p][k], 0);
    }
  atomic_init(&s.running, PRODUCERS);
  pthread_t th[PRODUCERS];
  producer pr[PRODUCERS];
  for (int p = 0; p < PRODUCERS; p++) {
    pr[p] = (producer){.s = &s, .p = p};
    ASSERT_EQ(pthread_create(&th[p], NULL, producer_main, &pr[p]), 0);
  }
  while (atomic_load(&s.running) > 0)
    drain(&s);
  for (int p = 0; p < PRODUCERS; p++)
    ASSERT_EQ(pthread_join(th[p], NULL), 0);
  drain(&s);
  ASSERT(sb__tinbox_empty(&s.q));
  int64_t total = 0;
  for (int p = 0; p < PRODUCERS; p++)
    for (int k = 0; k < NODES; k++) {
      ASSERT_EQ(s.taken[p][k], atomic_load(&s.pushed[p][k]));
      ASSERT(!sb__tlink_on(&s.node[p][k]));
      total += s.taken[p][k];
    }
  ASSERT_GT(total, 0);
  fprintf(stderr, "  %lld pushes taken\n", (long long)total);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "[inbox] order_and_coalescing ...\n");
  test_order_and_coalescing();
  fprintf(stderr, "[inbox] concurrent ...\n");
  test_concurrent();
  fprintf(stderr, "[inbox] 2 cases passed\n");
  return 0;
}
