/* The waits of runtime `steal`: fd readiness through the shared reactor and
 * deadlines through one timer heap under a mutex. Tasks wait by registering
 * and returning PENDING; whichever worker holds the driver (an idle one
 * sleeping in the reactor, or a busy one every 61 ticks) fires them. */
#include <errno.h>

#include "steal_internal.h"

void sb__steal_io_poll(steal_rt *rt, int64_t timeout_ns, int max_events) {
  int rc = sb__reactor_poll_some(rt->reactor, timeout_ns, max_events);
  /* epoll_wait on our own epoll fd fails only on a broken invariant (EBADF,
   * EFAULT, EINVAL); EINTR is reported as 0 events. */
  SB_ASSERT(rc >= 0);
}

/* Wakes every expired timer. With arm, also publishes the earliest deadline
 * left as the one the caller will sleep until in the reactor (sleep_until
 * notifies the reactor when it registers an earlier one); without, records
 * that nobody sleeps there. Returns the earliest deadline left. */
int64_t sb__steal_fire_timers(steal_rt *rt, int arm) {
  pthread_mutex_lock(&rt->timer_lock);
  /* Woken under timer_lock, so that cancel (which takes it) can never race
   * a wake of a wait that is being dropped. */
  uint32_t fired = sb__timer_heap_fire_expired(&rt->timers);
  if (fired > 0)
    /* relaxed: a hint for maintenance; the heap itself is under the lock. */
    atomic_fetch_sub_explicit(&rt->ntimers, fired, memory_order_relaxed);
  int64_t next = sb__timer_heap_next(&rt->timers);
  rt->poll_deadline = arm ? next : INT64_MIN;
  pthread_mutex_unlock(&rt->timer_lock);
  return next;
}

sb_poll sb__steal_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events) {
  steal_rt *rt = (steal_rt *)cx->rt;
  /* relaxed: a sticky hint for maintenance; the worker sleeping in the
   * reactor (if any) sees the registration through epoll itself. */
  if (!atomic_load_explicit(&rt->io_used, memory_order_relaxed))
    atomic_store_explicit(&rt->io_used, 1, memory_order_relaxed);
  return sb__reactor_wait_fd(rt->reactor, w, cx->waker, fd, events);
}

sb_poll sb__steal_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline) {
  steal_rt *rt = (steal_rt *)cx->rt;
  SB_ASSERT(w->state == SB__WAIT_IDLE || w->state == SB__WAIT_TIMER);
  int notify = 0;
  sb_poll r = SB_PENDING;
  pthread_mutex_lock(&rt->timer_lock);
  int queued =
      w->state == SB__WAIT_TIMER && sb__timer_heap_contains(&rt->timers, w);
  if (w->state == SB__WAIT_TIMER && !queued) {
    w->state = SB__WAIT_IDLE; /* fired since the last call */
    r = SB_READY;
  } else if (deadline <= sb_now_ns()) {
    if (queued) {
      sb__timer_heap_remove(&rt->timers, w);
      /* relaxed: a hint, see sb__steal_fire_timers. */
      atomic_fetch_sub_explicit(&rt->ntimers, 1, memory_order_relaxed);
    }
    w->state = SB__WAIT_IDLE;
    r = SB_READY;
  } else if (queued) {
    w->waker = cx->waker;
    if (deadline != w->deadline)
      sb__timer_heap_update(&rt->timers, w, deadline);
    notify = deadline < rt->poll_deadline;
  } else {
    w->waker = cx->waker;
    w->deadline = deadline;
    if (sb__timer_heap_add(&rt->timers, w) < 0) {
      /* No memory for the heap: be polled again rather than hang. */
      sb_wake(cx->waker);
    } else {
      w->state = SB__WAIT_TIMER;
      /* relaxed: a hint, see sb__steal_fire_timers. */
      atomic_fetch_add_explicit(&rt->ntimers, 1, memory_order_relaxed);
      notify = deadline < rt->poll_deadline;
    }
  }
  pthread_mutex_unlock(&rt->timer_lock);
  if (notify)
    sb__reactor_notify(rt->reactor); /* it sleeps past our deadline */
  return r;
}

void sb__steal_cancel(sb_runtime *base, sb_wait *w) {
  steal_rt *rt = (steal_rt *)base;
  if (w->state == SB__WAIT_FD) {
    sb__reactor_cancel(rt->reactor, w);
  } else if (w->state == SB__WAIT_TIMER) {
    pthread_mutex_lock(&rt->timer_lock);
    if (sb__timer_heap_contains(&rt->timers, w)) {
      sb__timer_heap_remove(&rt->timers, w);
      /* relaxed: a hint, see sb__steal_fire_timers. */
      atomic_fetch_sub_explicit(&rt->ntimers, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&rt->timer_lock);
    w->state = SB__WAIT_IDLE;
  }
}

void sb__steal_forget_fd(sb_runtime *base, int fd) {
  sb__reactor_forget_fd(((steal_rt *)base)->reactor, fd);
}

/* Re-queues the task behind the others once the poll returns PENDING. On
 * its own worker the task just says so (the poller re-queues it in the same
 * RMW that ends the poll); anywhere else it is a self-wake. */
sb_poll sb__steal_yield(sb_cx *cx) {
  steal_worker *w = cx->worker;
  if (w != NULL && w->current == cx->waker.task)
    w->yielded = 1;
  else
    sb_wake(cx->waker);
  return SB_PENDING;
}
