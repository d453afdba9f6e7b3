/* The workload registry: every workload named in SB_WORKLOADS, by name. */
#include <string.h>

#include "workload.h"

#define SB_WORKLOAD_ENTRY(name) &sb_workload_##name,
const sb_workload *const sb_workloads[] = {SB_WORKLOADS(SB_WORKLOAD_ENTRY)
                                               NULL};
#undef SB_WORKLOAD_ENTRY

const sb_workload *sb_workload_find(const char *name) {
  for (const sb_workload *const *w = sb_workloads; *w != NULL; w++)
    if (strcmp((*w)->name, name) == 0)
      return *w;
  return NULL;
}
