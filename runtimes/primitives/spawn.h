/* Spawn and join as futures: sb_spawn starts a child task; awaiting the
 * sb_join it returns yields the child's output. Built only on the contract. */
#ifndef SB_SPAWN_H
#define SB_SPAWN_H

#include "runtimes/core/sb.h"

/* A join handle, itself a future: READY with the child's output in base.out.
 * Dropping it before READY detaches the child (it runs on, as in tokio). */
typedef struct sb_join {
  sb_future base;
  sb_task *task; /* the join reference; NULL once consumed or detached */
} sb_join;

/* Copies size bytes of child into a new task on cx's runtime and fills *join.
 * Returns 0, or -errno with *join left inert: awaiting an inert handle is
 * READY at once with base.out = (uint64_t)-errno, and releasing it is a
 * no-op. A join handle is itself a future (usable in join_all/select);
 * its drop detaches the child. */
int sb_spawn(sb_cx *cx, const sb_future *child, size_t size, sb_join *join);

sb_poll sb_join_poll(sb_join *join, sb_cx *cx);
/* Detaches the child if the handle was not awaited to READY. */
void sb_join_release(sb_join *join, sb_runtime *rt);

#endif
