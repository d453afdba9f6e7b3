/* Stress: a million spawn/join in fork-join trees. A balanced binary tree
 * (every node spawns two children and joins both), a fib-shaped tree (the
 * same, unbalanced), and a wide fan-out of detached children that report
 * through one channel. On `threads` (an OS thread per task) the trees are
 * smaller but keep their shape. */
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

/* Nodes in a tree of each shape per runtime kind. */
static int depth_for(const sb_runtime_ops *ops) {
  return (ops->flags & SB_RT_THREAD_PER_TASK) ? 9 : 19; /* 1023 / 1M nodes */
}
static int fib_for(const sb_runtime_ops *ops) {
  return (ops->flags & SB_RT_THREAD_PER_TASK) ? 12 : 27; /* 465 / 630k */
}
static int fanout_for(const sb_runtime_ops *ops) {
  return (ops->flags & SB_RT_THREAD_PER_TASK) ? 500 : 200000;
}

/* ---- balanced binary tree --------------------------------------------- */

typedef struct node {
  sb_future base;
  int depth;
  sb_join left, right;
} node;

static sb_poll node_poll(sb_future *f, sb_cx *cx) {
  node *self = (node *)f;
  SB_BEGIN(self);
  if (self->depth == 0)
    SB_RETURN(self, 1);
  {
    node child = {.base = SB_FUTURE_INIT(node_poll, NULL)};
    child.depth = self->depth - 1;
    ASSERT_EQ(sb_spawn(cx, &child.base, sizeof child, &self->left), 0);
    ASSERT_EQ(sb_spawn(cx, &child.base, sizeof child, &self->right), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->left, cx));
  SB_AWAIT(self, sb_join_poll(&self->right, cx));
  SB_END(self, 1 + self->left.base.out + self->right.base.out);
}

static void test_binary_tree(const sb_runtime_ops *ops) {
  int depth = depth_for(ops);
  for (int rep = 0; rep < 2; rep++) {
    node root = {.base = SB_FUTURE_INIT(node_poll, NULL), .depth = depth};
    ASSERT_EQ(sb_test_run(ops, &root.base), (2u << depth) - 1);
  }
}

/* ---- fib-shaped tree: join in the reverse order of spawn --------------- */

typedef struct fib {
  sb_future base;
  int n;
  sb_join a, b;
} fib;

static sb_poll fib_poll(sb_future *f, sb_cx *cx) {
  fib *self = (fib *)f;
  SB_BEGIN(self);
  if (self->n < 2)
    SB_RETURN(self, self->n);
  {
    fib child = {.base = SB_FUTURE_INIT(fib_poll, NULL), .n = self->n - 1};
    ASSERT_EQ(sb_spawn(cx, &child.base, sizeof child, &self->a), 0);
    child.n = self->n - 2;
    ASSERT_EQ(sb_spawn(cx, &child.base, sizeof child, &self->b), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->b, cx));
  SB_AWAIT(self, sb_join_poll(&self->a, cx));
  SB_END(self, self->a.base.out + self->b.base.out);
}

static uint64_t fib_of(int n) {
  uint64_t a = 0, b = 1;
  for (int i = 0; i < n; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  return a;
}

static void test_fib(const sb_runtime_ops *ops) {
  int n = fib_for(ops);
  fib root = {.base = SB_FUTURE_INIT(fib_poll, NULL), .n = n};
  ASSERT_EQ(sb_test_run(ops, &root.base), fib_of(n));
}

/* ---- wide fan-out of detached children -------------------------------- */

typedef struct reporter {
  sb_future base;
  sb_chan *ch;
  uint64_t id;
  sb_chan_send tx;
} reporter;

static sb_poll reporter_poll(sb_future *f, sb_cx *cx) {
  reporter *self = (reporter *)f;
  SB_BEGIN(self);
  sb_chan_send_init(&self->tx, self->ch, self->id);
  SB_AWAIT(self, sb_chan_send_poll(&self->tx, cx));
  ASSERT_EQ(self->tx.base.out, 0);
  sb_chan_sender_drop(self->ch);
  SB_END(self, 0);
}

typedef struct fan_root {
  sb_future base;
  int n, i;
  uint64_t sum, got;
  sb_chan *ch;
  sb_join join;
  sb_chan_recv rx;
} fan_root;

static sb_poll fan_poll(sb_future *f, sb_cx *cx) {
  fan_root *self = (fan_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(sb_chan_open(256, self->n, &self->ch), 0);
  for (self->i = 0; self->i < self->n; self->i++) {
    reporter r = {.base = SB_FUTURE_INIT(reporter_poll, NULL)};
    r.ch = self->ch;
    r.id = (uint64_t)self->i;
    ASSERT_EQ(sb_spawn(cx, &r.base, sizeof r, &self->join), 0);
    sb_join_release(&self->join, cx->rt); /* detached: runs on by itself */
  }
  for (;;) {
    sb_chan_recv_init(&self->rx, self->ch);
    SB_AWAIT(self, sb_chan_recv_poll(&self->rx, cx));
    if (self->rx.closed)
      break;
    self->sum += self->rx.base.out;
    self->got++;
  }
  sb_chan_receiver_drop(self->ch);
  ASSERT_EQ(self->got, self->n);
  SB_END(self, self->sum);
}

static void test_fanout_detached(const sb_runtime_ops *ops) {
  fan_root root = {.base = SB_FUTURE_INIT(fan_poll, NULL)};
  root.n = fanout_for(ops);
  uint64_t n = (uint64_t)root.n;
  ASSERT_EQ(sb_test_run(ops, &root.base), n * (n - 1) / 2);
}

static const sb_test_case cases[] = {
    {"binary_tree", test_binary_tree},
    {"fib", test_fib},
    {"fanout_detached", test_fanout_detached},
};

SB_TEST_MAIN(cases)
