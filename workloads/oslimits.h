/* What the process costs and what stops the OS from making more threads:
 * its context switches (getrusage), RSS and virtual size from
 * /proc/self/statm, and an explanation of a failed thread creation from
 * the kernel's limits. Used by the runner, million and the harness. */
#ifndef SB_OSLIMITS_H
#define SB_OSLIMITS_H

#include <stddef.h>
#include <stdint.h>

/* Voluntary + involuntary context switches of the whole process so far
 * (getrusage RUSAGE_SELF); 0 if it cannot be read. */
uint64_t sb__ctx_switches(void);

/* Reads /proc/self/statm. Returns 0 with the virtual size (VmSize) and the
 * resident set (VmRSS) in bytes, or -errno. */
int sb__statm(int64_t *vm_bytes, int64_t *rss_bytes);

/* Writes into buf one line naming the limit that most likely refused the
 * thread after `made` threads were created (err = the spawn's -errno), with
 * the figures it read: threads in this process and on the system, memory
 * maps against vm.max_map_count, kernel.pid_max, kernel.threads-max,
 * RLIMIT_NPROC, RLIMIT_AS and MemAvailable. Call it while the threads are
 * alive. */
void sb__thread_limit_explain(int err, int64_t made, char *buf, size_t len);

#endif
