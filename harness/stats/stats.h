/* Summary statistics of repeated measurements, computed in one place for
 * the whole harness (a peer's aggregates, the results reader's spreads):
 * mean, sample standard deviation (n - 1, as Google Benchmark computes its
 * aggregates), median, coefficient of variation, minimum and maximum. */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stddef.h>

typedef struct sb_stats {
  size_t n;      /* samples */
  double mean;   /* arithmetic mean */
  double stddev; /* sample standard deviation; 0 for one sample */
  double median; /* the middle sample, or the mean of the middle two */
  double cv;     /* stddev / mean; 0 when the mean is 0 */
  double min;    /* smallest sample */
  double max;    /* largest sample */
} sb_stats;

/* Fills *out from xs[0..n), n >= 1; sorts xs in place. */
void sb_stats_of(double *xs, size_t n, sb_stats *out);

#endif /* SB_STATS_H */
