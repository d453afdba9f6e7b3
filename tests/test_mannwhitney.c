/* The Mann-Whitney U test against known values: SciPy's documented example
 * (exact and asymptotic), and values computed by full enumeration. */
#include <errno.h>
#include <math.h>

#include "mannwhitney.h"
#include "test.h"

#define ASSERT_NEAR(a, b, eps)                                                 \
  do {                                                                         \
    double sb_x_ = (a), sb_y_ = (b);                                           \
    if (!(fabs(sb_x_ - sb_y_) <= (eps))) {                                     \
      fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__,         \
              __LINE__, #a, sb_x_, sb_y_);                                     \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* scipy.stats.mannwhitneyu(males, females): U1 = 17, p = 1/9 exactly. */
static void scipy_example(void) {
  const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
  sb_utest u;
  ASSERT_EQ(sb_mannwhitney(males, N(males), females, N(females), &u), 0);
  ASSERT_NEAR(u.u1, 17, 0);
  ASSERT_EQ(u.exact, 1);
  ASSERT_NEAR(u.p, 1.0 / 9.0, 1e-15);
  /* Swapping the samples gives U2 and the same two-sided p. */
  ASSERT_EQ(sb_mannwhitney(females, N(females), males, N(males), &u), 0);
  ASSERT_NEAR(u.u1, 3, 0);
  ASSERT_NEAR(u.p, 1.0 / 9.0, 1e-15);
}

/* Complete separation: p = 2 / C(n1 + n2, n1). */
static void separation(void) {
  const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
  const double c[] = {1, 2, 3, 4, 5}, d[] = {6, 7, 8, 9, 10};
  sb_utest u;
  ASSERT_EQ(sb_mannwhitney(a, 3, b, 3, &u), 0);
  ASSERT_NEAR(u.u1, 0, 0);
  ASSERT_NEAR(u.p, 0.1, 1e-15);
  ASSERT_EQ(sb_mannwhitney(c, 5, d, 5, &u), 0);
  ASSERT_NEAR(u.p, 2.0 / 252.0, 1e-15);
  ASSERT_NEAR(sb_mannwhitney_min_p(5, 5), 2.0 / 252.0, 1e-15);
  ASSERT_NEAR(sb_mannwhitney_min_p(3, 3), 0.1, 1e-15);
  ASSERT_NEAR(sb_mannwhitney_min_p(4, 4), 2.0 / 70.0, 1e-15);
  /* 3 and 4 repetitions can never reach 0.05: 2/35. */
  ASSERT(sb_mannwhitney_min_p(3, 4) > SB_UTEST_ALPHA);
  ASSERT(sb_mannwhitney_min_p(4, 4) < SB_UTEST_ALPHA);
  ASSERT_NEAR(sb_mannwhitney_min_p(1, 9), 0.2, 1e-15);
  ASSERT_NEAR(sb_mannwhitney_min_p(1, 1), 1, 0);
}

/* Eight per side: the normal approximation with continuity correction
 * (reference computed independently: U = 13, p = 0.052029617622225...). */
static void asymptotic(void) {
  const double x[] = {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8};
  const double y[] = {1.5, 2.5, 9, 10, 11, 12, 13, 14};
  sb_utest u;
  ASSERT_EQ(sb_mannwhitney(x, 8, y, 8, &u), 0);
  ASSERT_EQ(u.exact, 0);
  ASSERT_NEAR(u.u1, 13, 0);
  ASSERT_NEAR(u.p, 0.052029617622225216, 1e-12);
}

/* Ties force the normal approximation with the tie correction
 * (reference: U1 = 4.5, p = 0.064146618734404...). */
static void ties(void) {
  const double x[] = {1, 2, 2, 3, 4}, y[] = {2, 3, 5, 6, 7, 7};
  const double same[] = {5, 5, 5, 5, 5};
  sb_utest u;
  ASSERT_EQ(sb_mannwhitney(x, N(x), y, N(y), &u), 0);
  ASSERT_EQ(u.exact, 0);
  ASSERT_NEAR(u.u1, 4.5, 0);
  ASSERT_NEAR(u.p, 0.06414661873440443, 1e-12);
  /* Identical samples: no evidence of a difference at all. */
  ASSERT_EQ(sb_mannwhitney(same, 5, same, 5, &u), 0);
  ASSERT_NEAR(u.p, 1, 0);
}

static void bad_input(void) {
  const double x[] = {1};
  sb_utest u;
  ASSERT_EQ(sb_mannwhitney(x, 0, x, 1, &u), -EINVAL);
  ASSERT_EQ(sb_mannwhitney(x, 1, x, 0, &u), -EINVAL);
}

int main(void) {
  scipy_example();
  separation();
  asymptotic();
  ties();
  bad_input();
  fprintf(stderr, "mannwhitney: 5 cases passed\n");
  return 0;
}
