/* The data behind the work pictures: waiting on I/O against load, CPU-bound
 * speed-up and grain efficiency (METG), and the pitfalls. Each reads the
 * workloads of its role and their headlines, and sweeps the parameter the
 * matrix varies most. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face_format.h"
#include "face_internal.h"
#include "plot_data.h"

/* The scale that prints figure f on a plot axis: µs, bytes, percent. */
static double axis_scale(sb_figure f) {
  return f.unit == SB_FU_NS ? 1e-3 : f.unit == SB_FU_FRACTION ? 100 : 1;
}

/* The unit of figure f on a plot axis. */
static const char *axis_unit(sb_figure f) {
  return f.unit == SB_FU_NS ? "µs" : f.unit == SB_FU_FRACTION ? "%" : "bytes";
}

/* (3) waiting on I/O: throughput and the headline (a tail latency) of the
 * io workload against its swept parameter, a block per runtime. */
int sb__pd_io(const sb_results *r, const char *dir, char *vars, size_t vlen,
              char *why, size_t len) {
  const sb_rcell *ws[SB_PD_MAX_SERIES], *w = NULL;
  size_t nw = sb__role_workloads(r, SB_ROLE_IO, ws, SB_PD_MAX_SERIES);
  /* The io workload read by more than its time per op, if there is one. */
  for (size_t i = 0; i < nw && w == NULL; i++)
    if (!sb__headline_is_ns_per_op(ws[i]))
      w = ws[i];
  const sb_rcell *like = sb__pd_common(r, w    ? w->workload
                                          : nw ? ws[0]->workload
                                               : "");
  const char *rts[SB_PD_MAX_RT];
  const sb_rcell **row = NULL;
  unsigned cov;
  size_t blocks = 0;
  int rc, x;
  if (like == NULL || (x = sb__pd_sweep(r, like, &cov)) < 0)
    return sb__pd_skip(why, len, "no io cell in the run");
  size_t n = sb__pd_runtimes(r, like->workload, rts);
  sb_figure f = sb__headline(like);
  if ((row = calloc(r->ncells, sizeof(*row))) == NULL)
    return -ENOMEM;
  FILE *f_ = sb__pd_open(dir, "io.dat", &rc);
  if (f_ == NULL)
    goto cleanup;
  fprintf(f_, "# a block per runtime: %s, %s/s (med lo hi), %s (med lo hi)\n",
          like->params[x].name, like->unit, f.what);
  for (size_t j = 0; j < n; j++) {
    size_t k = sb__pd_sweep_row(r, like, x, cov, rts[j], row);
    if (k == 0)
      continue;
    fprintf(f_, "%s\"%s\" x tput lo hi head lo hi\n", blocks ? "\n\n" : "",
            rts[j]);
    for (size_t i = 0; i < k; i++) {
      fprintf(f_, "%.15g", row[i]->params[x].value);
      sb__pd_put(f_, row[i], "items_per_second", 1);
      sb__pd_put(f_, row[i], f.key, axis_scale(f));
      fputc('\n', f_);
    }
    blocks++;
  }
  rc = sb__pd_close(f_, 0);
  if (rc == 0 && blocks == 0) {
    rc = sb__pd_skip(why, len, "no ok io cell in the run");
    goto cleanup;
  }
  char title[160];
  sb__pd_title_but(like, x, cov, title, sizeof title);
  snprintf(vars, vlen,
           "nblocks=%zu; io_title='%s'; xparam='%s'; unit='%s'; "
           "head='%s (%s)'",
           blocks, title, like->params[x].name, like->unit, f.what,
           axis_unit(f));
cleanup:
  free(row);
  return rc;
}

/* Speed-up over base (single) of c: base median over c's samples. */
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

/* The efficiency blocks: the cpu workload read by a fraction, against its
 * swept parameter, a block per runtime with its METG (the smallest swept
 * value at 50% or more) in the title. */
static size_t write_grain(const sb_results *r, const sb_rcell *gw, FILE *f,
                          const sb_rcell **row, char *title, size_t tlen) {
  const sb_rcell *like = gw ? sb__pd_common(r, gw->workload) : NULL;
  const char *rts[SB_PD_MAX_RT];
  unsigned cov;
  int x;
  size_t blocks = 0;
  if (like == NULL || (x = sb__pd_sweep(r, like, &cov)) < 0)
    return 0;
  size_t n = sb__pd_runtimes(r, like->workload, rts);
  sb__pd_title_but(like, x, cov, title, tlen);
  for (size_t j = 0; j < n; j++) {
    size_t k = sb__pd_sweep_row(r, like, x, cov, rts[j], row);
    char metg[64];
    if (k == 0)
      continue;
    snprintf(metg, sizeof metg, "METG above the largest %s",
             like->params[x].name);
    for (size_t i = 0; i < k; i++) {
      sb_rstat st;
      if (sb_rcell_stat(row[i], like->headline, &st) == 0 && st.median >= 0.5) {
        snprintf(metg, sizeof metg, "METG %s:%.15g", like->params[x].name,
                 row[i]->params[x].value);
        break;
      }
    }
    fprintf(f, "\n\n\"%s, %s\" x eff lo hi\n", rts[j], metg);
    for (size_t i = 0; i < k; i++) {
      fprintf(f, "%.15g", row[i]->params[x].value);
      sb__pd_put(f, row[i], like->headline, 100);
      fputc('\n', f);
    }
    blocks++;
  }
  return blocks;
}

/* (4) CPU-bound: each cpu workload read by ns per op as a series of
 * speed-ups over single (on its most common parameters), then the
 * efficiency blocks. cpu.dat: index 0 the speed-up rows under a header
 * naming the series, index 1... the efficiency blocks. */
int sb__pd_cpu(const sb_results *r, const char *dir, char *vars, size_t vlen,
               char *why, size_t len) {
  const sb_rcell *ws[SB_PD_MAX_SERIES], *sp[SB_PD_MAX_SERIES], *gw = NULL;
  const sb_rcell *like[SB_PD_MAX_SERIES], **row = NULL;
  const char *rts[SB_PD_MAX_RT];
  size_t nw = sb__role_workloads(r, SB_ROLE_CPU, ws, SB_PD_MAX_SERIES), ns = 0;
  size_t nrt = 0, blocks = 0, rows = 0;
  int rc, speedups = 0;
  for (size_t i = 0; i < nw; i++) {
    if (sb__headline_is_ns_per_op(ws[i]))
      sp[ns++] = ws[i];
    else if (gw == NULL && ws[i]->headline_unit[0] == 'f')
      gw = ws[i]; /* read by a fraction: an efficiency */
  }
  if (ns == 0 && gw == NULL)
    return sb__pd_skip(why, len, "no cpu cell in the run");
  if ((row = calloc(r->ncells, sizeof(*row))) == NULL)
    return -ENOMEM;
  FILE *f = sb__pd_open(dir, "cpu.dat", &rc);
  if (f == NULL)
    goto cleanup;
  fprintf(f, "# runtime, speed-up over single of each series (med lo hi); "
             "then a block per runtime: swept value, efficiency %% (med lo "
             "hi)\n\"runtime\"");
  nrt = sb__pd_series(f, r, sp, ns, 0, like, rts);
  for (size_t j = 0; j < nrt; j++) {
    const sb_rcell *base[SB_PD_MAX_SERIES], *cs[SB_PD_MAX_SERIES];
    const char *labelled = NULL;
    int any = 0;
    for (size_t w = 0; w < ns; w++) {
      base[w] = like[w] ? sb_results_find(r, sp[w]->workload, "single", like[w])
                        : NULL;
      cs[w] =
          like[w] ? sb_results_find(r, sp[w]->workload, rts[j], like[w]) : NULL;
      any |= base[w] != NULL && sb__pd_has(cs[w], "ns_per_op");
      if (labelled == NULL && cs[w] != NULL)
        labelled = sp[w]->workload;
    }
    if (!any)
      continue; /* no figure: the runtime is left out */
    /* A join or serial bar is labelled with what it is. */
    char label[SB_PD_LABEL];
    sb__pd_label(r, labelled, rts[j], label, sizeof label);
    sb__pd_quoted(f, label);
    for (size_t w = 0; w < ns; w++)
      speedups += put_speedup(f, base[w], cs[w]);
    fputc('\n', f);
    rows++;
  }
  if (rows == 0) {
    fputs("\"none\"", f);
    for (size_t w = 0; w < ns; w++)
      fputs(" ? ? ?", f);
    fputc('\n', f);
  }
  char gtitle[160] = "";
  blocks = write_grain(r, gw, f, row, gtitle, sizeof gtitle);
  rc = sb__pd_close(f, 0);
  if (rc == 0 && speedups == 0 && blocks == 0) {
    rc = sb__pd_skip(why, len,
                     "no cpu figure to plot (single, the speed-up baseline, "
                     "may be missing)");
    goto cleanup;
  }
  snprintf(vars, vlen,
           "have_speedup=%d; nseries=%zu; nblocks=%zu; grain_title='%s'; "
           "xparam='%s'",
           speedups > 0, ns, blocks, gtitle,
           gw && gw->nparams ? gw->params[gw->nparams - 1].name : "");
cleanup:
  free(row);
  return rc;
}

/* The ok cell of w's workload with sw == val whose group (the same other
 * parameters, sw either way) has the most ok cells, so that both halves of
 * the pitfall's pair are there; NULL when there is none. */
static const sb_rcell *pitfall_case(const sb_results *r, const sb_rcell *w,
                                    const char *sw, double val) {
  const sb_rcell *best = NULL;
  size_t best_n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    size_t n = 0;
    if (strcmp(c->workload, w->workload) != 0 || strcmp(c->status, "ok") != 0 ||
        sb_rcell_param(c, sw, -1) != val)
      continue;
    for (size_t j = 0; j < r->ncells; j++) {
      const sb_rcell *o = &r->cells[j];
      int other = 1;
      if (strcmp(o->status, "ok") != 0 || !sb__pd_same_names(o, c))
        continue;
      for (size_t p = 0; p < c->nparams; p++)
        other &= strcmp(c->params[p].name, sw) == 0 ||
                 c->params[p].value == o->params[p].value;
      n += other;
    }
    if (best == NULL || n > best_n)
      best = c, best_n = n;
  }
  return best;
}

/* The cell of runtime like like but with sw == val, or NULL. */
static const sb_rcell *variant(const sb_results *r, const sb_rcell *like,
                               const char *runtime, const char *sw,
                               double val) {
  for (size_t i = 0; like != NULL && i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    int same = strcmp(c->runtime, runtime) == 0 && sb__pd_same_names(c, like) &&
               sb_rcell_param(c, sw, -1) == val;
    for (size_t p = 0; same && p < c->nparams; p++)
      same = strcmp(c->params[p].name, sw) == 0 ||
             c->params[p].value == like->params[p].value;
    if (same)
      return c;
  }
  return NULL;
}

/* (5) the pitfalls: a panel (a block of pitfalls.dat) per pitfall
 * workload, a row per runtime that has a figure, its headline with the
 * switch at 0 and at 1. */
int sb__pd_pitfalls(const sb_results *r, const char *dir, char *vars,
                    size_t vlen, char *why, size_t len) {
  const sb_rcell *ws[SB_PD_MAX_SERIES];
  size_t nw = sb__role_workloads(r, SB_ROLE_PITFALL, ws, SB_PD_MAX_SERIES);
  size_t panels = 0, used = 0;
  int rc;
  if (nw == 0)
    return sb__pd_skip(why, len, "no pitfall cell in the run");
  FILE *f = sb__pd_open(dir, "pitfalls.dat", &rc);
  if (f == NULL)
    return rc;
  fprintf(f, "# a block per pitfall: runtime, its headline with the switch "
             "at 0 and at 1 (med lo hi each)\n");
  for (size_t w = 0; w < nw && panels < 4; w++) {
    const char *sw = sb__toggle_param(r, ws[w]), *rts[SB_PD_MAX_RT];
    const sb_rcell *like = sw ? pitfall_case(r, ws[w], sw, 0) : NULL;
    if (like == NULL && sw != NULL)
      like = pitfall_case(r, ws[w], sw, 1);
    if (like == NULL)
      continue;
    sb_figure fig = sb__headline(like);
    size_t n = sb__pd_runtimes(r, like->workload, rts), rows = 0;
    for (size_t j = 0; j < n; j++) {
      const sb_rcell *c0 = variant(r, like, rts[j], sw, 0);
      const sb_rcell *c1 = variant(r, like, rts[j], sw, 1);
      if (!sb__pd_has(c0, fig.key) && !sb__pd_has(c1, fig.key))
        continue; /* no data: left out, not an empty slot */
      if (rows++ == 0)
        fputs(panels ? "\n\n" : "", f);
      sb__pd_quoted(f, rts[j]);
      sb__pd_put(f, c0, fig.key, axis_scale(fig));
      sb__pd_put(f, c1, fig.key, axis_scale(fig));
      fputc('\n', f);
    }
    if (rows == 0)
      continue;
    /* The panel's title: the workload and its parameters but the switch. */
    char title[160];
    int at = -1;
    for (size_t p = 0; p < like->nparams; p++)
      if (strcmp(like->params[p].name, sw) == 0)
        at = (int)p;
    sb__pd_title_but(like, at, 0, title, sizeof title);
    panels++;
    used += (size_t)snprintf(vars + used, used < vlen ? vlen - used : 0,
                             "title%zu='%s'; sw%zu='%s'; what%zu='%s (%s)'; ",
                             panels, title, panels, sw, panels, fig.what,
                             axis_unit(fig));
  }
  rc = sb__pd_close(f, 0);
  if (rc == 0 && panels == 0)
    return sb__pd_skip(why, len,
                       "no figure in the pitfall cells (both cases of the "
                       "0/1 switch on a runtime)");
  if (used < vlen)
    snprintf(vars + used, vlen - used, "npanels=%zu", panels);
  return rc;
}
