/* Runtime `fiber`: stackful fibers (green threads). Every task runs on its
 * own mmap'd stack with a guard page; its waits switch to the next ready
 * fiber in user space (switch_*.S) and return READY when it is resumed, as
 * `threads` does with the kernel. One carrier by default (block_on's
 * thread, with single's reactor, timers and inbox); with sb_config.workers
 * = N, N carriers, which steal fresh fibers from each other (M:N). This
 * file is the ops table and the runtime's life cycle; the parts are in
 * fiber_*.c. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fiber_internal.h"
#include "fiber_san.h"
#include "switch.h"

SB_RUNTIME_DECLARE(fiber);

/* The default stack: 16 KiB. A waiting fiber touches one page of it; 16
 * KiB is the smallest power of two with room for libc on a fiber (snprintf
 * with %f takes 3.2 KiB of stack, fprintf to unbuffered stderr 10 KiB, a
 * signal frame 3.4 KiB with AVX-512). Sanitizer builds instrument every
 * frame (redzones, bigger frames): 64 KiB there. README.md, fiber. */
#define FIBER_DEFAULT_STACK ((size_t)(SB_FIBER_SANITIZED ? 64 : 16) * 1024)
/* The smallest stack accepted: two pages (header, future, a few frames). */
#define FIBER_MIN_STACK ((size_t)8 * 1024)
/* block_on's fiber runs the caller's root, which may call into anything
 * (stdio, /proc parsing): one stack of 256 KiB, reserved, mostly untouched. */
#define FIBER_ROOT_STACK ((size_t)256 * 1024)
/* Carriers beyond this are refused (as steal's workers). */
#define FIBER_MAX_CARRIERS 1024

/* Carriers when sb_config.workers is 0: one, unless SB_FIBER_CARRIERS says
 * otherwise (as GOMAXPROCS does for Go: the test suites run M:N with it). */
static int default_carriers(void) {
  const char *s = getenv("SB_FIBER_CARRIERS");
  long n = s != NULL ? strtol(s, NULL, 10) : 1;
  return n >= 1 && n <= FIBER_MAX_CARRIERS ? (int)n : 1;
}

static void init_carrier(fiber_rt *rt, fiber_carrier *c, int index) {
  c->rt = rt;
  c->index = index;
  c->many = rt->ncarriers > 1;
  c->rng = 2654435761u * (uint32_t)(index + 1); /* nonzero xorshift seed */
  sb__timer_heap_init(&c->timers);
  sb_deque_init(&c->q);
  sb__inbox_init(&c->inbox);
  atomic_init(&c->parked, 0);
  atomic_init(&c->spawned, 0);
}

/* Stops and joins carriers 1..n. */
static void stop_carriers(fiber_rt *rt, int n) {
  atomic_store(&rt->shutdown, 1); /* seq_cst: before the notifies */
  for (int i = 1; i <= n; i++)
    sb__reactor_notify(rt->carriers[i].reactor);
  for (int i = 1; i <= n; i++)
    pthread_join(rt->carriers[i].thread, NULL);
}

/* Frees what open built, in reverse order. Carriers are stopped already. */
static void destroy(fiber_rt *rt) {
  for (int i = 0; rt->carriers != NULL && i < rt->ncarriers; i++) {
    fiber_carrier *c = &rt->carriers[i];
    if (c->reactor != NULL)
      sb__reactor_close(c->reactor);
    sb__timer_heap_destroy(&c->timers);
  }
  if (rt->root != NULL)
    sb__fiber_unmap_one(rt->root, rt->root_map);
  sb__fiber_pool_destroy(&rt->pool);
  pthread_cond_destroy(&rt->start_cond);
  pthread_mutex_destroy(&rt->start_lock);
  free(rt->carriers);
  free(rt);
}

static void *carrier_main(void *arg) {
  fiber_carrier *c = arg;
  fiber_rt *rt = c->rt;
  sb__fiber_self = c;
  int rc = sb__fiber_guard_setup();
  if (rc == 0 && rt->pin != SB_PIN_NONE)
    rc = sb_topo_pin_worker(rt->topo, rt->pin, c->index, rt->ncarriers);
  pthread_mutex_lock(&rt->start_lock);
  rt->started++;
  if (rc < 0 && rt->start_err == 0)
    rt->start_err = rc;
  pthread_cond_signal(&rt->start_cond);
  pthread_mutex_unlock(&rt->start_lock);
  if (rc == 0) {
    rc = sb__fiber_carrier_loop(c);
    /* epoll_wait on our own epoll fd fails only on a broken invariant. */
    SB_ASSERT(rc == 0);
  }
  sb__fiber_self = NULL;
  return NULL;
}

static int fiber_open(const sb_config *cfg, sb_runtime **out) {
  static const sb_config defaults;
  if (cfg == NULL)
    cfg = &defaults;
  int n = cfg->workers > 0 ? cfg->workers : default_carriers();
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t stack = cfg->stack_size == 0
                     ? FIBER_DEFAULT_STACK
                     : (cfg->stack_size + page - 1) / page * page;
  if (cfg->workers < 0 || n > FIBER_MAX_CARRIERS || cfg->pin < SB_PIN_NONE ||
      cfg->pin > SB_PIN_SPREAD || stack < FIBER_MIN_STACK)
    return -EINVAL;
  int rc = -ENOMEM, started = 0;
  sb__fiber_tsan_warm();
  fiber_rt *rt = calloc(1, sizeof *rt);
  if (rt == NULL)
    return -ENOMEM;
  rt->base.ops = &sb_runtime_fiber;
  rt->ncarriers = n;
  rt->pin = cfg->pin;
  rt->stack_size = stack;
  if ((rc = sb__fiber_pool_init(&rt->pool, stack)) < 0 ||
      (rc = -pthread_mutex_init(&rt->start_lock, NULL)) < 0 ||
      (rc = -pthread_cond_init(&rt->start_cond, NULL)) < 0)
    goto fail; /* glibc's init functions cannot fail; destroy copes anyway */
  rt->carriers = aligned_alloc(SB_CACHELINE, (size_t)n * sizeof *rt->carriers);
  if (rt->carriers == NULL) {
    rc = -ENOMEM;
    goto fail;
  }
  memset(rt->carriers, 0, (size_t)n * sizeof *rt->carriers);
  for (int i = 0; i < n; i++) {
    init_carrier(rt, &rt->carriers[i], i);
    /* Shared (a lock per fd) with several carriers: forget_fd reaches every
     * carrier's reactor from whichever thread closes the fd. */
    if ((rc = sb__reactor_open(n > 1, &rt->carriers[i].reactor)) < 0)
      goto fail;
  }
  size_t root_stack = stack > FIBER_ROOT_STACK ? stack : FIBER_ROOT_STACK;
  if ((rc = sb__fiber_map_one(root_stack, &rt->root, &rt->root_map)) < 0)
    goto fail;
  if (rt->pin != SB_PIN_NONE && (rc = sb_topo_get(&rt->topo)) < 0)
    goto fail;
  for (started = 0; started < n - 1; started++) {
    rc = -pthread_create(&rt->carriers[started + 1].thread, NULL, carrier_main,
                         &rt->carriers[started + 1]);
    if (rc < 0)
      goto fail_carriers;
  }
  pthread_mutex_lock(&rt->start_lock);
  while (rt->started < n - 1)
    pthread_cond_wait(&rt->start_cond, &rt->start_lock);
  rc = rt->start_err;
  pthread_mutex_unlock(&rt->start_lock);
  if (rc < 0)
    goto fail_carriers;
  *out = &rt->base;
  return 0;
fail_carriers:
  stop_carriers(rt, started);
fail:
  destroy(rt);
  return rc;
}

static void drop_unfinished(fiber *f, void *arg) {
  fiber_rt *rt = arg;
  /* relaxed: every carrier is joined; this thread is alone. */
  uint32_t j = atomic_load_explicit(&f->join, memory_order_relaxed);
  if (j & FJ_DONE)
    return;
  atomic_store_explicit(&f->join, j | FJ_DONE, memory_order_relaxed);
  sb_future_drop(f->fut, &rt->base);
}

static void free_heap_future(fiber *f, void *arg) {
  (void)arg;
  if (f->heap_fut)
    free(f->fut);
  f->heap_fut = 0;
}

static void fiber_close(sb_runtime *base) {
  fiber_rt *rt = (fiber_rt *)base;
  stop_carriers(rt, rt->ncarriers - 1);
  /* From here this thread is alone: wakes from the drops are ignored. */
  atomic_store(&rt->closing, 1);
  /* First drop every unfinished future while every slot is still there: a
   * drop may detach or cancel what other fibers hold. Their stacks, frames
   * and all, go with the mappings. */
  sb__fiber_pool_each_live(&rt->pool, drop_unfinished, rt);
  sb__fiber_pool_each_live(&rt->pool, free_heap_future, NULL);
  destroy(rt);
}

static void fiber_info(sb_runtime *base, sb_runtime_info *out) {
  fiber_rt *rt = (fiber_rt *)base;
  out->workers = rt->ncarriers;
  out->stack_size = rt->stack_size;
  out->pin = rt->pin;
  out->spawned = 0;
  for (int i = 0; i < rt->ncarriers; i++)
    /* relaxed: a sum of counters each carrier writes alone; read outside
     * block_on, as the contract asks. */
    out->spawned +=
        atomic_load_explicit(&rt->carriers[i].spawned, memory_order_relaxed);
}

static int fiber_block_on(sb_runtime *base, sb_future *root) {
  fiber_rt *rt = (fiber_rt *)base;
  fiber_carrier *c = &rt->carriers[0];
  if (sb__fiber_self != NULL)
    return -EDEADLK; /* a fiber (or a carrier) waiting for a runtime */
  if (rt->broken != 0)
    return rt->broken; /* the last root stopped half-way in its fiber */
  int rc = sb__fiber_guard_setup();
  if (rc < 0)
    return rc;
  cpu_set_t saved;
  int pinned = rt->pin != SB_PIN_NONE &&
               sched_getaffinity(0, sizeof saved, &saved) == 0 &&
               sb_topo_pin_worker(rt->topo, rt->pin, 0, rt->ncarriers) == 0;
  fiber *f = rt->root;
  fiber_san_slot_reuse(c, f);
  f->fut = root;
  f->home = c;
  f->rt = rt;
  f->is_root = 1;
  /* The last run's root may still be on the inbox (a late wake): keep that
   * bit, clear the rest. relaxed: nothing else to order, this thread is
   * carrier 0. */
  atomic_fetch_and_explicit(&f->join, FJ_INBOX, memory_order_relaxed);
  f->notified = 1;
  f->running = 0;
  f->cx = (sb_cx){.rt = base,
                  .waker = {.rt = base, .task = f},
                  .budget = SB_BUDGET,
                  .worker = f};
  f->sp = sb__fiber_ctx_make(f, sb__fiber_entry, f);
  c->root_exited = 0;
  sb__fiber_self = c;
  fiber_runq_push(c, f);
  rc = sb__fiber_carrier_loop(c);
  if (rc < 0)
    rt->broken = rc;
  sb__fiber_self = NULL;
  if (pinned)
    sched_setaffinity(0, sizeof saved, &saved);
  return rc;
}

const sb_runtime_ops sb_runtime_fiber = {
    .name = "fiber",
    .summary = "stackful fibers: a stack per task, waits switch in user space",
    .flags = 0,
    .open = fiber_open,
    .close = fiber_close,
    .info = fiber_info,
    .block_on = fiber_block_on,
    .spawn = sb__fiber_spawn,
    .join = sb__fiber_join,
    .detach = sb__fiber_detach,
    .wake = sb__fiber_wake,
    .wait_fd = sb__fiber_wait_fd,
    .sleep_until = sb__fiber_sleep_until,
    .cancel = sb__fiber_cancel,
    .forget_fd = sb__fiber_forget_fd,
    .yield = sb__fiber_yield,
};
