/* Workload timers: n tasks each sleep a different duration and are joined;
 * how late each wake lands past its deadline (the time read just before its
 * spawn call + duration). blocking=1 is the pitfall: the task sleeps with
 * clock_nanosleep instead of the runtime's sleep, so on an executor the
 * sleeps queue up. Lateness goes into the task's own slot during the run and
 * into the histogram only after it (PROTOCOL.md section 5). */
#include <stdlib.h>

#include "latency.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

#define PERIOD 20 /* task i sleeps 1 + i mod PERIOD ms */

static const sb_param_spec specs[] = {
    {"n", 1000, 1, 1 << 20}, {"blocking", 0, 0, 1}, {NULL, 0, 0, 0}};

typedef struct timers_state timers_state;

/* Task i: once running, sleeps its duration (as sleep(d) does, from when
 * it is called), stores how late it woke against its deadline in its slot,
 * returns i. */
typedef struct sleeper {
  sb_future base;
  timers_state *st; /* the workload state */
  uint64_t i;       /* the task's index and output */
  int64_t dur;      /* its duration, ns */
  int64_t deadline; /* read before the spawn call + dur, CLOCK_MONOTONIC ns */
  sb_sleep sleep;   /* the runtime's sleep (blocking = 0) */
} sleeper;

typedef struct timers_root {
  sb_future base;
  timers_state *st; /* the workload state */
  int64_t t0;       /* sb_now_ns at the first poll */
  int64_t spawned;  /* tasks spawned */
  int64_t j;        /* the task being joined */
  uint64_t sum;     /* outputs joined so far */
} timers_root;

struct timers_state {
  int64_t n;          /* tasks */
  int blocking;       /* 1: sleep with clock_nanosleep */
  sb_join *joins;     /* n join handles */
  int64_t *slot;      /* slot[i]: task i's lateness in the run, ns; written
                         by task i alone, read after block_on (whose return
                         orders every task's write before the read) */
  int64_t unrecorded; /* slots of the last run not yet in late (0..n) */
  /* The repetition: the runs since the last reset. */
  sb_latency *late;    /* ns past the deadline, every wake */
  int64_t runs;        /* runs measured */
  int64_t elapsed_sum; /* sum of the runs' times, ns */
  sb__run_error err;   /* the run's first error */
  timers_root root;    /* the root future of the current run */
};

static void sleeper_drop(sb_future *f, sb_runtime *rt) {
  sleeper *self = (sleeper *)f;
  sb_future_drop(&self->sleep.base, rt);
}

/* The pitfall: blocks whatever thread polls the task for dur ns. */
static void sleep_blocking(int64_t dur) {
  struct timespec ts = {.tv_sec = dur / 1000000000,
                        .tv_nsec = dur % 1000000000};
  while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) != 0) {
  }
}

static sb_poll sleeper_poll(sb_future *f, sb_cx *cx) {
  sleeper *self = (sleeper *)f;
  SB_BEGIN(self);
  if (self->st->blocking) {
    sleep_blocking(self->dur);
  } else {
    sb_sleep_for_init(&self->sleep, self->dur);
    SB_AWAIT(self, sb_sleep_poll(&self->sleep, cx));
  }
  self->st->slot[self->i] = sb_now_ns() - self->deadline;
  SB_END(self, self->i);
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  timers_root *self = (timers_root *)f;
  for (int64_t j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  timers_root *self = (timers_root *)f;
  timers_state *st = self->st;
  SB_BEGIN(self);
  self->t0 = sb_now_ns();
  for (self->spawned = 0; self->spawned < st->n; self->spawned++) {
    int64_t dur = (1 + self->spawned % PERIOD) * INT64_C(1000000);
    sleeper s = {.base = SB_FUTURE_INIT(sleeper_poll, sleeper_drop),
                 .st = st,
                 .i = (uint64_t)self->spawned,
                 .dur = dur};
    /* The deadline is read immediately before the spawn call: time the
     * task spends queued before its first poll counts as late. */
    s.deadline = sb_now_ns() + dur;
    int rc = sb_spawn(cx, &s.base, sizeof(s), &st->joins[self->spawned]);
    if (rc < 0) {
      sb__run_error_set(&st->err, rc, "spawn sleeper");
      break;
    }
  }
  for (self->j = 0; self->j < self->spawned; self->j++) {
    SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
    self->sum += st->joins[self->j].base.out;
  }
  st->runs++;
  st->elapsed_sum += sb_now_ns() - self->t0;
  st->unrecorded = self->spawned; /* every spawned task was joined */
  SB_END(self, self->sum);
}

static void timers_teardown(void *state) {
  timers_state *st = state;
  if (st == NULL)
    return;
  free(st->late);
  free(st->slot);
  free(st->joins);
  free(st);
}

static int timers_setup(const sb_params *ps, const sb_setup_env *env,
                        void **state, char *why, size_t len) {
  (void)env;
  timers_state *st = calloc(1, sizeof(*st));
  *state = NULL;
  if (st == NULL)
    goto nomem;
  st->n = sb_param_of(ps, specs, "n");
  st->blocking = (int)sb_param_of(ps, specs, "blocking");
  st->joins = calloc((size_t)st->n, sizeof(sb_join));
  st->slot = calloc((size_t)st->n, sizeof(*st->slot));
  st->late = malloc(sizeof(*st->late));
  if (st->joins == NULL || st->slot == NULL || st->late == NULL)
    goto nomem;
  sb_latency_reset(st->late);
  *state = st;
  return 0;
nomem:
  timers_teardown(st);
  snprintf(why, len, "out of memory");
  return -ENOMEM;
}

/* Records the last run's slots into the repetition's histogram, once. Called
 * outside the timed region only: by verify (right after block_on returns),
 * and, so that a run is never lost when a caller skips verify, by the next
 * root_new and by counters; each call after the first finds nothing left. */
static void record_slots(timers_state *st) {
  for (int64_t i = 0; i < st->unrecorded; i++)
    sb_latency_record(st->late, st->slot[i]);
  st->unrecorded = 0;
}

static sb_future *timers_root_new(void *state) {
  timers_state *st = state;
  record_slots(st);
  st->root =
      (timers_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t timers_checksum(const sb_params *ps) {
  uint64_t n = (uint64_t)sb_param_of(ps, specs, "n");
  return n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
}

static int timers_verify(void *state, uint64_t out, char *why, size_t len) {
  timers_state *st = state;
  record_slots(st);
  sb_params ps = {{{"n", st->n}, {"blocking", st->blocking}}};
  return sb__verify_out(&st->err, out, timers_checksum(&ps), why, len);
}

static int64_t timers_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "n");
}

static void timers_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(sb_param_of(ps, specs, "n"));
}

/* A repetition starts with an empty histogram; the warm-up's (or an
 * earlier repetition's) slots are dropped unrecorded. */
static void timers_reset(void *state) {
  timers_state *st = state;
  st->unrecorded = 0;
  sb_latency_reset(st->late);
  st->runs = 0;
  st->elapsed_sum = 0;
}

/* Lateness percentiles over every wake of the repetition's runs, and the
 * mean run time against the longest sleep (1.0 = every task slept
 * concurrently). A run's time is its root's span, first poll to completion:
 * the timed region less the runtime's start and finish of block_on. */
static void timers_counters(void *state, sb_counters *c) {
  timers_state *st = state;
  record_slots(st);
  int64_t longest = (st->n < PERIOD ? st->n : PERIOD) * INT64_C(1000000);
  sb_latency_counters(st->late, SB_LATENCY_NAMES("late_"), c);
  sb_counter_set(c, "longest_sleep_ns", (double)longest);
  if (st->runs > 0) {
    double mean = (double)st->elapsed_sum / (double)st->runs;
    sb_counter_set(c, "wall_ns", mean);
    sb_counter_set(c, "wall_over_longest", mean / (double)longest);
  }
}

/* Quick: n = 40 keeps the pitfall near 420 ms on single (every sleep in
 * turn) and 210 ms on pool, whose workers block in any sleep. Full adds
 * n = 1000 for the timer queue under load (pool: ~5 s, one sleep per worker
 * at a time). */
static const sb_params quick[] = {{{{"n", 40}, {"blocking", 0}}},
                                  {{{"n", 40}, {"blocking", 1}}},
                                  {{{NULL, 0}}}};
static const sb_params full[] = {{{{"n", 1000}, {"blocking", 0}}},
                                 {{{"n", 200}, {"blocking", 0}}},
                                 {{{"n", 200}, {"blocking", 1}}},
                                 {{{NULL, 0}}}};

const sb_workload sb_workload_timers = {
    .name = "timers",
    .question = "How late do sleeping tasks wake, and what does sleeping "
                "with a blocking call do to total time?",
    .unit = "timer",
    .kind = "pitfall",
    .headline = "late_p99_ns",
    .headline_unit = "ns",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = timers_setup,
    .root = timers_root_new,
    .verify = timers_verify,
    .checksum = timers_checksum,
    .ops = timers_ops,
    .work = timers_work,
    .reset = timers_reset,
    .counters = timers_counters,
    .teardown = timers_teardown,
};
