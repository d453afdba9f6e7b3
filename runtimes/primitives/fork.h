/* Fork-join in place (rayon's join for futures): sb_join2 polls one future
 * inline and offers the other, embedded in the caller's future, to the
 * runtime's other workers as a scoped fork (sb_fork in sb.h), taking it
 * back to poll inline when nobody took it. Built only on the contract. */
#ifndef SB_FORK_H
#define SB_FORK_H

#include "runtimes/core/sb.h"
#include "runtimes/primitives/spawn.h"

/* A join of two futures a and b that live in the caller's future (which no
 * longer moves once polled): itself a future, READY once both are, with
 * their outputs in a->out and b->out. On a runtime with a scoped fork
 * (ops->fork) nothing is allocated or copied; on one without, a and b are
 * copied into two heap tasks and joined (the spawn+join primitive). */
typedef struct sb_join2 {
  sb_future base; /* READY with a's output; b's is in b->out */
  sb_future *a;   /* polled inline by the caller's task */
  sb_future *b;   /* offered to other workers, or polled inline */
  int how;        /* SB__J2_*: how b runs */
  int a_done;     /* 1 once a returned READY */
  int b_done;     /* 1 once b is READY (inline, or joined) */
  size_t a_size;  /* bytes of a and b, for the fallback's copies */
  size_t b_size;
  union {
    sb_fork fork; /* b's scoped fork (in place) */
    struct {
      sb_join ja, jb; /* the heap tasks, when the runtime has no fork */
    } heap;
  } u;
} sb_join2;

/* Prepares j over a and b (both never polled; a_size and b_size bytes
 * each, as sb_spawn takes them). Never fails. */
void sb_join2_init(sb_join2 *j, sb_future *a, size_t a_size, sb_future *b,
                   size_t b_size);

/* Advances the join; READY once a and b both are. a and b may wait on
 * each other: an inline b is polled while a waits, an offered one is run
 * by a worker (this one, once the parent waits). A fallback spawn that
 * fails completes that half at once with out = (uint64_t)-errno. */
sb_poll sb_join2_poll(sb_join2 *j, sb_cx *cx);

/* Drops a join that is not done, with a and b (the join owns them from
 * init on, unless the fallback moved them into heap tasks); a forked b is
 * the runtime's until joined, so dropping j then is only legal while the
 * runtime closes (sb_runtime_ops.fork). */
void sb_join2_drop(sb_join2 *j, sb_runtime *rt);

#endif
