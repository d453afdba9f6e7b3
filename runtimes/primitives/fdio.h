/* Non-blocking fd leaf operations. Each tries the syscall and, on EAGAIN,
 * waits through the runtime's wait_fd, so the same code blocks a thread on
 * `threads`/`pool` and parks a task on the executors. fds must be O_NONBLOCK.
 * Each op is READY with base.out = (uint64_t)result: bytes or the new fd, or
 * a negative errno. Writes use write(2): a program writing to sockets whose
 * peer may close ignores SIGPIPE so that it sees -EPIPE. An op reaches READY
 * with no registration left; dropping a pending one cancels its wait. */
#ifndef SB_FDIO_H
#define SB_FDIO_H

#include <sys/socket.h>

#include "runtimes/core/sb.h"

typedef struct sb_fdop {
  sb_future base; /* READY: out = bytes, new fd, 0 or -errno */
  int fd;         /* the descriptor (O_NONBLOCK) */
  void *buf;      /* read/write: the buffer */
  size_t len;     /* read/write: its length */
  size_t done;    /* read_full/write_all: bytes moved; connect: 1 = issued;
                     recv: SB__RECV_* flags */
  struct sockaddr_storage addr; /* connect: the peer */
  socklen_t addrlen;            /* connect: bytes of addr in use */
  sb_wait wait;                 /* private: the registration (wait_fd) */
} sb_fdop;

/* One read(2)/write(2): result is bytes (0 = EOF) or -errno. */
void sb_read_init(sb_fdop *op, int fd, void *buf, size_t len);
void sb_write_init(sb_fdop *op, int fd, const void *buf, size_t len);
/* One read from a TCP socket that also learns whether it left the socket's
 * receive queue empty (sb_recv_drained), through the TCP_INQ hint that
 * sb_tcp_inq_on enables. With wait_first (the last recv on fd said it left
 * the queue empty) it waits for readability before its first read instead of
 * reading and failing with EAGAIN: on Linux, once a TCP socket's queue is
 * empty, every byte that arrives later raises a new epoll edge, so the wait
 * cannot miss one. Without TCP_INQ (another kind of fd, an old kernel) the
 * hint never comes and it behaves as sb_read_init. Result as sb_read_init. */
void sb_recv_init(sb_fdop *op, int fd, void *buf, size_t len, int wait_first);
/* After a READY recv: 1 if the kernel said its read left nothing queued. */
int sb_recv_drained(const sb_fdop *op);
/* Turns the TCP_INQ hint on for fd. Returns 0 or -errno (-EOPNOTSUPP on
 * another kind of socket, -ENOTSOCK on what is not one); recv works either
 * way. */
int sb_tcp_inq_on(int fd);
/* Loops until len bytes moved: result len, fewer at EOF, or -errno. */
void sb_read_full_init(sb_fdop *op, int fd, void *buf, size_t len);
void sb_write_all_init(sb_fdop *op, int fd, const void *buf, size_t len);
/* accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC: result the new fd or -errno. */
void sb_accept_init(sb_fdop *op, int listen_fd);
/* Non-blocking connect of fd to addr: result 0 or -errno. */
void sb_connect_init(sb_fdop *op, int fd, const struct sockaddr *addr,
                     socklen_t len);
sb_poll sb_fdop_poll(sb_fdop *op, sb_cx *cx);

/* Tells the runtime to forget fd, then closes it. */
void sb_fd_close(sb_runtime *rt, int fd);
/* Sets O_NONBLOCK (and FD_CLOEXEC). Returns 0 or -errno. */
int sb_fd_nonblock(int fd);

#endif
