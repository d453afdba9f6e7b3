/* Time: sleep until a deadline, and a timeout around any future. */
#ifndef SB_SLEEP_H
#define SB_SLEEP_H

#include "runtimes/core/sb.h"

typedef struct sb_sleep {
  sb_future base;   /* READY with base.out = ns late past the deadline */
  int64_t deadline; /* absolute, CLOCK_MONOTONIC ns (sb_now_ns) */
  sb_wait wait;     /* private: the registration with the runtime */
} sb_sleep;
void sb_sleep_init(sb_sleep *s, int64_t deadline_ns);
void sb_sleep_for_init(sb_sleep *s, int64_t duration_ns);
sb_poll sb_sleep_poll(sb_sleep *s, sb_cx *cx);

/* Polls child until it is READY (timed_out = 0, base.out = child->out) or the
 * deadline passes (timed_out = 1; child dropped). */
typedef struct sb_timeout {
  sb_future base;   /* READY: out = child->out unless timed_out */
  sb_future *child; /* the caller's future */
  sb_sleep timer;   /* the deadline */
  int timed_out;    /* 1: the deadline passed first; child was dropped */
} sb_timeout;
void sb_timeout_init(sb_timeout *t, sb_future *child, int64_t deadline_ns);
sb_poll sb_timeout_poll(sb_timeout *t, sb_cx *cx);

/* Gives the processor away once: sb_yield_poll returns PENDING once on the
 * executors, READY at once after sched_yield on OS threads. */
typedef struct sb_yield {
  sb_future base; /* READY once the processor was given away */
  int yielded;    /* 1 after the runtime's yield was called */
} sb_yield;
void sb_yield_init(sb_yield *y);
sb_poll sb_yield_poll(sb_yield *y, sb_cx *cx);

#endif
