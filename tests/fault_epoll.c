/* epoll failing, on the runtimes that use it (single, steal): epoll_ctl
 * refusing to add an fd for a while (ENOMEM, ENOSPC: out of kernel memory
 * or max_user_watches), refusing for good, and epoll_create1 or the notify
 * registration failing in open. Transfers must still verify; open must
 * return the error with nothing leaked. */
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault_common.h"
#include "fault_xfer.h"
#include "faultinject.h"
#include "runtimes/primitives/combine.h"
#include "runtimes/primitives/sleep.h"
#include "test.h"

static sb_fi_rule add_fails(int err, int64_t count) {
  sb_fi_rule r = SB_FI_RULE;
  r.err = err;
  r.count = count;
  r.epoll_op = EPOLL_CTL_ADD;
  r.fd_kinds = SB_FI_SOCK; /* the runtime's own eventfd is not hit */
  return r;
}

/* A few refusals: each registration is retried until epoll takes it. */
static void test_ctl_transient(const sb_runtime_ops *ops) {
  static const int errs[] = {ENOMEM, ENOSPC};
  for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
    sb_fi_arm(SB_FI_EPOLL_CTL, add_fails(errs[i], 8));
    fx_run(ops, (fx_params){.pairs = 3, .len = 1 << 20});
    int64_t injected = sb_fi_injected(SB_FI_EPOLL_CTL);
    sb_fi_disarm_all();
    fprintf(stderr,
            "  EPOLL_CTL_ADD failed %lld times (%s): every byte "
            "arrived\n",
            (long long)injected, strerror(errs[i]));
    ASSERT_EQ(injected, 8);
  }
}

/* ---- refused for good ------------------------------------------------------
 */

typedef struct stuck_root {
  sb_future base;
  int fd;       /* nothing arrives on it until after the timeout */
  uint8_t byte; /* what the read got */
  sb_fdop rd;
  sb_sleep timeout;
  sb_future *kids[2];
  sb_select sel;
} stuck_root;

static sb_poll stuck_poll(sb_future *f, sb_cx *cx) {
  stuck_root *s = (stuck_root *)f;
  SB_BEGIN(s);
  sb_read_init(&s->rd, s->fd, &s->byte, 1);
  sb_sleep_for_init(&s->timeout, 30 * 1000000LL);
  s->kids[0] = &s->rd.base;
  s->kids[1] = &s->timeout.base;
  sb_select_init(&s->sel, s->kids, 2);
  SB_AWAIT(s, sb_select_poll(&s->sel, cx));
  SB_END(s, s->sel.base.out);
}

/* Every registration refused: the wait cannot be made, and the contract has
 * no way to say so, so the read retries until something else ends it. A
 * timeout around it must still fire (the runtime is not wedged), and once
 * epoll accepts the fd again the same kind of read completes. */
static void test_ctl_persistent(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  ASSERT_EQ(sb_fd_nonblock(sv[0]), 0);
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  sb_fi_arm(SB_FI_EPOLL_CTL, add_fails(ENOSPC, -1));
  stuck_root s = {.base = SB_FUTURE_INIT(stuck_poll, NULL), .fd = sv[0]};
  ASSERT_EQ(ops->block_on(rt, &s.base), 0);
  int64_t tries = sb_fi_injected(SB_FI_EPOLL_CTL);
  sb_fi_disarm_all();
  ASSERT_EQ(s.base.out, 1); /* the timeout won; the read was dropped */
  fprintf(stderr,
          "  EPOLL_CTL_ADD refused for good: the read retried %lld "
          "times in 30 ms, then the timeout fired\n",
          (long long)tries);
  ASSERT_GT(tries, 0);
  /* Recovery: the same read, with epoll working and a byte on its way. */
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  s = (stuck_root){.base = SB_FUTURE_INIT(stuck_poll, NULL), .fd = sv[0]};
  ASSERT_EQ(ops->block_on(rt, &s.base), 0);
  ASSERT_EQ(s.base.out, 0);
  ASSERT_EQ(s.byte, 'x');
  sb_fd_close(rt, sv[0]);
  close(sv[1]);
  ops->close(rt);
}

/* ---- open ------------------------------------------------------------------
 */

static void test_open_fails(const sb_runtime_ops *ops) {
  sb_config cfg = {.workers = 2};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0); /* process-wide state made once */
  ops->close(rt);
  ASSERT(fc_await_main_only()); /* warm-up threads gone */
  int64_t allocs0 = sb_fi_live_allocs();
  static const int errs[] = {EMFILE, ENOMEM, ENFILE};
  for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
    sb_fi_rule r = SB_FI_RULE;
    r.err = errs[i];
    r.count = 1;
    sb_fi_arm(SB_FI_EPOLL_CREATE1, r);
    ASSERT_EQ(ops->open(&cfg, &rt), -errs[i]);
    ASSERT_EQ(sb_fi_injected(SB_FI_EPOLL_CREATE1), 1);
    sb_fi_disarm_all();
    ASSERT_EQ(sb_fi_live_allocs(), allocs0);
    ASSERT(fc_await_main_only()); /* no thread left behind */
  }
  /* The notify eventfd's registration refused. */
  sb_fi_rule r = SB_FI_RULE;
  r.err = ENOMEM;
  r.count = 1;
  r.epoll_op = EPOLL_CTL_ADD;
  sb_fi_arm(SB_FI_EPOLL_CTL, r);
  ASSERT_EQ(ops->open(&cfg, &rt), -ENOMEM);
  ASSERT_EQ(sb_fi_injected(SB_FI_EPOLL_CTL), 1);
  sb_fi_disarm_all();
  ASSERT_EQ(sb_fi_live_allocs(), allocs0);
  ASSERT(fc_await_main_only()); /* no thread left behind */
  fprintf(stderr, "  open: epoll_create1 and the notify registration "
                  "failing return their errno, nothing leaked\n");
  fx_run(ops, (fx_params){.pairs = 1, .len = 65536}); /* and it works */
}

static const sb_test_case cases[] = {
    {"ctl_transient", test_ctl_transient},
    {"ctl_persistent", test_ctl_persistent},
    {"open_fails", test_open_fails},
};

SB_TEST_MAIN(cases)
