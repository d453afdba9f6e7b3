/* Private parts of runtime `steal`: the task and its atomic state, the
 * worker, the runtime state, and the functions its files share. Only
 * steal*.c include it. */
#ifndef SB_STEAL_INTERNAL_H
#define SB_STEAL_INTERNAL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "runtimes/core/sb.h"
#include "runtimes/core/spinlock.h"
#include "runtimes/os/deque.h"
#include "runtimes/os/forkq.h"
#include "runtimes/os/inbox.h"
#include "runtimes/os/inject.h"
#include "runtimes/os/park.h"
#include "runtimes/os/reactor.h"
#include "runtimes/os/slab.h"
#include "runtimes/os/timer_heap.h"
#include "runtimes/os/topo.h"

/* ---- Task state (tokio's layout, one atomic word) ----------------------
 * Low bits are flags, the rest a reference count. References: one "alive"
 * reference from spawn until the task completes (dropped by the worker that
 * completes it, in the RMW that sets COMPLETE), one for the join handle
 * until it is joined or detached.
 * A task sitting in a queue holds no reference of its own: only alive tasks
 * are ever queued, and only the worker that polls a task can complete it. */
#define ST_RUNNING 1u  /* a worker is inside its poll */
#define ST_COMPLETE 2u /* its future returned READY; out is valid */
#define ST_NOTIFIED                                                            \
  4u                        /* queued, or to be re-queued after this poll;     \
                               ignored once COMPLETE */
#define ST_JOIN_INTEREST 8u /* a join handle exists */
#define ST_JOIN_WAKER 16u   /* joiner is set; see steal_task.c */
#define ST_REF_ONE 64u      /* one reference */
#define ST_REF_MASK (~(uint64_t)(ST_REF_ONE - 1))

#define STEAL_CLS_ROOT 0xfeu /* block_on's task: one per runtime, reused */
#define STEAL_CLS_FORK                                                         \
  0xfdu /* a scoped fork's header, in its sb_fork: the                         \
           memory is the parent's, never freed here */

struct sb_task {
  _Atomic uint64_t state; /* ST_* flags and the reference count; 0 = free */
  sb_snode link;          /* the injection queue's link while queued there;
                             a free list's (the slab's or a remote inbox's)
                             while the block is free */
  union {
    sb_future *fut;     /* alive: what is polled (body, block_on's root,
                           or a fork's child) */
    sb_task *next_batch; /* free, first of a batch in the depot: the next
                            batch (steal_alloc.c) */
  };
  sb_task *joiner;        /* the joining task (of this runtime: join takes
                             a cx of it), owned per ST_JOIN_WAKER */
  uint32_t cls;           /* slab class, or STEAL_CLS_ROOT / _FORK */
  alignas(SB_FUTURE_ALIGN) unsigned char body[]; /* the spawned future's copy */
};

/* Task memory of one worker, or of the outside world (under ext_lock): a
 * slab whose free lists are bounded, the excess going to the runtime's
 * depot in batches (steal_alloc.c). */
typedef struct steal_cache {
  sb_slab slab;                     /* blocks by class */
  uint32_t nfree[SB_SLAB_CLASSES];  /* blocks on each free list */
} steal_cache;

typedef struct steal_rt steal_rt;

typedef struct steal_worker {
  sb_deque q;       /* this worker's run queue (has its own lines) */
  sb_forkq forks;   /* its scoped forks, LIFO (has its own lines) */
  sb_parker parker; /* futex the worker sleeps on when idle */
  /* ---- owner-only hot fields ---- */
  alignas(SB_CACHELINE) steal_rt *rt; /* the runtime it belongs to */
  sb_task *lifo;    /* the task last woken by the running task, or NULL */
  int lifo_claimed; /* 1 if lifo was claimed RUNNING by its wake (it runs
                       here next without the NOTIFIED -> RUNNING RMW) */
  sb_task *current; /* the task being polled, or NULL */
  uint32_t tick;    /* scheduling ticks (one per task run), for intervals */
  uint32_t rng;     /* xorshift state for picking steal victims */
  int index;        /* 0 .. workers - 1 */
  int searching;    /* 1 while counted in the runtime's searching workers */
  int parking;      /* 1 while it polls the reactor as an idle worker */
  int yielded;      /* 1 when the task being polled asked to yield */
  /* A task whose poll just returned PENDING, not woken during it, while a
   * task it woke was next in the LIFO slot: still RUNNING, the end of its
   * poll put off until after that next poll (sb__steal_run), or NULL. */
  sb_task *deferred;
  /* Successful spawns made on this worker: stored by the owner alone (a
   * relaxed load and store, no read-modify-write, so the spawn path has no
   * contended atomic), summed by info with relaxed loads. */
  _Atomic uint64_t spawned;
  steal_cache cache; /* task memory (its remote lists on their own line) */
  /* ---- shared ---- */
  alignas(SB_CACHELINE) _Atomic int in_reactor; /* 1 while it may sleep in
                                                   the reactor's poll */
  int sleeping;     /* on the sleepers stack; protected by rt->idle_lock */
  pthread_t thread; /* the OS thread; set by open */
} steal_worker;

struct steal_rt {
  sb_runtime base;       /* ops; first, as every runtime's state */
  int nworkers;          /* worker threads */
  sb_pin pin;            /* the pinning policy in force */
  size_t stack_size;     /* bytes of stack per worker thread */
  sb_topo *topo;         /* for pinning; NULL when pin is NONE */
  steal_worker *workers; /* nworkers of them, cache-line aligned */

  sb_inject inject;     /* global FIFO for wakes and spawns from outside */
  sb__reactor *reactor; /* shared epoll reactor */

  /* Protects timers and poll_deadline. Lock order: timer_lock, or a
   * reactor slot lock (wakes happen under them), before idle_lock or the
   * inject lock; ext_lock before depot_lock, which is a leaf. */
  alignas(SB_CACHELINE) pthread_mutex_t timer_lock;
  sb__timer_heap timers;    /* sleep_until registrations */
  int64_t poll_deadline;    /* the deadline a worker sleeping in the reactor
                               wakes at; INT64_MIN when none sleeps there */
  _Atomic uint32_t ntimers; /* waits in timers: a lock-free hint */
  _Atomic int io_used;      /* 1 once any wait_fd registered: a hint */

  /* The driver: whoever holds it may poll the reactor and fire timers. */
  alignas(SB_CACHELINE) _Atomic int driver_held;

  /* Idle bookkeeping: searching workers (low 16 bits) and workers not
   * parked (high 16 bits), changed with seq_cst RMWs (see steal_park.c). */
  alignas(SB_CACHELINE) _Atomic uint32_t idle_state;
  /* Protects sleepers, nsleepers and every worker's `sleeping`. */
  pthread_mutex_t idle_lock;
  int *sleepers; /* stack of parked workers' indices */
  int nsleepers; /* entries in sleepers */

  /* Task memory of the outside world (block_on thread, other threads). */
  pthread_mutex_t ext_lock; /* protects ext's owner-only fields and
                               ext_spawned */
  steal_cache ext;
  uint64_t ext_spawned; /* successful spawns from outside the workers */

  /* Free task memory between caches (steal_alloc.c), so a block freed by
   * one worker serves a spawn on any other. */
  alignas(SB_CACHELINE) sb_spinlock depot_lock; /* a leaf: held for a
                                                   pointer swap */
  sb_task *depot[SB_SLAB_CLASSES]; /* full batches of free blocks per
                                      class, linked through next_batch;
                                      under depot_lock */
  /* Blocks freed on threads that are not workers: pushed lock-free, taken
   * whole by whichever cache runs dry (exchange: any number of takers). */
  alignas(SB_CACHELINE) sb__inbox loose[SB_SLAB_CLASSES];

  sb_task *root; /* block_on's task (root->fut is the caller's future) */
  sb_parker main_parker;   /* block_on's thread sleeps here */
  _Atomic int root_done;   /* 1 once root completed; block_on waits on it */
  _Atomic int in_block_on; /* 1 while a block_on runs (root is in use) */
  _Atomic int started;     /* workers that finished starting */
  _Atomic int start_err;   /* first worker start error (-errno) or 0 */
  _Atomic int shutdown;    /* 1 once close began: workers exit */
  _Atomic int closing;     /* 1 once workers are gone: wakes are ignored */
};

/* The worker running on this thread, or NULL (any runtime). */
extern _Thread_local steal_worker *sb__steal_self;

static inline steal_worker *steal_local(steal_rt *rt) {
  steal_worker *w = sb__steal_self;
  return w != NULL && w->rt == rt ? w : NULL;
}

/* steal.c: the ops table, the runtime's one export. */
SB_RUNTIME_DECLARE(steal);

/* steal_task.c: the state machine. */
void sb__steal_wake(sb_waker wk);
/* Polls t once with *budget units of the cooperative budget, and leaves in
 * *budget what the poll did not spend (a LIFO chain shares one budget).
 * claimed: t is RUNNING already (claimed by its wake into the LIFO slot). */
void sb__steal_run(steal_worker *w, sb_task *t, int *budget, int claimed);
/* RUNNING -> NOTIFIED, before a task goes on a queue: a claimed one that
 * leaves the LIFO slot, or one whose poll asked to yield. */
void sb__steal_unclaim(sb_task *t);
sb_poll sb__steal_join(sb_cx *cx, sb_task *t, uint64_t *out);
void sb__steal_detach(sb_runtime *rt, sb_task *t);

/* steal_alloc.c: task memory. */
void sb__steal_depot_init(steal_rt *rt);
void sb__steal_cache_init(steal_cache *c);
sb_task *sb__steal_alloc(steal_rt *rt, steal_cache *c, size_t size);
void sb__steal_free(steal_rt *rt, sb_task *t);
void sb__steal_cache_drop_live(steal_rt *rt, steal_cache *c);
void sb__steal_cache_destroy(steal_cache *c);

_Static_assert(SB_SLAB_CLASSES < STEAL_CLS_FORK,
               "slab classes and the special task classes must not meet");
_Static_assert(sizeof(sb_task) <= SB_FORK_TASK_BYTES,
               "a fork's task header must fit in sb_fork.task");

/* Ticks (tasks run) between two looks at the injection queue first, so
 * that it is never starved by local work, and between two maintenance polls
 * of the reactor and the timers (Go and tokio use 61: prime, so it does not
 * beat in step with periodic workloads). */
#define STEAL_GLOBAL_INTERVAL 61

/* steal_worker.c: scheduling. Where sb__steal_schedule puts a task: */
#define STEAL_SCHED_WAKE 0  /* a wake: the LIFO slot if a task is running */
#define STEAL_SCHED_YIELD 1 /* re-queued after its poll: back of the ring */
#define STEAL_SCHED_SPAWN 2 /* a new task: placed as a wake */
void sb__steal_schedule(steal_rt *rt, sb_task *t, int mode);
/* Puts t, just claimed RUNNING by a wake from w's running task, in w's LIFO
 * slot. */
void sb__steal_lifo_claimed(steal_worker *w, sb_task *t);
/* Ends the poll of w->deferred, if any (see sb__steal_run). */
void sb__steal_end_deferred(steal_worker *w);
int sb__steal_fork(sb_cx *cx, sb_fork *f);
int sb__steal_unfork(sb_cx *cx, sb_fork *f);
void *sb__steal_worker_main(void *arg);

/* steal_io.c: the reactor and timers, and the wait ops. */
sb_poll sb__steal_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events);
sb_poll sb__steal_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline);
void sb__steal_cancel(sb_runtime *base, sb_wait *w);
void sb__steal_forget_fd(sb_runtime *base, int fd);
sb_poll sb__steal_yield(sb_cx *cx);
int64_t sb__steal_fire_timers(steal_rt *rt, int arm);
/* Polls the reactor, waking the waiters of at most max_events ready fds
 * (sb__reactor_poll_some). */
void sb__steal_io_poll(steal_rt *rt, int64_t timeout_ns, int max_events);

/* steal_park.c: idle workers. */
void sb__steal_notify_parked(steal_rt *rt);
void sb__steal_notify_parked_local(steal_rt *rt); /* after a push to our ring */
int sb__steal_to_searching(steal_rt *rt);
int sb__steal_from_searching(steal_rt *rt);
void sb__steal_park(steal_worker *w);
void sb__steal_maintenance(steal_worker *w);
void sb__steal_unpark_all(steal_rt *rt);

#endif /* SB_STEAL_INTERNAL_H */
