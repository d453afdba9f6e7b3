/* The calibrated LCG burn: the loop, its affine closed form, and the
 * once-per-process calibration (see lcg.h). */
#include <pthread.h>

#include "lcg.h"
#include "runtimes/core/sb.h"

__attribute__((noinline)) uint64_t sb__lcg_burn(uint64_t x, int64_t iters) {
  for (int64_t i = 0; i < iters; i++)
    x = x * SB_LCG_MUL + SB_LCG_ADD;
  return x;
}

void sb__lcg_affine(int64_t iters, uint64_t *a, uint64_t *c) {
  /* Square-and-multiply over affine maps f(x) = ba*x + bc. All powers of one
   * map commute, so the order of composition does not matter. */
  uint64_t ra = 1, rc = 0, ba = SB_LCG_MUL, bc = SB_LCG_ADD;
  for (uint64_t k = (uint64_t)iters; k != 0; k >>= 1) {
    if (k & 1) {
      rc = ba * rc + bc;
      ra = ba * ra;
    }
    bc = ba * bc + bc;
    ba = ba * ba;
  }
  *a = ra;
  *c = rc;
}

/* The calibrated rate; written once under pthread_once, read after it. */
static double steps_per_ns;
static pthread_once_t calibrated = PTHREAD_ONCE_INIT;
/* Where calibration stores its result so the timed burns stay live. */
static volatile uint64_t calibration_sink;

/* Best of several trials: on a shared machine the fastest trial is the one
 * least disturbed, and the burn must not count other processes' time. */
static void calibrate(void) {
  enum { TRIALS = 7, STEPS = 1 << 21 };
  double best = 0;
  uint64_t x = 1;
  for (int t = 0; t < TRIALS; t++) {
    int64_t t0 = sb_now_ns();
    x = sb__lcg_burn(x, STEPS);
    int64_t dt = sb_now_ns() - t0;
    double rate = (double)STEPS / (double)(dt > 0 ? dt : 1);
    if (rate > best)
      best = rate;
  }
  /* Storing x keeps the compiler from dropping the burn as unused. */
  calibration_sink = x;
  steps_per_ns = best;
}

double sb__lcg_steps_per_ns(void) {
  SB_ASSERT(pthread_once(&calibrated, calibrate) == 0);
  return steps_per_ns;
}

int64_t sb__lcg_iters_for_ns(int64_t ns) {
  double iters = (double)ns * sb__lcg_steps_per_ns() + 0.5;
  return iters < 1 ? 1 : (int64_t)iters;
}
