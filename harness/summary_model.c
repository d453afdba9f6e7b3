/* The summary as data (compute first, print second, as Google Benchmark's
 * compare.py does): the kernel floor beside the lead switch workload, then
 * per workload a table of its spawn+join cells, apart a table of its cells
 * of another primitive, the cells that gave no number, and the headlines
 * (threads against single on the workload's headline counter). Everything
 * is read from the cells: role, headline, unit, primitive, parameters. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face_internal.h"

/* Makes room for one more element in *arr (n used, *cap allocated).
 * Returns 0 or -ENOMEM. */
static int grow(void *arr, size_t *cap, size_t n, size_t size) {
  void **p = arr;
  if (n < *cap)
    return 0;
  size_t ncap = *cap ? *cap * 2 : 8;
  void *np = realloc(*p, ncap * size);
  if (np == NULL)
    return -ENOMEM;
  *p = np;
  *cap = ncap;
  return 0;
}

/* Appends c's row to t. Sets *single when its figure is one repetition. */
static int add_row(const sb_results *r, sb_stable *t, size_t *cap,
                   const sb_rcell *c, int *single) {
  if (grow(&t->rows, cap, t->nrows, sizeof(*t->rows)) != 0)
    return -ENOMEM;
  sb_srow *row = &t->rows[t->nrows++];
  sb_rstat st;
  *row = (sb_srow){.cell = c};
  row->have = sb_rcell_stat(c, "ns_per_op", &row->fig) == 0;
  *single |= row->have && row->fig.single;
  if (sb_rcell_stat(c, "ctx_switches_per_op", &st) == 0)
    row->have_ctx = 1, row->ctx = st.median;
  if (t->spec.extra)
    row->have_extra = sb_rcell_stat(c, t->extra.key, &row->extra) == 0;
  if (t->spec.serial) {
    /* The leaf work of the same language, to subtract. */
    const sb_rcell *s = sb_results_serial(r, c);
    if (s != NULL && s != c && sb_rcell_stat(s, "ns_per_op", &row->ser) == 0)
      row->serial = s, row->have_serial = 1;
  }
  return 0;
}

/* The ok spawn+join cell of q's workload on runtime, unconfined, with the
 * largest size, and its figure f in *st; NULL when there is none. */
static const sb_rcell *largest(const sb_results *r, const sb_rcell *q,
                               const char *runtime, sb_figure f, sb_rstat *st) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat s;
    if (strcmp(c->workload, q->workload) == 0 &&
        strcmp(c->runtime, runtime) == 0 && c->cpus_limit == 0 &&
        sb_rcell_spawn_join(c) && sb_rcell_stat(c, f.key, &s) == 0 &&
        (best == NULL || sb__size_of(c) > sb__size_of(best)))
      best = c, *st = s;
  }
  return best;
}

/* The headline of q's workload on like's parameters (like NULL: each
 * runtime's largest size): threads against single, or, without both, the
 * worst and the best spawn+join runtime. Returns 1 when h was filled. */
static int headline(const sb_results *r, const sb_rcell *q,
                    const sb_rcell *like, sb_shead *h) {
  sb_figure f = sb__headline(q);
  sb_rstat sa, sb;
  const sb_rcell *a, *b;
  if (like != NULL) {
    a = sb_results_find(r, q->workload, "threads", like);
    b = sb_results_find(r, q->workload, "single", like);
  } else {
    a = largest(r, q, "threads", f, &sa);
    b = largest(r, q, "single", f, &sb);
  }
  if (a == NULL || b == NULL || sb_rcell_stat(a, f.key, &sa) != 0 ||
      sb_rcell_stat(b, f.key, &sb) != 0) {
    a = b = NULL;
    for (size_t i = 0; i < r->ncells; i++) {
      const sb_rcell *c = &r->cells[i];
      sb_rstat s;
      if (strcmp(c->workload, q->workload) != 0 || !sb_rcell_spawn_join(c) ||
          (like != NULL && !sb_rcell_same_params(c, like)) ||
          sb_rcell_stat(c, f.key, &s) != 0)
        continue;
      if (a == NULL || sb__figure_better(f, sa.median, s.median))
        a = c, sa = s;
      if (b == NULL || sb__figure_better(f, s.median, sb.median))
        b = c, sb = s;
    }
    if (a == NULL || a == b)
      return 0;
  }
  *h = (sb_shead){.a = a, .b = b, .f = f, .va = sa.median, .vb = sb.median};
  if (like == NULL) {
    snprintf(h->params, sizeof h->params, "(largest %s each)",
             sb__size_param(q));
    return 1;
  }
  sb_rcell_params_str(like, h->params, sizeof h->params);
  if (like->cpus_limit > 0)
    snprintf(h->params + strlen(h->params),
             sizeof h->params - strlen(h->params), " on %d CPU%s",
             like->cpus_limit, like->cpus_limit == 1 ? "" : "s");
  return 1;
}

/* 1 when no cell of q's workload before c has c's parameters. */
static int first_of_params(const sb_rcell *q, const sb_rcell *c) {
  for (const sb_rcell *k = q; k < c; k++)
    if (strcmp(k->workload, c->workload) == 0 && sb_rcell_same_params(k, c))
      return 0;
  return 1;
}

/* Fills q's tables, failed cells and headlines (lead: its first cell). */
static int question(const sb_results *r, const sb_rcell *lead, sb_squestion *q,
                    int *single) {
  const sb_rcell *end = r->cells + r->ncells;
  size_t cmain = 0, cother = 0, cfail = 0, chead = 0;
  int serial = sb__has_serial(r, lead);
  q->lead = lead;
  q->main.spec = (sb_row_spec){.extra = !sb__headline_is_ns_per_op(lead),
                               .serial = serial};
  q->main.extra = sb__headline(lead);
  q->other.spec = (sb_row_spec){.primitive = 1, .serial = serial};
  for (const sb_rcell *c = lead; c < end; c++) {
    if (strcmp(c->workload, lead->workload) != 0)
      continue;
    int spawn_join = sb_rcell_spawn_join(c);
    if (add_row(r, spawn_join ? &q->main : &q->other,
                spawn_join ? &cmain : &cother, c, single) != 0)
      return -ENOMEM;
    if (strcmp(c->status, "ok") != 0) {
      if (grow(&q->failed, &cfail, q->nfailed, sizeof(*q->failed)) != 0)
        return -ENOMEM;
      q->failed[q->nfailed++] = c;
    }
  }
  /* What a waiting task holds compares across sizes: one headline over
   * each runtime's largest; else one per parameter set. */
  int memory = sb__is_role(lead, SB_ROLE_MEMORY);
  for (const sb_rcell *c = lead; c < end; c++) {
    if (memory ? c != lead
               : strcmp(c->workload, lead->workload) != 0 ||
                     !first_of_params(lead, c))
      continue;
    if (grow(&q->heads, &chead, q->nheads, sizeof(*q->heads)) != 0)
      return -ENOMEM;
    q->nheads += headline(r, lead, memory ? NULL : c, &q->heads[q->nheads]);
  }
  return 0;
}

int sb__summary_build(const sb_results *r, sb_summary *s) {
  size_t cfloor = 0, cq = 0;
  *s = (sb_summary){0};
  s->switch_lead = sb__role_lead(r, SB_ROLE_SWITCH, NULL);
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < r->ncells; i++) {
      const sb_rcell *c = &r->cells[i];
      if (pass == 0 ? sb_rcell_is_floor(c)
                    : s->switch_lead != NULL &&
                          strcmp(c->workload, s->switch_lead->workload) == 0)
        if (add_row(r, &s->floor, &cfloor, c, &s->single) != 0)
          goto oom;
    }
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    int seen = sb_rcell_is_floor(c);
    for (size_t j = 0; j < s->nquestions && !seen; j++)
      seen = strcmp(s->questions[j].lead->workload, c->workload) == 0;
    if (seen)
      continue;
    if (grow(&s->questions, &cq, s->nquestions, sizeof(*s->questions)) != 0)
      goto oom;
    sb_squestion *q = &s->questions[s->nquestions++];
    *q = (sb_squestion){0};
    if (question(r, c, q, &s->single) != 0)
      goto oom;
  }
  return 0;
oom:
  sb__summary_free(s);
  return -ENOMEM;
}

void sb__summary_free(sb_summary *s) {
  for (size_t i = 0; i < s->nquestions; i++) {
    free(s->questions[i].main.rows);
    free(s->questions[i].other.rows);
    free(s->questions[i].failed);
    free(s->questions[i].heads);
  }
  free(s->questions);
  free(s->floor.rows);
  *s = (sb_summary){0};
}
