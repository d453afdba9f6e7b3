/* Private parts of runtime `single`: the task, the runtime state, and the
 * functions its two files share (single.c schedules, single_io.c waits). */
#ifndef SB_SINGLE_INTERNAL_H
#define SB_SINGLE_INTERNAL_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtimes/core/sb.h"
#include "runtimes/os/inbox.h"
#include "runtimes/os/reactor.h"
#include "runtimes/os/slab.h"
#include "runtimes/os/timer_heap.h"

SB_RUNTIME_DECLARE(single);

/* A task: this header, then (at TASK_HDR) the copy of its future. 32
 * bytes: no pointer to the future (it is at TASK_HDR, or the root's, which
 * the runtime keeps) and no list of live tasks (close visits the slab's
 * blocks instead), so the header costs a waiting task no more than its
 * links and flags. */
struct sb_task {
  sb_snode run;           /* run-queue link, while notified; the slab's
                             free-list link while the block is free */
  struct sb_task *joiner; /* the task of this runtime awaiting the
                             output, or NULL */
  sb_snode inbox;         /* inbox link, while remote is 1 */
  atomic_uint remote;     /* 1 while on the inbox: set by the waking
                             thread, cleared by the runtime thread */
  uint8_t cls;            /* the slab class of its block; TASK_FREE while
                             the block is free */
  uint8_t notified;       /* on the run queue (runtime thread only) */
  uint8_t done;           /* the future returned READY, or was dropped */
  uint8_t released;       /* joined to READY or detached */
};

typedef struct sb_task task;

#define TASK_FREE UINT8_MAX
_Static_assert(SB_SLAB_CLASSES < TASK_FREE, "a class must fit in task.cls");

/* Where the future starts: after the header, aligned as malloc would. */
#define TASK_ALIGN _Alignof(max_align_t)
#define TASK_HDR ((sizeof(task) + TASK_ALIGN - 1) & ~(size_t)(TASK_ALIGN - 1))

typedef struct single {
  sb_runtime base;       /* ops table, first */
  sb_queue runq;         /* the tasks to poll, oldest first (task.run) */
  int closing;           /* 1 in close: tasks are freed there, not
                            as they finish */
  int root_active;       /* 1 while block_on runs the root */
  uint64_t spawned;      /* successful spawns since open: written by the
                            runtime thread, read by info on that thread */
  task root;             /* the task-like wrapper of block_on's root */
  sb_future *root_fut;   /* the root future of the current block_on */
  sb_slab slab;          /* task memory by size class */
  sb__timer_heap timers; /* sleep_until waits */
  sb__reactor *reactor;  /* fd waits and the notify eventfd */
  /* Written by other threads: kept off the runtime thread's lines. */
  alignas(SB_CACHELINE) sb__inbox inbox; /* tasks woken from other threads */
  atomic_int parked; /* 1 while the loop is (about to be) blocked
                        in the reactor: a remote wake must notify */
} single;

/* single.c */
void sb__single_wake(sb_waker w);

/* single_io.c: timers and fd waits. */
sb_poll sb__single_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events);
sb_poll sb__single_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline);
void sb__single_cancel(sb_runtime *base, sb_wait *w);
void sb__single_forget_fd(sb_runtime *base, int fd);

#endif /* SB_SINGLE_INTERNAL_H */
