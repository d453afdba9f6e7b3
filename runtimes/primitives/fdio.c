/* Non-blocking fd leaves: try the syscall, and on EAGAIN wait through the
 * runtime's wait_fd (blocks on OS threads, parks the task on executors).
 * Each kind of op is its own poll function behind sb_fdop_poll. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

/* An op is waiting from its first wait_fd call on: the wait may be
 * registered. connect keeps its progress in `done`: 0 = not issued, 1 = in
 * progress. */

static sb_poll finish(sb_fdop *op, sb_cx *cx, int64_t result) {
  if (sb_future_is_waiting(&op->base))
    cx->rt->ops->cancel(cx->rt, &op->wait); /* no registration outlives us */
  return sb_future_ready(&op->base, (uint64_t)result);
}

/* Waits for fd to become ready for events. READY = "retry the syscall". */
static sb_poll wait_ready(sb_fdop *op, sb_cx *cx, uint32_t events) {
  sb_future_waiting(&op->base);
  return cx->rt->ops->wait_fd(cx, &op->wait, op->fd, events);
}

static void fdop_drop(sb_future *f, sb_runtime *rt) {
  sb_fdop *op = (sb_fdop *)f;
  if (sb_future_is_waiting(&op->base))
    rt->ops->cancel(rt, &op->wait);
  sb_future_done(&op->base);
}

static sb_poll write_poll(sb_future *f, sb_cx *cx) {
  sb_fdop *op = (sb_fdop *)f;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  for (;;) {
    ssize_t n = write(op->fd, op->buf, op->len);
    if (n >= 0)
      return finish(op, cx, n);
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return finish(op, cx, -errno);
    if (wait_ready(op, cx, SB_WRITABLE) == SB_PENDING)
      return SB_PENDING;
  }
}

/* recv's flags in op->done. */
#define SB__RECV_WAIT_FIRST 1u /* wait for readability before reading */
#define SB__RECV_DRAINED 2u    /* READY: the read left nothing queued */

/* recvmsg with room for the TCP_CM_INQ message: the bytes still queued once
 * the read is done, taken by the kernel after it released the socket, so 0
 * means no byte had arrived unread by then (nor a FIN, which reads as 1). */
static ssize_t recv_inq(int fd, void *buf, size_t len, int *inq) {
  struct iovec iov = {.iov_base = buf, .iov_len = len};
  union {
    char bytes[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct msghdr msg = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = ctl.bytes,
                       .msg_controllen = sizeof(ctl.bytes)};
  ssize_t n = recvmsg(fd, &msg, 0);
  *inq = -1; /* unknown: no hint came */
  if (n <= 0)
    return n;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
       c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_CM_INQ &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
      memcpy(inq, CMSG_DATA(c), sizeof(int));
  return n;
}

/* One read: read(2), or for recv, recvmsg with the TCP_INQ hint (and its
 * wait first). */
static sb_poll read_once(sb_fdop *op, sb_cx *cx, int recv) {
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  if (recv && (op->done & SB__RECV_WAIT_FIRST)) {
    /* Cleared first: when the wait fires, the next poll reads. */
    op->done = 0;
    if (wait_ready(op, cx, SB_READABLE) == SB_PENDING)
      return SB_PENDING;
  }
  for (;;) {
    int inq = -1;
    ssize_t n = recv ? recv_inq(op->fd, op->buf, op->len, &inq)
                     : read(op->fd, op->buf, op->len);
    if (n >= 0) {
      op->done = n > 0 && inq == 0 ? SB__RECV_DRAINED : 0;
      return finish(op, cx, n);
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return finish(op, cx, -errno);
    if (wait_ready(op, cx, SB_READABLE) == SB_PENDING)
      return SB_PENDING;
  }
}

static sb_poll read_poll(sb_future *f, sb_cx *cx) {
  return read_once((sb_fdop *)f, cx, 0);
}

static sb_poll recv_poll(sb_future *f, sb_cx *cx) {
  return read_once((sb_fdop *)f, cx, 1);
}

static sb_poll read_full_poll(sb_future *f, sb_cx *cx) {
  sb_fdop *op = (sb_fdop *)f;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  while (op->done < op->len) {
    ssize_t n = read(op->fd, (char *)op->buf + op->done, op->len - op->done);
    if (n > 0) {
      op->done += (size_t)n;
    } else if (n == 0) {
      break; /* EOF: fewer bytes than asked */
    } else if (errno == EINTR) {
      continue;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return finish(op, cx, -errno);
    } else if (wait_ready(op, cx, SB_READABLE) == SB_PENDING) {
      return SB_PENDING;
    }
  }
  return finish(op, cx, (int64_t)op->done);
}

static sb_poll write_all_poll(sb_future *f, sb_cx *cx) {
  sb_fdop *op = (sb_fdop *)f;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  while (op->done < op->len) {
    ssize_t n =
        write(op->fd, (const char *)op->buf + op->done, op->len - op->done);
    if (n >= 0) {
      op->done += (size_t)n;
    } else if (errno == EINTR) {
      continue;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return finish(op, cx, -errno);
    } else if (wait_ready(op, cx, SB_WRITABLE) == SB_PENDING) {
      return SB_PENDING;
    }
  }
  return finish(op, cx, (int64_t)op->done);
}

static sb_poll accept_poll(sb_future *f, sb_cx *cx) {
  sb_fdop *op = (sb_fdop *)f;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  for (;;) {
    int fd = accept4(op->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
      return finish(op, cx, fd);
    /* A connection that died in the backlog is not this listener's error. */
    if (errno == EINTR || errno == ECONNABORTED)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return finish(op, cx, -errno);
    if (wait_ready(op, cx, SB_READABLE) == SB_PENDING)
      return SB_PENDING;
  }
}

/* Connect: issue connect(2); while it is in progress wait for writability,
 * then read the outcome from SO_ERROR (a failure) or from connect(2) again
 * (EISCONN: done; EALREADY: still in progress, the wake was spurious). */
static sb_poll connect_poll(sb_future *f, sb_cx *cx) {
  sb_fdop *op = (sb_fdop *)f;
  if (!sb_coop_proceed(cx))
    return SB_PENDING;
  for (;;) {
    if (op->done == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      if (getsockopt(op->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return finish(op, cx, -errno);
      if (err != 0)
        return finish(op, cx, -err);
    }
    if (connect(op->fd, (struct sockaddr *)&op->addr, op->addrlen) == 0)
      return finish(op, cx, 0);
    int e = errno;
    if (e == EISCONN && op->done == 1)
      return finish(op, cx, 0);
    if (e != EINPROGRESS && e != EALREADY && e != EINTR)
      return finish(op, cx, -e);
    op->done = 1; /* in progress: the kernel finishes it asynchronously */
    if (wait_ready(op, cx, SB_WRITABLE) == SB_PENDING)
      return SB_PENDING;
  }
}

static void op_init(sb_fdop *op, sb_poll_fn poll, int fd, void *buf,
                    size_t len) {
  /* Field by field: the 128-byte peer address is only for connect. */
  op->base = SB_FUTURE_INIT(poll, fdop_drop);
  op->fd = fd;
  op->buf = buf;
  op->len = len;
  op->done = 0;
  op->addrlen = 0;
  op->wait = (sb_wait){0};
}

void sb_read_init(sb_fdop *op, int fd, void *buf, size_t len) {
  op_init(op, read_poll, fd, buf, len);
}

void sb_recv_init(sb_fdop *op, int fd, void *buf, size_t len, int wait_first) {
  op_init(op, recv_poll, fd, buf, len);
  op->done = wait_first ? SB__RECV_WAIT_FIRST : 0;
}

int sb_recv_drained(const sb_fdop *op) {
  return op->base.poll == recv_poll && (op->done & SB__RECV_DRAINED) != 0;
}

int sb_tcp_inq_on(int fd) {
  int on = 1;
  return setsockopt(fd, SOL_TCP, TCP_INQ, &on, sizeof(on)) == 0 ? 0 : -errno;
}

void sb_write_init(sb_fdop *op, int fd, const void *buf, size_t len) {
  op_init(op, write_poll, fd, (void *)buf, len);
}

void sb_read_full_init(sb_fdop *op, int fd, void *buf, size_t len) {
  op_init(op, read_full_poll, fd, buf, len);
}

void sb_write_all_init(sb_fdop *op, int fd, const void *buf, size_t len) {
  op_init(op, write_all_poll, fd, (void *)buf, len);
}

void sb_accept_init(sb_fdop *op, int listen_fd) {
  op_init(op, accept_poll, listen_fd, NULL, 0);
}

void sb_connect_init(sb_fdop *op, int fd, const struct sockaddr *addr,
                     socklen_t len) {
  op_init(op, connect_poll, fd, NULL, 0);
  if (len > sizeof(op->addr))
    len = sizeof(op->addr);
  memcpy(&op->addr, addr, len);
  op->addrlen = len;
}

sb_poll sb_fdop_poll(sb_fdop *op, sb_cx *cx) {
  return op->base.poll(&op->base, cx);
}

void sb_fd_close(sb_runtime *rt, int fd) {
  rt->ops->forget_fd(rt, fd);
  close(fd);
}

int sb_fd_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -errno;
  int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
    return -errno;
  return 0;
}
