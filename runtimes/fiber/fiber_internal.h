/* Private parts of runtime `fiber`: the fiber (a task on its own stack), the
 * carrier (an OS thread that runs fibers), the runtime state, and what the
 * files of runtimes/fiber/ share. Only they include it (and the fiber tests,
 * which probe the stack pool).
 *
 * Who touches what. A fiber's `join` word is atomic (joiners, and wakers
 * from other threads, on any thread). Everything else in a fiber belongs
 * to the carrier that runs it (its home), as in `single`: a wake from the
 * home carrier's thread is plain stores, a wake from anywhere else goes
 * through the home's inbox. A carrier's fields above `q` belong to its own
 * thread; `q` (fresh fibers) is shared with thieves; `inbox` and `parked`
 * are written by other threads.
 *
 * A fiber that has run stays on its carrier for good; only fresh fibers
 * (never run) are stolen. A C compiler may keep a thread-local address in a
 * register across a call (glibc declares __errno_location const: GCC 12 -O2
 * reads errno through the pointer it had before an opaque call), so a frame
 * that spans a switch must end on the thread it started on. */
#ifndef SB_FIBER_INTERNAL_H
#define SB_FIBER_INTERNAL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "runtimes/os/deque.h"
#include "runtimes/os/inbox.h"
#include "runtimes/os/reactor.h"
#include "runtimes/core/sb.h"
#include "runtimes/os/timer_heap.h"
#include "runtimes/os/topo.h"

/* ---- join, lifetime and the inbox (sb_task.join) ------------------------
 * The slot (stack and header) is freed by whoever makes RELEASED and
 * EXITED both set with INBOX clear. While WAITER is set and DONE is not,
 * the completer may read `joiner`; once DONE is set with WAITER, the
 * completer owns it until it clears WAITER (a joiner that sees DONE|WAITER
 * waits for that). INBOX is set by the remote waker that links the fiber on
 * its home's inbox, and cleared by the home once it took it off: a wake
 * from elsewhere can be pending while the fiber finishes (single's
 * `remote` flag). */
#define FJ_DONE 1u     /* the future returned READY; out is valid */
#define FJ_WAITER 2u   /* joiner holds a waker to wake at DONE */
#define FJ_RELEASED 4u /* the join reference is gone (joined or detached) */
#define FJ_EXITED 8u   /* the fiber is off its stack for good */
#define FJ_INBOX 16u   /* linked on its home's inbox */

/* What a carrier does with the fiber it just switched away from, once it
 * runs on another stack (Linux's finish_task_switch). */
enum { FIBER_ACT_NONE, FIBER_ACT_PARK, FIBER_ACT_YIELD, FIBER_ACT_EXIT };

typedef struct fiber_rt fiber_rt;
typedef struct fiber_carrier fiber_carrier;

/* A fiber. Its header lives at the top of its own stack slot, so a fresh
 * fiber costs no allocation and its header shares the stack's first page. */
struct sb_task {
  /* ---- the first cache line: what every switch touches ---- */
  void *sp;             /* saved stack pointer while switched out */
  fiber_carrier *home;  /* the carrier that runs it (fixed once it ran) */
  struct sb_task *next; /* run queue, fresh list (toward older), or free
                           list while pooled */
  uint8_t notified;     /* woken (or fresh) and not yet resumed; on the run
                           queue iff running is 0 */
  uint8_t running;      /* resumed and not yet parked (a yielding or exited
                           fiber keeps it: wakes just mark it) */
  uint8_t woken;        /* resumed at least once in the current poll */
  uint8_t is_root;      /* 1 for block_on's fiber */
  uint32_t live;        /* 1 from spawn until its slot is freed */
  sb_cx cx;             /* what its polls see: waker = this fiber (its
                           budget ends the line) */
  /* ---- the rest ---- */
  sb_future *fut;        /* the copy polled: inline below the header, or
                            malloc'd (heap_fut), or block_on's root */
  fiber_rt *rt;          /* the runtime */
  _Atomic uint32_t join; /* FJ_* */
  uint32_t heap_fut;     /* 1 when fut was malloc'd (too big to inline) */
  sb_waker joiner;       /* the joiner's waker, per FJ_WAITER */
  uint64_t out;          /* the output, valid once FJ_DONE */
  struct sb_task *prev;  /* fresh list: toward newer */
  sb_snode inbox;  /* inbox link while woken from another thread */
  char *lo;              /* lowest usable stack byte (the guard is below) */
  size_t size;           /* usable stack bytes from lo */
  void *asan_fake;       /* AddressSanitizer's fake stack while away */
  void *tsan;            /* ThreadSanitizer's fiber while it has run */
};

typedef struct sb_task fiber;

/* A mapping carved into stack slots: [guard page][stack] each. */
typedef struct fiber_chunk {
  char *base;      /* the mapping */
  uint32_t nslots; /* slots in it */
  uint32_t carved; /* slots handed out so far (the rest never touched) */
} fiber_chunk;

/* Every stack of a runtime: chunks and the shared free list. */
typedef struct fiber_pool {
  pthread_mutex_t lock; /* protects everything below */
  size_t stack_size;    /* usable bytes per stack (multiple of the page) */
  size_t page;          /* the page size: one guard page per slot */
  fiber_chunk *chunks;  /* every mapping, for close */
  size_t nchunks;       /* chunks in use */
  size_t cap;           /* chunks allocated */
  fiber *free;          /* stacks given back by carriers (LIFO) */
  size_t nfree;         /* stacks on free */
  int use_mprotect;     /* 1: guard pages by mprotect (2 mappings a
                           stack); 0: MADV_GUARD_INSTALL (Linux >= 6.13) */
} fiber_pool;

struct fiber_carrier {
  /* ---- owner-only ---- */
  alignas(SB_CACHELINE) fiber_rt *rt; /* the runtime */
  fiber *running;           /* the fiber on the CPU; NULL in the scheduler */
  fiber *prev;              /* the fiber just switched away from */
  int prev_action;          /* FIBER_ACT_* to do to prev */
  int index;                /* 0 (block_on's thread) .. ncarriers - 1 */
  int many;                 /* 1 when the runtime has other carriers */
  uint32_t tick;            /* switches, for the scheduler's turns */
  uint32_t rng;             /* xorshift state for picking steal victims */
  int root_exited;          /* carrier 0: block_on's fiber has finished */
  void *sched_sp;           /* the scheduler's stack pointer while away */
  fiber *head;              /* run queue (woken fibers): next to resume */
  fiber *tail;              /* run queue: last */
  fiber *fresh;             /* fresh fibers, newest first (run LIFO) */
  fiber *fresh_old;         /* the oldest fresh fiber (shed first) */
  size_t nfresh;            /* fibers on the fresh list */
  fiber *free;              /* this carrier's free stacks (LIFO) */
  size_t nfree;             /* stacks on free */
  sb__timer_heap timers;    /* sleep_until waits of its fibers */
  sb__reactor *reactor;     /* wait_fd of its fibers, and its wake-up */
  _Atomic uint64_t spawned; /* spawns made on it (written by its thread) */
  const void *sched_stack;  /* the scheduler's stack (AddressSanitizer) */
  size_t sched_stack_size;
  void *sched_fake; /* the scheduler's fake stack (AddressSanitizer) */
  void *sched_tsan; /* the scheduler's fiber (ThreadSanitizer) */
  /* ---- shared with thieves ---- */
  sb_deque q; /* the oldest fresh fibers, shed for idle carriers to steal
                 (several carriers; cache-line aligned) */
  /* ---- written by other threads ---- */
  alignas(SB_CACHELINE) sb__inbox inbox; /* fibers woken from elsewhere */
  _Atomic int parked; /* 1 while it is (about to be) blocked in its
                         reactor: whoever flips it to 0 notifies */
  pthread_t thread;   /* carriers 1..n-1: their thread */
};

struct fiber_rt {
  sb_runtime base;         /* ops; first, as every runtime's state */
  int ncarriers;           /* carriers, block_on's thread included */
  sb_pin pin;              /* the pinning policy in force */
  size_t stack_size;       /* usable bytes of a fiber's stack */
  sb_topo *topo;           /* for pinning; NULL when pin is NONE */
  fiber_carrier *carriers; /* ncarriers of them */
  fiber_pool pool;         /* the stacks */
  fiber *root;             /* block_on's fiber, on its own stack */
  size_t root_map;         /* bytes of the root's mapping */
  int broken;        /* -errno once a block_on failed (its root is left half-way
                        in its fiber): every later one fails so */
  _Atomic int nidle; /* carriers parked or about to be: a hint */
  _Atomic int shutdown;       /* 1: carriers 1..n-1 return */
  _Atomic int closing;        /* 1: carriers are gone, wakes are ignored */
  pthread_mutex_t start_lock; /* protects started and start_err */
  pthread_cond_t start_cond;  /* signalled as carriers start */
  int started;                /* carrier threads running */
  int start_err;              /* the first pinning error, or 0 */
};

/* The carrier running on this thread, of any fiber runtime, or NULL. */
extern _Thread_local fiber_carrier *sb__fiber_self;

static inline fiber_carrier *fiber_local(fiber_rt *rt) {
  fiber_carrier *c = sb__fiber_self;
  return c != NULL && c->rt == rt ? c : NULL;
}

/* ---- a carrier's queues (owner only) ----------------------------------- */

static inline void fiber_runq_push(fiber_carrier *c, fiber *f) {
  f->next = NULL;
  if (c->tail != NULL)
    c->tail->next = f;
  else
    c->head = f;
  c->tail = f;
}

static inline fiber *fiber_runq_pop(fiber_carrier *c) {
  fiber *f = c->head;
  if (f != NULL) {
    c->head = f->next;
    if (c->head == NULL)
      c->tail = NULL;
  }
  return f;
}

static inline void fiber_fresh_push(fiber_carrier *c, fiber *f) {
  f->prev = NULL;
  f->next = c->fresh;
  if (c->fresh != NULL)
    c->fresh->prev = f;
  else
    c->fresh_old = f;
  c->fresh = f;
  c->nfresh++;
}

/* Takes the newest fresh fiber (oldest: from the other end), or NULL. */
static inline fiber *fiber_fresh_take(fiber_carrier *c, int oldest) {
  fiber *f = oldest ? c->fresh_old : c->fresh;
  if (f == NULL)
    return NULL;
  if (f->prev != NULL)
    f->prev->next = f->next;
  else
    c->fresh = f->next;
  if (f->next != NULL)
    f->next->prev = f->prev;
  else
    c->fresh_old = f->prev;
  c->nfresh--;
  return f;
}

/* Takes back a fresh fiber c shed to its ring and nobody stole. */
static inline fiber *fiber_ring_pop(fiber_carrier *c) {
  fiber *f = sb_deque_pop(&c->q);
  if (f != NULL)
    f->home = c;
  return f;
}

/* fiber_sched.c: wakes, switches, the life of a fiber. */
void sb__fiber_wake(sb_waker w);
/* Moves every fiber woken from other threads to c's run queue (and frees
 * the slot of one that exited meanwhile). */
void sb__fiber_drain_inbox(fiber_carrier *c);
/* Makes carrier c come out of its reactor if it sleeps there; 1 if it did. */
int sb__fiber_unpark(fiber_carrier *c);
/* Queues a fresh fiber on c (LIFO) and, with several carriers, sheds the
 * oldest fresh ones to c's ring when some carrier is idle. */
void sb__fiber_spawned(fiber_carrier *c, fiber *f);
/* The next fiber c resumes: the oldest woken one first (a woken parent
 * finishes and frees its stack before new subtrees start), then the inbox,
 * then the newest fresh one (LIFO: a fork-join tree is walked depth first,
 * so only O(depth) fibers hold a stack at once), then what c shed to its
 * ring and nobody stole. NULL when there is none. fresh_first (the
 * scheduler's turn, every TICK_SWITCHES switches) takes a fresh one first,
 * so that fibers which keep yielding cannot starve the fresh ones. */
fiber *sb__fiber_pick(fiber_carrier *c, int fresh_first);
void sb__fiber_resume_mark(fiber_carrier *c, fiber *f);
void sb__fiber_finish_switch(fiber_carrier *c);
/* On f's stack: switch away and do act (FIBER_ACT_*) to f once off it.
 * Returns when f is resumed (never for EXIT); a YIELD with nobody else
 * ready returns at once. */
void sb__fiber_leave(fiber *f, int act);
/* On f's stack: sleep until woken, unless woken already in this poll. */
void sb__fiber_park(fiber *f);
void sb__fiber_entry(void *arg, void *data);
void sb__fiber_exited(fiber_carrier *c, fiber *f);

/* fiber_task.c: spawn, join, detach. */
int sb__fiber_spawn(sb_cx *cx, const sb_future *fut, size_t size,
                    sb_task **out);
sb_poll sb__fiber_join(sb_cx *cx, sb_task *t, uint64_t *out);
void sb__fiber_detach(sb_runtime *base, sb_task *t);
/* Frees f's slot (and a malloc'd future) into c's pool, or the shared one
 * when c is NULL. f must be off its stack and its reference given up. */
void sb__fiber_slot_free(fiber_rt *rt, fiber_carrier *c, fiber *f);

/* fiber_wait.c: the wait ops. */
sb_poll sb__fiber_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events);
sb_poll sb__fiber_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline);
void sb__fiber_cancel(sb_runtime *base, sb_wait *w);
void sb__fiber_forget_fd(sb_runtime *base, int fd);
sb_poll sb__fiber_yield(sb_cx *cx);

/* fiber_loop.c: a carrier's scheduler context. Runs until carrier 0's root
 * fiber exited, or (other carriers) shutdown. Returns 0 or the reactor's
 * -errno. */
int sb__fiber_carrier_loop(fiber_carrier *c);

/* fiber_stack.c: stacks, their pool and the overflow guard. */
int sb__fiber_pool_init(fiber_pool *p, size_t stack_size);
void sb__fiber_pool_destroy(fiber_pool *p);
fiber *sb__fiber_stack_get(fiber_rt *rt, fiber_carrier *c, int *err);
void sb__fiber_stack_put(fiber_rt *rt, fiber_carrier *c, fiber *f);
void sb__fiber_pool_each_live(fiber_pool *p, void (*fn)(fiber *, void *),
                              void *arg);
void sb__fiber_pool_force_mprotect(fiber_pool *p); /* tests: old kernels */
fiber *sb__fiber_slot_header(char *lo, size_t stack_size);
int sb__fiber_map_one(size_t stack_size, fiber **out, size_t *map_bytes);
void sb__fiber_unmap_one(fiber *f, size_t map_bytes);
int sb__fiber_guard_setup(void);

#endif /* SB_FIBER_INTERNAL_H */
