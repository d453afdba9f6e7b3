/* The load generator's parts, private to loadgen.c (the thread and the
 * API) and loadgen_run.c (one run: the connections' state machine). */
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
  int round;       /* the round trip in progress */
  int sent;        /* bytes of this round's request written */
  int recvd;       /* bytes of this round's response read */
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
};

/* Runs job on lg's thread (its epoll, connections and scratch buffer) and
 * fills *res (PROTOCOL.md 6). */
void sb__loadgen_run(sb_loadgen *lg, const sb_loadgen_job *job,
                     sb_loadgen_result *res);

#endif /* SB_LOADGEN_INTERNAL_H */
