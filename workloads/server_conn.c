/* The server's connections (server.h): the registry of live connections,
 * the connection base every kind embeds (registration, closing, the served
 * count, the drop), and the echo connection. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"
#include "server_internal.h"

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

/* ---- the connection base ------------------------------------------------- */

int sb__conn_begin(sb_conn *c, sb_cx *cx) {
  if (c->set == NULL || sb_conn_set_add(c->set, c->fd) == 0)
    return 0;
  c->set = NULL;
  sb_fd_close(cx->rt, c->fd);
  return -1;
}

void sb__conn_end(sb_conn *c, sb_runtime *rt, int at_eof) {
  if (at_eof && c->served != NULL)
    atomic_fetch_add_explicit(c->served, 1, memory_order_relaxed);
  if (c->set != NULL)
    sb_conn_set_remove(c->set, c->fd, c->bytes);
  sb_fd_close(rt, c->fd);
}

/* Every kind's drop: a connection dropped unfinished is not served. */
static void conn_drop(sb_future *f, sb_runtime *rt) {
  sb_conn *c = (sb_conn *)f;
  if (sb_future_is_pending(&c->base)) /* registered; an op may be in flight */
    sb_future_drop(&c->op.base, rt);
  else /* never polled: never registered */
    c->set = NULL;
  sb__conn_end(c, rt, 0);
  sb_future_done(&c->base);
}

void sb__conn_init(sb_conn *c, sb_poll_fn poll, int fd, sb_conn_set *set) {
  c->base = SB_FUTURE_INIT(poll, conn_drop);
  c->fd = fd;
  c->set = set;
  c->served = NULL;
  c->bytes = 0;
  c->drained = 0;
  memset(&c->op, 0, sizeof(c->op));
}

/* ---- the echo connection ------------------------------------------------- */

static sb_poll echo_poll(sb_future *f, sb_cx *cx) {
  sb_echo_conn *e = (sb_echo_conn *)f;
  sb_conn *c = &e->conn;
  SB_BEGIN(c);
  if (sb__conn_begin(c, cx) < 0)
    SB_RETURN(c, 0);
  for (;;) {
    sb_recv_init(&c->op, c->fd, e->buf, sizeof(e->buf), c->drained);
    SB_AWAIT(c, sb_fdop_poll(&c->op, cx));
    c->drained = sb_recv_drained(&c->op);
    if ((int64_t)c->op.base.out <= 0)
      break; /* EOF: served; an error (the peer reset): over, not served */
    for (size_t i = 0; i < (size_t)c->op.base.out; i++)
      e->sum += e->buf[i];
    sb_write_all_init(&c->op, c->fd, e->buf, (size_t)c->op.base.out);
    SB_AWAIT(c, sb_fdop_poll(&c->op, cx));
    if (c->op.base.out != c->op.len)
      break;
    c->bytes += c->op.len;
  }
  sb__conn_end(c, cx->rt, c->op.base.out == 0);
  SB_END(c, e->sum);
}

void sb_echo_conn_init(sb_echo_conn *c, int fd, sb_conn_set *set) {
  sb__conn_init(&c->conn, echo_poll, fd, set);
  c->sum = 0;
}
