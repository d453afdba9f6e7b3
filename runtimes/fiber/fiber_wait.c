/* The waits of runtime `fiber`: a wait registers with the fiber's carrier
 * (its reactor or its timer heap), switches away in user space, and returns
 * READY once the condition fired, as `threads` does with the kernel. Woken
 * by something else (a select over a wait and a channel), it returns
 * PENDING with the registration kept, as the executors do; the fiber's top
 * loop then polls again. Only the fiber's own carrier touches its waits. */
#include "fiber_internal.h"

static fiber *self_of(sb_cx *cx) {
  fiber *f = cx->worker;
  SB_ASSERT(f != NULL && f->cx.waker.task == cx->waker.task);
  return f;
}

static void cancel_timer(fiber_carrier *c, sb_wait *w) {
  sb__timer_heap_remove(&c->timers, w);
  w->state = SB__WAIT_IDLE;
}

/* The timer half of sleep_until, with the executors' semantics: READY when
 * the deadline passed (or the timer fired since the last call), else
 * PENDING with w registered (or its deadline moved). */
static sb_poll timer_wait(fiber_carrier *c, sb_wait *w, sb_waker waker,
                          int64_t deadline) {
  if (w->state == SB__WAIT_FD)
    sb__reactor_cancel(c->reactor, w);
  int queued =
      w->state == SB__WAIT_TIMER && sb__timer_heap_contains(&c->timers, w);
  if (w->state == SB__WAIT_TIMER && !queued)
    w->state = SB__WAIT_IDLE; /* fired: check the (maybe new) deadline */
  if (deadline <= sb_now_ns()) {
    if (queued)
      cancel_timer(c, w);
    return SB_READY;
  }
  w->waker = waker;
  if (queued) {
    if (w->deadline != deadline)
      sb__timer_heap_update(&c->timers, w, deadline);
    return SB_PENDING;
  }
  w->deadline = deadline;
  if (sb__timer_heap_add(&c->timers, w) < 0) {
    sb_wake(waker); /* no memory for the heap: retry soon */
    return SB_PENDING;
  }
  w->state = SB__WAIT_TIMER;
  return SB_PENDING;
}

sb_poll sb__fiber_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events) {
  fiber *f = self_of(cx);
  fiber_carrier *c = f->home;
  if (w->state == SB__WAIT_TIMER)
    cancel_timer(c, w);
  if (sb__reactor_wait_fd(c->reactor, w, cx->waker, fd, events) == SB_READY)
    return SB_READY;
  sb__fiber_park(f);
  /* READY if the edge came; else the registration is only refreshed. */
  return sb__reactor_wait_fd(f->home->reactor, w, cx->waker, fd, events);
}

sb_poll sb__fiber_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline) {
  fiber *f = self_of(cx);
  if (timer_wait(f->home, w, cx->waker, deadline) == SB_READY)
    return SB_READY;
  sb__fiber_park(f);
  return timer_wait(f->home, w, cx->waker, deadline);
}

void sb__fiber_cancel(sb_runtime *base, sb_wait *w) {
  (void)base;
  if (w->state == SB__WAIT_IDLE)
    return;
  /* The wait's fiber registered it with its own carrier. */
  fiber_carrier *c = ((fiber *)w->waker.task)->home;
  if (w->state == SB__WAIT_TIMER)
    cancel_timer(c, w);
  else
    sb__reactor_cancel(c->reactor, w);
}

void sb__fiber_forget_fd(sb_runtime *base, int fd) {
  fiber_rt *rt = (fiber_rt *)base;
  /* Fibers on several carriers may have registered fd (each carrier's
   * epoll holds it once); with several carriers the reactors are shared,
   * so this may run on any thread. */
  for (int i = 0; i < rt->ncarriers; i++)
    sb__reactor_forget_fd(rt->carriers[i].reactor, fd);
}

sb_poll sb__fiber_yield(sb_cx *cx) {
  sb__fiber_leave(self_of(cx), FIBER_ACT_YIELD);
  return SB_READY;
}
