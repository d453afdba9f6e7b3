/* The fib workload's serial baseline, for the harness's fib/serial row: the
 * same recursion with no tasks at all. */
#ifndef SB_FIB_H
#define SB_FIB_H

#include <stdint.h>

/* Returns fib(n) (fib(0) = 0, fib(1) = 1, mod 2^64) by plain recursion: the
 * code each fib task runs once k <= cutoff. */
uint64_t sb_fib_serial(int n);

/* Returns fib(n) by walking the tree a fib run walks, with no runtime: k <=
 * cutoff or k < 2 is sb_fib_serial(k), else tree(k-1) + tree(k-2), each
 * call a real call the compiler cannot fold or merge. The harness's
 * fib/serial row: its time divided by sb_fib_tasks(n, cutoff) is the leaf
 * work (and the calls) a fib task carries, with no spawn and no join. */
uint64_t sb_fib_tree(int n, int cutoff);

/* Returns the tasks one fib run spawns: T(k) = 0 if k <= cutoff or k < 2,
 * else 2 + T(k-1) + T(k-2). The fib cells' ops. */
int64_t sb_fib_tasks(int n, int cutoff);

#endif
