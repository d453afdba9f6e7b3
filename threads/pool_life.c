/* Runtime `pool`, its lifetime: open (start and pin the workers), close
 * (stop them, drop the jobs left), and the recycled task memory. */
#include <errno.h>

#include "pool_impl.h"

/* The slab's constructor: a block is a finished task until spawned. */
static void task_init(void *block, unsigned cls, void *arg) {
  pool_task *t = block;
  (void)arg;
  atomic_init(&t->state, POOL_DONE);
  atomic_init(&t->worker, NULL);
  t->cls = cls;
}

/* Returns a task able to hold size bytes (state DONE), or NULL. Called with
 * rt->lock held. */
pool_task *sb__pool_task_alloc(pool_runtime *rt, size_t size) {
  size_t hdr = offsetof(pool_task, storage);
  int cls = size > SIZE_MAX - hdr ? -1 : sb_slab_class(hdr + size);
  return cls < 0 ? NULL : sb_slab_alloc(&rt->tasks, (unsigned)cls);
}

void sb__pool_task_release(pool_runtime *rt, pool_task *t) {
  if (!sb__joinref_release(&t->join))
    return;
  pthread_mutex_lock(&rt->lock);
  sb_slab_free(&rt->tasks, t, t->cls);
  pthread_mutex_unlock(&rt->lock);
}

/* Close's visit of every block: drops a task that did not finish. */
static void drop_unfinished(void *block, unsigned cls, void *arg) {
  pool_task *t = block;
  pool_runtime *rt = arg;
  (void)cls;
  uint32_t s = atomic_load(&t->state);
  SB_ASSERT(s != POOL_RUNNING && s != POOL_NOTIFIED);
  if (s == POOL_DONE || t == rt->root)
    return;
  atomic_store(&t->state, POOL_DONE);
  sb_future_drop(t->fut, &rt->base);
}

/* Stops and joins workers 0..count-1 (the ones that were created). */
static void stop_workers(pool_runtime *rt, int count) {
  pthread_mutex_lock(&rt->lock);
  atomic_store(&rt->shutdown, 1);
  pthread_cond_broadcast(&rt->work);
  pthread_mutex_unlock(&rt->lock);
  /* A worker blocked in a wait notices shutdown once interrupted. */
  for (int i = 0; i < count; i++)
    sb_unpark(&rt->workers[i].parker);
  for (int i = 0; i < count; i++)
    pthread_join(rt->workers[i].tid, NULL);
}

int sb__pool_open(const sb_config *cfg, sb_runtime **out) {
  static const sb_config defaults;
  if (cfg == NULL)
    cfg = &defaults;
  if (cfg->workers < 0)
    return -EINVAL;
  pool_runtime *rt = calloc(1, sizeof *rt);
  if (rt == NULL)
    return -ENOMEM;
  rt->base.ops = &sb_runtime_pool;
  sb_queue_init(&rt->jobs);
  sb_slab_init(&rt->tasks, offsetof(pool_task, link), task_init, NULL);
  int rc = sb_topo_get(&rt->topo);
  if (rc != 0)
    goto fail_topo;
  rt->n = cfg->workers > 0 ? cfg->workers : sb_topo_cores(rt->topo);
  rt->pin = cfg->pin;
  rt->stack_size = sb__default_stack_size();
  sb_parker_init(&rt->caller);
  rc = -pthread_mutex_init(&rt->lock, NULL);
  if (rc != 0)
    goto fail_topo;
  rc = -pthread_cond_init(&rt->work, NULL);
  if (rc != 0)
    goto fail_work;
  rc = -pthread_cond_init(&rt->started_cv, NULL);
  if (rc != 0)
    goto fail_started;
  rt->root = sb__pool_task_alloc(rt, 0); /* no other thread can see rt yet */
  size_t bytes = (size_t)rt->n * sizeof(pool_worker);
  rt->workers = aligned_alloc(SB_CACHELINE, bytes);
  if (rt->root == NULL || rt->workers == NULL) {
    rc = -ENOMEM;
    goto fail_workers;
  }
  int count = 0;
  for (; count < rt->n; count++) {
    pool_worker *w = &rt->workers[count];
    sb_parker_init(&w->parker);
    w->rt = rt;
    w->task = NULL;
    w->index = count;
    rc = -pthread_create(&w->tid, NULL, sb__pool_worker_main, w);
    if (rc != 0)
      break;
  }
  /* Wait until every worker runs (and is pinned): no thread creation is
   * left to land inside a measurement. */
  pthread_mutex_lock(&rt->lock);
  while (rt->started < count)
    pthread_cond_wait(&rt->started_cv, &rt->lock);
  if (rc == 0)
    rc = rt->pin_err;
  pthread_mutex_unlock(&rt->lock);
  if (rc != 0) {
    stop_workers(rt, count);
    rt->n = count;
    sb__pool_close(&rt->base); /* frees the rest; no worker is left */
    return rc;
  }
  *out = &rt->base;
  return 0;
fail_workers:
  free(rt->workers);
  sb_slab_destroy(&rt->tasks);
  pthread_cond_destroy(&rt->started_cv);
fail_started:
  pthread_cond_destroy(&rt->work);
fail_work:
  pthread_mutex_destroy(&rt->lock);
fail_topo:
  free(rt);
  return rc;
}

void sb__pool_close(sb_runtime *base) {
  pool_runtime *rt = (pool_runtime *)base;
  if (!atomic_load(&rt->shutdown))
    stop_workers(rt, rt->n);
  /* Single-threaded from here. Drop every job that did not finish (queued
   * or idle); a drop may detach or wake other tasks, which only touches the
   * free lists and the dead queue. */
  sb_slab_foreach(&rt->tasks, drop_unfinished, rt);
  sb_slab_destroy(&rt->tasks);
  for (int i = 0; i < rt->n; i++)
    sb_parker_destroy(&rt->workers[i].parker);
  sb_parker_destroy(&rt->caller);
  free(rt->workers);
  pthread_cond_destroy(&rt->started_cv);
  pthread_cond_destroy(&rt->work);
  pthread_mutex_destroy(&rt->lock);
  free(rt);
}

void sb__pool_info(sb_runtime *base, sb_runtime_info *out) {
  pool_runtime *rt = (pool_runtime *)base;
  out->workers = rt->n;
  out->stack_size = rt->stack_size;
  out->pin = rt->pin;
  pthread_mutex_lock(&rt->lock); /* the lock every spawn counts under */
  out->spawned = rt->spawned;
  pthread_mutex_unlock(&rt->lock);
}
