/* EINTR everywhere. A storm thread sends SIGUSR1 (a no-op handler without
 * SA_RESTART) to every thread of the process every ~50 us while channel
 * ping-pong, timers, sleeps, socketpair transfers and the echo server run,
 * so futex waits, poll, epoll_wait, read, write and accept are interrupted
 * again and again; then EINTR is injected straight into read, write and
 * accept4. Every result must still verify. */
#include <errno.h>
#include <signal.h>

#include "fault_common.h"
#include "fault_xfer.h"
#include "faultinject.h"
#include "runtimes/primitives/sleep.h"
#include "test.h"

/* ---- sleeps: none may end before its deadline --------------------------- */

typedef struct sleeper {
  sb_future base;
  uint32_t rng;     /* picks the durations */
  int left;         /* sleeps still to do */
  int64_t deadline; /* of the sleep in flight */
  sb_sleep nap;
} sleeper;

static sb_poll sleeper_poll(sb_future *f, sb_cx *cx) {
  sleeper *s = (sleeper *)f;
  SB_BEGIN(s);
  for (; s->left > 0; s->left--) {
    s->rng = s->rng * 1664525u + 1013904223u;
    s->deadline = sb_now_ns() + 50000 + (int64_t)(s->rng >> 12) % 500000;
    sb_sleep_init(&s->nap, s->deadline);
    SB_AWAIT(s, sb_sleep_poll(&s->nap, cx));
    ASSERT_GE(sb_now_ns(), s->deadline); /* a signal never ends it early */
  }
  SB_END(s, 1);
}

#define SLEEPERS 6

typedef struct sleep_root {
  sb_future base;
  int i;
  uint64_t done;
  sb_join j[SLEEPERS];
} sleep_root;

static sb_poll sleep_root_poll(sb_future *f, sb_cx *cx) {
  sleep_root *r = (sleep_root *)f;
  SB_BEGIN(r);
  for (int i = 0; i < SLEEPERS; i++) {
    sleeper s = {.base = SB_FUTURE_INIT(sleeper_poll, NULL),
                 .rng = (uint32_t)i + 1,
                 .left = 200};
    ASSERT_EQ(sb_spawn(cx, &s.base, sizeof(s), &r->j[i]), 0);
  }
  for (r->i = 0; r->i < SLEEPERS; r->i++) {
    SB_AWAIT(r, sb_join_poll(&r->j[r->i], cx));
    r->done += r->j[r->i].base.out;
  }
  SB_END(r, r->done);
}

static void run_sleeps(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = SLEEPERS + 1};
  sb_runtime *rt = NULL;
  sleep_root root = {.base = SB_FUTURE_INIT(sleep_root_poll, NULL)};
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  ASSERT_EQ(ops->block_on(rt, &root.base), 0);
  ASSERT_EQ(root.base.out, SLEEPERS);
  ops->close(rt);
}

/* ---- the echo server with checking clients ----------------------------- */

#define CLIENTS 4

static void run_echo(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = CLIENTS + 2};
  sb_runtime *rt = NULL;
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  fc_client c[CLIENTS];
  sb_join joins[CLIENTS];
  sb_server server;
  signal(SIGPIPE, SIG_IGN);
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  int lfd = sb_listen_tcp(&addr, 64);
  ASSERT_GE(lfd, 0);
  uint64_t want = 0;
  for (int i = 0; i < CLIENTS; i++) {
    c[i] = (fc_client){.addr = addr,
                       .fd = -1,
                       .rounds = {60, 0},
                       .bytes = 3000,
                       .seed = (uint32_t)i + 11};
    want += fc_client_expect(&c[i], 0, 60);
    fc_client_start(&c[i]);
  }
  sb_server_init(&server, &(sb_server_cfg){.kind = SB_CONN_ECHO,
                                           .listen_fd = lfd,
                                           .count = CLIENTS,
                                           .joins = joins});
  ASSERT_EQ(ops->block_on(rt, &server.base), 0);
  for (int i = 0; i < CLIENTS; i++) {
    fc_client_join(&c[i]);
    ASSERT_EQ(c[i].err, 0);
    ASSERT_EQ(c[i].mismatches, 0);
  }
  ASSERT_EQ(server.accept_err, 0);
  ASSERT_EQ(server.base.out, want);
  sb_fd_close(rt, lfd);
  ops->close(rt);
}

/* ---- cases ------------------------------------------------------------- */

static void storm_report(fc_storm *s) {
  uint64_t got = fc_storm_stop(s);
  fprintf(stderr, "  %llu signals delivered\n", (unsigned long long)got);
  ASSERT_GT(got, 0);
}

static void test_storm_workloads(const sb_runtime_ops *ops) {
  fc_storm s;
  fc_storm_start(&s);
  ASSERT_EQ(run_named(ops, 0, "pingpong", (sb_params){{{"n", 5000}}}, 2), 0);
  ASSERT_EQ(
      run_named(ops, 0, "timers", (sb_params){{{"n", 40}, {"blocking", 0}}}, 2),
      0);
  int rc = run_named(ops, 0, "echo",
                     (sb_params){{{"c", 5}, {"b", 512}, {"r", 100}}}, 2);
  ASSERT(rc == 0 || rc == -EOPNOTSUPP);
  storm_report(&s);
}

static void test_storm_sleep(const sb_runtime_ops *ops) {
  fc_storm s;
  fc_storm_start(&s);
  run_sleeps(ops);
  storm_report(&s);
}

static void test_storm_fdio(const sb_runtime_ops *ops) {
  fc_storm s;
  fc_storm_start(&s);
  fx_run(ops, (fx_params){.pairs = 3, .len = 2 << 20});
  storm_report(&s);
}

static void test_storm_echo(const sb_runtime_ops *ops) {
  fc_storm s;
  fc_storm_start(&s);
  run_echo(ops);
  storm_report(&s);
}

/* EINTR returned by the calls themselves, without a signal: every third
 * read and write on a socket, every other accept. */
static void test_injected_eintr(const sb_runtime_ops *ops) {
  sb_fi_rule r = SB_FI_RULE;
  r.err = EINTR;
  r.one_in = 3;
  r.seed = 42;
  r.fd_kinds = SB_FI_SOCK;
  sb_fi_arm(SB_FI_READ, r);
  sb_fi_arm(SB_FI_WRITE, r);
  r.one_in = 2;
  sb_fi_arm(SB_FI_ACCEPT4, r);
  fx_run(ops, (fx_params){.pairs = 3, .len = 1 << 20});
  run_echo(ops);
  sb_fi_disarm_all();
  fprintf(stderr, "  EINTR injected: %lld reads, %lld writes, %lld accepts\n",
          (long long)sb_fi_injected(SB_FI_READ),
          (long long)sb_fi_injected(SB_FI_WRITE),
          (long long)sb_fi_injected(SB_FI_ACCEPT4));
  ASSERT_GT(sb_fi_injected(SB_FI_READ), 0);
  ASSERT_GT(sb_fi_injected(SB_FI_WRITE), 0);
  ASSERT_GT(sb_fi_injected(SB_FI_ACCEPT4), 0);
}

static const sb_test_case cases[] = {
    {"storm_workloads", test_storm_workloads},
    {"storm_sleep", test_storm_sleep},
    {"storm_fdio", test_storm_fdio},
    {"storm_echo", test_storm_echo},
    {"injected_eintr", test_injected_eintr},
};

SB_TEST_MAIN(cases)
