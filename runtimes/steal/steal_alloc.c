/* Task memory of runtime `steal`: per-owner free lists by size class, carved
 * from chunks, so that spawn on a worker takes no lock and calls no malloc
 * on the hot path. A block freed on another thread goes back to its owner
 * through a lock-free inbox (mimalloc's "delayed free"), which the owner
 * drains when its own list runs dry. Chunks live until close, which scans
 * them to drop the futures of tasks still alive. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steal_internal.h"

/* Bytes carved per chunk (at least STEAL_MIN_BLOCKS blocks). */
#define STEAL_CHUNK_BYTES 16384
#define STEAL_MIN_BLOCKS 8
/* The chunk header, padded so that blocks start on a cache line. */
#define STEAL_CHUNK_HDR SB_CACHELINE

/* A task too big for every class: malloc'd with this header in front (padded
 * to STEAL_LARGE_HDR bytes), on a list under rt->large_lock so that close
 * can find it. */
typedef struct steal_large {
  struct steal_large *next; /* the next live large block */
  struct steal_large *prev; /* the previous one, or NULL at the head */
} steal_large;
#define STEAL_LARGE_HDR SB_CACHELINE

static sb_task *large_task(steal_large *l) {
  return (sb_task *)((char *)l + STEAL_LARGE_HDR);
}

static uint32_t class_of(size_t size) {
  size_t need = sizeof(sb_task) + size;
  for (uint32_t c = 0; c < STEAL_NCLS; c++)
    if (need <= ((size_t)64 << c))
      return c;
  return STEAL_CLS_LARGE;
}

static steal_cache *cache_of(steal_rt *rt, uint32_t owner) {
  return owner < (uint32_t)rt->nworkers ? &rt->workers[owner].cache : &rt->ext;
}

void sb__steal_cache_init(steal_cache *c, uint32_t owner) {
  for (int i = 0; i < STEAL_NCLS; i++) {
    c->free[i] = NULL;
    sb__inbox_init(&c->remote[i]);
  }
  c->chunks = NULL;
  c->owner = owner;
}

static sb_task *block_at(steal_chunk *ch, uint32_t i) {
  size_t bs = (size_t)64 << ch->cls;
  return (sb_task *)((char *)ch + STEAL_CHUNK_HDR + i * bs);
}

/* Carves one chunk of class cls onto c's free list. 0 or -ENOMEM. */
static int carve(steal_cache *c, uint32_t cls) {
  size_t bs = (size_t)64 << cls;
  uint32_t n = (uint32_t)(STEAL_CHUNK_BYTES / bs);
  if (n < STEAL_MIN_BLOCKS)
    n = STEAL_MIN_BLOCKS;
  steal_chunk *ch = aligned_alloc(SB_CACHELINE, STEAL_CHUNK_HDR + n * bs);
  if (ch == NULL)
    return -ENOMEM;
  ch->cls = cls;
  ch->nblocks = n;
  ch->next = c->chunks;
  c->chunks = ch;
  for (uint32_t i = n; i-- > 0;) {
    sb_task *t = block_at(ch, i);
    atomic_init(&t->state, 0);
    t->owner = c->owner;
    t->cls = cls;
    t->link.free.next = c->free[cls];
    c->free[cls] = &t->link.free;
  }
  return 0;
}

static sb_task *alloc_large(steal_rt *rt, size_t size) {
  size_t bytes = STEAL_LARGE_HDR + sizeof(sb_task) + size;
  steal_large *l = aligned_alloc(SB_CACHELINE, (bytes + SB_CACHELINE - 1) &
                                                   ~(size_t)(SB_CACHELINE - 1));
  if (l == NULL)
    return NULL;
  sb_task *t = large_task(l);
  atomic_init(&t->state, 0);
  t->owner = UINT32_MAX;
  t->cls = STEAL_CLS_LARGE;
  pthread_mutex_lock(&rt->large_lock);
  l->prev = NULL;
  l->next = rt->large;
  if (l->next != NULL)
    l->next->prev = l;
  rt->large = l;
  pthread_mutex_unlock(&rt->large_lock);
  return t;
}

static void free_large(steal_rt *rt, sb_task *t) {
  steal_large *l = (steal_large *)((char *)t - STEAL_LARGE_HDR);
  pthread_mutex_lock(&rt->large_lock);
  if (l->prev != NULL)
    l->prev->next = l->next;
  else
    rt->large = l->next;
  if (l->next != NULL)
    l->next->prev = l->prev;
  pthread_mutex_unlock(&rt->large_lock);
  free(l);
}

/* c is a worker's own cache, or rt->ext with ext_lock held. */
sb_task *sb__steal_alloc(steal_rt *rt, steal_cache *c, size_t size) {
  uint32_t cls = class_of(size);
  if (cls == STEAL_CLS_LARGE)
    return alloc_large(rt, size);
  sb__inbox_node *n = c->free[cls];
  if (n == NULL) {
    n = sb__inbox_take_all(&c->remote[cls]);
    if (n == NULL) {
      if (carve(c, cls) < 0)
        return NULL;
      n = c->free[cls];
    }
  }
  c->free[cls] = n->next;
  return SB_CONTAINER_OF(n, sb_task, link.free);
}

void sb__steal_free(steal_rt *rt, sb_task *t) {
  if (t->cls == STEAL_CLS_ROOT) {
    /* release: block_on reads root's output after seeing root_done. */
    atomic_store_explicit(&rt->root_done, 1, memory_order_release);
    sb_unpark(&rt->main_parker);
    return;
  }
  if (t->cls == STEAL_CLS_LARGE) {
    free_large(rt, t);
    return;
  }
  /* relaxed: 0 marks the block free for close's scan, which runs after
   * every worker was joined (pthread_join orders it). */
  atomic_store_explicit(&t->state, 0, memory_order_relaxed);
  steal_worker *w = steal_local(rt);
  if (w != NULL && (uint32_t)w->index == t->owner) {
    t->link.free.next = w->cache.free[t->cls];
    w->cache.free[t->cls] = &t->link.free;
  } else {
    sb__inbox_push(&cache_of(rt, t->owner)->remote[t->cls], &t->link.free);
  }
}

/* Drops the future of every task in c's chunks that is alive and not done.
 * Close calls it with the workers gone; a drop may detach or wake others. */
void sb__steal_cache_drop_live(steal_rt *rt, steal_cache *c) {
  for (steal_chunk *ch = c->chunks; ch != NULL; ch = ch->next) {
    for (uint32_t i = 0; i < ch->nblocks; i++) {
      sb_task *t = block_at(ch, i);
      /* relaxed: single-threaded now (workers joined). */
      uint64_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
      if (s == 0 || (s & ST_COMPLETE))
        continue;
      atomic_store_explicit(&t->state, s | ST_COMPLETE, memory_order_relaxed);
      sb_future_drop(t->fut, &rt->base);
    }
  }
}

void sb__steal_large_drop_all(steal_rt *rt) {
  /* Drop first (a drop may free other large blocks: restart the walk from
   * the head each time), then free what remains. */
  for (;;) {
    steal_large *l = rt->large;
    /* relaxed: single-threaded now (workers joined). */
    while (l != NULL &&
           (atomic_load_explicit(&large_task(l)->state, memory_order_relaxed) &
            ST_COMPLETE))
      l = l->next;
    if (l == NULL)
      break;
    atomic_fetch_or_explicit(&large_task(l)->state, ST_COMPLETE,
                             memory_order_relaxed);
    sb_future_drop(large_task(l)->fut, &rt->base);
  }
  while (rt->large != NULL) {
    steal_large *l = rt->large;
    rt->large = l->next;
    free(l);
  }
}

void sb__steal_cache_destroy(steal_cache *c) {
  while (c->chunks != NULL) {
    steal_chunk *ch = c->chunks;
    c->chunks = ch->next;
    free(ch);
  }
  for (int i = 0; i < STEAL_NCLS; i++)
    c->free[i] = NULL;
}
