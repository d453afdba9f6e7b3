/* One run of the echo load generator (PROTOCOL.md 6): every connection
 * opened at once; once every one is established (or failed) the clock
 * starts; then all are driven from one level-triggered epoll, each echoed
 * byte checked and each round trip timed. On the generator's thread. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loadgen_internal.h"
#include "runtimes/core/sb.h"
#include "server.h"

/* The HTTP request, and the one answer it must get (server_http.c). */
static const char http_request[] = "GET / HTTP/1.1\r\nHost: switchbench\r\n\r\n";

int sb__lg_req_len(const sb_loadgen_job *job) {
  return job->http ? (int)sizeof http_request - 1 : job->bytes;
}

int sb__lg_resp_len(const sb_loadgen_job *job) {
  return job->http ? (int)sb_http_ok_response_len : job->bytes;
}

void sb__lg_fill(const sb_loadgen_job *job, uint8_t *dst, int k, int round,
                 int at, int n) {
  uint8_t base = (uint8_t)((unsigned)k * 31u + (unsigned)round * 7u + at);
  for (int j = 0; j < n; j++)
    dst[j] = job->http ? (uint8_t)http_request[at + j]
                       : (uint8_t)(base + (unsigned)j);
}

uint8_t sb__lg_expect(const sb_loadgen_job *job, int k, int round, int at) {
  if (job->http)
    return (uint8_t)sb_http_ok_response[at];
  return (uint8_t)((unsigned)k * 31u + (unsigned)round * 7u + (unsigned)at);
}

void sb__lg_conn_fail(lg_run *r, lg_conn *c, const char *what, int err) {
  if (r->res->first_error[0] == '\0')
    snprintf(r->res->first_error, sizeof(r->res->first_error),
             "connection %d, round %d: %s: %s", (int)(c - r->lg->conns),
             c->round, what, err ? strerror(err) : "unexpected EOF");
  r->res->failed++;
  if (c->state == CONN_CONNECTING) {
    r->res->unconnected++;
    r->connecting--;
  }
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  c->state = CONN_DONE;
  r->live--;
}

int sb__lg_set_interest(lg_run *r, lg_conn *c, uint32_t events) {
  if (c->events == events)
    return 0;
  struct epoll_event ev = {.events = events,
                           .data.u64 = (uint64_t)(c - r->lg->conns)};
  if (epoll_ctl(r->lg->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
    return -errno;
  c->events = events;
  return 0;
}

/* One write (out) or read of len bytes of the scratch buffer on c, EINTR
 * retried: the bytes moved, 0 when the socket is full (empty), or -1 when
 * c failed (an error, or EOF on a read). */
static int io_some(lg_run *r, lg_conn *c, int out, int len) {
  for (;;) {
    ssize_t n = out ? write(c->fd, r->lg->scratch, (size_t)len)
                    : read(c->fd, r->lg->scratch, (size_t)len);
    if (n > 0)
      return (int)n;
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return 0;
    sb__lg_conn_fail(r, c, out ? "write" : "read",
                     n < 0 ? errno : out ? EIO : 0);
    return -1;
  }
}

int sb__lg_write_chunk(lg_run *r, lg_conn *c, int round) {
  int k = (int)(c - r->lg->conns), b = sb__lg_req_len(r->job);
  int chunk = b - c->sent < SCRATCH_BYTES ? b - c->sent : SCRATCH_BYTES;
  sb__lg_fill(r->job, r->lg->scratch, k, round, c->sent, chunk);
  return io_some(r, c, 1, chunk);
}

/* Writes as much of the current request as the socket takes. */
static void conn_write(lg_run *r, lg_conn *c) {
  int b = sb__lg_req_len(r->job);
  while (c->sent < b) {
    int n = sb__lg_write_chunk(r, c, c->round);
    if (n < 0)
      return;
    if (n == 0)
      break;
    c->sent += n;
    r->last_progress = sb_now_ns();
  }
  int rc = sb__lg_set_interest(r, c, EPOLLIN | (c->sent < b ? EPOLLOUT : 0u));
  if (rc < 0)
    sb__lg_conn_fail(r, c, "epoll_ctl", -rc);
}

static void round_start(lg_run *r, lg_conn *c) {
  c->t0 = sb_now_ns();
  c->sent = 0;
  c->recvd = 0;
  conn_write(r, c);
}

void sb__lg_conn_finish(lg_run *r, lg_conn *c) {
  close(c->fd);
  c->fd = -1;
  c->state = CONN_DONE;
  r->live--;
  r->t_end = r->last_progress;
}

int sb__lg_read_some(lg_run *r, lg_conn *c, int want) {
  return io_some(r, c, 0, want < SCRATCH_BYTES ? want : SCRATCH_BYTES);
}

/* Reads what has come back, checks it byte by byte, and moves on to the
 * next round (or ends the connection) when a response is complete. It
 * returns as soon as a read comes back short or a new request is out, with
 * no read to find the socket empty: the epoll is level-triggered, so it
 * reports the connection again while bytes are left, and the generator's
 * own system calls are as few as the protocol allows (it shares the CPUs
 * with the server it measures). */
static void conn_read(lg_run *r, lg_conn *c) {
  int k = (int)(c - r->lg->conns), b = sb__lg_resp_len(r->job);
  while (c->state == CONN_RUNNING) {
    int want = b - c->recvd;
    int n = sb__lg_read_some(r, c, want);
    if (n <= 0)
      return;
    for (int j = 0; j < n; j++) {
      uint8_t got = r->lg->scratch[j];
      if (got != sb__lg_expect(r->job, k, c->round, c->recvd + j))
        r->res->mismatches++;
      else
        r->res->sum += got;
    }
    c->recvd += (int)n;
    r->last_progress = sb_now_ns();
    if (c->recvd < b) {
      if (n < want && n < SCRATCH_BYTES)
        return; /* short: the socket is empty, or epoll says otherwise */
      continue;
    }
    if (r->job->latency != NULL)
      sb_latency_record(r->job->latency, r->last_progress - c->t0);
    r->res->round_trips++;
    if (++c->round == r->job->rounds) {
      sb__lg_conn_finish(r, c);
      return;
    }
    round_start(r, c);
    return; /* its response cannot have come yet: epoll says when */
  }
}

/* The handshake is over: established, it waits (no interest, so the
 * level-triggered epoll stays quiet) until every connection is. */
static void conn_connected(lg_run *r, lg_conn *c) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err != 0) {
    sb__lg_conn_fail(r, c, "connect", err);
    return;
  }
  c->state = CONN_READY;
  r->connecting--;
  r->last_progress = sb_now_ns();
  int rc = sb__lg_set_interest(r, c, 0);
  if (rc < 0)
    sb__lg_conn_fail(r, c, "epoll_ctl", -rc);
}

static void conn_open(lg_run *r, lg_conn *c) {
  c->state = CONN_CONNECTING;
  c->round = c->wreq = c->due = c->sent = c->recvd = 0;
  c->events = EPOLLOUT;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    sb__lg_conn_fail(r, c, "socket", errno);
    return;
  }
  /* Requests go out at once, not after the server's delayed ACK (Nagle),
   * as the server's side does (server_accept.c). */
  int one = 1;
  (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  struct epoll_event ev = {.events = EPOLLOUT,
                           .data.u64 = (uint64_t)(c - r->lg->conns)};
  if (epoll_ctl(r->lg->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
    sb__lg_conn_fail(r, c, "epoll_ctl", errno);
    return;
  }
  if (connect(c->fd, (const struct sockaddr *)&r->job->addr,
              sizeof(r->job->addr)) < 0 &&
      errno != EINPROGRESS)
    sb__lg_conn_fail(r, c, "connect", errno);
  /* Otherwise epoll reports EPOLLOUT once the handshake is done. */
}

void sb__lg_stall(lg_run *r) {
  r->res->stalled = 1;
  for (int k = 0; k < r->job->conns; k++)
    if (r->lg->conns[k].state != CONN_DONE)
      sb__lg_conn_fail(r, &r->lg->conns[k], "no progress", ETIMEDOUT);
}

/* Runs the event loop until phase_over(r) holds or the run stalls (no
 * progress for job->stall_ns: every connection not done then fails). */
static void drive(lg_run *r, int (*phase_over)(const lg_run *r)) {
  const sb_loadgen_job *job = r->job;
  struct epoll_event evs[EVENTS_AT_ONCE];
  while (!phase_over(r)) {
    int64_t idle = sb_now_ns() - r->last_progress;
    if (idle >= job->stall_ns) {
      sb__lg_stall(r);
      return;
    }
    int ms = (int)((job->stall_ns - idle) / 1000000) + 1;
    int n = epoll_wait(r->lg->epfd, evs, EVENTS_AT_ONCE, ms);
    if (n < 0 && errno != EINTR)
      SB_ASSERT(!"epoll_wait failed on the generator's own epoll");
    for (int i = 0; i < n; i++) {
      lg_conn *c = &r->lg->conns[evs[i].data.u64];
      if (c->state == CONN_CONNECTING)
        conn_connected(r, c);
      else if (c->state == CONN_READY) /* hangup or error while idle */
        sb__lg_conn_fail(r, c, "established, then", ECONNRESET);
      else if (c->state == CONN_RUNNING &&
               (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        conn_read(r, c);
      if (c->state == CONN_RUNNING && (evs[i].events & EPOLLOUT))
        conn_write(r, c);
    }
  }
}

static int all_established(const lg_run *r) {
  return r->connecting == 0;
}

static int all_done(const lg_run *r) {
  return r->live == 0;
}

void sb__loadgen_run(sb_loadgen *lg, const sb_loadgen_job *job,
                     sb_loadgen_result *res) {
  lg_run r = {.lg = lg,
              .job = job,
              .res = res,
              .live = job->conns,
              .connecting = job->conns};
  memset(res, 0, sizeof(*res));
  if (job->rate > 0)
    sb__lg_schedule(lg, job); /* untimed, before any connection */
  r.last_progress = sb_now_ns();
  /* Untimed: every connection opened at once, every handshake finished. */
  for (int k = 0; k < job->conns; k++)
    conn_open(&r, &lg->conns[k]);
  drive(&r, all_established);
  /* The clock starts once every connection is established; each then does
   * its round trips; it stops at the last response read. */
  int64_t t_start = sb_now_ns();
  r.t_end = t_start;
  r.last_progress = t_start;
  if (job->rate > 0) {
    sb__loadgen_open_loop(&r, t_start);
  } else {
    for (int k = 0; k < job->conns; k++) {
      lg_conn *c = &lg->conns[k];
      if (c->state == CONN_READY) {
        c->state = CONN_RUNNING;
        round_start(&r, c);
      }
    }
    drive(&r, all_done);
  }
  res->timed_ns = r.t_end - t_start;
  /* An acceptor counting on connections that never came must not wait for
   * them forever: shutting the listener down makes its accept fail. */
  if (res->unconnected > 0 && job->listen_fd >= 0)
    shutdown(job->listen_fd, SHUT_RDWR);
}
