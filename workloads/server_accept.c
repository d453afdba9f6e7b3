/* The server's accepting side (server.h): the listening socket, accept with
 * back-off, and the accept loop that spawns a connection task per client,
 * then joins them (a counted server) or waits for them (a stopped one). */
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

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
  if (sb_future_is_pending(&a->base)) {
    sb_future_drop(&a->op.base, rt);
    sb_future_drop(&a->pause.base, rt);
  }
  sb_future_done(&a->base);
}

void sb_accept_retry_init(sb_accept_retry *a, int listen_fd,
                          uint64_t *backoffs) {
  memset(a, 0, sizeof(*a));
  a->base = SB_FUTURE_INIT(accept_retry_poll, accept_retry_drop);
  a->listen_fd = listen_fd;
  a->backoffs = backoffs;
  /* Both inner futures start done, so that a drop between them is a no-op
   * for the one not in flight. */
  sb_future_done(&a->op.base);
  sb_future_done(&a->pause.base);
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
      /* With TCP_INQ's count, a connection's request read whole is not
       * followed by a read that fails with EAGAIN (sb_recv_init); without
       * it nothing changes, so best effort too. */
      (void)sb_tcp_inq_on((int)a->op.base.out);
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

/* ---- the accept loop -------------------------------------------------------
 */

/* Spawns the task of the connection on fd; a counted server keeps its
 * handle, a stopped one detaches it. On failure the connection is closed
 * and counted: this client is refused, the others go on. */
static void serve_conn(sb_server *s, sb_cx *cx, int fd) {
  union {
    sb_conn conn;
    sb_echo_conn echo;
    sb_http_conn http;
  } c;
  size_t size;
  if (s->cfg.kind == SB_CONN_HTTP) {
    sb_http_conn_init(&c.http, fd, s->cfg.set);
    size = sizeof c.http;
  } else {
    sb_echo_conn_init(&c.echo, fd, s->cfg.set);
    size = sizeof c.echo;
  }
  c.conn.served = s->cfg.served;
  sb_join detached,
      *join = s->cfg.count > 0 ? &s->cfg.joins[s->spawned] : &detached;
  int rc = sb_spawn(cx, &c.conn.base, size, join);
  if (rc < 0) {
    if (s->spawn_failed++ == 0)
      s->spawn_err = rc;
    sb_fd_close(cx->rt, fd);
    return;
  }
  s->spawned++;
  if (s->cfg.count == 0)
    sb_join_release(join, cx->rt); /* it runs on alone */
}

static sb_poll server_poll(sb_future *f, sb_cx *cx) {
  return sb_server_poll((sb_server *)f, cx);
}

sb_poll sb_server_poll(sb_server *s, sb_cx *cx) {
  SB_BEGIN(s);
  while (s->cfg.count == 0 || s->accepted < s->cfg.count) {
    sb_accept_retry_init(&s->acc, s->cfg.listen_fd, &s->backoffs);
    SB_AWAIT(s, sb_accept_retry_poll(&s->acc, cx));
    int fd = (int)(int64_t)s->acc.base.out;
    /* sb_server_stop stores stop before the shutdown that makes accept
     * fail, so a failed accept after a stop always sees it. */
    int stopping = atomic_load(&s->stop);
    if (fd >= 0 && !stopping) {
      s->accepted++;
      serve_conn(s, cx, fd);
      continue;
    }
    if (fd >= 0)
      sb_fd_close(cx->rt, fd);
    else if (!stopping)
      s->accept_err = fd;
    break;
  }
  if (s->cfg.count > 0) {
    for (; s->joined < s->spawned; s->joined++) {
      SB_AWAIT(s, sb_join_poll(&s->cfg.joins[s->joined], cx));
      s->sum += s->cfg.joins[s->joined].base.out;
    }
  } else if (s->cfg.set != NULL) {
    sb_conn_set_stop(s->cfg.set);
    sb_read_init(&s->idle, s->cfg.set->idle_fd, &s->idle_buf,
                 sizeof(s->idle_buf));
    SB_AWAIT(s, sb_fdop_poll(&s->idle, cx));
  }
  SB_END(s, s->sum);
}

static void server_drop(sb_future *f, sb_runtime *rt) {
  sb_server *s = (sb_server *)f;
  sb_future_drop(&s->acc.base, rt);
  sb_future_drop(&s->idle.base, rt);
  for (int i = s->joined; s->cfg.count > 0 && i < s->spawned; i++)
    sb_join_release(&s->cfg.joins[i], rt);
  sb_future_done(&s->base);
}

void sb_server_init(sb_server *s, const sb_server_cfg *cfg) {
  memset(s, 0, sizeof(*s));
  s->base = SB_FUTURE_INIT(server_poll, server_drop);
  s->cfg = *cfg;
  atomic_init(&s->stop, 0);
  /* Nothing in flight yet: dropping either is a no-op. */
  sb_future_done(&s->acc.base);
  sb_future_done(&s->idle.base);
}

void sb_server_stop(sb_server *s) {
  atomic_store(&s->stop, 1); /* seq_cst: before the shutdown below */
  shutdown(s->cfg.listen_fd, SHUT_RDWR); /* the accept in flight fails */
}
