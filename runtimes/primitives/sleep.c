/* Time over the ops table: sleep until a deadline (sleep_until), a timeout
 * around any future, and a one-shot yield. */
#include <sched.h>

#include "sleep.h"

/* ---- sleep ------------------------------------------------------------ */

static sb_poll sleep_poll(sb_future *f, sb_cx *cx) {
  return sb_sleep_poll((sb_sleep *)f, cx);
}

/* The sleep is waiting once its wait may be registered with the runtime. */
static void sleep_drop(sb_future *f, sb_runtime *rt) {
  sb_sleep *s = (sb_sleep *)f;
  if (sb_future_is_waiting(&s->base))
    rt->ops->cancel(rt, &s->wait);
  sb_future_done(&s->base);
}

void sb_sleep_init(sb_sleep *s, int64_t deadline_ns) {
  s->base = SB_FUTURE_INIT(sleep_poll, sleep_drop);
  s->deadline = deadline_ns;
  s->wait = (sb_wait){0};
}

void sb_sleep_for_init(sb_sleep *s, int64_t duration_ns) {
  sb_sleep_init(s, sb_now_ns() + duration_ns);
}

sb_poll sb_sleep_poll(sb_sleep *s, sb_cx *cx) {
  int64_t now = sb_now_ns();
  if (now < s->deadline) {
    sb_future_waiting(&s->base);
    if (cx->rt->ops->sleep_until(cx, &s->wait, s->deadline) == SB_PENDING)
      return SB_PENDING;
    now = sb_now_ns();
  } else if (sb_future_is_idle(&s->base) && !sb_coop_proceed(cx)) {
    return SB_PENDING; /* already due on the first poll: spend budget */
  }
  /* The deadline may have passed before the runtime's timer fired: make
   * sure no registration outlives the future. */
  if (sb_future_is_waiting(&s->base))
    cx->rt->ops->cancel(cx->rt, &s->wait);
  return sb_future_ready(&s->base,
                         (uint64_t)(now > s->deadline ? now - s->deadline : 0));
}

/* ---- timeout ---------------------------------------------------------- */

static sb_poll timeout_poll(sb_future *f, sb_cx *cx) {
  return sb_timeout_poll((sb_timeout *)f, cx);
}

static void timeout_drop(sb_future *f, sb_runtime *rt) {
  sb_timeout *t = (sb_timeout *)f;
  sb_future_drop(t->child, rt);
  sb_future_drop(&t->timer.base, rt);
  sb_future_done(&t->base);
}

void sb_timeout_init(sb_timeout *t, sb_future *child, int64_t deadline_ns) {
  t->base = SB_FUTURE_INIT(timeout_poll, timeout_drop);
  t->child = child;
  sb_sleep_init(&t->timer, deadline_ns);
  t->timed_out = 0;
}

sb_poll sb_timeout_poll(sb_timeout *t, sb_cx *cx) {
  if (sb_future_poll(t->child, cx) == SB_READY) {
    sb_future_drop(&t->timer.base, cx->rt);
    t->timed_out = 0;
    t->base.out = t->child->out;
  } else if (sb_future_poll(&t->timer.base, cx) == SB_READY) {
    sb_future_drop(t->child, cx->rt);
    t->timed_out = 1;
    t->base.out = 0;
  } else {
    return SB_PENDING;
  }
  return sb_future_ready(&t->base, t->base.out);
}

/* ---- yield ------------------------------------------------------------ */

static sb_poll yield_poll(sb_future *f, sb_cx *cx) {
  return sb_yield_poll((sb_yield *)f, cx);
}

void sb_yield_init(sb_yield *y) {
  y->base = SB_FUTURE_INIT(yield_poll, NULL);
  y->yielded = 0;
}

sb_poll sb_yield_poll(sb_yield *y, sb_cx *cx) {
  if (!y->yielded) {
    y->yielded = 1;
    if (cx->rt->ops->yield(cx) == SB_PENDING)
      return SB_PENDING;
  }
  return sb_future_ready(&y->base, 0);
}
