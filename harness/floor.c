/* The kernel floor: what a switch costs with no runtime at all. Two threads
 * hand a turn back and forth through a futex or a pipe, pinned (hwloc) to
 * one PU or to two cores, or both yield on one PU; and two contexts on one
 * thread switch in user space (fiber's switch, swapcontext); ns per switch. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtimes/fiber/floor.h"
#include "harness.h"
#include "runtimes/os/topo.h"

typedef enum mechanism {
  FLOOR_FUTEX,
  FLOOR_PIPE,
  FLOOR_YIELD,
  FLOOR_FIBER,   /* two contexts on one thread, runtime fiber's switch */
  FLOOR_UCONTEXT /* the same with swapcontext (a syscall per switch) */
} mechanism;

const sb_floor_cell sb__floor_cells[] = {
    {"floor/futex/same-core",
     "futex ping-pong, both threads on one PU: ns per switch"},
    {"floor/futex/cross-core",
     "futex ping-pong, threads on two cores: ns per wake-up hand-off"},
    {"floor/pipe/same-core",
     "pipe ping-pong, both threads on one PU: ns per switch"},
    {"floor/pipe/cross-core",
     "pipe ping-pong, threads on two cores: ns per hand-off"},
    {"floor/sched_yield/same-core",
     "two threads calling sched_yield on one PU: ns per yield"},
    {"floor/fiber-switch/same-thread",
     "fiber's user-space switch between two contexts: ns per switch"},
    {"floor/ucontext/same-thread",
     "swapcontext between two contexts (saves the signal mask): ns per "
     "switch"},
    {NULL, NULL}};

/* One floor cell and its state during one Google Benchmark call. */
typedef struct floor_run {
  mechanism mech;    /* what hands the turn over */
  int cross;         /* 1: threads on two cores; 0: both on one PU */
  double seconds;    /* timed seconds in this Google Benchmark call */
  uint64_t switches; /* context switches in this call */
  int peak_reset;    /* 1: the peak RSS was reset at the call's start */
} floor_run;

/* What the two threads of one batch share. */
typedef struct duo {
  floor_run *run;          /* the cell */
  sb_topo *topo;           /* for pinning */
  int64_t n;               /* round trips (yields per thread) */
  pthread_barrier_t start; /* both threads pinned and ready */
  atomic_uint turn;        /* futex word: 1 = partner's turn, 2 = back */
  int ping[2];             /* pipe: measurer -> partner */
  int pong[2];             /* pipe: partner -> measurer */
  struct {
    int64_t t0, t1; /* this side's start and end, ns */
    int pin_err;    /* 0, or -errno from pinning (read by both sides) */
    int err;        /* 0, or -errno of its loop (read after the join) */
  } side[2];
} duo;

static floor_run runs[sizeof sb__floor_cells / sizeof sb__floor_cells[0]];

static long futex(atomic_uint *word, int op, unsigned val) {
  return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Waits until *word == want, sleeping in the kernel while it is not. */
static void futex_await(atomic_uint *word, unsigned want) {
  unsigned v;
  while ((v = atomic_load(word)) != want)
    futex(word, FUTEX_WAIT_PRIVATE, v);
}

static int full_write(int fd, char c) {
  return write(fd, &c, 1) == 1 ? 0 : (errno ? -errno : -EIO);
}

static int full_read(int fd, char *c) {
  ssize_t r = read(fd, c, 1);
  return r == 1 ? 0 : (r == 0 ? -EPIPE : -errno);
}

/* The body of side 0 (the measurer) or side 1 (the partner). */
static int side_loop(duo *d, int me) {
  char c = 0;
  int rc = 0;
  for (int64_t i = 0; i < d->n && rc == 0; i++) {
    switch (d->run->mech) {
    case FLOOR_FUTEX:
      if (me == 0) {
        atomic_store(&d->turn, 1);
        futex(&d->turn, FUTEX_WAKE_PRIVATE, 1);
        futex_await(&d->turn, 2);
      } else {
        futex_await(&d->turn, 1);
        atomic_store(&d->turn, 2);
        futex(&d->turn, FUTEX_WAKE_PRIVATE, 1);
      }
      break;
    case FLOOR_PIPE:
      if (me == 0) {
        rc = full_write(d->ping[1], (char)i);
        if (rc == 0)
          rc = full_read(d->pong[0], &c);
        if (rc == 0 && c != (char)(i + 1))
          rc = -EPROTO;
      } else {
        rc = full_read(d->ping[0], &c);
        if (rc == 0)
          rc = full_write(d->pong[1], (char)(c + 1));
      }
      break;
    case FLOOR_YIELD:
      sched_yield();
      break;
    case FLOOR_FIBER:
    case FLOOR_UCONTEXT:
      break; /* one thread: user_batch */
    }
  }
  return rc;
}

static void *side_main(duo *d, int me) {
  int rc = 0;
  if (d->run->cross)
    rc = sb_topo_pin_worker(d->topo, SB_PIN_SPREAD, me, 2);
  else
    rc = sb_topo_pin_pu(d->topo, 0);
  d->side[me].pin_err = rc;
  /* The barrier also publishes both pinning results: if either side could
   * not pin, neither runs, so nobody waits for a partner that never comes. */
  pthread_barrier_wait(&d->start);
  if (d->side[0].pin_err != 0 || d->side[1].pin_err != 0)
    return NULL;
  d->side[me].t0 = sb_now_ns();
  rc = side_loop(d, me);
  d->side[me].t1 = sb_now_ns();
  d->side[me].err = rc;
  /* A side that stops early closes its pipe end, so the other side's read
   * sees EOF instead of waiting forever. */
  if (rc != 0 && d->run->mech == FLOOR_PIPE) {
    int *wr = me == 0 ? &d->ping[1] : &d->pong[1]; /* written by me alone */
    close(*wr);
    *wr = -1;
  }
  return NULL;
}

static void *side0(void *arg) {
  return side_main(arg, 0);
}
static void *side1(void *arg) {
  return side_main(arg, 1);
}

static int floor_begin(void *arg, char *why, size_t len) {
  floor_run *r = arg;
  sb_topo *t = NULL;
  int rc = sb_topo_get(&t);
  if (rc != 0) {
    snprintf(why, len, "hwloc topology: %s", strerror(-rc));
    return -1;
  }
  if (r->cross && sb_topo_cores(t) < 2) {
    snprintf(why, len,
             "skipped: this machine has one core, no cross-core "
             "placement");
    return -1;
  }
  r->seconds = 0;
  r->switches = 0;
  r->peak_reset = sb__peak_rss_reset();
  return 0;
}

/* The user-space rows: one thread, two contexts (runtimes/fiber/floor.h). */
static int user_batch(floor_run *r, int64_t n, double *seconds, char *why,
                      size_t len) {
  int64_t ns = 0;
  uint64_t s0 = sb__ctx_switches();
  int rc = sb__fiber_floor(r->mech == FLOOR_UCONTEXT, n, &ns);
  if (rc != 0) {
    snprintf(why, len, "second context: %s", strerror(-rc));
    return -1;
  }
  r->switches += sb__ctx_switches() - s0;
  *seconds = (double)ns / 1e9;
  r->seconds += *seconds;
  return 0;
}

static int floor_batch(void *arg, int64_t n, double *seconds, char *why,
                       size_t len) {
  floor_run *r = arg;
  if (r->mech == FLOOR_FIBER || r->mech == FLOOR_UCONTEXT)
    return user_batch(r, n, seconds, why, len);
  pthread_t th[2];
  uint64_t s0 = 0;
  duo d;
  memset(&d, 0, sizeof d);
  d.run = r;
  d.n = n;
  d.ping[0] = d.ping[1] = d.pong[0] = d.pong[1] = -1;
  int rc = sb_topo_get(&d.topo);
  if (rc == 0 && r->mech == FLOOR_PIPE &&
      (pipe2(d.ping, O_CLOEXEC) != 0 || pipe2(d.pong, O_CLOEXEC) != 0))
    rc = -errno;
  if (rc != 0) {
    snprintf(why, len, "floor setup: %s", strerror(-rc));
    goto cleanup;
  }
  pthread_barrier_init(&d.start, NULL, 2);
  s0 = sb__ctx_switches();
  if ((rc = pthread_create(&th[0], NULL, side0, &d)) != 0) {
    snprintf(why, len, "pthread_create: %s", strerror(rc));
    goto barrier;
  }
  if ((rc = pthread_create(&th[1], NULL, side1, &d)) != 0) {
    /* Side 0 waits at the barrier for a partner: stand in for it with a
     * failure, so that side 0 returns without running. */
    d.side[1].pin_err = -rc;
    pthread_barrier_wait(&d.start);
    pthread_join(th[0], NULL);
    snprintf(why, len, "pthread_create: %s", strerror(rc));
    goto barrier;
  }
  pthread_join(th[0], NULL);
  pthread_join(th[1], NULL);
  r->switches += sb__ctx_switches() - s0;
  for (int i = 0; i < 2 && rc == 0; i++) {
    rc = d.side[i].pin_err != 0 ? d.side[i].pin_err : d.side[i].err;
    if (rc != 0)
      snprintf(why, len, "%s %s: %s",
               i == 0 ? "measuring thread" : "partner thread",
               d.side[i].pin_err != 0 ? "cannot pin" : "failed", strerror(-rc));
  }
  if (rc == 0) {
    /* The window runs from the first start to the last end of either side. */
    int64_t t0 = d.side[0].t0 < d.side[1].t0 ? d.side[0].t0 : d.side[1].t0;
    int64_t t1 = d.side[0].t1 > d.side[1].t1 ? d.side[0].t1 : d.side[1].t1;
    *seconds = (double)(t1 - t0) / 1e9;
    r->seconds += *seconds;
  }
barrier:
  pthread_barrier_destroy(&d.start);
cleanup:
  for (int i = 0; i < 2; i++) {
    if (d.ping[i] >= 0)
      close(d.ping[i]);
    if (d.pong[i] >= 0)
      close(d.pong[i]);
  }
  return rc == 0 ? 0 : -1;
}

static void floor_end(void *arg, int64_t iterations, sb_counters *c) {
  floor_run *r = arg;
  /* A round trip is two switches; two yielding threads make two yields per
   * iteration. Either way an iteration is two ops. */
  sb__counters_standard(c, r->seconds, 2 * iterations, r->switches,
                        sb__peak_rss_bytes(r->peak_reset), r->peak_reset);
}

int sb__floor_body(const char *name, sb_gb_body *body) {
  for (size_t i = 0; sb__floor_cells[i].name != NULL; i++) {
    if (strcmp(sb__floor_cells[i].name, name) != 0)
      continue;
    floor_run *r = &runs[i];
    memset(r, 0, sizeof *r);
    r->mech = strstr(name, "/futex/")          ? FLOOR_FUTEX
              : strstr(name, "/pipe/")         ? FLOOR_PIPE
              : strstr(name, "/fiber-switch/") ? FLOOR_FIBER
              : strstr(name, "/ucontext/")     ? FLOOR_UCONTEXT
                                               : FLOOR_YIELD;
    r->cross = strstr(name, "/cross-core") != NULL;
    *body = (sb_gb_body){
        .arg = r, .begin = floor_begin, .batch = floor_batch, .end = floor_end};
    return 0;
  }
  return -EINVAL;
}
