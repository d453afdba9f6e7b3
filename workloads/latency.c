/* The latency histogram (see latency.h and PROTOCOL.md section 8):
 * log-linear buckets of relaxed atomic counters, the exact sum and maximum. */
#include "latency.h"

unsigned sb_latency_bucket(int64_t v) {
  if (v < (int64_t)(2 * SB_LAT_SUB))
    return v < 0 ? 0u : (unsigned)v;
  /* e = floor(log2 v) >= 8, s = e - 7 >= 1; v >> s is in [128, 256). */
  unsigned e = 63u - (unsigned)__builtin_clzll((uint64_t)v);
  unsigned s = e - SB_LAT_SUB_BITS;
  return SB_LAT_SUB * s + (unsigned)((uint64_t)v >> s);
}

int64_t sb_latency_bucket_high(unsigned b) {
  if (b < 2 * SB_LAT_SUB)
    return (int64_t)b;
  /* b = 128*s + m with m in [128, 256): s = b/128 - 1. */
  unsigned s = b / SB_LAT_SUB - 1;
  uint64_t m = b - SB_LAT_SUB * s;
  return (int64_t)(((m + 1) << s) - 1);
}

void sb_latency_reset(sb_latency *h) {
  for (unsigned b = 0; b < SB_LAT_BUCKETS; b++)
    atomic_init(&h->bucket[b], 0);
  atomic_init(&h->count, 0);
  atomic_init(&h->sum, 0);
  atomic_init(&h->max, 0);
}

void sb_latency_record(sb_latency *h, int64_t ns) {
  if (ns < 0)
    ns = 0;
  /* Relaxed: the counters are independent tallies; they are read only after
   * the recording threads are joined (or the run that recorded is over),
   * and that join orders every increment before the read. */
  atomic_fetch_add_explicit(&h->bucket[sb_latency_bucket(ns)], 1,
                            memory_order_relaxed);
  atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&h->sum, (uint64_t)ns, memory_order_relaxed);
  /* Relaxed for the same reason: max only needs to be atomic, not ordered. */
  int64_t m = atomic_load_explicit(&h->max, memory_order_relaxed);
  while (ns > m &&
         !atomic_compare_exchange_weak_explicit(
             &h->max, &m, ns, memory_order_relaxed, memory_order_relaxed)) {
  }
}

uint64_t sb_latency_samples(const sb_latency *h) {
  return atomic_load(&h->count);
}

double sb_latency_mean(const sb_latency *h) {
  uint64_t n = atomic_load(&h->count);
  return n ? (double)atomic_load(&h->sum) / (double)n : 0.0;
}

int64_t sb_latency_quantile(const sb_latency *h, double q) {
  uint64_t n = atomic_load(&h->count);
  if (n == 0)
    return 0;
  /* rank = ceil(q * n) in double arithmetic, as every side computes it,
   * without libm. */
  double want = q * (double)n;
  uint64_t rank = (uint64_t)want;
  if ((double)rank < want)
    rank++;
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  int64_t max = atomic_load(&h->max);
  uint64_t seen = 0;
  for (unsigned b = 0; b < SB_LAT_BUCKETS; b++) {
    seen += atomic_load(&h->bucket[b]);
    if (seen >= rank) {
      int64_t high = sb_latency_bucket_high(b);
      return high < max ? high : max;
    }
  }
  return max;
}

void sb_latency_counters(const sb_latency *h, sb_latency_names names,
                         sb_counters *c) {
  sb_counter_set(c, names.p50, (double)sb_latency_quantile(h, 0.50));
  sb_counter_set(c, names.p90, (double)sb_latency_quantile(h, 0.90));
  sb_counter_set(c, names.p99, (double)sb_latency_quantile(h, 0.99));
  sb_counter_set(c, names.p999, (double)sb_latency_quantile(h, 0.999));
  sb_counter_set(c, names.max, (double)atomic_load(&h->max));
  sb_counter_set(c, names.mean, sb_latency_mean(h));
  sb_counter_set(c, names.samples, (double)sb_latency_samples(h));
}
