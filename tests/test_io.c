/* The I/O workloads (echo, ring, files) at tiny sizes through the workload
 * interface, and the server parts they share with `serve` (HTTP parsing,
 * accept back-off on EMFILE), on the runtime named in argv[1]. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run_check.h"
#include "runtimes/primitives/spawn.h"
#include "test.h"
#include "workloads/server.h"
#include "workloads/workload.h"

#define P3(a, va, b, vb, c, vc) ((sb_params){{{a, va}, {b, vb}, {c, vc}}})

static void test_echo_small(const sb_runtime_ops *ops) {
  ASSERT_EQ(run_named(ops, 0, "echo", P3("c", 5, "b", 16, "r", 20), 3), 0);
}

/* Requests larger than a read buffer and a socket buffer: partial reads
 * and writes on both sides. */
static void test_echo_large(const sb_runtime_ops *ops) {
  ASSERT_EQ(run_named(ops, 0, "echo", P3("c", 3, "b", 300000, "r", 2), 2), 0);
}

/* Enough workers for every ring task on a runtime whose waits block. */
static void test_ring(const sb_runtime_ops *ops) {
  sb_params ps = {{{"n", 3}, {"laps", 50}}};
  ASSERT_EQ(run_named(ops, 4, "ring", ps, 3), 0);
  ps.p[0].value = 2;
  ASSERT_EQ(run_named(ops, 4, "ring", ps, 2), 0);
}

/* Too few workers for a ring whose tasks all block: refused, not hung. */
static void test_ring_refused(const sb_runtime_ops *ops) {
  sb_params ps = {{{"n", 5}, {"laps", 10}}};
  sb_config cfg = {.workers = 2};
  sb_runtime_info info = {0};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ops->info(rt, &info);
  ops->close(rt);
  int rc = run_named(ops, 2, "ring", ps, 1);
  /* workers 0: a thread per task, as many as there are tasks. */
  if ((ops->flags & SB_RT_BLOCKING_WAITS) && info.workers > 0)
    ASSERT_EQ(rc, -EOPNOTSUPP);
  else
    ASSERT_EQ(rc, 0);
}

static void test_files(const sb_runtime_ops *ops) {
  ASSERT_EQ(run_named(ops, 0, "files", P3("f", 6, "s", 8, "cold", 0), 3), 0);
  ASSERT_EQ(run_named(ops, 0, "files", P3("f", 6, "s", 8, "cold", 1), 2), 0);
}

/* ---- HTTP over a socketpair -------------------------------------------- */

static const char requests[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                               "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                               "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n"
                               "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                               "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
                               "GET / HTTP/1.1\r\n\r\n"; /* never answered */

typedef struct http_client {
  int fd;       /* the client's end */
  size_t chunk; /* bytes per write */
  char got[4096];
  size_t len;
} http_client;

static void *http_client_main(void *arg) {
  http_client *c = arg;
  for (size_t off = 0; off < sizeof(requests) - 1; off += c->chunk) {
    size_t n = sizeof(requests) - 1 - off;
    n = n < c->chunk ? n : c->chunk;
    if (write(c->fd, requests + off, n) != (ssize_t)n)
      break; /* the server closed after "Connection: close" */
    if (c->chunk < 64)
      usleep(200);
  }
  ssize_t n;
  while ((n = read(c->fd, c->got + c->len, sizeof(c->got) - 1 - c->len)) > 0)
    c->len += (size_t)n;
  c->got[c->len] = '\0';
  return NULL;
}

typedef struct http_root {
  sb_future base;
  int fd;
  sb_join join;
} http_root;

static sb_poll http_root_poll(sb_future *f, sb_cx *cx) {
  http_root *self = (http_root *)f;
  sb_http_conn conn;
  SB_BEGIN(self);
  sb_http_conn_init(&conn, self->fd, NULL);
  ASSERT_EQ(sb_spawn(cx, &conn.conn.base, sizeof(conn), &self->join), 0);
  SB_AWAIT(self, sb_join_poll(&self->join, cx));
  SB_END(self, self->join.base.out);
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

static void http_once(const sb_runtime_ops *ops, size_t chunk) {
  int sv[2];
  pthread_t tid;
  signal(SIGPIPE, SIG_IGN); /* the client may write after the server closed */
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  ASSERT_EQ(sb_fd_nonblock(sv[0]), 0);
  http_client client = {.fd = sv[1], .chunk = chunk};
  ASSERT_EQ(pthread_create(&tid, NULL, http_client_main, &client), 0);
  http_root root = {.base = SB_FUTURE_INIT(http_root_poll, NULL), .fd = sv[0]};
  ASSERT_EQ(sb_test_run(ops, &root.base), 5); /* responses sent */
  pthread_join(tid, NULL);
  close(sv[1]);
  ASSERT_EQ(count(client.got, "HTTP/1.1 200 OK\r\n"), 4);
  ASSERT_EQ(count(client.got, "HTTP/1.1 404 Not Found\r\n"), 1);
  ASSERT_EQ(count(client.got, "\r\n\r\nHello, World!"), 4);
  ASSERT(strstr(client.got, "Not Found\n") >
         strstr(client.got, "Hello, World!HTTP")); /* in request order */
}

static void test_http(const sb_runtime_ops *ops) {
  http_once(ops, sizeof(requests)); /* all pipelined in one write */
  http_once(ops, 7);                /* trickled: partial request heads */
}

/* ---- accept back-off on EMFILE ---------------------------------------- */

typedef struct accept_root {
  sb_future base;
  int listen_fd;
  uint64_t backoffs;
  sb_accept_retry acc;
} accept_root;

static sb_poll accept_root_poll(sb_future *f, sb_cx *cx) {
  accept_root *self = (accept_root *)f;
  SB_BEGIN(self);
  sb_accept_retry_init(&self->acc, self->listen_fd, &self->backoffs);
  SB_AWAIT(self, sb_accept_retry_poll(&self->acc, cx));
  SB_END(self, self->acc.base.out);
}

typedef struct limit_lifter {
  struct rlimit saved; /* the limit to restore */
  int client_fd;       /* connects first, then the limit is lifted */
  struct sockaddr_in addr;
} limit_lifter;

static void *lifter_main(void *arg) {
  limit_lifter *l = arg;
  usleep(20000);
  ASSERT_EQ(connect(l->client_fd, (struct sockaddr *)&l->addr, sizeof(l->addr)),
            0);
  usleep(150000); /* accept fails with EMFILE meanwhile */
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &l->saved), 0);
  return NULL;
}

static void test_accept_emfile(const sb_runtime_ops *ops) {
  sb_config cfg = {0};
  sb_runtime *rt = NULL;
  limit_lifter l = {.addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}};
  pthread_t tid;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  int lfd = sb_listen_tcp(&l.addr, 16);
  ASSERT_GE(lfd, 0);
  l.client_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(l.client_fd, 0);
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &l.saved), 0);
  /* Every descriptor from the lowest free one up is now out of bounds. */
  int lowest = dup(0);
  ASSERT_GE(lowest, 0);
  close(lowest);
  struct rlimit tight = {.rlim_cur = (rlim_t)lowest,
                         .rlim_max = l.saved.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  ASSERT_EQ(pthread_create(&tid, NULL, lifter_main, &l), 0);
  accept_root root = {.base = SB_FUTURE_INIT(accept_root_poll, NULL),
                      .listen_fd = lfd};
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  pthread_join(tid, NULL);
  ASSERT_GE((int64_t)root.base.out, 0); /* accepted once fds were back */
  ASSERT_GT(root.backoffs, 0);          /* after pausing, not spinning */
  ASSERT_LT(root.backoffs, 200);
  sb_fd_close(rt, (int)root.base.out);
  sb_fd_close(rt, lfd);
  close(l.client_fd);
  ops->close(rt);
}

static const sb_test_case cases[] = {
    {"echo_small", test_echo_small},
    {"echo_large", test_echo_large},
    {"ring", test_ring},
    {"ring_refused", test_ring_refused},
    {"files", test_files},
    {"http", test_http},
    {"accept_emfile", test_accept_emfile},
};

SB_TEST_MAIN(cases)
