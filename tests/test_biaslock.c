/* Unit test of the biased lock (runtimes/os/biaslock.h): who owns a lock,
 * and mutual exclusion between its owner (plain stores) and foreign threads
 * (membarrier), checked on two plain counters that every critical section
 * moves together. Runtime-free. */
#include <pthread.h>
#include <stdio.h>

#include "runtimes/os/biaslock.h"
#include "test.h"

#define OWNER_ROUNDS 400000 /* the owner's path is a few ns */
#define FOREIGN_ROUNDS 4000 /* each one a membarrier: a few us */
#define FOREIGNERS 2

typedef struct shared {
  sb_biaslock lock;
  uint64_t a, b;      /* moved together under the lock */
  atomic_int go;      /* 1 once every thread may start */
  atomic_int crossed; /* critical sections that saw a != b */
} shared;

static void critical(shared *s) {
  sb_bias_lock(&s->lock);
  if (s->a != s->b)
    atomic_fetch_add(&s->crossed, 1);
  s->a++;
  /* Widen the window a foreign thread would need to slip in. */
  for (volatile int i = 0; i < 8; i++)
    ;
  s->b++;
  sb_bias_unlock(&s->lock);
}

static void *foreigner(void *arg) {
  shared *s = arg;
  while (!atomic_load(&s->go))
    sched_yield();
  for (int i = 0; i < FOREIGN_ROUNDS; i++)
    critical(s);
  return NULL;
}

/* The calling thread owns the lock if `biased`; FOREIGNERS threads contend
 * with it. Returns 1 if the lock came out biased. */
static int contend(int biased) {
  shared *s = calloc(1, sizeof(*s));
  ASSERT(s != NULL);
  int prev = sb_bias_thread_set(biased);
  sb_bias_init(&s->lock);
  sb_bias_thread_set(prev);
  int got = s->lock.owner != 0;
  if (biased)
    ASSERT(!got || s->lock.owner == sb__bias_self());
  else
    ASSERT(!got); /* made outside a one-thread executor: unbiased */
  pthread_t th[FOREIGNERS];
  for (int i = 0; i < FOREIGNERS; i++)
    ASSERT_EQ(pthread_create(&th[i], NULL, foreigner, s), 0);
  atomic_store(&s->go, 1);
  for (int i = 0; i < OWNER_ROUNDS; i++)
    critical(s);
  for (int i = 0; i < FOREIGNERS; i++)
    ASSERT_EQ(pthread_join(th[i], NULL), 0);
  ASSERT_EQ(atomic_load(&s->crossed), 0);
  ASSERT_EQ(s->a, (uint64_t)OWNER_ROUNDS + FOREIGNERS * FOREIGN_ROUNDS);
  ASSERT_EQ(s->b, s->a);
  free(s);
  return got;
}

/* The flag is per thread and restored by whoever set it. */
static void *flag_reader(void *arg) {
  sb_biaslock *l = arg;
  sb_bias_init(l); /* a fresh thread runs no executor */
  return NULL;
}

int main(void) {
  ASSERT_EQ(sb_bias_thread_set(1), 0);
  ASSERT_EQ(sb_bias_thread_set(0), 1);
  sb_biaslock l;
  sb_bias_thread_set(1);
  pthread_t th;
  ASSERT_EQ(pthread_create(&th, NULL, flag_reader, &l), 0);
  ASSERT_EQ(pthread_join(th, NULL), 0);
  sb_bias_thread_set(0);
  ASSERT(l.owner == 0);

  contend(0);
  if (contend(1))
    printf("biased: %d owner and %d foreign sections, none crossed\n",
           OWNER_ROUNDS, FOREIGNERS * FOREIGN_ROUNDS);
  else
    printf("no expedited membarrier here: the lock stayed unbiased\n");
  return 0;
}
