/* Runtime `threads`: every task is its own OS thread. Waits block the thread
 * (poll(2), a futex with a deadline), wake unparks it, yield is sched_yield.
 * The baseline the executors are measured against, shown at its best: the
 * wakes a poll makes are issued when it returns or blocks (wakeq.h), so a
 * handoff on one CPU costs one OS switch, as the kernel floor does; with a
 * pinning policy every task thread is confined to the policy's CPUs. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "osrt.h"
#include "runtimes/core/sb.h"
#include "runtimes/os/park.h"
#include "runtimes/os/slab.h"
#include "runtimes/os/topo.h"
#include "runtimes/os/wakeq.h"

SB_RUNTIME_DECLARE(threads);

typedef struct thr_runtime thr_runtime;

/* A task and its thread: a block of rt->tasks, recycled there and freed
 * only by close, so a late wake of a finished task lands on live memory and
 * an open eventfd: at worst one spurious wake-up of the task that reuses
 * it. The slab builds the parker once per block. */
typedef struct thr_task {
  sb_parker parker; /* the thread sleeps here (cache-line aligned) */
  thr_runtime *rt;  /* the owning runtime */
  sb__joinref join; /* output, joiner's waker, references */
  unsigned cls;     /* the slab class of its block */
  sb_snode free;    /* the slab's free-list link while the block is free */
  sb_future *fut;   /* the future polled: storage, or block_on's root */
  alignas(max_align_t) unsigned char storage[]; /* the spawned future's copy */
} thr_task;

struct thr_runtime {
  sb_runtime base;       /* ops: first, as every runtime */
  pthread_attr_t attr;   /* detached, with the configured stack size and,
                            under a pinning policy, the CPU set */
  size_t stack_size;     /* stack bytes each task thread gets */
  sb_pin pin;            /* the pinning policy in force */
  pthread_mutex_t lock;  /* protects tasks, live and writes of shutdown */
  pthread_cond_t exited; /* signalled when live reaches 0 */
  int live;              /* task threads started and not yet finished */
  uint64_t spawned;      /* successful spawns since open (info.spawned) */
  _Atomic int shutdown;  /* set by close: threads drop their future, exit */
  sb_slab tasks;         /* task memory: every task ever made, recycled */
  thr_task *root;        /* block_on's task: the calling thread's parker */
};

/* The slab's constructor: what a block keeps while free. */
static void task_init(void *block, unsigned cls, void *arg) {
  thr_task *t = block;
  sb_parker_init(&t->parker);
  t->rt = arg;
  t->cls = cls;
}

/* Returns a task able to hold size bytes, or NULL. Called with rt->lock
 * held. */
static thr_task *task_alloc(thr_runtime *rt, size_t size) {
  size_t hdr = offsetof(thr_task, storage);
  /* The parker is cache-line aligned, so the block must be too. */
  int cls = size > SIZE_MAX - hdr ? -1
                                  : sb_slab_class_aligned(hdr + size,
                                                          alignof(thr_task));
  return cls < 0 ? NULL : sb_slab_alloc(&rt->tasks, (unsigned)cls);
}

/* Drops one reference to t; the last one gives its block back. */
static void task_release(thr_runtime *rt, thr_task *t) {
  if (!sb__joinref_release(&t->join))
    return;
  pthread_mutex_lock(&rt->lock);
  sb_slab_free(&rt->tasks, t, t->cls);
  pthread_mutex_unlock(&rt->lock);
}

static void unpark_block(void *block, unsigned cls, void *arg) {
  (void)cls, (void)arg;
  sb_unpark(&((thr_task *)block)->parker);
}

static void destroy_block(void *block, unsigned cls, void *arg) {
  (void)cls, (void)arg;
  sb_parker_destroy(&((thr_task *)block)->parker);
}

/* Wakes a task now: the deferred wakes' issue function. */
static void unpark_task(sb_waker w) {
  sb_unpark(&((thr_task *)w.task)->parker);
}

/* Polls t's future once with the wakes it makes deferred to its return. */
static sb_poll poll_deferring(thr_runtime *rt, thr_task *t, sb_cx *cx) {
  sb__wakeq q;
  sb__wakeq_begin(&q, &rt->base, unpark_task);
  sb_poll r = sb_future_poll(t->fut, cx);
  sb__wakeq_end(&q);
  return r;
}

static void *task_main(void *arg) {
  thr_task *t = arg;
  thr_runtime *rt = t->rt;
  /* A task owns its thread: nothing to be fair to, so no budget. */
  sb_cx cx = {.rt = &rt->base,
              .waker = {.rt = &rt->base, .task = (sb_task *)t},
              .budget = INT32_MAX,
              .worker = t};
  for (;;) {
    if (atomic_load(&rt->shutdown)) {
      sb_future_drop(t->fut, &rt->base);
      break;
    }
    if (poll_deferring(rt, t, &cx) == SB_READY) {
      sb__joinref_complete(&t->join, t->fut->out);
      break;
    }
    cx.budget = INT32_MAX;
    sb_park(&t->parker);
  }
  task_release(rt, t);
  pthread_mutex_lock(&rt->lock);
  if (--rt->live == 0)
    pthread_cond_signal(&rt->exited);
  pthread_mutex_unlock(&rt->lock);
  return NULL;
}

/* Under a pinning policy, every task thread is created confined to the CPUs
 * the policy gives cfg->workers workers (0: one per core): the same list
 * the peers' std::thread gets (PROTOCOL.md 7), less the CPUs the process
 * may not use (a cell confined to fewer CPUs stays confined). Returns 0, or
 * -errno (-EINVAL when no CPU of the list is allowed). */
static int confine_threads(thr_runtime *rt, const sb_config *cfg) {
  sb_topo *topo;
  int rc = sb_topo_get(&topo);
  if (rc < 0)
    return rc;
  int count = cfg->workers > 0 ? cfg->workers : sb_topo_cores(topo);
  int *cpus = calloc((size_t)count, sizeof(*cpus));
  if (cpus == NULL)
    return -ENOMEM;
  cpu_set_t allowed, set;
  rc = sb_topo_cpu_list(topo, cfg->pin, count, cpus, count);
  if (rc > 0 && sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
    rc = -errno;
  if (rc > 0) {
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++)
      if (cpus[i] < CPU_SETSIZE && CPU_ISSET(cpus[i], &allowed))
        CPU_SET(cpus[i], &set);
    rc = CPU_COUNT(&set) == 0
             ? -EINVAL
             : -pthread_attr_setaffinity_np(&rt->attr, sizeof(set), &set);
  }
  free(cpus);
  return rc;
}

static int thr_open(const sb_config *cfg, sb_runtime **out) {
  static const sb_config defaults;
  if (cfg == NULL)
    cfg = &defaults;
  if (cfg->workers < 0 || cfg->pin < SB_PIN_NONE || cfg->pin > SB_PIN_SPREAD)
    return -EINVAL;
  thr_runtime *rt = calloc(1, sizeof *rt);
  if (rt == NULL)
    return -ENOMEM;
  rt->base.ops = &sb_runtime_threads;
  sb_slab_init(&rt->tasks, offsetof(thr_task, free), task_init, rt);
  rt->pin = cfg->pin;
  int rc = -pthread_attr_init(&rt->attr);
  if (rc != 0)
    goto fail_attr;
  pthread_attr_setdetachstate(&rt->attr, PTHREAD_CREATE_DETACHED);
  if (rt->pin != SB_PIN_NONE && (rc = confine_threads(rt, cfg)) != 0)
    goto fail_mutex;
  rt->stack_size = sb__default_stack_size();
  if (cfg->stack_size != 0) {
    rc = -pthread_attr_setstacksize(&rt->attr, cfg->stack_size);
    if (rc != 0)
      goto fail_mutex; /* below PTHREAD_STACK_MIN: -EINVAL */
    pthread_attr_getstacksize(&rt->attr, &rt->stack_size);
  }
  rc = -pthread_mutex_init(&rt->lock, NULL);
  if (rc != 0)
    goto fail_mutex;
  rc = -pthread_cond_init(&rt->exited, NULL);
  if (rc != 0)
    goto fail_cond;
  rt->root = task_alloc(rt, 0); /* no other thread can see rt yet */
  if (rt->root == NULL) {
    rc = -ENOMEM;
    goto fail_root;
  }
  *out = &rt->base;
  return 0;
fail_root:
  pthread_cond_destroy(&rt->exited);
fail_cond:
  pthread_mutex_destroy(&rt->lock);
fail_mutex:
  pthread_attr_destroy(&rt->attr);
fail_attr:
  free(rt);
  return rc;
}

static void thr_close(sb_runtime *base) {
  thr_runtime *rt = (thr_runtime *)base;
  pthread_mutex_lock(&rt->lock);
  atomic_store(&rt->shutdown, 1);
  /* Every thread still alive sees shutdown at its next wake-up (a wait in
   * progress is interrupted by the unpark), drops its future and exits. */
  sb_slab_foreach(&rt->tasks, unpark_block, NULL);
  while (rt->live > 0)
    pthread_cond_wait(&rt->exited, &rt->lock);
  pthread_mutex_unlock(&rt->lock);
  sb_slab_foreach(&rt->tasks, destroy_block, NULL);
  sb_slab_destroy(&rt->tasks);
  pthread_cond_destroy(&rt->exited);
  pthread_mutex_destroy(&rt->lock);
  pthread_attr_destroy(&rt->attr);
  free(rt);
}

static void thr_info(sb_runtime *base, sb_runtime_info *out) {
  thr_runtime *rt = (thr_runtime *)base;
  out->workers = 0; /* one thread per task */
  out->stack_size = rt->stack_size;
  out->pin = rt->pin; /* NONE: the kernel places task threads */
  /* Under the lock every spawn counts under: it sees each spawn whose
   * lock section came before. */
  pthread_mutex_lock(&rt->lock);
  out->spawned = rt->spawned;
  pthread_mutex_unlock(&rt->lock);
}

/* Runs root on the calling thread, which parks between polls. */
static int thr_block_on(sb_runtime *base, sb_future *root) {
  thr_runtime *rt = (thr_runtime *)base;
  thr_task *t = rt->root;
  t->fut = root;
  sb_cx cx = {.rt = base,
              .waker = {.rt = base, .task = (sb_task *)t},
              .budget = INT32_MAX,
              .worker = t};
  while (poll_deferring(rt, t, &cx) == SB_PENDING) {
    sb_park(&t->parker);
    cx.budget = INT32_MAX;
  }
  return 0;
}

static int thr_spawn(sb_cx *cx, const sb_future *f, size_t size,
                     sb_task **out) {
  thr_runtime *rt = (thr_runtime *)cx->rt;
  int rc = 0;
  pthread_mutex_lock(&rt->lock);
  thr_task *t = NULL;
  if (atomic_load(&rt->shutdown))
    rc = -ECANCELED;
  else if ((t = task_alloc(rt, size)) == NULL)
    rc = -ENOMEM;
  else {
    /* Counted under the lock spawn holds anyway (no atomic added to the
     * hot path); a failed pthread_create below takes it back under the
     * same lock, so every count is a thread that was created. */
    rt->live++;
    rt->spawned++;
  }
  pthread_mutex_unlock(&rt->lock);
  if (rc != 0)
    return rc;
  memcpy(t->storage, f, size);
  t->fut = (sb_future *)t->storage;
  sb__joinref_init(&t->join);
  /* A recycled parker may hold a stale token: start empty (a later stale
   * unpark costs one spurious poll, which futures tolerate). */
  atomic_store(&t->parker.state, SB__PARK_EMPTY);
  pthread_t tid;
  if (pthread_create(&tid, &rt->attr, task_main, t) != 0) {
    rc = -EAGAIN; /* out of threads or memory for a stack */
    goto fail;
  }
  *out = (sb_task *)t;
  return 0;
fail:
  pthread_mutex_lock(&rt->lock);
  sb_slab_free(&rt->tasks, t, t->cls);
  rt->spawned--;
  if (--rt->live == 0)
    pthread_cond_signal(&rt->exited);
  pthread_mutex_unlock(&rt->lock);
  return rc;
}

static sb_poll thr_join(sb_cx *cx, sb_task *task, uint64_t *out) {
  thr_task *t = (thr_task *)task;
  if (!sb__joinref_poll(&t->join, cx->waker, out))
    return SB_PENDING;
  task_release(t->rt, t);
  return SB_READY;
}

static void thr_detach(sb_runtime *rt, sb_task *task) {
  task_release((thr_runtime *)rt, (thr_task *)task);
}

/* Inside a poll of this runtime's task the wake waits for the poll to return
 * or block (wakeq.h); elsewhere (another thread, a drop at close) it unparks
 * at once. */
static void thr_wake(sb_waker w) {
  if (!sb__wakeq_defer(w))
    unpark_task(w);
}

/* Blocks the task's thread until fd is ready or the task is woken. */
static sb_poll thr_wait_fd(sb_cx *cx, sb_wait *w, int fd, uint32_t events) {
  thr_runtime *rt = (thr_runtime *)cx->rt;
  thr_task *t = cx->worker;
  (void)w;           /* nothing to register: the thread itself waits */
  sb__wakeq_flush(); /* nobody waits for our wakes while we block */
  if (atomic_load(&rt->shutdown))
    return SB_PENDING;
  int r = sb_park_wait(&t->parker, fd, events, -1);
  /* A token (left for the task loop's park) means another wake: PENDING.
   * A poll(2) failure reads as readiness: the retried syscall reports it. */
  return r == SB_PARK_UNPARKED ? SB_PENDING : SB_READY;
}

/* clock_nanosleep cannot be interrupted by a wake (only by a signal), and a
 * sleep must end early when the task is woken (select over a timer and a
 * channel). FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline is
 * the same clock and the same one syscall, and unpark can end it. */
static sb_poll thr_sleep_until(sb_cx *cx, sb_wait *w, int64_t deadline_ns) {
  thr_runtime *rt = (thr_runtime *)cx->rt;
  thr_task *t = cx->worker;
  (void)w;
  if (sb_now_ns() >= deadline_ns)
    return SB_READY;
  sb__wakeq_flush(); /* nobody waits for our wakes while we sleep */
  if (atomic_load(&rt->shutdown))
    return SB_PENDING;
  int r = sb_park_wait(&t->parker, -1, 0, deadline_ns);
  return r == SB_PARK_UNPARKED ? SB_PENDING : SB_READY;
}

static void thr_cancel(sb_runtime *rt, sb_wait *w) {
  (void)rt; /* waits register nothing on this runtime */
  (void)w;
}

static void thr_forget_fd(sb_runtime *rt, int fd) {
  (void)rt; /* no per-fd state: poll(2) is stateless */
  (void)fd;
}

static sb_poll thr_yield(sb_cx *cx) {
  (void)cx;
  sb__wakeq_flush(); /* the tasks we woke may be the ones to run */
  sched_yield();
  return SB_READY;
}

const sb_runtime_ops sb_runtime_threads = {
    .name = "threads",
    .summary = "a thread per task; waits block it (poll, futex), wake unparks",
    .flags = SB_RT_THREAD_PER_TASK | SB_RT_BLOCKING_WAITS,
    .open = thr_open,
    .close = thr_close,
    .info = thr_info,
    .block_on = thr_block_on,
    .spawn = thr_spawn,
    .join = thr_join,
    .detach = thr_detach,
    .wake = thr_wake,
    .wait_fd = thr_wait_fd,
    .sleep_until = thr_sleep_until,
    .cancel = thr_cancel,
    .forget_fd = thr_forget_fd,
    .yield = thr_yield,
};
