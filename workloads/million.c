/* Workload million: spawn n tasks that all wait on one event, measure the
 * memory they hold while waiting, then release and join them. The executors
 * must reach 10^6; threads goes as far as the machine allows and reports the
 * limit it hit. The protocol is PROTOCOL.md section 5: the last task to
 * count itself in wakes the root (O(n) wake-ups), which reads VmRSS and
 * VmSize against the baseline read in setup. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "oslimits.h"
#include "runtimes/primitives/event.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

static const sb_param_spec specs[] = {{"n", 1000000, 1, INT64_C(1) << 26},
                                      {NULL, 0, 0, 0}};

typedef struct million_state million_state;

/* Counts itself in, waits for the event, returns 1. */
typedef struct waiter {
  sb_future base;
  million_state *st; /* the workload state (its root holds the event) */
  sb_event_wait w;   /* the wait in flight */
} waiter;

typedef struct million_root {
  sb_future base;
  million_state *st; /* the workload state */
  int64_t t0;        /* sb_now_ns before the first spawn */
  int64_t spawned;   /* tasks spawned */
  int64_t j;         /* the task being joined */
  uint64_t sum;      /* outputs joined so far */
  sb_event *all_in;  /* set by the last task to count itself in */
  sb_event_wait w;   /* the root's wait on all_in */
} million_root;

/* The readings of one run, taken by its root. */
typedef struct million_reading {
  int64_t tasks;     /* tasks waiting when rss and vm were read */
  int64_t rss, vm;   /* VmRSS and VmSize then, bytes; 0 if unread */
  int64_t spawn_ns;  /* start of the first spawn call to end of the last */
  int64_t all_in_ns; /* start of the first spawn call to the root woken */
} million_reading;

struct million_state {
  int64_t n;           /* tasks per run */
  atomic_llong in;     /* tasks of this run that have counted in */
  atomic_llong target; /* tasks spawned this run; -1 while spawning */
  int64_t vm_base;     /* VmSize after setup, bytes */
  int64_t rss_base;    /* VmRSS after setup, bytes */
  /* The last run, reset by root_new: */
  million_reading last; /* its readings */
  int limit_err;        /* a spawn's -errno, 0 if every spawn worked */
  char limit_why[512];  /* the limit it hit, from sb__thread_limit_explain */
  /* The repetition (runs since the last reset): */
  int64_t runs;          /* runs whose readings are in the sums */
  int64_t spawn_ns_sum;  /* sum over them of spawn_ns */
  int64_t spawned_sum;   /* sum over them of tasks spawned */
  int64_t all_in_ns_sum; /* sum over them of all_in_ns */
  int64_t max_reached;   /* the most tasks waiting at once */
  int limit_hit;         /* 1 if one of them hit a limit */
  million_reading level; /* the latest run's readings (a level) */
  size_t stack_size;     /* the runtime's stack per OS thread (info) */
  unsigned rt_flags;     /* the runtime's SB_RT_* flags */
  sb_join *joins;        /* n join handles, resident before the baseline */
  sb__run_error err;     /* the run's first error (other than the limit) */
  million_root root;     /* the root future of the current run */
  /* The run's release event, opened by the root before its first spawn
   * and read by every waiter: alone on its line, away from the counters
   * the root and the waiters write meanwhile (on two workers, sharing a
   * line with root.spawned cost steal ~30 ns per task). */
  alignas(SB_CACHELINE) sb_event *go;
};

/* Makes every page of [p, p + len) resident: a store the compiler must keep
 * (volatile) on each page, of the zero already there. */
static void touch_pages(void *p, size_t len) {
  volatile unsigned char *b = p;
  for (size_t i = 0; i < len; i += 4096)
    b[i] = 0;
}

static void waiter_drop(sb_future *f, sb_runtime *rt) {
  waiter *self = (waiter *)f;
  sb_future_drop(&self->w.base, rt);
}

static sb_poll waiter_poll(sb_future *f, sb_cx *cx) {
  waiter *self = (waiter *)f;
  million_state *st = self->st;
  SB_BEGIN(self);
  /* Read before counting in: until every task has, the root neither
   * releases nor frees the event (nor does the next run replace it). */
  sb_event_wait_init(&self->w, st->go);
  /* Whichever of this increment and the root's store of target comes second
   * sees the other (both seq_cst), so all_in is set or the root skips it. */
  if (atomic_fetch_add(&st->in, 1) + 1 == atomic_load(&st->target))
    sb_event_set(st->root.all_in);
  SB_AWAIT(self, sb_event_wait_poll(&self->w, cx));
  SB_END(self, 1);
}

static void root_release(million_root *self, sb_runtime *rt) {
  for (int64_t j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
  sb_future_drop(&self->w.base, rt);
  /* Detached waiters may still wait on go: set it so none waits forever;
   * the events themselves are only freed by a run that joined everyone. */
  if (self->st->go != NULL)
    sb_event_set(self->st->go);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  root_release((million_root *)f, rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  million_root *self = (million_root *)f;
  million_state *st = self->st;
  SB_BEGIN(self);
  {
    int rc = sb_event_open(&st->go);
    if (rc == 0)
      rc = sb_event_open(&self->all_in);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "sb_event_open");
      goto out;
    }
  }
  atomic_store(&st->in, 0);
  atomic_store(&st->target, -1);
  self->t0 = sb_now_ns();
  for (self->spawned = 0; self->spawned < st->n; self->spawned++) {
    waiter w = {.base = SB_FUTURE_INIT(waiter_poll, waiter_drop), .st = st};
    int rc = sb_spawn(cx, &w.base, sizeof(w), &st->joins[self->spawned]);
    if (rc < 0) {
      /* The limit is a result: record what stopped it while the tasks
       * that made it are still alive, then release those. */
      if (st->limit_err == 0) {
        st->limit_err = rc;
        sb__thread_limit_explain(rc, self->spawned, st->limit_why,
                                 sizeof(st->limit_why));
      }
      break;
    }
  }
  st->last.spawn_ns = sb_now_ns() - self->t0;
  st->last.tasks = self->spawned;
  atomic_store(&st->target, self->spawned);
  if (self->spawned > 0 && atomic_load(&st->in) != self->spawned) {
    sb_event_wait_init(&self->w, self->all_in);
    SB_AWAIT(self, sb_event_wait_poll(&self->w, cx));
  }
  st->last.all_in_ns = sb_now_ns() - self->t0;
  if (sb__statm(&st->last.vm, &st->last.rss) < 0)
    st->last.vm = st->last.rss = 0;
  sb_event_set(st->go);
  for (self->j = 0; self->j < self->spawned; self->j++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
    self->sum += st->joins[self->j].base.out;
  }
  /* Into the repetition: sums for the means, the level as the latest. */
  st->runs++;
  st->spawn_ns_sum += st->last.spawn_ns;
  st->spawned_sum += st->last.tasks;
  st->all_in_ns_sum += st->last.all_in_ns;
  if (st->last.tasks > st->max_reached)
    st->max_reached = st->last.tasks;
  st->limit_hit |= st->limit_err != 0;
  st->level = st->last;
out:
  /* Every waiter is joined (or none was spawned): nobody waits on either. */
  sb_event_free(st->go);
  sb_event_free(self->all_in);
  st->go = self->all_in = NULL;
  self->spawned = 0;
  SB_END(self, self->sum);
}

static void million_teardown(void *state) {
  million_state *st = state;
  if (st == NULL)
    return;
  free(st->joins);
  free(st);
}

static int million_setup(const sb_params *ps, const sb_setup_env *env,
                         void **state, char *why, size_t len) {
  /* aligned_alloc: the state has a member on a cache line of its own (a
   * struct's size is a multiple of its alignment, as aligned_alloc wants). */
  million_state *st =
      aligned_alloc(_Alignof(million_state), sizeof(million_state));
  int rc = -ENOMEM;
  *state = NULL;
  if (st == NULL)
    goto fail;
  memset(st, 0, sizeof(*st));
  st->n = sb_param_of(ps, specs, "n");
  st->joins = malloc((size_t)st->n * sizeof(sb_join));
  if (st->joins == NULL)
    goto fail;
  /* Touched now, so the join handles are in the baseline: RSS per task
   * counts what the runtime holds for a waiting task, not our handles. A
   * memset(0) is not enough: gcc folds malloc + memset(0) into calloc,
   * whose fresh pages stay untouched until the root fills the handles,
   * which then counted 40 B per task (sizeof(sb_join)) against every
   * runtime. So zero them, then write each page through a volatile. */
  memset(st->joins, 0, (size_t)st->n * sizeof(sb_join));
  touch_pages(st->joins, (size_t)st->n * sizeof(sb_join));
  st->stack_size = env->info.stack_size;
  st->rt_flags = env->rt->ops->flags;
  rc = sb__statm(&st->vm_base, &st->rss_base);
  if (rc < 0) {
    snprintf(why, len, "cannot read /proc/self/statm: %s", strerror(-rc));
    goto cleanup;
  }
  *state = st;
  return 0;
fail:
  snprintf(why, len, "out of memory for %" PRId64 " join handles",
           sb_param_of(ps, specs, "n"));
cleanup:
  million_teardown(st);
  return rc;
}

static sb_future *million_root_new(void *state) {
  million_state *st = state;
  st->root =
      (million_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  st->go = NULL;
  st->last = (million_reading){0};
  st->limit_err = 0;
  st->limit_why[0] = '\0';
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t million_checksum(const sb_params *ps) {
  return (uint64_t)sb_param_of(ps, specs, "n");
}

/* Reaching fewer than n tasks fails the cell with the limit as the reason;
 * the counters still say how far it got and what a task cost. */
static int million_verify(void *state, uint64_t out, char *why, size_t len) {
  million_state *st = state;
  if (st->limit_err != 0) {
    /* The counters are lost with a failed cell: the reason carries them. */
    int64_t k = st->last.tasks > 0 ? st->last.tasks : 1;
    snprintf(why, len,
             "reached %" PRId64 " of %" PRId64 " tasks, %" PRId64
             " B RSS and %" PRId64 " B VM per task; %s",
             st->last.tasks, st->n, (st->last.rss - st->rss_base) / k,
             (st->last.vm - st->vm_base) / k, st->limit_why);
    return -1;
  }
  return sb__verify_out(&st->err, out, (uint64_t)st->n, why, len);
}

static int64_t million_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "n");
}

static void million_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(sb_param_of(ps, specs, "n"));
}

static void million_reset(void *state) {
  million_state *st = state;
  st->runs = 0;
  st->spawn_ns_sum = 0;
  st->spawned_sum = 0;
  st->all_in_ns_sum = 0;
  st->max_reached = 0;
  st->limit_hit = 0;
  st->level = (million_reading){0};
}

/* The repetition's counters (PROTOCOL.md 5): RSS and VM per waiting task
 * from its last run (a level), times per task as means over its runs (the
 * sum of the runs' times over the sum of their tasks: every run has n). */
static void million_counters(void *state, sb_counters *c) {
  million_state *st = state;
  sb_counter_set(c, "max_tasks_reached", (double)st->max_reached);
  sb_counter_set(c, "limit_hit", st->limit_hit);
  if (st->level.tasks > 0 && st->level.rss > 0) {
    double k = (double)st->level.tasks;
    sb_counter_set(c, "rss_per_task_bytes",
                   (double)(st->level.rss - st->rss_base) / k);
    sb_counter_set(c, "vm_per_task_bytes",
                   (double)(st->level.vm - st->vm_base) / k);
  }
  if (st->rt_flags & SB_RT_THREAD_PER_TASK)
    sb_counter_set(c, "stack_reserved_bytes", (double)st->stack_size);
  if (st->spawned_sum > 0) {
    sb_counter_set(c, "spawn_ns_per_task",
                   (double)st->spawn_ns_sum / (double)st->spawned_sum);
    sb_counter_set(c, "all_waiting_ns_per_task",
                   (double)st->all_in_ns_sum / (double)st->spawned_sum);
  }
}

/* Quick: 2000 waiting tasks (threads: ~170 ms, 16 GB of stack reserved).
 * Full: the million; threads stops at the limit it hits. */
static const sb_params quick[] = {{{{"n", 2000}}}, {{{NULL, 0}}}};
/* 10,000 is in reach of `threads` here, so RSS and VM per waiting thread
 * are measured; the larger sizes show where it stops. */
static const sb_params full[] = {
    {{{"n", 10000}}}, {{{"n", 100000}}}, {{{"n", 1000000}}}, {{{NULL, 0}}}};

const sb_workload sb_workload_million = {
    .name = "million",
    .question = "Does async scale to millions of waiting tasks and threads "
                "to thousands, and what does a waiting task really cost?",
    .unit = "task",
    .kind = "memory",
    .headline = "rss_per_task_bytes",
    .headline_unit = "bytes",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = million_setup,
    .root = million_root_new,
    .verify = million_verify,
    .checksum = million_checksum,
    .ops = million_ops,
    .work = million_work,
    .reset = million_reset,
    .counters = million_counters,
    .teardown = million_teardown,
};
