/* The fleet pictures: switch cost (as a multiple of each machine's kernel
 * floor), spawn, the lead io workload's headline and the speed-up of the
 * lead cpu workload, one series per machine, through plots/fleet.gp. Cells
 * are picked by role and headline, never by workload name. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "merge.h"

/* What one picture shows. */
typedef struct fleet_plot {
  const char *role;     /* the role its cells have (the floor too: switch) */
  const char *headline; /* the lead workload's headline; NULL: any */
  int lead_only;        /* 1: only the role's lead workload's cells */
  int logy;             /* 1: a log axis */
  int speedup;          /* 1: single's median over the cell's */
  const char *ylabel;   /* the y axis */
} fleet_plot;

static const fleet_plot plot_spec[] = {
    {SB_ROLE_SWITCH, NULL, 0, 1, 0,
     "x the floor of each machine (futex, same core)"},
    {SB_ROLE_SPAWN, "ns_per_op", 1, 1, 0, "ns per task (log scale)"},
    {SB_ROLE_IO, NULL, 1, 1, 0, "ns (log scale)"},
    {SB_ROLE_CPU, "ns_per_op", 1, 0, 1, "speed-up over single (x)"},
};

const sb_plot_info sb__fleet_plot_list[] = {
    {"fleet-switch", "Switch cost per machine, in multiples of its floor"},
    {"fleet-spawn", "What does starting a task cost, per machine?"},
    {"fleet-io", "The lead io workload's headline, per machine"},
    {"fleet-speedup", "Speed-up over single, per machine"},
};
const size_t sb__fleet_nplots =
    sizeof sb__fleet_plot_list / sizeof *sb__fleet_plot_list;

/* The role's lead cell on the first machine that has one, or NULL. */
static const sb_rcell *lead_of(const sb_fleet *f, const fleet_plot *p) {
  for (size_t i = 0; i < f->n; i++) {
    const sb_rcell *c = sb__role_lead(f->mach[i], p->role, p->headline);
    if (c != NULL)
      return c;
  }
  return NULL;
}

/* 1 when row belongs in picture p (lead: the role's lead cell). */
static int picks(const fleet_plot *p, const sb_rcell *lead,
                 const sb_mrow *row) {
  if (strcmp(p->role, SB_ROLE_SWITCH) == 0)
    return row->is_switch; /* every switch figure, the floor's too */
  if (lead == NULL || strcmp(row->lead->workload, lead->workload) != 0)
    return 0;
  return strcmp(p->role, SB_ROLE_SPAWN) != 0 || sb_rcell_spawn_join(row->lead);
}

/* Writes " med lo hi" of row on machine i as picture p draws it, or
 * " ? ? ?". Returns 1 when it wrote a figure. */
static int put(FILE *out, const sb_fleet *f, const fleet_plot *p,
               const sb_mrow *row, size_t i) {
  const sb_mfig *m = &row->m[i];
  double med = m->fig.median, lo = m->fig.min, hi = m->fig.max;
  if (!m->have || med <= 0)
    goto missing;
  if (row->is_switch && strcmp(p->role, SB_ROLE_SWITCH) == 0) {
    if (f->floor[i] <= 0)
      goto missing;
    med /= f->floor[i], lo /= f->floor[i], hi /= f->floor[i];
  } else if (p->speedup) {
    const sb_rcell *base =
        sb_results_find(f->mach[i], row->lead->workload, "single", m->cell);
    sb_rstat b;
    if (base == NULL || lo <= 0 || sb_rcell_stat(base, row->f.key, &b) != 0)
      goto missing;
    double l = b.median / hi, h = b.median / lo;
    med = b.median / med, lo = l, hi = h;
  }
  fprintf(out, " %g %g %g", med, lo, hi);
  return 1;
missing:
  fprintf(out, " ? ? ?");
  return 0;
}

/* Writes dir/stem.dat for picture k. Returns the figures written, or
 * -errno. */
static int write_data(const sb_fleet *f, size_t k, const char *dir, char *title,
                      size_t tlen) {
  const fleet_plot *p = &plot_spec[k];
  const sb_rcell *lead = lead_of(f, p);
  char path[PATH_MAX];
  int figures = 0;
  snprintf(title, tlen, "%s", sb__fleet_plot_list[k].title);
  if (lead != NULL && strcmp(p->role, SB_ROLE_SWITCH) != 0) {
    sb_figure fig = sb__headline(lead);
    snprintf(title, tlen, "%s, %s: %s", sb__fleet_plot_list[k].title,
             lead->workload, fig.what);
  }
  snprintf(path, sizeof path, "%s/%s.dat", dir, sb__fleet_plot_list[k].stem);
  FILE *out = fopen(path, "w");
  if (out == NULL)
    return -errno;
  fprintf(out, "cell");
  for (size_t i = 0; i < f->n; i++) {
    char clean[64];
    sb__plot_clean(clean, sizeof clean, f->label[i]);
    fprintf(out, " \"%s\" lo hi", clean);
  }
  fputc('\n', out);
  for (size_t r = 0; r < f->nrows; r++) {
    const sb_mrow *row = &f->rows[r];
    if (!picks(p, lead, row))
      continue;
    fprintf(out, "\"%s\"", row->name);
    for (size_t i = 0; i < f->n; i++)
      figures += put(out, f, p, row, i);
    fputc('\n', out);
  }
  if (fclose(out) != 0)
    return -errno;
  return figures;
}

int sb__fleet_plots(const sb_fleet *f, const char *dir, FILE *notes) {
  char scripts[PATH_MAX], cscripts[PATH_MAX];
  int rc = sb__plot_prepare(dir, scripts, sizeof scripts, notes), drawn = 0;
  if (rc != 0)
    return rc;
  char caption[512] = "machines:";
  for (size_t i = 0; i < f->n; i++) {
    size_t u = strlen(caption);
    snprintf(caption + u, sizeof caption - u, "%s %s", i ? "," : "",
             f->label[i]);
  }
  sb__plot_clean(caption, sizeof caption, caption);
  sb__plot_clean(cscripts, sizeof cscripts, scripts);
  for (size_t k = 0; k < sb__fleet_nplots; k++) {
    const char *stem = sb__fleet_plot_list[k].stem;
    char title[256], ctitle[256], ylabel[128], script[PATH_MAX + 16];
    char vars[1024];
    int n = write_data(f, k, dir, title, sizeof title);
    if (n <= 0) {
      fprintf(notes, "plot %s skipped: %s\n", stem,
              n == 0 ? "no machine has its cells" : strerror(-n));
      continue;
    }
    sb__plot_clean(ctitle, sizeof ctitle, title);
    sb__plot_clean(ylabel, sizeof ylabel, plot_spec[k].ylabel);
    snprintf(script, sizeof script, "%s/fleet.gp", scripts);
    snprintf(vars, sizeof vars,
             "stem='%s'; nseries=%zu; title='%s'; ylabel='%s'; logy=%d", stem,
             f->n, ctitle, ylabel, plot_spec[k].logy);
    rc = sb__plot_draw(script, dir, cscripts, caption, stem, vars, notes);
    if (rc == -ENOENT)
      return -ENOENT;
    if (rc != 0) {
      rc = 0;
      continue;
    }
    drawn |= 1 << k;
  }
  return drawn;
}
