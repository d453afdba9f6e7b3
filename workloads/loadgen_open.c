/* The load generator's open loop (PROTOCOL.md 6a): requests leave on a
 * schedule fixed before the clock starts, whatever is still unanswered, so
 * a server that stalls is charged for every request the stall delays
 * (no coordinated omission). Each latency runs from the request's intended
 * send time; each request's pacing error (when the generator got to it,
 * less when it was due) is recorded too. On the generator's thread. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loadgen_internal.h"
#include "runtimes/core/sb.h"

/* The generator sleeps in epoll until this long before the next send is
 * due, then polls without sleeping: a timer wake-up is late by a few
 * microseconds, a spin is not. */
#define SPIN_NS 15000
/* The seed of the Poisson schedule: every run of every cell has the same
 * arrivals, so runtimes compare on one schedule. */
#define POISSON_SEED 0x9e3779b97f4a7c15ull

/* splitmix64: the next 64 random bits of *s. */
static uint64_t next_bits(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void sb__lg_schedule(sb_loadgen *lg, const sb_loadgen_job *job) {
  size_t total = (size_t)job->conns * (size_t)job->rounds;
  if (!job->poisson) {
    /* Request g at g / rate seconds, in integer ns (no drift). */
    for (size_t g = 0; g < total; g++)
      lg->sched[g] = (int64_t)((__int128)g * 1000000000 / job->rate);
    return;
  }
  /* Exponential gaps of mean 1 / rate: -ln(1 - u) / rate, u in [0, 1). */
  uint64_t s = POISSON_SEED;
  double t = 0, mean_ns = 1e9 / (double)job->rate;
  for (size_t g = 0; g < total; g++) {
    lg->sched[g] = (int64_t)t;
    double u = (double)(next_bits(&s) >> 11) * 0x1.0p-53;
    t += -log1p(-u) * mean_ns;
  }
}

/* Writes the connection's due requests, in order, as far as the socket
 * takes them; asks for EPOLLOUT while some are left. */
static void ol_write(lg_run *r, lg_conn *c) {
  int b = sb__lg_req_len(r->job);
  while (c->wreq < c->due) {
    int n = sb__lg_write_chunk(r, c, c->wreq);
    if (n < 0)
      return;
    if (n == 0)
      break;
    if ((c->sent += n) == b) {
      c->wreq++;
      c->sent = 0;
    }
  }
  int rc = sb__lg_set_interest(r, c,
                               EPOLLIN | (c->wreq < c->due ? EPOLLOUT : 0u));
  if (rc < 0)
    sb__lg_conn_fail(r, c, "epoll_ctl", -rc);
}

/* Reads what has come back, checks it byte by byte, and times every
 * response it completes from that request's intended send time. */
static void ol_read(lg_run *r, lg_conn *c, int64_t t_start) {
  const sb_loadgen_job *job = r->job;
  int k = (int)(c - r->lg->conns), b = sb__lg_resp_len(job);
  while (c->state == CONN_RUNNING) {
    int n = sb__lg_read_some(r, c, SCRATCH_BYTES);
    if (n <= 0)
      return;
    int64_t now = sb_now_ns();
    r->last_progress = now;
    for (int j = 0; j < n; j++) {
      uint8_t got = r->lg->scratch[j];
      if (got != sb__lg_expect(job, k, c->round, c->recvd))
        r->res->mismatches++;
      else
        r->res->sum += got;
      if (++c->recvd < b)
        continue;
      int64_t due = t_start + r->lg->sched[(size_t)c->round * job->conns + k];
      if (job->latency != NULL)
        sb_latency_record(job->latency, now - due);
      r->res->round_trips++;
      c->recvd = 0;
      if (++c->round == job->rounds) {
        sb__lg_conn_finish(r, c);
        return;
      }
    }
    if (n < SCRATCH_BYTES)
      return; /* short: level-triggered epoll reports what is left */
  }
}

/* Issues every request due by now: records its pacing error and writes it
 * unless the connection still waits to write an earlier one. Returns the
 * index of the next request not yet due. */
static size_t issue_due(lg_run *r, int64_t t_start, size_t g, size_t total) {
  const sb_loadgen_job *job = r->job;
  for (int64_t now = sb_now_ns();
       g < total && t_start + r->lg->sched[g] <= now; g++) {
    lg_conn *c = &r->lg->conns[g % (size_t)job->conns];
    if (c->state != CONN_RUNNING)
      continue; /* failed: the run fails, its requests are not sent */
    if (job->pacing != NULL)
      sb_latency_record(job->pacing, now - (t_start + r->lg->sched[g]));
    c->due++;
    r->last_progress = now;
    if (!(c->events & EPOLLOUT))
      ol_write(r, c);
    now = sb_now_ns();
  }
  return g;
}

void sb__loadgen_open_loop(lg_run *r, int64_t t_start) {
  const sb_loadgen_job *job = r->job;
  size_t total = (size_t)job->conns * (size_t)job->rounds, g = 0;
  struct epoll_event evs[EVENTS_AT_ONCE];
  for (int k = 0; k < job->conns; k++) {
    lg_conn *c = &r->lg->conns[k];
    if (c->state != CONN_READY)
      continue;
    c->state = CONN_RUNNING;
    int rc = sb__lg_set_interest(r, c, EPOLLIN);
    if (rc < 0)
      sb__lg_conn_fail(r, c, "epoll_ctl", -rc);
  }
  while (r->live > 0) {
    g = issue_due(r, t_start, g, total);
    int64_t now = sb_now_ns(), idle = now - r->last_progress;
    if (idle >= job->stall_ns) {
      sb__lg_stall(r);
      return;
    }
    /* Sleep until SPIN_NS before the next send (or until the stall limit
     * once all are sent); inside SPIN_NS, poll and come round again. */
    int64_t wait = job->stall_ns - idle;
    if (g < total) {
      int64_t until = t_start + r->lg->sched[g] - now - SPIN_NS;
      wait = until < 0 ? 0 : until < wait ? until : wait;
    }
    struct timespec ts = {.tv_sec = wait / 1000000000,
                          .tv_nsec = wait % 1000000000};
    int n = epoll_pwait2(r->lg->epfd, evs, EVENTS_AT_ONCE, &ts, NULL);
    if (n < 0 && errno != EINTR)
      SB_ASSERT(!"epoll_pwait2 failed on the generator's own epoll");
    for (int i = 0; i < n; i++) {
      lg_conn *c = &r->lg->conns[evs[i].data.u64];
      if (c->state == CONN_RUNNING &&
          (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        ol_read(r, c, t_start);
      if (c->state == CONN_RUNNING && (evs[i].events & EPOLLOUT))
        ol_write(r, c);
    }
  }
}
