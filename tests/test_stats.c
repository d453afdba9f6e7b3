/* The shared summary statistics (harness/stats/stats.h) against values
 * worked out by hand: odd and even counts, one sample, a zero mean. */
#include "harness/stats/stats.h"
#include "test.h"

static int near(double a, double b) {
  return a - b < 1e-12 && b - a < 1e-12;
}

int main(void) {
  sb_stats st;
  double odd[] = {5, 1, 3};
  sb_stats_of(odd, 3, &st);
  ASSERT_EQ(st.n, 3);
  ASSERT(near(st.mean, 3) && near(st.median, 3));
  ASSERT(near(st.stddev, 2)); /* sqrt(((2)^2 + 0 + (2)^2) / 2) */
  ASSERT(near(st.cv, 2.0 / 3));
  ASSERT(st.min == 1 && st.max == 5);
  ASSERT(odd[0] == 1 && odd[2] == 5); /* sorted in place */
  double even[] = {4, 1, 2, 3};
  sb_stats_of(even, 4, &st);
  ASSERT(near(st.median, 2.5) && near(st.mean, 2.5));
  double one[] = {7};
  sb_stats_of(one, 1, &st);
  ASSERT(near(st.median, 7) && st.stddev == 0 && st.cv == 0);
  double zero[] = {-1, 1};
  sb_stats_of(zero, 2, &st);
  ASSERT(st.mean == 0 && st.cv == 0); /* no cv around a zero mean */
  fprintf(stderr, "stats: 4 cases passed\n");
  return 0;
}
