/* Prints the summary's model (summary_model.c): the floor table, then per
 * question its table, apart and labelled its cells of another primitive
 * (never in the per-task column), why cells gave no number, and the
 * headlines spelled out. Aligned text for a terminal or Markdown. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "face.h"
#include "face_format.h"
#include "face_internal.h"

#define MAX_COLS 9

/* Starts a table with the columns of t's spec; figure heads the figure
 * column. Returns 0 or -ENOMEM. */
static int head(sb_table *out, const sb_stable *t, const char *figure) {
  const char *h[MAX_COLS];
  size_t n = 0;
  h[n++] = "cell";
  if (t->spec.primitive)
    h[n++] = "primitive";
  h[n++] = figure;
  h[n++] = "cv";
  h[n++] = "OS ctx sw/op";
  if (t->spec.extra)
    h[n++] = t->extra.what;
  if (t->spec.serial) {
    h[n++] = "serial row";
    h[n++] = "minus serial";
  }
  h[n++] = "reps";
  return sb__table_init(out, n, h);
}

/* Appends the strings of one row. */
static int row(sb_table *out, const sb_stable *t, const sb_srow *w) {
  char cols[MAX_COLS][96];
  const char *v[MAX_COLS];
  const sb_rcell *c = w->cell;
  size_t n = 0;
  for (int i = 0; i < MAX_COLS; i++) {
    strcpy(cols[i], "-");
    v[i] = cols[i];
  }
  v[n++] = c->name;
  if (t->spec.primitive)
    v[n++] = sb_primitive_what(c->primitive);
  if (w->have) {
    /* Another primitive's figure says what it is per. */
    const char *unit = sb_primitive_unit(c->primitive);
    sb__fmt_ns(w->fig.median, cols[n], 48);
    if (t->spec.primitive && unit != NULL)
      snprintf(cols[n] + strlen(cols[n]), 96 - strlen(cols[n]), " per %s",
               unit);
    if (w->fig.single)
      strcat(cols[n], " *");
    if (w->fig.cv >= 0)
      snprintf(cols[n + 1], 96, "%.1f%%", w->fig.cv * 100);
  }
  n += 2;
  if (w->have_ctx)
    snprintf(cols[n], 96, "%.3g", w->ctx);
  n++;
  if (t->spec.extra) {
    if (w->have_extra)
      sb__fmt_figure(t->extra, w->extra.median, cols[n], 96);
    n++;
  }
  if (t->spec.serial) {
    /* The leaf work of the same language, and what the runtime adds. */
    if (w->have_serial) {
      snprintf(cols[n], 96, "%s ", w->serial->runtime);
      sb__fmt_ns(w->ser.median, cols[n] + strlen(cols[n]),
                 96 - strlen(cols[n]));
      if (w->have) {
        char d[48];
        sb__fmt_ns(fabs(w->fig.median - w->ser.median), d, sizeof d);
        snprintf(cols[n + 1], 96, "%s%s",
                 w->fig.median < w->ser.median ? "-" : "", d);
      }
    }
    n += 2;
  }
  if (strcmp(c->status, "ok") == 0)
    snprintf(cols[n], 96, "%zu", c->nreps);
  else
    snprintf(cols[n], 96, "%s", c->status);
  return sb__table_add(out, v);
}

/* Prints t (figure heads its figure column) after title (may be NULL). */
static int print_table(const sb_stable *t, const char *figure,
                       const char *title, FILE *out, int md) {
  sb_table tab;
  int rc = head(&tab, t, figure);
  for (size_t i = 0; rc == 0 && i < t->nrows; i++)
    rc = row(&tab, t, &t->rows[i]);
  if (rc == 0) {
    if (title != NULL)
      fputs(title, out);
    sb__table_print(&tab, out, md, "  ");
  }
  sb__table_free(&tab);
  return rc;
}

/* "pingpong n:10000: threads 2.10 µs vs single 28.0 ns per message:
 * threads 77x slower" */
static void print_headline(const sb_shead *h, FILE *out, int md) {
  char x[32], y[32], ratio[32], verdict[96];
  double big = fmax(h->va, h->vb), small = fmin(h->va, h->vb);
  const sb_rcell *worse = sb__figure_better(h->f, h->vb, h->va) ? h->a : h->b;
  sb__fmt_figure(h->f, h->va, x, sizeof x);
  sb__fmt_figure(h->f, h->vb, y, sizeof y);
  if (small > 0 && big / small < 1.05)
    snprintf(verdict, sizeof verdict, "within 5%% of each other");
  else
    snprintf(
        verdict, sizeof verdict, "%s %s %s", worse->runtime,
        sb__fmt_ratio(small > 0 ? big / small : INFINITY, ratio, sizeof ratio),
        sb__figure_worse(h->f));
  fprintf(out, "%s%s%s%s: %s %s vs %s %s %s: %s\n", md ? "- " : "  ",
          h->a->workload, h->params[0] ? " " : "", h->params, h->a->runtime, x,
          h->b->runtime, y, h->f.what, verdict);
}

static int print_question(const sb_squestion *q, FILE *out, int md) {
  char per[64], title[512];
  const sb_rcell *l = q->lead;
  int rc;
  snprintf(per, sizeof per, "per %s", l->unit);
  snprintf(title, sizeof title, md ? "### %s (%s)\n\n" : "== %s (%s)\n",
           l->question[0] ? l->question : l->workload, l->workload);
  if ((rc = print_table(&q->main, per, title, out, md)) != 0)
    return rc;
  fputs(md ? "\n" : "", out);
  if (q->other.nrows > 0) {
    snprintf(title, sizeof title,
             md ? "Another primitive: not a spawned task, so not in the "
                  "per-%s column above:\n\n"
                : "  another primitive: not a spawned task, so not in the "
                  "per-%s column above:\n",
             l->unit);
    if ((rc = print_table(&q->other, "figure", title, out, md)) != 0)
      return rc;
    fputs(md ? "\n" : "", out);
  }
  for (size_t i = 0; i < q->nfailed; i++) {
    const sb_rcell *c = q->failed[i];
    fprintf(out, "%s%s %s: %s\n", md ? "- " : "  ", c->name, c->status,
            c->reason[0] ? c->reason : "no reason given");
  }
  for (size_t i = 0; i < q->nheads; i++)
    print_headline(&q->heads[i], out, md);
  fputc('\n', out);
  return 0;
}

int sb__summary_render(const sb_summary *s, FILE *out, int md) {
  int rc;
  if (s->floor.nrows > 0) {
    char title[256];
    const char *beside = s->switch_lead ? s->switch_lead->workload : "";
    snprintf(title, sizeof title,
             md ? "### Switch cost: the kernel floor next to %s\n\n"
                : "Switch cost: the kernel floor (futex, pipe; same-core and "
                  "cross-core) next to %s on each runtime\n",
             beside[0] ? beside : "no runtime");
    if ((rc = print_table(&s->floor, "per switch", title, out, md)) != 0)
      return rc;
    fputc('\n', out);
  }
  for (size_t i = 0; i < s->nquestions; i++)
    if ((rc = print_question(&s->questions[i], out, md)) != 0)
      return rc;
  if (s->single)
    fprintf(out,
            "%s* one repetition: the figure is that single iteration, "
            "not a median.\n\n",
            md ? "" : "  ");
  return 0;
}

int sb__summary_tables(const sb_results *r, FILE *out, int markdown) {
  sb_summary s;
  int rc = sb__summary_build(r, &s);
  if (rc == 0)
    rc = sb__summary_render(&s, out, markdown);
  sb__summary_free(&s);
  return rc;
}
