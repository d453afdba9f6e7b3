/* Conformance: the scoped fork (sb_join2, sb_runtime_ops.fork): a fork tree
 * gives the right sum and counts both halves of every fork; the two halves
 * may wait on each other either way round; a join pending at close is
 * dropped in place. Runtimes without a fork take the spawn fallback. */
#include <errno.h>

#include "runtimes/primitives/fork.h"
#include "runtimes/primitives/oneshot.h"
#include "runtimes/primitives/sleep.h"
#include "test.h"

/* ---- a fork tree: fib(k) with frames laid out in preorder ------------- */

#define TREE_N 16
#define TREE_CUTOFF 3

typedef struct node node;
struct node {
  sb_future base;
  node *frames; /* the whole tree's frames */
  int k;        /* fib(k) */
  int at;       /* this frame's index */
  int yields;   /* a leaf yields this often first (exercises PENDING) */
  sb_yield y;
  sb_join2 j;
};

static int64_t tree_size[TREE_N + 1]; /* frames of fib(k)'s subtree */
static int64_t tree_forks;            /* forks one run makes */

static uint64_t fib(int k) {
  return k < 2 ? (uint64_t)k : fib(k - 1) + fib(k - 2);
}

static void node_drop(sb_future *f, sb_runtime *rt) {
  sb_join2_drop(&((node *)f)->j, rt);
}

static sb_poll node_poll(sb_future *f, sb_cx *cx) {
  node *self = (node *)f;
  node *a = &self->frames[self->at + 1];
  node *b = self->k > TREE_CUTOFF
                ? &self->frames[self->at + 1 + tree_size[self->k - 1]]
                : NULL;
  SB_BEGIN(self);
  if (self->k <= TREE_CUTOFF) {
    while (self->yields-- > 0) {
      sb_yield_init(&self->y);
      SB_AWAIT(self, sb_yield_poll(&self->y, cx));
    }
    SB_RETURN(self, fib(self->k));
  }
  *a = (node){.base = SB_FUTURE_INIT(node_poll, node_drop),
              .frames = self->frames,
              .k = self->k - 1,
              .at = self->at + 1,
              .yields = self->at % 3};
  *b = (node){.base = SB_FUTURE_INIT(node_poll, node_drop),
              .frames = self->frames,
              .k = self->k - 2,
              .at = self->at + 1 + (int)tree_size[self->k - 1],
              .yields = self->at % 2};
  sb_join2_init(&self->j, &a->base, sizeof *a, &b->base, sizeof *b);
  SB_AWAIT(self, sb_join2_poll(&self->j, cx));
  ASSERT_EQ(a->base.out, fib(self->k - 1));
  ASSERT_EQ(b->base.out, fib(self->k - 2));
  SB_END(self, a->base.out + b->base.out);
}

static void test_tree(const sb_runtime_ops *ops) {
  /* size(k) and forks(k): 1 and 0 at or below the cutoff, else one more
   * than the children's together. */
  int64_t forks[TREE_N + 1];
  for (int k = 0; k <= TREE_N; k++) {
    int inner = k > TREE_CUTOFF;
    tree_size[k] = inner ? 1 + tree_size[k - 1] + tree_size[k - 2] : 1;
    forks[k] = inner ? 1 + forks[k - 1] + forks[k - 2] : 0;
  }
  tree_forks = forks[TREE_N];
  node *frames = calloc((size_t)tree_size[TREE_N], sizeof(node));
  ASSERT(frames != NULL);
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  for (int run = 0; run < 3; run++) {
    sb_runtime_info before, after;
    ops->info(rt, &before);
    frames[0] = (node){.base = SB_FUTURE_INIT(node_poll, node_drop),
                       .frames = frames,
                       .k = TREE_N};
    ASSERT_EQ(ops->block_on(rt, &frames[0].base), 0);
    ASSERT_EQ(frames[0].base.out, fib(TREE_N));
    ops->info(rt, &after);
    /* Both halves of every fork, as rayon's join is counted; the
     * fallback spawns both as heap tasks: the same count. */
    ASSERT_EQ(after.spawned - before.spawned, (uint64_t)(2 * tree_forks));
  }
  ops->close(rt);
  free(frames);
}

/* ---- the halves wait on each other ------------------------------------ */

typedef struct side {
  sb_future base;
  sb_oneshot *tx;     /* sends 7 first, when set */
  sb_oneshot_recv rx; /* then (or else) receives, when rx.o is set */
  int yields;
  sb_yield y;
} side;

static sb_poll side_poll(sb_future *f, sb_cx *cx) {
  side *self = (side *)f;
  SB_BEGIN(self);
  while (self->yields-- > 0) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  if (self->tx != NULL)
    ASSERT_EQ(sb_oneshot_send(self->tx, 7), 0);
  if (self->rx.o != NULL) {
    SB_AWAIT(self, sb_oneshot_recv_poll(&self->rx, cx));
    ASSERT_EQ(self->rx.closed, 0);
    uint64_t v = self->rx.base.out;
    sb_oneshot_receiver_drop(&self->rx, cx->rt);
    SB_RETURN(self, v + 1);
  }
  SB_END(self, 1);
}

static void side_drop(sb_future *f, sb_runtime *rt) {
  side *self = (side *)f;
  if (self->rx.o != NULL)
    sb_oneshot_receiver_drop(&self->rx, rt);
}

typedef struct pair_root {
  sb_future base;
  side a, b;
  sb_join2 j;
} pair_root;

static sb_poll pair_poll(sb_future *f, sb_cx *cx) {
  pair_root *self = (pair_root *)f;
  SB_BEGIN(self);
  SB_AWAIT(self, sb_join2_poll(&self->j, cx));
  SB_END(self, self->a.base.out * 100 + self->b.base.out);
}

/* a_waits: a receives what b sends, else b receives what a sends. */
static void run_pair(const sb_runtime_ops *ops, int a_waits, int yields) {
  sb_oneshot *o = NULL;
  ASSERT_EQ(sb_oneshot_open(&o), 0);
  pair_root root = {.base = SB_FUTURE_INIT(pair_poll, NULL)};
  root.a = (side){.base = SB_FUTURE_INIT(side_poll, side_drop)};
  root.b = root.a;
  side *rx = a_waits ? &root.a : &root.b, *tx = a_waits ? &root.b : &root.a;
  sb_oneshot_recv_init(&rx->rx, o);
  tx->tx = o;
  tx->yields = yields;
  sb_join2_init(&root.j, &root.a.base, sizeof root.a, &root.b.base,
                sizeof root.b);
  uint64_t want = a_waits ? 8 * 100 + 1 : 1 * 100 + 8;
  ASSERT_EQ(sb_test_run(ops, &root.base), want);
}

static void test_wait_each_other(const sb_runtime_ops *ops) {
  for (int yields = 0; yields < 3; yields++) {
    run_pair(ops, 1, yields);
    run_pair(ops, 0, yields);
  }
}

/* ---- a join pending at close is dropped in place ---------------------- */

typedef struct stuck {
  sb_future base;
  side a, b; /* both wait on oneshots nobody sends on before close */
  sb_join2 j;
} stuck;

static sb_poll stuck_poll(sb_future *f, sb_cx *cx) {
  stuck *self = (stuck *)f;
  SB_BEGIN(self);
  /* Here, not before the spawn: the join points at the copy's halves. */
  sb_join2_init(&self->j, &self->a.base, sizeof self->a, &self->b.base,
                sizeof self->b);
  SB_AWAIT(self, sb_join2_poll(&self->j, cx));
  SB_END(self, 0);
}

static void stuck_drop(sb_future *f, sb_runtime *rt) {
  stuck *self = (stuck *)f;
  if (sb_future_is_idle(f)) { /* never polled: the join was never made */
    side_drop(&self->a.base, rt);
    side_drop(&self->b.base, rt);
  } else {
    sb_join2_drop(&self->j, rt);
  }
}

typedef struct close_root {
  sb_future base;
  sb_oneshot *oa, *ob;
  stuck child; /* spawned (copied) before its first poll, then detached */
  sb_join join;
} close_root;

static sb_poll close_poll(sb_future *f, sb_cx *cx) {
  close_root *self = (close_root *)f;
  stuck c = {.base = SB_FUTURE_INIT(stuck_poll, stuck_drop)};
  c.a = (side){.base = SB_FUTURE_INIT(side_poll, side_drop)};
  c.b = c.a;
  sb_oneshot_recv_init(&c.a.rx, self->oa);
  sb_oneshot_recv_init(&c.b.rx, self->ob);
  ASSERT_EQ(sb_spawn(cx, &c.base, sizeof c, &self->join), 0);
  sb_join_release(&self->join, cx->rt);
  return sb_future_ready(&self->base, 0);
}

static void test_drop_at_close(const sb_runtime_ops *ops) {
  close_root root = {.base = SB_FUTURE_INIT(close_poll, NULL)};
  ASSERT_EQ(sb_oneshot_open(&root.oa), 0);
  ASSERT_EQ(sb_oneshot_open(&root.ob), 0);
  ASSERT_EQ(sb_test_run(ops, &root.base), 0);
  /* The receivers were dropped with the task: sends find nobody. */
  ASSERT_EQ(sb_oneshot_send(root.oa, 1), -EPIPE);
  ASSERT_EQ(sb_oneshot_send(root.ob, 1), -EPIPE);
}

static const sb_test_case cases[] = {
    {"tree", test_tree},
    {"wait_each_other", test_wait_each_other},
    {"drop_at_close", test_drop_at_close},
};

SB_TEST_MAIN(cases)
