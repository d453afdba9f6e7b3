/* `switchbench report RESULTS.json [--out FILE]`: a Markdown page beside
 * the results: the machine, the talks' claims each with what this run
 * measured and a computed verdict, the notes, the fairness section, the
 * plots and the tables. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claims.h"
#include "face.h"
#include "face_cli.h"
#include "face_internal.h"
#include "openloop_face.h"

static void machine(const sb_results *r, FILE *out) {
  const sb_rcontext *c = &r->ctx;
  fprintf(out, "## The machine\n\n| | |\n|---|---|\n");
  fprintf(out, "| CPU | %s |\n", c->cpu_model[0] ? c->cpu_model : "unknown");
  fprintf(out, "| cores / hardware threads | %d / %d |\n", c->cores, c->pus);
  fprintf(out, "| topology | %s |\n", c->topology[0] ? c->topology : "-");
  fprintf(out, "| kernel | %s |\n", c->kernel[0] ? c->kernel : "-");
  fprintf(out, "| compiler | %s |\n", c->compiler[0] ? c->compiler : "-");
  /* Google Benchmark's own library_build_type: how libbenchmark was built
   * (Debian's package says "debug"), not how switchbench was. */
  fprintf(out, "| Google Benchmark library | %s build |\n", c->build_type);
  fprintf(out, "| virtualization | %s |\n",
          c->virtualization[0] ? c->virtualization : "unknown");
  fprintf(out, "| CPU frequency scaling | %s |\n",
          c->cpu_scaling == 1   ? "on"
          : c->cpu_scaling == 0 ? "off"
                                : "unknown");
  fprintf(out, "| pinning / workers | %s / %d%s |\n", c->pin[0] ? c->pin : "-",
          c->workers, c->workers == 0 ? " (one per core)" : "");
  fprintf(out,
          "| run | %s, %s matrix, %d repetition%s, %d of %d cells, %s "
          "|\n",
          c->date[0] ? c->date : "date unknown",
          c->quick == 1 ? "quick" : "full", c->repetitions,
          c->repetitions == 1 ? "" : "s", c->cells_done, c->cells_total,
          c->complete == 1 ? "complete" : "INCOMPLETE");
  fprintf(out, "| command | `%s` |\n| commit | %s |\n\n", c->command,
          c->git_commit);
}

static void claims(const sb_results *r, FILE *out) {
  sb_claim cl[SB_NCLAIMS];
  sb__claims_judge(r, cl);
  fprintf(out, "## The claims, checked\n\n"
               "Each claim comes from the talks this suite grew from; the "
               "verdict is computed from this run's medians.\n\n");
  for (int i = 0; i < SB_NCLAIMS; i++)
    fprintf(out,
            "%d. **Claim:** %s  \n   **Measured:** %s  \n   "
            "**Verdict:** %s.\n\n",
            i + 1, cl[i].claim, cl[i].measured, cl[i].verdict);
}

/* Renders the plots into plots_dir and embeds them by link (a path
 * relative to the report). */
static void plots(const sb_results *r, const char *plots_dir, const char *link,
                  FILE *out) {
  char *notes = NULL;
  size_t nlen = 0;
  FILE *nf = open_memstream(&notes, &nlen);
  int rc = nf ? sb__plot_render(r, plots_dir, nf) : -ENOMEM;
  if (nf != NULL)
    fclose(nf);
  fprintf(out, "## Plots\n\n");
  for (size_t i = 0; i < sb__nplots; i++) {
    char png[PATH_MAX];
    if (snprintf(png, sizeof png, "%s/%s.png", plots_dir, sb__plots[i].stem) <
            (int)sizeof png &&
        access(png, R_OK) == 0)
      fprintf(out,
              "### %s\n\n![%s](%s/%s.png)\n\n[SVG](%s/%s.svg), "
              "[data](%s/%s.dat)\n\n",
              sb__plots[i].title, sb__plots[i].title, link, sb__plots[i].stem,
              link, sb__plots[i].stem, link, sb__plots[i].stem);
  }
  if (notes != NULL && (rc != 0 || strstr(notes, "skipped") != NULL)) {
    fprintf(out, "Plot notes:\n\n");
    for (char *line = strtok(notes, "\n"); line; line = strtok(NULL, "\n"))
      if (strstr(line, "skipped") || strstr(line, "fail") ||
          strstr(line, "not found") || rc != 0)
        fprintf(out, "- %s\n", line);
    fputc('\n', out);
  }
  free(notes);
}

/* FILE.json -> FILE (without .json) */
static void stem_of(const char *path, const char *ext, char *out, size_t len) {
  size_t n = strlen(path), e = strlen(ext);
  if (n > e && strcmp(path + n - e, ext) == 0)
    n -= e;
  snprintf(out, len, "%.*s", (int)n, path);
}

int sb_cmd_report(int argc, char **argv) {
  const char *path, *outp;
  char report[PATH_MAX], stem[PATH_MAX], pdir[PATH_MAX + 8];
  sb_results *r = NULL;
  FILE *out = NULL;
  double objective_ns = SB_OPENLOOP_OBJECTIVE_NS;
  int rc = sb__cli_results_out("report", "FILE", argc, argv, &path, &outp,
                               &objective_ns);
  if (rc != 0)
    return rc;
  if ((rc = sb__results_load(path, &r)) != 0)
    return rc;
  stem_of(path, ".json", stem, sizeof stem);
  if (snprintf(report, sizeof report, outp ? "%s" : "%s.md",
               outp ? outp : stem) >= (int)sizeof report) {
    fprintf(stderr, "switchbench: report path too long\n");
    rc = 2;
    goto cleanup;
  }
  /* The plots sit beside the report: REPORT-plots/, linked relatively. */
  stem_of(report, ".md", stem, sizeof stem);
  snprintf(pdir, sizeof pdir, "%s-plots", stem);
  const char *link = strrchr(pdir, '/') ? strrchr(pdir, '/') + 1 : pdir;
  rc = 1;
  if ((out = fopen(report, "w")) == NULL) {
    fprintf(stderr, "switchbench: cannot write %s: %s\n", report,
            strerror(errno));
    goto cleanup;
  }
  fprintf(out, "# switchbench: threads or async, measured on %s\n\n",
          r->ctx.host_name[0] ? r->ctx.host_name : "this machine");
  fprintf(out,
          "Results: `%s`. Figures are medians over the repetitions "
          "(a single iteration where there was one repetition).\n\n",
          path);
  machine(r, out);
  claims(r, out);
  fprintf(out, "## How far to trust these numbers\n\n");
  if (sb__summary_notes(r, out, 1) == 0)
    fprintf(out, "- the machine looked quiet: nothing to flag\n");
  fputc('\n', out);
  sb__report_fairness(r, report, out);
  plots(r, pdir, link, out);
  if (sb__openloop_answer(r, objective_ns, out, 1) != 0)
    goto cleanup;
  fprintf(out, "## The tables\n\n");
  if (sb__summary_tables(r, out, 1) != 0) {
    fprintf(stderr, "switchbench: out of memory\n");
    goto cleanup;
  }
  if (fclose(out) != 0) {
    out = NULL;
    fprintf(stderr, "switchbench: cannot write %s\n", report);
    goto cleanup;
  }
  out = NULL;
  printf("report: %s (plots in %s)\n", report, pdir);
  rc = 0;
cleanup:
  if (out != NULL)
    fclose(out);
  sb_results_free(r);
  return rc;
}
