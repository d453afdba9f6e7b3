/* Child processes under a watchdog: each cell runs in its own process group,
 * killed with SIGKILL when its time is up or when the harness is interrupted
 * (SIGINT, SIGTERM), so a hung or crashing cell cannot take the matrix down.
 * A child may be confined to a CPU list before exec, and a peer server is
 * started with pipes on its stdin and stdout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

/* The CPU set of cpus[0..n), built before fork (the child may only make
 * async-signal-safe calls). Returns 0, or -EINVAL for a CPU out of range. */
static int cpuset_of(const int *cpus, int n, cpu_set_t *set) {
  CPU_ZERO(set);
  for (int i = 0; i < n; i++) {
    if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE)
      return -EINVAL;
    CPU_SET(cpus[i], set);
  }
  return 0;
}

/* In the child: dies with the parent, confined (the affinity of the
 * thread that execs is the new program's, for every thread it starts). */
static void child_prepare(pid_t parent, const cpu_set_t *set) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127); /* the parent died before prctl took effect */
  if (set != NULL && sched_setaffinity(0, sizeof *set, set) != 0) {
    static const char msg[] = "cannot confine the child to its CPU list\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(126);
  }
}

/* In the child, before exec: own process group, die with the parent,
 * confined, default signals, redirected output. Never returns. */
static void child_exec(char *const argv[], const char *out_path,
                       const char *err_path, pid_t parent,
                       const cpu_set_t *set) {
  setpgid(0, 0);
  child_prepare(parent, set);
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
                   const char *err_path, const int *cpus, int ncpus,
                   int timeout, void (*tick)(void), sb_child_result *res) {
  memset(res, 0, sizeof *res);
  int64_t t0 = sb_now_ns();
  cpu_set_t set;
  if (ncpus > 0 && cpuset_of(cpus, ncpus, &set) != 0) {
    res->status = SB_CHILD_NOSTART;
    res->code = EINVAL;
    return;
  }
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
    child_exec(argv, out_path, err_path, parent, ncpus > 0 ? &set : NULL);
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

int sb__child_start(char *const argv[], int fd3, const char *err_path,
                    const int *cpus, int ncpus, sb_child_pipes *out) {
  int in[2] = {-1, -1}, outp[2] = {-1, -1}, rc = 0;
  cpu_set_t set;
  if (ncpus > 0 && (rc = cpuset_of(cpus, ncpus, &set)) != 0)
    return rc;
  /* Close-on-exec everywhere: only the dup2'd copies reach the child. */
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
    rc = -errno;
    goto fail;
  }
  fflush(NULL);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    rc = -errno;
    goto fail;
  }
  if (pid == 0) {
    child_prepare(parent, ncpus > 0 ? &set : NULL);
    /* Every source descriptor is moved above 9 first, so no dup2 below
     * can overwrite one still to be copied; dup2 clears close-on-exec on
     * the copy. */
    int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = e >= 0 ? fcntl(e, F_DUPFD_CLOEXEC, 10) : -1;
    int lfd = fd3 >= 0 ? fcntl(fd3, F_DUPFD_CLOEXEC, 10) : -1;
    int i0 = fcntl(in[0], F_DUPFD_CLOEXEC, 10);
    int o1 = fcntl(outp[1], F_DUPFD_CLOEXEC, 10);
    if (err < 0 || (fd3 >= 0 && lfd < 0) || i0 < 0 || o1 < 0 ||
        dup2(i0, 0) < 0 || dup2(o1, 1) < 0 || dup2(err, 2) < 0 ||
        (lfd >= 0 && dup2(lfd, 3) < 0))
      _exit(126);
    /* Handed over blocking, as socket activation does: the server sets the
     * mode its runtime needs. */
    if (fd3 >= 0) {
      int fl = fcntl(3, F_GETFL);
      if (fl < 0 || fcntl(3, F_SETFL, fl & ~O_NONBLOCK) < 0)
        _exit(126);
    }
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(outp[1]);
  *out = (sb_child_pipes){.pid = pid, .in = in[1], .out = outp[0]};
  return 0;
fail:
  for (int i = 0; i < 2; i++) {
    if (in[i] >= 0)
      close(in[i]);
    if (outp[i] >= 0)
      close(outp[i]);
  }
  return rc;
}

int sb__child_reap(int pid, int grace_ms) {
  int st = 0;
  for (int waited = 0; waited <= grace_ms; waited += 10) {
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid)
      return st;
    if (w < 0 && errno != EINTR)
      return -1;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  return -1;
}
