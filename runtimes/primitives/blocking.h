/* spawn_blocking: run a plain C function on a separate, bounded pool of OS
 * threads and wake the awaiting task when it returns. On a thread-per-task
 * runtime the function runs inline on the task's own thread. */
#ifndef SB_BLOCKING_H
#define SB_BLOCKING_H

#include "runtimes/core/sb.h"
#include "runtimes/core/waitlist.h"

typedef uint64_t (*sb_blocking_fn)(void *arg);

/* The shared blocking pool: at most SB_BLOCKING_THREADS threads, started on
 * first use, stopped at exit. */
#define SB_BLOCKING_THREADS 16

typedef struct sb_blocking_job sb_blocking_job; /* private */

typedef struct sb_spawn_blocking {
  sb_future base;       /* READY with base.out = fn(arg), or -errno if it
                           could not be started */
  sb_blocking_fn fn;    /* the function to run */
  void *arg;            /* its argument */
  sb_blocking_job *job; /* private: the job in flight; NULL before/after */
  sb_waiter node;       /* private: on the job's wait list while waiting */
} sb_spawn_blocking;
void sb_spawn_blocking_init(sb_spawn_blocking *op, sb_blocking_fn fn,
                            void *arg);
sb_poll sb_spawn_blocking_poll(sb_spawn_blocking *op, sb_cx *cx);

#endif
