/* Runtime `fiber`'s own behaviour, beyond the conformance suites (run as
 * `test_fiber_rt fiber`; it probes fiber's internals, so only there): the stack
 * size in sb_config and info, the stack pool (a slot is reused, not mapped
 * again), the spawn count, fibers spread over carriers by stealing, and
 * the kernel limit on mappings when guards cost two (mprotect, as on
 * kernels before 6.13): spawn then refuses with -ENOMEM. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtimes/fiber/fiber_internal.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* Slots carved so far: every stack ever made (the pool reuses them). */
static size_t carved(sb_runtime *rt) {
  fiber_pool *p = &((fiber_rt *)rt)->pool;
  size_t n = 0;
  for (size_t i = 0; i < p->nchunks; i++)
    n += p->chunks[i].carved;
  return n;
}

/* ---- stack size ---------------------------------------------------------- */

static void test_stack_size(const sb_runtime_ops *ops) {
  sb_runtime *rt = NULL;
  sb_runtime_info info = {0};
  sb_config cfg = {0};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ops->info(rt, &info);
  ASSERT_GE(info.stack_size, 16 * 1024); /* 16 KiB; 64 KiB sanitized */
  ASSERT_EQ(info.workers, 1);
  ops->close(rt);
  cfg.stack_size = 20000; /* rounded up to whole pages */
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ops->info(rt, &info);
  long page = sysconf(_SC_PAGESIZE);
  ASSERT_EQ(info.stack_size % (size_t)page, 0);
  ASSERT_GE(info.stack_size, 20000);
  ASSERT_LT(info.stack_size, 20000 + (size_t)page);
  ops->close(rt);
  cfg.stack_size = 4096; /* below two pages: refused */
  ASSERT_EQ(ops->open(&cfg, &rt), -EINVAL);
}

/* ---- the pool: a slot comes back ----------------------------------------- */

typedef struct leaf {
  sb_future base;
  uint64_t v;
} leaf;

static sb_poll leaf_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  f->out = ((leaf *)f)->v;
  return SB_READY;
}

/* Spawns n leaves one after another, joining each before the next. */
typedef struct serial {
  sb_future base;
  int n, i;
  uint64_t sum;
  sb_join j;
} serial;

static sb_poll serial_poll(sb_future *f, sb_cx *cx) {
  serial *self = (serial *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    {
      leaf l = {.base = SB_FUTURE_INIT(leaf_poll, NULL), .v = 1};
      ASSERT_EQ(sb_spawn(cx, &l.base, sizeof l, &self->j), 0);
    }
    SB_AWAIT(self, sb_join_poll(&self->j, cx));
    self->sum += self->j.base.out;
  }
  SB_END(self, self->sum);
}

static void test_pool_reuse(const sb_runtime_ops *ops) {
  sb_runtime *rt = NULL;
  sb_config cfg = {.workers = 1};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  serial s = {.base = SB_FUTURE_INIT(serial_poll, NULL), .n = 10000};
  ASSERT_EQ(ops->block_on(rt, &s.base), 0);
  ASSERT_EQ(s.base.out, 10000);
  /* One stack at a time: the pool hands the same few back. */
  ASSERT_LE(carved(rt), 2);
  sb_runtime_info info = {0};
  ops->info(rt, &info);
  ASSERT_EQ(info.spawned, 10000);
  ops->close(rt);
}

/* ---- M:N: fibers run on more than one carrier -----------------------------
 */

/* Records which OS thread ran it, then waits (yielding) until fibers have
 * run on two threads, or gives up after 10 s. */
typedef struct where {
  sb_future base;
  _Atomic long *tids; /* two slots: the first two distinct thread ids */
  int64_t give_up;
  sb_yield y;
} where;

static sb_poll where_poll(sb_future *f, sb_cx *cx) {
  where *self = (where *)f;
  SB_BEGIN(self);
  {
    long me = syscall(SYS_gettid), none = 0;
    if (!atomic_compare_exchange_strong(&self->tids[0], &none, me) &&
        atomic_load(&self->tids[0]) != me) {
      none = 0;
      atomic_compare_exchange_strong(&self->tids[1], &none, me);
    }
  }
  while (atomic_load(&self->tids[1]) == 0 && sb_now_ns() < self->give_up) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  SB_END(self, atomic_load(&self->tids[1]) != 0);
}

#define SPREAD 16

typedef struct spread_root {
  sb_future base;
  _Atomic long tids[2];
  int i;
  uint64_t both;
  int64_t deadline; /* gives up waiting for an idle carrier */
  sb_yield y;
  sb_join j[SPREAD];
} spread_root;

static sb_poll spread_poll(sb_future *f, sb_cx *cx) {
  spread_root *self = (spread_root *)f;
  SB_BEGIN(self);
  /* Wait until the other carrier has gone idle: only fresh fibers move,
   * and they are shed only while some carrier is idle; on a loaded
   * machine the second carrier may not have parked yet when the spawns
   * below are done and all run. */
  self->deadline = sb_now_ns() + 10 * 1000000000LL;
  while (atomic_load(&((fiber_rt *)cx->rt)->nidle) == 0 &&
         sb_now_ns() < self->deadline) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  for (int i = 0; i < SPREAD; i++) {
    where w = {.base = SB_FUTURE_INIT(where_poll, NULL),
               .tids = self->tids,
               .give_up = sb_now_ns() + 10 * 1000000000LL};
    ASSERT_EQ(sb_spawn(cx, &w.base, sizeof w, &self->j[i]), 0);
  }
  for (self->i = 0; self->i < SPREAD; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->j[self->i], cx));
    self->both += self->j[self->i].base.out;
  }
  SB_END(self, self->both);
}

static void test_steal(const sb_runtime_ops *ops) {
  sb_runtime *rt = NULL;
  sb_config cfg = {.workers = 2};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  spread_root root = {.base = SB_FUTURE_INIT(spread_poll, NULL)};
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  /* Every fiber saw two carriers at work: some fiber was stolen. */
  ASSERT_EQ(root.base.out, SPREAD);
  sb_runtime_info info = {0};
  ops->info(rt, &info);
  ASSERT_EQ(info.workers, 2);
  ASSERT_EQ(info.spawned, SPREAD);
  ops->close(rt);
}

/* ---- the mapping limit with mprotect guards ------------------------------ */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
static void test_map_limit(const sb_runtime_ops *ops) {
  (void)ops; /* at the mapping limit the sanitizers' own mmaps fail too */
  fprintf(stderr, "  skipped under a sanitizer\n");
}
#else

/* Spawns leaves until spawn refuses (they stay fresh: the root does not
 * switch), then lets them all run and joins them. */
typedef struct flood {
  sb_future base;
  int64_t n, i;
  int err;
  sb_join *j;
} flood;

static sb_poll flood_poll(sb_future *f, sb_cx *cx) {
  flood *self = (flood *)f;
  SB_BEGIN(self);
  for (self->n = 0; self->n < 200000; self->n++) {
    leaf l = {.base = SB_FUTURE_INIT(leaf_poll, NULL), .v = 1};
    int rc = sb_spawn(cx, &l.base, sizeof l, &self->j[self->n]);
    if (rc < 0) {
      self->err = rc;
      break;
    }
  }
  for (self->i = 0; self->i < self->n; self->i++)
    SB_AWAIT(self, sb_join_poll(&self->j[self->i], cx));
  SB_END(self, self->n);
}

static void test_map_limit(const sb_runtime_ops *ops) {
  long long max_maps = 0;
  FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
  if (f == NULL || fscanf(f, "%lld", &max_maps) != 1 || max_maps > 300000) {
    fprintf(stderr, "  skipped: vm.max_map_count unreadable or too high\n");
    if (f != NULL)
      fclose(f);
    return;
  }
  fclose(f);
  sb_runtime *rt = NULL;
  sb_config cfg = {.workers = 1};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  sb__fiber_pool_force_mprotect(&((fiber_rt *)rt)->pool);
  flood fl = {.base = SB_FUTURE_INIT(flood_poll, NULL)};
  fl.j = calloc(200000, sizeof(sb_join));
  ASSERT(fl.j != NULL);
  ASSERT_EQ(ops->block_on(rt, &fl.base), 0);
  /* Two mappings a stack: about half of vm.max_map_count, then ENOMEM. */
  fprintf(stderr, "  %lld fibers (vm.max_map_count %lld), then %s\n",
          (long long)fl.n, max_maps, strerror(-fl.err));
  ASSERT_EQ(fl.err, -ENOMEM);
  ASSERT_GT(fl.n, 1000);
  free(fl.j);
  ops->close(rt);
}
#endif

static const sb_test_case cases[] = {
    {"stack_size", test_stack_size},
    {"pool_reuse", test_pool_reuse},
    {"steal", test_steal},
    {"map_limit", test_map_limit},
};

SB_TEST_MAIN(cases)
