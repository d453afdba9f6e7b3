/* Workload echo: a TCP echo server on 127.0.0.1 run by the runtime under
 * test, a task per connection, driven by the load generator (loadgen.c), a
 * thread that is not the runtime under test. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fdlimit.h"
#include "latency.h"
#include "loadgen.h"
#include "server.h"
#include "workload.h"

#define STALL_NS (10 * 1000000000LL) /* a run with no progress for 10 s */

/* Connections, bytes per request, round trips: every cell names all three.
 * An open-loop cell names its rate (requests per second over all
 * connections, PROTOCOL.md 6a), and poisson:1 for exponential gaps. With
 * http:1 the server speaks HTTP and the generator sends `GET /` (b is then
 * unused): the server's 200 answer checked byte for byte. */
static const sb_param_spec specs[] = {{"c", 0, 1, 100000},
                                      {"b", 0, 1, 1 << 20},
                                      {"r", 0, 1, 100000000},
                                      {"rate", 0, 0, 100000000},
                                      {"poisson", 0, 0, 1},
                                      {"http", 0, 0, 1},
                                      {NULL, 0, 0, 0}};

typedef struct echo_state echo_state;

/* The root of one run: start the generator, run the server (accept exactly
 * c connections, a task each, and join them all), then wait for the
 * generator's verdict. */
typedef struct echo_root {
  sb_future base;
  echo_state *st;    /* the cell */
  sb_server srv;     /* the accept loop; its tallies are the run's */
  sb_fdop done;      /* the read of the generator's done eventfd */
  uint64_t done_buf; /* what that read returns */
} echo_root;

struct echo_state {
  sb_runtime *rt;          /* the runtime the cell runs on */
  int c, b, r;             /* connections, bytes per request, round trips */
  int64_t rate;            /* open loop: requests per second, or 0 */
  int poisson;             /* open loop: exponential gaps */
  int http;                /* 1: HTTP server, GET / requests */
  int listen_fd;           /* the server's listening socket */
  struct sockaddr_in addr; /* where it listens */
  int loadgen_pu;          /* CPU the generator is bound to, or -1 */
  sb_loadgen *lg;          /* the load generator */
  sb_join *joins;          /* c join handles, reused by every run */
  /* The repetition (runs since the last reset): */
  sb_latency lat;    /* every round trip, ns (recorded by the generator) */
  sb_latency pacing; /* open loop: every request's pacing error, ns */
  sb_loadgen_tally tally; /* open loop: round trips and timed ns */
  uint64_t backoffs; /* accept pauses for lack of descriptors */
  /* Tallies of the last run, read by verify, run_work and timed_ns (and
   * root.srv's: accept and spawn errors, the sum the server echoed): */
  _Atomic uint64_t served; /* connections the server served to EOF */
  int start_err;           /* sb_loadgen_start's error, or 0 */
  sb_loadgen_result res;   /* the generator's tally */
  echo_root root;          /* the run's root future */
};

static const sb_params echo_quick[] = {
    {{{"c", 10}, {"b", 64}, {"r", 1000}}},
    {{{"c", 100}, {"b", 64}, {"r", 100}}},
    {{{"c", 1000}, {"b", 64}, {"r", 10}}},
    {{{NULL, 0}}},
};

static const sb_params echo_full[] = {
    {{{"c", 10}, {"b", 64}, {"r", 5000}}},
    {{{"c", 100}, {"b", 64}, {"r", 500}}},
    {{{"c", 1000}, {"b", 64}, {"r", 100}}},
    {{{"c", 10000}, {"b", 64}, {"r", 10}}},
    {{{"c", 100}, {"b", 4096}, {"r", 500}}},
    {{{NULL, 0}}},
};

static sb_poll echo_root_poll(sb_future *f, sb_cx *cx) {
  echo_root *self = (echo_root *)f;
  echo_state *st = self->st;
  SB_BEGIN(self);
  {
    sb_loadgen_job job = {.addr = st->addr,
                          .conns = st->c,
                          .rounds = st->r,
                          .bytes = st->b,
                          .stall_ns = STALL_NS,
                          .listen_fd = st->listen_fd,
                          .latency = &st->lat,
                          .rate = st->rate,
                          .poisson = st->poisson,
                          .pacing = &st->pacing,
                          .http = st->http};
    st->start_err = sb_loadgen_start(st->lg, &job);
  }
  if (st->start_err < 0)
    SB_RETURN(self, 0);
  /* A connection whose task cannot be spawned is closed: the generator
   * sees it end early and reports it. */
  sb_server_init(&self->srv, &(sb_server_cfg){.kind = st->http ? SB_CONN_HTTP
                                                         : SB_CONN_ECHO,
                                              .listen_fd = st->listen_fd,
                                              .count = st->c,
                                              .joins = st->joins,
                                              .served = &st->served});
  SB_AWAIT(self, sb_server_poll(&self->srv, cx));
  st->backoffs += self->srv.backoffs;
  sb_read_init(&self->done, sb_loadgen_done_fd(st->lg), &self->done_buf,
               sizeof(self->done_buf));
  SB_AWAIT(self, sb_fdop_poll(&self->done, cx));
  sb_loadgen_result_get(st->lg, &st->res);
  sb_loadgen_tally_add(&st->tally, &st->res);
  SB_END(self, st->res.sum);
}

static void echo_root_drop(sb_future *f, sb_runtime *rt) {
  echo_root *self = (echo_root *)f;
  sb_future_drop(&self->srv.base, rt);
  sb_future_drop(&self->done.base, rt);
  sb_future_done(&self->base);
}

static sb_future *echo_root_new(void *state) {
  echo_state *st = state;
  st->start_err = 0;
  atomic_store(&st->served, 0);
  memset(&st->res, 0, sizeof(st->res));
  memset(&st->root, 0, sizeof(st->root));
  st->root.base = SB_FUTURE_INIT(echo_root_poll, echo_root_drop);
  st->root.st = st;
  /* Nothing in flight yet: dropping either is a no-op. */
  sb_future_done(&st->root.srv.base);
  sb_future_done(&st->root.done.base);
  return &st->root.base;
}

static void echo_teardown(void *state) {
  echo_state *st = state;
  if (st->lg != NULL)
    sb_loadgen_close(st->lg);
  if (st->listen_fd >= 0)
    sb_fd_close(st->rt, st->listen_fd);
  free(st->joins);
  free(st);
}

static int echo_setup(const sb_params *ps, const sb_setup_env *env,
                      void **state, char *why, size_t len) {
  int rc;
  echo_state *st = calloc(1, sizeof(*st));
  if (st == NULL)
    return -ENOMEM;
  st->rt = env->rt;
  st->listen_fd = -1;
  st->c = (int)sb_param_of(ps, specs, "c");
  st->b = (int)sb_param_of(ps, specs, "b");
  st->r = (int)sb_param_of(ps, specs, "r");
  st->rate = sb_param_of(ps, specs, "rate");
  st->poisson = (int)sb_param_of(ps, specs, "poisson");
  st->http = (int)sb_param_of(ps, specs, "http");
  sb_latency_reset(&st->lat);
  sb_latency_reset(&st->pacing);
  atomic_init(&st->served, 0);
  /* A server writing to a connection its client already closed must get
   * EPIPE, not die of SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  /* Both ends of every connection live in this process; a runtime may
   * also hold a descriptor per waiting task (a wake-up eventfd), so ask for
   * a third where the limit allows and insist only on the first two. */
  if (sb__fd_limit_ensure(3 * (size_t)st->c + 64, why, len) < 0 &&
      (rc = sb__fd_limit_ensure(2 * (size_t)st->c + 64, why, len)) < 0) {
    rc = -EOPNOTSUPP; /* skipped where the limit does not allow it */
    goto fail;
  }
  st->joins = calloc((size_t)st->c, sizeof(*st->joins));
  if (st->joins == NULL) {
    rc = -ENOMEM;
    snprintf(why, len, "out of memory for %d join handles", st->c);
    goto fail;
  }
  st->addr.sin_family = AF_INET;
  st->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  st->addr.sin_port = 0;
  if ((rc = sb_listen_tcp(&st->addr, st->c < 128 ? 128 : st->c)) < 0) {
    snprintf(why, len, "listen on 127.0.0.1: %s", strerror(-rc));
    goto fail;
  }
  st->listen_fd = rc;
  st->loadgen_pu = env->loadgen_cpu;
  if ((rc = sb_loadgen_open(st->loadgen_pu, &st->lg)) < 0) {
    snprintf(why, len, "load generator: %s", strerror(-rc));
    goto fail;
  }
  *state = st;
  return 0;
fail:
  echo_teardown(st);
  return rc;
}

static int echo_verify(void *state, uint64_t out, char *why, size_t len) {
  echo_state *st = state;
  const sb_server *srv = &st->root.srv;
  uint64_t want = sb_workload_echo.checksum(&(sb_params){
      {{"c", st->c}, {"b", st->b}, {"r", st->r}, {"http", st->http}}});
  /* The HTTP server's output is its count of answers; echo's, the sum. */
  uint64_t want_srv = st->http ? (uint64_t)st->c * (uint64_t)st->r : want;
  if (st->start_err < 0)
    snprintf(why, len, "load generator: %s", strerror(-st->start_err));
  else if (srv->spawn_failed > 0)
    snprintf(why, len, "%lld of %d connection tasks could not be spawned: %s",
             (long long)srv->spawn_failed, st->c, strerror(-srv->spawn_err));
  else if (st->res.failed > 0)
    snprintf(why, len, "%lld of %d connections failed%s (first: %s)",
             (long long)st->res.failed, st->c,
             st->res.stalled ? " (run stalled)" : "", st->res.first_error);
  else if (srv->accept_err < 0)
    snprintf(why, len, "accept: %s", strerror((int)-srv->accept_err));
  else if (st->res.mismatches > 0)
    snprintf(why, len, "%lld echoed bytes differ from those sent",
             (long long)st->res.mismatches);
  else if (atomic_load(&st->served) != (uint64_t)st->c)
    snprintf(why, len, "the server served %llu of %d connections to EOF",
             (unsigned long long)atomic_load(&st->served), st->c);
  else if (out != want || srv->base.out != want_srv)
    snprintf(why, len,
             "checksum: client %llu (expected %llu), server %llu (expected "
             "%llu)",
             (unsigned long long)out, (unsigned long long)want,
             (unsigned long long)srv->base.out, (unsigned long long)want_srv);
  else
    return 0;
  return -1;
}

/* Sum over connections k < c, rounds i < r, bytes j < b of
 * (k*31 + i*7 + j) & 0xff, by counting how often each start byte occurs;
 * with http:1, c x r times the sum of the 200 answer's bytes. */
static uint64_t echo_checksum(const sb_params *ps) {
  int64_t c = sb_param_of(ps, specs, "c"), b = sb_param_of(ps, specs, "b"),
          r = sb_param_of(ps, specs, "r");
  uint64_t count[256] = {0}, sum = 0;
  if (sb_param_of(ps, specs, "http")) { /* c x r times the 200 answer */
    for (size_t j = 0; j < sb_http_ok_response_len; j++)
      sum += (uint8_t)sb_http_ok_response[j];
    return (uint64_t)c * (uint64_t)r * sum;
  }
  for (int64_t k = 0; k < c; k++)
    for (int64_t i = 0; i < r && i < 256; i++)
      count[(k * 31 + i * 7) & 0xff] += (uint64_t)((r - 1 - i) / 256 + 1);
  for (unsigned base = 0; base < 256; base++) {
    uint64_t one = (uint64_t)(b / 256) * (255 * 256 / 2);
    for (int64_t j = 0; j < b % 256; j++)
      one += (base + (uint64_t)j) & 0xff;
    sum += count[base] * one;
  }
  return sum;
}

static int64_t echo_ops(const sb_params *ps) {
  return sb_param_of(ps, specs, "c") * sb_param_of(ps, specs, "r");
}

/* A task per connection; every round trip completed by the generator, every
 * connection served to EOF by the server (PROTOCOL.md 4). */
static void echo_work(const sb_params *ps, sb_work *out) {
  int64_t c = sb_param_of(ps, specs, "c");
  *out = (sb_work){.tasks = c,
                   .messages = c * sb_param_of(ps, specs, "r"),
                   .connections = c};
}

static void echo_run_work(void *state, sb_work *out) {
  echo_state *st = state;
  /* relaxed: the connection tasks are joined, which orders their counts. */
  *out = (sb_work){.tasks = -1,
                   .messages = st->res.round_trips,
                   .connections = (int64_t)atomic_load_explicit(
                       &st->served, memory_order_relaxed)};
}

/* The clock of PROTOCOL.md 6, read by the generator: every connection
 * established to the last response read. */
static int64_t echo_timed_ns(void *state) {
  return ((echo_state *)state)->res.timed_ns;
}

static void echo_reset(void *state) {
  echo_state *st = state;
  sb_latency_reset(&st->lat);
  sb_latency_reset(&st->pacing);
  st->tally = (sb_loadgen_tally){0, 0};
  st->backoffs = 0;
}

static void echo_counters(void *state, sb_counters *c) {
  echo_state *st = state;
  sb_latency_counters(&st->lat, SB_LATENCY_NAMES(""), c);
  sb_counter_set(c, "loadgen_pu", st->loadgen_pu);
  sb_counter_set(c, "accept_backoffs", (double)st->backoffs);
  if (st->rate > 0)
    sb_loadgen_open_counters(&st->pacing, st->rate, &st->tally, c);
}

const sb_workload sb_workload_echo = {
    .name = "echo",
    .question = "Where does thread-per-connection fall over, and what does "
                "a pool of N blocked workers do, serving many TCP "
                "connections?",
    .unit = "round trip",
    .kind = "io",
    .headline = "p99_ns",
    .headline_unit = "ns",
    .quick = echo_quick,
    .full = echo_full,
    .params = specs,
    .setup = echo_setup,
    .root = echo_root_new,
    .verify = echo_verify,
    .checksum = echo_checksum,
    .ops = echo_ops,
    .work = echo_work,
    .run_work = echo_run_work,
    .reset = echo_reset,
    .timed_ns = echo_timed_ns,
    .counters = echo_counters,
    .teardown = echo_teardown,
};
