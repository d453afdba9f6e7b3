/* The machine's topology and thread pinning, through hwloc (topo.c), or,
 * in the SB_MINIMAL build, from the CPUs the process may use (topo_flat.c:
 * every CPU a core of its own). */
#ifndef SB_TOPO_H
#define SB_TOPO_H

#include <stddef.h>

#include "runtimes/core/sb.h"

typedef struct sb_topo sb_topo;

/* Loads the topology of this machine (process-wide, shared, loaded once).
 * Returns 0 and *out, or -errno. */
int sb_topo_get(sb_topo **out);
int sb_topo_cores(const sb_topo *t); /* physical cores */
int sb_topo_pus(const sb_topo *t);   /* processing units (hw threads) */
/* A one-line summary: "1 package, 2 cores, 2 PUs, L3 32 MiB". */
void sb_topo_summary(const sb_topo *t, char *buf, size_t len);
/* The CPU model name (from hwloc's CPUModel info, else /proc/cpuinfo). */
void sb_topo_cpu_model(const sb_topo *t, char *buf, size_t len);

/* Binds the calling thread to the PU chosen for worker `index` of `count`
 * under policy (NONE: no-op). Returns 0 or -errno. */
int sb_topo_pin_worker(sb_topo *t, sb_pin policy, int index, int count);
/* Writes into cpus[0..count) the OS index of the CPU (PU) worker i of
 * count gets under policy, in worker order (NONE gives the COMPACT order:
 * the first CPUs, one core's PUs before the next), always among the CPUs
 * the calling thread may use now (a confined process stays confined;
 * sb_topo_pin_worker follows the same rule). This is the list the
 * harness hands to the peers (`--cpus`) and records in each cell. Returns
 * count, or -EINVAL (count < 1, cap < count, or hwloc failed). */
int sb_topo_cpu_list(sb_topo *t, sb_pin policy, int count, int *cpus, int cap);
/* Confines every thread of the calling process, present and future, to the
 * CPUs (OS indices) cpus[0..n). Returns 0 or -errno. */
int sb_topo_confine(sb_topo *t, const int *cpus, int n);
/* Binds the calling thread to PU number pu (logical index). 0 or -errno. */
int sb_topo_pin_pu(sb_topo *t, int pu);
/* The OS number (as sched_setaffinity counts CPUs) of PU number pu (logical
 * index), or -EINVAL when there is no such PU. */
int sb_topo_pu_cpu(const sb_topo *t, int pu);
/* Returns a policy name: "none", "compact", "spread"; and parses one (0 or
 * -EINVAL). */
const char *sb_pin_name(sb_pin p);
int sb_pin_parse(const char *s, sb_pin *out);
/* The "model name" of /proc/cpuinfo into buf, else "unknown" (internal to
 * the topologies). */
void sb__topo_cpuinfo_model(char *buf, size_t len);

#endif
