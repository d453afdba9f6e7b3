/* Runtime `single`: every task on the block_on thread, an intrusive FIFO run
 * queue, the epoll reactor, a timer heap, an eventfd and a lock-free inbox for
 * wakes from other threads; channels opened here are biased to the thread. */
#include <errno.h>
#include <string.h>

#include "runtimes/os/biaslock.h"
#include "single_internal.h"

/* Tasks polled from the run queue between two looks at the reactor, the
 * inbox and the timers, so that a flood of ready tasks cannot starve them
 * (tokio's event interval). */
#define TICK_POLLS 61

/* The runtime whose block_on runs on this thread, if any: a wake from this
 * thread may then use the run queue directly. */
static _Thread_local single *current;

static void local_schedule(single *rt, task *t) {
  if (task_has(t, TW_NOTIFIED))
    return; /* wakes coalesce */
  task_set(t, TW_NOTIFIED, 1);
  sb_queue_push(&rt->runq, &t->run);
}

static task *runq_pop(single *rt) {
  sb_snode *n = sb_queue_pop(&rt->runq);
  return n != NULL ? SB_CONTAINER_OF(n, task, run) : NULL;
}

static void remote_schedule(single *rt, task *t) {
  /* A task already on the inbox needs nothing more: its wakes coalesce.
   * The push is seq_cst: the Dekker half of the parking protocol with
   * `parked` below. */
  if (!sb__tinbox_push(&rt->inbox, &t->inbox))
    return;
  /* seq_cst load after the seq_cst push: the loop stores parked = 1 then
   * looks at the inbox, we push then look at parked, so one of us sees the
   * other. Only the waker that flips parked writes the eventfd, so a burst
   * of remote wakes costs one syscall. */
  if (atomic_load(&rt->parked) && atomic_exchange(&rt->parked, 0))
    sb__reactor_notify(rt->reactor);
}

void sb__single_wake(sb_waker w) {
  single *rt = (single *)w.rt;
  if (rt == current)
    local_schedule(rt, w.task);
  else
    remote_schedule(rt, w.task);
}

/* The future t polls: its copy at TASK_HDR, or block_on's root. */
static sb_future *task_fut(single *rt, task *t) {
  return t == &rt->root ? rt->root_fut : (sb_future *)((char *)t + TASK_HDR);
}

static void task_free(single *rt, task *t) {
  unsigned cls = task_cls(t);
  task_reset(t, TASK_FREE); /* for close's visit of every block */
  sb_slab_free(&rt->slab, t, cls);
}

/* The slab's constructor: a block is carved free. */
static void block_init(void *block, unsigned cls, void *arg) {
  (void)cls;
  (void)arg;
  task_reset(block, TASK_FREE);
  sb__tlink_init(&((task *)block)->inbox);
}

/* Frees t once nothing can reach it: done, its join reference given up, off
 * the run queue and off the inbox. */
static void task_maybe_free(single *rt, task *t) {
  if ((t->word & (TW_DONE | TW_RELEASED | TW_NOTIFIED)) !=
          (TW_DONE | TW_RELEASED) ||
      t == &rt->root || rt->closing)
    return;
  /* A remote waker's push happened before the task could finish (the
   * wait's lock orders them), so it is always seen here; the acquire in
   * sb__tlink_on also orders drain_inbox's last touch of t before the free. */
  if (sb__tlink_on(&t->inbox))
    return; /* drain_inbox frees it */
  task_free(rt, t);
}

static void task_complete(single *rt, task *t) {
  task_set(t, TW_DONE, 1);
  task *joiner = task_joiner(t);
  if (joiner != NULL) {
    local_schedule(rt, joiner);
    task_set_joiner(t, NULL);
  }
  task_maybe_free(rt, t);
}

static void drain_inbox(single *rt) {
  /* seq_cst: the loop's half of the parking protocol (remote_schedule);
   * one load, cheaper than the exchange when the inbox is empty. */
  if (sb__tinbox_empty(&rt->inbox))
    return;
  sb__tlink *n = sb__tinbox_take_all(&rt->inbox); /* in wake order */
  while (n != NULL) {
    task *t = SB_CONTAINER_OF(n, task, inbox);
    n = sb__tlink_next(n);
    sb__tlink_release(&t->inbox); /* the next wake may push it again */
    if (task_has(t, TW_DONE) || (t == &rt->root && !rt->root_active))
      task_maybe_free(rt, t);
    else
      local_schedule(rt, t);
  }
}

/* One look at the world outside the run queue: the reactor (blocking if the
 * run queue is empty, until the next timer), the inbox and the timers.
 * Returns 0 or the reactor's -errno. */
static int turn(single *rt) {
  int64_t timeout = 0;
  int idle = sb_queue_empty(&rt->runq);
  if (idle) {
    atomic_store(&rt->parked, 1); /* seq_cst: see remote_schedule */
    if (!sb__tinbox_empty(&rt->inbox)) {
      timeout = 0;
    } else if (rt->timers.len == 0) {
      timeout = -1;
    } else {
      timeout = sb__timer_heap_next(&rt->timers) - sb_now_ns();
      if (timeout < 0)
        timeout = 0;
    }
  }
  int n = sb__reactor_poll(rt->reactor, timeout);
  if (idle) /* relaxed: a waker that still flips it only costs a spurious
               eventfd write; the next park re-checks the inbox under seq_cst */
    atomic_store_explicit(&rt->parked, 0, memory_order_relaxed);
  drain_inbox(rt);
  sb__timer_heap_fire_expired(&rt->timers);
  return n < 0 ? n : 0;
}

static sb_poll poll_task(single *rt, task *t, sb_cx *cx) {
  task_set(t, TW_NOTIFIED, 0); /* a wake from now on queues it again */
  if (task_has(t, TW_DONE) || (t == &rt->root && !rt->root_active)) {
    task_maybe_free(rt, t); /* a stale wake after the end */
    return SB_PENDING;
  }
  cx->waker.task = t;
  cx->budget = SB_BUDGET;
  sb_future *f = task_fut(rt, t);
  if (sb_future_poll(f, cx) == SB_PENDING)
    return SB_PENDING;
  task_complete(rt, t);
  return SB_READY;
}

static int single_block_on(sb_runtime *base, sb_future *root) {
  single *rt = (single *)base;
  single *prev = current;
  sb_cx cx = {.rt = base, .waker = {.rt = base}, .worker = NULL};
  int err = 0;
  SB_ASSERT(prev != rt); /* block_on is not re-entrant on one runtime */
  current = rt;
  int prev_bias = sb_bias_thread_set(1); /* channels: os/biaslock.h */
  /* notified is left alone: the root may still sit on the run queue from
   * the last block_on, and must not be queued twice. */
  rt->root_fut = root;
  task_set(&rt->root, TW_DONE, 0);
  task_set_joiner(&rt->root, NULL);
  rt->root_active = 1;
  local_schedule(rt, &rt->root);
  while (!task_has(&rt->root, TW_DONE)) {
    task *t;
    for (int polls = 0; polls < TICK_POLLS && (t = runq_pop(rt)) != NULL;
         polls++)
      if (poll_task(rt, t, &cx) == SB_READY && t == &rt->root)
        goto out;
    if ((err = turn(rt)) < 0)
      goto out;
  }
out:
  rt->root_active = 0;
  sb_bias_thread_set(prev_bias);
  current = prev;
  return err;
}

static int single_spawn(sb_cx *cx, const sb_future *f, size_t size,
                        sb_task **out) {
  single *rt = (single *)cx->rt;
  int cls = size > SIZE_MAX - TASK_HDR ? -1 : sb_slab_class(TASK_HDR + size);
  if (cls < 0)
    return -ENOMEM;
  task *t = sb_slab_alloc(&rt->slab, (unsigned)cls);
  if (t == NULL)
    return -ENOMEM;
  memcpy((char *)t + TASK_HDR, f, size);
  task_reset(t, (unsigned)cls); /* inbox: 0 since it was carved or freed */
  local_schedule(rt, t);
  rt->spawned++;
  *out = t;
  return 0;
}

/* A scoped fork on one thread is never offered: nobody else could take
 * it, so the parent polls it inline (rayon's join with one worker pushes
 * it and pops it straight back; we skip the round trip). */
static int single_fork(sb_cx *cx, sb_fork *f) {
  (void)f;
  ((single *)cx->rt)->spawned += 2; /* both halves, as rayon counts join */
  return 0;
}

static sb_poll single_join(sb_cx *cx, sb_task *t, uint64_t *out) {
  if (!task_has(t, TW_DONE)) {
    task_set_joiner(t, cx->waker.task); /* of this runtime: cx is ours */
    return SB_PENDING;
  }
  *out = task_fut((single *)cx->rt, t)->out;
  task_set(t, TW_RELEASED, 1);
  task_maybe_free((single *)cx->rt, t);
  return SB_READY;
}

static void single_detach(sb_runtime *base, sb_task *t) {
  task_set(t, TW_RELEASED, 1);
  task_set_joiner(t, NULL);
  task_maybe_free((single *)base, t);
}

static sb_poll single_yield(sb_cx *cx) {
  sb__single_wake(cx->waker);
  return SB_PENDING;
}

static int single_open(const sb_config *cfg, sb_runtime **out) {
  (void)cfg; /* one thread, the caller's: no workers, pinning or stacks */
  single *rt = aligned_alloc(SB_CACHELINE, sizeof(single));
  if (rt == NULL)
    return -ENOMEM;
  memset(rt, 0, sizeof(*rt));
  int err = sb__reactor_open(0, &rt->reactor);
  if (err < 0) {
    free(rt);
    return err;
  }
  rt->base.ops = &sb_runtime_single;
  sb_queue_init(&rt->runq);
  sb__tlink_init(&rt->root.inbox);
  sb_slab_init(&rt->slab, offsetof(task, run), block_init, NULL);
  sb__timer_heap_init(&rt->timers);
  sb__tinbox_init(&rt->inbox);
  atomic_init(&rt->parked, 0);
  *out = &rt->base;
  return 0;
}

/* Drops block's future if it is a live task not done (close's visit). */
static void drop_live(void *block, unsigned cls, void *arg) {
  task *t = block;
  (void)cls;
  if (task_cls(t) == TASK_FREE || task_has(t, TW_DONE))
    return;
  task_set(t, TW_DONE, 1);
  sb_future_drop(task_fut(arg, t), arg);
}

static void single_close(sb_runtime *base) {
  single *rt = (single *)base;
  rt->closing = 1;
  /* First drop every unfinished future, while every task's memory is still
   * there: a drop may detach or cancel things held by other tasks. */
  sb_slab_foreach(&rt->slab, drop_live, rt);
  sb_slab_destroy(&rt->slab); /* every task's block at once */
  sb__timer_heap_destroy(&rt->timers);
  sb__reactor_close(rt->reactor);
  free(rt);
}

static void single_info(sb_runtime *base, sb_runtime_info *out) {
  out->workers = 1;
  out->stack_size = 0;
  out->pin = SB_PIN_NONE;
  out->spawned = ((single *)base)->spawned;
}

const sb_runtime_ops sb_runtime_single = {
    .name = "single",
    .summary = "one thread: run queue, epoll reactor, timer heap",
    .flags = 0,
    .open = single_open,
    .close = single_close,
    .info = single_info,
    .block_on = single_block_on,
    .spawn = single_spawn,
    .join = single_join,
    .detach = single_detach,
    .fork = single_fork, /* never offers: no unfork */
    .wake = sb__single_wake,
    .wait_fd = sb__single_wait_fd,
    .sleep_until = sb__single_sleep_until,
    .cancel = sb__single_cancel,
    .forget_fd = sb__single_forget_fd,
    .yield = single_yield,
};
