/* Workload grain: n independent tasks each burn g ns of calibrated CPU,
 * swept over g; efficiency = ideal time / measured time tells how small a
 * task can be before the runtime's overhead dominates (Task Bench's METG). */
#include <sched.h>
#include <stdlib.h>

#include "lcg.h"
#include "runtimes/primitives/spawn.h"
#include "wcheck.h"

#define BATCH 1024 /* tasks alive at once, as in spawn: threads can keep up */

static const sb_param_spec specs[] = {{"n", 1000, 1, INT64_C(1) << 32},
                                      {"g", 10000, 1, INT64_C(10000000000)},
                                      {NULL, 0, 0, 0}};

typedef struct grain_state grain_state;

/* Task t: iters LCG steps from x = t. */
typedef struct burn_task {
  sb_future base;
  uint64_t x;    /* the start value, t */
  int64_t iters; /* steps to run */
} burn_task;

typedef struct grain_root {
  sb_future base;
  grain_state *st; /* the workload state */
  int64_t t0;      /* sb_now_ns at the first poll */
  int64_t done;    /* tasks joined in earlier batches */
  int spawned;     /* tasks spawned in this batch */
  int j;           /* the task of this batch being joined */
  int failed;      /* 1 once a spawn failed: no more batches */
  uint64_t sum;    /* outputs joined so far */
} grain_root;

struct grain_state {
  int64_t n, g;         /* the params */
  int64_t iters;        /* calibrated steps for g ns */
  int parallelism;      /* P in the ideal time n*g/P */
  int64_t runs;         /* runs measured since the last reset */
  int64_t elapsed_sum;  /* sum of those runs' times, ns */
  int64_t elapsed_min;  /* the fastest of them, ns */
  sb_join joins[BATCH]; /* one batch of join handles */
  sb__run_error err;    /* the run's first error */
  grain_root root;      /* the root future of the current run */
};

static sb_poll burn_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  burn_task *self = (burn_task *)f;
  return sb_future_ready(&self->base, sb__lcg_burn(self->x, self->iters));
}

static void root_drop(sb_future *f, sb_runtime *rt) {
  grain_root *self = (grain_root *)f;
  for (int j = 0; j < self->spawned; j++)
    sb_join_release(&self->st->joins[j], rt);
}

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  grain_root *self = (grain_root *)f;
  grain_state *st = self->st;
  SB_BEGIN(self);
  self->t0 = sb_now_ns();
  while (self->done < st->n && !self->failed) {
    for (self->spawned = 0;
         self->spawned < BATCH && self->done + self->spawned < st->n;
         self->spawned++) {
      burn_task t = {.base = SB_FUTURE_INIT(burn_poll, NULL),
                     .x = (uint64_t)(self->done + self->spawned),
                     .iters = st->iters};
      int rc = sb_spawn(cx, &t.base, sizeof(t), &st->joins[self->spawned]);
      if (rc < 0) {
        sb__run_error_set(&st->err, rc, "spawn burn task");
        self->failed = 1;
        break;
      }
    }
    for (self->j = 0; self->j < self->spawned; self->j++) {
      SB_AWAIT(self, sb_join_poll(&st->joins[self->j], cx));
      self->sum += st->joins[self->j].base.out;
    }
    self->done += self->spawned;
    self->spawned = 0;
  }
  {
    int64_t dt = sb_now_ns() - self->t0;
    st->runs++;
    st->elapsed_sum += dt;
    if (st->elapsed_min == 0 || dt < st->elapsed_min)
      st->elapsed_min = dt;
  }
  SB_END(self, self->sum);
}

/* P: the CPUs the runtime can keep busy at once. A runtime with W workers
 * can use min(W, CPUs); a thread per task (W = 0) can use every CPU this
 * process may run on (sched_getaffinity). */
static int parallelism(const sb_runtime_info *info) {
  cpu_set_t set;
  int cpus = 1;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    cpus = CPU_COUNT(&set);
  return info->workers > 0 && info->workers < cpus ? info->workers : cpus;
}

static int grain_setup(const sb_params *ps, const sb_setup_env *env,
                       void **state, char *why, size_t len) {
  grain_state *st = calloc(1, sizeof(*st));
  *state = st;
  if (st == NULL) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  st->n = sb_param_of(ps, specs, "n");
  st->g = sb_param_of(ps, specs, "g");
  st->iters = sb__lcg_iters_for_ns(st->g);
  st->parallelism = parallelism(&env->info);
  return 0;
}

static sb_future *grain_root_new(void *state) {
  grain_state *st = state;
  st->root =
      (grain_root){.base = SB_FUTURE_INIT(root_poll, root_drop), .st = st};
  sb__run_error_reset(&st->err);
  return &st->root.base;
}

static uint64_t grain_checksum(const sb_params *ps) {
  /* Each task gives A*t + C; summed over t < n: A*n(n-1)/2 + n*C. */
  uint64_t n = (uint64_t)sb_param_of(ps, specs, "n");
  uint64_t a, c;
  sb__lcg_affine(sb__lcg_iters_for_ns(sb_param_of(ps, specs, "g")), &a, &c);
  uint64_t tri = n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
  return a * tri + n * c;
}

static int grain_verify(void *state, uint64_t out, char *why, size_t len) {
  grain_state *st = state;
  sb_params ps = {{{"n", st->n}, {"g", st->g}}};
  return sb__verify_out(&st->err, out, grain_checksum(&ps), why, len);
}

static int64_t grain_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "n");
}

static void grain_work(const sb_params *ps, sb_work *out) {
  *out = sb__work_tasks(sb_param_of(ps, specs, "n"));
}

/* A repetition's sums start empty (PROTOCOL.md 3). */
static void grain_reset(void *state) {
  grain_state *st = state;
  st->runs = 0;
  st->elapsed_sum = 0;
  st->elapsed_min = 0;
}

/* efficiency = ideal / measured, ideal = n*g/P (see parallelism), measured
 * from the root's first poll to its completion: mean over the repetition's
 * runs, and its best run. METG is the smallest g whose cell reaches 0.5. */
static void grain_counters(void *state, sb_counters *c) {
  grain_state *st = state;
  double ideal = (double)st->n * (double)st->g / st->parallelism;
  sb_counter_set(c, "iters", (double)st->iters);
  sb_counter_set(c, "steps_per_ns", sb__lcg_steps_per_ns());
  sb_counter_set(c, "parallelism", st->parallelism);
  sb_counter_set(c, "ideal_ns", ideal);
  if (st->runs > 0) {
    double mean = (double)st->elapsed_sum / (double)st->runs;
    sb_counter_set(c, "measured_ns", mean);
    sb_counter_set(c, "efficiency", ideal / mean);
    sb_counter_set(c, "efficiency_best", ideal / (double)st->elapsed_min);
  }
}

static void grain_teardown(void *state) {
  free(state);
}

/* Quick: three grains, each run 20-100 ms of CPU. Full: g from 100 ns to
 * 1 ms, n scaled so each run is 0.2-2 s of CPU. */
static const sb_params quick[] = {{{{"n", 2000}, {"g", 1000}}},
                                  {{{"n", 2000}, {"g", 10000}}},
                                  {{{"n", 1000}, {"g", 100000}}},
                                  {{{NULL, 0}}}};
static const sb_params full[] = {{{{"n", 20000}, {"g", 100}}},
                                 {{{"n", 20000}, {"g", 300}}},
                                 {{{"n", 20000}, {"g", 1000}}},
                                 {{{"n", 10000}, {"g", 3000}}},
                                 {{{"n", 10000}, {"g", 10000}}},
                                 {{{"n", 4000}, {"g", 30000}}},
                                 {{{"n", 2000}, {"g", 100000}}},
                                 {{{"n", 400}, {"g", 1000000}}},
                                 {{{NULL, 0}}}};

const sb_workload sb_workload_grain = {
    .name = "grain",
    .question = "How small can a task be before the runtime's overhead "
                "dominates?",
    .unit = "task",
    .kind = "cpu",
    .headline = "efficiency",
    .headline_unit = "fraction",
    .quick = quick,
    .full = full,
    .params = specs,
    .setup = grain_setup,
    .root = grain_root_new,
    .verify = grain_verify,
    .checksum = grain_checksum,
    .ops = grain_ops,
    .work = grain_work,
    .reset = grain_reset,
    .counters = grain_counters,
    .teardown = grain_teardown,
};
