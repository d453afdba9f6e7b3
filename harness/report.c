/* `switchbench report RESULTS.json [--out FILE]`: a Markdown page beside
 * the results: the machine, the talks' claims each with what this run
 * measured, its evidence and a verdict computed across the repetitions,
 * the notes, the fairness section, the plots and the tables; and beside
 * it the same as one self-contained HTML page (html_page.c). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claims.h"
#include "face.h"
#include "face_cli.h"
#include "face_internal.h"
#include "html.h"
#include "openloop_face.h"

static void machine(const sb_results *r, FILE *out) {
  sb_kv rows[16];
  size_t n = sb__machine_kv(r, rows, 16);
  fprintf(out, "## The machine\n\n| | |\n|---|---|\n");
  for (size_t i = 0; i < n; i++)
    fprintf(out,
            strcmp(rows[i].k, "command") == 0 ? "| %s | `%s` |\n"
                                              : "| %s | %s |\n",
            rows[i].k, rows[i].v);
  fputc('\n', out);
}

static void claims(const sb_results *r, FILE *out) {
  sb_claim cl[SB_NCLAIMS];
  sb__claims_judge(r, cl);
  sb__claims_markdown(cl, out);
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

/* The last component of p. */
static const char *base_of(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* 1 when a and b name files in the same directory. */
static int same_dir(const char *a, const char *b) {
  char da[PATH_MAX], db[PATH_MAX], ra[PATH_MAX], rb[PATH_MAX];
  snprintf(da, sizeof da, "%.*s", (int)(base_of(a) - a), a);
  snprintf(db, sizeof db, "%.*s", (int)(base_of(b) - b), b);
  return realpath(da[0] ? da : ".", ra) != NULL &&
         realpath(db[0] ? db : ".", rb) != NULL && strcmp(ra, rb) == 0;
}

/* The page beside the Markdown report md: STEM.html, linking the results
 * file json (by name when beside it, else by its full path), the Markdown
 * and inlining the plots of pdir. Returns 0 or 1 (said on stderr). */
static int write_html(const sb_results *r, const char *json, const char *md,
                      const char *pdir) {
  char page[PATH_MAX], stem[PATH_MAX], full[PATH_MAX];
  stem_of(md, ".md", stem, sizeof stem);
  if (snprintf(page, sizeof page, "%s.html", stem) >= (int)sizeof page) {
    fprintf(stderr, "switchbench: report path too long\n");
    return 1;
  }
  const char *link = json;
  if (same_dir(json, page))
    link = base_of(json);
  else if (realpath(json, full) != NULL)
    link = full;
  sb_html_links l = {.json = link,
                     .markdown = same_dir(md, page) ? base_of(md) : md,
                     .plots = pdir,
                     .page = page};
  FILE *out = fopen(page, "w");
  if (out == NULL) {
    fprintf(stderr, "switchbench: cannot write %s: %s\n", page,
            strerror(errno));
    return 1;
  }
  int rc = sb__html_write(r, &l, out);
  if (fclose(out) != 0 || rc != 0) {
    fprintf(stderr, "switchbench: cannot write %s\n", page);
    return 1;
  }
  return 0;
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
  if (write_html(r, path, report, pdir) != 0)
    goto cleanup;
  printf("report: %s and %s.html (plots in %s)\n", report, stem, pdir);
  rc = 0;
cleanup:
  if (out != NULL)
    fclose(out);
  sb_results_free(r);
  return rc;
}
