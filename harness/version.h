/* The suite's version and the commit it was built from (generated at build
 * time by harness/commit.cmake, "-dirty" when the tree differed). */
#ifndef SB_VERSION_H
#define SB_VERSION_H

/* "0.1.0" */
const char *sb_version(void);
/* "abc123def456", "abc123def456-dirty", or "unknown" outside git. */
const char *sb_version_commit(void);

#endif
