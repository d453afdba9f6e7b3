/* Bounded MPSC channel of uint64_t: a ring of `capacity` slots under one
 * lock, and two wait lists: the receiver's (at most one op: MPSC) and
 * the waiting senders', oldest first.
 * No allocation per message; the other side is woken only when it waits.
 * A send to a waiting receiver hands the message straight to its op, so the
 * woken receiver completes without taking the lock again (two lock
 * acquisitions per message in a ping-pong instead of three). */
#include <errno.h>
#include <string.h>

#include "chan.h"
#include "runtimes/os/biaslock.h"

/* Largest capacity accepted: keeps the allocation size far from overflow. */
#define CHAN_MAX_CAPACITY ((size_t)1 << 28)

struct sb_chan {
  sb_biaslock lock; /* protects every field below and the slots; biased to
                       the thread of a one-thread executor that opened it */
  size_t cap;       /* capacity (immutable after open) */
  size_t nslots;    /* cap + 1: room to return a handed message */
  size_t head;      /* slot index of the oldest queued message */
  size_t count;     /* messages queued, 0..cap (cap + 1 briefly) */
  int senders;      /* sender references not yet dropped */
  int rx_alive;     /* 1 until the receiver is dropped */
  sb_waitlist rx;   /* the receive op waiting for a message */
  sb_waitlist tx;   /* send ops waiting for a free slot */
  uint64_t slots[]; /* the ring, nslots entries */
};

int sb_chan_open(size_t capacity, int nsenders, sb_chan **out) {
  *out = NULL;
  if (capacity < 1 || capacity > CHAN_MAX_CAPACITY || nsenders < 1)
    return -EINVAL;
  size_t size = sizeof(sb_chan) + (capacity + 1) * sizeof(uint64_t);
  size = (size + SB_CACHELINE - 1) / SB_CACHELINE * SB_CACHELINE;
  /* Cache-line aligned so the lock and the indices share one line. */
  sb_chan *ch = aligned_alloc(SB_CACHELINE, size);
  if (ch == NULL)
    return -ENOMEM;
  memset(ch, 0, sizeof(*ch));
  sb_bias_init(&ch->lock);
  ch->cap = capacity;
  ch->nslots = capacity + 1;
  ch->senders = nsenders;
  ch->rx_alive = 1;
  sb_waitlist_init(&ch->rx);
  sb_waitlist_init(&ch->tx);
  *out = ch;
  return 0;
}

/* The wait lists are woken under ch->lock (sb_waitlist_*), so a waiter's
 * drop, which takes the lock, cannot free its task in between. */

/* ---- references ------------------------------------------------------- */

void sb_chan_sender_clone(sb_chan *ch) {
  sb_bias_lock(&ch->lock);
  SB_ASSERT(ch->senders > 0);
  ch->senders++;
  sb_bias_unlock(&ch->lock);
}

void sb_chan_sender_drop(sb_chan *ch) {
  sb_bias_lock(&ch->lock);
  SB_ASSERT(ch->senders > 0);
  ch->senders--;
  if (ch->senders == 0) /* a waiting receiver now sees "closed" once drained */
    sb_waitlist_wake_all(&ch->rx);
  int last = ch->senders == 0 && !ch->rx_alive;
  sb_bias_unlock(&ch->lock);
  /* Both counts reached zero under the lock: every other user has already
   * dropped its reference and left the lock, so nobody can reach ch. */
  if (last)
    free(ch);
}

void sb_chan_receiver_drop(sb_chan *ch) {
  sb_bias_lock(&ch->lock);
  SB_ASSERT(ch->rx_alive);
  /* A pending receive op must be dropped (or finished) before its channel. */
  SB_ASSERT(sb_waitlist_empty(&ch->rx));
  ch->rx_alive = 0;
  ch->count = 0;                 /* queued messages are discarded */
  sb_waitlist_wake_all(&ch->tx); /* each waiting sender now fails: -EPIPE */
  int last = ch->senders == 0;
  sb_bias_unlock(&ch->lock);
  /* Both counts reached zero under the lock: every other user has already
   * dropped its reference and left the lock, so nobody can reach ch. */
  if (last)
    free(ch);
}

/* ---- send ------------------------------------------------------------- */

static sb_poll send_poll(sb_future *f, sb_cx *cx) {
  return sb_chan_send_poll((sb_chan_send *)f, cx);
}

static void send_drop(sb_future *f, sb_runtime *rt) {
  sb_chan_send *op = (sb_chan_send *)f;
  sb_chan *ch = op->ch;
  (void)rt;
  if (!sb_future_is_waiting(&op->base)) /* never registered */
    return;
  sb_bias_lock(&ch->lock);
  if (sb_waiter_queued(&op->node))
    sb_waitlist_remove(&op->node);
  else if (ch->count < ch->cap)
    sb_waitlist_wake_one(&ch->tx); /* woken for a free slot: pass it on */
  sb_bias_unlock(&ch->lock);
  sb_future_done(&op->base);
}

void sb_chan_send_init(sb_chan_send *op, sb_chan *ch, uint64_t msg) {
  op->base = SB_FUTURE_INIT(send_poll, send_drop);
  op->ch = ch;
  op->msg = msg;
  op->node = (sb_waiter){0};
}

sb_poll sb_chan_send_poll(sb_chan_send *op, sb_cx *cx) {
  sb_chan *ch = op->ch;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  sb_bias_lock(&ch->lock);
  if (!ch->rx_alive) {
    op->base.out = (uint64_t)(int64_t)-EPIPE;
    goto done;
  }
  sb_waiter *n = sb_waitlist_first(&ch->rx);
  if (n != NULL) {
    /* The receiver waits, so the ring is empty: hand the message over. */
    SB_ASSERT(ch->count == 0);
    sb_chan_recv *rx = SB_CONTAINER_OF(n, sb_chan_recv, node);
    rx->msg = op->msg;
    /* Wake first, under the lock: once handed is 1 the receiver may
     * complete on its lock-free fast path and re-init or free its node (and
     * task), so n must not be touched after the store. */
    sb_waiter_wake(n);
    /* release: the receiver's acquire load of handed == 1 (outside the
     * lock) must also see msg written just above. */
    atomic_store_explicit(&rx->handed, 1, memory_order_release);
    op->base.out = 0;
    goto done;
  }
  if (ch->count >= ch->cap) {
    /* Full: (re)register; a spurious poll (say, from a select) refreshes
     * the waker. */
    sb_waitlist_add(&ch->tx, &op->node, cx->waker);
    sb_future_waiting(&op->base);
    sb_bias_unlock(&ch->lock);
    return SB_PENDING;
  }
  size_t tail = ch->head + ch->count;
  if (tail >= ch->nslots)
    tail -= ch->nslots;
  ch->slots[tail] = op->msg;
  ch->count++;
  op->base.out = 0;
done:
  sb_waitlist_remove(&op->node);
  sb_bias_unlock(&ch->lock);
  return sb_future_ready(&op->base, op->base.out);
}

/* ---- recv ------------------------------------------------------------- */

static sb_poll recv_poll(sb_future *f, sb_cx *cx) {
  return sb_chan_recv_poll((sb_chan_recv *)f, cx);
}

static void recv_drop(sb_future *f, sb_runtime *rt) {
  sb_chan_recv *op = (sb_chan_recv *)f;
  sb_chan *ch = op->ch;
  (void)rt;
  if (!sb_future_is_waiting(&op->base)) /* never registered */
    return;
  sb_bias_lock(&ch->lock);
  if (sb_waiter_queued(&op->node)) {
    sb_waitlist_remove(&op->node);
  } else if (atomic_load_explicit(&op->handed, memory_order_relaxed)) {
    /* relaxed: handed is written under this lock. A message was handed to
     * us but never taken (say, we lost a select): it is older than all
     * that is queued, so it goes back at the head. The spare slot makes
     * room even when senders filled the ring meanwhile. */
    SB_ASSERT(ch->count < ch->nslots);
    ch->head = ch->head == 0 ? ch->nslots - 1 : ch->head - 1;
    ch->slots[ch->head] = op->msg;
    ch->count++;
  }
  sb_bias_unlock(&ch->lock);
  sb_future_done(&op->base);
}

void sb_chan_recv_init(sb_chan_recv *op, sb_chan *ch) {
  op->base = SB_FUTURE_INIT(recv_poll, recv_drop);
  op->ch = ch;
  op->closed = 0;
  op->node = (sb_waiter){0};
  atomic_init(&op->handed, 0);
  op->msg = 0;
}

sb_poll sb_chan_recv_poll(sb_chan_recv *op, sb_cx *cx) {
  sb_chan *ch = op->ch;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  /* acquire: pairs with the sender's release store, so msg holds the
   * handed message. Only a registered op can have been handed one. */
  if (sb_future_is_waiting(&op->base) &&
      atomic_load_explicit(&op->handed, memory_order_acquire)) {
    op->closed = 0;
    return sb_future_ready(&op->base, op->msg);
  }
  sb_bias_lock(&ch->lock);
  if (atomic_load_explicit(&op->handed, memory_order_relaxed)) {
    /* relaxed: written under this lock. Handed between our check above and
     * taking the lock; msg holds it, and it is older than the ring. */
    op->base.out = op->msg;
    op->closed = 0;
  } else if (ch->count > 0) {
    op->base.out = ch->slots[ch->head];
    if (++ch->head == ch->nslots)
      ch->head = 0;
    ch->count--;
    op->closed = 0;
    if (ch->count < ch->cap) /* only if a sender waits for the slot */
      sb_waitlist_wake_one(&ch->tx);
  } else if (ch->senders == 0) {
    op->base.out = 0;
    op->closed = 1;
  } else {
    /* Empty: (re)register on the receiver's list (MPSC: one receiver, so
     * at most one receive op waits there). */
    SB_ASSERT(sb_waitlist_empty(&ch->rx) || sb_waiter_queued(&op->node));
    sb_waitlist_add(&ch->rx, &op->node, cx->waker);
    /* Senders can still be queued with the ring empty: a handed message
     * frees no slot, so its pop woke nobody. Wake one now, or it would wait
     * for a pop that never comes. */
    sb_waitlist_wake_one(&ch->tx);
    sb_future_waiting(&op->base);
    sb_bias_unlock(&ch->lock);
    return SB_PENDING;
  }
  sb_waitlist_remove(&op->node);
  sb_bias_unlock(&ch->lock);
  return sb_future_ready(&op->base, op->base.out);
}
