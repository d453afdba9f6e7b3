/* The fib workload's serial baseline, for the harness's fib/serial row: the
 * same recursion with no tasks at all. */
#ifndef SB_FIB_H
#define SB_FIB_H

#include <stdint.h>

/* Returns fib(n) (fib(0) = 0, fib(1) = 1, mod 2^64) by plain recursion: the
 * code each fib task runs once k <= cutoff. */
uint64_t sb_fib_serial(int n);

/* Returns the tasks one fib run spawns: T(k) = 0 if k <= cutoff or k < 2,
 * else 2 + T(k-1) + T(k-2). The fib cells' ops. */
int64_t sb_fib_tasks(int n, int cutoff);

#endif
