/* echo on a peer (PROTOCOL.md 6): one load generator drives every server.
 * The harness makes the listening socket, hands it to `PEER serve` as
 * descriptor 3, and runs the cell like a C cell (warm-up, repetitions, min
 * time) with the C load generator timing each run; the server's `stats`
 * before and after each run (untimed) verify it and give its tasks,
 * context switches and peak RSS. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer_serve.h"
#include "workloads/fdlimit.h"
#include "workloads/latency.h"
#include "workloads/loadgen.h"
#include "workloads/server.h"

#define STALL_NS (10 * 1000000000LL) /* a run with no progress for 10 s */
#define READY_MS 30000               /* a server not ready after 30 s */

typedef struct peer_echo {
  sb_gb_body body;         /* what Google Benchmark calls */
  sb_params params;        /* c, b, r */
  int c, b, r;             /* connections, bytes, round trips */
  int64_t rate;            /* open loop: requests per second, or 0 */
  int poisson;             /* open loop: exponential gaps */
  uint64_t want;           /* the checksum of a run */
  int workers;             /* the worker count handed to the server */
  int listen_fd;           /* the listening socket, or -1 */
  struct sockaddr_in addr; /* where it listens */
  sb_peer_server server;   /* the peer server */
  int loadgen_pu;          /* CPU of the load generator, or -1 */
  sb_loadgen *lg;          /* the load generator, or NULL */
  sb_latency *lat;         /* this call's round trips */
  sb_latency *pacing;      /* open loop: this call's pacing errors */
  sb_loadgen_tally tally;  /* open loop: this call's round trips, time */
  /* Tallies of one Google Benchmark call (switches: this process's and
   * the server's; peak_reset: the server's), or why it cannot run: */
  sb_tally t;
  int64_t peak_rss;  /* the server's peak RSS, last stats */
  sb_work work;      /* work done */
  uint64_t last_out; /* the client checksum of the last run */
} peer_echo;

/* Waits for the load generator's run to end and fetches its result. */
static int wait_run(peer_echo *pe, sb_loadgen_result *res) {
  struct pollfd p = {.fd = sb_loadgen_done_fd(pe->lg), .events = POLLIN};
  uint64_t one;
  for (;;) {
    if (poll(&p, 1, -1) < 0 && errno != EINTR)
      return -errno;
    ssize_t got = read(p.fd, &one, sizeof one);
    if (got == (ssize_t)sizeof one)
      break;
    if (got < 0 && errno != EAGAIN && errno != EINTR)
      return -errno;
  }
  sb_loadgen_result_get(pe->lg, res);
  return 0;
}

/* The client's verdict on a run. 0, or -1 with why. */
static int client_ok(const peer_echo *pe, const sb_loadgen_result *res,
                     char *why, size_t len) {
  if (res->failed > 0)
    snprintf(why, len, "%" PRId64 " of %d connections failed%s (first: %s)",
             res->failed, pe->c, res->stalled ? " (run stalled)" : "",
             res->first_error);
  else if (res->mismatches > 0)
    snprintf(why, len, "%" PRId64 " echoed bytes differ from those sent",
             res->mismatches);
  else if (res->sum != pe->want)
    snprintf(why, len, "checksum: client %" PRIu64 ", expected %" PRIu64,
             res->sum, pe->want);
  else
    return 0;
  return -1;
}

/* Polls the server's stats (untimed) until it has seen every connection of
 * the run end, or the stall limit passes. 0, or -1 with why. */
static int server_after(peer_echo *pe, const sb_serve_stats *before,
                        sb_serve_stats *after, char *why, size_t len) {
  int64_t deadline = sb_now_ns() + STALL_NS;
  for (;;) {
    if (sb__server_stats(&pe->server, after, why, len) != 0)
      return -1;
    if (after->connections - before->connections >= pe->c ||
        sb_now_ns() > deadline)
      return 0;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};
    nanosleep(&ts, NULL);
  }
}

/* One run: stats, the load generator's run (timed by it), stats again;
 * verified on both sides. Adds to the call's tallies. */
static int one_run(void *arg, char *why, size_t len) {
  peer_echo *pe = arg;
  sb_serve_stats s0, s1;
  sb_loadgen_result res;
  if (sb__server_stats(&pe->server, &s0, why, len) != 0)
    return -1;
  sb_loadgen_job job = {.addr = pe->addr,
                        .conns = pe->c,
                        .rounds = pe->r,
                        .bytes = pe->b,
                        .stall_ns = STALL_NS,
                        .listen_fd = -1, /* the server's: never shut down */
                        .latency = pe->lat,
                        .rate = pe->rate,
                        .poisson = pe->poisson,
                        .pacing = pe->pacing};
  uint64_t x0 = sb__ctx_switches();
  int rc = sb_loadgen_start(pe->lg, &job);
  if (rc == 0)
    rc = wait_run(pe, &res);
  uint64_t x1 = sb__ctx_switches();
  if (rc != 0) {
    snprintf(why, len, "load generator: %s", strerror(-rc));
    return -1;
  }
  if (client_ok(pe, &res, why, len) != 0) {
    sb__server_explain(&pe->server, why, len);
    return -1;
  }
  if (res.timed_ns <= 0) { /* c x r round trips cannot take no time */
    snprintf(why, len, "load generator: no timed region (timed_ns %" PRId64 ")",
             res.timed_ns);
    return -1;
  }
  if (server_after(pe, &s0, &s1, why, len) != 0)
    return -1;
  int64_t conns = s1.connections - s0.connections;
  uint64_t sum = s1.sum - s0.sum;
  if (conns != pe->c) {
    snprintf(why, len,
             "server: %" PRId64 " connections served to EOF, "
             "expected %d",
             conns, pe->c);
    return -1;
  }
  if (sum != res.sum) {
    snprintf(why, len, "checksum: client %" PRIu64 ", server %" PRIu64, res.sum,
             sum);
    return -1;
  }
  pe->t.ns += res.timed_ns;
  sb_loadgen_tally_add(&pe->tally, &res);
  pe->t.switches += (x1 - x0) + (uint64_t)(s1.ctx_switches - s0.ctx_switches);
  pe->peak_rss = s1.peak_rss_bytes;
  pe->work.tasks += s1.tasks - s0.tasks;
  pe->work.messages += res.round_trips;
  pe->work.connections += conns;
  pe->last_out = res.sum;
  return 0;
}

static int echo_begin(void *arg, char *why, size_t len) {
  peer_echo *pe = arg;
  if (sb__tally_begin(&pe->t, why, len) != 0)
    return -1;
  sb_latency_reset(pe->lat);
  sb_latency_reset(pe->pacing);
  pe->tally = (sb_loadgen_tally){0, 0};
  int ok = sb__server_reset_peak(&pe->server, why, len);
  if (ok < 0) {
    snprintf(pe->t.error, sizeof pe->t.error, "%s", why);
    return -1;
  }
  pe->t.peak_reset = ok; /* the peak reported is the server's */
  pe->peak_rss = 0;
  pe->work = (sb_work){0, 0, 0};
  return 0;
}

static int echo_batch(void *arg, int64_t n, double *seconds, char *why,
                      size_t len) {
  peer_echo *pe = arg;
  return sb__tally_batch(&pe->t, one_run, pe, n, seconds, why, len);
}

static void echo_end(void *arg, int64_t iterations, sb_counters *c) {
  peer_echo *pe = arg;
  sb__counters_standard(c, (double)pe->t.ns / 1e9,
                        iterations * (int64_t)pe->c * pe->r, pe->t.switches,
                        (double)pe->peak_rss, pe->t.peak_reset);
  sb_counter_set(c, "workers", pe->workers);
  if (sb_workload_echo.work != NULL) {
    sb_work defined;
    sb_workload_echo.work(&pe->params, &defined);
    sb_work_counters(c, &defined, &pe->work);
  }
  sb_latency_counters(pe->lat, SB_LATENCY_NAMES(""), c);
  sb_counter_set(c, "loadgen_pu", pe->loadgen_pu);
  if (pe->rate > 0)
    sb_loadgen_open_counters(pe->pacing, pe->rate, &pe->tally, c);
  snprintf(c->label, sizeof c->label, "checksum=0x%016llx",
           (unsigned long long)pe->last_out);
}

/* Everything up to the warm-up. 0, or -1 with pe->t.error set. */
static int start(peer_echo *pe, const sb_cell *c, sb_pin pin) {
  char why[SB_REASON_LEN] = "";
  int cpus[SB_MAX_CPUS], ncpus = sb__cell_cpus(c, pin, cpus, SB_MAX_CPUS);
  sb_peer_workers how = sb__peer_workers(c->runtime);
  pe->workers = sb__cell_workers(c);
  signal(SIGPIPE, SIG_IGN); /* a server gone: EPIPE, not death */
  if (ncpus < 0) {
    snprintf(pe->t.error, sizeof pe->t.error, "CPU list: %s", strerror(-ncpus));
    return -1;
  }
  if (sb_param_of(&c->params, sb_workload_echo.params, "http")) {
    snprintf(pe->t.error, sizeof pe->t.error,
             "skipped: peer servers serve echo only, not HTTP");
    return -1;
  }
  if (sb__fd_limit_ensure((size_t)pe->c + 64, why, sizeof why) != 0) {
    snprintf(pe->t.error, sizeof pe->t.error, "skipped: %.*s",
             SB_REASON_LEN - 16, why);
    return -1;
  }
  pe->addr.sin_family = AF_INET;
  pe->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  pe->listen_fd = sb_listen_tcp(&pe->addr, pe->c < 128 ? 128 : pe->c);
  if (pe->listen_fd < 0) {
    snprintf(pe->t.error, sizeof pe->t.error, "listen on 127.0.0.1: %s",
             strerror(-pe->listen_fd));
    return -1;
  }
  char workers[16], list[8192];
  snprintf(workers, sizeof workers, "%d", pe->workers);
  sb__cpus_format(cpus, ncpus, list, sizeof list);
  char serve[] = "serve", o_w[] = "--workload", echo[] = "echo",
       o_r[] = "--runtime", o_n[] = "--workers", o_c[] = "--cpus",
       o_l[] = "--listen-fd", three[] = "3";
  char runtime[sizeof c->runtime], path[sizeof sb__peers[0].path];
  snprintf(runtime, sizeof runtime, "%s", c->runtime);
  snprintf(path, sizeof path, "%s", sb__peers[c->peer].path);
  /* PEER serve --workload echo --runtime R --workers N --listen-fd 3
   * [--cpus LIST] */
  char *argv[] = {path,    serve, o_w,   echo, o_r,  runtime, o_n,
                  workers, o_l,   three, o_c,  list, NULL};
  if (ncpus == 0)
    argv[10] = NULL;
  int skip = 0;
  if (sb__server_start(&pe->server, argv, pe->listen_fd, cpus, ncpus, READY_MS,
                       &skip, why, sizeof why) != 0) {
    snprintf(pe->t.error, sizeof pe->t.error, "%s%s", skip ? "skipped: " : "",
             why);
    return -1;
  }
  int w = how == SB_PEER_WORKERS_FOLLOW ? pe->workers
          : how == SB_PEER_WORKERS_ONE  ? 1
                                        : 0;
  pe->loadgen_pu = sb__loadgen_cpu(c, w);
  int rc = sb_loadgen_open(pe->loadgen_pu, &pe->lg);
  if (rc != 0) {
    snprintf(pe->t.error, sizeof pe->t.error, "load generator: %s",
             strerror(-rc));
    pe->lg = NULL;
    return -1;
  }
  return 0;
}

void *sb__peer_echo_open(const sb_cell *c, sb_pin pin, sb_gb_body *body) {
  peer_echo *pe = calloc(1, sizeof *pe);
  SB_ASSERT(pe != NULL);
  pe->listen_fd = -1;
  pe->params = c->params;
  pe->c = (int)sb_param_of(&c->params, sb_workload_echo.params, "c");
  pe->b = (int)sb_param_of(&c->params, sb_workload_echo.params, "b");
  pe->r = (int)sb_param_of(&c->params, sb_workload_echo.params, "r");
  pe->rate = sb_param_of(&c->params, sb_workload_echo.params, "rate");
  pe->poisson = (int)sb_param_of(&c->params, sb_workload_echo.params,
                                 "poisson");
  pe->want = sb_workload_echo.checksum(&c->params);
  pe->body = (sb_gb_body){
      .arg = pe, .begin = echo_begin, .batch = echo_batch, .end = echo_end};
  *body = pe->body;
  pe->lat = calloc(1, sizeof *pe->lat);
  pe->pacing = calloc(1, sizeof *pe->pacing);
  if (pe->lat == NULL || pe->pacing == NULL) {
    snprintf(pe->t.error, sizeof pe->t.error, "out of memory");
    return pe;
  }
  if (start(pe, c, pin) == 0)
    sb__tally_warmup(&pe->t, one_run, pe);
  return pe;
}

void sb__peer_echo_close(void *state) {
  peer_echo *pe = state;
  if (pe == NULL)
    return;
  sb__server_stop(&pe->server);
  if (pe->lg != NULL)
    sb_loadgen_close(pe->lg);
  if (pe->listen_fd >= 0)
    close(pe->listen_fd);
  free(pe->lat);
  free(pe->pacing);
  free(pe);
}
