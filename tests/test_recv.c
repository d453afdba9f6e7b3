/* Conformance: recv, the read that learns from TCP_INQ whether it left the
 * socket's queue empty, and its wait-first read after one that did. Over
 * loopback TCP: a message read whole says drained, one read in pieces says so
 * only on its last piece; a wait-first read finds bytes that came before it
 * and bytes that come while it waits (sent from another thread), and sees
 * EOF. Over a socketpair (not TCP) the hint is refused and recv reads as
 * sb_read does, never saying drained. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"
#include "runtimes/primitives/fdio.h"
#include "test.h"

/* A connected loopback TCP pair: fd[0] the client, fd[1] the accepted end,
 * both non-blocking, with the hint on fd[1]. */
static void tcp_pair(int fd[2]) {
  struct sockaddr_in addr;
  int lfd = sb_test_bind_loopback(&addr);
  ASSERT_EQ(listen(lfd, 1), 0);
  fd[0] = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd[0], 0);
  ASSERT_EQ(connect(fd[0], (struct sockaddr *)&addr, sizeof(addr)), 0);
  /* The listener is non-blocking: wait until the handshake is queued. */
  struct pollfd p = {.fd = lfd, .events = POLLIN};
  ASSERT_EQ(poll(&p, 1, -1), 1);
  fd[1] = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  ASSERT_GE(fd[1], 0);
  close(lfd);
  ASSERT_EQ(sb_fd_nonblock(fd[0]), 0);
  ASSERT_EQ(sb_tcp_inq_on(fd[1]), 0);
}

/* Writes all of s to fd (a loopback socket with room for it). */
static void put(int fd, const char *s) {
  ASSERT_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Sends "late" on fd after 20 ms, long enough for the reader to be waiting
 * (if it is not yet, the bytes are there when it looks: either way it must
 * find them; nothing is timed). */
static void *late_writer(void *arg) {
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, NULL);
  put(*(int *)arg, "late");
  return NULL;
}

typedef struct tcp_root {
  sb_future base;
  int fd[2];
  char buf[64];
  pthread_t th;
  sb_fdop op;
} tcp_root;

/* Reads once from fd[1] into buf (len bytes at most), wait-first or not. */
#define RECV(self, len, wait_first)                                            \
  do {                                                                         \
    sb_recv_init(&(self)->op, (self)->fd[1], (self)->buf, (len),               \
                 (wait_first));                                                \
    SB_AWAIT(self, sb_fdop_poll(&(self)->op, cx));                             \
  } while (0)

static sb_poll tcp_poll(sb_future *f, sb_cx *cx) {
  tcp_root *self = (tcp_root *)f;
  SB_BEGIN(self);
  tcp_pair(self->fd);
  /* A whole message: read, and nothing left. */
  put(self->fd[0], "hello");
  RECV(self, sizeof(self->buf), 0);
  ASSERT_EQ(self->op.base.out, 5);
  ASSERT_EQ(memcmp(self->buf, "hello", 5), 0);
  ASSERT_EQ(sb_recv_drained(&self->op), 1);
  /* 12 bytes read 5 at a time: drained only after the last piece. */
  put(self->fd[0], "abcdefghijkl");
  RECV(self, 5, 1); /* wait first: the bytes are already there */
  ASSERT_EQ(self->op.base.out, 5);
  ASSERT_EQ(sb_recv_drained(&self->op), 0);
  RECV(self, 5, 0);
  ASSERT_EQ(self->op.base.out, 5);
  ASSERT_EQ(sb_recv_drained(&self->op), 0);
  RECV(self, 5, 0);
  ASSERT_EQ(self->op.base.out, 2);
  ASSERT_EQ(memcmp(self->buf, "kl", 2), 0);
  ASSERT_EQ(sb_recv_drained(&self->op), 1);
  /* Bytes that come while the read waits. */
  ASSERT_EQ(pthread_create(&self->th, NULL, late_writer, &self->fd[0]), 0);
  RECV(self, sizeof(self->buf), 1);
  ASSERT_EQ(self->op.base.out, 4);
  ASSERT_EQ(memcmp(self->buf, "late", 4), 0);
  ASSERT_EQ(sb_recv_drained(&self->op), 1);
  ASSERT_EQ(pthread_join(self->th, NULL), 0);
  /* The peer's FIN ends a wait-first read with EOF. */
  ASSERT_EQ(shutdown(self->fd[0], SHUT_WR), 0);
  RECV(self, sizeof(self->buf), 1);
  ASSERT_EQ(self->op.base.out, 0);
  ASSERT_EQ(sb_recv_drained(&self->op), 0);
  close(self->fd[0]);
  sb_fd_close(cx->rt, self->fd[1]);
  SB_END(self, 1);
}

static void test_tcp(const sb_runtime_ops *ops) {
  tcp_root root = {.base = SB_FUTURE_INIT(tcp_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

typedef struct unix_root {
  sb_future base;
  int sv[2];
  char buf[16];
  sb_fdop op;
} unix_root;

static sb_poll unix_poll(sb_future *f, sb_cx *cx) {
  unix_root *self = (unix_root *)f;
  SB_BEGIN(self);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, self->sv), 0);
  ASSERT_EQ(sb_fd_nonblock(self->sv[1]), 0);
  ASSERT_EQ(sb_tcp_inq_on(self->sv[1]), -EOPNOTSUPP); /* not TCP */
  put(self->sv[0], "xyz");
  sb_recv_init(&self->op, self->sv[1], self->buf, sizeof(self->buf), 0);
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ(self->op.base.out, 3);
  ASSERT_EQ(sb_recv_drained(&self->op), 0); /* no hint, no claim */
  close(self->sv[0]);
  sb_recv_init(&self->op, self->sv[1], self->buf, sizeof(self->buf), 0);
  SB_AWAIT(self, sb_fdop_poll(&self->op, cx));
  ASSERT_EQ(self->op.base.out, 0);
  sb_fd_close(cx->rt, self->sv[1]);
  SB_END(self, 1);
}

static void test_unix(const sb_runtime_ops *ops) {
  unix_root root = {.base = SB_FUTURE_INIT(unix_poll, NULL)};
  ASSERT_EQ(sb_test_run(ops, &root.base), 1);
}

static const sb_test_case cases[] = {
    {"tcp", test_tcp},
    {"unix", test_unix},
};

SB_TEST_MAIN(cases)
