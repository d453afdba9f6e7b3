/* The two-sided Mann-Whitney U test over two samples of repetitions, with
 * the method choice SciPy makes by default ('auto'): exact when both samples
 * are smaller than 8 and nothing ties, else normal with corrections. */
#include "mannwhitney.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Below this size (both samples) and without ties, p is exact. */
#define EXACT_BELOW 8
#define MAX_U ((EXACT_BELOW - 1) * (EXACT_BELOW - 1))

/* One observation: its value and which sample it came from. */
typedef struct obs {
  double v; /* the value */
  int from; /* 0: x, 1: y */
} obs;

static int by_v(const void *a, const void *b) {
  double x = ((const obs *)a)->v, y = ((const obs *)b)->v;
  return x < y ? -1 : x > y;
}

/* Number of orderings of m x's and n y's whose U (pairs x > y) is at least
 * u, and the total, by the recurrence f(m, n, k) = f(m-1, n, k-n) +
 * f(m, n-1, k): the largest value is an x (beating all n y's) or a y. */
static void exact_tail(size_t m, size_t n, size_t u, double *tail,
                       double *total) {
  static const size_t K = MAX_U + 1;
  double f[EXACT_BELOW][EXACT_BELOW][MAX_U + 1] = {{{0}}};
  for (size_t i = 0; i <= m; i++)
    for (size_t j = 0; j <= n; j++)
      for (size_t k = 0; k < K; k++) {
        if (i == 0 || j == 0) {
          f[i][j][k] = k == 0;
          continue;
        }
        f[i][j][k] = (k >= j ? f[i - 1][j][k - j] : 0) + f[i][j - 1][k];
      }
  *tail = *total = 0;
  for (size_t k = 0; k <= m * n; k++) {
    *total += f[m][n][k];
    if (k >= u)
      *tail += f[m][n][k];
  }
}

int sb_mannwhitney(const double *x, size_t nx, const double *y, size_t ny,
                   sb_utest *out) {
  size_t n = nx + ny;
  obs *all = NULL;
  int rc = -EINVAL;

  if (nx == 0 || ny == 0)
    goto cleanup;
  rc = -ENOMEM;
  if ((all = malloc(n * sizeof(*all))) == NULL)
    goto cleanup;
  for (size_t i = 0; i < nx; i++)
    all[i] = (obs){.v = x[i], .from = 0};
  for (size_t i = 0; i < ny; i++)
    all[nx + i] = (obs){.v = y[i], .from = 1};
  qsort(all, n, sizeof(*all), by_v);

  /* Ranks from 1, ties get the average of their ranks; tie_term is the sum
   * of t^3 - t over groups of t tied values. */
  double rank_x = 0, tie_term = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && all[j].v == all[i].v)
      j++;
    double t = (double)(j - i), avg = ((double)i + 1 + (double)j) / 2;
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; k++)
      if (all[k].from == 0)
        rank_x += avg;
    i = j;
  }
  double fx = (double)nx, fy = (double)ny, fn = (double)n;
  double u1 = rank_x - fx * (fx + 1) / 2, u2 = fx * fy - u1;
  double u = u1 > u2 ? u1 : u2;
  out->u1 = u1;
  if (nx < EXACT_BELOW && ny < EXACT_BELOW && tie_term == 0) {
    double tail, total;
    exact_tail(nx, ny, (size_t)u, &tail, &total);
    out->p = 2 * tail / total;
    out->exact = 1;
  } else {
    double mu = fx * fy / 2;
    double var = fx * fy / 12 * ((fn + 1) - tie_term / (fn * (fn - 1)));
    double z = var > 0 ? (u - mu - 0.5) / sqrt(var) : 0;
    out->p = var > 0 ? erfc(z / sqrt(2.0)) : 1;
    out->exact = 0;
  }
  if (out->p > 1)
    out->p = 1;
  rc = 0;
cleanup:
  free(all);
  return rc;
}

double sb_mannwhitney_min_p(size_t nx, size_t ny) {
  /* 2 / C(nx + ny, nx): only the two complete separations are as extreme. */
  double c = 1;
  if (nx == 0 || ny == 0)
    return 1;
  for (size_t i = 1; i <= nx; i++)
    c = c * (double)(ny + i) / (double)i;
  return c > 2 ? 2 / c : 1;
}
