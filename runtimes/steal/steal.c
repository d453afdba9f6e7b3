/* Runtime `steal`: a work-stealing executor after tokio's multi-thread
 * scheduler and Go's: N workers with per-worker rings, a LIFO slot, a global
 * injection queue, a shared reactor and timers. This file is the ops table
 * and the runtime's life cycle; the parts are in steal_*.c. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "steal_internal.h"

/* Workers beyond this are refused: idle_state counts them in 16 bits. */
#define STEAL_MAX_WORKERS 1024

static int default_workers(void) {
  sb_topo *topo = NULL;
  if (sb_topo_get(&topo) == 0 && sb_topo_cores(topo) > 0)
    return sb_topo_cores(topo);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

/* Stops and joins the first n workers. */
static void stop_workers(steal_rt *rt, int n) {
  atomic_store(&rt->shutdown, 1); /* seq_cst: before every unpark below */
  sb__steal_unpark_all(rt);
  for (int i = 0; i < n; i++)
    pthread_join(rt->workers[i].thread, NULL);
}

/* Frees what open built, in reverse order. Workers are stopped already. */
static void destroy(steal_rt *rt) {
  for (int i = 0; rt->workers != NULL && i < rt->nworkers; i++) {
    sb__steal_cache_destroy(&rt->workers[i].cache);
    sb_parker_destroy(&rt->workers[i].parker);
  }
  sb__steal_cache_destroy(&rt->ext);
  sb_parker_destroy(&rt->main_parker);
  if (rt->reactor != NULL)
    sb__reactor_close(rt->reactor);
  sb__timer_heap_destroy(&rt->timers);
  pthread_mutex_destroy(&rt->ext_lock);
  pthread_mutex_destroy(&rt->idle_lock);
  pthread_mutex_destroy(&rt->timer_lock);
  sb_inject_destroy(&rt->inject);
  free(rt->root);
  free(rt->sleepers);
  free(rt->workers);
  free(rt);
}

static void init_worker(steal_rt *rt, steal_worker *w, int index) {
  sb_deque_init(&w->q);
  sb_forkq_init(&w->forks);
  sb_parker_init(&w->parker);
  w->rt = rt;
  w->lifo = NULL;
  w->lifo_claimed = 0;
  w->current = NULL;
  w->deferred = NULL;
  w->tick = 0;
  w->rng = 2654435761u * (uint32_t)(index + 1); /* nonzero xorshift seed */
  w->index = index;
  w->searching = 0;
  w->parking = 0;
  w->yielded = 0;
  atomic_init(&w->spawned, 0);
  sb__steal_cache_init(&w->cache);
  atomic_init(&w->in_reactor, 0);
  w->sleeping = 0;
}

static int steal_open(const sb_config *cfg, sb_runtime **out) {
  int rc = 0, started = 0;
  int n = cfg->workers == 0 ? default_workers() : cfg->workers;
  if (n < 0 || n > STEAL_MAX_WORKERS || cfg->pin < SB_PIN_NONE ||
      cfg->pin > SB_PIN_SPREAD)
    return -EINVAL;
  steal_rt *rt = aligned_alloc(SB_CACHELINE, sizeof(steal_rt));
  if (rt == NULL)
    return -ENOMEM;
  memset(rt, 0, sizeof *rt);
  rt->base.ops = &sb_runtime_steal;
  rt->nworkers = n;
  rt->pin = cfg->pin;
  rt->poll_deadline = INT64_MIN;
  atomic_init(&rt->idle_state, (uint32_t)n << 16); /* all unparked */
  sb__timer_heap_init(&rt->timers);
  sb__steal_cache_init(&rt->ext);
  sb__steal_depot_init(rt);
  sb_parker_init(&rt->main_parker);
  if ((rc = sb_inject_init(&rt->inject)) < 0 ||
      (rc = -pthread_mutex_init(&rt->timer_lock, NULL)) < 0 ||
      (rc = -pthread_mutex_init(&rt->idle_lock, NULL)) < 0 ||
      (rc = -pthread_mutex_init(&rt->ext_lock, NULL)) < 0)
    goto fail; /* glibc's mutex_init cannot fail; destroy copes anyway */
  rt->workers = aligned_alloc(SB_CACHELINE, (size_t)n * sizeof(steal_worker));
  rt->sleepers = calloc((size_t)n, sizeof(int));
  rt->root = aligned_alloc(SB_CACHELINE, (sizeof(sb_task) + SB_CACHELINE - 1) &
                                             ~(size_t)(SB_CACHELINE - 1));
  if (rt->workers == NULL || rt->sleepers == NULL || rt->root == NULL) {
    free(rt->workers); /* not initialised yet: destroy must not walk them */
    rt->workers = NULL;
    rc = -ENOMEM;
    goto fail;
  }
  atomic_init(&rt->root->state, 0);
  rt->root->cls = STEAL_CLS_ROOT;
  for (int i = 0; i < n; i++)
    init_worker(rt, &rt->workers[i], i);
  if ((rc = sb__reactor_open(1, &rt->reactor)) < 0)
    goto fail;
  if (rt->pin != SB_PIN_NONE && (rc = sb_topo_get(&rt->topo)) < 0)
    goto fail;

  pthread_attr_t attr;
  if ((rc = -pthread_attr_init(&attr)) < 0)
    goto fail;
  (void)pthread_attr_getstacksize(&attr, &rt->stack_size);
  for (; started < n; started++) {
    rc = -pthread_create(&rt->workers[started].thread, &attr,
                         sb__steal_worker_main, &rt->workers[started]);
    if (rc < 0)
      break;
  }
  pthread_attr_destroy(&attr);
  if (rc < 0)
    goto fail_workers;
  /* acquire: pairs with each worker's release increment, so start_err is
   * final once all of them counted themselves. */
  while (atomic_load_explicit(&rt->started, memory_order_acquire) < n)
    sb_park(&rt->main_parker);
  /* relaxed: ordered by the acquire load above. */
  if ((rc = atomic_load_explicit(&rt->start_err, memory_order_relaxed)) < 0)
    goto fail_workers;
  *out = &rt->base;
  return 0;

fail_workers:
  stop_workers(rt, started);
fail:
  destroy(rt);
  return rc;
}

static void steal_close(sb_runtime *base) {
  steal_rt *rt = (steal_rt *)base;
  stop_workers(rt, rt->nworkers);
  /* From here on this thread is alone: wakes made by the drops below are
   * ignored, since no worker will ever read a queue again. */
  atomic_store(&rt->closing, 1);
  for (int i = 0; i < rt->nworkers; i++)
    sb__steal_cache_drop_live(rt, &rt->workers[i].cache);
  sb__steal_cache_drop_live(rt, &rt->ext);
  destroy(rt);
}

static void steal_info(sb_runtime *base, sb_runtime_info *out) {
  steal_rt *rt = (steal_rt *)base;
  out->workers = rt->nworkers;
  out->stack_size = rt->stack_size;
  out->pin = rt->pin;
  pthread_mutex_lock(&rt->ext_lock);
  uint64_t n = rt->ext_spawned;
  pthread_mutex_unlock(&rt->ext_lock);
  /* relaxed: see steal_spawn; read outside block_on, when the workers
   * counted everything the run spawned before the root completed. */
  for (int i = 0; i < rt->nworkers; i++)
    n += atomic_load_explicit(&rt->workers[i].spawned, memory_order_relaxed);
  out->spawned = n;
}

static int steal_block_on(sb_runtime *base, sb_future *root) {
  steal_rt *rt = (steal_rt *)base;
  if (steal_local(rt) != NULL)
    return -EDEADLK; /* a worker waiting for its own runtime */
  int idle = 0;
  /* relaxed: only excludes a second concurrent block_on, which would share
   * the one root task; the root's own handoff orders everything else. */
  if (!atomic_compare_exchange_strong_explicit(&rt->in_block_on, &idle, 1,
                                               memory_order_relaxed,
                                               memory_order_relaxed))
    return -EBUSY;
  sb_task *t = rt->root;
  t->fut = root;
  /* relaxed: the injection queue's lock publishes both to the worker that
   * pops the task; the previous root is complete and untouched by now. */
  atomic_store_explicit(&rt->root_done, 0, memory_order_relaxed);
  atomic_store_explicit(&t->state, ST_NOTIFIED | ST_REF_ONE,
                        memory_order_relaxed);
  sb__steal_schedule(rt, t, STEAL_SCHED_SPAWN);
  /* acquire: pairs with the release in sb__steal_free, so root->out and
   * everything the tasks wrote before root completed are visible. */
  while (!atomic_load_explicit(&rt->root_done, memory_order_acquire))
    sb_park(&rt->main_parker);
  /* relaxed: see the CAS above. */
  atomic_store_explicit(&rt->in_block_on, 0, memory_order_relaxed);
  return 0;
}

static int steal_spawn(sb_cx *cx, const sb_future *f, size_t size,
                       sb_task **out) {
  steal_rt *rt = (steal_rt *)cx->rt;
  steal_worker *w = cx->worker;
  sb_task *t;
  if (size < sizeof(sb_future))
    return -EINVAL;
  /* relaxed: a task spawned while close runs would never be dropped; this
   * catches spawns from tasks still running then (close's thread joins
   * order the rest). */
  if (atomic_load_explicit(&rt->shutdown, memory_order_relaxed))
    return -ECANCELED;
  if (w != NULL) {
    t = sb__steal_alloc(rt, &w->cache, size);
    /* relaxed: only this worker writes its count (a plain load and store);
     * info reads it outside block_on, after the root's completion, whose
     * release-acquire handoff (sb__steal_free to block_on) orders it. */
    if (t != NULL)
      atomic_store_explicit(
          &w->spawned,
          atomic_load_explicit(&w->spawned, memory_order_relaxed) + 1,
          memory_order_relaxed);
  } else {
    pthread_mutex_lock(&rt->ext_lock);
    t = sb__steal_alloc(rt, &rt->ext, size);
    rt->ext_spawned += t != NULL;
    pthread_mutex_unlock(&rt->ext_lock);
  }
  if (t == NULL)
    return -ENOMEM;
  memcpy(t->body, f, size);
  t->fut = (sb_future *)t->body;
  /* relaxed: the push onto a queue (release) publishes the task. Two
   * references: alive, and the join handle returned in *out. */
  atomic_store_explicit(&t->state,
                        ST_NOTIFIED | ST_JOIN_INTEREST | 2 * ST_REF_ONE,
                        memory_order_relaxed);
  *out = t;
  sb__steal_schedule(rt, t, STEAL_SCHED_SPAWN);
  return 0;
}

const sb_runtime_ops sb_runtime_steal = {
    .name = "steal",
    .summary = "work stealing: N workers, rings + LIFO slot, shared reactor",
    .flags = 0,
    .open = steal_open,
    .close = steal_close,
    .info = steal_info,
    .block_on = steal_block_on,
    .spawn = steal_spawn,
    .join = sb__steal_join,
    .detach = sb__steal_detach,
    .fork = sb__steal_fork,
    .unfork = sb__steal_unfork,
    .wake = sb__steal_wake,
    .wait_fd = sb__steal_wait_fd,
    .sleep_until = sb__steal_sleep_until,
    .cancel = sb__steal_cancel,
    .forget_fd = sb__steal_forget_fd,
    .yield = sb__steal_yield,
};
