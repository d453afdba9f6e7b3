/* The Mann-Whitney U test (Wilcoxon rank-sum), two-sided, as SciPy's
 * mannwhitneyu computes it for Google Benchmark's compare.py: the exact
 * distribution for small samples without ties, else the normal
 * approximation with tie and continuity corrections. */
#ifndef SB_MANNWHITNEY_H
#define SB_MANNWHITNEY_H

#include <stddef.h>

/* The significance level compare uses (compare.py's default). */
#define SB_UTEST_ALPHA 0.05
/* Repetitions per side the gated runs use: compare.py's
 * UTEST_OPTIMAL_REPETITIONS. Four per side is the least with which the
 * test can reach SB_UTEST_ALPHA at all (2 / C(8,4) = 0.029), and three
 * cannot (2 / C(6,3) = 0.1), but with four only complete separation is
 * significant. */
#define SB_UTEST_OPTIMAL_REPETITIONS 9

typedef struct sb_utest {
  double u1; /* U statistic of the first sample */
  double p;  /* two-sided p-value */
  int exact; /* 1: p from the exact distribution; 0: normal approximation */
} sb_utest;

/* Tests x against y. Returns 0 and *out, -EINVAL when a sample is empty,
 * or -ENOMEM. */
int sb_mannwhitney(const double *x, size_t nx, const double *y, size_t ny,
                   sb_utest *out);

/* The smallest two-sided p-value samples of these sizes can give (complete
 * separation, exact distribution): when it exceeds alpha no difference can
 * be called significant, whatever the numbers. */
double sb_mannwhitney_min_p(size_t nx, size_t ny);

#endif
