/* The machine a run measured: CPU model, cores and hwloc topology, kernel,
 * compiler, hypervisor. Recorded in every result file's context. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "harness.h"
#include "results_schema.h"
#include "runtimes/os/topo.h"
#include "version.h"

/* The hypervisor, from CPUID: the "hypervisor present" bit and the vendor
 * signature at leaf 0x40000000. */
static void virtualization(char *buf, size_t len) {
  snprintf(buf, len, "unknown");
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return;
  if (!(c & (1u << 31))) {
    snprintf(buf, len, "none");
    return;
  }
  char sig[13] = {0};
  __cpuid(0x40000000, a, b, c, d);
  memcpy(sig, &b, 4);
  memcpy(sig + 4, &c, 4);
  memcpy(sig + 8, &d, 4);
  static const struct {
    const char *sig;  /* CPUID vendor signature */
    const char *name; /* what we call it */
  } vendors[] = {{"KVMKVMKVM", "kvm"},         {"Microsoft Hv", "hyperv"},
                 {"VMwareVMware", "vmware"},   {"XenVMMXenVMM", "xen"},
                 {"TCGTCGTCGTCG", "qemu"},     {"ACRNACRNACRN", "acrn"},
                 {" lrpepyh  vr", "parallels"}};
  for (size_t i = 0; i < sizeof vendors / sizeof vendors[0]; i++) {
    if (strcmp(sig, vendors[i].sig) == 0) {
      snprintf(buf, len, "%s", vendors[i].name);
      return;
    }
  }
  snprintf(buf, len, "other");
#endif
}

void sb__machine_get(sb_machine *m) {
  memset(m, 0, sizeof *m);
  if (gethostname(m->host, sizeof m->host - 1) != 0)
    snprintf(m->host, sizeof m->host, "unknown");
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  /* ISO 8601 as Google Benchmark writes it: +00:00, not +0000. */
  char zone[8] = "";
  strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime(zone, sizeof zone, "%z", &tm);
  if (strlen(zone) == 5)
    snprintf(m->date + strlen(m->date), sizeof m->date - strlen(m->date),
             "%.3s:%.2s", zone, zone + 3);
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  m->num_cpus = online > 0 ? (int)online : 1;
  cpu_set_t allowed;
  m->cpus_allowed = sched_getaffinity(0, sizeof allowed, &allowed) == 0
                        ? CPU_COUNT(&allowed)
                        : m->num_cpus;
  sb_topo *t = NULL;
  if (sb_topo_get(&t) == 0) {
    sb_topo_cpu_model(t, m->cpu_model, sizeof m->cpu_model);
    sb_topo_summary(t, m->topology, sizeof m->topology);
    m->cores = sb_topo_cores(t);
    m->pus = sb_topo_pus(t);
  } else {
    snprintf(m->cpu_model, sizeof m->cpu_model, "unknown");
    snprintf(m->topology, sizeof m->topology, "unknown (hwloc failed)");
    m->cores = m->pus = m->num_cpus;
  }
  struct utsname u;
  if (uname(&u) == 0)
    snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release,
             u.machine);
  else
    snprintf(m->kernel, sizeof m->kernel, "unknown");
#if defined(__clang__)
  snprintf(m->compiler, sizeof m->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
  snprintf(m->compiler, sizeof m->compiler, "gcc %s", __VERSION__);
#else
  snprintf(m->compiler, sizeof m->compiler, "unknown");
#endif
  virtualization(m->virt, sizeof m->virt);
}

void sb__machine_add_context(const sb_machine *m, const char *pin) {
  char num[32];
  sb_gb_add_context("switchbench_git_commit", sb_version_commit());
  sb_gb_add_context("switchbench_cpu_model", m->cpu_model);
  snprintf(num, sizeof num, "%d", m->cores);
  sb_gb_add_context("switchbench_cores", num);
  snprintf(num, sizeof num, "%d", m->pus);
  sb_gb_add_context("switchbench_pus", num);
  snprintf(num, sizeof num, "%d", m->cpus_allowed);
  sb_gb_add_context("switchbench_cpus_allowed", num);
  sb_gb_add_context("switchbench_topology", m->topology);
  sb_gb_add_context("switchbench_kernel", m->kernel);
  sb_gb_add_context("switchbench_compiler", m->compiler);
  sb_gb_add_context("switchbench_virtualization", m->virt);
  sb_gb_add_context("switchbench_pin", pin);
}

json_t *sb__machine_json(const sb_machine *m) {
  return json_pack("{s:i, s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:s, s:s}",
                   "schema", SB_RESULTS_SCHEMA, "git_commit",
                   sb_version_commit(), "cpu_model", m->cpu_model, "cores",
                   m->cores, "pus", m->pus, "cpus_allowed", m->cpus_allowed,
                   "topology", m->topology, "kernel", m->kernel, "compiler",
                   m->compiler, "virtualization", m->virt);
}
