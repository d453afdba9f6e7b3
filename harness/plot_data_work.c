/* The data behind the work pictures: echo against connections, CPU-bound
 * speed-up and grain efficiency (METG), and the two pitfalls (blocking the
 * executor, blocking timers). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face_format.h"
#include "plot_data.h"

/* 1 when c and like have the same parameters, ignoring the values of
 * except and of also (NULL: none). The matrix varies a size with the swept
 * parameter (echo: r with c; grain: n with g), and figures per op compare
 * across sizes. */
static int same_but(const sb_rcell *c, const sb_rcell *like, const char *except,
                    const char *also) {
  if (c->nparams != like->nparams || strcmp(c->workload, like->workload))
    return 0;
  for (size_t i = 0; i < c->nparams; i++) {
    const char *name = c->params[i].name;
    if (strcmp(name, like->params[i].name) != 0)
      return 0;
    if (strcmp(name, except) != 0 && (also == NULL || strcmp(name, also)) &&
        c->params[i].value != like->params[i].value)
      return 0;
  }
  return 1;
}

/* The cell of runtime like like except that except = value, or NULL. */
static const sb_rcell *variant(const sb_results *r, const sb_rcell *like,
                               const char *runtime, const char *except,
                               double value) {
  for (size_t i = 0; like != NULL && i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->runtime, runtime) == 0 && same_but(c, like, except, NULL) &&
        sb_rcell_param(c, except, -1) == value)
      return c;
  }
  return NULL;
}

/* like's parameters without except and also, as "b:64". */
static void params_but(const sb_rcell *like, const char *except,
                       const char *also, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; like != NULL && i < like->nparams && used < len; i++) {
    if (strcmp(like->params[i].name, except) == 0 ||
        (also != NULL && strcmp(like->params[i].name, also) == 0))
      continue;
    int n = snprintf(buf + used, len - used, "%s%s:%.15g", used ? " " : "",
                     like->params[i].name, like->params[i].value);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

static int by_param_c(const void *a, const void *b) {
  double x = sb_rcell_param(*(const sb_rcell *const *)a, "c", 0);
  double y = sb_rcell_param(*(const sb_rcell *const *)b, "c", 0);
  return x < y ? -1 : x > y;
}

/* (3) echo: round trips per second and p99 against connections, a block
 * per runtime. */
int sb__pd_echo(const sb_results *r, const char *dir, char *vars, size_t vlen,
                char *why, size_t len) {
  const sb_rcell *like = sb__pd_common(r, "echo");
  const char *rts[SB_PD_MAX_RT];
  const sb_rcell **row = NULL;
  size_t n = sb__pd_runtimes(r, "echo", rts), blocks = 0;
  int rc;
  if (like == NULL)
    return sb__pd_skip(why, len, "no echo cell in the run");
  if ((row = calloc(r->ncells, sizeof(*row))) == NULL)
    return -ENOMEM;
  FILE *f = sb__pd_open(dir, "echo.dat", &rc);
  if (f == NULL)
    goto cleanup;
  fprintf(f, "# a block per runtime: connections, round trips/s (med lo hi), "
             "p99 round trip in µs (med lo hi)\n");
  for (size_t j = 0; j < n; j++) {
    size_t k = 0;
    for (size_t i = 0; i < r->ncells; i++)
      if (strcmp(r->cells[i].runtime, rts[j]) == 0 &&
          same_but(&r->cells[i], like, "c", "r") &&
          strcmp(r->cells[i].status, "ok") == 0)
        row[k++] = &r->cells[i];
    if (k == 0)
      continue;
    qsort(row, k, sizeof(*row), by_param_c);
    fprintf(f, "%s\"%s\" c tput lo hi p99 lo hi\n", blocks ? "\n\n" : "",
            rts[j]);
    for (size_t i = 0; i < k; i++) {
      fprintf(f, "%.15g", sb_rcell_param(row[i], "c", 0));
      sb__pd_put(f, row[i], "items_per_second", 1);
      sb__pd_put(f, row[i], "p99_ns", 1e-3);
      fputc('\n', f);
    }
    blocks++;
  }
  rc = sb__pd_close(f, 0);
  char pa[96];
  params_but(like, "c", "r", pa, sizeof pa);
  snprintf(vars, vlen, "nblocks=%zu; echo_params='%s'", blocks, pa);
cleanup:
  free(row);
  return rc;
}

/* Speed-up over single of c's key (single median over c's samples). */
static int put_speedup(FILE *f, const sb_rcell *base, const sb_rcell *c) {
  sb_rstat b, s;
  if (base == NULL || c == NULL || sb_rcell_stat(base, "ns_per_op", &b) ||
      sb_rcell_stat(c, "ns_per_op", &s) || s.min <= 0 || s.median <= 0) {
    fputs(" ? ? ?", f);
    return 0;
  }
  fprintf(f, " %.6g %.6g %.6g", b.median / s.median, b.median / s.max,
          b.median / s.min);
  return 1;
}

static int by_param_g(const void *a, const void *b) {
  double x = sb_rcell_param(*(const sb_rcell *const *)a, "g", 0);
  double y = sb_rcell_param(*(const sb_rcell *const *)b, "g", 0);
  return x < y ? -1 : x > y;
}

/* The grain blocks: efficiency against grain (µs), METG in each title. */
static size_t write_grain(const sb_results *r, FILE *f, const sb_rcell **row) {
  const sb_rcell *like = sb__pd_common(r, "grain");
  const char *rts[SB_PD_MAX_RT];
  size_t n = sb__pd_runtimes(r, "grain", rts), blocks = 0;
  for (size_t j = 0; like != NULL && j < n; j++) {
    size_t k = 0;
    for (size_t i = 0; i < r->ncells; i++)
      if (strcmp(r->cells[i].runtime, rts[j]) == 0 &&
          same_but(&r->cells[i], like, "g", "n") &&
          strcmp(r->cells[i].status, "ok") == 0)
        row[k++] = &r->cells[i];
    if (k == 0)
      continue;
    qsort(row, k, sizeof(*row), by_param_g);
    /* METG(50%): the smallest grain measured at 50% efficiency or more. */
    char metg[64] = "METG above the largest grain";
    for (size_t i = 0; i < k; i++) {
      sb_rstat st;
      if (sb_rcell_stat(row[i], "efficiency", &st) == 0 && st.median >= 0.5) {
        char g[32];
        snprintf(metg, sizeof metg, "METG %s",
                 sb__fmt_ns(sb_rcell_param(row[i], "g", 0), g, sizeof g));
        break;
      }
    }
    fprintf(f, "\n\n\"%s, %s\" g eff lo hi\n", rts[j], metg);
    for (size_t i = 0; i < k; i++) {
      fprintf(f, "%.6g", sb_rcell_param(row[i], "g", 0) / 1e3);
      sb__pd_put(f, row[i], "efficiency", 100);
      fputc('\n', f);
    }
    blocks++;
  }
  return blocks;
}

/* (4) CPU-bound: fib and sum speed-up over single, and grain efficiency.
 * cpu.dat holds the speed-up rows, then the grain blocks (index 1...). */
int sb__pd_cpu(const sb_results *r, const char *dir, char *vars, size_t vlen,
               char *why, size_t len) {
  const sb_rcell *fib = sb__pd_common(r, "fib"), *sum = sb__pd_common(r, "sum");
  const char *rts[SB_PD_MAX_RT];
  const sb_rcell **row = NULL;
  size_t n = sb__pd_runtimes(r, fib ? "fib" : "sum", rts), blocks = 0;
  int rc, speedups = 0;
  if (fib == NULL && sum == NULL && sb__pd_common(r, "grain") == NULL)
    return sb__pd_skip(why, len, "no fib, sum or grain cell in the run");
  if ((row = calloc(r->ncells, sizeof(*row))) == NULL)
    return -ENOMEM;
  FILE *f = sb__pd_open(dir, "cpu.dat", &rc);
  if (f == NULL)
    goto cleanup;
  fprintf(f, "# runtime, speed-up over single of fib (med lo hi) and sum "
             "(med lo hi); then a block per runtime: grain µs, efficiency %% "
             "(med lo hi)\n");
  for (size_t j = 0; j < n; j++) {
    /* A join or serial bar is labelled with what it is. */
    char label[64];
    sb__pd_label(r, fib ? "fib" : "sum", rts[j], label, sizeof label);
    fprintf(f, "\"%s\"", label);
    speedups +=
        put_speedup(f, sb_results_find(r, "fib", "single", fib),
                    fib ? sb_results_find(r, "fib", rts[j], fib) : NULL);
    speedups +=
        put_speedup(f, sb_results_find(r, "sum", "single", sum),
                    sum ? sb_results_find(r, "sum", rts[j], sum) : NULL);
    fputc('\n', f);
  }
  if (n == 0)
    fputs("\"none\" ? ? ? ? ? ?\n", f);
  blocks = write_grain(r, f, row);
  rc = sb__pd_close(f, 0);
  if (rc == 0 && speedups == 0 && blocks == 0) {
    rc = sb__pd_skip(why, len,
                     "no fib, sum or grain figure to plot (single, "
                     "the speed-up baseline, may be missing)");
    goto cleanup;
  }
  char pf[96] = "", ps[96] = "";
  if (fib)
    sb_rcell_params_str(fib, pf, sizeof pf);
  if (sum)
    sb_rcell_params_str(sum, ps, sizeof ps);
  snprintf(vars, vlen,
           "have_speedup=%d; nblocks=%zu; fib_params='%s'; "
           "sum_params='%s'",
           speedups > 0, blocks, pf, ps);
cleanup:
  free(row);
  return rc;
}

/* The ok cell of workload with pname == pval whose group (the same other
 * parameters, pname either way) has the most ok cells, so that both halves
 * of the pitfall's pair are there; NULL when there is none. */
static const sb_rcell *pitfall_case(const sb_results *r, const char *workload,
                                    const char *pname, double pval) {
  const sb_rcell *best = NULL;
  size_t best_n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    size_t n = 0;
    if (strcmp(c->workload, workload) != 0 || strcmp(c->status, "ok") != 0 ||
        sb_rcell_param(c, pname, -1) != pval)
      continue;
    for (size_t j = 0; j < r->ncells; j++)
      n += strcmp(r->cells[j].status, "ok") == 0 &&
           same_but(&r->cells[j], c, pname, NULL);
    if (best == NULL || n > best_n)
      best = c, best_n = n;
  }
  return best;
}

/* (5) pitfalls: p99 lateness of probes beside a CPU burn (offload 0/1) and
 * of timers (runtime sleep / blocking sleep), per runtime, in µs. */
int sb__pd_pitfalls(const sb_results *r, const char *dir, char *vars,
                    size_t vlen, char *why, size_t len) {
  /* The parameters of the pitfall's bad case, where the pair exists. */
  const sb_rcell *bl = pitfall_case(r, "blocking", "offload", 0);
  const sb_rcell *tm = pitfall_case(r, "timers", "blocking", 1);
  const char *rts[SB_PD_MAX_RT], *more[SB_PD_MAX_RT];
  size_t n = sb__pd_runtimes(r, "blocking", rts);
  size_t m = sb__pd_runtimes(r, "timers", more);
  int rc, hb = 0, ht = 0;
  if (bl == NULL && tm == NULL)
    return sb__pd_skip(why, len, "no blocking or timers cell in the run");
  for (size_t j = 0; j < m; j++) {
    size_t k = 0;
    while (k < n && strcmp(rts[k], more[j]) != 0)
      k++;
    if (k == n && n < SB_PD_MAX_RT)
      rts[n++] = more[j];
  }
  FILE *f = sb__pd_open(dir, "pitfalls.dat", &rc);
  if (f == NULL)
    return rc;
  fprintf(f, "# runtime, p99 lateness in µs (med lo hi): blocking offload:0, "
             "offload:1, timers blocking:0, blocking:1\n");
  for (size_t j = 0; j < n; j++) {
    fprintf(f, "\"%s\"", rts[j]);
    hb += sb__pd_put(f, variant(r, bl, rts[j], "offload", 0),
                     "probe_late_p99_ns", 1e-3);
    hb += sb__pd_put(f, variant(r, bl, rts[j], "offload", 1),
                     "probe_late_p99_ns", 1e-3);
    ht += sb__pd_put(f, variant(r, tm, rts[j], "blocking", 0), "late_p99_ns",
                     1e-3);
    ht += sb__pd_put(f, variant(r, tm, rts[j], "blocking", 1), "late_p99_ns",
                     1e-3);
    fputc('\n', f);
  }
  rc = sb__pd_close(f, 0);
  if (rc == 0 && hb + ht == 0)
    return sb__pd_skip(why, len,
                       "no lateness figure (late_p99_ns) in the "
                       "blocking or timers cells");
  char pb[96], pt[96];
  params_but(bl, "offload", NULL, pb, sizeof pb);
  params_but(tm, "blocking", NULL, pt, sizeof pt);
  snprintf(vars, vlen,
           "have_blocking=%d; have_timers=%d; "
           "blocking_params='%s'; timers_params='%s'",
           hb > 0, ht > 0, pb, pt);
  return rc;
}
