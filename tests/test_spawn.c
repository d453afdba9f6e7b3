/* Conformance: spawn and join (sb_spawn / sb_join), nested spawn, detach,
 * join handles that are dropped before the child finishes, and the spawn
 * count every runtime reports (info.spawned, PROTOCOL.md section 4). */
#include <sched.h>

#include "runtimes/os/topo.h"
#include "runtimes/primitives/oneshot.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* A child that yields `yields` times, then returns v * 3 + 1. */
typedef struct child {
  sb_future base;
  uint64_t v;
  int yields;
  sb_yield y;
} child;

static sb_poll child_poll(sb_future *f, sb_cx *cx) {
  child *self = (child *)f;
  SB_BEGIN(self);
  while (self->yields-- > 0) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  SB_END(self, self->v * 3 + 1);
}

static child child_make(uint64_t v, int yields) {
  return (child){SB_FUTURE_INIT(child_poll, NULL), v, yields, {{0}, 0}};
}

/* ---- spawn N children, join them in order ------------------------------ */

#define FAN 64

typedef struct fan_root {
  sb_future base;
  int i;
  uint64_t sum;
  sb_join joins[FAN];
} fan_root;

static sb_poll fan_poll(sb_future *f, sb_cx *cx) {
  fan_root *self = (fan_root *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < FAN; self->i++) {
    child c = child_make((uint64_t)self->i, self->i % 3);
    ASSERT_EQ(sb_spawn(cx, &c.base, sizeof(c), &self->joins[self->i]), 0);
  }
  for (self->i = 0; self->i < FAN; self->i++) {
    SB_AWAIT(self, sb_join_poll(&self->joins[self->i], cx));
    ASSERT_EQ(self->joins[self->i].base.out, (uint64_t)self->i * 3 + 1);
    self->sum += self->joins[self->i].base.out;
  }
  SB_END(self, self->sum);
}

static void test_spawn_join(const sb_runtime_ops *ops) {
  fan_root root = {.base = SB_FUTURE_INIT(fan_poll, NULL)};
  uint64_t want = 0;
  for (int i = 0; i < FAN; i++)
    want += (uint64_t)i * 3 + 1;
  ASSERT_EQ(sb_test_run(ops, &root.base), want);
}

/* ---- nested: each level spawns the next and joins it ------------------ */

typedef struct chain {
  sb_future base;
  int depth;
  sb_join join;
} chain;

static sb_poll chain_poll(sb_future *f, sb_cx *cx) {
  chain *self = (chain *)f;
  SB_BEGIN(self);
  if (self->depth == 0)
    SB_RETURN(self, 1);
  {
    chain next = {.base = SB_FUTURE_INIT(chain_poll, NULL),
                  .depth = self->depth - 1};
    ASSERT_EQ(sb_spawn(cx, &next.base, sizeof(next), &self->join), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  SB_END(self, self->join.base.out + 1);
}

static void test_nested(const sb_runtime_ops *ops) {
  chain root = {.base = SB_FUTURE_INIT(chain_poll, NULL), .depth = 40};
  ASSERT_EQ(sb_test_run(ops, &root.base), 41);
}

/* ---- a spawn tree: fib(k) spawns fib(k-1) and fib(k-2) ---------------- */

typedef struct fib {
  sb_future base;
  int k;
  sb_join a, b;
} fib;

static sb_poll fib_poll(sb_future *f, sb_cx *cx) {
  fib *self = (fib *)f;
  SB_BEGIN(self);
  if (self->k < 2)
    SB_RETURN(self, self->k);
  {
    fib x = {.base = SB_FUTURE_INIT(fib_poll, NULL), .k = self->k - 1};
    fib y = {.base = SB_FUTURE_INIT(fib_poll, NULL), .k = self->k - 2};
    ASSERT_EQ(sb_spawn(cx, &x.base, sizeof(x), &self->a), 0);
    ASSERT_EQ(sb_spawn(cx, &y.base, sizeof(y), &self->b), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->a, cx));
  SB_AWAIT(self, sb_join_poll(&self->b, cx));
  SB_END(self, self->a.base.out + self->b.base.out);
}

static void test_tree(const sb_runtime_ops *ops) {
  /* fib(11) spawns 286 tasks in all: on `threads` that many OS threads. */
  fib root = {.base = SB_FUTURE_INIT(fib_poll, NULL), .k = 11};
  ASSERT_EQ(sb_test_run(ops, &root.base), 89);
}

/* ---- detach: the child runs on after its handle is released ----------- */

typedef struct notifier {
  sb_future base;
  sb_oneshot *tx;
  uint64_t v;
  sb_yield y;
} notifier;

static sb_poll notifier_poll(sb_future *f, sb_cx *cx) {
  notifier *self = (notifier *)f;
  SB_BEGIN(self);
  sb_yield_init(&self->y);
  SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  ASSERT_EQ(sb_oneshot_send(self->tx, self->v), 0);
  SB_END(self, 0);
}

typedef struct detach_root {
  sb_future base;
  sb_oneshot *o;
  sb_join join;
  sb_oneshot_recv rx;
} detach_root;

static sb_poll detach_poll(sb_future *f, sb_cx *cx) {
  detach_root *self = (detach_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_oneshot_open(&self->o), 0);
  {
    notifier n = {
        .base = SB_FUTURE_INIT(notifier_poll, NULL), .tx = self->o, .v = 77};
    ASSERT_EQ(sb_spawn(cx, &n.base, sizeof(n), &self->join), 0);
  }
  /* Releasing the handle through the future's drop detaches the child. */
  sb_future_drop(&self->join.base, cx->rt);
  ASSERT(self->join.task == NULL);
  sb_oneshot_recv_init(&self->rx, self->o);
  SB_AWAIT(self, sb_oneshot_recv_poll(&self->rx, cx));
  ASSERT_EQ(self->rx.closed, 0);
  sb_oneshot_receiver_drop(&self->rx, cx->rt);
  SB_END(self, self->rx.base.out);
}

static void test_detach(const sb_runtime_ops *ops) {
  detach_root root = {.base = SB_FUTURE_INIT(detach_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 77);
}

/* ---- drop a join handle while its join is pending --------------------- */

typedef struct late_root {
  sb_future base;
  sb_join join;
  sb_sleep nap;
} late_root;

static sb_poll late_poll(sb_future *f, sb_cx *cx) {
  late_root *self = (late_root *)f;
  SB_BEGIN(self);
  {
    child c = child_make(5, 50);
    ASSERT_EQ(sb_spawn(cx, &c.base, sizeof(c), &self->join), 0);
  }
  /* One poll of the join: PENDING registers our waker with the child (on
   * any runtime the child has 50 yields to go, unless it already ran). */
  if (sb_join_poll(&self->join, cx) == SB_READY)
    ASSERT_EQ(self->join.base.out, 16);
  else
    sb_join_release(&self->join, cx->rt); /* the registration must go too */
  /* Let the detached child finish and be freed while we still run. */
  sb_sleep_for_init(&self->nap, 20 * 1000 * 1000);
  SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  SB_END(self, 1);
}

static void test_drop_pending_join(const sb_runtime_ops *ops) {
  late_root root = {.base = SB_FUTURE_INIT(late_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- block_on twice on one runtime ------------------------------------ */

static void test_block_on_again(const sb_runtime_ops *ops) {
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  for (int round = 0; round < 3; round++) {
    fan_root root = {.base = SB_FUTURE_INIT(fan_poll, NULL)};
    ASSERT_EQ(ops->block_on(rt, &root.base), 0);
    ASSERT_GT(root.base.out, 0);
  }
  ops->close(rt);
}

/* ---- info.spawned counts every spawn, from every thread ---------------- */

static uint64_t spawned(sb_runtime *rt) {
  sb_runtime_info info = {0};
  rt->ops->info(rt, &info);
  return info.spawned;
}

static void test_spawned(const sb_runtime_ops *ops) {
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(spawned(rt), 0);
  /* A run that spawns nothing: the root itself is not a spawn. */
  child lone = child_make(1, 2);
  ASSERT_EQ(ops->block_on(rt, &lone.base), 0);
  ASSERT_EQ(spawned(rt), 0);
  /* FAN children from the root. */
  fan_root fan = {.base = SB_FUTURE_INIT(fan_poll, NULL)};
  ASSERT_EQ(ops->block_on(rt, &fan.base), 0);
  ASSERT_EQ(spawned(rt), FAN);
  /* A tree whose tasks spawn from every worker (or thread): fib(11) spawns
   * 2 * (fib(12) - 1) = 286 tasks. */
  fib tree = {.base = SB_FUTURE_INIT(fib_poll, NULL), .k = 11};
  ASSERT_EQ(ops->block_on(rt, &tree.base), 0);
  ASSERT_EQ(tree.base.out, 89);
  ASSERT_EQ(spawned(rt), FAN + 286);
  /* A chain: each level spawns from the task the level above spawned. */
  chain deep = {.base = SB_FUTURE_INIT(chain_poll, NULL), .depth = 40};
  ASSERT_EQ(ops->block_on(rt, &deep.base), 0);
  ASSERT_EQ(spawned(rt), FAN + 286 + 40);
  ops->close(rt);
}

/* ---- a pinning policy reaches the threads that run tasks --------------- */

/* Returns the CPU its thread may run on, or -1 when it may run on several. */
static sb_poll where_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  int cpu = -1;
  if (CPU_COUNT(&set) == 1)
    for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
      if (CPU_ISSET(i, &set))
        cpu = i;
  return sb_future_ready(f, (uint64_t)(int64_t)cpu);
}

typedef struct where_root {
  sb_future base;
  sb_join join;
} where_root;

static sb_poll where_root_poll(sb_future *f, sb_cx *cx) {
  where_root *self = (where_root *)f;
  SB_BEGIN(self);
  {
    sb_future w = SB_FUTURE_INIT(where_poll, NULL);
    ASSERT_EQ(sb_spawn(cx, &w, sizeof(w), &self->join), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  SB_END(self, self->join.base.out);
}

/* With one worker under `compact`, a spawned task runs on the policy's
 * first CPU: threads confines every task thread to the list, pool and steal
 * pin their worker to it; single (the caller's thread) pins nothing and
 * says so. */
static void test_pin(const sb_runtime_ops *ops) {
  sb_topo *topo;
  int cpu0;
  cpu_set_t allowed;
  ASSERT_EQ(sb_topo_get(&topo), 0);
  ASSERT_EQ(sb_topo_cpu_list(topo, SB_PIN_COMPACT, 1, &cpu0, 1), 1);
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  if (!CPU_ISSET(cpu0, &allowed)) {
    fprintf(stderr, "  skipped: CPU %d is outside this process's set\n", cpu0);
    return;
  }
  sb_config cfg = {.workers = 1, .pin = SB_PIN_COMPACT};
  sb_runtime *rt = NULL;
  sb_runtime_info info = {0};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ops->info(rt, &info);
  where_root root = {.base = SB_FUTURE_INIT(where_root_poll, NULL)};
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  ops->close(rt);
  if (ops->flags & (SB_RT_THREAD_PER_TASK | SB_RT_BLOCKING_WAITS) ||
      info.pin != SB_PIN_NONE) {
    ASSERT_EQ(info.pin, SB_PIN_COMPACT);
    ASSERT_EQ((int64_t)root.base.out, cpu0);
  } else {
    ASSERT_EQ(info.workers, 1); /* single: the caller's thread, unpinned */
  }
}

static const sb_test_case cases[] = {
    {"spawn_join", test_spawn_join},
    {"nested", test_nested},
    {"tree", test_tree},
    {"detach", test_detach},
    {"drop_pending_join", test_drop_pending_join},
    {"block_on_again", test_block_on_again},
    {"spawned", test_spawned},
    {"pin", test_pin},
};

SB_TEST_MAIN(cases)
