/* The runtime registry: every runtime by name. It sits above both runtime
 * folders (runtimes/, threads/), which know nothing of each other; the
 * harness and the tests find a runtime here. A new runtime costs one line
 * in SB_RUNTIMES, its folder, and a link in registry/CMakeLists.txt. */
#ifndef SB_REGISTRY_H
#define SB_REGISTRY_H

#include "runtimes/core/sb.h"

#define SB_RUNTIMES(XX) XX(threads) XX(pool) XX(single) XX(steal) XX(fiber)

#define SB_REGISTRY_DECLARE(name) SB_RUNTIME_DECLARE(name);
SB_RUNTIMES(SB_REGISTRY_DECLARE)
#undef SB_REGISTRY_DECLARE

/* The registered runtimes, NULL-terminated, in registry order. */
extern const sb_runtime_ops *const sb_runtimes[];
/* Returns the runtime called name, or NULL. */
const sb_runtime_ops *sb_runtime_find(const char *name);

#endif /* SB_REGISTRY_H */
