/* The echo server's parts: a listening socket, accept with back-off, the
 * registry of live connections, and the echo connection future. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_server.h"

int sb_listen_tcp(struct sockaddr_in *addr, int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int one = 1;
  socklen_t len = sizeof(*addr);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
      bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 ||
      listen(fd, backlog) < 0 ||
      getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
    int rc = -errno;
    close(fd);
    return rc;
  }
  return fd;
}

/* ---- accept with back-off ---------------------------------------------- */

static sb_poll accept_retry_poll(sb_future *f, sb_cx *cx) {
  return sb_accept_retry_poll((sb_accept_retry *)f, cx);
}

/* Whichever of the accept and the pause is in flight holds a registration. */
static void accept_retry_drop(sb_future *f, sb_runtime *rt) {
  sb_accept_retry *a = (sb_accept_retry *)f;
  if (a->base.line > 0) {
    sb_future_drop(&a->op.base, rt);
    sb_future_drop(&a->pause.base, rt);
  }
  a->base.line = -1;
}

void sb_accept_retry_init(sb_accept_retry *a, int listen_fd,
                          uint64_t *backoffs) {
  memset(a, 0, sizeof(*a));
  a->base = SB_FUTURE_INIT(accept_retry_poll, accept_retry_drop);
  a->listen_fd = listen_fd;
  a->backoffs = backoffs;
  /* Both inner futures start as "done" so that a drop between them is a
   * no-op for the one not in flight. */
  a->op.base.line = -1;
  a->pause.base.line = -1;
}

/* Out of descriptors or memory: the connection waits in the backlog until
 * something is freed, so pause instead of spinning on a readable listener. */
static int is_resource_shortage(int64_t err) {
  return err == -EMFILE || err == -ENFILE || err == -ENOBUFS || err == -ENOMEM;
}

/* Errors of one dequeued connection, not of the listener (accept(2) NOTES):
 * retry at once. */
static int is_transient(int64_t err) {
  return err == -EINTR || err == -ECONNABORTED || err == -EPROTO ||
         err == -ENETDOWN || err == -ENOPROTOOPT || err == -EHOSTDOWN ||
         err == -ENONET || err == -EHOSTUNREACH || err == -ENETUNREACH ||
         err == -EPERM;
}

sb_poll sb_accept_retry_poll(sb_accept_retry *a, sb_cx *cx) {
  SB_BEGIN(a);
  for (;;) {
    sb_accept_init(&a->op, a->listen_fd);
    SB_AWAIT(a, sb_fdop_poll(&a->op, cx));
    if ((int64_t)a->op.base.out >= 0) {
      /* Request/response traffic: without TCP_NODELAY, Nagle's algorithm
       * holds back a response written in pieces until the peer's delayed
       * ACK (40 ms on Linux), so a 4 KiB echo measured the ACK timer, not
       * the runtime. Every RR benchmark and server sets it; best effort. */
      int one = 1;
      (void)setsockopt((int)a->op.base.out, IPPROTO_TCP, TCP_NODELAY, &one,
                       sizeof(one));
      SB_RETURN(a, a->op.base.out);
    }
    if (!is_resource_shortage((int64_t)a->op.base.out) &&
        !is_transient((int64_t)a->op.base.out))
      SB_RETURN(a, a->op.base.out);
    if (is_transient((int64_t)a->op.base.out))
      continue;
    a->backoff_ns =
        a->backoff_ns == 0 ? SB_ACCEPT_BACKOFF_MIN_NS : a->backoff_ns * 2;
    if (a->backoff_ns > SB_ACCEPT_BACKOFF_MAX_NS)
      a->backoff_ns = SB_ACCEPT_BACKOFF_MAX_NS;
    if (a->backoffs != NULL)
      (*a->backoffs)++;
    sb_sleep_for_init(&a->pause, a->backoff_ns);
    SB_AWAIT(a, sb_sleep_poll(&a->pause, cx));
  }
  SB_END(a, 0);
}

/* ---- live connections ---------------------------------------------------- */

int sb_conn_set_init(sb_conn_set *s) {
  struct rlimit rl;
  memset(s, 0, sizeof(*s));
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return -errno;
  s->cap = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20)
               ? (size_t)1 << 20
               : (size_t)rl.rlim_cur;
  s->live = calloc(s->cap, 1);
  if (s->live == NULL)
    return -ENOMEM;
  s->idle_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s->idle_fd < 0) {
    int rc = -errno;
    free(s->live);
    return rc;
  }
  int rc = pthread_mutex_init(&s->lock, NULL);
  if (rc != 0) {
    close(s->idle_fd);
    free(s->live);
    return -rc;
  }
  return 0;
}

void sb_conn_set_destroy(sb_conn_set *s) {
  pthread_mutex_destroy(&s->lock);
  close(s->idle_fd);
  free(s->live);
}

/* Called with s->lock held, once stopping and empty. */
static void signal_idle(sb_conn_set *s) {
  uint64_t one = 1;
  ssize_t n = write(s->idle_fd, &one, sizeof(one));
  SB_ASSERT(n == (ssize_t)sizeof(one));
}

int sb_conn_set_add(sb_conn_set *s, int fd) {
  int rc = 0;
  pthread_mutex_lock(&s->lock);
  if (s->stopping) {
    rc = -ESHUTDOWN;
  } else if (fd < 0 || (size_t)fd >= s->cap) {
    rc = -EMFILE;
  } else {
    SB_ASSERT(!s->live[fd]);
    s->live[fd] = 1;
    s->count++;
    s->accepted++;
  }
  pthread_mutex_unlock(&s->lock);
  return rc;
}

void sb_conn_set_remove(sb_conn_set *s, int fd, uint64_t bytes) {
  pthread_mutex_lock(&s->lock);
  SB_ASSERT(s->live[fd]);
  s->live[fd] = 0;
  s->count--;
  s->bytes += bytes;
  if (s->stopping && s->count == 0)
    signal_idle(s);
  pthread_mutex_unlock(&s->lock);
}

void sb_conn_set_stop(sb_conn_set *s) {
  pthread_mutex_lock(&s->lock);
  if (!s->stopping) {
    s->stopping = 1;
    /* Under the lock, so no fd is closed (and its number reused) between
     * the check and the shutdown. */
    for (size_t fd = 0; fd < s->cap; fd++)
      if (s->live[fd])
        shutdown((int)fd, SHUT_RDWR);
    if (s->count == 0)
      signal_idle(s);
  }
  pthread_mutex_unlock(&s->lock);
}

/* ---- the echo connection ------------------------------------------------- */

static void echo_finish(sb_echo_conn *c, sb_runtime *rt) {
  if (c->set != NULL)
    sb_conn_set_remove(c->set, c->fd, c->bytes);
  sb_fd_close(rt, c->fd);
}

static void echo_drop(sb_future *f, sb_runtime *rt) {
  sb_echo_conn *c = (sb_echo_conn *)f;
  if (c->base.line > 0) /* registered, and an op may be in flight */
    sb_future_drop(&c->op.base, rt);
  else /* never polled: never registered */
    c->set = NULL;
  echo_finish(c, rt);
  c->base.line = -1;
}

static sb_poll echo_poll(sb_future *f, sb_cx *cx) {
  sb_echo_conn *c = (sb_echo_conn *)f;
  SB_BEGIN(c);
  if (c->set != NULL && sb_conn_set_add(c->set, c->fd) < 0) {
    c->set = NULL;
    sb_fd_close(cx->rt, c->fd);
    SB_RETURN(c, 0);
  }
  for (;;) {
    sb_read_init(&c->op, c->fd, c->buf, sizeof(c->buf));
    SB_AWAIT(c, sb_fdop_poll(&c->op, cx));
    if ((int64_t)c->op.base.out <= 0) {
      /* EOF: served; an error (the peer reset): over, not served. */
      if (c->op.base.out == 0 && c->served != NULL)
        atomic_fetch_add_explicit(c->served, 1, memory_order_relaxed);
      break;
    }
    for (size_t i = 0; i < (size_t)c->op.base.out; i++)
      c->sum += c->buf[i];
    sb_write_all_init(&c->op, c->fd, c->buf, (size_t)c->op.base.out);
    SB_AWAIT(c, sb_fdop_poll(&c->op, cx));
    if (c->op.base.out != c->op.len)
      break;
    c->bytes += c->op.len;
  }
  echo_finish(c, cx->rt);
  SB_END(c, c->sum);
}

void sb_echo_conn_init(sb_echo_conn *c, int fd, sb_conn_set *set) {
  c->base = SB_FUTURE_INIT(echo_poll, echo_drop);
  c->fd = fd;
  c->set = set;
  c->served = NULL;
  c->sum = 0;
  c->bytes = 0;
  memset(&c->op, 0, sizeof(c->op));
}
