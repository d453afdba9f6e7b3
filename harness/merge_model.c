/* The fleet model (merge.h): loads every machine's results, joins their
 * cells by name (first seen first, none dropped), reads each cell by its
 * lead's headline, divides switch figures by the machine's own floor, and
 * tells, per figure, whether it is within noise of the first machine. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "mannwhitney.h"
#include "merge.h"

/* The machine's name: the file's stem ("results/arm.json" -> "arm"),
 * given its position as a suffix when an earlier one has the same. */
static void make_label(sb_fleet *f, size_t i, const char *path) {
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", path);
  const char *base = basename(copy);
  size_t n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".json") == 0)
    n -= 5;
  snprintf(f->label[i], sizeof f->label[i], "%.*s", (int)n, base);
  int clash = 0;
  for (size_t j = 0; j < i; j++)
    clash |= strcmp(f->label[j], f->label[i]) == 0;
  if (clash) { /* the argument's position makes it unique enough */
    char tail[16];
    snprintf(tail, sizeof tail, "-%zu", i + 1);
    size_t room = sizeof f->label[i] - strlen(tail) - 1;
    f->label[i][room < n ? room : n] = '\0';
    strcat(f->label[i], tail);
  }
}

/* Within noise: the U test over the repetitions finds no difference, or,
 * when the repetitions are too few for the test to tell anything, the
 * spreads (min to max) overlap. Sets m->noise and m->p. 0 or -ENOMEM. */
static int judge_noise(const sb_mrow *row, const sb_mfig *a, sb_mfig *m) {
  const char *key = row->f.key;
  double *xa = malloc((a->cell->nreps + 1) * sizeof(*xa));
  double *xb = malloc((m->cell->nreps + 1) * sizeof(*xb));
  int rc = -ENOMEM;
  if (xa == NULL || xb == NULL)
    goto cleanup;
  size_t na = sb_rcell_samples(a->cell, key, xa, a->cell->nreps);
  size_t nb = sb_rcell_samples(m->cell, key, xb, m->cell->nreps);
  sb_utest u;
  rc = 0;
  m->p = -1;
  if (na > 0 && nb > 0 && sb_mannwhitney_min_p(na, nb) <= SB_UTEST_ALPHA &&
      sb_mannwhitney(xa, na, xb, nb, &u) == 0) {
    m->p = u.p;
    m->noise = u.p >= SB_UTEST_ALPHA;
  } else {
    m->noise = a->fig.min <= m->fig.max && m->fig.min <= a->fig.max;
  }
cleanup:
  free(xa);
  free(xb);
  return rc;
}

/* Fills row's figures on every machine. Returns 0 or -ENOMEM. */
static int fill_row(sb_fleet *f, sb_mrow *row) {
  const sb_rcell *lead = row->lead;
  row->f = sb__headline(lead);
  row->is_switch =
      (sb_rcell_is_floor(lead) || sb__is_role(lead, SB_ROLE_SWITCH)) &&
      row->f.unit == SB_FU_NS;
  for (size_t i = 0; i < f->n; i++) {
    sb_mfig *m = &row->m[i];
    *m = (sb_mfig){.noise = -1, .p = -1};
    m->cell = sb_results_cell(f->mach[i], row->name);
    if (m->cell == NULL)
      continue;
    m->have = sb_rcell_stat(m->cell, row->f.key, &m->fig) == 0;
    if (m->have && row->is_switch && f->floor[i] > 0)
      m->floor_x = m->fig.median / f->floor[i];
    if (i > 0 && m->have && row->m[0].have) {
      if (judge_noise(row, &row->m[0], m) != 0)
        return -ENOMEM;
      f->noise += m->noise == 1;
    }
  }
  return 0;
}

/* The union of the machines' cells, in the order first seen. 0 or
 * -ENOMEM. */
static int build_rows(sb_fleet *f) {
  size_t cap = 0;
  for (size_t i = 0; i < f->n; i++)
    cap += f->mach[i]->ncells;
  if (cap == 0)
    return 0;
  if ((f->rows = calloc(cap, sizeof(*f->rows))) == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < f->n; i++)
    for (size_t c = 0; c < f->mach[i]->ncells; c++) {
      const sb_rcell *cell = &f->mach[i]->cells[c];
      int seen = 0;
      /* Seen on an earlier machine, or twice in this one. */
      for (size_t j = 0; j < i && !seen; j++)
        seen = sb_results_cell(f->mach[j], cell->name) != NULL;
      for (size_t r = 0; r < f->nrows && !seen; r++)
        seen = strcmp(f->rows[r].name, cell->name) == 0;
      if (seen)
        continue;
      sb_mrow *row = &f->rows[f->nrows++];
      row->name = cell->name;
      row->lead = cell;
      if ((row->m = calloc(f->n, sizeof(*row->m))) == NULL)
        return -ENOMEM;
    }
  for (size_t r = 0; r < f->nrows; r++) {
    if (fill_row(f, &f->rows[r]) != 0)
      return -ENOMEM;
    for (size_t i = 0; i < f->n; i++)
      if (f->rows[r].m[i].cell == NULL) {
        f->missing++;
        break;
      }
  }
  return 0;
}

int sb__fleet_build(sb_fleet *f, char **paths, size_t n) {
  int rc;
  *f = (sb_fleet){0};
  for (size_t i = 0; i < n && i < SB_MERGE_MAX; i++) {
    if ((rc = sb__results_load(paths[i], &f->mach[i])) != 0)
      return rc;
    f->n = i + 1;
    make_label(f, i, paths[i]);
    const sb_rcell *fl = sb_results_cell(f->mach[i], SB_MERGE_FLOOR);
    sb_rstat st;
    if (fl != NULL && sb_rcell_stat(fl, "ns_per_op", &st) == 0)
      f->floor[i] = st.median;
  }
  if (build_rows(f) != 0) {
    fprintf(stderr, "switchbench: out of memory\n");
    return 1;
  }
  const sb_rcontext *c0 = &f->mach[0]->ctx;
  for (size_t i = 1; i < f->n; i++) {
    const sb_rcontext *c = &f->mach[i]->ctx;
    f->commits_differ |= strcmp(c->git_commit, c0->git_commit) != 0;
    f->matrices_differ |=
        c->quick != c0->quick || c->repetitions != c0->repetitions;
  }
  f->matrices_differ |= f->missing > 0;
  return 0;
}

void sb__fleet_free(sb_fleet *f) {
  for (size_t r = 0; r < f->nrows; r++)
    free(f->rows[r].m);
  free(f->rows);
  for (size_t i = 0; i < f->n; i++)
    sb_results_free(f->mach[i]);
  *f = (sb_fleet){0};
}
