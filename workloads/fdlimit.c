/* Raising RLIMIT_NOFILE: the soft limit up to the hard one, and the hard one
 * too when the process has CAP_SYS_RESOURCE. */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include "fdlimit.h"

int sb__fd_limit_ensure(size_t need, char *why, size_t len) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    snprintf(why, len, "getrlimit(RLIMIT_NOFILE): errno %d", errno);
    return -errno;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
    return 0;
  if (rl.rlim_cur == RLIM_INFINITY)
    return 0;
  struct rlimit want = rl;
  want.rlim_cur = need;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
    want.rlim_max = need; /* only a privileged process may do this */
  if (setrlimit(RLIMIT_NOFILE, &want) == 0)
    return 0;
  snprintf(why, len,
           "needs %zu open files; RLIMIT_NOFILE is %llu (hard %llu) and "
           "cannot be raised",
           need, (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max);
  return -EMFILE;
}
