/* The latency histogram (see latency.h): log-linear buckets of relaxed
 * atomic counters. */
#include "latency.h"

/* Bucket of v: v itself below 2^SUB_BITS, else the power of two e it lies in
 * and its top SUB_BITS bits below the leading one. */
static unsigned bucket_of(uint64_t v) {
  if (v < (1u << SB_LAT_SUB_BITS))
    return (unsigned)v;
  unsigned e = 63u - (unsigned)__builtin_clzll(v);
  unsigned sub =
      (unsigned)(v >> (e - SB_LAT_SUB_BITS)) & ((1u << SB_LAT_SUB_BITS) - 1);
  return ((e - SB_LAT_SUB_BITS + 1) << SB_LAT_SUB_BITS) + sub;
}

/* The largest value that falls in bucket b. */
static uint64_t bucket_upper(unsigned b) {
  if (b < (1u << SB_LAT_SUB_BITS))
    return b;
  unsigned e = (b >> SB_LAT_SUB_BITS) + SB_LAT_SUB_BITS - 1;
  uint64_t sub = b & ((1u << SB_LAT_SUB_BITS) - 1);
  uint64_t width = 1ull << (e - SB_LAT_SUB_BITS);
  return (((1ull << SB_LAT_SUB_BITS) + sub) << (e - SB_LAT_SUB_BITS)) +
         (width - 1);
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
   * the recording threads are joined, and joining orders every increment
   * before the read. */
  atomic_fetch_add_explicit(&h->bucket[bucket_of((uint64_t)ns)], 1,
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

int64_t sb_latency_quantile(const sb_latency *h, double q) {
  uint64_t n = atomic_load(&h->count);
  if (n == 0)
    return 0;
  /* rank = ceil(q * n), without libm. */
  uint64_t rank = (uint64_t)(q * (double)n);
  if ((double)rank < q * (double)n)
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
      uint64_t up = bucket_upper(b);
      return up < (uint64_t)max ? (int64_t)up : max;
    }
  }
  return max;
}

void sb_latency_counters(const sb_latency *h, sb_latency_names names,
                         sb_counters *c) {
  uint64_t n = atomic_load(&h->count);
  sb_counter_set(c, names.p50, (double)sb_latency_quantile(h, 0.50));
  sb_counter_set(c, names.p99, (double)sb_latency_quantile(h, 0.99));
  sb_counter_set(c, names.p999, (double)sb_latency_quantile(h, 0.999));
  sb_counter_set(c, names.max, (double)atomic_load(&h->max));
  sb_counter_set(c, names.mean,
                 n ? (double)atomic_load(&h->sum) / (double)n : 0.0);
  sb_counter_set(c, names.samples, (double)n);
}
