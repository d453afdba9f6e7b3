/* The calibrated CPU burn shared by grain and blocking: a chain of LCG steps
 * (each depends on the last, so none overlap), its closed form for checksums,
 * and a once-per-process calibration of steps per nanosecond. */
#ifndef SB_LCG_H
#define SB_LCG_H

#include <stdint.h>

/* Knuth's MMIX constants; the README's checksums name them. */
#define SB_LCG_MUL 6364136223846793005ull
#define SB_LCG_ADD 1442695040888963407ull

/* Runs iters steps x = x*MUL + ADD from x and returns the result. This is the
 * burn itself; it is never inlined, so calibration times the same code. */
uint64_t sb__lcg_burn(uint64_t x, int64_t iters);

/* Returns A and C such that iters steps from any x give A*x + C (mod 2^64),
 * computed in O(log iters): checksums without redoing the burn. */
void sb__lcg_affine(int64_t iters, uint64_t *a, uint64_t *c);

/* Returns the number of steps that burn ns nanoseconds of CPU here (at least
 * 1). The rate is measured once per process (best of several trials) and then
 * reused, so every runtime in one run burns the same steps for the same ns. */
int64_t sb__lcg_iters_for_ns(int64_t ns);

/* Returns the calibrated rate, steps per nanosecond. */
double sb__lcg_steps_per_ns(void);

#endif
