/* Faults in accept: the echo server (fault_common.c) out of descriptors
 * (EMFILE for real, by lowering RLIMIT_NOFILE, and injected: EMFILE, ENFILE,
 * ENOMEM, ENOBUFS), transient accept errors (ECONNABORTED, EINTR) and a
 * listener that breaks (EINVAL). The server must keep serving the
 * connections it has, back off instead of spinning, recover when descriptors
 * come back, and end with the error when the listener is unusable; every
 * echoed byte is checked. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fault_common.h"
#include "faultinject.h"
#include "test.h"

#define OLD 4      /* connections served throughout */
#define BYTES 1500 /* bytes per round trip */
#define ROUNDS 20  /* round trips per phase */

/* One scenario: a runtime, a listener, clients and the server. */
typedef struct scene {
  const sb_runtime_ops *ops;
  sb_runtime *rt;
  struct sockaddr_in addr;
  int lfd;                /* the listener */
  fc_client old[OLD];     /* connected before the fault */
  fc_client late;         /* connects while the fault holds */
  pthread_barrier_t gate; /* the old clients and the controller */
  sb_join joins[OLD + 1]; /* the server's connection tasks */
  sb_server server;
} scene;

static void scene_open(scene *s, const sb_runtime_ops *ops) {
  memset(s, 0, sizeof(*s));
  signal(SIGPIPE, SIG_IGN);
  s->ops = ops;
  /* Every old connection blocks a pool worker in its read, and the accept
   * loop one more: give the pool enough workers to serve them all. */
  sb_config cfg = {.workers = OLD + 2};
  ASSERT_EQ(ops->open(&cfg, &s->rt), 0);
  s->addr.sin_family = AF_INET;
  s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->lfd = sb_listen_tcp(&s->addr, 64);
  ASSERT_GE(s->lfd, 0);
  for (int i = 0; i < OLD; i++)
    s->old[i] = (fc_client){.addr = s->addr,
                            .fd = -1,
                            .rounds = {ROUNDS, ROUNDS},
                            .bytes = BYTES,
                            .seed = (uint32_t)i + 1};
  s->late = (fc_client){.addr = s->addr,
                        .fd = -1,
                        .rounds = {ROUNDS, 0},
                        .bytes = BYTES,
                        .seed = 99};
}

static void scene_close(scene *s) {
  sb_fd_close(s->rt, s->lfd);
  s->ops->close(s->rt);
}

/* Checks a client that ran every round it was given. */
static void check_client(fc_client *c) {
  fc_client_join(c);
  ASSERT_EQ(c->err, 0);
  ASSERT_EQ(c->mismatches, 0);
  ASSERT_EQ(c->sum, fc_client_expect(c, 0, c->rounds[0] + c->rounds[1]));
}

/* Waits until the accept4 wrapper has seen at least n calls. */
static void await_accepts(int64_t n) {
  for (int ms = 0; sb_fi_matched(SB_FI_ACCEPT4) < n; ms++) {
    ASSERT_LT(ms, 20000); /* the server stopped calling accept */
    usleep(1000);
  }
}

/* ---- real EMFILE ----------------------------------------------------------
 */

/* Drives the old clients through the gate and lowers the descriptor limit
 * while the late client waits in the backlog. */
static void *emfile_controller(void *arg) {
  scene *s = arg;
  struct rlimit saved, tight;
  sb_fi_exempt_thread(1);
  s->late.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s->late.fd, 0);
  pthread_barrier_wait(&s->gate); /* A: old clients served once */
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  tight = (struct rlimit){.rlim_cur = (rlim_t)fc_lowest_free_fd(),
                          .rlim_max = saved.rlim_max};
  /* Count the server's accept calls from now on (inject nothing). */
  sb_fi_rule count_only = SB_FI_RULE;
  count_only.count = 0;
  count_only.fd = s->lfd;
  count_only.any_fd = 0;
  sb_fi_arm(SB_FI_ACCEPT4, count_only);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  ASSERT_EQ(connect(s->late.fd, (struct sockaddr *)&s->addr, sizeof(s->addr)),
            0);     /* into the backlog: accept now fails with EMFILE */
  await_accepts(3); /* the server tried, and retried after pausing */
  pthread_barrier_wait(&s->gate); /* B: old clients talk during EMFILE */
  pthread_barrier_wait(&s->gate); /* C: ...and were all served */
  int64_t tries = sb_fi_matched(SB_FI_ACCEPT4);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  fprintf(stderr, "  %lld accept calls while out of descriptors\n",
          (long long)tries);
  fc_client_start(&s->late); /* the late connection is served now */
  return NULL;
}

static void test_emfile_rlimit(const sb_runtime_ops *ops) {
  scene s;
  pthread_t ctl;
  scene_open(&s, ops);
  ASSERT_EQ(pthread_barrier_init(&s.gate, NULL, OLD + 1), 0);
  for (int i = 0; i < OLD; i++) {
    s.old[i].gate = &s.gate;
    fc_client_start(&s.old[i]);
  }
  ASSERT_EQ(pthread_create(&ctl, NULL, emfile_controller, &s), 0);
  sb_server_init(&s.server, &(sb_server_cfg){.kind = SB_CONN_ECHO,
                                             .listen_fd = s.lfd,
                                             .count = OLD + 1,
                                             .joins = s.joins});
  ASSERT_EQ(ops->block_on(s.rt, &s.server.base), 0);
  ASSERT_EQ(pthread_join(ctl, NULL), 0);
  sb_fi_disarm_all();
  uint64_t want = 0;
  for (int i = 0; i < OLD; i++) {
    check_client(&s.old[i]);
    want += s.old[i].sum;
  }
  check_client(&s.late);
  want += s.late.sum;
  ASSERT_EQ(s.server.accept_err, 0);
  ASSERT_EQ(s.server.spawn_err, 0);
  ASSERT_EQ(s.server.accepted, OLD + 1);
  ASSERT_GE(s.server.backoffs, 1); /* it paused instead of spinning */
  ASSERT_EQ(s.server.base.out, want);
  fprintf(stderr, "  %llu back-offs; %d connections, %llu bytes summed\n",
          (unsigned long long)s.server.backoffs, OLD + 1,
          (unsigned long long)want);
  pthread_barrier_destroy(&s.gate);
  scene_close(&s);
}

/* ---- injected shortages and transient errors ------------------------------
 */

/* Arms accept4 on the listener to fail count times with err, then serves
 * OLD + 1 clients. Returns the server's back-off count. */
static uint64_t serve_with_fault(const sb_runtime_ops *ops, int err,
                                 int count) {
  scene s;
  scene_open(&s, ops);
  sb_fi_rule r = SB_FI_RULE;
  r.err = err;
  r.count = count;
  r.fd = s.lfd;
  r.any_fd = 0;
  sb_fi_arm(SB_FI_ACCEPT4, r);
  for (int i = 0; i < OLD; i++)
    fc_client_start(&s.old[i]);
  fc_client_start(&s.late);
  sb_server_init(&s.server, &(sb_server_cfg){.kind = SB_CONN_ECHO,
                                             .listen_fd = s.lfd,
                                             .count = OLD + 1,
                                             .joins = s.joins});
  ASSERT_EQ(ops->block_on(s.rt, &s.server.base), 0);
  ASSERT_EQ(sb_fi_injected(SB_FI_ACCEPT4), count);
  sb_fi_disarm_all();
  uint64_t want = 0;
  for (int i = 0; i < OLD; i++) {
    check_client(&s.old[i]);
    want += s.old[i].sum;
  }
  check_client(&s.late);
  want += s.late.sum;
  ASSERT_EQ(s.server.accept_err, 0);
  ASSERT_EQ(s.server.accepted, OLD + 1);
  ASSERT_EQ(s.server.base.out, want);
  scene_close(&s);
  return s.server.backoffs;
}

static void test_shortage_injected(const sb_runtime_ops *ops) {
  static const int errs[] = {EMFILE, ENFILE, ENOMEM, ENOBUFS};
  for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
    uint64_t backoffs = serve_with_fault(ops, errs[i], 4);
    fprintf(stderr, "  %s x4: %llu back-offs, all served\n", strerror(errs[i]),
            (unsigned long long)backoffs);
    ASSERT_EQ(backoffs, 4); /* one pause per shortage, then recovery */
  }
}

static void test_transient_injected(const sb_runtime_ops *ops) {
  static const int errs[] = {ECONNABORTED, EINTR, EPROTO};
  for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
    uint64_t backoffs = serve_with_fault(ops, errs[i], 6);
    fprintf(stderr, "  %s x6: retried at once, all served\n",
            strerror(errs[i]));
    ASSERT_EQ(backoffs, 0); /* the connection's error, not a shortage */
  }
}

/* ---- a listener that breaks -------------------------------------------------
 */

static void *fatal_controller(void *arg) {
  scene *s = arg;
  sb_fi_exempt_thread(1);
  s->late.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s->late.fd, 0);
  pthread_barrier_wait(&s->gate); /* A: the old connections are accepted */
  sb_fi_rule r = SB_FI_RULE;
  r.err = EINVAL;
  r.fd = s->lfd;
  r.any_fd = 0;
  sb_fi_arm(SB_FI_ACCEPT4, r);
  /* A pending connection makes the listener readable: accept4 is called. */
  ASSERT_EQ(connect(s->late.fd, (struct sockaddr *)&s->addr, sizeof(s->addr)),
            0);
  await_accepts(1);
  pthread_barrier_wait(&s->gate); /* B: old clients go on talking */
  pthread_barrier_wait(&s->gate); /* C */
  return NULL;
}

static void test_listener_error(const sb_runtime_ops *ops) {
  scene s;
  pthread_t ctl;
  scene_open(&s, ops);
  ASSERT_EQ(pthread_barrier_init(&s.gate, NULL, OLD + 1), 0);
  for (int i = 0; i < OLD; i++) {
    s.old[i].gate = &s.gate;
    fc_client_start(&s.old[i]);
  }
  ASSERT_EQ(pthread_create(&ctl, NULL, fatal_controller, &s), 0);
  sb_server_init(&s.server, &(sb_server_cfg){.kind = SB_CONN_ECHO,
                                             .listen_fd = s.lfd,
                                             .count = OLD + 1,
                                             .joins = s.joins});
  ASSERT_EQ(ops->block_on(s.rt, &s.server.base), 0);
  ASSERT_EQ(pthread_join(ctl, NULL), 0);
  sb_fi_disarm_all();
  uint64_t want = 0;
  for (int i = 0; i < OLD; i++) {
    check_client(&s.old[i]);
    want += s.old[i].sum;
  }
  ASSERT_EQ(s.server.accept_err, -EINVAL); /* the clear error */
  ASSERT_EQ(s.server.accepted, OLD);
  ASSERT_EQ(s.server.backoffs, 0);
  ASSERT_EQ(s.server.base.out, want); /* the old ones still fully served */
  fprintf(stderr, "  accept: %s; %d connections served to the end\n",
          strerror((int)-s.server.accept_err), OLD);
  close(s.late.fd);
  pthread_barrier_destroy(&s.gate);
  scene_close(&s);
}

static const sb_test_case cases[] = {
    {"emfile_rlimit", test_emfile_rlimit},
    {"shortage_injected", test_shortage_injected},
    {"transient_injected", test_transient_injected},
    {"listener_error", test_listener_error},
};

SB_TEST_MAIN(cases)
