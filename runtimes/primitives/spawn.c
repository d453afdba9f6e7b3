/* Spawn and join as futures over the ops table: sb_spawn hands a copy of a
 * future to the runtime, the sb_join handle awaits the child's output. */
#include "spawn.h"

static sb_poll join_poll(sb_future *f, sb_cx *cx) {
  return sb_join_poll((sb_join *)f, cx);
}

static void join_drop(sb_future *f, sb_runtime *rt) {
  sb_join_release((sb_join *)f, rt);
}

int sb_spawn(sb_cx *cx, const sb_future *child, size_t size, sb_join *join) {
  join->base = SB_FUTURE_INIT(join_poll, join_drop);
  join->task = NULL;
  int rc = cx->rt->ops->spawn(cx, child, size, &join->task);
  if (rc < 0) {
    /* Inert: no child. Awaiting it anyway is READY with the error. */
    join->task = NULL;
    (void)sb_future_ready(&join->base, (uint64_t)(int64_t)rc);
  }
  return rc;
}

sb_poll sb_join_poll(sb_join *join, sb_cx *cx) {
  if (join->task == NULL) /* inert (spawn failed) or already joined */
    return SB_READY;
  if (!sb_coop_proceed(cx)) /* a join of a finished child is a leaf too */
    return SB_PENDING;
  uint64_t out = 0;
  if (cx->rt->ops->join(cx, join->task, &out) == SB_PENDING)
    return SB_PENDING;
  join->task = NULL; /* the join reference is consumed */
  return sb_future_ready(&join->base, out);
}

void sb_join_release(sb_join *join, sb_runtime *rt) {
  if (join->task != NULL) {
    rt->ops->detach(rt, join->task);
    join->task = NULL;
  }
  sb_future_done(&join->base);
}
