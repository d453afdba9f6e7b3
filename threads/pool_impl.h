/* Internal to the `pool` runtime (pool.c schedules, pool_life.c creates
 * and destroys): its state, its tasks and its workers. */
#ifndef SB_POOL_IMPL_H
#define SB_POOL_IMPL_H

#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>

#include "osrt.h"
#include "runtimes/core/sb.h"
#include "runtimes/os/park.h"
#include "runtimes/os/slab.h"
#include "runtimes/os/topo.h"

typedef struct pool_runtime pool_runtime;
typedef struct pool_task pool_task;

/* Task states. A wake moves IDLE -> QUEUED (and queues the job) or RUNNING
 * -> NOTIFIED (the worker re-queues it when the poll returns PENDING), and
 * does nothing in the other states, so wakes coalesce and a task is never
 * queued twice nor lost. */
enum { POOL_IDLE, POOL_QUEUED, POOL_RUNNING, POOL_NOTIFIED, POOL_DONE };

typedef struct pool_worker {
  sb_parker parker; /* interrupts this worker's blocking waits (aligned) */
  pool_runtime *rt; /* the owning runtime */
  pool_task *task;  /* the task being polled; touched by this worker only */
  int index;        /* 0..n-1, for pinning */
  pthread_t tid;    /* joined by close */
} pool_worker;

/* A task: a block of rt->tasks, recycled there and freed only by close. */
struct pool_task {
  _Atomic uint32_t state;        /* IDLE..DONE, see above */
  _Atomic(pool_worker *) worker; /* who polls it, valid in RUNNING/NOTIFIED */
  sb__joinref join;              /* output, joiner's waker, references */
  unsigned cls;                  /* the slab class of its block */
  sb_snode link;                 /* the FIFO's link while queued; the slab's
                                    free-list link while free (rt->lock) */
  sb_future *fut;                /* storage, or block_on's root */
  alignas(SB_FUTURE_ALIGN) unsigned char storage[]; /* the spawned future */
};

struct pool_runtime {
  sb_runtime base;           /* ops: first, as every runtime */
  pthread_mutex_t lock;      /* protects jobs, idle, started, tasks
                                and writes of shutdown */
  pthread_cond_t work;       /* a job was queued, or shutdown */
  pthread_cond_t started_cv; /* a worker started (open waits for all) */
  sb_queue jobs;             /* queued tasks, oldest first */
  int idle;                  /* workers waiting on `work` */
  int started;               /* workers that finished starting */
  int pin_err;               /* first pinning error (-errno), or 0 */
  _Atomic int shutdown;      /* set by close: workers exit */
  sb_slab tasks;             /* task memory: every task ever made */
  pool_task *root;           /* block_on's task (its fut is the root) */
  sb_parker caller;          /* block_on's caller sleeps here */
  _Atomic int root_done;     /* set when the root is READY */
  sb_topo *topo;             /* for pinning and the default N */
  sb_pin pin;                /* pinning policy in force */
  size_t stack_size;         /* workers' stack (the default) */
  int n;                     /* number of workers */
  uint64_t spawned;          /* successful spawns since open, counted
                                under lock (info.spawned) */
  pool_worker *workers;      /* n workers, cache-line aligned */
};
/* pool.c: the ops table, the runtime's one export. */
SB_RUNTIME_DECLARE(pool);

/* pool_life.c: the runtime's lifetime and task memory. */
int sb__pool_open(const sb_config *cfg, sb_runtime **out);
void sb__pool_close(sb_runtime *base);
void sb__pool_info(sb_runtime *base, sb_runtime_info *out);
/* Returns a recycled or new task for size bytes (state DONE), or NULL.
 * Called with rt->lock held. */
pool_task *sb__pool_task_alloc(pool_runtime *rt, size_t size);
/* Drops one reference to t; the last one recycles it. */
void sb__pool_task_release(pool_runtime *rt, pool_task *t);

/* pool.c: a worker thread's body (arg: its pool_worker). */
void *sb__pool_worker_main(void *arg);

#endif
