/* The end-of-run summary: the machine, the tables (summary_model.c builds
 * them, summary_table.c prints them), and notes on how far the numbers can
 * be trusted. Also used, as Markdown, by report. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "face_format.h"
#include "face_internal.h"
#include "openloop_face.h"

/* A cell's figure differs by more than this between repetitions: noisy. */
#define NOISY_CV 0.10

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

/* The notes, as data: each a sentence. */
typedef struct notes {
  char text[8][640]; /* the notes */
  int n;             /* how many */
} notes;

static void note(notes *ns, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(notes *ns, const char *fmt, ...) {
  va_list ap;
  if (ns->n == (int)(sizeof ns->text / sizeof ns->text[0]))
    return;
  va_start(ap, fmt);
  vsnprintf(ns->text[ns->n++], sizeof ns->text[0], fmt, ap);
  va_end(ap);
}

/* How far the numbers can be trusted: noise, the machine, failures. */
static void build_notes(const sb_results *r, notes *ns) {
  const sb_rcontext *c = &r->ctx;
  size_t noisy = 0, failed = 0, maxreps = 0;
  char list[512] = "", flist[512] = "";
  ns->n = 0;
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
    note(ns,
         "noisy: %zu cell%s by more than %.0f%% "
         "between repetitions: %s%s",
         noisy, noisy == 1 ? " varies" : "s vary", NOISY_CV * 100, list,
         noisy > 4 ? ", ..." : "");
  if (c->cpu_scaling == 1)
    note(ns, "CPU frequency scaling is on: figures move with "
             "the clock (set the governor to performance for stable numbers)");
  if (c->virtualization[0] && strcmp(c->virtualization, "none") != 0 &&
      strcmp(c->virtualization, "unknown") != 0)
    note(ns,
         "running in a VM (%s): switches and wake-ups "
         "include the hypervisor, and other guests steal time",
         c->virtualization);
  if (maxreps == 1)
    note(ns, "one repetition per cell: figures are single "
             "iterations, not medians, and noise cannot be judged");
  else if (maxreps > 0 && maxreps < 5)
    note(ns,
         "only %zu repetitions per cell: too few to judge "
         "noise well (5 or more recommended)",
         maxreps);
  if (c->load_avg >= 0 && c->num_cpus > 0 && c->load_avg > 0.5 * c->num_cpus)
    note(ns,
         "load average %.2f on %d CPUs when the run "
         "started: something else was running",
         c->load_avg, c->num_cpus);
  if (c->complete == 0)
    note(ns, "the run is incomplete: %d of %d cells done", c->cells_done,
         c->cells_total);
  if (failed > 0)
    note(ns, "%zu cell%s produced no number: %s%s", failed,
         failed == 1 ? "" : "s", flist, failed > 4 ? ", ..." : "");
}

int sb__summary_notes(const sb_results *r, FILE *out, int md) {
  notes ns;
  build_notes(r, &ns);
  for (int i = 0; i < ns.n; i++)
    fprintf(out, "%s%s\n", md ? "- " : "  - ", ns.text[i]);
  return ns.n;
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
  if (sb__openloop_answer(r, SB_OPENLOOP_OBJECTIVE_NS, out, 0) != 0) {
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
