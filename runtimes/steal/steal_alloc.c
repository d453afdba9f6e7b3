/* Task memory of runtime `steal`: a slab per owner (runtimes/os/slab.h),
 * so that spawn on a worker takes no lock and calls no malloc on the hot
 * path. A block freed on another thread goes back to its owner through a
 * lock-free inbox per class (mimalloc's "delayed free"), which the owner
 * adopts whole when its own free list runs dry. Chunks live until close,
 * which visits every block to drop the futures of tasks still alive.
 * A worker about to park gives the spare blocks of its free lists to a
 * depot under a mutex, which a cache that runs dry takes before carving:
 * without it, a spawner that moves to another worker (block_on's root
 * does, run to run) carved a second copy of every block, and the first
 * stayed idle in the old worker's cache (million on 2 workers held 2x the
 * memory per waiting task of 1 worker). A block's owner is rewritten at
 * every allocation, so it goes back to the cache that handed it out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steal_internal.h"

static steal_cache *cache_of(steal_rt *rt, uint32_t owner) {
  return owner < (uint32_t)rt->nworkers ? &rt->workers[owner].cache : &rt->ext;
}

/* The slab's constructor: a block is free (state 0) and knows its owner
 * and class for good. */
static void block_init(void *block, unsigned cls, void *arg) {
  sb_task *t = block;
  atomic_init(&t->state, 0);
  t->owner = ((steal_cache *)arg)->owner;
  t->cls = cls;
}

void sb__steal_cache_init(steal_cache *c, uint32_t owner) {
  c->owner = owner;
  c->freed_local = 0;
  sb_slab_init(&c->slab, offsetof(sb_task, link), block_init, c);
  for (int i = 0; i < SB_SLAB_CLASSES; i++)
    sb__inbox_init(&c->remote[i]);
}

/* c is a worker's own cache, or rt->ext with ext_lock held. */
sb_task *sb__steal_alloc(steal_rt *rt, steal_cache *c, size_t size) {
  (void)rt;
  int cls = sb_slab_class(sizeof(sb_task) + size);
  if (cls < 0)
    return NULL;
  if (c->slab.free[cls] == NULL) {
    sb_snode *chain = sb__inbox_take_all(&c->remote[cls]);
    if (chain == NULL) { /* before carving: what parked workers gave up */
      pthread_mutex_lock(&rt->depot_lock);
      chain = rt->depot[cls];
      rt->depot[cls] = NULL;
      pthread_mutex_unlock(&rt->depot_lock);
    }
    if (chain != NULL)
      sb_slab_adopt(&c->slab, (unsigned)cls, chain);
  }
  sb_task *t = sb_slab_alloc(&c->slab, (unsigned)cls);
  if (t != NULL)
    t->owner = c->owner; /* a depot block may come from another cache */
  return t;
}

/* Free blocks a cache keeps per class when it gives the rest away, and
 * local frees between two looks for spares (so an idle worker that parks
 * often walks its lists once per that many frees, not at every park). */
#define STEAL_KEEP_BLOCKS 64
#define STEAL_SPARES_EVERY 1024

/* Puts chain (NULL-terminated) on the depot's list of class cls. The
 * mutex orders our last touch of these blocks before the taker's first. */
static void depot_put(steal_rt *rt, int cls, sb_snode *chain) {
  sb_snode *tail = chain;
  while (tail->next != NULL)
    tail = tail->next;
  pthread_mutex_lock(&rt->depot_lock);
  tail->next = rt->depot[cls];
  rt->depot[cls] = chain;
  pthread_mutex_unlock(&rt->depot_lock);
}

void sb__steal_cache_give_spares(steal_rt *rt, steal_cache *c) {
  int lists = c->freed_local >= STEAL_SPARES_EVERY;
  if (lists)
    c->freed_local = 0;
  for (int cls = 0; cls < SB_SLAB_CLASSES; cls++) {
    /* What other threads freed for us: all of it (one load when none). */
    sb_snode *freed = sb__inbox_empty(&c->remote[cls])
                          ? NULL
                          : sb__inbox_take_all(&c->remote[cls]);
    if (freed != NULL)
      depot_put(rt, cls, freed);
    if (!lists)
      continue;
    sb_snode *keep = c->slab.free[cls];
    for (int i = 1; keep != NULL && i < STEAL_KEEP_BLOCKS; i++)
      keep = keep->next;
    if (keep == NULL || keep->next == NULL)
      continue; /* no more than we keep */
    sb_snode *spare = keep->next;
    keep->next = NULL;
    depot_put(rt, cls, spare);
  }
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
  if (w != NULL && (uint32_t)w->index == t->owner) {
    sb_slab_free(&w->cache.slab, t, t->cls);
    w->cache.freed_local++;
  } else {
    sb__inbox_push(&cache_of(rt, t->owner)->remote[t->cls], &t->link);
  }
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

/* Drops the future of every task in c that is alive and not done. Close
 * calls it with the workers gone; a drop may detach or wake others. */
void sb__steal_cache_drop_live(steal_rt *rt, steal_cache *c) {
  sb_slab_foreach(&c->slab, drop_live, &rt->base);
}

void sb__steal_cache_destroy(steal_cache *c) {
  sb_slab_destroy(&c->slab);
}
