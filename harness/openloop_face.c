/* The open-loop answer (PROTOCOL.md 6a): per runtime, the highest offered
 * rate whose p99 stays within the objective (that rate and every lower one
 * within it), for the summary and the report; and the data of the plot of
 * p50/p99/p99.9 against offered load, one line per runtime. Open-loop cells
 * are found by their `rate` parameter, never by a workload's name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face_internal.h"
#include "openloop_face.h"
#include "plot_data.h"

/* The entry a cell's figures come from: the median aggregate, or the one
 * repetition; NULL when it has neither. */
static const sb_rentry *figures(const sb_rcell *c) {
  return c->median != NULL ? c->median : c->nreps > 0 ? c->reps[0] : NULL;
}

/* c's figure key, or -1 when absent. */
static double value(const sb_rcell *c, const char *key) {
  const sb_rentry *e = figures(c);
  const double *v = e != NULL ? sb_rentry_value(e, key) : NULL;
  return v != NULL ? *v : -1;
}

/* 1 when some repetition of c says its generator could not keep up. */
static int generator_limited(const sb_rcell *c) {
  for (size_t i = 0; i < c->nreps; i++) {
    const double *v = sb_rentry_value(c->reps[i], "generator_limited");
    if (v != NULL && *v > 0)
      return 1;
  }
  return 0;
}

static int is_open(const sb_rcell *c) {
  return strcmp(c->status, "ok") == 0 && sb_rcell_param(c, "rate", 0) > 0 &&
         figures(c) != NULL;
}

static int by_rate(const void *a, const void *b) {
  double x = sb_rcell_param(*(const sb_rcell *const *)a, "rate", 0),
         y = sb_rcell_param(*(const sb_rcell *const *)b, "rate", 0);
  return (x > y) - (x < y);
}

/* Room for a series' name: "single http:1". */
#define SERIES_LEN 96
/* Most parameters that tell series apart. */
#define MAX_VARY 8

/* The parameters, other than rate and r, whose value (0 where a cell does
 * not name it) differs between open-loop cells: they, with the runtime,
 * make a series (echo and HTTP on one runtime are two lines). */
typedef struct vary {
  const char *names[MAX_VARY];
  size_t n;
} vary;

/* Adds parameter nm to v when its values in a and b differ. */
static void vary_note(vary *v, const char *nm, const sb_rcell *a,
                      const sb_rcell *b) {
  if (strcmp(nm, "rate") == 0 || strcmp(nm, "r") == 0 ||
      sb_rcell_param(a, nm, 0) == sb_rcell_param(b, nm, 0))
    return;
  for (size_t j = 0; j < v->n; j++)
    if (strcmp(v->names[j], nm) == 0)
      return;
  if (v->n < MAX_VARY)
    v->names[v->n++] = nm;
}

static void vary_find(const sb_results *r, vary *v) {
  v->n = 0;
  const sb_rcell *first = NULL;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (!is_open(c))
      continue;
    if (first == NULL)
      first = c;
    /* Each parameter either names, against the first open cell. */
    for (size_t p = 0; p < c->nparams; p++)
      vary_note(v, c->params[p].name, first, c);
    for (size_t p = 0; p < first->nparams; p++)
      vary_note(v, first->params[p].name, first, c);
  }
}

/* c's series: its runtime, then " name:value" for each varying parameter
 * it has at a value other than 0. */
static void series_of(const sb_rcell *c, const vary *v, char *buf,
                      size_t len) {
  size_t at = (size_t)snprintf(buf, len, "%s", c->runtime);
  for (size_t i = 0; i < v->n && at < len; i++) {
    double x = sb_rcell_param(c, v->names[i], 0);
    if (x != 0)
      at += (size_t)snprintf(buf + at, len - at, " %s:%.15g", v->names[i], x);
  }
}

/* The open-loop cells of series key, sorted by rate, into row (room for
 * every cell of r). Returns how many. */
static size_t row_of(const sb_results *r, const vary *v, const char *key,
                     const sb_rcell **row) {
  size_t k = 0;
  char name[SERIES_LEN];
  for (size_t i = 0; i < r->ncells; i++) {
    if (!is_open(&r->cells[i]))
      continue;
    series_of(&r->cells[i], v, name, sizeof name);
    if (strcmp(name, key) == 0)
      row[k++] = &r->cells[i];
  }
  qsort(row, k, sizeof *row, by_rate);
  return k;
}

/* The series with open-loop cells, in file order (room for SB_PD_MAX_RT).
 * Returns how many. */
static size_t series(const sb_results *r, const vary *v,
                     char (*keys)[SERIES_LEN]) {
  size_t n = 0;
  char name[SERIES_LEN];
  for (size_t i = 0; i < r->ncells; i++) {
    if (!is_open(&r->cells[i]))
      continue;
    series_of(&r->cells[i], v, name, sizeof name);
    size_t j = 0;
    while (j < n && strcmp(keys[j], name) != 0)
      j++;
    if (j == n && n < SB_PD_MAX_RT)
      snprintf(keys[n++], SERIES_LEN, "%s", name);
  }
  return n;
}

int sb__openloop_answer(const sb_results *r, double objective_ns, FILE *out,
                        int md) {
  char rts[SB_PD_MAX_RT][SERIES_LEN];
  vary v;
  vary_find(r, &v);
  size_t nrt = series(r, &v, rts);
  if (nrt == 0)
    return 0;
  const sb_rcell **row = malloc((r->ncells + 1) * sizeof *row);
  if (row == NULL)
    return -ENOMEM;
  char obj[32], a[32], b[32], p[32];
  sb__fmt_ns(objective_ns, obj, sizeof obj);
  fprintf(out,
          md ? "## Open loop: the highest offered rate with p99 within %s\n\n"
             : "Open loop (PROTOCOL.md 6a): the highest offered rate whose "
               "p99 (from the intended send time) stays within %s\n",
          obj);
  if (md)
    fprintf(out, "| runtime | max rate within objective | p99 there | "
                 "achieved there | first rate over | its p99 |\n"
                 "|---|---|---|---|---|---|\n");
  double limit_ns = -1; /* the bound the cells say they were held to */
  int limited_any = 0;
  for (size_t i = 0; i < nrt; i++) {
    size_t n = row_of(r, &v, rts[i], row), ok = 0;
    while (ok < n && value(row[ok], "p99_ns") >= 0 &&
           value(row[ok], "p99_ns") <= objective_ns)
      ok++;
    int limited = 0;
    for (size_t k = 0; k < n; k++)
      if (generator_limited(row[k])) {
        limited = limited_any = 1;
        limit_ns = value(row[k], "pacing_limit_ns");
      }
    char best[48] = "none", over[48] = "-", over99[32] = "-";
    snprintf(a, sizeof a, "-");
    snprintf(b, sizeof b, "-");
    if (ok > 0) {
      snprintf(best, sizeof best, "%.0f/s",
               sb_rcell_param(row[ok - 1], "rate", 0));
      sb__fmt_ns(value(row[ok - 1], "p99_ns"), a, sizeof a);
      snprintf(b, sizeof b, "%.0f/s", value(row[ok - 1], "achieved_rps"));
    }
    if (ok < n) {
      snprintf(over, sizeof over, "%.0f/s", sb_rcell_param(row[ok], "rate", 0));
      sb__fmt_ns(value(row[ok], "p99_ns"), over99, sizeof over99);
    }
    if (ok == n && n > 0)
      snprintf(over, sizeof over, "none swept");
    snprintf(p, sizeof p, "%s", limited ? " (generator-limited)" : "");
    fprintf(out,
            md ? "| %s%s | %s | %s | %s | %s | %s |\n"
               : "  %-14s%s max %s (p99 %s, achieved %s); next: %s (p99 "
                 "%s)\n",
            rts[i], p, best, a, b, over, over99);
  }
  if (limited_any) {
    char lim[32] = "its bound";
    if (limit_ns > 0)
      sb__fmt_ns(limit_ns, lim, sizeof lim);
    fprintf(out,
            "%sgenerator-limited: in some cell of that runtime the "
            "generator's pacing error p99 exceeded %s: the generator, not "
            "the server, was the limit there, and its latencies include that "
            "lateness.\n",
            md ? "\n" : "  ", lim);
  }
  fputc('\n', out);
  free(row);
  return 0;
}

int sb__pd_openloop(const sb_results *r, const char *dir, char *vars,
                    size_t vlen, char *why, size_t len) {
  char rts[SB_PD_MAX_RT][SERIES_LEN];
  vary v;
  vary_find(r, &v);
  size_t nrt = series(r, &v, rts);
  if (nrt == 0)
    return sb__pd_skip(why, len, "no open-loop cells (no rate parameter)");
  const sb_rcell **row = malloc((r->ncells + 1) * sizeof *row);
  if (row == NULL)
    return -ENOMEM;
  int rc = 0;
  FILE *f = sb__pd_open(dir, "openloop.dat", &rc);
  if (f == NULL) {
    free(row);
    return rc;
  }
  /* One gnuplot data block per runtime: offered rate, p50, p99, p99.9 in
   * µs, blocks two blank lines apart (index i is runtime i). */
  for (size_t i = 0; i < nrt; i++) {
    fprintf(f, "# %s\n", rts[i]);
    size_t n = row_of(r, &v, rts[i], row);
    for (size_t k = 0; k < n; k++)
      fprintf(f, "%.0f %.3f %.3f %.3f\n", sb_rcell_param(row[k], "rate", 0),
              value(row[k], "p50_ns") / 1e3, value(row[k], "p99_ns") / 1e3,
              value(row[k], "p999_ns") / 1e3);
    fprintf(f, "\n\n");
  }
  free(row);
  size_t used = (size_t)snprintf(vars, vlen, "nrt=%zu; ", nrt);
  for (size_t i = 0; i < nrt && used < vlen; i++)
    used += (size_t)snprintf(vars + used, vlen - used, "rt%zu='%s'; ", i + 1,
                             rts[i]);
  return sb__pd_close(f, 0);
}
