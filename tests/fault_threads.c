/* Thread creation failing. pthread_create is made to fail (EAGAIN) at each
 * point of open for the runtimes that start workers (pool, steal), and on
 * some spawns of `threads` (a thread per task); then, in a child process
 * running as an unprivileged user, RLIMIT_NPROC is lowered so the kernel
 * refuses the threads itself. Each failure must come back as -EAGAIN from
 * open or spawn, with no thread, allocation or task left behind and every
 * task that did start producing its result. */
#include <errno.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault_common.h"
#include "faultinject.h"
#include "runtimes/primitives/event.h"
#include "test.h"

/* ---- a root that spawns n children held on an event --------------------- */

#define MAX_KIDS 64

typedef struct kid {
  sb_future base;
  sb_event *go;   /* released by the root once every spawn was tried */
  uint64_t value; /* the output */
  sb_event_wait w;
} kid;

static sb_poll kid_poll(sb_future *f, sb_cx *cx) {
  kid *k = (kid *)f;
  SB_BEGIN(k);
  sb_event_wait_init(&k->w, k->go);
  SB_AWAIT(k, sb_event_wait_poll(&k->w, cx));
  SB_END(k, k->value);
}

typedef struct spawner {
  sb_future base;
  int n;         /* spawns to try */
  int i;         /* the handle being joined */
  int failed;    /* spawns refused */
  int first_err; /* the first refusal's -errno */
  uint64_t sum;  /* outputs of the children that ran */
  sb_event *go;
  sb_join j[MAX_KIDS];
} spawner;

static sb_poll spawner_poll(sb_future *f, sb_cx *cx) {
  spawner *s = (spawner *)f;
  SB_BEGIN(s);
  for (int i = 0; i < s->n; i++) {
    kid k = {.base = SB_FUTURE_INIT(kid_poll, NULL),
             .go = s->go,
             .value = (uint64_t)i * 3 + 1};
    int rc = sb_spawn(cx, &k.base, sizeof(k), &s->j[i]);
    if (rc < 0 && s->failed++ == 0)
      s->first_err = rc;
  }
  sb_event_set(s->go);
  for (s->i = 0; s->i < s->n; s->i++) {
    SB_AWAIT(s, sb_join_poll(&s->j[s->i], cx));
    if ((int64_t)s->j[s->i].base.out >= 0)
      s->sum += s->j[s->i].base.out; /* refused: READY with the -errno */
    else
      ASSERT_EQ((int64_t)s->j[s->i].base.out, s->first_err);
  }
  SB_END(s, s->sum);
}

/* Runs a spawner of n on rt. Returns it (by value) for inspection. */
static spawner run_spawner(const sb_runtime_ops *ops, sb_runtime *rt, int n) {
  spawner s = {.base = SB_FUTURE_INIT(spawner_poll, NULL), .n = n};
  ASSERT_EQ(sb_event_open(&s.go), 0);
  ASSERT_EQ(ops->block_on(rt, &s.base), 0);
  sb_event_free(s.go);
  s.go = NULL;
  uint64_t all = 0;
  for (int i = 0; i < n; i++)
    all += (uint64_t)i * 3 + 1;
  ASSERT_LE(s.sum, all);
  return s;
}

/* Opens and closes once, so that process-wide state made on first use (the
 * topology) is not counted as a leak. */
static void warm_up(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  run_spawner(ops, rt, 4);
  ops->close(rt);
}

/* ---- injected -------------------------------------------------------------
 */

#define WORKERS 4

static void test_open_fails(const sb_runtime_ops *ops) {
  warm_up(ops);
  ASSERT(fc_await_main_only()); /* warm-up threads gone */
  int64_t allocs0 = sb_fi_live_allocs();
  for (int k = 0; k < WORKERS; k++) {
    sb_config cfg = {.workers = WORKERS};
    sb_runtime *rt = NULL;
    sb_fi_rule r = SB_FI_RULE;
    r.err = EAGAIN;
    r.skip = k; /* the k-th worker cannot start */
    r.count = 1;
    sb_fi_arm(SB_FI_PTHREAD_CREATE, r);
    int rc = ops->open(&cfg, &rt);
    int64_t injected = sb_fi_injected(SB_FI_PTHREAD_CREATE);
    sb_fi_disarm_all();
    if (injected == 0) { /* no k-th thread at open: a thread per task, or
                            the caller's thread is the first worker (fiber) */
      ASSERT_EQ(rc, 0);
      ASSERT((ops->flags & SB_RT_THREAD_PER_TASK) || k == WORKERS - 1);
      ops->close(rt);
      break;
    }
    ASSERT_EQ(rc, -EAGAIN);
    ASSERT(fc_await_main_only());            /* no thread left behind */
    ASSERT_EQ(sb_fi_live_allocs(), allocs0); /* and everything freed */
  }
  fprintf(stderr, "  open refused with EAGAIN at each of %d workers\n",
          WORKERS);
  /* And the runtime still opens and runs once threads can be made. */
  sb_config cfg = {.workers = WORKERS};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  spawner s = run_spawner(ops, rt, 10);
  ASSERT_EQ(s.failed, 0);
  ops->close(rt);
}

static void test_spawn_fails(const sb_runtime_ops *ops) {
  warm_up(ops);
  ASSERT(fc_await_main_only()); /* warm-up threads gone */
  int64_t allocs0 = sb_fi_live_allocs();
  sb_config cfg = {.workers = WORKERS};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  sb_fi_rule r = SB_FI_RULE;
  r.err = EAGAIN;
  r.one_in = 3;
  r.seed = 3;
  sb_fi_arm(SB_FI_PTHREAD_CREATE, r);
  spawner s = run_spawner(ops, rt, 40);
  int64_t injected = sb_fi_injected(SB_FI_PTHREAD_CREATE);
  sb_fi_disarm_all();
  fprintf(stderr, "  %d of 40 spawns refused (%s), %lld creations failed\n",
          s.failed, s.failed ? strerror(-s.first_err) : "-",
          (long long)injected);
  ASSERT_EQ(s.failed, injected); /* each failed creation is one refusal */
  /* info.spawned counts the spawns that succeeded, not the refused ones. */
  sb_runtime_info info = {0};
  ops->info(rt, &info);
  ASSERT_EQ(info.spawned, 40 - s.failed);
  if (ops->flags & SB_RT_THREAD_PER_TASK) {
    ASSERT_GT(s.failed, 0);
    ASSERT_EQ(s.first_err, -EAGAIN);
  }
  uint64_t want = 0;
  for (int i = 0; i < 40; i++)
    want += (uint64_t)i * 3 + 1;
  /* The children that ran add up to the total less the refused ones. */
  ASSERT_LE(s.sum, want);
  /* Refusals leave the runtime whole: the next round all succeed. */
  s = run_spawner(ops, rt, 40);
  ASSERT_EQ(s.failed, 0);
  ASSERT_EQ(s.sum, want);
  ops->info(rt, &info);
  ASSERT_EQ(info.spawned, 80 - (uint64_t)injected);
  ops->close(rt);
  ASSERT(fc_await_main_only()); /* no thread left behind */
  ASSERT_EQ(sb_fi_live_allocs(), allocs0);
}

/* ---- RLIMIT_NPROC, in a child process ------------------------------------ */

#define NOBODY 65534

/* In the child: become an unprivileged user (the limit does not bind root),
 * allow `limit` threads for that user, then try. Exit 0, 77 or abort. */
static void nproc_child(const sb_runtime_ops *ops) {
  if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) {
    fprintf(stderr, "  skip: cannot drop to uid %d: %s\n", NOBODY,
            strerror(errno));
    _exit(SB_TEST_SKIP);
  }
  struct rlimit lim = {.rlim_cur = 6, .rlim_max = 6};
  ASSERT_EQ(setrlimit(RLIMIT_NPROC, &lim), 0);
  sb_config cfg = {.workers = 16}; /* more than the limit allows */
  sb_runtime *rt = NULL;
  int rc = ops->open(&cfg, &rt);
  if (!(ops->flags & SB_RT_THREAD_PER_TASK)) {
    fprintf(stderr, "  open with 16 workers under RLIMIT_NPROC=6: %s\n",
            strerror(-rc));
    ASSERT_EQ(rc, -EAGAIN);
    ASSERT(fc_await_main_only()); /* every started one joined */
    _exit(0);
  }
  ASSERT_EQ(rc, 0);
  spawner s = run_spawner(ops, rt, 30);
  fprintf(stderr, "  %d of 30 spawns refused under RLIMIT_NPROC=6 (%s)\n",
          s.failed, s.failed ? strerror(-s.first_err) : "-");
  ASSERT_GT(s.failed, 0);
  ASSERT_EQ(s.first_err, -EAGAIN); /* the ones that ran were checked */
  ops->close(rt);
  ASSERT(fc_await_main_only()); /* every started one joined */
  _exit(0);
}

static void test_nproc_limit(const sb_runtime_ops *ops) {
  fflush(stderr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0)
    nproc_child(ops);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT(WIFEXITED(status));
  if (WEXITSTATUS(status) == SB_TEST_SKIP)
    return; /* said why; the injected cases still ran */
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

static const sb_test_case cases[] = {
    {"open_fails", test_open_fails},
    {"spawn_fails", test_spawn_fails},
    {"nproc_limit", test_nproc_limit},
};

SB_TEST_MAIN(cases)
