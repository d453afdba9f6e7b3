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

/* A task: this header, then (at TASK_HDR) the copy of its future. 24
 * bytes, three words: no pointer to the future (it is at TASK_HDR, or the
 * root's, which the runtime keeps), no list of live tasks (close visits the
 * slab's blocks instead), and the flags folded into the words that already
 * had to be there, so a waiting task pays for its links and nothing else.
 *
 * `word` holds what only the runtime thread reads or writes: the joiner's
 * address (tasks are 8-aligned, and user addresses leave the top byte
 * clear on x86-64 and AArch64 Linux, asserted on every store), three flags
 * in its low bits and the slab class in its top byte, as the Linux rbtree
 * keeps a node's colour in its parent pointer. `inbox` is the only word
 * other threads write: the tagged link of os/inbox.h, 0 off the inbox, else
 * the next task's link with bit 0 set, so the bit doubles as the old
 * `remote` flag. */
struct sb_task {
  sb_snode run;    /* run-queue link, while notified; the slab's
                      free-list link while the block is free */
  uintptr_t word;  /* joiner | class | flags (TW_*), runtime thread */
  sb__tlink inbox; /* on the inbox: next | ON, or 0 (other threads) */
};

typedef struct sb_task task;

#define TW_NOTIFIED ((uintptr_t)1) /* on the run queue */
#define TW_DONE ((uintptr_t)2) /* the future returned READY, or was dropped */
#define TW_RELEASED ((uintptr_t)4) /* joined to READY or detached */
#define TW_CLS_SHIFT 56
#define TW_PTR ((((uintptr_t)1 << TW_CLS_SHIFT) - 1) & ~(uintptr_t)7)

#define TASK_FREE 0xffu /* the class of a free block */
_Static_assert(SB_SLAB_CLASSES < TASK_FREE, "a class must fit in a byte");
_Static_assert(sizeof(uintptr_t) == 8, "the class sits in the top byte");

static inline int task_has(const struct sb_task *t, uintptr_t flag) {
  return (t->word & flag) != 0;
}
static inline void task_set(struct sb_task *t, uintptr_t flag, int on) {
  t->word = on ? t->word | flag : t->word & ~flag;
}
static inline struct sb_task *task_joiner(const struct sb_task *t) {
  return (struct sb_task *)(t->word & TW_PTR);
}
static inline void task_set_joiner(struct sb_task *t, struct sb_task *j) {
  SB_ASSERT(((uintptr_t)j & ~TW_PTR) == 0); /* aligned, top byte clear */
  t->word = (t->word & ~TW_PTR) | (uintptr_t)j;
}
static inline unsigned task_cls(const struct sb_task *t) {
  return (unsigned)(t->word >> TW_CLS_SHIFT);
}
/* A fresh word: class cls, no joiner, no flag. */
static inline void task_reset(struct sb_task *t, unsigned cls) {
  t->word = (uintptr_t)cls << TW_CLS_SHIFT;
}

/* Where the future starts: after the header, as aligned as a future's
 * copy needs (SB_FUTURE_ALIGN). */
#define TASK_HDR                                                               \
  ((sizeof(task) + SB_FUTURE_ALIGN - 1) & ~(size_t)(SB_FUTURE_ALIGN - 1))

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
  alignas(SB_CACHELINE) sb__tinbox inbox; /* tasks woken by other
                                              threads (task.inbox) */
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
