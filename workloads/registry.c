/* The workload registry and parameter lookup. */
#include <string.h>

#include "workload.h"

#define SB_WORKLOAD_ENTRY(name) &sb_workload_##name,
const sb_workload *const sb_workloads[] = {
    SB_WORKLOADS(SB_WORKLOAD_ENTRY) NULL};
#undef SB_WORKLOAD_ENTRY

const sb_workload *sb_workload_find(const char *name) {
  for (const sb_workload *const *w = sb_workloads; *w != NULL; w++)
    if (strcmp((*w)->name, name) == 0)
      return *w;
  return NULL;
}

int64_t sb_param(const sb_params *ps, const char *name, int64_t def) {
  for (int i = 0; i < SB_MAX_PARAMS && ps->p[i].name != NULL; i++)
    if (strcmp(ps->p[i].name, name) == 0)
      return ps->p[i].value;
  return def;
}
