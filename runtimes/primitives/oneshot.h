/* Oneshot channel: one value, sent once without waiting, awaited once. If the
 * sender is released without sending, the receiver yields "closed". */
#ifndef SB_ONESHOT_H
#define SB_ONESHOT_H

#include "runtimes/core/sb.h"
#include "runtimes/core/waitlist.h"

typedef struct sb_oneshot sb_oneshot;

/* Creates a oneshot with one sender and one receiver reference. Returns 0
 * or -ENOMEM. Freed when both ends are released. */
int sb_oneshot_open(sb_oneshot **out);
/* Sends v and releases the sender. Returns 0, or -EPIPE if the receiver is
 * gone (the value is discarded). */
int sb_oneshot_send(sb_oneshot *o, uint64_t v);
/* Releases the sender without sending: the receiver yields closed. */
void sb_oneshot_sender_drop(sb_oneshot *o);

typedef struct sb_oneshot_recv {
  sb_future base; /* READY: base.out = value, or closed = 1 */
  sb_oneshot *o;  /* the oneshot; NULL once the receiver is released */
  int closed;     /* 1: the sender was dropped without sending */
  sb_waiter node; /* private: on the oneshot's wait list while waiting */
} sb_oneshot_recv;
void sb_oneshot_recv_init(sb_oneshot_recv *op, sb_oneshot *o);
sb_poll sb_oneshot_recv_poll(sb_oneshot_recv *op, sb_cx *cx);
/* Releases the receiver (after READY, or to give up waiting). */
void sb_oneshot_receiver_drop(sb_oneshot_recv *op, sb_runtime *rt);

#endif
