/* Conformance: non-blocking fd leaves. read/write and read_full/write_all
 * across a socketpair (more than a socket buffer, so both sides wait), EOF,
 * accept/connect over loopback TCP, a refused connect, and a dropped pending
 * read that leaves no registration behind. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"
#include "runtimes/primitives/fdio.h"
#include "runtimes/primitives/sleep.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"

#define MS (1000 * 1000)

/* Like sb_test_run, with two workers on the runtimes that have a worker
 * count: on `pool` a task waiting for the kernel holds its worker, and
 * these cases need two such waits (or a wait and a sender) at once. */
static uint64_t run_two_workers(const sb_runtime_ops *ops, sb_future *root) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, root), 0);
  ops->close(rt);
  return root->out;
}

static void nb_socketpair(int sv[2]) {
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(sb_fd_nonblock(sv[0]), 0);
  ASSERT_EQ(sb_fd_nonblock(sv[1]), 0);
}

static uint8_t pattern(size_t j) {
  return (uint8_t)((j * 31 + 7) & 0xff);
}

/* A task moving len bytes through one fd: write_all (writer) or read_full
 * (reader, which checks the pattern). Returns the bytes moved. */
typedef struct mover {
  sb_future base;
  int fd, writer;
  uint8_t *buf;
  size_t len;
  sb_fdop op;
} mover;

static sb_poll mover_poll(sb_future *f, sb_cx *cx) {
  mover *self = (mover *)f;
  SB_BEGIN(self);
  if (self->writer)
    sb_write_all_init(&self->op, self->fd, self->buf, self->len);
  else
    sb_read_full_init(&self->op, self->fd, self->buf, self->len);
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ((int64_t)self->op.base.out, (int64_t)self->len);
  if (!self->writer)
    for (size_t j = 0; j < self->len; j++)
      ASSERT_EQ(self->buf[j], pattern(j));
  SB_END(self, self->op.base.out);
}

static int spawn_mover(sb_cx *cx, int fd, int writer, uint8_t *buf, size_t len,
                       sb_join *join) {
  mover m = {.base = SB_FUTURE_INIT(mover_poll, NULL)};
  m.fd = fd;
  m.writer = writer;
  m.buf = buf;
  m.len = len;
  return sb_spawn(cx, &m.base, sizeof(m), join);
}

/* ---- 1 MiB across a socketpair, writer and reader in separate tasks --- */

#define BIG (1 << 20)

typedef struct pair_root {
  sb_future base;
  int sv[2];
  uint8_t *out, *in;
  sb_join w, r;
} pair_root;

static sb_poll pair_poll(sb_future *f, sb_cx *cx) {
  pair_root *self = (pair_root *)f;
  SB_BEGIN(self);
  nb_socketpair(self->sv);
  self->out = malloc(BIG);
  self->in = calloc(1, BIG);
  ASSERT(self->out != NULL && self->in != NULL);
  for (size_t j = 0; j < BIG; j++)
    self->out[j] = pattern(j);
  ASSERT_EQ(spawn_mover(cx, self->sv[0], 1, self->out, BIG, &self->w), 0);
  ASSERT_EQ(spawn_mover(cx, self->sv[1], 0, self->in, BIG, &self->r), 0);
  SB_AWAIT(self, sb_join_poll(&self->w, cx));
  SB_AWAIT(self, sb_join_poll(&self->r, cx));
  ASSERT_EQ(self->r.base.out, BIG);
  sb_fd_close(cx->rt, self->sv[0]);
  sb_fd_close(cx->rt, self->sv[1]);
  free(self->out);
  free(self->in);
  SB_END(self, 1);
}

static void test_socketpair_big(const sb_runtime_ops *ops) {
  pair_root root = {.base = SB_FUTURE_INIT(pair_poll, NULL)};
  ASSERT_EQ(run_two_workers(ops, &root.base), 1);
}

/* ---- single read and write, short read_full at EOF, read after EOF ---- */

typedef struct small_root {
  sb_future base;
  int sv[2];
  char buf[16];
  sb_fdop op;
} small_root;

static sb_poll small_poll(sb_future *f, sb_cx *cx) {
  small_root *self = (small_root *)f;
  SB_BEGIN(self);
  nb_socketpair(self->sv);
  sb_write_init(&self->op, self->sv[0], "hello", 5);
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ(self->op.base.out, 5);
  sb_read_init(&self->op, self->sv[1], self->buf, sizeof(self->buf));
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ(self->op.base.out, 5);
  ASSERT_EQ(memcmp(self->buf, "hello", 5), 0);
  sb_write_init(&self->op, self->sv[0], "abc", 3);
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  sb_fd_close(cx->rt, self->sv[0]);
  sb_read_full_init(&self->op, self->sv[1], self->buf, 10);
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ(self->op.base.out, 3); /* EOF after 3 of the 10 */
  sb_read_init(&self->op, self->sv[1], self->buf, sizeof(self->buf));
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ(self->op.base.out, 0);
  /* A bad fd is an error result, not a crash. */
  sb_read_init(&self->op, -1, self->buf, sizeof(self->buf));
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ((int64_t)self->op.base.out, -EBADF);
  sb_fd_close(cx->rt, self->sv[1]);
  SB_END(self, 1);
}

static void test_small(const sb_runtime_ops *ops) {
  small_root root = {.base = SB_FUTURE_INIT(small_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- accept/connect over loopback TCP: an echo server task ------------ */

#define CONNS 4
#define MSG 4096

typedef struct server {
  sb_future base;
  int lfd, i, fd;
  uint8_t buf[MSG];
  sb_fdop op;
} server;

static sb_poll server_poll(sb_future *f, sb_cx *cx) {
  server *self = (server *)f;
  SB_BEGIN(self);
  for (self->i = 0; self->i < CONNS; self->i++) {
    sb_accept_init(&self->op, self->lfd);
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    self->fd = (int)(int64_t)self->op.base.out;
    ASSERT_GE(self->fd, 0);
    sb_read_full_init(&self->op, self->fd, self->buf, MSG);
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    ASSERT_EQ(self->op.base.out, MSG);
    sb_write_all_init(&self->op, self->fd, self->buf, MSG);
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    ASSERT_EQ(self->op.base.out, MSG);
    sb_fd_close(cx->rt, self->fd);
  }
  SB_END(self, CONNS);
}

typedef struct tcp_root {
  sb_future base;
  int lfd, fd, i;
  struct sockaddr_in addr;
  uint8_t out[MSG], in[MSG];
  sb_join join;
  sb_fdop op;
} tcp_root;

static sb_poll tcp_poll(sb_future *f, sb_cx *cx) {
  tcp_root *self = (tcp_root *)f;
  SB_BEGIN(self);
  self->lfd = sb_test_bind_loopback(&self->addr);
  ASSERT_EQ(listen(self->lfd, 16), 0);
  {
    server s = {.base = SB_FUTURE_INIT(server_poll, NULL), .lfd = self->lfd};
    ASSERT_EQ(sb_spawn(cx, &s.base, sizeof(s), &self->join), 0);
  }
  for (self->i = 0; self->i < CONNS; self->i++) {
    self->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(self->fd, 0);
    sb_connect_init(&self->op, self->fd, (struct sockaddr *)&self->addr,
                    sizeof(self->addr));
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    ASSERT_EQ((int64_t)self->op.base.out, 0);
    for (size_t j = 0; j < MSG; j++)
      self->out[j] = (uint8_t)(j + (size_t)self->i);
    sb_write_all_init(&self->op, self->fd, self->out, MSG);
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    ASSERT_EQ(self->op.base.out, MSG);
    sb_read_full_init(&self->op, self->fd, self->in, MSG);
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    ASSERT_EQ(self->op.base.out, MSG);
    ASSERT_EQ(memcmp(self->in, self->out, MSG), 0);
    sb_fd_close(cx->rt, self->fd);
  }
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  ASSERT_EQ(self->join.base.out, CONNS);
  sb_fd_close(cx->rt, self->lfd);
  SB_END(self, 1);
}

static void test_tcp_echo(const sb_runtime_ops *ops) {
  tcp_root root = {.base = SB_FUTURE_INIT(tcp_poll, NULL)};
  ASSERT_EQ(run_two_workers(ops, &root.base), 1);
}

/* ---- connect to a port nobody listens on ------------------------------ */

typedef struct refused_root {
  sb_future base;
  int lfd, fd;
  struct sockaddr_in addr;
  sb_fdop op;
} refused_root;

static sb_poll refused_poll(sb_future *f, sb_cx *cx) {
  refused_root *self = (refused_root *)f;
  SB_BEGIN(self);
  /* A port bound but not listening refuses connections. */
  self->lfd = sb_test_bind_loopback(&self->addr);
  self->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(self->fd, 0);
  sb_connect_init(&self->op, self->fd, (struct sockaddr *)&self->addr,
                  sizeof(self->addr));
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ((int64_t)self->op.base.out, -ECONNREFUSED);
  sb_fd_close(cx->rt, self->fd);
  close(self->lfd);
  SB_END(self, 1);
}

static void test_connect_refused(const sb_runtime_ops *ops) {
  refused_root root = {.base = SB_FUTURE_INIT(refused_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

/* ---- a pending read, dropped, leaves no registration ------------------ */

/* A helper thread writes one byte 20 ms in. On the executors the read is
 * PENDING before that, is dropped and freed; the byte's arrival must then
 * reach nothing (ASan would see a touch of the freed op). On OS-thread
 * runtimes the read may simply block until the byte comes: then it is READY
 * and there is nothing to drop. */
static void *late_writer(void *arg) {
  int fd = *(int *)arg;
  struct timespec ts = {0, 20 * MS};
  nanosleep(&ts, NULL);
  ASSERT_EQ(write(fd, "x", 1), 1);
  return NULL;
}

typedef struct cancel_root {
  sb_future base;
  int sv[2];
  int consumed;
  char c;
  pthread_t th;
  sb_fdop *pending;
  sb_sleep nap;
  sb_fdop op;
} cancel_root;

static sb_poll cancel_poll(sb_future *f, sb_cx *cx) {
  cancel_root *self = (cancel_root *)f;
  SB_BEGIN(self);
  nb_socketpair(self->sv);
  ASSERT_EQ(pthread_create(&self->th, NULL, late_writer, &self->sv[0]), 0);
  self->pending = malloc(sizeof(*self->pending));
  ASSERT(self->pending != NULL);
  sb_read_init(self->pending, self->sv[1], &self->c, 1);
  if (sb_fdop_poll(self->pending, cx) == SB_PENDING) {
    sb_future_drop(&self->pending->base, cx->rt);
  } else {
    ASSERT_EQ(self->pending->base.out, 1);
    self->consumed = 1;
  }
  free(self->pending);
  sb_sleep_for_init(&self->nap, 60 * MS); /* the byte arrives meanwhile */
  SB_AWAIT(self, sb_sleep_poll(&self->nap, cx));
  ASSERT_EQ(pthread_join(self->th, NULL), 0);
  if (!self->consumed) {
    sb_read_init(&self->op, self->sv[1], &self->c, 1);
    SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
    ASSERT_EQ(self->op.base.out, 1);
  }
  ASSERT_EQ(self->c, 'x');
  sb_fd_close(cx->rt, self->sv[0]);
  sb_fd_close(cx->rt, self->sv[1]);
  SB_END(self, 1);
}

static void test_cancel(const sb_runtime_ops *ops) {
  cancel_root root = {.base = SB_FUTURE_INIT(cancel_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

static const sb_test_case cases[] = {
    {"socketpair_big", test_socketpair_big},
    {"small", test_small},
    {"tcp_echo", test_tcp_echo},
    {"connect_refused", test_connect_refused},
    {"cancel", test_cancel},
};

SB_TEST_MAIN(cases)
