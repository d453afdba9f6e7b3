/* The load generator's HTTP mode from the command line, for the wrk
 * cross-check (wrk_check.sh): `loadgen_http PORT RATE SECONDS` drives
 * GET / on 127.0.0.1:PORT open loop at RATE requests per second over one
 * connection for about SECONDS, checks every answer, and prints
 * `p50_ns N p99_ns N pacing_err_p50_ns N pacing_err_p99_ns N requests N`. Exit 1 on failure. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "workloads/loadgen.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PORT RATE SECONDS\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int64_t rate = atoll(argv[2]);
  double seconds = atof(argv[3]);
  if (port <= 0 || port > 65535 || rate <= 0 || !(seconds > 0)) {
    fprintf(stderr, "%s: bad arguments\n", argv[0]);
    return 2;
  }
  sb_latency *lat = calloc(1, sizeof *lat), *pace = calloc(1, sizeof *pace);
  sb_loadgen *lg = NULL;
  if (lat == NULL || pace == NULL || sb_loadgen_open(-1, &lg) != 0) {
    fprintf(stderr, "%s: cannot start the load generator\n", argv[0]);
    return 1;
  }
  sb_latency_reset(lat);
  sb_latency_reset(pace);
  sb_loadgen_job job = {.conns = 1,
                        .rounds = (int)((double)rate * seconds) + 1,
                        .bytes = 1,
                        .stall_ns = 10 * 1000000000LL,
                        .listen_fd = -1,
                        .latency = lat,
                        .rate = rate,
                        .pacing = pace,
                        .http = 1};
  job.addr.sin_family = AF_INET;
  job.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  job.addr.sin_port = htons((uint16_t)port);
  sb_loadgen_result res;
  struct pollfd p = {.fd = sb_loadgen_done_fd(lg), .events = POLLIN};
  if (sb_loadgen_start(lg, &job) != 0 || poll(&p, 1, 60000) != 1) {
    fprintf(stderr, "%s: the run did not end\n", argv[0]);
    return 1;
  }
  sb_loadgen_result_get(lg, &res);
  sb_loadgen_close(lg);
  if (res.failed > 0 || res.mismatches > 0) {
    fprintf(stderr, "%s: %lld failed, %lld bytes wrong (%s)\n", argv[0],
            (long long)res.failed, (long long)res.mismatches, res.first_error);
    return 1;
  }
  printf("p50_ns %lld p99_ns %lld pacing_err_p50_ns %lld "
         "pacing_err_p99_ns %lld requests %lld\n",
         (long long)sb_latency_quantile(lat, 0.5),
         (long long)sb_latency_quantile(lat, 0.99),
         (long long)sb_latency_quantile(pace, 0.5),
         (long long)sb_latency_quantile(pace, 0.99),
         (long long)res.round_trips);
  free(lat);
  free(pace);
  return 0;
}
