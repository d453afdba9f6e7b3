/* Runtime `fiber` (run as `test_fiber_overflow fiber`): a stack overflow
 * is caught, never silent. In a child process a fiber recurses until it
 * hits its guard page; the child must die abnormally (SIGABRT) after one
 * line naming the runtime, the stack size and the fix. The same for block_on's own fiber, and for a stack
 * size set in sb_config. And a SIGSEGV that is not a guard hit (a null
 * pointer on a fiber) must still kill the process without that line: the
 * handler passes it on. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtimes/primitives/spawn.h"
#include "test.h"

/* Recurses depth levels with a 512-byte frame the compiler cannot drop. */
__attribute__((noinline)) static uint64_t dig(uint64_t depth) {
  volatile char frame[512];
  frame[0] = (char)depth;
  frame[511] = (char)(depth >> 8);
  if (depth == 0)
    return (uint64_t)frame[0];
  return dig(depth - 1) + (uint64_t)frame[511];
}

/* What the child's fiber does: overflow, or dereference a null pointer. */
enum { DIG, NULL_DEREF };

typedef struct digger {
  sb_future base;
  int what;
} digger;

static volatile int *volatile nowhere; /* null, hidden from the compiler */

static sb_poll digger_poll(sb_future *f, sb_cx *cx) {
  digger *self = (digger *)f;
  (void)cx;
  if (self->what == NULL_DEREF)
    self->base.out = (uint64_t)*nowhere;
  else
    self->base.out = dig(1u << 20); /* 512 MiB of frames: past any guard */
  return SB_READY;
}

typedef struct parent {
  sb_future base;
  int what;
  sb_join j;
} parent;

static sb_poll parent_poll(sb_future *f, sb_cx *cx) {
  parent *self = (parent *)f;
  SB_BEGIN(self);
  {
    digger d = {.base = SB_FUTURE_INIT(digger_poll, NULL), .what = self->what};
    ASSERT_EQ(sb_spawn(cx, &d.base, sizeof d, &self->j), 0);
  }
  SB_AWAIT(self, sb_join_poll(&self->j, cx));
  SB_END(self, self->j.base.out);
}

/* Runs one scenario in a child with stderr into a pipe. in_root: the root
 * itself digs. Returns the child's wait status; *msg gets what it wrote. */
static int run_child(const sb_runtime_ops *ops, size_t stack_size, int what,
                     int in_root, char *msg, size_t len, size_t *stack_out) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  sb_config cfg = {.stack_size = stack_size};
  sb_runtime *rt = NULL;
  ASSERT_EQ(ops->open(&cfg, &rt), 0);
  sb_runtime_info info = {0};
  ops->info(rt, &info);
  *stack_out = info.stack_size;
  fflush(stderr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(p[1], STDERR_FILENO);
    close(p[0]);
    if (in_root) {
      digger d = {.base = SB_FUTURE_INIT(digger_poll, NULL), .what = what};
      ops->block_on(rt, &d.base);
    } else {
      parent root = {.base = SB_FUTURE_INIT(parent_poll, NULL), .what = what};
      ops->block_on(rt, &root.base);
    }
    _exit(0); /* not reached: the scenario kills the child */
  }
  close(p[1]);
  size_t got = 0;
  ssize_t n;
  while (got + 1 < len && (n = read(p[0], msg + got, len - 1 - got)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    ASSERT_GT(n, 0);
    got += (size_t)n;
  }
  msg[got] = '\0';
  close(p[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ops->close(rt);
  return status;
}

static void expect_overflow(const sb_runtime_ops *ops, size_t stack_size,
                            int in_root) {
  char msg[4096], want[160];
  size_t stack = 0;
  int status =
      run_child(ops, stack_size, DIG, in_root, msg, sizeof msg, &stack);
  fprintf(stderr, "  child said: %s", msg);
  ASSERT(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGABRT);
  if (in_root) /* block_on's fiber: its own stack, at least 256 KiB */
    snprintf(want, sizeof want, "fiber: stack overflow in block_on's fiber (");
  else
    snprintf(want, sizeof want,
             "fiber: stack overflow in a fiber (%zu KiB stack): raise "
             "sb_config.stack_size\n",
             stack / 1024);
  ASSERT(strstr(msg, want) != NULL);
  ASSERT(strstr(msg, "raise sb_config.stack_size") != NULL);
}

static void test_default_stack(const sb_runtime_ops *ops) {
  expect_overflow(ops, 0, 0);
}

static void test_configured_stack(const sb_runtime_ops *ops) {
  expect_overflow(ops, 40 * 1024, 0);
}

static void test_root_fiber(const sb_runtime_ops *ops) {
  expect_overflow(ops, 0, 1);
}

static void test_not_ours(const sb_runtime_ops *ops) {
  char msg[4096];
  size_t stack = 0;
  int status = run_child(ops, 0, NULL_DEREF, 0, msg, sizeof msg, &stack);
  /* Killed by SIGSEGV, or (a sanitizer's handler) an error exit. */
  ASSERT(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status)));
  if (WIFSIGNALED(status))
    ASSERT_EQ(WTERMSIG(status), SIGSEGV);
  ASSERT(strstr(msg, "stack overflow") == NULL);
  fprintf(stderr, "  a null pointer on a fiber: %s %d, no overflow line\n",
          WIFSIGNALED(status) ? "signal" : "exit",
          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

static const sb_test_case cases[] = {
    {"default_stack", test_default_stack},
    {"configured_stack", test_configured_stack},
    {"root_fiber", test_root_fiber},
    {"not_ours", test_not_ours},
};

SB_TEST_MAIN(cases)
