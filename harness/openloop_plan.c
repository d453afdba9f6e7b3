/* The open-loop sweep of the matrix (PROTOCOL.md 6a): echo cells at offered
 * rates that are fixed fractions of the machine's echo capacity, probed
 * here (closed loop, the C load generator against the plain one-thread
 * echo server, workloads/echo_plain.c) when the plan is made. Rates are
 * rounded to two significant digits, so that two runs on one machine
 * usually name the same cells. */
#include <errno.h>
#include <stdio.h>

#include "harness.h"
#include "workloads/echo_plain.h"

#define PROBE_CONNS 10         /* the sweep's connections, and the probe's */
#define PROBE_NS 200000000LL   /* the probe's measured run: 0.2 s */
/* One open-loop run, default matrix: 0.25 s, so that one run fills a
 * repetition's 0.2 s minimum (its timed region is a little shorter than
 * c x r / rate) and Google Benchmark needs no second one. */
#define RUN_NS_FULL 250000000LL
#define RUN_NS_QUICK 200000000LL /* quick matrix: 0.2 s */

/* Per cent of the probed capacity: up to the knee and past it; echo, then
 * (C runtimes only: the peers serve no HTTP) http:1 at fewer points. */
static const int full_pct[] = {10, 30, 60, 90, 120};
static const int quick_pct[] = {20, 60, 100};
static const int full_http_pct[] = {10, 60, 120};
static const int quick_http_pct[] = {20, 100};

/* v rounded to two significant digits (v >= 1). */
static int64_t two_digits(int64_t v) {
  int64_t scale = 1;
  while (v / scale >= 100)
    scale *= 10;
  return (v + scale / 2) / scale * scale;
}

/* Adds the sets of the n rates pct[] (per cent of capacity) to out from
 * *k on (room for cap), http:1 when http. */
static void add_rates(const int *pct, size_t n, int64_t capacity,
                      int64_t run_ns, int http, sb_params *out, size_t cap,
                      size_t *k) {
  for (size_t i = 0; i < n && *k < cap; i++) {
    int64_t rate = two_digits(capacity * pct[i] / 100 + 1);
    /* Each connection sends r requests: c x r of them last run_ns. */
    int64_t r = rate * run_ns / 1000000000 / PROBE_CONNS;
    if (r < 1)
      r = 1;
    out[*k] = (sb_params){
        {{"c", PROBE_CONNS}, {"b", 64}, {"r", r}, {"rate", rate}}};
    if (http)
      out[*k].p[4].name = "http", out[*k].p[4].value = 1;
    (*k)++;
    fprintf(stderr, " %lld%s", (long long)rate, http ? " (http)" : "");
  }
}

int sb__openloop_sets(int quick, sb_params *out, size_t cap) {
  int64_t run_ns = quick ? RUN_NS_QUICK : RUN_NS_FULL;
  int64_t capacity = sb_echo_plain_capacity(PROBE_CONNS, PROBE_NS, -1);
  if (capacity < 0)
    return (int)capacity;
  fprintf(stderr,
          "switchbench: open loop: plain echo capacity %lld round trips/s "
          "(%d connections); offered rates at",
          (long long)capacity, PROBE_CONNS);
  size_t k = 0;
  if (quick) {
    add_rates(quick_pct, sizeof quick_pct / sizeof *quick_pct, capacity,
              run_ns, 0, out, cap, &k);
    add_rates(quick_http_pct, sizeof quick_http_pct / sizeof *quick_http_pct,
              capacity, run_ns, 1, out, cap, &k);
  } else {
    add_rates(full_pct, sizeof full_pct / sizeof *full_pct, capacity, run_ns,
              0, out, cap, &k);
    add_rates(full_http_pct, sizeof full_http_pct / sizeof *full_http_pct,
              capacity, run_ns, 1, out, cap, &k);
  }
  fprintf(stderr, " /s\n");
  return (int)k;
}
