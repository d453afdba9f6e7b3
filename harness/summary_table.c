/* The summary's table per question: a row per cell whose figure is per
 * spawned task (or the workload's unit), then, apart and labelled, the
 * cells of another primitive (rayon's join and scope.spawn, the serial
 * rows), never in the same column. fib rows also show the serial row of
 * their language and what the runtime adds to it. Headlines follow. */
#include <math.h>
#include <string.h>

#include "face.h"
#include "face_format.h"
#include "face_internal.h"

static void status_col(const sb_rcell *c, char *buf, size_t len) {
  if (strcmp(c->status, "ok") == 0)
    snprintf(buf, len, "%zu", c->nreps);
  else
    snprintf(buf, len, "%s", c->status);
}

int sb__summary_head(sb_table *t, const char *figure, const char *workload,
                     sb_row_spec spec) {
  sb_figure xf = sb__extra_figure(workload);
  const char *head[9];
  size_t n = 0;
  head[n++] = "cell";
  if (spec.primitive)
    head[n++] = "primitive";
  head[n++] = figure;
  head[n++] = "cv";
  head[n++] = "OS ctx sw/op";
  if (spec.extra && xf.key != NULL)
    head[n++] = xf.what;
  if (spec.serial) {
    head[n++] = "serial row";
    head[n++] = "minus serial";
  }
  head[n++] = "reps";
  return sb__table_init(t, n, head);
}

int sb__summary_row(sb_table *t, const sb_results *r, const sb_rcell *c,
                    sb_row_spec spec, int *single) {
  char cols[9][96];
  const char *row[9];
  size_t n = 0;
  sb_rstat st, ctx, ex, se;
  sb_figure xf = sb__extra_figure(c->workload);
  const sb_rcell *serial = spec.serial ? sb_results_serial(r, c) : NULL;
  int have = sb_rcell_stat(c, "ns_per_op", &st) == 0;
  for (int i = 0; i < 9; i++) {
    strcpy(cols[i], "-");
    row[i] = cols[i];
  }
  row[n++] = c->name;
  if (spec.primitive)
    row[n++] = sb_primitive_what(c->primitive);
  if (have) {
    /* Another primitive's figure says what it is per. */
    const char *unit = sb_primitive_unit(c->primitive);
    sb__fmt_ns(st.median, cols[n], 48);
    if (spec.primitive && unit != NULL)
      snprintf(cols[n] + strlen(cols[n]), 96 - strlen(cols[n]), " per %s",
               unit);
    if (st.single) {
      strcat(cols[n], " *");
      *single = 1;
    }
    if (st.cv >= 0)
      snprintf(cols[n + 1], 96, "%.1f%%", st.cv * 100);
  }
  n += 2;
  if (sb_rcell_stat(c, "ctx_switches_per_op", &ctx) == 0)
    snprintf(cols[n], 96, "%.3g", ctx.median);
  n++;
  if (spec.extra && xf.key != NULL) {
    if (sb_rcell_stat(c, xf.key, &ex) == 0)
      sb__fmt_figure(xf, ex.median, cols[n], 96);
    n++;
  }
  if (spec.serial) {
    /* The leaf work of the same language, and what the runtime adds. */
    if (serial != NULL && serial != c &&
        sb_rcell_stat(serial, "ns_per_op", &se) == 0) {
      snprintf(cols[n], 96, "%s ", serial->runtime);
      sb__fmt_ns(se.median, cols[n] + strlen(cols[n]), 96 - strlen(cols[n]));
      if (have) {
        char d[48];
        sb__fmt_ns(fabs(st.median - se.median), d, sizeof d);
        snprintf(cols[n + 1], 96, "%s%s", st.median < se.median ? "-" : "", d);
      }
    }
    n += 2;
  }
  status_col(c, cols[n], 96);
  n++;
  return sb__table_add(t, row);
}

/* Why the cells of workload that are not ok gave no number. */
static void reasons(const sb_results *r, const char *workload, FILE *out,
                    int md) {
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->workload, workload) == 0 && strcmp(c->status, "ok") != 0)
      fprintf(out, "%s%s %s: %s\n", md ? "- " : "  ", c->name, c->status,
              c->reason[0] ? c->reason : "no reason given");
  }
}

/* The ok spawn+join cell of workload on runtime with the largest n. */
static const sb_rcell *largest(const sb_results *r, const char *workload,
                               const char *runtime, sb_figure f, sb_rstat *st) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat s;
    if (strcmp(c->workload, workload) == 0 &&
        strcmp(c->runtime, runtime) == 0 && c->cpus_limit == 0 &&
        sb_rcell_spawn_join(c) && sb_rcell_stat(c, f.key, &s) == 0 &&
        (best == NULL ||
         sb_rcell_param(c, "n", 0) > sb_rcell_param(best, "n", 0)))
      best = c, *st = s;
  }
  return best;
}

/* "pingpong n:10000: threads 2.10 µs vs single 28.0 ns per message:
 * threads 77x slower". Compares threads with single on the parameters of
 * like (or, with like NULL, on each runtime's largest n); without both, the
 * slowest and the fastest spawn+join runtime. */
static void headline(const sb_results *r, const char *workload,
                     const sb_rcell *like, FILE *out, int md) {
  sb_figure f = sb__headline_figure(workload);
  sb_rstat sa, sb;
  const sb_rcell *a, *b;
  if (like != NULL) {
    a = sb_results_find(r, workload, "threads", like);
    b = sb_results_find(r, workload, "single", like);
  } else {
    a = largest(r, workload, "threads", f, &sa);
    b = largest(r, workload, "single", f, &sb);
  }
  if (a == NULL || b == NULL || sb_rcell_stat(a, f.key, &sa) != 0 ||
      sb_rcell_stat(b, f.key, &sb) != 0) {
    a = b = NULL;
    for (size_t i = 0; i < r->ncells; i++) {
      const sb_rcell *c = &r->cells[i];
      sb_rstat s;
      if (strcmp(c->workload, workload) != 0 || !sb_rcell_spawn_join(c) ||
          (like != NULL && !sb_rcell_same_params(c, like)) ||
          sb_rcell_stat(c, f.key, &s) != 0)
        continue;
      if (a == NULL || s.median > sa.median)
        a = c, sa = s;
      if (b == NULL || s.median < sb.median)
        b = c, sb = s;
    }
    if (a == NULL || a == b)
      return;
  }
  char pa[96] = "", x[32], y[32], ratio[32], verdict[96];
  double big = fmax(sa.median, sb.median), small = fmin(sa.median, sb.median);
  const char *worse = sa.median >= sb.median ? a->runtime : b->runtime;
  const char *word = strcmp(f.key, "rss_per_task_bytes") == 0 ? "larger"
                     : strstr(f.key, "late_p99_ns") != NULL   ? "later"
                                                              : "slower";
  if (like != NULL) {
    sb_rcell_params_str(like, pa, sizeof pa);
    if (like->cpus_limit > 0)
      snprintf(pa + strlen(pa), sizeof pa - strlen(pa), " on %d CPU%s",
               like->cpus_limit, like->cpus_limit == 1 ? "" : "s");
  } else {
    snprintf(pa, sizeof pa, "(largest n each)");
  }
  sb__fmt_figure(f, sa.median, x, sizeof x);
  sb__fmt_figure(f, sb.median, y, sizeof y);
  if (small > 0 && big / small < 1.05)
    snprintf(verdict, sizeof verdict, "within 5%% of each other");
  else
    snprintf(
        verdict, sizeof verdict, "%s %s %s", worse,
        sb__fmt_ratio(small > 0 ? big / small : INFINITY, ratio, sizeof ratio),
        word);
  fprintf(out, "%s%s%s%s: %s %s vs %s %s %s%s: %s\n", md ? "- " : "  ",
          workload, pa[0] ? " " : "", pa, a->runtime, x, b->runtime, y,
          f.what ? "" : "per ", f.what ? f.what : a->unit, verdict);
}

/* The cells of q's workload of another primitive than spawn+join, apart
 * and labelled. Returns 0 or -ENOMEM. */
static int other_table(const sb_results *r, const sb_rcell *q, FILE *out,
                       int md, int *single) {
  sb_row_spec spec = {.primitive = 1, .serial = !strcmp(q->workload, "fib")};
  sb_table t;
  size_t rows = 0;
  int rc = sb__summary_head(&t, "figure", q->workload, spec);
  for (const sb_rcell *c = q; rc == 0 && c < r->cells + r->ncells; c++)
    if (strcmp(c->workload, q->workload) == 0 && !sb_rcell_spawn_join(c)) {
      rc = sb__summary_row(&t, r, c, spec, single);
      rows++;
    }
  if (rc == 0 && rows > 0) {
    fprintf(out,
            md ? "Another primitive: not a spawned task, so not in the "
                 "per-%s column above:\n\n"
               : "  another primitive: not a spawned task, so not in the "
                 "per-%s column above:\n",
            q->unit);
    sb__table_print(&t, out, md, "  ");
    fputs(md ? "\n" : "", out);
  }
  sb__table_free(&t);
  return rc;
}

/* The table of one workload, its reasons and its headlines. */
static int workload_table(const sb_results *r, const sb_rcell *q, FILE *out,
                          int md, int *single) {
  sb_row_spec spec = {.extra = 1, .serial = !strcmp(q->workload, "fib")};
  char per[64];
  snprintf(per, sizeof per, "per %s", q->unit);
  sb_table t;
  int rc = sb__summary_head(&t, per, q->workload, spec);
  for (const sb_rcell *c = q; rc == 0 && c < r->cells + r->ncells; c++)
    if (strcmp(c->workload, q->workload) == 0 && sb_rcell_spawn_join(c))
      rc = sb__summary_row(&t, r, c, spec, single);
  if (rc != 0)
    goto cleanup;
  const char *question = q->question[0] ? q->question : q->workload;
  fprintf(out, md ? "### %s (%s)\n\n" : "== %s (%s)\n", question, q->workload);
  sb__table_print(&t, out, md, "  ");
  fputs(md ? "\n" : "", out);
  if ((rc = other_table(r, q, out, md, single)) != 0)
    goto cleanup;
  reasons(r, q->workload, out, md);
  if (strcmp(q->workload, "million") == 0) {
    /* Memory per task compares across sizes: each runtime's largest. */
    headline(r, q->workload, NULL, out, md);
  } else {
    /* A headline per parameter set, from the first cell that has it. */
    for (const sb_rcell *c = q; c < r->cells + r->ncells; c++) {
      int first = strcmp(c->workload, q->workload) == 0;
      for (const sb_rcell *k = q; k < c && first; k++)
        first = !(strcmp(k->workload, c->workload) == 0 &&
                  sb_rcell_same_params(k, c));
      if (first)
        headline(r, q->workload, c, out, md);
    }
  }
  fputc('\n', out);
cleanup:
  sb__table_free(&t);
  return rc;
}

int sb__summary_questions(const sb_results *r, FILE *out, int md, int *single) {
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *q = &r->cells[i];
    int seen = 0, rc;
    for (size_t j = 0; j < i && !seen; j++)
      seen = strcmp(r->cells[j].workload, q->workload) == 0;
    if (seen || strcmp(q->workload, "floor") == 0)
      continue;
    if ((rc = workload_table(r, q, out, md, single)) != 0)
      return rc;
  }
  return 0;
}
