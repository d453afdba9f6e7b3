/* sb_join2 over the ops table: fork b, poll a inline, then take b back to
 * poll inline, or join it where a worker took it (fork.h). */
#include "fork.h"

enum {
  SB__J2_IDLE = 0, /* not polled yet */
  SB__J2_OFFERED,  /* b is offered by fork; not decided yet */
  SB__J2_INLINE,   /* b is polled inline by the caller's task */
  SB__J2_TASK,     /* a worker took b: join it */
  SB__J2_SPAWNED,  /* no fork on this runtime: a and b are heap tasks */
};

static sb_poll join2_poll(sb_future *f, sb_cx *cx) {
  return sb_join2_poll((sb_join2 *)f, cx);
}

static void join2_drop(sb_future *f, sb_runtime *rt) {
  sb_join2_drop((sb_join2 *)f, rt);
}

void sb_join2_init(sb_join2 *j, sb_future *a, size_t a_size, sb_future *b,
                   size_t b_size) {
  j->base = SB_FUTURE_INIT(join2_poll, join2_drop);
  j->a = a;
  j->b = b;
  j->how = SB__J2_IDLE;
  j->a_done = j->b_done = 0;
  j->a_size = a_size;
  j->b_size = b_size;
  j->u.fork.child = b; /* the heap handles are set by the fallback */
}

/* The fallback: both halves as heap tasks, joined in order. */
static sb_poll poll_spawned(sb_join2 *j, sb_cx *cx) {
  if (sb_join_poll(&j->u.heap.ja, cx) == SB_PENDING ||
      sb_join_poll(&j->u.heap.jb, cx) == SB_PENDING)
    return SB_PENDING;
  /* The halves ran as copies: mark the originals done with their outputs
   * (done, so nothing drops them; their drop word now holds the output). */
  (void)sb_future_ready(j->a, j->u.heap.ja.base.out);
  (void)sb_future_ready(j->b, j->u.heap.jb.base.out);
  return sb_future_ready(&j->base, j->a->out);
}

sb_poll sb_join2_poll(sb_join2 *j, sb_cx *cx) {
  const sb_runtime_ops *ops = cx->rt->ops;
  if (j->how == SB__J2_IDLE) {
    sb_future_waiting(&j->base); /* pending from now on: drop must look */
    if (ops->fork == NULL) {
      j->how = SB__J2_SPAWNED;
      /* A failed spawn leaves its handle inert, READY with -errno, and
       * its half not copied: still ours, so dropped here (its resources,
       * a channel end say, must not outlive the join). */
      if (sb_spawn(cx, j->a, j->a_size, &j->u.heap.ja) < 0)
        sb_future_drop(j->a, cx->rt);
      if (sb_spawn(cx, j->b, j->b_size, &j->u.heap.jb) < 0)
        sb_future_drop(j->b, cx->rt);
    } else {
      j->how = ops->fork(cx, &j->u.fork) ? SB__J2_OFFERED : SB__J2_INLINE;
    }
  }
  if (j->how == SB__J2_SPAWNED)
    return poll_spawned(j, cx);
  if (!j->a_done) {
    if (sb_future_poll(j->a, cx) == SB_READY)
      j->a_done = 1;
    else if (j->how != SB__J2_INLINE)
      return SB_PENDING; /* b is offered: a worker may run it meanwhile */
  }
  if (j->how == SB__J2_OFFERED)
    j->how = ops->unfork(cx, &j->u.fork) ? SB__J2_INLINE : SB__J2_TASK;
  if (j->how == SB__J2_INLINE) {
    /* Polled while a waits too, so that a join where a waits for b (and
     * nobody else could run b) still completes, as futures::join does. */
    if (!j->b_done && sb_future_poll(j->b, cx) == SB_READY)
      j->b_done = 1;
    if (!j->a_done || !j->b_done)
      return SB_PENDING;
  } else {
    uint64_t out = 0;
    /* A join of a finished child is a leaf: it spends budget. */
    if (!sb_coop_proceed(cx) ||
        ops->join(cx, (sb_task *)j->u.fork.task, &out) == SB_PENDING)
      return SB_PENDING;
    (void)sb_future_ready(j->b, out);
    j->b_done = 1;
  }
  return sb_future_ready(&j->base, j->a->out);
}

void sb_join2_drop(sb_join2 *j, sb_runtime *rt) {
  if (j->how == SB__J2_SPAWNED) {
    sb_join_release(&j->u.heap.ja, rt);
    sb_join_release(&j->u.heap.jb, rt);
  } else {
    /* Never polled (IDLE) or forked: a and b are the join's to drop. */
    if (!j->a_done)
      sb_future_drop(j->a, rt);
    /* b offered or taken: the runtime is closing (fork.h), so no worker
     * polls it any more; drop it in place, then give up the join. */
    if (!j->b_done)
      sb_future_drop(j->b, rt);
    if (j->how == SB__J2_OFFERED || j->how == SB__J2_TASK)
      rt->ops->detach(rt, (sb_task *)j->u.fork.task);
  }
  sb_future_done(&j->base);
}
