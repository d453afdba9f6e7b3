/* Child processes under a watchdog: each cell runs in its own process group,
 * killed with SIGKILL when its time is up or when the harness is interrupted
 * (SIGINT, SIGTERM), so a hung or crashing cell cannot take the matrix down. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static volatile sig_atomic_t interrupted; /* the signal that arrived, or 0 */

static void on_signal(int sig) {
  interrupted = sig;
}

void sb__child_install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a wait must return EINTR */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

int sb__child_interrupted(void) {
  return interrupted != 0;
}

/* In the child, before exec: own process group, die with the parent,
 * default signals, redirected output. Never returns. */
static void child_exec(char *const argv[], const char *out_path,
                       const char *err_path, pid_t parent) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127); /* the parent died before prctl took effect */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  const char *paths[2] = {out_path, err_path};
  for (int i = 0; i < 2; i++) {
    if (paths[i] == NULL)
      continue;
    int fd = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || dup2(fd, i + 1) < 0)
      _exit(126);
    close(fd);
  }
  execv(argv[0], argv);
  fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

/* Kills the child's whole group and reaps it. */
static void kill_and_reap(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

void sb__child_run(char *const argv[], const char *out_path,
                   const char *err_path, int timeout, void (*tick)(void),
                   sb_child_result *res) {
  memset(res, 0, sizeof *res);
  int64_t t0 = sb_now_ns();
  int64_t deadline = t0 + (int64_t)timeout * 1000000000;
  /* Signals stay blocked except inside ppoll, so an interrupt cannot slip in
   * between the check of `interrupted` and the wait. */
  sigset_t block, orig;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  sigprocmask(SIG_BLOCK, &block, &orig);
  fflush(NULL);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    res->status = SB_CHILD_NOSTART;
    res->code = errno;
    goto done;
  }
  if (pid == 0)
    child_exec(argv, out_path, err_path, parent);
  setpgid(pid, pid); /* also here: no race with the child's own call */
  /* A pidfd turns "child exited" into a poll event; without one (old
   * kernels) the loop polls every 10 ms. */
#ifdef SYS_pidfd_open
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
  int pidfd = -1;
#endif
  for (;;) {
    int st = 0;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) {
      if (WIFSIGNALED(st)) {
        res->status = SB_CHILD_SIGNALED;
        res->code = WTERMSIG(st);
      } else {
        res->status = SB_CHILD_EXITED;
        res->code = WEXITSTATUS(st);
      }
      break;
    }
    if (interrupted) {
      kill_and_reap(pid);
      res->status = SB_CHILD_INTERRUPTED;
      break;
    }
    int64_t left = deadline - sb_now_ns();
    if (left <= 0) {
      kill_and_reap(pid);
      res->status = SB_CHILD_TIMEOUT;
      res->code = timeout;
      break;
    }
    int64_t wait_ns = pidfd >= 0 ? 1000000000 : 10000000;
    if (wait_ns > left)
      wait_ns = left;
    struct timespec ts = {.tv_sec = wait_ns / 1000000000,
                          .tv_nsec = wait_ns % 1000000000};
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN, .revents = 0};
    ppoll(&pfd, pidfd >= 0 ? 1 : 0, &ts, &orig);
    if (tick != NULL)
      tick();
  }
  if (pidfd >= 0)
    close(pidfd);
done:
  sigprocmask(SIG_SETMASK, &orig, NULL);
  res->seconds = (double)(sb_now_ns() - t0) / 1e9;
}

void sb__last_line(const char *path, char *buf, size_t len) {
  buf[0] = '\0';
  FILE *f = path != NULL ? fopen(path, "r") : NULL;
  if (f == NULL)
    return;
  char line[1024];
  while (fgets(line, sizeof line, f) != NULL) {
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (n > 0)
      snprintf(buf, len, "%s", line);
  }
  fclose(f);
}
