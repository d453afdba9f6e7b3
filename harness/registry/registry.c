/* The runtime registry: every runtime named in SB_RUNTIMES, found by name. */
#include <string.h>

#include "registry.h"

#define SB_RUNTIME_ENTRY(name) &sb_runtime_##name,
const sb_runtime_ops *const sb_runtimes[] = {SB_RUNTIMES(SB_RUNTIME_ENTRY)
                                                 NULL};
#undef SB_RUNTIME_ENTRY

const sb_runtime_ops *sb_runtime_find(const char *name) {
  for (const sb_runtime_ops *const *r = sb_runtimes; *r != NULL; r++)
    if (strcmp((*r)->name, name) == 0)
      return *r;
  return NULL;
}
