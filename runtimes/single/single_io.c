/* Runtime `single`'s waits: the timer heap for sleep_until and the epoll
 * reactor for wait_fd, both driven by the loop in single.c. */
#include "single_internal.h"

static void cancel_timer(single *rt, sb_wait *w) {
  sb__timer_heap_remove(&rt->timers, w);
  w->state = SB__WAIT_IDLE;
}

sb_poll sb__single_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events) {
  single *rt = (single *)cx->rt;
  if (w->state == SB__WAIT_TIMER)
    cancel_timer(rt, w);
  return sb__reactor_wait_fd(rt->reactor, w, cx->waker, fd, events);
}

sb_poll sb__single_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline) {
  single *rt = (single *)cx->rt;
  if (w->state == SB__WAIT_TIMER) {
    if (sb__timer_heap_contains(&rt->timers, w)) {
      w->waker = cx->waker;
      if (w->deadline != deadline)
        sb__timer_heap_update(&rt->timers, w, deadline);
      return SB_PENDING;
    }
    w->state = SB__WAIT_IDLE; /* fired: check the (maybe new) deadline */
  } else if (w->state == SB__WAIT_FD) {
    sb__reactor_cancel(rt->reactor, w);
  }
  if (deadline <= sb_now_ns())
    return SB_READY;
  w->deadline = deadline;
  w->waker = cx->waker;
  if (sb__timer_heap_add(&rt->timers, w) < 0) {
    sb__single_wake(cx->waker); /* no memory for the heap: retry soon */
    return SB_PENDING;
  }
  w->state = SB__WAIT_TIMER;
  return SB_PENDING;
}

void sb__single_cancel(sb_runtime *base, sb_wait *w) {
  single *rt = (single *)base;
  if (w->state == SB__WAIT_TIMER)
    cancel_timer(rt, w);
  else
    sb__reactor_cancel(rt->reactor, w);
}

void sb__single_forget_fd(sb_runtime *base, int fd) {
  sb__reactor_forget_fd(((single *)base)->reactor, fd);
}
