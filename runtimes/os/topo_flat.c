/* The topology without hwloc (the SB_MINIMAL build, for cross builds where
 * hwloc is not installable): the CPUs this process may use when it first
 * asks, each counted as a core of its own (no SMT siblings, packages or
 * caches are known), and pinning with sched_setaffinity. COMPACT gives
 * worker i the i-th allowed CPU; SPREAD spaces the workers evenly over
 * them. Loaded once; read-only afterwards. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "topo.h"

struct sb_topo {
  int ncpus;             /* CPUs in cpus (at least 1) */
  int cpus[CPU_SETSIZE]; /* their OS numbers, ascending: the "PUs" */
};

static sb_topo the_topo; /* the process-wide topology */
static int the_topo_err; /* 0, or -errno from reading it */
static pthread_once_t the_topo_once = PTHREAD_ONCE_INIT;

static void topo_load(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    the_topo_err = -errno;
    return;
  }
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set))
      the_topo.cpus[the_topo.ncpus++] = c;
  if (the_topo.ncpus == 0)
    the_topo_err = -ENODEV;
}

int sb_topo_get(sb_topo **out) {
  pthread_once(&the_topo_once, topo_load);
  if (the_topo_err != 0)
    return the_topo_err;
  *out = &the_topo;
  return 0;
}

int sb_topo_cores(const sb_topo *t) {
  return t->ncpus;
}

int sb_topo_pus(const sb_topo *t) {
  return t->ncpus;
}

void sb_topo_summary(const sb_topo *t, char *buf, size_t len) {
  snprintf(buf, len, "%d CPU%s (no hwloc: cores, SMT and caches unknown)",
           t->ncpus, t->ncpus == 1 ? "" : "s");
}

void sb_topo_cpu_model(const sb_topo *t, char *buf, size_t len) {
  (void)t;
  sb__topo_cpuinfo_model(buf, len);
}

/* Binds the calling thread to CPU cpu. Returns 0 or -errno. */
static int bind_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  return -rc;
}

int sb_topo_pin_pu(sb_topo *t, int pu) {
  if (pu < 0 || pu >= t->ncpus)
    return -EINVAL;
  return bind_cpu(t->cpus[pu]);
}

int sb_topo_pu_cpu(const sb_topo *t, int pu) {
  return pu < 0 || pu >= t->ncpus ? -EINVAL : t->cpus[pu];
}

/* The CPU worker index of count gets under policy, among the CPUs the
 * calling thread may use now (a confined process stays confined), or
 * -EINVAL when it may use none of them. */
static int worker_cpu(const sb_topo *t, sb_pin policy, int index, int count) {
  cpu_set_t now;
  int allowed[CPU_SETSIZE], n = 0;
  if (sched_getaffinity(0, sizeof now, &now) != 0)
    return -errno;
  for (int i = 0; i < t->ncpus; i++)
    if (CPU_ISSET(t->cpus[i], &now))
      allowed[n++] = t->cpus[i];
  if (n == 0)
    return -EINVAL;
  if (policy == SB_PIN_SPREAD && count <= n)
    return allowed[(int)((long)index * n / count)];
  return allowed[index % n];
}

int sb_topo_pin_worker(sb_topo *t, sb_pin policy, int index, int count) {
  if (index < 0 || count < 1 || index >= count)
    return -EINVAL;
  if (policy == SB_PIN_NONE)
    return 0;
  int cpu = worker_cpu(t, policy, index, count);
  return cpu < 0 ? cpu : bind_cpu(cpu);
}

int sb_topo_cpu_list(sb_topo *t, sb_pin policy, int count, int *cpus, int cap) {
  if (count < 1 || cap < count)
    return -EINVAL;
  for (int i = 0; i < count; i++)
    if ((cpus[i] = worker_cpu(t, policy, i, count)) < 0)
      return -EINVAL;
  return count;
}

int sb_topo_confine(sb_topo *t, const int *cpus, int n) {
  (void)t;
  cpu_set_t set;
  if (n < 1)
    return -EINVAL;
  CPU_ZERO(&set);
  for (int i = 0; i < n; i++)
    if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE)
      CPU_SET(cpus[i], &set);
  /* pid 0: the calling thread; the threads it creates later inherit it.
   * Threads already running keep theirs (hwloc's CPUBIND_PROCESS moves
   * them too): the minimal build runs no benchmark cells, whose runner
   * is the one caller. */
  return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : -errno;
}
