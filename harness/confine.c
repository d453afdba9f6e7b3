/* The CPU list of a cell (PROTOCOL.md 7): the CPUs its workers get under
 * the pinning policy, or with /cpus:N the first N CPUs of the policy's
 * order. The cell records it, the peers get it as --cpus, and a confined
 * cell or peer child runs on it alone. */
#include <errno.h>
#include <stdio.h>

#include "harness.h"
#include "runtimes/os/topo.h"

int sb__cell_workers(const sb_cell *c) {
  if (c->workers > 0)
    return c->workers;
  sb_topo *t = NULL;
  return sb_topo_get(&t) == 0 ? sb_topo_cores(t) : 1;
}

int sb__cell_cpus(const sb_cell *c, sb_pin pin, int *cpus, int cap) {
  if (c->source == SB_SOURCE_FLOOR || (c->cpus_n == 0 && pin == SB_PIN_NONE))
    return 0;
  sb_topo *t = NULL;
  int rc = sb_topo_get(&t);
  if (rc != 0)
    return rc;
  if (c->cpus_n > 0) {
    /* More CPUs than the machine has cannot be had: the cell takes them
     * all, and its list says which. */
    int n = c->cpus_n < sb_topo_pus(t) ? c->cpus_n : sb_topo_pus(t);
    return sb_topo_cpu_list(t, pin == SB_PIN_NONE ? SB_PIN_COMPACT : pin, n,
                            cpus, cap);
  }
  int n = sb__cell_workers(c);
  return sb_topo_cpu_list(t, pin, n < cap ? n : cap, cpus, cap);
}

void sb__cpus_format(const int *cpus, int n, char *buf, size_t len) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && at < len; i++)
    at += (size_t)snprintf(buf + at, len - at, "%s%d", i ? "," : "", cpus[i]);
}

int sb__loadgen_cpu(const sb_cell *c, int workers) {
  sb_topo *t = NULL;
  if (c->cpus_n > 0 || sb_topo_get(&t) != 0)
    return -1;
  int pus = sb_topo_pus(t);
  if (workers <= 0 || workers >= pus)
    return -1;
  int cpu = sb_topo_pu_cpu(t, pus - 1);
  return cpu >= 0 ? cpu : -1;
}
