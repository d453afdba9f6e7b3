/* The claims' shared judgement: which side a runtime stands on, the cells
 * a claim picks, a ratio judged across repetitions (the U test compare
 * uses, and the spread of every pair), and the verdict's words. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "claims_internal.h"
#include "mannwhitney.h"

/* The stackful user-space runtime: a green thread per task. */
#define SB_GREEN_RUNTIME "fiber"

sb_side sb__cl_side(const sb_rcell *c) {
  if (sb_rcell_is_floor(c) || strcmp(c->source, "switchbench") != 0 ||
      strcmp(c->primitive, "serial") == 0)
    return SB_SIDE_NONE;
  if (strcmp(c->runtime, SB_GREEN_RUNTIME) == 0)
    return SB_SIDE_GREEN;
  return sb_runtime_is_thread(c->runtime) ? SB_SIDE_OS : SB_SIDE_EXEC;
}

const sb_rcell *sb__cl_pick(const sb_results *r, const sb_rcell *like,
                            const char *runtime, const char *pname, double pval,
                            const sb_rcell *same, const char *key,
                            sb_rstat *st) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; like != NULL && i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat s;
    if (strcmp(c->workload, like->workload) != 0 ||
        strcmp(c->runtime, runtime) != 0 || c->cpus_limit > 0 ||
        !sb_rcell_spawn_join(c) ||
        (pname != NULL && sb_rcell_param(c, pname, NAN) != pval) ||
        (same != NULL && !sb_rcell_same_params(c, same)) ||
        sb_rcell_stat(c, key, &s) != 0)
      continue;
    if (best == NULL || sb__size_of(c) > sb__size_of(best))
      best = c, *st = s;
  }
  return best;
}

const sb_rcell *sb__cl_best(const sb_results *r, const sb_rcell *like,
                            sb_side side, const char *pname, double pval,
                            const sb_rcell *same, const char *key, sb_rstat *st,
                            int larger) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; like != NULL && i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    size_t j = 0;
    if (strcmp(c->workload, like->workload) != 0 || sb__cl_side(c) != side)
      continue;
    /* Each runtime once: its first cell stands for it. */
    while (j < i && (strcmp(r->cells[j].workload, c->workload) != 0 ||
                     strcmp(r->cells[j].runtime, c->runtime) != 0))
      j++;
    if (j < i)
      continue;
    sb_rstat s;
    const sb_rcell *x =
        sb__cl_pick(r, like, c->runtime, pname, pval, same, key, &s);
    if (x != NULL && (best == NULL ||
                      (larger ? s.median > st->median : s.median < st->median)))
      best = x, *st = s;
  }
  return best;
}

/* key's repetitions of c, scaled by k, into a new array; *n its length. */
static double *samples(const sb_rcell *c, const char *key, double k,
                       size_t *n) {
  double *xs = malloc((c->nreps ? c->nreps : 1) * sizeof(*xs));
  *n = 0;
  if (xs == NULL)
    return NULL;
  *n = sb_rcell_samples(c, key, xs, c->nreps);
  for (size_t i = 0; i < *n; i++)
    xs[i] *= k;
  return xs;
}

static double quot(double a, double b) {
  return b > 0 ? a / b : a > 0 ? INFINITY : 1;
}

/* Why noise cannot flip a verdict: a side is decided only by the extremes
 * (above: min a / max b > t; below: max a / min b < t). Take a second run
 * whose repetitions fall within the first run's range, cell by cell. If
 * the first decided above, min1 a > t max1 b; the second's min a >= min1 a
 * and max b <= max1 b, so its max a / min b >= min a / max b > t: it
 * cannot decide below. The U test only adds that there are enough
 * repetitions to call a difference at all. */
void sb__cl_ratio(const sb_rcell *a, const sb_rcell *b, const char *key,
                  double t, sb_ratio *q) {
  sb_rstat sa, sbb;
  *q = (sb_ratio){.p = -1, .why = "a cell has no such figure"};
  if (a == NULL || b == NULL || sb_rcell_stat(a, key, &sa) != 0 ||
      sb_rcell_stat(b, key, &sbb) != 0)
    return;
  q->have = 1;
  q->ratio = quot(sa.median, sbb.median);
  q->lo = quot(sa.min, sbb.max);
  q->hi = quot(sa.max, sbb.min);
  double *xa = samples(a, key, 1, &q->na), *xb = samples(b, key, t, &q->nb);
  sb_utest u;
  q->why = "too few repetitions to tell";
  if (xa == NULL || xb == NULL ||
      sb_mannwhitney_min_p(q->na, q->nb) > SB_UTEST_ALPHA ||
      sb_mannwhitney(xa, q->na, xb, q->nb, &u) != 0)
    goto cleanup;
  q->p = u.p;
  q->why = "the repetitions overlap the threshold";
  if (u.p < SB_UTEST_ALPHA && q->lo > t)
    q->side = 1;
  else if (u.p < SB_UTEST_ALPHA && q->hi < t)
    q->side = -1;
cleanup:
  free(xa);
  free(xb);
}

void sb__cl_level(const sb_rcell *a, const char *key, double t, sb_ratio *q) {
  sb_rstat s;
  *q = (sb_ratio){.p = -1, .why = "the cell has no such figure"};
  if (a == NULL || sb_rcell_stat(a, key, &s) != 0)
    return;
  q->have = 1;
  q->ratio = s.median / t;
  q->lo = s.min / t;
  q->hi = s.max / t;
  q->na = s.n;
  /* One-sided sign test: every repetition on one side by chance. */
  q->p = pow(0.5, (double)s.n);
  q->why = "too few repetitions to tell";
  if (q->p >= SB_UTEST_ALPHA)
    return;
  q->why = "the repetitions straddle the threshold";
  q->side = q->lo > 1 ? 1 : q->hi < 1 ? -1 : 0;
}

void sb__cl_ev(sb_claim *c, const sb_rcell *cell, const char *key) {
  if (cell == NULL)
    return;
  for (size_t i = 0; i < c->nev; i++)
    if (c->ev[i].cell == cell && strcmp(c->ev[i].key, key) == 0)
      return;
  if (c->nev == SB_CLAIM_MAXEV)
    return;
  sb_evidence *e = &c->ev[c->nev];
  if (sb_rcell_stat(cell, key, &e->st) != 0)
    return;
  e->cell = cell;
  e->key = key;
  e->unit = strcmp(key, cell->headline) == 0 ? cell->headline_unit
            : strstr(key, "bytes") != NULL   ? "bytes"
                                             : "ns";
  c->nev++;
}

void sb__cl_headline(sb_claim *c, const sb_ratio *q, const char *what) {
  c->have_ratio = q->have;
  c->ratio = *q;
  sb__cl_say(c->ratio_what, sizeof c->ratio_what, "%s", what);
}

char *sb__cl_fmt_ratio(const sb_ratio *q, char *buf, size_t len) {
  char m[32], lo[32], hi[32];
  if (!q->have) {
    snprintf(buf, len, "-");
    return buf;
  }
  sb__fmt_ratio(q->ratio, m, sizeof m);
  sb__fmt_ratio(q->lo, lo, sizeof lo);
  sb__fmt_ratio(q->hi, hi, sizeof hi);
  if (q->p >= 0)
    snprintf(buf, len, "%s (%s to %s over the repetitions, p %.2g)", m, lo, hi,
             q->p);
  else
    snprintf(buf, len, "%s (%s to %s over the repetitions)", m, lo, hi);
  return buf;
}

const char *sb__cl_decider(const sb_ratio *q) {
  if (!q->have)
    return "a run with these cells";
  if (q->side == 0 && q->p < 0)
    return "more repetitions (--repetitions 5 or more)";
  return "more repetitions, pinning (--pin) and a quieter machine, to "
         "narrow the spread";
}

void sb__cl_say(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

void sb__cl_add(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  size_t used = strlen(buf);
  if (used >= len)
    return;
  va_start(ap, fmt);
  vsnprintf(buf + used, len - used, fmt, ap);
  va_end(ap);
}

void sb__cl_verdict(sb_claim *c, sb_claim_state s, const char *fmt, ...) {
  va_list ap;
  c->state = s;
  va_start(ap, fmt);
  vsnprintf(c->verdict, sizeof c->verdict, fmt, ap);
  va_end(ap);
}

void sb__cl_decide(sb_claim *c, const sb_ratio *q, const char *yes,
                   const char *no) {
  if (q->side != 0) {
    sb__cl_verdict(c, q->side > 0 ? SB_CLAIM_HOLDS : SB_CLAIM_NOT, "%s",
                   q->side > 0 ? yes : no);
    return;
  }
  sb__cl_verdict(c, SB_CLAIM_UNDECIDED, "undecided on this run: %s", q->why);
  sb__cl_say(c->decide, sizeof c->decide, "%s", sb__cl_decider(q));
}

sb_claim_state sb__cl_combine(int yes, int no, int und) {
  if (und > 0)
    return SB_CLAIM_UNDECIDED;
  if (yes > 0 && no > 0)
    return SB_CLAIM_PARTLY;
  return yes > 0 ? SB_CLAIM_HOLDS : no > 0 ? SB_CLAIM_NOT : SB_CLAIM_UNMEASURED;
}

void sb__cl_floor(const sb_results *r, sb_claim *c) {
  const sb_rcell *same = NULL, *cross = NULL;
  sb_rstat a = {0}, b = {0};
  char x[32], y[32];
  /* The futex ping-pong: the cheapest kernel hand-off, no runtime. */
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *f = &r->cells[i];
    if (!sb_rcell_is_floor(f) || strcmp(f->runtime, "futex") != 0)
      continue;
    if (strstr(f->name, "same-core") && sb_rcell_stat(f, "ns_per_op", &a) == 0)
      same = f;
    if (strstr(f->name, "cross-core") && sb_rcell_stat(f, "ns_per_op", &b) == 0)
      cross = f;
  }
  if (same == NULL && cross == NULL)
    return;
  sb__cl_ev(c, same, "ns_per_op");
  sb__cl_ev(c, cross, "ns_per_op");
  sb__cl_say(c->floor, sizeof c->floor,
             "the kernel's floor (futex ping-pong, no runtime): %s same-core, "
             "%s cross-core",
             same ? sb__fmt_ns(a.median, x, sizeof x) : "-",
             cross ? sb__fmt_ns(b.median, y, sizeof y) : "-");
}
