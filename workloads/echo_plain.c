/* The plain echo server (echo_plain.h): one thread, one level-triggered
 * epoll over the listening socket, the connections and a stop eventfd;
 * each readable connection is read once (up to 4096 bytes) and what came
 * is written back in full. And the capacity probe that drives it closed
 * loop with the load generator. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo_plain.h"
#include "runtimes/core/sb.h"
#include "server.h"

struct sb_echo_plain {
  pthread_t thread;
  int listen_fd;       /* the caller's; watched, never closed */
  int stop_fd;         /* eventfd: readable once stop is asked */
  int epfd;            /* the thread's epoll */
  int64_t stall_after; /* bytes echoed before the one stall, 0: none */
  int64_t stall_ns;    /* how long the stall sleeps */
  int *conns;          /* the thread's: connections open, closed at stop */
  size_t nconns, cap;  /* entries in use, allocated */
};

/* Keeps fd among the open connections. 0, or -1 (then fd is closed). */
static int conn_keep(sb_echo_plain *s, int fd) {
  if (s->nconns == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 16;
    int *grown = realloc(s->conns, cap * sizeof *grown);
    if (grown == NULL) {
      close(fd);
      return -1;
    }
    s->conns = grown;
    s->cap = cap;
  }
  s->conns[s->nconns++] = fd;
  return 0;
}

/* Closes fd and forgets it (closing drops it from the epoll). */
static void conn_close(sb_echo_plain *s, int fd) {
  for (size_t i = 0; i < s->nconns; i++)
    if (s->conns[i] == fd) {
      s->conns[i] = s->conns[--s->nconns];
      break;
    }
  close(fd);
}

/* Writes all n bytes to the non-blocking fd, waiting out a full buffer.
 * 0, or -1 when the connection is gone. */
static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w > 0) {
      p += w;
      n -= (size_t)w;
    } else if (w < 0 && errno == EAGAIN) {
      struct pollfd pf = {.fd = fd, .events = POLLOUT};
      (void)poll(&pf, 1, 100);
    } else if (!(w < 0 && errno == EINTR)) {
      return -1;
    }
  }
  return 0;
}

static void *plain_main(void *arg) {
  sb_echo_plain *s = arg;
  uint8_t buf[4096];
  int64_t echoed = 0, stalled = 0;
  struct epoll_event evs[64];
  for (;;) {
    int n = epoll_wait(s->epfd, evs, 64, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == s->stop_fd)
        return NULL;
      if (fd == s->listen_fd) {
        int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0)
          continue;
        int one = 1;
        (void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
        if (conn_keep(s, c) == 0 &&
            epoll_ctl(s->epfd, EPOLL_CTL_ADD, c, &ev) < 0)
          conn_close(s, c);
        continue;
      }
      ssize_t got = read(fd, buf, sizeof buf);
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (got > 0 && s->stall_after > 0 && !stalled &&
          echoed + got >= s->stall_after) {
        stalled = 1;
        struct timespec ts = {.tv_sec = s->stall_ns / 1000000000,
                              .tv_nsec = s->stall_ns % 1000000000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
      }
      if (got <= 0 || write_all(fd, buf, (size_t)got) != 0) {
        conn_close(s, fd);
        continue;
      }
      echoed += got;
    }
  }
}

int sb_echo_plain_start(int listen_fd, int64_t stall_after, int64_t stall_ns,
                        sb_echo_plain **out) {
  int rc;
  sb_echo_plain *s = calloc(1, sizeof *s);
  if (s == NULL)
    return -ENOMEM;
  *s = (sb_echo_plain){.listen_fd = listen_fd,
                       .stall_after = stall_after,
                       .stall_ns = stall_ns};
  s->stop_fd = eventfd(0, EFD_CLOEXEC);
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (s->stop_fd < 0 || s->epfd < 0) {
    rc = -errno;
    goto fail;
  }
  struct epoll_event a = {.events = EPOLLIN, .data.fd = listen_fd};
  struct epoll_event b = {.events = EPOLLIN, .data.fd = s->stop_fd};
  if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, listen_fd, &a) < 0 ||
      epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stop_fd, &b) < 0) {
    rc = -errno;
    goto fail;
  }
  if ((rc = -pthread_create(&s->thread, NULL, plain_main, s)) != 0)
    goto fail;
  *out = s;
  return 0;
fail:
  if (s->epfd >= 0)
    close(s->epfd);
  if (s->stop_fd >= 0)
    close(s->stop_fd);
  free(s);
  return rc;
}

void sb_echo_plain_stop(sb_echo_plain *s) {
  uint64_t one = 1;
  SB_ASSERT(write(s->stop_fd, &one, sizeof one) == (ssize_t)sizeof one);
  pthread_join(s->thread, NULL);
  for (size_t i = 0; i < s->nconns; i++)
    close(s->conns[i]);
  free(s->conns);
  close(s->epfd);
  close(s->stop_fd);
  free(s);
}

/* Waits for the generator's run to end. 0 or -errno. */
static int wait_done(sb_loadgen *lg) {
  struct pollfd p = {.fd = sb_loadgen_done_fd(lg), .events = POLLIN};
  uint64_t v;
  while (read(p.fd, &v, sizeof v) != (ssize_t)sizeof v) {
    if (errno != EAGAIN && errno != EINTR)
      return -errno;
    (void)poll(&p, 1, -1);
  }
  return 0;
}

int64_t sb_echo_plain_capacity(int conns, int64_t duration_ns,
                               int loadgen_cpu) {
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = sb_listen_tcp(&addr, conns < 128 ? 128 : conns);
  if (fd < 0)
    return fd;
  sb_echo_plain *srv = NULL;
  sb_loadgen *lg = NULL;
  int64_t rc = sb_echo_plain_start(fd, 0, 0, &srv);
  if (rc == 0)
    rc = sb_loadgen_open(loadgen_cpu, &lg);
  /* A first short run measures the round trip; the second lasts about
   * duration_ns and is the one counted. */
  int rounds = 200;
  int64_t rate = 0;
  for (int pass = 0; rc == 0 && pass < 2; pass++) {
    sb_loadgen_job job = {.addr = addr,
                          .conns = conns,
                          .rounds = rounds,
                          .bytes = 64,
                          .stall_ns = 10 * 1000000000LL,
                          .listen_fd = -1};
    sb_loadgen_result res;
    if ((rc = sb_loadgen_start(lg, &job)) != 0 || (rc = wait_done(lg)) != 0)
      break;
    sb_loadgen_result_get(lg, &res);
    if (res.failed > 0 || res.timed_ns <= 0) {
      rc = -EIO;
      break;
    }
    double per_round_ns = (double)res.timed_ns / rounds;
    rate = (int64_t)((double)res.round_trips * 1e9 / (double)res.timed_ns);
    if (pass == 0 && duration_ns / per_round_ns < 1e6)
      rounds = (int)(duration_ns / per_round_ns) + 1;
  }
  if (lg != NULL)
    sb_loadgen_close(lg);
  if (srv != NULL)
    sb_echo_plain_stop(srv);
  close(fd);
  return rc < 0 ? rc : rate > 0 ? rate : -EIO;
}
