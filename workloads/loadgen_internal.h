/* The load generator's parts, private to loadgen.c (the thread and the
 * API), loadgen_run.c (one run: connecting, the closed loop) and
 * loadgen_open.c (the open loop's schedule and pacing). */
#ifndef SB_LOADGEN_INTERNAL_H
#define SB_LOADGEN_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "loadgen.h"

#define SCRATCH_BYTES 65536
#define EVENTS_AT_ONCE 256

/* CONNECTING -> READY (established, idle until every connection is) ->
 * RUNNING (its round trips) -> DONE (finished, or failed at any point). */
enum { CONN_CONNECTING, CONN_READY, CONN_RUNNING, CONN_DONE };

/* One connection of a run; owned by the generator's thread. */
typedef struct lg_conn {
  int fd;          /* the socket, -1 once closed */
  int state;       /* CONN_* */
  int round;       /* the round trip in progress (its response awaited) */
  int sent;        /* bytes of the request being written */
  int recvd;       /* bytes of this round's response read */
  int wreq;        /* open loop: the request being written (its round) */
  int due;         /* open loop: requests whose send time has come */
  uint32_t events; /* the epoll interest in force */
  int64_t t0;      /* when this round's request started, ns */
} lg_conn;

struct sb_loadgen {
  pthread_t thread;         /* the generator */
  int start_fd;             /* blocking eventfd: a job (or stop) is waiting */
  int done_fd;              /* non-blocking eventfd: the run is over */
  int cpu;                  /* CPU (OS number) the thread is bound to, or -1 */
  pthread_mutex_t lock;     /* protects job, result, running, stop */
  sb_loadgen_job job;       /* the job handed over by start */
  sb_loadgen_result result; /* the last run's result */
  int running;              /* 1 from start until the result is stored */
  int stop;                 /* 1 once close asked the thread to end */
  /* The thread's own, untouched by others while it lives: */
  int epfd;         /* the generator's epoll */
  lg_conn *conns;   /* the run's connections */
  size_t conns_cap; /* entries allocated in conns */
  uint8_t *scratch; /* SCRATCH_BYTES of request/response buffer */
  int64_t *sched;   /* open loop: request g's intended send, ns after the
                       clock starts */
  size_t sched_cap; /* entries allocated in sched */
};

/* A run in progress: the job, its tally and bookkeeping. */
typedef struct lg_run {
  sb_loadgen *lg;            /* the generator running it */
  const sb_loadgen_job *job; /* what to do */
  sb_loadgen_result *res;    /* the tally so far */
  int64_t live;              /* connections not yet done */
  int64_t connecting;        /* connections whose handshake is pending */
  int64_t last_progress;     /* when a byte last moved, ns */
  int64_t t_end;             /* when the last response so far was read */
} lg_run;

/* Bytes of one request, and of its response. */
int sb__lg_req_len(const sb_loadgen_job *job);
int sb__lg_resp_len(const sb_loadgen_job *job);
/* Writes bytes at .. at+n-1 of round `round`'s request on connection k
 * into dst: echo's pattern (PROTOCOL.md 6), or the HTTP request. */
void sb__lg_fill(const sb_loadgen_job *job, uint8_t *dst, int k, int round,
                 int at, int n);
/* Byte at of round `round`'s expected response on connection k. */
uint8_t sb__lg_expect(const sb_loadgen_job *job, int k, int round, int at);
/* Ends connection c as failed (what: the call, err: its errno or 0 for an
 * early EOF), the first failure kept as the run's reason. */
void sb__lg_conn_fail(lg_run *r, lg_conn *c, const char *what, int err);
/* Sets c's epoll interest (EPOLL_CTL_MOD when it changes). 0 or -errno. */
int sb__lg_set_interest(lg_run *r, lg_conn *c, uint32_t events);
/* Writes the next chunk of round `round`'s request on c, from byte
 * c->sent on (EINTR retried). Returns the bytes written, 0 when the socket
 * is full, or -1 when c failed (sb__lg_conn_fail done). */
int sb__lg_write_chunk(lg_run *r, lg_conn *c, int round);
/* Reads up to want bytes (at most SCRATCH_BYTES) from c into the scratch
 * buffer (EINTR retried). Returns the bytes read, 0 when none are waiting,
 * or -1 when c failed or hit EOF (sb__lg_conn_fail done). */
int sb__lg_read_some(lg_run *r, lg_conn *c, int want);
/* Gives the run up for lack of progress: every connection not done
 * fails. */
void sb__lg_stall(lg_run *r);
/* Ends connection c as done (its last response read at r->last_progress). */
void sb__lg_conn_finish(lg_run *r, lg_conn *c);

/* Fills lg->sched (conns x rounds entries, allocated by start) with the
 * open loop's intended send times for job. */
void sb__lg_schedule(sb_loadgen *lg, const sb_loadgen_job *job);
/* The open loop (loadgen_open.c): every established connection RUNNING
 * from t_start on, the schedule kept until every connection is done or the
 * run stalls. */
void sb__loadgen_open_loop(lg_run *r, int64_t t_start);

/* Runs job on lg's thread (its epoll, connections and scratch buffer) and
 * fills *res (PROTOCOL.md 6). */
void sb__loadgen_run(sb_loadgen *lg, const sb_loadgen_job *job,
                     sb_loadgen_result *res);

#endif /* SB_LOADGEN_INTERNAL_H */
