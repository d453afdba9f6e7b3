/* A log-linear histogram of nanosecond latencies that any thread may record
 * into, read once the runs are over. Used by timers and blocking; H7: echo may
 * use it too (sb_latency_record per round trip, then in counters():
 * sb_latency_counters(h, SB_LATENCY_NAMES(""), c) gives p50_ns, p99_ns ...). */
#ifndef SB_LATENCY_H
#define SB_LATENCY_H

#include <stdatomic.h>
#include <stdint.h>

#include "workload.h"

/* 2^5 sub-buckets per power of two: a reported percentile is the upper edge
 * of its bucket, at most 1/32 (3.1%) above the true sample. Values below 32 ns
 * are exact. */
#define SB_LAT_SUB_BITS 5
#define SB_LAT_BUCKETS ((64 - SB_LAT_SUB_BITS + 1) << SB_LAT_SUB_BITS)

typedef struct sb_latency {
  _Atomic uint64_t bucket[SB_LAT_BUCKETS]; /* samples per bucket */
  _Atomic uint64_t count;                  /* samples recorded */
  _Atomic uint64_t sum;                    /* sum of all samples, ns */
  _Atomic int64_t max;                     /* largest sample, ns */
} sb_latency;

/* The counter names one histogram reports under, all string literals so the
 * harness may keep the pointers. */
typedef struct sb_latency_names {
  /* The names of the p50, p99 and p99.9 quantiles, the largest sample, the
   * mean and the sample count. */
  const char *p50, *p99, *p999, *max, *mean, *samples;
} sb_latency_names;
#define SB_LATENCY_NAMES(prefix)                                               \
  ((sb_latency_names){prefix "p50_ns", prefix "p99_ns", prefix "p999_ns",      \
                      prefix "max_ns", prefix "mean_ns", prefix "samples"})

/* Empties h (not concurrently with sb_latency_record). */
void sb_latency_reset(sb_latency *h);
/* Records one sample; negative samples count as 0. Any thread, lock-free. */
void sb_latency_record(sb_latency *h, int64_t ns);
/* Returns the q-quantile (0 < q <= 1) in ns: the upper edge of the bucket
 * holding it, capped at the largest sample; 0 when h is empty. Call only
 * when no thread records any more. */
int64_t sb_latency_quantile(const sb_latency *h, double q);
/* Sets the six counters named by names: p50, p99, p99.9, max, mean, count. */
void sb_latency_counters(const sb_latency *h, sb_latency_names names,
                         sb_counters *c);

#endif
