/* The fleet document in Markdown: warnings first, the machines' contexts
 * side by side, every cell against every machine (switch figures also as
 * a multiple of that machine's kernel floor), the noise, the plots. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mannwhitney.h"
#include "merge.h"

/* A context field of machine i as a string into buf. */
typedef void (*ctx_field)(const sb_fleet *f, size_t i, char *buf, size_t len);

static const char *or_unknown(const char *s) {
  return s[0] ? s : "unknown";
}

static void f_file(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", f->mach[i]->path);
}
static void f_host(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", or_unknown(f->mach[i]->ctx.host_name));
}
static void f_cpu(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", or_unknown(f->mach[i]->ctx.cpu_model));
}
static void f_cores(const sb_fleet *f, size_t i, char *b, size_t n) {
  const sb_rcontext *c = &f->mach[i]->ctx;
  if (c->cpus_allowed > 0)
    snprintf(b, n, "%d cores / %d PUs, %d allowed", c->cores, c->pus,
             c->cpus_allowed);
  else
    snprintf(b, n, "%d cores / %d PUs", c->cores, c->pus);
}
static void f_topo(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", or_unknown(f->mach[i]->ctx.topology));
}
static void f_kernel(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", or_unknown(f->mach[i]->ctx.kernel));
}
static void f_virt(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", or_unknown(f->mach[i]->ctx.virtualization));
}
static void f_scaling(const sb_fleet *f, size_t i, char *b, size_t n) {
  const sb_rcontext *c = &f->mach[i]->ctx;
  const char *s = c->cpu_scaling == 1   ? "on"
                  : c->cpu_scaling == 0 ? "off"
                                        : "unknown";
  if (c->mhz_per_cpu > 0)
    snprintf(b, n, "%s (%.0f MHz nominal)", s, c->mhz_per_cpu);
  else
    snprintf(b, n, "%s", s);
}
static void f_compiler(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%s", or_unknown(f->mach[i]->ctx.compiler));
}
static void f_commit(const sb_fleet *f, size_t i, char *b, size_t n) {
  snprintf(b, n, "%.12s", or_unknown(f->mach[i]->ctx.git_commit));
}
static void f_matrix(const sb_fleet *f, size_t i, char *b, size_t n) {
  const sb_rcontext *c = &f->mach[i]->ctx;
  snprintf(b, n, "%s, %d repetitions, %zu cells, pin %s",
           c->quick == 1 ? "quick" : "default", c->repetitions,
           f->mach[i]->ncells, or_unknown(c->pin));
}
static void f_date(const sb_fleet *f, size_t i, char *b, size_t n) {
  const sb_rcontext *c = &f->mach[i]->ctx;
  snprintf(b, n, "%s (load %.2f)", or_unknown(c->date), c->load_avg);
}
static void f_floor(const sb_fleet *f, size_t i, char *b, size_t n) {
  if (f->floor[i] > 0)
    sb__fmt_ns(f->floor[i], b, n);
  else
    snprintf(b, n, "not measured");
}

static const struct {
  const char *what;
  ctx_field get;
} fields[] = {
    {"file", f_file},
    {"host", f_host},
    {"CPU", f_cpu},
    {"cores", f_cores},
    {"topology", f_topo},
    {"kernel", f_kernel},
    {"virtualization", f_virt},
    {"frequency scaling", f_scaling},
    {"compiler", f_compiler},
    {"commit", f_commit},
    {"matrix", f_matrix},
    {"date", f_date},
    {"kernel floor (futex, same core)", f_floor},
};

/* A table whose first nfirst columns are named by first, then one column
 * per machine. Returns 0 or -ENOMEM. */
static int table_start(const sb_fleet *f, sb_table *t, const char *const *first,
                       size_t nfirst) {
  const char *head[2 + SB_MERGE_MAX];
  for (size_t i = 0; i < nfirst; i++)
    head[i] = first[i];
  for (size_t i = 0; i < f->n; i++)
    head[nfirst + i] = f->label[i];
  return sb__table_init(t, nfirst + f->n, head);
}

static int machines(const sb_fleet *f, FILE *out) {
  static const char *const first[] = {""};
  char buf[SB_MERGE_MAX][256];
  const char *row[1 + SB_MERGE_MAX];
  sb_table t;
  int rc = table_start(f, &t, first, 1);
  for (size_t k = 0; rc == 0 && k < sizeof fields / sizeof *fields; k++) {
    row[0] = fields[k].what;
    for (size_t i = 0; i < f->n; i++) {
      fields[k].get(f, i, buf[i], sizeof buf[i]);
      row[1 + i] = buf[i];
    }
    rc = sb__table_add(&t, row);
  }
  if (rc == 0) {
    fprintf(out, "## Machines\n\n");
    sb__table_print(&t, out, 1, "");
    fputc('\n', out);
  }
  sb__table_free(&t);
  return rc;
}

/* One machine's figure of a row, as the cells table shows it. */
static void figure_text(const sb_mrow *row, const sb_mfig *m, char *buf,
                        size_t len) {
  char v[32], x[32];
  if (m->cell == NULL) {
    snprintf(buf, len, "missing");
    return;
  }
  if (!m->have) {
    snprintf(buf, len, "%s",
             strcmp(m->cell->status, "ok") == 0 ? "no figure"
                                                : m->cell->status);
    return;
  }
  sb__fmt_figure(row->f, m->fig.median, v, sizeof v);
  if (m->floor_x > 0)
    snprintf(buf, len, "%s%s (%s floor)", m->noise == 1 ? "≈ " : "", v,
             sb__fmt_ratio(m->floor_x, x, sizeof x));
  else
    snprintf(buf, len, "%s%s", m->noise == 1 ? "≈ " : "", v);
}

static int cells(const sb_fleet *f, FILE *out) {
  static const char *const first[] = {"cell", "figure"};
  char buf[SB_MERGE_MAX][96];
  const char *row[2 + SB_MERGE_MAX];
  sb_table t;
  int rc = table_start(f, &t, first, 2);
  for (size_t r = 0; rc == 0 && r < f->nrows; r++) {
    const sb_mrow *mr = &f->rows[r];
    row[0] = mr->name;
    row[1] = mr->f.what;
    for (size_t i = 0; i < f->n; i++) {
      figure_text(mr, &mr->m[i], buf[i], sizeof buf[i]);
      row[2 + i] = buf[i];
    }
    rc = sb__table_add(&t, row);
  }
  if (rc != 0)
    goto cleanup;
  fprintf(out,
          "## Cells\n\n"
          "Each figure is the median over the cell's repetitions of the "
          "counter its workload is read by. A switch figure is also given "
          "as a multiple of that machine's own kernel floor (%s), so that "
          "a VM and a bare-metal host read on one scale. `≈` marks a "
          "figure within noise of %s's: a two-sided Mann-Whitney U test "
          "over the repetitions finds no difference (p >= %.2f), or, with "
          "too few repetitions for the test to tell, the min-max spreads "
          "overlap. `missing`: that machine has no such cell.\n\n",
          SB_MERGE_FLOOR, f->label[0], SB_UTEST_ALPHA);
  sb__table_print(&t, out, 1, "");
  fputc('\n', out);
cleanup:
  sb__table_free(&t);
  return rc;
}

static void warnings(const sb_fleet *f, FILE *out) {
  if (!f->commits_differ && !f->matrices_differ)
    return;
  fprintf(out, "## Warnings\n\n");
  if (f->commits_differ) {
    fprintf(out, "- **The machines ran different commits**:");
    for (size_t i = 0; i < f->n; i++)
      fprintf(out, "%s %s %.12s", i ? "," : "", f->label[i],
              or_unknown(f->mach[i]->ctx.git_commit));
    fprintf(out, ". A difference mixes code and machine.\n");
  }
  if (f->matrices_differ)
    fprintf(out,
            "- **The machines ran different matrices** (quick or default, "
            "repetitions, or cells: %zu of %zu cells are not on every "
            "machine and are shown as `missing`).\n",
            f->missing, f->nrows);
  fputc('\n', out);
}

static void noise(const sb_fleet *f, FILE *out) {
  fprintf(out, "## Noise\n\n");
  for (size_t i = 1; i < f->n; i++) {
    size_t both = 0, within = 0;
    for (size_t r = 0; r < f->nrows; r++) {
      both += f->rows[r].m[i].noise >= 0;
      within += f->rows[r].m[i].noise == 1;
    }
    fprintf(out,
            "- %s against %s: %zu of the %zu figures both have are within "
            "noise; the others differ beyond it.\n",
            f->label[i], f->label[0], within, both);
  }
  if (f->n < 2)
    fprintf(out, "- one machine: nothing to compare.\n");
  fputc('\n', out);
}

int sb__fleet_md(const sb_fleet *f, const char *plots, unsigned drawn,
                 FILE *out) {
  int rc;
  fprintf(out, "# switchbench fleet report\n\n%zu machine%s:", f->n,
          f->n == 1 ? "" : "s");
  for (size_t i = 0; i < f->n; i++)
    fprintf(out, "%s `%s` (%s)", i ? "," : "", f->label[i], f->mach[i]->path);
  fprintf(out, "; %zu cells in all.\n\n", f->nrows);
  warnings(f, out);
  if ((rc = machines(f, out)) != 0 || (rc = cells(f, out)) != 0)
    return rc;
  noise(f, out);
  if (drawn != 0) {
    fprintf(out, "## Plots\n\nOne series per machine (bars: min to max over "
                 "the repetitions).\n\n");
    for (size_t i = 0; i < sb__fleet_nplots; i++)
      if (drawn & (1u << i))
        fprintf(out, "![%s](%s/%s.png)\n\n", sb__fleet_plot_list[i].title,
                plots, sb__fleet_plot_list[i].stem);
  }
  return 0;
}
