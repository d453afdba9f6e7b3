/* The version (from the project) and the commit (sb_commit.h, written by
 * harness/commit.cmake only when the commit changes, so this is the one
 * file a commit recompiles). */
#include "version.h"

#include "sb_commit.h"

#ifndef SB_VERSION
#define SB_VERSION "unknown"
#endif

const char *sb_version(void) {
  return SB_VERSION;
}

const char *sb_version_commit(void) {
  return SB_GIT_COMMIT;
}
