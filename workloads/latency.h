/* A log-linear histogram of nanosecond latencies that any thread may record
 * into, read once the runs are over: the one definition every side of a
 * comparison uses (workloads/PROTOCOL.md, section 8). echo records its round
 * trips, timers and blocking their lateness. */
#ifndef SB_LATENCY_H
#define SB_LATENCY_H

#include <stdatomic.h>
#include <stdint.h>

#include "workload.h"

/* 2^7 = 128 sub-buckets per power of two (HdrHistogram with 2 significant
 * digits): values below 256 ns are exact, a larger value v lies in bucket
 * 128*s + (v >> s) with s = floor(log2 v) - 7, at most 1/128 (0.78%) below
 * that bucket's highest value. */
#define SB_LAT_SUB_BITS 7
#define SB_LAT_SUB (1u << SB_LAT_SUB_BITS)
/* Buckets for every int64 value: 256 exact ones, then 128 per power of two
 * from 2^8 to 2^62 (s = 1 .. 55). */
#define SB_LAT_BUCKETS ((64 - SB_LAT_SUB_BITS) * SB_LAT_SUB)

typedef struct sb_latency {
  _Atomic uint64_t bucket[SB_LAT_BUCKETS]; /* samples per bucket */
  _Atomic uint64_t count;                  /* samples recorded */
  _Atomic uint64_t sum;                    /* sum of all samples, ns */
  _Atomic int64_t max;                     /* largest sample, ns, exact */
} sb_latency;

/* The counter names one histogram reports under, all string literals so the
 * harness may keep the pointers. */
typedef struct sb_latency_names {
  /* The names of the p50, p90, p99 and p99.9 quantiles, the largest
   * sample, the mean and the sample count. */
  const char *p50, *p90, *p99, *p999, *max, *mean, *samples;
} sb_latency_names;
#define SB_LATENCY_NAMES(prefix)                                               \
  ((sb_latency_names){prefix "p50_ns", prefix "p90_ns", prefix "p99_ns",       \
                      prefix "p999_ns", prefix "max_ns", prefix "mean_ns",     \
                      prefix "samples"})

/* The bucket of v (negative values count as 0), and the highest value of
 * bucket b (b < SB_LAT_BUCKETS): the table of PROTOCOL.md section 8. */
unsigned sb_latency_bucket(int64_t v);
int64_t sb_latency_bucket_high(unsigned b);

/* Empties h (not concurrently with sb_latency_record). */
void sb_latency_reset(sb_latency *h);
/* Records one sample; negative samples count as 0. Any thread, lock-free
 * (three relaxed additions and, for a new maximum, a compare-exchange). */
void sb_latency_record(sb_latency *h, int64_t ns);
/* Returns the q-quantile (0 < q <= 1) in ns: the highest value of the first
 * bucket at which the running count reaches ceil(q * samples) (at least 1),
 * capped at the largest sample; 0 when h is empty. Call only when no thread
 * records any more. */
int64_t sb_latency_quantile(const sb_latency *h, double q);
/* Samples recorded, and their exact mean (0 when empty). */
uint64_t sb_latency_samples(const sb_latency *h);
double sb_latency_mean(const sb_latency *h);
/* Sets the seven counters named by names: p50, p90, p99, p99.9, max, mean,
 * samples. */
void sb_latency_counters(const sb_latency *h, sb_latency_names names,
                         sb_counters *c);

#endif
