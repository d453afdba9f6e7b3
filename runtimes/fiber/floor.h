/* The kernel-floor rows of the user-space switch (harness/floor.c): two
 * contexts on one thread hand the turn back and forth, through our switch
 * or through swapcontext(3), which makes a system call per switch (it saves
 * and restores the signal mask). No runtime is involved. */
#ifndef SB_FIBER_FLOOR_H
#define SB_FIBER_FLOOR_H

#include <stdint.h>

/* Runs n round trips (2n switches) between the caller and a second context
 * on this thread, with sb__fiber_switch (ucontext 0) or with swapcontext
 * (ucontext 1). Returns 0 and the elapsed time in *ns, or -errno (no memory
 * for the second context's stack). */
int sb__fiber_floor(int ucontext, int64_t n, int64_t *ns);

#endif
