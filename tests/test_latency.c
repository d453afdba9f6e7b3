/* The latency histogram against the table of PROTOCOL.md section 8 (the same
 * table the Rust and Go histograms are tested on), its quantile rule, exact
 * max and mean, and recording from several threads at once. */
#include <pthread.h>

#include "run_check.h" /* counters read by name */
#include "test.h"
#include "workloads/latency.h"

static sb_latency *hist_new(void) {
  sb_latency *h = malloc(sizeof(*h));
  ASSERT(h != NULL);
  sb_latency_reset(h);
  return h;
}

/* PROTOCOL.md section 8: value, its bucket, the bucket's highest value. */
static void test_table(const sb_runtime_ops *ops) {
  (void)ops;
  static const struct {
    int64_t v;
    unsigned bucket;
    int64_t high;
  } rows[] = {
      {0, 0, 0},
      {255, 255, 255},
      {256, 256, 257},
      {257, 256, 257},
      {258, 257, 259},
      {1000, 506, 1003},
      {1000000, 1780, 1003519},
      {INT64_C(1) << 40, 4352, INT64_C(1108101562367)},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    ASSERT_EQ(sb_latency_bucket(rows[i].v), rows[i].bucket);
    ASSERT_EQ(sb_latency_bucket_high(rows[i].bucket), rows[i].high);
  }
  ASSERT_EQ(sb_latency_bucket(-5), 0); /* negative counts as 0 */
  ASSERT_EQ(sb_latency_bucket(INT64_MAX), SB_LAT_BUCKETS - 1);
  ASSERT_EQ(sb_latency_bucket_high(SB_LAT_BUCKETS - 1), INT64_MAX);
  /* Every bucket's highest value lies in it, and the next value in the
   * next bucket: the buckets tile the values with no gap. */
  for (unsigned b = 0; b + 1 < SB_LAT_BUCKETS; b++) {
    int64_t high = sb_latency_bucket_high(b);
    ASSERT_EQ(sb_latency_bucket(high), b);
    ASSERT_EQ(sb_latency_bucket(high + 1), b + 1);
  }
}

/* The samples 1..1000, each once. */
static void test_quantiles(const sb_runtime_ops *ops) {
  (void)ops;
  sb_latency *h = hist_new();
  ASSERT_EQ(sb_latency_quantile(h, 0.5), 0); /* empty */
  for (int64_t v = 1; v <= 1000; v++)
    sb_latency_record(h, v);
  ASSERT_EQ(sb_latency_quantile(h, 0.50), 501);
  ASSERT_EQ(sb_latency_quantile(h, 0.90), 903);
  ASSERT_EQ(sb_latency_quantile(h, 0.99), 991);
  ASSERT_EQ(sb_latency_quantile(h, 0.999), 999);
  ASSERT_EQ(sb_latency_quantile(h, 1.0), 1000); /* capped at the max */
  ASSERT_EQ(sb_latency_quantile(h, 0.0001), 1); /* rank at least 1 */
  sb_counters c = {.n = 0};
  sb_latency_counters(h, SB_LATENCY_NAMES("x_"), &c);
  ASSERT_EQ(counter(&c, "x_p50_ns"), 501);
  ASSERT_EQ(counter(&c, "x_p90_ns"), 903);
  ASSERT_EQ(counter(&c, "x_p99_ns"), 991);
  ASSERT_EQ(counter(&c, "x_p999_ns"), 999);
  ASSERT_EQ(counter(&c, "x_max_ns"), 1000);
  ASSERT(counter(&c, "x_mean_ns") == 500.5);
  ASSERT_EQ(counter(&c, "x_samples"), 1000);
  ASSERT_EQ(c.n, 7);
  /* A reset forgets everything. */
  sb_latency_reset(h);
  ASSERT_EQ(sb_latency_samples(h), 0);
  ASSERT_EQ(sb_latency_quantile(h, 0.99), 0);
  ASSERT(sb_latency_mean(h) == 0.0);
  sb_latency_record(h, -7);
  ASSERT_EQ(sb_latency_quantile(h, 1.0), 0);
  free(h);
}

/* The cap: a quantile never exceeds the largest sample although its
 * bucket's highest value does. */
static void test_cap(const sb_runtime_ops *ops) {
  (void)ops;
  sb_latency *h = hist_new();
  sb_latency_record(h, 1000000); /* bucket high 1003519 */
  ASSERT_EQ(sb_latency_quantile(h, 0.5), 1000000);
  sb_latency_record(h, 1000001);
  ASSERT_EQ(sb_latency_quantile(h, 0.5), 1000001);
  free(h);
}

#define THREADS 4
#define PER_THREAD 20000

static void *recorder(void *arg) {
  sb_latency *h = arg;
  for (int64_t v = 1; v <= PER_THREAD; v++)
    sb_latency_record(h, v * 37);
  return NULL;
}

/* Lock-free recording from several threads loses nothing. */
static void test_threads(const sb_runtime_ops *ops) {
  (void)ops;
  sb_latency *h = hist_new();
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++)
    ASSERT_EQ(pthread_create(&th[i], NULL, recorder, h), 0);
  for (int i = 0; i < THREADS; i++)
    ASSERT_EQ(pthread_join(th[i], NULL), 0);
  ASSERT_EQ(sb_latency_samples(h), THREADS * PER_THREAD);
  ASSERT_EQ(sb_latency_quantile(h, 1.0), 37 * PER_THREAD);
  ASSERT(sb_latency_mean(h) == 37.0 * (PER_THREAD + 1) / 2.0);
  free(h);
}

static const sb_test_case cases[] = {
    {"table", test_table},
    {"quantiles", test_quantiles},
    {"cap", test_cap},
    {"threads", test_threads},
};

SB_TEST_MAIN(cases)
