/* The end-of-run summary: the machine, the kernel floor next to pingpong,
 * a table per question with the headline ratios spelled out
 * (summary_table.c), and notes on how far the numbers can be trusted. Also
 * used, as Markdown, by report. */
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
      if ((rc = sb__summary_row(&t, r, c, (sb_row_spec){0}, single)) != 0)
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

int sb__summary_tables(const sb_results *r, FILE *out, int markdown) {
  int single = 0, rc;
  if ((rc = switch_table(r, out, markdown, &single)) != 0 ||
      (rc = sb__summary_questions(r, out, markdown, &single)) != 0)
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
