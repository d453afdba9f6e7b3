/* Task memory of runtime `steal`: a slab per worker (runtimes/os/slab.h),
 * so that spawn on a worker takes no lock and calls no malloc on the hot
 * path, and one depot per runtime that the caches share, in the manner of
 * tcmalloc's transfer cache. A block freed on a worker goes on that worker's
 * own free list, whichever cache carved it; a list longer than DEPOT_CAP
 * gives its newest DEPOT_BATCH blocks to the depot under one lock, and a
 * cache whose list runs dry takes a batch back, so memory freed by one
 * worker serves the next spawn on any other. (Each block returning to the
 * cache that carved it, as it did before, held every block of a run twice
 * over once the next run spawned from the other worker: `million` on steal
 * measured 387 B per waiting task, twice single's.) A block freed on a
 * thread that is not a worker is pushed lock-free on the depot's loose
 * inbox. Chunks live until close, which visits every block to drop the
 * futures of tasks still alive. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steal_internal.h"

/* Blocks moved to or from the depot at once: one lock per 64 spawns or
 * frees at worst. A cache keeps at most two batches' worth per class. */
#define DEPOT_BATCH 64u
#define DEPOT_CAP (2u * DEPOT_BATCH)

static sb_task *task_of(sb_snode *n) {
  return SB_CONTAINER_OF(n, sb_task, link);
}

/* The slab's constructor: a block is free (state 0) and knows its class
 * for good. */
static void block_init(void *block, unsigned cls, void *arg) {
  sb_task *t = block;
  (void)arg;
  atomic_init(&t->state, 0);
  t->cls = cls;
}

void sb__steal_depot_init(steal_rt *rt) {
  sb_spin_init(&rt->depot_lock);
  for (int i = 0; i < SB_SLAB_CLASSES; i++) {
    rt->depot[i] = NULL;
    sb__inbox_init(&rt->loose[i]);
  }
}

void sb__steal_cache_init(steal_cache *c) {
  sb_slab_init(&c->slab, offsetof(sb_task, link), block_init, NULL);
  memset(c->nfree, 0, sizeof(c->nfree));
}

/* Fills c's empty free list of class cls: a batch from the depot, else
 * whatever was freed off the workers, else a fresh chunk. 0 or -ENOMEM. */
static int refill(steal_rt *rt, steal_cache *c, unsigned cls) {
  sb_spin_lock(&rt->depot_lock);
  sb_task *batch = rt->depot[cls];
  if (batch != NULL)
    rt->depot[cls] = batch->next_batch;
  sb_spin_unlock(&rt->depot_lock);
  if (batch != NULL) {
    sb_slab_adopt(&c->slab, cls, &batch->link);
    c->nfree[cls] = DEPOT_BATCH;
    return 0;
  }
  /* take_all is one exchange, so several caches may take from the same
   * inbox: each gets what was pushed before its exchange. */
  sb_snode *chain = sb__inbox_take_all(&rt->loose[cls]);
  if (chain != NULL) {
    uint32_t n = 0;
    for (sb_snode *p = chain; p != NULL; p = p->next)
      n++;
    sb_slab_adopt(&c->slab, cls, chain);
    c->nfree[cls] = n;
    return 0;
  }
  int n = sb_slab_refill(&c->slab, cls);
  if (n < 0)
    return n;
  c->nfree[cls] = (uint32_t)n;
  return 0;
}

/* c is a worker's own cache, or rt->ext with ext_lock held. */
sb_task *sb__steal_alloc(steal_rt *rt, steal_cache *c, size_t size) {
  int cls = sb_slab_class(sizeof(sb_task) + size);
  if (cls < 0)
    return NULL;
  if (c->slab.free[cls] == NULL && refill(rt, c, (unsigned)cls) < 0)
    return NULL;
  c->nfree[cls]--;
  return sb_slab_alloc(&c->slab, (unsigned)cls);
}

/* Moves the newest DEPOT_BATCH blocks of c's class cls to the depot. Those
 * were freed last, so the walk to cut them runs through warm lines. */
static void spill(steal_rt *rt, steal_cache *c, unsigned cls) {
  sb_snode *first = c->slab.free[cls];
  sb_snode *last = first;
  for (unsigned i = 1; i < DEPOT_BATCH; i++)
    last = last->next;
  c->slab.free[cls] = last->next;
  last->next = NULL;
  c->nfree[cls] -= DEPOT_BATCH;
  sb_task *batch = task_of(first);
  sb_spin_lock(&rt->depot_lock);
  batch->next_batch = rt->depot[cls];
  rt->depot[cls] = batch;
  sb_spin_unlock(&rt->depot_lock);
}

void sb__steal_free(steal_rt *rt, sb_task *t) {
  if (t->cls == STEAL_CLS_FORK)
    return; /* its memory is the parent's, which joined it */
  if (t->cls == STEAL_CLS_ROOT) {
    /* release: block_on reads root's output after seeing root_done. */
    atomic_store_explicit(&rt->root_done, 1, memory_order_release);
    sb_unpark(&rt->main_parker);
    return;
  }
  /* relaxed: 0 marks the block free for close's scan, which runs after
   * every worker was joined (pthread_join orders it). */
  atomic_store_explicit(&t->state, 0, memory_order_relaxed);
  steal_worker *w = steal_local(rt);
  if (w == NULL) {
    sb__inbox_push(&rt->loose[t->cls], &t->link);
    return;
  }
  steal_cache *c = &w->cache;
  sb_slab_free(&c->slab, t, t->cls);
  if (++c->nfree[t->cls] > DEPOT_CAP)
    spill(rt, c, t->cls);
}

/* Drops t's future if t is alive and not done (close's visit). */
static void drop_live(void *block, unsigned cls, void *arg) {
  sb_task *t = block;
  (void)cls;
  /* relaxed: single-threaded now (workers joined). */
  uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
  if (s == 0 || (s & ST_COMPLETE))
    return;
  atomic_store_explicit(&t->state, s | ST_COMPLETE, memory_order_relaxed);
  sb_future_drop(t->fut, arg);
}

/* Drops the future of every task carved by c that is alive and not done.
 * Close calls it with the workers gone; a drop may detach or wake others. */
void sb__steal_cache_drop_live(steal_rt *rt, steal_cache *c) {
  sb_slab_foreach(&c->slab, drop_live, &rt->base);
}

void sb__steal_cache_destroy(steal_cache *c) {
  sb_slab_destroy(&c->slab);
}
