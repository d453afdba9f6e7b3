/* Runtime `pool`: N OS threads share one FIFO of jobs under a mutex and a
 * condition variable, after libuv's threadpool. A task is a job; waits block
 * the worker that runs it, so N blocked workers serve N waits at a time. */
#include <errno.h>
#include <string.h>

#include "pool_impl.h"

/* When every worker is blocked in wait_fd or sleep_until, queued jobs wait:
 * the pool never grows. If those waits can only end through a queued job
 * (a server whose accept loop is queued behind N blocked readers), the pool
 * stalls until a wait times out or the fd becomes ready for another reason.
 * That is the classic pool's failure mode, kept visible on purpose. */

/* The worker running on this thread, NULL elsewhere: a wake from the worker
 * that runs the task needs no unpark (it is not blocked). */
static _Thread_local pool_worker *current_worker;

/* Appends t to the FIFO and wakes one idle worker. Called with rt->lock. */
static void enqueue_locked(pool_runtime *rt, pool_task *t) {
  sb_queue_push(&rt->jobs, &t->link);
  if (rt->idle > 0)
    pthread_cond_signal(&rt->work);
}

static void enqueue(pool_runtime *rt, pool_task *t) {
  pthread_mutex_lock(&rt->lock);
  enqueue_locked(rt, t);
  pthread_mutex_unlock(&rt->lock);
}

static void pool_wake(sb_waker w) {
  pool_runtime *rt = (pool_runtime *)w.rt;
  pool_task *t = (pool_task *)w.task;
  /* Acquire: the worker pointer stored before RUNNING is visible. */
  uint32_t s = atomic_load_explicit(&t->state, memory_order_acquire);
  for (;;) {
    if (s == POOL_IDLE) {
      /* acq_rel: acquire pairs with the release CAS by which the last
       * poll moved RUNNING -> IDLE, so that poll's writes to the future
       * precede the next poll (the queue lock carries them to whichever
       * worker pops the job). */
      if (atomic_compare_exchange_weak_explicit(&t->state, &s, POOL_QUEUED,
                                                memory_order_acq_rel,
                                                memory_order_acquire)) {
        enqueue(rt, t);
        return;
      }
    } else if (s == POOL_RUNNING) {
      /* acq_rel: release publishes the waker's writes to the poll that
       * follows the re-queue; acquire makes t->worker visible. */
      if (atomic_compare_exchange_weak_explicit(&t->state, &s, POOL_NOTIFIED,
                                                memory_order_acq_rel,
                                                memory_order_acquire)) {
        /* Relaxed: ordered by the acquire above (stored before RUNNING). */
        pool_worker *wk =
            atomic_load_explicit(&t->worker, memory_order_relaxed);
        /* The worker may be blocked in a wait for this task: interrupt it.
         * If it moved on meanwhile, the stale token costs it one loop. */
        if (wk != current_worker)
          sb_unpark(&wk->parker);
        return;
      }
    } else {
      return; /* QUEUED, NOTIFIED, DONE: the task will see it, or is gone */
    }
  }
}

/* Polls one job on worker w and re-queues it if it was woken meanwhile. */
static void run(pool_worker *w, pool_task *t) {
  pool_runtime *rt = w->rt;
  /* Relaxed: published by the release store of RUNNING below. */
  atomic_store_explicit(&t->worker, w, memory_order_relaxed);
  /* Release: a waker that sees RUNNING also sees t->worker. */
  atomic_store_explicit(&t->state, POOL_RUNNING, memory_order_release);
  w->task = t;
  /* A worker is shared by every task: the executors' budget applies, so
   * one chatty task cannot hold it while the queue waits. */
  sb_cx cx = {.rt = &rt->base,
              .waker = {.rt = &rt->base, .task = (sb_task *)t},
              .budget = SB_BUDGET,
              .worker = w};
  sb_poll r = sb_future_poll(t->fut, &cx);
  w->task = NULL;
  if (r == SB_READY) {
    /* Relaxed: a waker that sees DONE does nothing, so there is nothing to
     * order (the join protocol orders the output; close reads the state
     * after pthread_join). */
    atomic_store_explicit(&t->state, POOL_DONE, memory_order_relaxed);
    if (t == rt->root) {
      /* Release: the root's output is visible to the caller seeing 1. */
      atomic_store_explicit(&rt->root_done, 1, memory_order_release);
      sb_unpark(&rt->caller);
    } else {
      sb__joinref_complete(&t->join, t->fut->out);
      sb__pool_task_release(rt, t);
    }
    return;
  }
  uint32_t s = POOL_RUNNING;
  /* acq_rel: release publishes this poll's writes to the waker that moves
   * IDLE -> QUEUED; acquire on failure pairs with the NOTIFIED waker. */
  if (atomic_compare_exchange_strong_explicit(
          &t->state, &s, POOL_IDLE, memory_order_acq_rel, memory_order_acquire))
    return;
  SB_ASSERT(s == POOL_NOTIFIED);
  /* Relaxed: the queue lock orders it before the next poll. */
  atomic_store_explicit(&t->state, POOL_QUEUED, memory_order_relaxed);
  enqueue(rt, t);
}

void *sb__pool_worker_main(void *arg) {
  pool_worker *w = arg;
  pool_runtime *rt = w->rt;
  current_worker = w;
  int rc = sb_topo_pin_worker(rt->topo, rt->pin, w->index, rt->n);
  pthread_mutex_lock(&rt->lock);
  if (rc != 0 && rt->pin_err == 0)
    rt->pin_err = rc;
  rt->started++;
  pthread_cond_signal(&rt->started_cv);
  for (;;) {
    while (sb_queue_empty(&rt->jobs) && !atomic_load(&rt->shutdown)) {
      rt->idle++;
      pthread_cond_wait(&rt->work, &rt->lock);
      rt->idle--;
    }
    /* With work pending at shutdown the worker stops anyway: close drops
     * the queued jobs. */
    if (atomic_load(&rt->shutdown))
      break;
    pool_task *t = SB_CONTAINER_OF(sb_queue_pop(&rt->jobs), pool_task, link);
    pthread_mutex_unlock(&rt->lock);
    run(w, t);
    pthread_mutex_lock(&rt->lock);
  }
  pthread_mutex_unlock(&rt->lock);
  return NULL;
}
/* Submits root itself (not a copy) as a job and sleeps until it is READY. */
static int pool_block_on(sb_runtime *base, sb_future *root) {
  pool_runtime *rt = (pool_runtime *)base;
  pool_task *t = rt->root;
  t->fut = root;
  atomic_store(&rt->root_done, 0);
  atomic_store(&t->state, POOL_IDLE);
  pool_wake((sb_waker){.rt = base, .task = (sb_task *)t});
  /* Acquire: pairs with the worker's release of root_done (root->out). */
  while (!atomic_load_explicit(&rt->root_done, memory_order_acquire))
    sb_park(&rt->caller);
  return 0;
}

static int pool_spawn(sb_cx *cx, const sb_future *f, size_t size,
                      sb_task **out) {
  pool_runtime *rt = (pool_runtime *)cx->rt;
  int rc = 0;
  pthread_mutex_lock(&rt->lock);
  pool_task *t = NULL;
  if (atomic_load(&rt->shutdown))
    rc = -ECANCELED;
  else if ((t = sb__pool_task_alloc(rt, size)) == NULL)
    rc = -ENOMEM;
  if (rc == 0) {
    memcpy(t->storage, f, size);
    t->fut = (sb_future *)t->storage;
    sb__joinref_init(&t->join);
    /* Relaxed: the queue lock orders it before the first poll. */
    atomic_store_explicit(&t->state, POOL_QUEUED, memory_order_relaxed);
    enqueue_locked(rt, t);
    /* Under the queue lock spawn holds anyway: no atomic on the hot path. */
    rt->spawned++;
    *out = (sb_task *)t;
  }
  pthread_mutex_unlock(&rt->lock);
  return rc;
}

static sb_poll pool_join(sb_cx *cx, sb_task *task, uint64_t *out) {
  pool_task *t = (pool_task *)task;
  if (!sb__joinref_poll(&t->join, cx->waker, out))
    return SB_PENDING;
  sb__pool_task_release((pool_runtime *)cx->rt, t);
  return SB_READY;
}

static void pool_detach(sb_runtime *rt, sb_task *task) {
  sb__pool_task_release((pool_runtime *)rt, (pool_task *)task);
}

/* Blocks the worker in poll(2) (fd >= 0) or on its futex until the fd is
 * ready, the deadline passes, the task is woken, or the pool shuts down. */
static sb_poll block_worker(sb_cx *cx, int fd, uint32_t events,
                            int64_t deadline_ns) {
  pool_runtime *rt = (pool_runtime *)cx->rt;
  pool_worker *w = cx->worker;
  pool_task *t = w->task;
  for (;;) {
    /* Acquire: the waker's writes before NOTIFIED precede the re-poll. */
    if (atomic_load(&rt->shutdown) ||
        atomic_load_explicit(&t->state, memory_order_acquire) == POOL_NOTIFIED)
      return SB_PENDING;
    int r = sb_park_wait(&w->parker, fd, events, deadline_ns);
    if (r != SB_PARK_UNPARKED)
      return SB_READY; /* ready, timed out, or poll failed (retry reports) */
    /* A token: this task's wake, a stale one for an earlier task, or
     * shutdown. Consume it and look again. */
    sb_park_take(&w->parker);
  }
}

static sb_poll pool_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events) {
  (void)w; /* nothing to register: the worker itself waits */
  return block_worker(cx, fd, events, -1);
}

static sb_poll pool_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline_ns) {
  (void)w;
  if (sb_now_ns() >= deadline_ns)
    return SB_READY;
  return block_worker(cx, -1, 0, deadline_ns);
}

static void pool_cancel(sb_runtime *rt, sb_wait *w) {
  (void)rt; /* waits register nothing on this runtime */
  (void)w;
}

static void pool_forget_fd(sb_runtime *rt, int fd) {
  (void)rt; /* no per-fd state: poll(2) is stateless */
  (void)fd;
}

/* Re-queues the task behind the others: NOTIFIED makes run() queue it again
 * when this poll returns PENDING. */
static sb_poll pool_yield(sb_cx *cx) {
  pool_worker *w = cx->worker;
  uint32_t s = POOL_RUNNING;
  /* Relaxed: only this worker polls the task; the re-queue goes through
   * run()'s acq_rel CAS and the queue lock. */
  atomic_compare_exchange_strong_explicit(&w->task->state, &s, POOL_NOTIFIED,
                                          memory_order_relaxed,
                                          memory_order_relaxed);
  return SB_PENDING;
}

const sb_runtime_ops sb_runtime_pool = {
    .name = "pool",
    .summary = "N threads share one FIFO job queue; waits block the worker",
    .flags = SB_RT_BLOCKING_WAITS,
    .open = sb__pool_open,
    .close = sb__pool_close,
    .info = sb__pool_info,
    .block_on = pool_block_on,
    .spawn = pool_spawn,
    .join = pool_join,
    .detach = pool_detach,
    .wake = pool_wake,
    .wait_fd = pool_wait_fd,
    .sleep_until = pool_sleep_until,
    .cancel = pool_cancel,
    .forget_fd = pool_forget_fd,
    .yield = pool_yield,
};
