/* A one-shot broadcast event: many tasks wait, one set releases them all.
 * Built only on wakers; used by `million` to hold N tasks waiting at once. */
#ifndef SB_EVENT_H
#define SB_EVENT_H

#include "chan.h"
#include "runtimes/core/sb.h"
#include "runtimes/core/waitlist.h"

typedef struct sb_event sb_event;

int sb_event_open(sb_event **out);
void sb_event_free(sb_event *e); /* only when no task waits */
void sb_event_set(sb_event *e);  /* releases every waiter, now and later */

typedef struct sb_event_wait {
  sb_future base; /* READY once the event is set */
  sb_event *e;    /* the event */
  sb_waiter node; /* private: on the event's wait list */
} sb_event_wait;
void sb_event_wait_init(sb_event_wait *op, sb_event *e);
sb_poll sb_event_wait_poll(sb_event_wait *op, sb_cx *cx);

#endif
