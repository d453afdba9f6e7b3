/* The CPU, switch, timer and memory workloads (pingpong ... million) at tiny
 * sizes on the runtime named in argv[1]: every run verified against the
 * checksum, the counters they report; plus their closed-form checksums
 * against brute force, and param checking. */
#include <errno.h>

#include "run_check.h"
#include "test.h"
#include "workloads/fib.h"
#include "workloads/lcg.h"
#include "workloads/oslimits.h"
#include "workloads/workload.h"

/* Runs w with ps on a fresh runtime as one repetition of `runs` runs after a
 * warm-up (run_check.h), verifying each run and its work, and fills *c with
 * the repetition's counters. */
static void run(const sb_runtime_ops *ops, const sb_workload *w,
                const sb_params *ps, int runs, sb_counters *c) {
  ASSERT_EQ(run_check(ops, 0, w, ps, runs, c), 0);
}

#define P1(a, va)                                                              \
  {                                                                            \
    {                                                                          \
      { a, va }                                                                \
    }                                                                          \
  }
#define P2(a, va, b, vb)                                                       \
  {                                                                            \
    {                                                                          \
      {a, va}, {                                                               \
        b, vb                                                                  \
      }                                                                        \
    }                                                                          \
  }
#define P3(a, va, b, vb, c, vc)                                                \
  {                                                                            \
    {                                                                          \
      {a, va}, {b, vb}, {                                                      \
        c, vc                                                                  \
      }                                                                        \
    }                                                                          \
  }

static void test_pingpong(const sb_runtime_ops *ops) {
  sb_params ps = P1("n", 300);
  sb_counters c;
  run(ops, &sb_workload_pingpong, &ps, 2, &c);
}

static void test_yield(const sb_runtime_ops *ops) {
  sb_params ps = P2("k", 3, "n", 50);
  sb_counters c;
  run(ops, &sb_workload_yield, &ps, 2, &c);
}

static void test_spawn(const sb_runtime_ops *ops) {
  sb_params ps = P1("n", 1500); /* two batches, the second partial */
  sb_counters c;
  run(ops, &sb_workload_spawn, &ps, 2, &c);
}

static void test_fib(const sb_runtime_ops *ops) {
  sb_params ps = P2("n", 16, "cutoff", 9);
  sb_counters c;
  run(ops, &sb_workload_fib, &ps, 2, &c);
}

static void test_sum(const sb_runtime_ops *ops) {
  sb_params ps = P2("n", 50001, "chunk", 4096); /* a short last chunk */
  sb_counters c;
  run(ops, &sb_workload_sum, &ps, 2, &c);
}

static void test_grain(const sb_runtime_ops *ops) {
  sb_params ps = P2("n", 200, "g", 2000);
  sb_counters c;
  run(ops, &sb_workload_grain, &ps, 2, &c);
  ASSERT_GE(counter(&c, "iters"), 1);
  ASSERT_GE(counter(&c, "parallelism"), 1);
  ASSERT(counter(&c, "efficiency") > 0);
}

static void test_timers(const sb_runtime_ops *ops) {
  sb_counters c;
  for (int b = 0; b <= 1; b++) {
    sb_params ps = P2("n", 8, "blocking", b);
    run(ops, &sb_workload_timers, &ps, 2, &c);
    /* Every wake of the repetition's two runs, not the warm-up's. */
    ASSERT_EQ(counter(&c, "late_samples"), 16);
    ASSERT_GE(counter(&c, "late_max_ns"), counter(&c, "late_p90_ns"));
    ASSERT_GE(counter(&c, "late_p90_ns"), counter(&c, "late_p50_ns"));
    /* Every task slept at least its duration after its deadline was read,
     * so the wall time covers the longest sleep. */
    ASSERT_GE(counter(&c, "wall_ns"), counter(&c, "longest_sleep_ns"));
  }
}

static void test_blocking(const sb_runtime_ops *ops) {
  sb_counters c;
  for (int off = 0; off <= 1; off++) {
    sb_params ps = P3("m", 3, "cpu_ms", 10, "offload", off);
    run(ops, &sb_workload_blocking, &ps, 2, &c);
    /* Each probe wakes at least once and at most cpu_ms times a run. */
    ASSERT_GE(counter(&c, "probe_wakes_per_run"), 3);
    ASSERT_LE(counter(&c, "probe_wakes_per_run"), 30);
  }
}

static void test_workqueue(const sb_runtime_ops *ops) {
  sb_params ps = P3("r", 3, "n", 200, "cap", 2);
  sb_counters c;
  run(ops, &sb_workload_workqueue, &ps, 2, &c);
}

static void test_million(const sb_runtime_ops *ops) {
  sb_params ps = P1("n", 300);
  sb_counters c;
  run(ops, &sb_workload_million, &ps, 2, &c);
  ASSERT_EQ(counter(&c, "max_tasks_reached"), 300);
  ASSERT_EQ(counter(&c, "limit_hit"), 0);
  ASSERT(has_counter(&c, "rss_per_task_bytes"));
  ASSERT(has_counter(&c, "vm_per_task_bytes"));
  ASSERT(counter(&c, "spawn_ns_per_task") > 0);
  ASSERT_GE(counter(&c, "all_waiting_ns_per_task"),
            counter(&c, "spawn_ns_per_task"));
}

/* The closed forms the README gives, against doing the work. */
static void test_checksums(const sb_runtime_ops *ops) {
  (void)ops;
  for (int64_t n = 1; n <= 2000; n += 333) {
    sb_params ps = P2("n", n, "chunk", 1);
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++)
      s += (uint64_t)i * (uint64_t)i;
    ASSERT_EQ(sb_workload_sum.checksum(&ps), s);
  }
  for (int k = 0; k < 25; k++) {
    uint64_t a, c;
    sb__lcg_affine(k * 37, &a, &c);
    ASSERT_EQ(a * 12345 + c, sb__lcg_burn(12345, k * 37));
  }
  for (int n = 2; n < 25; n++) {
    sb_params ps = P2("n", n, "cutoff", 1);
    ASSERT_EQ(sb_workload_fib.checksum(&ps), sb_fib_serial(n));
  }
  for (int n = 2; n < 25; n += 3)
    for (int cutoff = 0; cutoff < n; cutoff += 4)
      ASSERT_EQ(sb_fib_tree(n, cutoff), sb_fib_serial(n));
  ASSERT_EQ(sb_fib_tasks(30, 15), 3192);
  ASSERT_EQ(sb_fib_tasks(5, 5), 0);
  sb_params pp = P1("n", 7);
  ASSERT_EQ(sb_workload_pingpong.checksum(&pp), 28);
  sb_params wq = P3("r", 3, "n", 5, "cap", 1);
  ASSERT_EQ(sb_workload_workqueue.checksum(&wq), 225);
  sb_params y = P2("k", 4, "n", 3);
  ASSERT_EQ(sb_workload_yield.checksum(&y), 30);
}

static void expect_rejected(const sb_workload *w, sb_params ps) {
  char why[256] = "";
  ASSERT_EQ(sb_workload_check(w, &ps, why, sizeof(why)), -EINVAL);
  ASSERT(why[0] != '\0');
}

static void test_params(const sb_runtime_ops *ops) {
  (void)ops;
  expect_rejected(&sb_workload_pingpong, (sb_params)P1("n", 0));
  expect_rejected(&sb_workload_pingpong, (sb_params)P1("bogus", 1));
  expect_rejected(&sb_workload_fib, (sb_params)P2("n", 20, "cutoff", 20));
  expect_rejected(&sb_workload_sum, (sb_params)P2("n", 100, "chunk", 101));
  expect_rejected(&sb_workload_timers, (sb_params)P2("n", 10, "blocking", 2));
  expect_rejected(&sb_workload_blocking, (sb_params)P1("offload", -1));
  expect_rejected(&sb_workload_million, (sb_params)P1("n", -3));
  /* Every workload states its work in closed form (PROTOCOL.md 4). */
  for (const sb_workload *const *w = sb_workloads; *w != NULL; w++)
    ASSERT((*w)->work != NULL);
  /* Every quick and full set passes its own check. */
  const sb_workload *all[] = {&sb_workload_pingpong,  &sb_workload_yield,
                              &sb_workload_spawn,     &sb_workload_fib,
                              &sb_workload_sum,       &sb_workload_grain,
                              &sb_workload_timers,    &sb_workload_blocking,
                              &sb_workload_workqueue, &sb_workload_million};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    const sb_params *sets[] = {all[i]->quick, all[i]->full};
    for (int k = 0; k < 2; k++)
      for (const sb_params *ps = sets[k]; ps->p[0].name != NULL; ps++) {
        char why[256] = "";
        ASSERT_EQ(sb_workload_check(all[i], ps, why, sizeof(why)), 0);
        ASSERT_GT(all[i]->ops(ps), 0);
        sb_work work;
        all[i]->work(ps, &work);
        ASSERT_GT(work.tasks, 0);
      }
  }
}

static void test_oslimits(const sb_runtime_ops *ops) {
  (void)ops;
  int64_t vm = 0, rss = 0;
  char buf[512];
  ASSERT_EQ(sb__statm(&vm, &rss), 0);
  ASSERT_GT(rss, 0);
  ASSERT_GE(vm, rss);
  sb__thread_limit_explain(-EAGAIN, 42, buf, sizeof(buf));
  ASSERT_EQ(strncmp(buf, "limit ", 6), 0);
  ASSERT(strstr(buf, "after 42") != NULL);
}

static const sb_test_case cases[] = {
    {"pingpong", test_pingpong},
    {"yield", test_yield},
    {"spawn", test_spawn},
    {"fib", test_fib},
    {"sum", test_sum},
    {"grain", test_grain},
    {"timers", test_timers},
    {"blocking", test_blocking},
    {"workqueue", test_workqueue},
    {"million", test_million},
    {"checksums", test_checksums},
    {"params", test_params},
    {"oslimits", test_oslimits},
};

SB_TEST_MAIN(cases)
