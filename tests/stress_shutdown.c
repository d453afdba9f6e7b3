/* Stress: shutdown while busy. block_on returns while detached tasks still
 * wait on an event, a timer and a pipe, yield in loops, or spawn more
 * children; then close() must stop everything and drop every task still
 * alive exactly once. The timer and the pipe come due a few ms later (a
 * thread writes the pipe), so that `pool`, whose workers block in kernel
 * waits by design, finishes too; the executors close before that. Each task
 * holds a malloc'd buffer released by its completion or its drop, so a task
 * neither finished nor dropped shows up as a leak under ASan, and the counts
 * must add up. Repeated open/close. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "runtimes/primitives/event.h"
#include "runtimes/primitives/fdio.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

typedef struct counts {
  _Atomic uint64_t spawned;  /* tasks created */
  _Atomic uint64_t finished; /* tasks that returned READY */
  _Atomic uint64_t dropped;  /* tasks dropped unfinished */
} counts;

enum { K_EVENT, K_SLEEP, K_PIPE, K_YIELD, K_SPAWN, K_KINDS };

/* When the timers fire and the pipe gets its bytes. */
#define DUE_NS ((int64_t)5 * 1000000)

typedef struct writer_arg {
  int fd;       /* the pipe's write end */
  size_t bytes; /* what every reader together may read */
} writer_arg;

static void *writer_main(void *arg) {
  writer_arg *a = arg;
  struct timespec ts = {.tv_sec = 0, .tv_nsec = DUE_NS};
  nanosleep(&ts, NULL);
  static const char zeros[4096];
  for (size_t left = a->bytes; left > 0;) {
    ssize_t n = write(a->fd, zeros, left < sizeof zeros ? left : sizeof zeros);
    ASSERT_GT(n, 0);
    left -= (size_t)n;
  }
  return NULL;
}

typedef struct busy {
  sb_future base;
  int kind;
  counts *c;
  sb_event *ev;
  int fd;
  long i, n;
  char *buf; /* owned: freed when finished or dropped */
  union {
    sb_event_wait wait;
    sb_sleep nap;
    sb_fdop rd;
    sb_yield y;
  } op;
} busy;

static sb_poll busy_poll(sb_future *f, sb_cx *cx);

static void busy_release(busy *self) {
  free(self->buf);
  self->buf = NULL;
}

static void busy_drop(sb_future *f, sb_runtime *rt) {
  busy *self = (busy *)f;
  if (sb_future_is_pending(
          &self->base)) /* an op may be registered: drop it first */
    sb_future_drop(&self->op.wait.base, rt); /* every op starts with base */
  busy_release(self);
  atomic_fetch_add(&self->c->dropped, 1);
  sb_future_done(&self->base);
}

static busy busy_make(int kind, counts *c, sb_event *ev, int fd, long n) {
  busy b = {.base = SB_FUTURE_INIT(busy_poll, busy_drop)};
  b.kind = kind;
  b.c = c;
  b.ev = ev;
  b.fd = fd;
  b.n = n;
  b.buf = malloc(64);
  ASSERT(b.buf != NULL);
  return b;
}

static int spawn_busy(sb_cx *cx, busy *b) {
  sb_join j;
  int rc = sb_spawn(cx, &b->base, sizeof *b, &j);
  if (rc < 0) {
    busy_release(b);
    return rc;
  }
  atomic_fetch_add(&b->c->spawned, 1);
  sb_join_release(&j, cx->rt); /* detached */
  return 0;
}

static sb_poll busy_poll(sb_future *f, sb_cx *cx) {
  busy *self = (busy *)f;
  SB_BEGIN(self);
  /* if/else, not switch: SB_AWAIT's case labels must belong to SB_BEGIN's
   * switch. */
  if (self->kind == K_EVENT) { /* never set before close */
    sb_event_wait_init(&self->op.wait, self->ev);
    SB_AWAIT(self, sb_event_wait_poll(&self->op.wait, cx));
  } else if (self->kind == K_SLEEP) {
    sb_sleep_for_init(&self->op.nap, DUE_NS);
    SB_AWAIT(self, sb_sleep_poll(&self->op.nap, cx));
  } else if (self->kind == K_PIPE) { /* written DUE_NS after the start */
    sb_read_init(&self->op.rd, self->fd, self->buf, 64);
    SB_AWAIT(self, sb_fdop_poll(&self->op.rd, cx));
  } else if (self->kind == K_YIELD) {
    for (self->i = 0; self->i < self->n; self->i++) {
      sb_yield_init(&self->op.y);
      SB_AWAIT(self, sb_yield_poll(&self->op.y, cx));
    }
  } else { /* K_SPAWN: children that yield a little, forever */
    for (self->i = 0; self->i < self->n; self->i++) {
      {
        busy kid = busy_make(K_YIELD, self->c, self->ev, self->fd, 50);
        if (spawn_busy(cx, &kid) < 0)
          break; /* refused: the runtime is shutting down */
      }
      sb_yield_init(&self->op.y);
      SB_AWAIT(self, sb_yield_poll(&self->op.y, cx));
    }
  }
  busy_release(self);
  atomic_fetch_add(&self->c->finished, 1);
  SB_END(self, 0);
}

typedef struct root {
  sb_future base;
  counts *c;
  sb_event *ev;
  int fd, per_kind, i;
  long loops;
  sb_yield y;
} root;

static sb_poll root_poll(sb_future *f, sb_cx *cx) {
  root *self = (root *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < self->per_kind * K_KINDS; self->i++) {
    busy b =
        busy_make(self->i % K_KINDS, self->c, self->ev, self->fd, self->loops);
    ASSERT_EQ(spawn_busy(cx, &b), 0);
  }
  /* Let them get going, then leave them all running. */
  for (self->i = 0; self->i < 20; self->i++) {
    sb_yield_init(&self->y);
    SB_AWAIT(self, sb_yield_poll(&self->y, cx));
  }
  SB_END(self, 1);
}

static void test_close_busy(const sb_runtime_ops *ops) {
  int threads = (ops->flags & SB_RT_THREAD_PER_TASK) != 0;
  int rounds = threads ? 3 : 10;
  int per_kind = threads ? 4 : 100;
  for (int r = 0; r < rounds; r++) {
    counts c;
    atomic_init(&c.spawned, 0);
    atomic_init(&c.finished, 0);
    atomic_init(&c.dropped, 0);
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    ASSERT_EQ(sb_fd_nonblock(p[0]), 0);
    sb_event *ev = NULL;
    ASSERT_EQ(sb_event_open(&ev), 0);
    writer_arg wa = {.fd = p[1], .bytes = (size_t)per_kind * 64};
    pthread_t writer;
    ASSERT_EQ(pthread_create(&writer, NULL, writer_main, &wa), 0);

    sb_config cfg = {0};
    sb_runtime *rt = NULL;
    ASSERT_EQ(ops->open(&cfg, &rt), 0);
    root ro = {.base = SB_FUTURE_INIT(root_poll, NULL), .c = &c, .ev = ev};
    ro.fd = p[0];
    ro.per_kind = per_kind;
    ro.loops = threads ? 200 : 1000000;
    ASSERT_EQ(ops->block_on(rt, &ro.base), 0);
    ASSERT_EQ(ro.base.out, 1);
    ops->close(rt); /* the pipe's readers are dropped before close(fd) */

    /* Every task either finished or was dropped, exactly once. */
    uint64_t spawned = atomic_load(&c.spawned);
    uint64_t finished = atomic_load(&c.finished);
    uint64_t dropped = atomic_load(&c.dropped);
    if (r == 0)
      fprintf(stderr, "  %llu spawned, %llu finished, %llu dropped\n",
              (unsigned long long)spawned, (unsigned long long)finished,
              (unsigned long long)dropped);
    ASSERT_GE(spawned, (uint64_t)per_kind * K_KINDS);
    ASSERT_EQ(finished + dropped, spawned);
    ASSERT_GE(dropped, (uint64_t)per_kind); /* the event is never set */
    sb_event_free(ev); /* asserts that no waiter is left on it */
    ASSERT_EQ(pthread_join(writer, NULL), 0);
    close(p[0]);
    close(p[1]);
  }
}

static const sb_test_case cases[] = {
    {"close_busy", test_close_busy},
};

SB_TEST_MAIN(cases)
