/* Task cost and thread limits, read from /proc (see oslimits.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "oslimits.h"

uint64_t sb__ctx_switches(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
}

int sb__statm(int64_t *vm_bytes, int64_t *rss_bytes) {
  long long size = 0, resident = 0;
  int rc = 0;
  FILE *f = fopen("/proc/self/statm", "re");
  if (f == NULL)
    return -errno;
  if (fscanf(f, "%lld %lld", &size, &resident) != 2)
    rc = -EIO;
  fclose(f);
  long page = sysconf(_SC_PAGESIZE);
  *vm_bytes = (int64_t)size * page;
  *rss_bytes = (int64_t)resident * page;
  return rc;
}

/* Returns the first integer in file path, or -1. */
static int64_t read_int(const char *path) {
  long long v = -1;
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return -1;
  if (fscanf(f, "%lld", &v) != 1)
    v = -1;
  fclose(f);
  return (int64_t)v;
}

/* Returns the value of "key:" in a /proc key-value file, or -1. */
static int64_t read_key(const char *path, const char *key) {
  char line[256];
  long long v = -1;
  size_t klen = strlen(key);
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL)
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      if (sscanf(line + klen + 1, "%lld", &v) != 1)
        v = -1;
      break;
    }
  fclose(f);
  return (int64_t)v;
}

/* Returns the lines of /proc/self/maps (the process's memory maps), or -1. */
static int64_t count_maps(void) {
  int64_t n = 0;
  int c;
  FILE *f = fopen("/proc/self/maps", "re");
  if (f == NULL)
    return -1;
  while ((c = getc(f)) != EOF)
    n += c == '\n';
  fclose(f);
  return n;
}

/* Returns the kernel's count of scheduling entities (every thread on the
 * system): the number after '/' in /proc/loadavg, or -1. */
static int64_t system_threads(void) {
  double l1, l5, l15;
  long long running = 0, total = -1;
  FILE *f = fopen("/proc/loadavg", "re");
  if (f == NULL)
    return -1;
  if (fscanf(f, "%lf %lf %lf %lld/%lld", &l1, &l5, &l15, &running, &total) != 5)
    total = -1;
  fclose(f);
  return (int64_t)total;
}

/* Once pids wrap, the kernel hands out none below 300 (RESERVED_PIDS in
 * kernel/pid.c): a system runs out of them near pid_max - 300, plus the
 * few low pids still alive from boot (32,530 threads at pid_max 32,768). */
#define RESERVED_PIDS 300

/* Within margin of a limit counts as having hit it: other processes come
 * and go while we read. */
static int near(int64_t have, int64_t limit, int64_t margin) {
  return have >= 0 && limit > 0 && have + margin >= limit;
}

void sb__thread_limit_explain(int err, int64_t made, char *buf, size_t len) {
  int64_t threads = read_key("/proc/self/status", "Threads");
  int64_t sys = system_threads();
  int64_t maps = count_maps();
  int64_t max_maps = read_int("/proc/sys/vm/max_map_count");
  int64_t pid_max = read_int("/proc/sys/kernel/pid_max");
  int64_t threads_max = read_int("/proc/sys/kernel/threads-max");
  int64_t avail_kib = read_key("/proc/meminfo", "MemAvailable");
  struct rlimit rl = {0};
  int64_t nproc = -1;
  if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    nproc = (int64_t)rl.rlim_cur;
  /* root ignores RLIMIT_NPROC (CAP_SYS_RESOURCE / CAP_SYS_ADMIN). */
  int nproc_applies = geteuid() != 0 && nproc > 0;
  /* RLIMIT_AS binds everyone: hit when one more 8 MiB stack would not fit. */
  int64_t vm = 0, rss = 0, as = -1;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    as = (int64_t)rl.rlim_cur;
  if (sb__statm(&vm, &rss) < 0)
    vm = -1;

  const char *limit;
  if (near(maps, max_maps, 16))
    limit = "vm.max_map_count"; /* a stack and its guard: 2 maps a thread */
  else if (near(sys, pid_max - RESERVED_PIDS, 64))
    limit = "kernel.pid_max"; /* every thread takes a pid */
  else if (near(sys, threads_max, 64))
    limit = "kernel.threads-max";
  else if (nproc_applies && near(sys, nproc, 64))
    limit = "RLIMIT_NPROC";
  else if (near(vm, as, 64 << 20))
    limit = "RLIMIT_AS";
  else if (err == -ENOMEM || (avail_kib >= 0 && avail_kib < 64 * 1024))
    limit = "memory";
  else
    limit = "unidentified";
  /* Most telling first: the harness keeps about 250 characters. */
  snprintf(buf, len,
           "limit %s after %" PRId64 " (%s): maps %" PRId64 "/%" PRId64
           ", threads %" PRId64 " here %" PRId64 " on system, pid_max %" PRId64
           ", threads-max %" PRId64 ", NPROC %" PRId64
           "%s, MemAvailable %" PRId64 " MiB",
           limit, made, strerror(-err), maps, max_maps, threads, sys, pid_max,
           threads_max, nproc, nproc_applies ? "" : " (root: not enforced)",
           avail_kib >= 0 ? avail_kib / 1024 : -1);
}
