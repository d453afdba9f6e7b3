/* Cells of files written before cells declared their headline (RESULTS.md,
 * "Older files"): what they are read by, and their role as the workloads
 * declare it now (timers and blocking were "io" and "cpu" then, fib was
 * "spawn"). Frozen: a workload added since records its own headline, so it
 * never needs a line here. Part of the reader, not of the face. */
#include <string.h>

#include "results_arena.h"
#include "results_read.h"

/* One workload as it was before headlines were recorded. */
typedef struct legacy {
  const char *workload;      /* its name */
  const char *kind;          /* its role now */
  const char *headline;      /* the counter it was read by */
  const char *headline_unit; /* ns, bytes or fraction */
} legacy;

static const legacy before_headlines[] = {
    {"floor", "switch", "ns_per_op", "ns"},
    {"pingpong", "switch", "ns_per_op", "ns"},
    {"yield", "switch", "ns_per_op", "ns"},
    {"ring", "switch", "ns_per_op", "ns"},
    {"workqueue", "switch", "ns_per_op", "ns"},
    {"spawn", "spawn", "ns_per_op", "ns"},
    {"fib", "cpu", "ns_per_op", "ns"},
    {"sum", "cpu", "ns_per_op", "ns"},
    {"grain", "cpu", "efficiency", "fraction"},
    {"echo", "io", "p99_ns", "ns"},
    {"files", "io", "ns_per_op", "ns"},
    {"timers", "pitfall", "late_p99_ns", "ns"},
    {"blocking", "pitfall", "probe_late_p99_ns", "ns"},
    {"million", "memory", "rss_per_task_bytes", "bytes"},
};

void sb__results_legacy(sb_rcell *c) {
  if (c->headline[0] != '\0') {
    /* A file that records the headline: only a missing unit defaults. */
    if (c->headline_unit[0] == '\0')
      c->headline_unit = "ns";
    return;
  }
  c->headline = "ns_per_op";
  c->headline_unit = "ns";
  for (size_t i = 0; i < sizeof before_headlines / sizeof *before_headlines;
       i++) {
    const legacy *l = &before_headlines[i];
    if (strcmp(l->workload, c->workload) == 0) {
      c->kind = (char *)l->kind;
      c->headline = (char *)l->headline;
      c->headline_unit = (char *)l->headline_unit;
      return;
    }
  }
}
