/* Bounded MPSC channel of uint64_t messages, built only on wakers. The
 * channel closes when its last sender is dropped: recv then drains what is
 * queued and yields "closed". Dropping the receiver makes sends fail. */
#ifndef SB_CHAN_H
#define SB_CHAN_H

#include "runtimes/core/sb.h"
#include "runtimes/core/waitlist.h"

typedef struct sb_chan sb_chan;

/* Creates a channel holding up to capacity (>= 1) messages, with nsenders
 * (>= 1) sender references and one receiver. Returns 0 or -EINVAL/-ENOMEM. */
int sb_chan_open(size_t capacity, int nsenders, sb_chan **out);
void sb_chan_sender_clone(sb_chan *ch);
/* Drops one sender reference; the last one closes the channel. */
void sb_chan_sender_drop(sb_chan *ch);
/* Drops the receiver. Memory is freed when the receiver and all senders are
 * dropped. */
void sb_chan_receiver_drop(sb_chan *ch);

/* Send: READY with out = 0 once queued, or out = (uint64_t)-EPIPE if the
 * receiver is gone. Waits while the channel is full. */
typedef struct sb_chan_send {
  sb_future base; /* READY: out = 0 or (uint64_t)-EPIPE */
  sb_chan *ch;    /* the channel (a sender reference the caller holds) */
  uint64_t msg;   /* the message to send */
  sb_waiter node; /* private: on the senders' wait list while full */
} sb_chan_send;
void sb_chan_send_init(sb_chan_send *op, sb_chan *ch, uint64_t msg);
sb_poll sb_chan_send_poll(sb_chan_send *op, sb_cx *cx);

/* Recv: READY with the message in base.out and closed = 0, or closed = 1
 * once every sender is gone and the queue is drained. One receiver: at most
 * one receive op may be pending at a time. A pending op that is dropped
 * (say, it lost a select) after a message was handed to it puts the message
 * back at the head of the queue, so nothing is lost or reordered. */
typedef struct sb_chan_recv {
  sb_future base;    /* READY: out = the message (when closed == 0) */
  sb_chan *ch;       /* the channel (the receiver the caller holds) */
  int closed;        /* 1: every sender is gone and the queue drained */
  atomic_int handed; /* private: 1 once a sender put a message straight into
                        msg while this op waited (no second lock) */
  uint64_t msg;      /* private: the handed message (not base.out, which
                        shares its word with drop until the op is done) */
  sb_waiter node;    /* private: on the receiver's wait list while empty */
} sb_chan_recv;
void sb_chan_recv_init(sb_chan_recv *op, sb_chan *ch);
sb_poll sb_chan_recv_poll(sb_chan_recv *op, sb_cx *cx);

#endif
