/* Short reads and writes. Every read(2) and write(2) on a socket is cut to
 * a few bytes (injected), or the kernel cuts writes itself (a tiny
 * SO_SNDBUF); transfers over socketpairs, the echo server with checking
 * clients, the echo workload (its load generator is cut too) and the files
 * workload (reads of regular files cut) must still move every byte intact. */
#include <errno.h>
#include <signal.h>

#include "fault_common.h"
#include "fault_xfer.h"
#include "faultinject.h"
#include "test.h"

/* Cuts every read and write on fds of kinds to 1..max_len bytes. */
static void arm_short(unsigned kinds, size_t max_len, int writes) {
  sb_fi_rule r = SB_FI_RULE;
  r.max_len = max_len;
  r.seed = 7;
  r.fd_kinds = kinds;
  sb_fi_arm(SB_FI_READ, r);
  if (writes)
    sb_fi_arm(SB_FI_WRITE, r);
}

static void report(const char *what, int writes) {
  fprintf(stderr, "  %s: %lld reads and %lld writes cut short\n", what,
          (long long)sb_fi_injected(SB_FI_READ),
          writes ? (long long)sb_fi_injected(SB_FI_WRITE) : 0LL);
}

static void test_short_fdio(const sb_runtime_ops *ops) {
  arm_short(SB_FI_SOCK, 7, 1);
  fx_run(ops, (fx_params){.pairs = 2, .len = 200000});
  sb_fi_disarm_all();
  report("socketpairs, 1..7 bytes a call", 1);
  ASSERT_GT(sb_fi_injected(SB_FI_READ), 1000);
  ASSERT_GT(sb_fi_injected(SB_FI_WRITE), 1000);
}

/* No injection: a 4 KiB send buffer makes the kernel accept only part of
 * each 8 KiB write, so write_all loops and waits for writability. */
static void test_kernel_short_writes(const sb_runtime_ops *ops) {
  fx_run(ops, (fx_params){.pairs = 2, .len = 4 << 20, .sndbuf = 4096});
}

#define CLIENTS 4

static void test_short_echo_server(const sb_runtime_ops *ops) {
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
  arm_short(SB_FI_SOCK, 13, 1); /* the clients are exempt: the server only */
  uint64_t want = 0;
  for (int i = 0; i < CLIENTS; i++) {
    c[i] = (fc_client){.addr = addr,
                       .fd = -1,
                       .rounds = {30, 0},
                       .bytes = 2500,
                       .seed = (uint32_t)i + 3};
    want += fc_client_expect(&c[i], 0, 30);
    fc_client_start(&c[i]);
  }
  sb_server_init(&server, &(sb_server_cfg){.kind = SB_CONN_ECHO,
                                           .listen_fd = lfd,
                                           .count = CLIENTS,
                                           .joins = joins});
  ASSERT_EQ(ops->block_on(rt, &server.base), 0);
  sb_fi_disarm_all();
  for (int i = 0; i < CLIENTS; i++) {
    fc_client_join(&c[i]);
    ASSERT_EQ(c[i].err, 0);
    ASSERT_EQ(c[i].mismatches, 0);
  }
  ASSERT_EQ(server.accept_err, 0);
  ASSERT_EQ(server.base.out, want);
  report("echo server, 1..13 bytes a call", 1);
  ASSERT_GT(sb_fi_injected(SB_FI_READ), 0);
  ASSERT_GT(sb_fi_injected(SB_FI_WRITE), 0);
  sb_fd_close(rt, lfd);
  ops->close(rt);
}

/* The echo workload end to end: server tasks and the load generator. */
static void test_short_echo_workload(const sb_runtime_ops *ops) {
  arm_short(SB_FI_SOCK, 29, 1);
  int rc = run_named(ops, 0, "echo",
                     (sb_params){{{"c", 4}, {"b", 700}, {"r", 40}}}, 2);
  sb_fi_disarm_all();
  if (rc == -EOPNOTSUPP) {
    fprintf(stderr, "skipped: the echo workload does not apply here\n");
    exit(SB_TEST_SKIP);
  }
  report("echo workload, 1..29 bytes a call", 1);
  ASSERT_GT(sb_fi_injected(SB_FI_READ), 0);
}

/* Reads of regular files cut to 1..100 bytes (writes are left whole: the
 * files are written once, in setup). */
static void test_short_file_reads(const sb_runtime_ops *ops) {
  arm_short(SB_FI_FILE, 100, 0);
  ASSERT_EQ(run_named(ops, 0, "files",
                      (sb_params){{{"f", 4}, {"s", 8}, {"cold", 0}}}, 2),
            0);
  sb_fi_disarm_all();
  report("files workload, 1..100 bytes a read", 0);
  ASSERT_GT(sb_fi_injected(SB_FI_READ), 0);
}

static void test_short_file_writes(const sb_runtime_ops *ops) {
  arm_short(SB_FI_FILE, 100, 1);
  ASSERT_EQ(run_named(ops, 0, "files",
                      (sb_params){{{"f", 4}, {"s", 8}, {"cold", 0}}}, 1),
            0);
  sb_fi_disarm_all();
  report("files workload, 1..100 bytes a write", 1);
}

static const sb_test_case cases[] = {
    {"short_file_writes", test_short_file_writes},
    {"short_fdio", test_short_fdio},
    {"kernel_short_writes", test_kernel_short_writes},
    {"short_echo_server", test_short_echo_server},
    {"short_echo_workload", test_short_echo_workload},
    {"short_file_reads", test_short_file_reads},
};

SB_TEST_MAIN(cases)
