/* ThreadSanitizer fibers for runtime `fiber` (see fiber_san.h), reused
 * process-wide. Compiled always; empty without ThreadSanitizer. */
#include "fiber_san.h"

#ifdef SB_FIBER_TSAN
#include <pthread.h>

/* ThreadSanitizer's own limit on threads and fibers alive at once: a
 * static array that big never needs memory of ours. */
#define TSAN_MAX 8192
/* Fibers the first open makes (milliseconds each here), so that the first
 * fibers to run do not pay for theirs inside a timed window. */
#define TSAN_WARM 32

static pthread_mutex_t tsan_lock = PTHREAD_MUTEX_INITIALIZER;
static void *tsan_free[TSAN_MAX]; /* fibers free for reuse (tsan_lock) */
static size_t tsan_nfree;         /* entries in tsan_free */
static int tsan_warm;             /* 1 once made (tsan_lock) */
static pthread_once_t tsan_once = PTHREAD_ONCE_INIT;

/* Before fork: a process with more than one thread or fiber alive may not
 * start threads in its child under ThreadSanitizer, so the free ones go.
 * Registered after ThreadSanitizer's own handlers, so it runs before them
 * (prepare handlers run in reverse order), before its registry is locked. */
static void tsan_prefork(void) {
  pthread_mutex_lock(&tsan_lock);
  while (tsan_nfree > 0)
    __tsan_destroy_fiber(tsan_free[--tsan_nfree]);
  tsan_warm = 0;
  pthread_mutex_unlock(&tsan_lock);
}

static void tsan_init(void) {
  pthread_atfork(tsan_prefork, NULL, NULL);
}

void *sb__fiber_tsan_take(int at_spawn) {
  void *f = NULL;
  pthread_mutex_lock(&tsan_lock);
  if (tsan_nfree > 0)
    f = tsan_free[--tsan_nfree];
  pthread_mutex_unlock(&tsan_lock);
  return f != NULL || at_spawn ? f : __tsan_create_fiber(0);
}

void sb__fiber_tsan_give(void *f) {
  pthread_mutex_lock(&tsan_lock);
  int kept = tsan_nfree < TSAN_MAX;
  if (kept)
    tsan_free[tsan_nfree++] = f;
  pthread_mutex_unlock(&tsan_lock);
  if (!kept)
    __tsan_destroy_fiber(f);
}

void sb__fiber_tsan_warm(void) {
  pthread_once(&tsan_once, tsan_init);
  pthread_mutex_lock(&tsan_lock);
  int made = tsan_warm;
  tsan_warm = 1;
  pthread_mutex_unlock(&tsan_lock);
  for (int i = 0; !made && i < TSAN_WARM; i++)
    sb__fiber_tsan_give(__tsan_create_fiber(0));
}
#else
void *sb__fiber_tsan_take(int at_spawn) {
  (void)at_spawn;
  return NULL;
}
void sb__fiber_tsan_give(void *f) {
  (void)f;
}
void sb__fiber_tsan_warm(void) {}
#endif
