/* Allocation failing (malloc, calloc, aligned_alloc, realloc return NULL).
 * In spawn: the first spawn of a fresh runtime (its task memory is empty),
 * then about one spawn in three of futures too big for any free list; each
 * refusal must be -ENOMEM to the caller with its join handle READY with the
 * error, the children that did start must all produce their results, and
 * nothing may leak. Also: at every allocation of open, in the primitives'
 * constructors, and inside waits (timer heap growth, reactor slot pages),
 * which must retry rather than fail or hang. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault_common.h"
#include "faultinject.h"
#include "runtimes/primitives/chan.h"
#include "runtimes/primitives/event.h"
#include "runtimes/primitives/oneshot.h"
#include "runtimes/primitives/sleep.h"
#include "test.h"

static void arm_enomem(int64_t skip, int64_t count, uint32_t one_in) {
  sb_fi_rule r = SB_FI_RULE;
  r.err = ENOMEM;
  r.skip = skip;
  r.count = count;
  r.one_in = one_in;
  r.seed = 11;
  sb_fi_arm(SB_FI_ALLOC, r);
}

/* ---- spawn ------------------------------------------------------------------
 */

#define KIDS 48
#define PAD 5000 /* bigger than every free-list class of the executors */

typedef struct kid {
  sb_future base;
  sb_event *go;   /* released once every spawn was tried */
  uint64_t value; /* the output */
  sb_event_wait w;
  uint8_t pad[PAD]; /* makes each spawn allocate */
} kid;

static sb_poll kid_poll(sb_future *f, sb_cx *cx) {
  kid *k = (kid *)f;
  SB_BEGIN(k);
  sb_event_wait_init(&k->w, k->go);
  SB_AWAIT(k, sb_event_wait_poll(&k->w, cx));
  SB_END(k, k->value + k->pad[PAD - 1]);
}

typedef struct spawn_root {
  sb_future base;
  sb_event *go;
  int i;
  int failed;    /* spawns refused in the random round */
  uint64_t want; /* outputs expected from the children that started */
  uint64_t sum;  /* outputs received */
  sb_join first; /* the spawn made with every allocation failing */
  sb_join j[KIDS];
} spawn_root;

static sb_poll spawn_root_poll(sb_future *f, sb_cx *cx) {
  spawn_root *s = (spawn_root *)f;
  SB_BEGIN(s);
  {
    kid k = {.base = SB_FUTURE_INIT(kid_poll, NULL), .go = s->go, .value = 1};
    arm_enomem(0, -1, 0);
    int rc = sb_spawn(cx, &k.base, offsetof(kid, pad), &s->first);
    sb_fi_disarm(SB_FI_ALLOC);
    ASSERT_EQ(rc, -ENOMEM);
  }
  SB_AWAIT(s, sb_join_poll(&s->first, cx)); /* inert: READY with the error */
  ASSERT_EQ((int64_t)s->first.base.out, -ENOMEM);
  arm_enomem(0, -1, 3);
  for (int i = 0; i < KIDS; i++) {
    kid k = {.base = SB_FUTURE_INIT(kid_poll, NULL),
             .go = s->go,
             .value = (uint64_t)i * 5 + 2};
    k.pad[PAD - 1] = (uint8_t)i; /* the copy must be whole */
    int rc = sb_spawn(cx, &k.base, sizeof(k), &s->j[i]);
    if (rc == 0)
      s->want += k.value + (uint64_t)i;
    else
      s->failed++;
    ASSERT(rc == 0 || rc == -ENOMEM);
  }
  sb_fi_disarm(SB_FI_ALLOC);
  sb_event_set(s->go);
  for (s->i = 0; s->i < KIDS; s->i++) {
    SB_AWAIT(s, sb_join_poll(&s->j[s->i], cx));
    if ((int64_t)s->j[s->i].base.out != -ENOMEM)
      s->sum += s->j[s->i].base.out;
  }
  ASSERT_EQ(s->sum, s->want); /* every started child's result, intact */
  SB_END(s, s->failed);
}

static void warm_up(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ops->close(rt);
}

static void test_spawn_enomem(const sb_runtime_ops *ops) {
  warm_up(ops);
  ASSERT(fc_await_main_only()); /* warm-up threads gone */
  int64_t allocs0 = sb_fi_live_allocs();
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  spawn_root s = {.base = SB_FUTURE_INIT(spawn_root_poll, NULL)};
  ASSERT_EQ(sb_event_open(&s.go), 0);
  ASSERT_EQ(ops->block_on(rt, &s.base), 0);
  fprintf(stderr,
          "  first spawn: -ENOMEM; then %d of %d spawns refused, "
          "the other results all arrived\n",
          s.failed, KIDS);
  ASSERT_GT(s.failed, 0);
  sb_event_free(s.go);
  ops->close(rt);
  ASSERT_EQ(sb_fi_live_allocs(), allocs0); /* nothing leaked */
  ASSERT(fc_await_main_only());            /* no thread left behind */
}

/* ---- open, at each of its allocations -------------------------------------
 */

static void test_open_each_alloc(const sb_runtime_ops *ops) {
  warm_up(ops);
  ASSERT(fc_await_main_only()); /* warm-up threads gone */
  int64_t allocs0 = sb_fi_live_allocs();
  int refused = 0, k = 0;
  for (;; k++) {
    sb_config cfg = {.workers = 3};
    sb_runtime *rt = NULL;
    arm_enomem(k, 1, 0);
    int rc = ops->open(&cfg, &rt);
    int64_t injected = sb_fi_injected(SB_FI_ALLOC);
    sb_fi_disarm_all();
    if (rc == 0)
      ops->close(rt);
    else
      refused++;
    ASSERT(rc == 0 || rc == -ENOMEM);
    ASSERT(rc == 0 || injected == 1); /* no failure without a cause */
    ASSERT_EQ(sb_fi_live_allocs(), allocs0);
    ASSERT(fc_await_main_only()); /* no thread left behind */
    if (injected == 0)
      break; /* open makes fewer than k + 1 allocations */
  }
  fprintf(stderr,
          "  open makes %d allocations; failing each: %d refused "
          "with ENOMEM, nothing leaked\n",
          k, refused);
  ASSERT_GT(refused, 0);
}

/* ---- the primitives' constructors ------------------------------------------
 */

static void test_constructors(const sb_runtime_ops *ops) {
  (void)ops; /* runtime-independent, run once per runtime all the same */
  int64_t allocs0 = sb_fi_live_allocs();
  sb_chan *ch = NULL;
  sb_event *e = NULL;
  sb_oneshot *o = NULL;
  arm_enomem(0, -1, 0);
  ASSERT_EQ(sb_chan_open(4, 1, &ch), -ENOMEM);
  ASSERT_EQ(sb_event_open(&e), -ENOMEM);
  ASSERT_EQ(sb_oneshot_open(&o), -ENOMEM);
  sb_fi_disarm_all();
  ASSERT_EQ(sb_fi_live_allocs(), allocs0);
}

/* ---- inside waits -------------------------------------------------------- */

typedef struct wait_root {
  sb_future base;
  int fd; /* a byte arrives on it after a while */
  uint8_t byte;
  int64_t deadline;
  int64_t heap_refused; /* allocations refused during the sleep */
  sb_sleep nap;
  sb_fdop rd;
} wait_root;

static sb_poll wait_root_poll(sb_future *f, sb_cx *cx) {
  wait_root *w = (wait_root *)f;
  SB_BEGIN(w);
  /* The timer heap's first registration grows it: refused 3 times. */
  arm_enomem(0, 3, 0);
  w->deadline = sb_now_ns() + 2000000;
  sb_sleep_init(&w->nap, w->deadline);
  SB_AWAIT(w, sb_sleep_poll(&w->nap, cx));
  ASSERT_GE(sb_now_ns(), w->deadline);
  w->heap_refused = sb_fi_injected(SB_FI_ALLOC);
  sb_fi_disarm(SB_FI_ALLOC);
  /* The reactor's first wait on this fd makes its slot page: refused. */
  arm_enomem(0, 3, 0);
  sb_read_init(&w->rd, w->fd, &w->byte, 1);
  SB_AWAIT(w, sb_fdop_poll(&w->rd, cx));
  sb_fi_disarm(SB_FI_ALLOC);
  ASSERT_EQ((int64_t)w->rd.base.out, 1);
  SB_END(w, w->byte);
}

static void *late_writer(void *arg) {
  int fd = *(int *)arg;
  sb_fi_exempt_thread(1);
  usleep(20000);
  ASSERT_EQ(write(fd, "w", 1), 1);
  return NULL;
}

static void test_wait_enomem(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  int sv[2];
  pthread_t tid;
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  ASSERT_EQ(sb_fd_nonblock(sv[0]), 0);
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(pthread_create(&tid, NULL, late_writer, &sv[1]), 0);
  wait_root w = {.base = SB_FUTURE_INIT(wait_root_poll, NULL), .fd = sv[0]};
  ASSERT_EQ(ops->block_on(rt, &w.base), 0);
  ASSERT_EQ(pthread_join(tid, NULL), 0);
  sb_fi_disarm_all();
  ASSERT_EQ(w.base.out, 'w');
  fprintf(stderr,
          "  sleep and read completed; allocations refused inside "
          "them: %lld (timer heap), %lld (reactor page)\n",
          (long long)w.heap_refused, (long long)sb_fi_injected(SB_FI_ALLOC));
  sb_fd_close(rt, sv[0]);
  close(sv[1]);
  ops->close(rt);
}

static const sb_test_case cases[] = {
    {"spawn_enomem", test_spawn_enomem},
    {"open_each_alloc", test_open_each_alloc},
    {"constructors", test_constructors},
    {"wait_enomem", test_wait_enomem},
};

SB_TEST_MAIN(cases)
