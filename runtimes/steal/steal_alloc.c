/* Task memory of runtime `steal`: a slab per owner (runtimes/os/slab.h),
 * so that spawn on a worker takes no lock and calls no malloc on the hot
 * path. A block freed on another thread goes back to its owner through a
 * lock-free inbox per class (mimalloc's "delayed free"), which the owner
 * adopts whole when its own free list runs dry. Chunks live until close,
 * which visits every block to drop the futures of tasks still alive. */
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
    if (chain != NULL)
      sb_slab_adopt(&c->slab, (unsigned)cls, chain);
  }
  return sb_slab_alloc(&c->slab, (unsigned)cls);
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
  if (w != NULL && (uint32_t)w->index == t->owner)
    sb_slab_free(&w->cache.slab, t, t->cls);
  else
    sb__inbox_push(&cache_of(rt, t->owner)->remote[t->cls], &t->link);
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
