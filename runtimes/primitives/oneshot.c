/* Oneshot channel: one value handed from a sender that never waits to one
 * receive op, under a spinlock that also guards the receiver's wait list. */
#include <errno.h>

#include "oneshot.h"
#include "runtimes/core/spinlock.h"

struct sb_oneshot {
  sb_spinlock lock; /* protects every field below */
  uint64_t value;   /* the value, once sent */
  int sent;         /* 1 once the value is in */
  int tx_alive;     /* 1 until the sender sends or is dropped */
  int rx_alive;     /* 1 until the receiver is released */
  sb_waitlist rx;   /* the receive op waiting for the value (at most one) */
};

int sb_oneshot_open(sb_oneshot **out) {
  sb_oneshot *o = calloc(1, sizeof(*o));
  *out = NULL;
  if (o == NULL)
    return -ENOMEM;
  sb_spin_init(&o->lock);
  o->tx_alive = 1;
  o->rx_alive = 1;
  sb_waitlist_init(&o->rx);
  *out = o;
  return 0;
}

/* Ends the sender's side, with a value or without. The receiver is woken
 * under the lock, so its drop cannot free the task in between. */
static int sender_finish(sb_oneshot *o, int send, uint64_t v) {
  int rc = 0;
  sb_spin_lock(&o->lock);
  SB_ASSERT(o->tx_alive);
  o->tx_alive = 0;
  if (!o->rx_alive) {
    rc = send ? -EPIPE : 0;
  } else {
    if (send) {
      o->value = v;
      o->sent = 1;
    }
    sb_waitlist_wake_all(&o->rx);
  }
  int last = !o->rx_alive;
  sb_spin_unlock(&o->lock);
  /* Both ends are released: the receiver left the lock before we took it. */
  if (last)
    free(o);
  return rc;
}

int sb_oneshot_send(sb_oneshot *o, uint64_t v) {
  return sender_finish(o, 1, v);
}

void sb_oneshot_sender_drop(sb_oneshot *o) {
  (void)sender_finish(o, 0, 0);
}

/* The future's drop only removes the registration; the receiver reference
 * itself is released by sb_oneshot_receiver_drop. */
static void recv_drop(sb_future *f, sb_runtime *rt) {
  sb_oneshot_recv *op = (sb_oneshot_recv *)f;
  (void)rt;
  if (op->o == NULL)
    return;
  sb_spin_lock(&op->o->lock);
  sb_waitlist_remove(&op->node);
  sb_spin_unlock(&op->o->lock);
}

static sb_poll recv_poll(sb_future *f, sb_cx *cx) {
  return sb_oneshot_recv_poll((sb_oneshot_recv *)f, cx);
}

void sb_oneshot_recv_init(sb_oneshot_recv *op, sb_oneshot *o) {
  op->base = SB_FUTURE_INIT(recv_poll, recv_drop);
  op->o = o;
  op->closed = 0;
  op->node = (sb_waiter){0};
}

sb_poll sb_oneshot_recv_poll(sb_oneshot_recv *op, sb_cx *cx) {
  sb_oneshot *o = op->o;
  SB_ASSERT(o != NULL); /* polled after sb_oneshot_receiver_drop */
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  sb_spin_lock(&o->lock);
  if (o->sent) {
    op->base.out = o->value;
    op->closed = 0;
  } else if (!o->tx_alive) {
    op->base.out = 0;
    op->closed = 1;
  } else {
    sb_waitlist_add(&o->rx, &op->node, cx->waker);
    sb_spin_unlock(&o->lock);
    return SB_PENDING;
  }
  sb_waitlist_remove(&op->node);
  sb_spin_unlock(&o->lock);
  return sb_future_ready(&op->base, op->base.out);
}

void sb_oneshot_receiver_drop(sb_oneshot_recv *op, sb_runtime *rt) {
  sb_oneshot *o = op->o;
  (void)rt;
  if (o == NULL)
    return;
  op->o = NULL;
  sb_future_done(&op->base);
  sb_spin_lock(&o->lock);
  SB_ASSERT(o->rx_alive);
  o->rx_alive = 0;
  sb_waitlist_remove(&op->node);
  int last = !o->tx_alive;
  sb_spin_unlock(&o->lock);
  /* Both ends are released: the sender left the lock before we took it. */
  if (last)
    free(o);
}
