/* Summary statistics of repeated measurements (stats.h). */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

void sb_stats_of(double *xs, size_t n, sb_stats *out) {
  double sum = 0, sq = 0;
  for (size_t i = 0; i < n; i++)
    sum += xs[i];
  double mean = sum / (double)n;
  for (size_t i = 0; i < n; i++)
    sq += (xs[i] - mean) * (xs[i] - mean);
  qsort(xs, n, sizeof *xs, by_value);
  out->n = n;
  out->mean = mean;
  out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
  out->median = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
  out->cv = mean != 0 ? out->stddev / mean : 0;
  out->min = xs[0];
  out->max = xs[n - 1];
}
