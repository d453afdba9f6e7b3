/* Tests: a thread outside every runtime that sets an event when a task asks
 * it to, so that a test can make a wake come from another thread at a point
 * it chooses. The task calls sb_outside_fire from inside its poll, which
 * returns once the event is set: the wake has landed while that poll runs. */
#ifndef SB_TEST_OUTSIDE_H
#define SB_TEST_OUTSIDE_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "runtimes/primitives/event.h"
#include "test.h"

typedef struct sb_outside {
  sb_event *e;     /* what it sets */
  atomic_int go;   /* 1: a task asked for the set */
  atomic_int done; /* 1: the event is set */
  pthread_t th;
} sb_outside;

static void *sb__outside_main(void *arg) {
  sb_outside *o = arg;
  /* acquire/release: plain handshakes; the event does its own ordering. */
  while (!atomic_load_explicit(&o->go, memory_order_acquire))
    sched_yield();
  sb_event_set(o->e);
  atomic_store_explicit(&o->done, 1, memory_order_release);
  return NULL;
}

/* Starts the thread; it sets e once, when asked. */
static inline void sb_outside_start(sb_outside *o, sb_event *e) {
  o->e = e;
  atomic_init(&o->go, 0);
  atomic_init(&o->done, 0);
  ASSERT_EQ(pthread_create(&o->th, NULL, sb__outside_main, o), 0);
}

/* Asks for the set and waits (spinning, in the caller's poll) until done. */
static inline void sb_outside_fire(sb_outside *o) {
  atomic_store_explicit(&o->go, 1, memory_order_release);
  while (!atomic_load_explicit(&o->done, memory_order_acquire))
    sched_yield();
}

static inline void sb_outside_join(sb_outside *o) {
  ASSERT_EQ(pthread_join(o->th, NULL), 0);
}

#endif
