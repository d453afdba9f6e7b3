/* What the fault tests share: blocking client threads that check every
 * echoed byte, a SIGUSR1 storm, and a count of the process's threads. The
 * server under test is the workloads' accept loop (workloads/server.h),
 * counting its connections; workloads run through the runner as everywhere
 * (run_check.h). */
#ifndef SB_FAULT_COMMON_H
#define SB_FAULT_COMMON_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "run_check.h"
#include "runtimes/primitives/spawn.h"
#include "workloads/server.h"

/* ---- clients ---------------------------------------------------------- */

/* A blocking client thread: connects (unless fd >= 0), does rounds[0]
 * round trips of bytes bytes, then (with gate) waits twice on gate, does
 * rounds[1] more, waits on gate once more, and closes. Every byte that
 * comes back is compared with the byte sent. EINTR is retried. */
typedef struct fc_client {
  struct sockaddr_in addr; /* the server */
  int fd;                  /* a connected socket, or -1 */
  int rounds[2];           /* round trips before and after the gate */
  int bytes;               /* bytes per round trip */
  uint32_t seed;           /* picks the bytes */
  pthread_barrier_t *gate; /* NULL: no pauses */
  uint64_t sum;            /* sum of the bytes echoed back correctly */
  int64_t mismatches;      /* bytes that came back different */
  int err;                 /* the first errno (or -1 for early EOF) */
  pthread_t tid;           /* the client's thread */
} fc_client;
/* Starts c's thread; asserts that it started. */
void fc_client_start(fc_client *c);
void fc_client_join(fc_client *c);
/* The sum of the bytes c sends in rounds round trips from round first. */
uint64_t fc_client_expect(const fc_client *c, int first, int rounds);

/* ---- signals and threads ------------------------------------------------ */

/* A thread that sends SIGUSR1 (a no-op handler installed without
 * SA_RESTART) to every other thread of the process, over and over. */
typedef struct fc_storm {
  pthread_t tid;         /* the sender */
  _Atomic int stop;      /* 1: the sender returns */
  _Atomic uint64_t sent; /* signals sent */
} fc_storm;
void fc_storm_start(fc_storm *s);
/* Stops the sender and returns how many signals were delivered. */
uint64_t fc_storm_stop(fc_storm *s);

/* Threads of this process now (from /proc/self/task). */
int fc_thread_count(void);

/* Waits up to 5 s until the main thread is the only one left (detached
 * threads that finished their work may still be exiting; a sanitizer's own
 * thread is not counted). Returns 1, or 0 if others still run. */
int fc_await_main_only(void);

/* The lowest descriptor number free now. */
int fc_lowest_free_fd(void);

#endif
