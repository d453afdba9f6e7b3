/* The sweep a picture draws against: the parameter the matrix varies most
 * for a workload (echo's connections, grain's grain), the parameters that
 * follow it, and the cells along it per runtime. Read from the cells'
 * parameters, never from a workload's name. */
#include <string.h>

#include "plot_data.h"

/* Most parameters a sweep looks at. */
#define MAX_P 16

/* 1 when c has like's parameter names in like's order. */
int sb__pd_same_names(const sb_rcell *c, const sb_rcell *like) {
  if (strcmp(c->workload, like->workload) != 0 || c->nparams != like->nparams)
    return 0;
  for (size_t i = 0; i < c->nparams; i++)
    if (strcmp(c->params[i].name, like->params[i].name) != 0)
      return 0;
  return 1;
}

/* Distinct values of parameter p over the cells of like's workload. */
static size_t distinct(const sb_results *r, const sb_rcell *like, size_t p) {
  size_t n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    int seen = 0;
    if (!sb__pd_same_names(c, like))
      continue;
    for (size_t j = 0; j < i && !seen; j++)
      seen = sb__pd_same_names(&r->cells[j], like) &&
             r->cells[j].params[p].value == c->params[p].value;
    n += !seen;
  }
  return n;
}

/* 1 when parameter p takes one value for each value of parameter x. */
static int follows(const sb_results *r, const sb_rcell *like, size_t p,
                   size_t x) {
  for (size_t i = 0; i < r->ncells; i++)
    for (size_t j = 0; j < i; j++) {
      const sb_rcell *a = &r->cells[i], *b = &r->cells[j];
      if (sb__pd_same_names(a, like) && sb__pd_same_names(b, like) &&
          a->params[x].value == b->params[x].value &&
          a->params[p].value != b->params[p].value)
        return 0;
    }
  return 1;
}

/* The swept parameter of like's workload: the one with the most distinct
 * values (the first on ties). *cov gets the parameters that follow it (the
 * matrix shrinks a size as it grows the swept one: echo's rounds with
 * connections, grain's task count with the grain). Returns its index, or
 * -1 when like has no parameter. */
int sb__pd_sweep(const sb_results *r, const sb_rcell *like, unsigned *cov) {
  size_t best = 0, most = 0, n = like->nparams < MAX_P ? like->nparams : MAX_P;
  *cov = 0;
  if (n == 0)
    return -1;
  for (size_t p = 0; p < n; p++) {
    size_t d = distinct(r, like, p);
    if (d > most)
      best = p, most = d;
  }
  for (size_t p = 0; p < n; p++)
    if (p != best && distinct(r, like, p) > 1 && follows(r, like, p, best))
      *cov |= 1u << p;
  return (int)best;
}

/* 1 when c is like but for parameter x and those in cov. */
int sb__pd_same_but(const sb_rcell *c, const sb_rcell *like, int x,
                    unsigned cov) {
  if (!sb__pd_same_names(c, like))
    return 0;
  for (size_t i = 0; i < c->nparams; i++)
    if ((int)i != x && !(i < MAX_P && (cov >> i & 1)) &&
        c->params[i].value != like->params[i].value)
      return 0;
  return 1;
}

/* like's workload and parameters without x and cov: "echo b:64". */
void sb__pd_title_but(const sb_rcell *like, int x, unsigned cov, char *buf,
                      size_t len) {
  size_t used = (size_t)snprintf(buf, len, "%s", like->workload);
  for (size_t i = 0; i < like->nparams && used < len; i++) {
    if ((int)i == x || (i < MAX_P && (cov >> i & 1)))
      continue;
    int n = snprintf(buf + used, len - used, " %s:%.15g", like->params[i].name,
                     like->params[i].value);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

/* The ok cells of runtime like like but for x and cov, sorted by x, into
 * row (room for every cell). Returns how many. */
size_t sb__pd_sweep_row(const sb_results *r, const sb_rcell *like, int x,
                        unsigned cov, const char *runtime,
                        const sb_rcell **row) {
  size_t k = 0;
  for (size_t i = 0; i < r->ncells; i++)
    if (strcmp(r->cells[i].runtime, runtime) == 0 &&
        strcmp(r->cells[i].status, "ok") == 0 &&
        sb__pd_same_but(&r->cells[i], like, x, cov))
      row[k++] = &r->cells[i];
  /* Insertion sort by x: a row is a handful of cells. */
  for (size_t i = 1; i < k; i++)
    for (size_t j = i;
         j > 0 && row[j - 1]->params[x].value > row[j]->params[x].value; j--) {
      const sb_rcell *t = row[j];
      row[j] = row[j - 1];
      row[j - 1] = t;
    }
  return k;
}
