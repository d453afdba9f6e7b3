/* The shared building blocks on their own, runtime-free: the intrusive
 * lists (runtimes/core/list.h), the wait list (core/waitlist.h) with a fake
 * runtime that records wakes, and the task allocator (os/slab.h): classes,
 * the constructor, reuse, a chain adopted whole, every block visited. */
#include "runtimes/core/list.h"
#include "runtimes/core/waitlist.h"
#include "runtimes/os/slab.h"
#include "test.h"

typedef struct item {
  int v;
  sb_list link;
  sb_snode node;
} item;

static void lists(void) {
  item it[4];
  sb_list head;
  sb_list_init(&head);
  ASSERT(sb_list_empty(&head) && sb_list_first(&head) == NULL);
  for (int i = 0; i < 4; i++) {
    it[i] = (item){.v = i};
    ASSERT(!sb_list_linked(&it[i].link)); /* zeroed: not linked */
    sb_list_push_back(&head, &it[i].link);
  }
  sb_list_remove(&it[1].link);
  ASSERT(!sb_list_linked(&it[1].link));
  sb_list_push_front(&head, &it[1].link);
  int want[] = {1, 0, 2, 3}, k = 0;
  sb_list *n, *next;
  SB_LIST_FOREACH_SAFE(n, next, &head) {
    ASSERT_EQ(SB_CONTAINER_OF(n, item, link)->v, want[k++]);
    sb_list_remove(n); /* removing the current node is allowed */
  }
  ASSERT_EQ(k, 4);
  ASSERT(sb_list_empty(&head) && sb_list_pop_front(&head) == NULL);

  sb_queue q;
  sb_queue_init(&q);
  for (int i = 0; i < 3; i++)
    sb_queue_push(&q, &it[i].node);
  it[3].node.next = NULL;
  sb_queue_push_chain(&q, &it[3].node, &it[3].node);
  for (int i = 0; i < 4; i++)
    ASSERT_EQ(SB_CONTAINER_OF(sb_queue_pop(&q), item, node)->v, i);
  ASSERT(sb_queue_empty(&q) && sb_queue_pop(&q) == NULL);

  sb_snode *top = NULL;
  sb_stack_push(&top, &it[0].node);
  sb_stack_push(&top, &it[1].node);
  ASSERT_EQ(SB_CONTAINER_OF(sb_stack_pop(&top), item, node)->v, 1);
  ASSERT_EQ(SB_CONTAINER_OF(sb_stack_pop(&top), item, node)->v, 0);
  ASSERT(sb_stack_pop(&top) == NULL);
}

/* A runtime whose wake records the task it was given. */
static sb_task *woken[8];
static int nwoken;
static void record_wake(sb_waker w) {
  woken[nwoken++] = w.task;
}
static const sb_runtime_ops recorder = {.name = "recorder",
                                        .wake = record_wake};

static void waitlists(void) {
  sb_runtime rt = {.ops = &recorder};
  sb_task *task[3] = {(sb_task *)&task[0], (sb_task *)&task[1],
                      (sb_task *)&task[2]};
  sb_waiter w[3];
  memset(w, 0, sizeof w);
  sb_waitlist l;
  sb_waitlist_init(&l);
  for (int i = 0; i < 3; i++)
    sb_waitlist_add(&l, &w[i], (sb_waker){.rt = &rt, .task = task[i]});
  /* A second add only refreshes the waker: still three, in order. */
  sb_waitlist_add(&l, &w[0], (sb_waker){.rt = &rt, .task = task[2]});
  sb_waitlist_remove(&w[1]);
  sb_waitlist_remove(&w[1]); /* not queued: a no-op */
  ASSERT(!sb_waiter_queued(&w[1]));
  ASSERT_EQ(sb_waitlist_wake_one(&l), 1);
  ASSERT(nwoken == 1 && woken[0] == task[2]); /* w[0], refreshed */
  sb_waitlist_wake_all(&l);
  ASSERT(nwoken == 2 && woken[1] == task[2]); /* w[2] */
  ASSERT(sb_waitlist_empty(&l) && sb_waitlist_wake_one(&l) == 0);
}

static int built;
static void ctor(void *block, unsigned cls, void *arg) {
  ((int *)block)[0] = 7000 + (int)cls; /* kept while free */
  (void)arg;
  built++;
}
static int visited;
static void visit(void *block, unsigned cls, void *arg) {
  ASSERT_EQ(((int *)block)[0], 7000 + (int)cls);
  ASSERT_EQ((uintptr_t)block % SB_CACHELINE, 0);
  (void)arg;
  visited++;
}

#define C128 8u /* the class of 128-byte blocks */

static void slabs(void) {
  /* Sizes to classes, and classes to block sizes: 8 bytes apart up to 256
   * (120 B is single's waiting task in million), then eight per power of
   * two. */
  static const struct {
    size_t size;
    int cls;
  } fits[] = {{1, 0},   {64, 0},   {65, 1},   {72, 1},   {73, 2},   {120, 7},
              {129, 9}, {256, 24}, {257, 25}, {512, 32}, {4096, 56}};
  static const struct {
    unsigned cls;
    size_t bytes;
  } blocks[] = {{1, 72},   {8, 128},  {9, 136},  {24, 256},
                {25, 288}, {33, 576}, {56, 4096}};
  for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++)
    ASSERT_EQ(sb_slab_class(fits[i].size), fits[i].cls);
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
    ASSERT_EQ(sb_slab_block_size(blocks[i].cls), blocks[i].bytes);
  for (unsigned c = 0; c < SB_SLAB_CLASSES; c++) { /* every size a class's */
    ASSERT_EQ(sb_slab_class(sb_slab_block_size(c)), (int)c);
    ASSERT_EQ(sb_slab_block_size(c) % SB_FUTURE_ALIGN, 0);
  }
  for (size_t n = 1; n < 100000; n += 7) /* the smallest class that fits */
    ASSERT(sb_slab_block_size((unsigned)sb_slab_class(n)) >= n &&
           (sb_slab_class(n) == 0 ||
            sb_slab_block_size((unsigned)sb_slab_class(n) - 1) < n));
  ASSERT_EQ(sb_slab_class((size_t)512 << 20), SB_SLAB_CLASSES - 1);
  ASSERT_EQ(sb_slab_class(((size_t)512 << 20) + 1), -1);
  /* Cache-line aligned blocks: a block size that is a multiple of 64, the
   * smallest such class that holds n (72 to 120 are skipped). */
  ASSERT_EQ(sb_slab_class_aligned(65, 64), 8); /* 128 B */
  for (size_t n = 1; n <= 1 << 16; n += 7) {
    int c = sb_slab_class_aligned(n, 64);
    ASSERT(c >= sb_slab_class(n));
    ASSERT(sb_slab_block_size((unsigned)c) >= n);
    ASSERT_EQ(sb_slab_block_size((unsigned)c) % 64, 0);
  }
  sb_slab s;
  sb_slab_init(&s, 8, ctor, NULL); /* the free-list node after the int */
  void *a = sb_slab_alloc(&s, C128), *b = sb_slab_alloc(&s, C128);
  ASSERT(a != NULL && b != NULL && a != b);
  int carved = built; /* one chunk of 128-byte blocks */
  ASSERT_EQ(carved, (SB_SLAB_CHUNK - SB_CACHELINE) / 128);
  sb_slab_free(&s, a, C128);
  ASSERT(sb_slab_alloc(&s, C128) == a); /* reused, not rebuilt */
  ASSERT_EQ(built, carved);
  void *big = sb_slab_alloc(
      &s, (unsigned)sb_slab_class(32768)); /* 32 KiB: one block a chunk */
  ASSERT(big != NULL && built == carved + 1);
  ASSERT_EQ(sb_slab_refill(&s, C128), carved); /* says how many it carved */
  /* A chain of freed blocks handed over whole (a batch of steal's depot). */
  sb_slab_free(&s, a, C128);
  sb_slab_free(&s, b, C128);
  sb_snode *chain = s.free[C128];
  s.free[C128] = NULL;
  sb_slab_adopt(&s, C128, chain);
  ASSERT(sb_slab_alloc(&s, C128) == b && sb_slab_alloc(&s, C128) == a);
  sb_slab_foreach(&s, visit, NULL);
  ASSERT_EQ(visited, built);
  sb_slab_destroy(&s);
}

int main(void) {
  lists();
  waitlists();
  slabs();
  fprintf(stderr, "blocks: lists, wait lists and slabs passed\n");
  return 0;
}
