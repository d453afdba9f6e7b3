/* What a randomized stress test needs around its rounds: a replay line
 * printed however the process dies (an assertion, a signal, a sanitizer's
 * report), and a watchdog that aborts a round that hangs. Used by
 * stress_random.c. */
#ifndef SB_STRESS_REPLAY_H
#define SB_STRESS_REPLAY_H

#include <pthread.h>
#include <stdint.h>

/* Prints the replay line on SIGABRT, SIGSEGV and SIGBUS (or, under a
 * sanitizer, before it exits), then dies as before. */
void sb_replay_install(void);
/* Sets the line printed if the process dies now (printf-style). */
void sb_replay_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Aborts the process (which prints the replay line) when no new round has
 * started for a minute. */
typedef struct sb_watchdog {
  pthread_mutex_t lock; /* protects round and stop */
  pthread_cond_t cv;    /* signalled on a new round or stop */
  uint64_t round;       /* rounds started; the dog checks it moves */
  int stop;             /* 1: the dog returns */
  pthread_t tid;        /* the dog */
} sb_watchdog;

void sb_watchdog_start(sb_watchdog *d);
/* A new round starts. */
void sb_watchdog_round(sb_watchdog *d);
void sb_watchdog_stop(sb_watchdog *d);

#endif /* SB_STRESS_REPLAY_H */
