/* Spawn, join and detach in runtime `fiber`. A spawn takes a stack slot from
 * the carrier's pool, copies the future below the slot's header (or, when
 * it is bigger than an eighth of the stack, into malloc'd memory), lays out
 * a fresh context and queues the fiber. The join word (FJ_*) hands the
 * output to the joiner on any carrier; the slot goes back to a pool once
 * the fiber is off its stack and its join reference is given up. */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "fiber_internal.h"
#include "fiber_san.h"
#include "runtimes/core/spinlock.h"
#include "switch.h"

void sb__fiber_slot_free(fiber_rt *rt, fiber_carrier *c, fiber *f) {
  if (f->heap_fut)
    free(f->fut);
  f->heap_fut = 0;
  sb__fiber_stack_put(rt, c, f);
}

/* Gives up the join reference; frees the slot if the fiber has exited and
 * is not on its home's inbox. */
static void release(fiber_rt *rt, fiber_carrier *c, fiber *f) {
  /* acq_rel: release orders our reads of out before a free by the exiting
   * side; acquire, for when we free, orders its last touches before. */
  uint32_t j =
      atomic_fetch_or_explicit(&f->join, FJ_RELEASED, memory_order_acq_rel);
  if ((j & (FJ_EXITED | FJ_INBOX)) == FJ_EXITED)
    sb__fiber_slot_free(rt, c, f);
}

/* A completer that found WAITER is waking the joiner: wait until it is
 * done with it (a few instructions unless it was preempted). Returns the
 * join word once WAITER is clear. */
static uint32_t wait_waiter_clear(fiber *f, uint32_t j) {
  int spins = 0;
  while (j & FJ_WAITER) {
    if (++spins < SB_SPIN_LIMIT)
      sb_cpu_relax();
    else
      sched_yield();
    /* acquire: pairs with the completer's release that cleared WAITER. */
    j = atomic_load_explicit(&f->join, memory_order_acquire);
  }
  return j;
}

int sb__fiber_spawn(sb_cx *cx, const sb_future *fut, size_t size,
                    sb_task **out) {
  fiber_rt *rt = (fiber_rt *)cx->rt;
  fiber *parent = cx->worker;
  fiber_carrier *c = parent->home;
  int err = -ENOMEM;
  if (size < sizeof(sb_future))
    return -EINVAL;
  /* relaxed: a spawn racing with close would never be dropped; this
   * catches spawns from fibers still running then. */
  if (atomic_load_explicit(&rt->shutdown, memory_order_relaxed))
    return -ECANCELED;
  fiber *f = sb__fiber_stack_get(rt, c, &err);
  if (f == NULL)
    return err;
  fiber_san_slot_reuse(c, f);
  char *top = (char *)f; /* the stack grows down from below the header */
  if (size <= rt->stack_size / 8) {
    top -= (size + SB_CACHELINE - 1) & ~(size_t)(SB_CACHELINE - 1);
    f->fut = (sb_future *)top;
    f->heap_fut = 0;
  } else {
    f->fut = malloc(size);
    if (f->fut == NULL) {
      sb__fiber_stack_put(rt, c, f);
      return -ENOMEM;
    }
    f->heap_fut = 1;
  }
  memcpy(f->fut, fut, size);
  f->home = c;
  f->rt = rt;
  f->is_root = 0;
  f->woken = 0;
  f->live = 1;
  f->cx = (sb_cx){.rt = cx->rt,
                  .waker = {.rt = cx->rt, .task = f},
                  .budget = SB_BUDGET,
                  .worker = f};
  f->sp = sb__fiber_ctx_make(top, sb__fiber_entry, f);
  /* relaxed: the queue that publishes f (this carrier's fresh list, or
   * the release of its ring's tail when shed) orders these. */
  atomic_store_explicit(&f->join, 0, memory_order_relaxed);
  f->notified = 1; /* fresh: queued */
  f->running = 0;
  /* relaxed: written by this carrier's thread only (PROTOCOL.md, 4). */
  atomic_store_explicit(
      &c->spawned, atomic_load_explicit(&c->spawned, memory_order_relaxed) + 1,
      memory_order_relaxed);
  sb__fiber_spawned(c, f);
  *out = f;
  return 0;
}

sb_poll sb__fiber_join(sb_cx *cx, sb_task *t, uint64_t *out) {
  fiber *f = t;
  /* acquire: if DONE, out is visible. */
  uint32_t j = atomic_load_explicit(&f->join, memory_order_acquire);
  while (!(j & FJ_DONE)) {
    if (j & FJ_WAITER) {
      if (f->joiner.rt == cx->waker.rt && f->joiner.task == cx->waker.task)
        return SB_PENDING; /* registered already */
      /* Take the field back to rewrite it. acquire (both): on failure, out
       * if it completed meanwhile; success orders nothing more. */
      if (!atomic_compare_exchange_weak_explicit(&f->join, &j, j & ~FJ_WAITER,
                                                 memory_order_acquire,
                                                 memory_order_acquire))
        continue;
      j &= ~FJ_WAITER;
    }
    f->joiner = cx->waker;
    /* acq_rel: release publishes joiner to the completer (whose fetch_or
     * acquires); on failure, acquire makes out visible if DONE came. */
    if (atomic_compare_exchange_weak_explicit(&f->join, &j, j | FJ_WAITER,
                                              memory_order_acq_rel,
                                              memory_order_acquire))
      return SB_PENDING;
  }
  wait_waiter_clear(f, j);
  *out = f->out;
  release(f->rt, ((fiber *)cx->worker)->home, f);
  return SB_READY;
}

void sb__fiber_detach(sb_runtime *base, sb_task *t) {
  fiber_rt *rt = (fiber_rt *)base;
  fiber *f = t;
  /* acquire: pairs with the completer's release when it is done. */
  uint32_t j = atomic_load_explicit(&f->join, memory_order_acquire);
  while (!(j & FJ_DONE)) {
    /* Not done: drop the waker and the reference at once; the fiber frees
     * itself when it exits. acq_rel on success: release orders our last
     * touch of f before that free; acquire on failure: re-decide. */
    if (atomic_compare_exchange_weak_explicit(
            &f->join, &j, (j & ~FJ_WAITER) | FJ_RELEASED, memory_order_acq_rel,
            memory_order_acquire))
      return;
  }
  wait_waiter_clear(f, j);
  release(rt, fiber_local(rt), f);
}
