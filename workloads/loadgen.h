/* The load generator that drives the echo server. It is NOT the runtime
 * under test: one OS thread of its own with its own epoll, pinned apart from
 * the runtime's workers where the machine has cores to spare. */
#ifndef SB_LOADGEN_H
#define SB_LOADGEN_H

#include <netinet/in.h>
#include <stdint.h>

#include "latency.h"

typedef struct sb_loadgen sb_loadgen;

/* One run: conns connections opened at once; once every one is established
 * (or failed) the clock starts and each does rounds round trips of bytes
 * bytes; the clock stops at the last response read (PROTOCOL.md 6). Byte j
 * of round i on connection k is (k*31 + i*7 + j) & 0xff.
 * Closed loop (rate 0): a connection writes its next request when the last
 * response is read. Open loop (rate > 0, PROTOCOL.md 6a): request g of the
 * run (connection g mod conns, its round g / conns) is due at a scheduled
 * time, rate requests per second over all connections (constant gaps, or
 * exponential ones with poisson), and is written then whatever is still
 * unanswered; each latency runs from the request's intended send time. */
typedef struct sb_loadgen_job {
  struct sockaddr_in addr; /* the server */
  int conns;               /* connections, all open at once */
  int rounds;              /* round trips per connection */
  int bytes;               /* bytes per request, echoed back */
  int64_t stall_ns;        /* give a run up after this long without progress */
  int listen_fd;           /* shut down if some connection never connected,
                              so an acceptor waiting for it returns; or -1 */
  sb_latency *latency;     /* if not NULL, receives each round trip's ns */
  int64_t rate;            /* open loop: requests per second, 0: closed */
  int poisson;             /* open loop: exponential gaps (seeded, the same
                              schedule every run), else constant ones */
  sb_latency *pacing;      /* open loop, if not NULL: each request's pacing
                              error (issued - intended), ns */
  int http;                /* 1: each request is `GET / HTTP/1.1` and must
                              get the HTTP server's 200 answer byte for byte
                              (server.h; bytes is then unused) */
} sb_loadgen_job;

/* A pacing error p99 above this (ns) says the generator could not keep its
 * schedule: the generator, not the server, was the limit (PROTOCOL.md 6a). */
#define SB_LOADGEN_PACING_LIMIT_NS 100000

typedef struct sb_loadgen_result {
  uint64_t sum;          /* sum of every byte that came back as sent */
  int64_t round_trips;   /* round trips completed */
  int64_t failed;        /* connections that failed (connect, reset, early
                            EOF, stall) */
  int64_t unconnected;   /* connections that never connected */
  int64_t mismatches;    /* bytes that came back different from those sent */
  int stalled;           /* 1 if the run was given up for lack of progress */
  int64_t timed_ns;      /* the run's timed region (PROTOCOL.md 6): from
                            every connection established to the last
                            response read, ns */
  char first_error[128]; /* the first failure, "" if none */
} sb_loadgen_result;

/* Starts the generator's thread, bound to CPU cpu (its OS number, as
 * sched_setaffinity counts) unless cpu < 0. Returns 0 and *out, or -errno
 * (nothing leaks). */
int sb_loadgen_open(int cpu, sb_loadgen **out);
/* Hands the thread a job and returns at once. Returns 0, -EBUSY while a run
 * is in progress, or -EINVAL for a job it cannot do. */
int sb_loadgen_start(sb_loadgen *lg, const sb_loadgen_job *job);
/* A non-blocking eventfd that becomes readable (8 bytes) when the run
 * started last is over; read it, then fetch the result. */
int sb_loadgen_done_fd(const sb_loadgen *lg);
/* Copies the result of the run that is over. */
void sb_loadgen_result_get(sb_loadgen *lg, sb_loadgen_result *out);
/* An open-loop repetition's runs, summed: its achieved rate. */
typedef struct sb_loadgen_tally {
  int64_t round_trips; /* round trips completed */
  int64_t timed_ns;    /* the runs' timed regions */
} sb_loadgen_tally;
/* Adds a run's result to t. */
void sb_loadgen_tally_add(sb_loadgen_tally *t, const sb_loadgen_result *res);
/* Sets an open-loop cell's counters (PROTOCOL.md 6a): offered_rps (rate),
 * achieved_rps (t's round trips per second of timed region),
 * pacing_err_p50_ns, pacing_err_p99_ns, pacing_err_max_ns (from pacing) and
 * generator_limited (1 when pacing_err_p99_ns exceeds
 * SB_LOADGEN_PACING_LIMIT_NS, itself reported as pacing_limit_ns). */
void sb_loadgen_open_counters(const sb_latency *pacing, int64_t rate,
                              const sb_loadgen_tally *t, sb_counters *c);
/* Waits for a run in progress to end, stops the thread, frees everything. */
void sb_loadgen_close(sb_loadgen *lg);

#endif
