/* The contract between workloads and runtimes: futures, wakers, waits, spawn
 * and join, and the ops table every runtime implements. A workload written
 * against this header runs unchanged on every registered runtime. */
#ifndef SB_H
#define SB_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "list.h"

#define SB_CACHELINE 64

/* A broken invariant: print where and what, then abort. Never an error code. */
#define SB_ASSERT(expr)                                                        \
  do {                                                                         \
    if (!(expr)) {                                                             \
      fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__,     \
              #expr);                                                          \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* clang-format off */
#define SB_CONTAINER_OF(ptr, type, field)                                      \
  ((type *)((char *)(ptr) - offsetof(type, field)))
/* clang-format on */

typedef enum sb_poll { SB_PENDING = 0, SB_READY = 1 } sb_poll;

typedef struct sb_runtime sb_runtime;
typedef struct sb_runtime_ops sb_runtime_ops;
typedef struct sb_task sb_task; /* opaque; each runtime defines its own */
typedef struct sb_future sb_future;
typedef struct sb_cx sb_cx;

/* Advances a future. Returns SB_READY when done (its output is in ->out), or
 * SB_PENDING after arranging, through cx->waker, to be polled again. A future
 * is never polled again after it returned SB_READY. */
typedef sb_poll (*sb_poll_fn)(sb_future *self, sb_cx *cx);

/* Releases a future that will never be polled again although it is not done
 * (cancellation, the loser of a select, runtime shutdown). It must remove
 * every registration the future holds (channel wait lists, timers, reactor
 * interest) so that nothing wakes or touches it afterwards. It does not free
 * the future's own memory, which belongs to whoever embeds it. */
typedef void (*sb_drop_fn)(sb_future *self, sb_runtime *rt);

/* The head of every future. A future's locals live in the struct that embeds
 * this head first, exactly as rustc lowers an async fn. Before the first
 * poll a future may be copied (spawn does); after it, it must not move.
 *
 * 24 bytes, not 32: drop and out share their word, since drop is only
 * called on a future that is not done and out is only written as it
 * becomes done (sb_future_ready, SB_END, or sb_future_poll marking a
 * READY future done). So a future writes its output only in the step that
 * completes it, never as a scratch field while it may still be dropped;
 * whoever polls a future directly uses sb_future_poll, which marks READY
 * futures done, so that a later sb_future_drop finds them done. A waiting
 * task in `million` holds two heads (its own and its wait's). */
struct sb_future {
  sb_poll_fn poll; /* advances the state machine */
  union {
    sb_drop_fn drop; /* until done: NULL when it holds no registration */
    uint64_t out;    /* once done: the output poll returned READY with */
  };
  int line; /* its state (SB_FUTURE_*), or the resume point of a
               machine written with SB_BEGIN / SB_AWAIT */
};

/* The alignment a runtime gives the copy of a spawned future: futures are
 * made of pointers, integers and atomics of up to 8 bytes (none here needs
 * long double or an alignas), so task headers and blocks need only be
 * 8-aligned, not max_align_t's 16: a 24-byte task header is then 24 bytes,
 * not 32. A future that needs more must not be spawned. */
#define SB_FUTURE_ALIGN 8
_Static_assert(_Alignof(sb_future) <= SB_FUTURE_ALIGN,
               "the future head must fit the spawn alignment");

/* What `line` says about a future. A leaf (an op of the primitives) moves
 * IDLE -> WAITING -> DONE and uses these alone; a machine written with
 * SB_BEGIN keeps its resume point (a source line, above 1) in between. Read
 * and write them through the helpers below; only the SB_BEGIN macros touch
 * `line` directly. */
#define SB_FUTURE_IDLE 0    /* not polled yet: holds no registration */
#define SB_FUTURE_WAITING 1 /* a leaf that may hold a registration */
#define SB_FUTURE_DONE (-1) /* READY or dropped: drop is a no-op */

#define SB_FUTURE_INIT(poll_fn, drop_fn)                                       \
  ((sb_future){                                                                \
      .poll = (poll_fn), .drop = (drop_fn), .line = SB_FUTURE_IDLE})

/* 1 if f was never polled (it holds nothing to release). */
static inline int sb_future_is_idle(const sb_future *f) {
  return f->line == SB_FUTURE_IDLE;
}

/* 1 if f, a leaf, may hold a registration (it returned PENDING, or is
 * about to). */
static inline int sb_future_is_waiting(const sb_future *f) {
  return f->line == SB_FUTURE_WAITING;
}

/* 1 if f was polled and is not done: it may hold registrations (a leaf
 * waiting, or a machine suspended at an await). */
static inline int sb_future_is_pending(const sb_future *f) {
  return f->line > 0;
}

/* 1 if f is done: READY, or dropped. */
static inline int sb_future_is_done(const sb_future *f) {
  return f->line == SB_FUTURE_DONE;
}

/* Marks f, a leaf, as possibly holding a registration. */
static inline void sb_future_waiting(sb_future *f) {
  f->line = SB_FUTURE_WAITING;
}

/* Marks f done without an output: after a drop, or so that a future never
 * started reads as done (its drop is then a no-op). */
static inline void sb_future_done(sb_future *f) {
  f->line = SB_FUTURE_DONE;
}

/* Completes f with output out: returns SB_READY, for `return
 * sb_future_ready(&op->base, n);` at the end of a leaf's poll. */
static inline sb_poll sb_future_ready(sb_future *f, uint64_t out) {
  f->out = out;
  f->line = SB_FUTURE_DONE;
  return SB_READY;
}

/* Says "poll this task again". Copyable; valid while the future that stored
 * it is alive (not yet READY and not dropped). Whoever stores a waker removes
 * it in that future's drop, under the same lock it is taken under to wake, so
 * a wake can never reach a task that is gone. */
typedef struct sb_waker {
  sb_runtime *rt; /* the runtime that owns task */
  sb_task *task;  /* the task to poll again */
} sb_waker;

/* What a poll sees of the runtime that polls it. */
struct sb_cx {
  sb_runtime *rt; /* the runtime doing the polling */
  sb_waker waker; /* wakes the task being polled */
  int budget;     /* cooperative budget left in this task poll (see below) */
  void *worker;   /* runtime-private: the worker thread polling, if any */
};

/* A leaf's registration with the runtime for one kernel wait (fd readiness or
 * a deadline). It lives inside the leaf future that waits, so registering
 * never allocates. Zero-initialise it; only the runtime touches the fields
 * marked private. */
typedef struct sb_wait {
  sb_waker waker;   /* private: who to wake */
  int64_t deadline; /* private: sleep_until's absolute deadline, ns */
  int fd;           /* private: wait_fd's descriptor */
  uint32_t events;  /* private: wait_fd's SB_READABLE / SB_WRITABLE */
  uint32_t state;   /* private: 0 when not registered */
  uint32_t slot;    /* private: timer-heap index */
  sb_list link;     /* private: on a reactor slot's list of waits */
} sb_wait;

#define SB_READABLE 1u
#define SB_WRITABLE 2u

/* A scoped child (rayon's stack job): a future embedded in its parent's
 * future, which no longer moves once polled, offered to other workers by
 * reference and joined in place, so forking allocates and copies nothing.
 * Built by sb_join2 (runtimes/primitives/fork.h); only the runtime touches
 * `task`, which holds its task header while a worker has the child. */
#define SB_FORK_TASK_BYTES 64 /* room for a runtime's task header */
typedef struct sb_fork {
  sb_future *child; /* the child, embedded in the parent; never moved */
  /* runtime-private: */
  alignas(SB_FUTURE_ALIGN) unsigned char task[SB_FORK_TASK_BYTES];
} sb_fork;

/* How a runtime is set up. Zero means "the default" for every field. */
typedef enum sb_pin {
  SB_PIN_NONE = 0, /* let the kernel place threads */
  SB_PIN_COMPACT,  /* fill one core's PUs, then the next (hwloc order) */
  SB_PIN_SPREAD,   /* as far apart as the topology allows (hwloc_distrib) */
} sb_pin;

typedef struct sb_config {
  int workers;       /* pool/steal: worker threads; 0 = one per core (hwloc) */
  sb_pin pin;        /* pinning policy for worker threads */
  size_t stack_size; /* threads: per-thread stack bytes; 0 = Linux default */
} sb_config;

/* What a runtime says about itself once open, for the results' context. */
typedef struct sb_runtime_info {
  int workers;       /* OS threads that poll tasks (threads: 0: one per task) */
  size_t stack_size; /* bytes of stack per OS thread it creates; 0 = none */
  sb_pin pin;        /* the pinning policy in force */
  uint64_t spawned;  /* tasks spawned since open (every successful spawn op,
                        and both halves of every fork, as rayon's join is
                        counted; the root of block_on is not one): the work
                        count
                        the harness checks (workloads/PROTOCOL.md, 4). Read
                        it outside block_on. */
} sb_runtime_info;

/* Capability bits in sb_runtime_ops.flags. */
/* clang-format off */
#define SB_RT_THREAD_PER_TASK 1u /* each task owns an OS thread: blocking is
                                    free to run inline (spawn_blocking) */
#define SB_RT_BLOCKING_WAITS 2u  /* wait_fd and sleep_until block the OS
                                    thread polling the task (threads, pool):
                                    a blocking syscall inline costs no more,
                                    and at most info.workers tasks (0: any
                                    number) can wait at once */
/* clang-format on */

/* The runtime ops table. Each runtime has exactly one, exported as
 * sb_runtime_<name>, and embeds a pointer to it first in its state. All
 * functions returning int return 0 or a negative errno. */
struct sb_runtime_ops {
  const char *name;    /* as in the registry and in cell names */
  const char *summary; /* one line for `switchbench list` */
  unsigned flags;      /* SB_RT_* */

  /* Creates a runtime. Returns 0 and *out, or -errno (nothing leaks). */
  int (*open)(const sb_config *cfg, sb_runtime **out);
  /* Stops every worker, drops every task still alive (its future's drop is
   * called) and frees everything. Only called outside block_on. */
  void (*close)(sb_runtime *rt);
  void (*info)(sb_runtime *rt, sb_runtime_info *out);
  /* Runs root, and everything it spawns, until root is READY. root is not
   * copied and stays the caller's. Returns 0, or -errno when the runtime
   * failed (root->out is then meaningless). May be called again. */
  int (*block_on)(sb_runtime *rt, sb_future *root);

  /* Copies size bytes of f into a new task and schedules it. Returns 0 and a
   * join reference in *out, or -errno (-ENOMEM, -EAGAIN) with nothing
   * scheduled and nothing leaked. The caller must later either join the task
   * to READY or detach it. */
  int (*spawn)(sb_cx *cx, const sb_future *f, size_t size, sb_task **out);
  /* READY with the child's output in *out once the child is done (the join
   * reference is then consumed), else PENDING after registering cx->waker. */
  sb_poll (*join)(sb_cx *cx, sb_task *t, uint64_t *out);
  /* Gives up a join reference: the child runs on and is freed when done. */
  void (*detach)(sb_runtime *rt, sb_task *t);

  /* Scoped fork, optional: NULL when the runtime has none (sb_join2 then
   * spawns both halves as heap tasks: the spawn+join primitive). Counts
   * both halves of the fork in spawned. Offers f->child (never polled yet,
   * pinned in its parent from now on) to the runtime's other workers with
   * f->task as its task header. Returns 1 when offered: the parent then
   * takes it back with unfork, or awaits it with join(cx, (sb_task *)
   * f->task, out); or 0 when not offered (one thread, no room): the parent
   * polls the child inline. An offered child must be joined to READY
   * before its parent completes; detach of one is only legal at close. */
  int (*fork)(sb_cx *cx, sb_fork *f);
  /* Takes an offered child back if no worker took it yet: 1, and the
   * parent polls it inline from now on (it is no task any more); else 0
   * and the parent joins it. Called at most once per fork, by the parent's
   * task, before any join of it; may be NULL if fork never returns 1. */
  int (*unfork)(sb_cx *cx, sb_fork *f);

  /* Schedules w.task to be polled again. Callable from any thread, any number
   * of times (wakes coalesce), never polls inline, cheap enough to be called
   * under a lock. */
  void (*wake)(sb_waker w);

  /* The three waits that make the difference between the models. Each
   * returns READY when the condition holds (for wait_fd: "retry the syscall";
   * it may be spurious), or PENDING when the task will be polled again: after
   * the condition or after any other wake of the task, so that a select over
   * a kernel wait and a channel works on every runtime. Calling again with
   * the same w while registered just refreshes the registration. */
  sb_poll (*wait_fd)(sb_cx *cx, sb_wait *w, int fd, uint32_t events);
  sb_poll (*sleep_until)(sb_cx *cx, sb_wait *w, int64_t deadline_ns);
  /* Forgets w if it is registered; afterwards it wakes nobody. */
  void (*cancel)(sb_runtime *rt, sb_wait *w);
  /* Called before close(fd): drops whatever the runtime keeps for fd. */
  void (*forget_fd)(sb_runtime *rt, int fd);
  /* Gives the processor away: PENDING after re-queueing the task behind the
   * others (executors), or READY after sched_yield (OS threads). */
  sb_poll (*yield)(sb_cx *cx);
};

/* Every runtime's state begins with this. */
struct sb_runtime {
  const sb_runtime_ops *ops;
};

/* Declares a runtime's one exported ops table, sb_runtime_<name>: its own
 * file says it once at the top (the table itself ends the file), and the
 * registry above the runtimes (harness/registry/registry.h) says it for
 * every runtime it names. */
#define SB_RUNTIME_DECLARE(name) extern const sb_runtime_ops sb_runtime_##name

/* ---- Conveniences over the ops table ---------------------------------- */

static inline void sb_wake(sb_waker w) {
  w.rt->ops->wake(w);
}

/* Cooperative budget: each task poll starts with SB_BUDGET units (OS-thread
 * runtimes with INT32_MAX). A leaf that could complete without waiting spends
 * one unit first; when the budget is gone it wakes its task and returns
 * PENDING, so one chatty task cannot starve the others, timers or I/O. */
#define SB_BUDGET 128

/* Returns 1 if the leaf may proceed, else 0 after waking the task. */
static inline int sb_coop_proceed(sb_cx *cx) {
  if (cx->budget > 0) {
    cx->budget--;
    return 1;
  }
  sb_wake(cx->waker);
  return 0;
}

/* CLOCK_MONOTONIC in nanoseconds: the clock of every deadline. */
static inline int64_t sb_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Drops a future that is not done, if it has anything to release. Done
 * is looked at first: a done future's drop word holds its output. */
static inline void sb_future_drop(sb_future *f, sb_runtime *rt) {
  if (!sb_future_is_done(f) && f->drop != NULL)
    f->drop(f, rt);
}

/* Polls f through its head, as runtimes and combinators do, and marks it
 * done when READY: a poll that returned READY without sb_future_ready (a
 * bare `f->out = x; return SB_READY;`) must not leave its output to be
 * read as a drop function later. */
static inline sb_poll sb_future_poll(sb_future *f, sb_cx *cx) {
  sb_poll r = f->poll(f, cx);
  if (r == SB_READY)
    f->line = SB_FUTURE_DONE;
  return r;
}

/* ---- State-machine macros --------------------------------------------- */
/* A poll function written as straight-line code, a Duff's device over
 * self->base.line (the struct must embed sb_future as `base`):
 *
 *   static sb_poll ping_poll(sb_future *f, sb_cx *cx) {
 *     ping *self = (ping *)f;
 *     SB_BEGIN(self);
 *     for (self->i = 0; self->i < self->n; self->i++) {
 *       sb_chan_send_init(&self->tx_op, self->tx, self->i);
 *       SB_AWAIT(self, sb_chan_send_poll(&self->tx_op, cx));
 *     }
 *     SB_END(self, self->sum);
 *   }
 *
 * Locals that live across an await must be fields of self. */
#define SB_BEGIN(self)                                                         \
  switch ((self)->base.line) {                                                 \
  case 0:

#define SB_AWAIT(self, poll_expr)                                              \
  do {                                                                         \
    (self)->base.line = __LINE__;                                              \
    /* fallthrough */                                                          \
  case __LINE__:                                                               \
    if ((poll_expr) == SB_PENDING)                                             \
      return SB_PENDING;                                                       \
  } while (0)

/* Ends the machine with an output; it is then done (drop is a no-op). */
#define SB_END(self, value)                                                    \
  default:                                                                     \
    break;                                                                     \
    }                                                                          \
    return sb_future_ready(&(self)->base, (uint64_t)(value))

/* Returns early from inside a machine with an output (e.g. an error). */
#define SB_RETURN(self, value)                                                 \
  return sb_future_ready(&(self)->base, (uint64_t)(value))

#endif /* SB_H */
