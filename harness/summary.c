/* The end-of-run summary: the machine, the kernel floor next to pingpong,
 * a table per question with the headline ratios spelled out, and notes on
 * how far the numbers can be trusted. Also used, as Markdown, by report. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "face_format.h"
#include "face_internal.h"

/* A cell's figure differs by more than this between repetitions: noisy. */
#define NOISY_CV 0.10

sb_figure sb__headline_figure(const char *workload) {
  if (strcmp(workload, "million") == 0)
    return (sb_figure){"rss_per_task_bytes", "memory per waiting task", 1};
  if (strcmp(workload, "timers") == 0)
    return (sb_figure){"late_p99_ns", "p99 lateness", 0};
  if (strcmp(workload, "blocking") == 0)
    return (sb_figure){"probe_late_p99_ns", "p99 probe lateness", 0};
  return (sb_figure){"ns_per_op", NULL, 0};
}

sb_figure sb__extra_figure(const char *workload) {
  if (strcmp(workload, "echo") == 0)
    return (sb_figure){"p99_ns", "p99 round trip", 0};
  if (strcmp(workload, "grain") == 0)
    return (sb_figure){"efficiency", "efficiency", 2};
  if (strcmp(workload, "million") == 0)
    return (sb_figure){"rss_per_task_bytes", "RSS per task", 1};
  if (strcmp(workload, "timers") == 0)
    return (sb_figure){"late_p99_ns", "p99 late", 0};
  if (strcmp(workload, "blocking") == 0)
    return (sb_figure){"probe_late_p99_ns", "p99 late", 0};
  return (sb_figure){NULL, NULL, 0};
}

char *sb__fmt_figure(sb_figure f, double v, char *buf, size_t len) {
  if (f.bytes == 1)
    return sb__fmt_bytes(v, buf, len);
  if (f.bytes == 2) {
    snprintf(buf, len, "%.0f%%", v * 100);
    return buf;
  }
  return sb__fmt_ns(v, buf, len);
}

void sb__summary_machine(const sb_results *r, FILE *out) {
  const sb_rcontext *c = &r->ctx;
  fprintf(out,
          "%s, %d cores / %d PUs (%s), %s, %s, virtualization %s, "
          "pin %s, %d repetition%s%s, %s, commit %s",
          c->cpu_model[0] ? c->cpu_model : "unknown CPU", c->cores, c->pus,
          c->topology[0] ? c->topology : "topology unknown",
          c->kernel[0] ? c->kernel : "unknown kernel",
          c->compiler[0] ? c->compiler : "unknown compiler",
          c->virtualization[0] ? c->virtualization : "unknown",
          c->pin[0] ? c->pin : "unknown", c->repetitions,
          c->repetitions == 1 ? "" : "s", c->quick == 1 ? ", quick matrix" : "",
          c->date[0] ? c->date : "date unknown", c->git_commit);
}

/* Fills the figure columns of one row: value, cv, ctx switches, extra. */
static void figure_cols(const sb_rcell *c, char cols[4][48], int *single) {
  sb_rstat st, ctx, ex;
  sb_figure xf = sb__extra_figure(c->workload);
  for (int i = 0; i < 4; i++)
    strcpy(cols[i], "-");
  if (sb_rcell_stat(c, "ns_per_op", &st) == 0) {
    sb__fmt_ns(st.median, cols[0], 40);
    if (st.single) {
      strcat(cols[0], " *");
      *single = 1;
    }
    if (st.cv >= 0)
      snprintf(cols[1], 48, "%.1f%%", st.cv * 100);
  }
  if (sb_rcell_stat(c, "ctx_switches_per_op", &ctx) == 0)
    snprintf(cols[2], 48, "%.3g", ctx.median);
  if (xf.key != NULL && sb_rcell_stat(c, xf.key, &ex) == 0)
    sb__fmt_figure(xf, ex.median, cols[3], 48);
}

static void status_col(const sb_rcell *c, char *buf, size_t len) {
  if (strcmp(c->status, "ok") == 0)
    snprintf(buf, len, "%zu", c->nreps);
  else
    snprintf(buf, len, "%s", c->status);
}

/* Appends c's row: name, figure, cv, ctx switches, [extra,] reps. */
static int add_cell_row(sb_table *t, const sb_rcell *c, int *single) {
  char cols[4][48], st[64];
  figure_cols(c, cols, single);
  status_col(c, st, sizeof st);
  const char *full[] = {c->name, cols[0], cols[1], cols[2], cols[3], st};
  const char *noextra[] = {c->name, cols[0], cols[1], cols[2], st};
  return sb__table_add(t, t->ncols == 6 ? full : noextra);
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

/* The floor rows and pingpong on every runtime, one table. */
static int switch_table(const sb_results *r, FILE *out, int md, int *single) {
  static const char *const head[] = {"switch", "per switch", "cv",
                                     "OS ctx sw/op", "reps"};
  sb_table t;
  int rc, rows = 0;
  if ((rc = sb__table_init(&t, 5, head)) != 0)
    goto cleanup;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < r->ncells; i++) {
      const sb_rcell *c = &r->cells[i];
      if (strcmp(c->workload, pass == 0 ? "floor" : "pingpong") != 0)
        continue;
      if ((rc = add_cell_row(&t, c, single)) != 0)
        goto cleanup;
      rows++;
    }
  if (rows > 0) {
    fprintf(out, md ? "### Switch cost: the kernel floor next to pingpong\n\n"
                    : "Switch cost: the kernel floor (futex, pipe; same-core "
                      "and cross-core) next to pingpong on each runtime\n");
    sb__table_print(&t, out, md, "  ");
    fputc('\n', out);
  }
cleanup:
  sb__table_free(&t);
  return rc;
}

/* The ok cell of workload on runtime with the largest n. */
static const sb_rcell *largest(const sb_results *r, const char *workload,
                               const char *runtime, sb_figure f, sb_rstat *st) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat s;
    if (strcmp(c->workload, workload) == 0 &&
        strcmp(c->runtime, runtime) == 0 && sb_rcell_stat(c, f.key, &s) == 0 &&
        (best == NULL ||
         sb_rcell_param(c, "n", 0) > sb_rcell_param(best, "n", 0)))
      best = c, *st = s;
  }
  return best;
}

/* "pingpong n:10000: threads 2.10 µs vs single 28.0 ns per message:
 * threads 77x slower". Compares threads with single on the parameters of
 * like (or, with like NULL, on each runtime's largest n); without both, the
 * slowest and the fastest runtime. */
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
      if (strcmp(c->workload, workload) != 0 ||
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
  if (like != NULL)
    sb_rcell_params_str(like, pa, sizeof pa);
  else
    snprintf(pa, sizeof pa, "(largest n each)");
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

/* The table of one workload, its reasons and its headlines. */
static int workload_table(const sb_results *r, const sb_rcell *q, FILE *out,
                          int md, int *single) {
  sb_figure xf = sb__extra_figure(q->workload);
  char per[64];
  snprintf(per, sizeof per, "per %s", q->unit);
  const char *head6[] = {"cell", per, "cv", "OS ctx sw/op", xf.what, "reps"};
  const char *head5[] = {"cell", per, "cv", "OS ctx sw/op", "reps"};
  sb_table t;
  int rc = sb__table_init(&t, xf.key ? 6 : 5, xf.key ? head6 : head5);
  for (const sb_rcell *c = q; rc == 0 && c < r->cells + r->ncells; c++)
    if (strcmp(c->workload, q->workload) == 0)
      rc = add_cell_row(&t, c, single);
  if (rc != 0)
    goto cleanup;
  const char *question = q->question[0] ? q->question : q->workload;
  fprintf(out, md ? "### %s (%s)\n\n" : "== %s (%s)\n", question, q->workload);
  sb__table_print(&t, out, md, "  ");
  fputs(md ? "\n" : "", out);
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

/* One table per question, in the order workloads first appear. */
static int question_tables(const sb_results *r, FILE *out, int md,
                           int *single) {
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

int sb__summary_tables(const sb_results *r, FILE *out, int markdown) {
  int single = 0, rc;
  if ((rc = switch_table(r, out, markdown, &single)) != 0 ||
      (rc = question_tables(r, out, markdown, &single)) != 0)
    return rc;
  if (single)
    fprintf(out,
            "%s* one repetition: the figure is that single iteration, "
            "not a median.\n\n",
            markdown ? "" : "  ");
  return 0;
}

static void note(FILE *out, int md, int *count, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(FILE *out, int md, int *count, const char *fmt, ...) {
  va_list ap;
  fputs(md ? "- " : "  - ", out);
  va_start(ap, fmt);
  vfprintf(out, fmt, ap);
  va_end(ap);
  fputc('\n', out);
  (*count)++;
}

int sb__summary_notes(const sb_results *r, FILE *out, int md) {
  const sb_rcontext *c = &r->ctx;
  int count = 0;
  size_t noisy = 0, failed = 0, maxreps = 0;
  char list[512] = "", flist[512] = "";
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *cell = &r->cells[i];
    sb_rstat st;
    maxreps = cell->nreps > maxreps ? cell->nreps : maxreps;
    if (strcmp(cell->status, "ok") != 0) {
      size_t u = strlen(flist);
      if (failed++ < 4)
        snprintf(flist + u, sizeof flist - u, "%s%s (%s)", u ? ", " : "",
                 cell->name, cell->status);
    } else if (sb_rcell_stat(cell, "ns_per_op", &st) == 0 && st.cv > NOISY_CV) {
      size_t u = strlen(list);
      if (noisy++ < 4)
        snprintf(list + u, sizeof list - u, "%s%s (%.0f%%)", u ? ", " : "",
                 cell->name, st.cv * 100);
    }
  }
  if (noisy > 0)
    note(out, md, &count,
         "noisy: %zu cell%s by more than %.0f%% "
         "between repetitions: %s%s",
         noisy, noisy == 1 ? " varies" : "s vary", NOISY_CV * 100, list,
         noisy > 4 ? ", ..." : "");
  if (c->cpu_scaling == 1)
    note(out, md, &count,
         "CPU frequency scaling is on: figures move with "
         "the clock (set the governor to performance for stable numbers)");
  if (c->virtualization[0] && strcmp(c->virtualization, "none") != 0 &&
      strcmp(c->virtualization, "unknown") != 0)
    note(out, md, &count,
         "running in a VM (%s): switches and wake-ups "
         "include the hypervisor, and other guests steal time",
         c->virtualization);
  if (maxreps == 1)
    note(out, md, &count,
         "one repetition per cell: figures are single "
         "iterations, not medians, and noise cannot be judged");
  else if (maxreps > 0 && maxreps < 5)
    note(out, md, &count,
         "only %zu repetitions per cell: too few to judge "
         "noise well (5 or more recommended)",
         maxreps);
  if (c->load_avg >= 0 && c->num_cpus > 0 && c->load_avg > 0.5 * c->num_cpus)
    note(out, md, &count,
         "load average %.2f on %d CPUs when the run "
         "started: something else was running",
         c->load_avg, c->num_cpus);
  if (c->complete == 0)
    note(out, md, &count, "the run is incomplete: %d of %d cells done",
         c->cells_done, c->cells_total);
  if (failed > 0)
    note(out, md, &count, "%zu cell%s produced no number: %s%s", failed,
         failed == 1 ? "" : "s", flist, failed > 4 ? ", ..." : "");
  return count;
}

int sb_summary_print(const char *results_path, FILE *out) {
  sb_results *r = NULL;
  int rc = sb__results_load(results_path, &r);
  if (rc != 0)
    return rc;
  fprintf(out, "\nswitchbench summary of %s\nmachine: ", results_path);
  sb__summary_machine(r, out);
  fputs("\n\n", out);
  if (sb__summary_tables(r, out, 0) != 0) {
    fprintf(stderr, "switchbench: out of memory\n");
    rc = 1;
    goto cleanup;
  }
  fputs("Notes:\n", out);
  if (sb__summary_notes(r, out, 0) == 0)
    fputs("  - none: the machine looked quiet\n", out);
cleanup:
  sb_results_free(r);
  return rc;
}
