/* The echo load generator: a thread of its own, bound to the CPU it was
 * given, that runs one job at a time (loadgen_run.c) and signals an eventfd
 * when it is over; the API the echo cells use. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "loadgen_internal.h"
#include "runtimes/core/sb.h"

/* Adds one to an eventfd's counter; it cannot fail short of a bug. */
static void signal_fd(int fd) {
  uint64_t one = 1;
  ssize_t n = write(fd, &one, sizeof(one));
  SB_ASSERT(n == (ssize_t)sizeof(one));
}

static void *loadgen_main(void *arg) {
  sb_loadgen *lg = arg;
  if (lg->cpu >= 0 && lg->cpu < CPU_SETSIZE) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(lg->cpu, &set);
    /* Unbound is still correct, only less apart from the server. */
    (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  /* The open loop paces to microseconds: its timed sleeps must not be
   * stretched by the default 50 us timer slack. Failing, it is only less
   * precise, and says so in its pacing error. */
  (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  for (;;) {
    uint64_t v;
    if (read(lg->start_fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
      SB_ASSERT(errno == EINTR);
      continue;
    }
    pthread_mutex_lock(&lg->lock);
    int stop = lg->stop, running = lg->running;
    sb_loadgen_job job = lg->job;
    pthread_mutex_unlock(&lg->lock);
    if (stop && !running)
      break;
    sb_loadgen_result res;
    sb__loadgen_run(lg, &job, &res);
    pthread_mutex_lock(&lg->lock);
    lg->result = res;
    lg->running = 0;
    stop = lg->stop;
    pthread_mutex_unlock(&lg->lock);
    signal_fd(lg->done_fd);
    if (stop)
      break;
  }
  return NULL;
}

int sb_loadgen_open(int cpu, sb_loadgen **out) {
  int rc = -ENOMEM;
  sb_loadgen *lg = calloc(1, sizeof(*lg));
  if (lg == NULL)
    return -ENOMEM;
  lg->start_fd = lg->done_fd = lg->epfd = -1;
  lg->cpu = cpu;
  lg->scratch = malloc(SCRATCH_BYTES);
  if (lg->scratch == NULL)
    goto fail;
  lg->start_fd = eventfd(0, EFD_CLOEXEC);
  lg->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  lg->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (lg->start_fd < 0 || lg->done_fd < 0 || lg->epfd < 0) {
    rc = -errno;
    goto fail;
  }
  if ((rc = -pthread_mutex_init(&lg->lock, NULL)) != 0)
    goto fail;
  if ((rc = -pthread_create(&lg->thread, NULL, loadgen_main, lg)) != 0) {
    pthread_mutex_destroy(&lg->lock);
    goto fail;
  }
  *out = lg;
  return 0;
fail:
  if (lg->epfd >= 0)
    close(lg->epfd);
  if (lg->done_fd >= 0)
    close(lg->done_fd);
  if (lg->start_fd >= 0)
    close(lg->start_fd);
  free(lg->scratch);
  free(lg);
  return rc;
}

int sb_loadgen_start(sb_loadgen *lg, const sb_loadgen_job *job) {
  if (job->conns < 1 || job->rounds < 1 || job->bytes < 1 ||
      job->stall_ns <= 0 || job->rate < 0)
    return -EINVAL;
  size_t requests = (size_t)job->conns * (size_t)job->rounds;
  int rc = 0;
  pthread_mutex_lock(&lg->lock);
  if (lg->running) {
    rc = -EBUSY;
    goto out;
  }
  if ((size_t)job->conns > lg->conns_cap) {
    /* The thread is idle (not running), so its array may be replaced. */
    lg_conn *c = realloc(lg->conns, (size_t)job->conns * sizeof(*c));
    if (c == NULL) {
      rc = -ENOMEM;
      goto out;
    }
    lg->conns = c;
    lg->conns_cap = (size_t)job->conns;
  }
  if (job->rate > 0 && requests > lg->sched_cap) {
    /* Idle thread, as above: its schedule may be replaced too. */
    int64_t *t = realloc(lg->sched, requests * sizeof(*t));
    if (t == NULL) {
      rc = -ENOMEM;
      goto out;
    }
    lg->sched = t;
    lg->sched_cap = requests;
  }
  uint64_t stale;
  (void)!read(lg->done_fd, &stale, sizeof(stale)); /* an unread "done" */
  lg->job = *job;
  lg->running = 1;
  signal_fd(lg->start_fd);
out:
  pthread_mutex_unlock(&lg->lock);
  return rc;
}

int sb_loadgen_done_fd(const sb_loadgen *lg) {
  return lg->done_fd;
}

void sb_loadgen_result_get(sb_loadgen *lg, sb_loadgen_result *out) {
  pthread_mutex_lock(&lg->lock);
  *out = lg->result;
  pthread_mutex_unlock(&lg->lock);
}

void sb_loadgen_close(sb_loadgen *lg) {
  pthread_mutex_lock(&lg->lock);
  lg->stop = 1;
  signal_fd(lg->start_fd);
  pthread_mutex_unlock(&lg->lock);
  pthread_join(lg->thread, NULL);
  pthread_mutex_destroy(&lg->lock);
  close(lg->epfd);
  close(lg->done_fd);
  close(lg->start_fd);
  free(lg->conns);
  free(lg->sched);
  free(lg->scratch);
  free(lg);
}

void sb_loadgen_tally_add(sb_loadgen_tally *t, const sb_loadgen_result *res) {
  t->round_trips += res->round_trips;
  t->timed_ns += res->timed_ns;
}

void sb_loadgen_open_counters(const sb_latency *pacing, int64_t rate,
                              const sb_loadgen_tally *t, sb_counters *c) {
  int64_t p99 = sb_latency_quantile(pacing, 0.99);
  sb_counter_set(c, "offered_rps", (double)rate);
  sb_counter_set(c, "achieved_rps",
                 t->timed_ns > 0
                     ? (double)t->round_trips * 1e9 / (double)t->timed_ns
                     : 0.0);
  sb_counter_set(c, "pacing_err_p50_ns",
                 (double)sb_latency_quantile(pacing, 0.50));
  sb_counter_set(c, "pacing_err_p99_ns", (double)p99);
  sb_counter_set(c, "pacing_err_max_ns",
                 (double)sb_latency_quantile(pacing, 1.0));
  sb_counter_set(c, "generator_limited", p99 > SB_LOADGEN_PACING_LIMIT_NS);
  sb_counter_set(c, "pacing_limit_ns", SB_LOADGEN_PACING_LIMIT_NS);
}
