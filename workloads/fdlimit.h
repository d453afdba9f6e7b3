/* Raising the open-file limit for workloads (echo, ring) and serve mode that
 * hold thousands of descriptors at once. */
#ifndef SB_FDLIMIT_H
#define SB_FDLIMIT_H

#include <stddef.h>

/* Makes sure this process may hold at least need descriptors, raising the
 * soft limit (and the hard one when privileged). Returns 0, or -EMFILE with
 * a one-line reason in why when the limit cannot be raised that far. */
int sb__fd_limit_ensure(size_t need, char *why, size_t len);

#endif
