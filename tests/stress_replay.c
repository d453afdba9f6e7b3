/* The replay line and the watchdog of the randomized stress tests
 * (stress_replay.h). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "stress_replay.h"
#include "test.h"

/* The replay line of the round in progress, written by the abort handler
 * (write(2) only: async-signal-safe) and by the watchdog. */
static char replay[256];
static size_t replay_len;

static void print_replay(void) {
  ssize_t n = write(2, replay, replay_len);
  (void)n;
}

/* SIGABRT (assertions, the watchdog), SIGSEGV, SIGBUS: print, then die of
 * the signal as before (SA_RESETHAND restores the default action). */
static void on_fatal(int sig) {
  print_replay();
  raise(sig);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
/* A sanitizer that finds an error exits through its own path, not a
 * signal: it calls this first. */
void __sanitizer_set_death_callback(void (*callback)(void));
#define SET_DEATH_CALLBACK() __sanitizer_set_death_callback(print_replay)
#define SANITIZED 1
#else
#define SET_DEATH_CALLBACK() ((void)0)
#define SANITIZED 0
#endif

void sb_replay_install(void) {
  struct sigaction sa = {.sa_handler = on_fatal, .sa_flags = SA_RESETHAND};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGABRT, &sa, NULL);
  if (!SANITIZED) { /* a sanitizer reports these itself, then calls back */
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
  }
  SET_DEATH_CALLBACK();
}

void sb_replay_set(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(replay, sizeof(replay), fmt, ap);
  va_end(ap);
  replay_len = len < 0                        ? 0
               : (size_t)len >= sizeof replay ? sizeof replay - 1
                                              : (size_t)len;
}

#define ROUND_LIMIT_S 60 /* a round that runs this long has hung */

static void *watchdog_main(void *arg) {
  sb_watchdog *d = arg;
  pthread_mutex_lock(&d->lock);
  while (!d->stop) {
    uint64_t seen = d->round;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ROUND_LIMIT_S;
    int rc = 0;
    while (!d->stop && d->round == seen && rc != ETIMEDOUT)
      rc = pthread_cond_timedwait(&d->cv, &d->lock, &ts);
    if (!d->stop && d->round == seen) {
      fprintf(stderr, "stress: a round ran for %d s: hung\n", ROUND_LIMIT_S);
      abort(); /* the handler prints the replay line */
    }
  }
  pthread_mutex_unlock(&d->lock);
  return NULL;
}

void sb_watchdog_start(sb_watchdog *d) {
  *d = (sb_watchdog){.lock = PTHREAD_MUTEX_INITIALIZER,
                     .cv = PTHREAD_COND_INITIALIZER};
  ASSERT_EQ(pthread_create(&d->tid, NULL, watchdog_main, d), 0);
}

void sb_watchdog_round(sb_watchdog *d) {
  pthread_mutex_lock(&d->lock);
  d->round++;
  pthread_cond_signal(&d->cv);
  pthread_mutex_unlock(&d->lock);
}

void sb_watchdog_stop(sb_watchdog *d) {
  pthread_mutex_lock(&d->lock);
  d->stop = 1;
  pthread_cond_signal(&d->cv);
  pthread_mutex_unlock(&d->lock);
  pthread_join(d->tid, NULL);
}
