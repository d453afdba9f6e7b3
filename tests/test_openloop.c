/* The load generator's open loop (PROTOCOL.md 6a) against the plain echo
 * server: every scheduled request sent, answered and checked, one latency
 * and one pacing error each; and coordinated omission shown: a server that
 * stalls once for a known time is seen by the open loop's p99 and hidden
 * by the closed loop's. Runtime-free (the main wants a runtime name; it
 * uses none). No timing is asserted beyond the stall the test itself
 * makes. */
#include <poll.h>
#include <unistd.h>

#include "test.h"
#include "workloads/echo_plain.h"
#include "workloads/loadgen.h"
#include "workloads/server.h"

#define STALL_NS 200000000LL /* the server's one stall: 200 ms */

/* One run of job against a plain server that stalls stall_ns once after
 * stall_after bytes (0: never); fills *res. */
static void run_once(sb_loadgen_job *job, int64_t stall_after,
                     sb_loadgen_result *res) {
  job->addr = (struct sockaddr_in){.sin_family = AF_INET,
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = sb_listen_tcp(&job->addr, 128);
  ASSERT(fd >= 0);
  sb_echo_plain *srv = NULL;
  ASSERT_EQ(sb_echo_plain_start(fd, stall_after, STALL_NS, &srv), 0);
  sb_loadgen *lg = NULL;
  ASSERT_EQ(sb_loadgen_open(-1, &lg), 0);
  job->stall_ns = 10 * 1000000000LL;
  job->listen_fd = -1;
  ASSERT_EQ(sb_loadgen_start(lg, job), 0);
  struct pollfd p = {.fd = sb_loadgen_done_fd(lg), .events = POLLIN};
  ASSERT_EQ(poll(&p, 1, 60000), 1);
  sb_loadgen_result_get(lg, res);
  sb_loadgen_close(lg);
  sb_echo_plain_stop(srv);
  close(fd);
  ASSERT_EQ(res->failed, 0);
  ASSERT_EQ(res->mismatches, 0);
  ASSERT_EQ(res->round_trips, (int64_t)job->conns * job->rounds);
}

/* Constant and Poisson schedules: every request answered, its bytes the
 * closed loop's (same checksum), one latency and one pacing error each. */
static void test_schedule(const sb_runtime_ops *ops) {
  (void)ops;
  sb_latency *lat = calloc(1, sizeof *lat), *pace = calloc(1, sizeof *pace);
  ASSERT(lat != NULL && pace != NULL);
  sb_loadgen_result closed, open;
  sb_loadgen_job job = {.conns = 4, .rounds = 100, .bytes = 100};
  run_once(&job, 0, &closed);
  for (int poisson = 0; poisson <= 1; poisson++) {
    sb_latency_reset(lat);
    sb_latency_reset(pace);
    job.rate = 4000;
    job.poisson = poisson;
    job.latency = lat;
    job.pacing = pace;
    run_once(&job, 0, &open);
    ASSERT_EQ(open.sum, closed.sum);
    ASSERT_EQ(sb_latency_samples(lat), 400);
    ASSERT_EQ(sb_latency_samples(pace), 400);
    sb_loadgen_tally t = {0, 0};
    sb_loadgen_tally_add(&t, &open);
    sb_counters c = {0};
    sb_loadgen_open_counters(pace, job.rate, &t, &c);
    fprintf(stderr,
            "  %s: p50 %lld ns, pacing p99 %lld ns, %lld requests in "
            "%lld ns\n",
            poisson ? "poisson" : "constant",
            (long long)sb_latency_quantile(lat, 0.5),
            (long long)sb_latency_quantile(pace, 0.99),
            (long long)t.round_trips, (long long)t.timed_ns);
  }
  free(lat);
  free(pace);
}

/* Coordinated omission: the server stalls STALL_NS once, a quarter of the
 * way in. Closed loop (one connection): only the one round trip in flight
 * waits, so the p99 hides the stall. Open loop at about the same rate:
 * every request due during the stall is charged for it, so the p99 sees
 * it. Both maxima see it. */
static void test_omission(const sb_runtime_ops *ops) {
  (void)ops;
  sb_latency *lat = calloc(1, sizeof *lat);
  ASSERT(lat != NULL);
  sb_loadgen_result res;
  const int rounds = 2000, bytes = 64;
  int64_t after = (int64_t)bytes * rounds / 4;
  sb_loadgen_job closed = {
      .conns = 1, .rounds = rounds, .bytes = bytes, .latency = lat};
  sb_latency_reset(lat);
  run_once(&closed, after, &res);
  int64_t c99 = sb_latency_quantile(lat, 0.99), cmax = sb_latency_quantile(lat, 1);
  sb_loadgen_job open = closed;
  open.rate = 2000; /* 1 s of requests; the stall delays a fifth of them */
  sb_latency_reset(lat);
  run_once(&open, after, &res);
  int64_t o99 = sb_latency_quantile(lat, 0.99), omax = sb_latency_quantile(lat, 1);
  fprintf(stderr,
          "  stall %lld ns: closed loop p99 %lld max %lld; open loop p99 "
          "%lld max %lld\n",
          (long long)STALL_NS, (long long)c99, (long long)cmax,
          (long long)o99, (long long)omax);
  ASSERT_GE(cmax, STALL_NS);
  ASSERT_LT(c99, STALL_NS / 2);
  ASSERT_GE(omax, STALL_NS);
  ASSERT_GE(o99, STALL_NS / 2);
  free(lat);
}

/* The capacity probe the sweep scales its rates from gives a rate. */
static void test_capacity(const sb_runtime_ops *ops) {
  (void)ops;
  int64_t rate = sb_echo_plain_capacity(4, 50000000, -1);
  fprintf(stderr, "  plain echo capacity: %lld round trips/s\n",
          (long long)rate);
  ASSERT_GT(rate, 0);
}

static const sb_test_case cases[] = {
    {"schedule", test_schedule},
    {"omission", test_omission},
    {"capacity", test_capacity},
};

SB_TEST_MAIN(cases)
