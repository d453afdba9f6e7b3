/* The report's web page: self-contained (style, script and every plot
 * inline, nothing fetched), so it opens offline from a CI artifact. The
 * machine, the claims each with its verdict, evidence and plot, the notes
 * on trust, the fairness section, the gnuplot plots, and every cell in a
 * table to sort and filter; links to the results file and the Markdown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "face_internal.h"
#include "html.h"

size_t sb__machine_kv(const sb_results *r, sb_kv *rows, size_t cap) {
  const sb_rcontext *c = &r->ctx;
  size_t n = 0;
#define ROW(key, ...)                                                          \
  do {                                                                         \
    if (n < cap) {                                                             \
      snprintf(rows[n].k, sizeof rows[n].k, "%s", key);                        \
      snprintf(rows[n].v, sizeof rows[n].v, __VA_ARGS__);                      \
      n++;                                                                     \
    }                                                                          \
  } while (0)
  ROW("CPU", "%s", c->cpu_model[0] ? c->cpu_model : "unknown");
  ROW("cores / hardware threads", "%d / %d", c->cores, c->pus);
  ROW("topology", "%s", c->topology[0] ? c->topology : "-");
  ROW("kernel", "%s", c->kernel[0] ? c->kernel : "-");
  ROW("compiler", "%s", c->compiler[0] ? c->compiler : "-");
  /* Google Benchmark's own library_build_type: how libbenchmark was built
   * (Debian's package says "debug"), not how switchbench was. */
  ROW("Google Benchmark library", "%s build", c->build_type);
  ROW("virtualization", "%s",
      c->virtualization[0] ? c->virtualization : "unknown");
  ROW("CPU frequency scaling", "%s",
      c->cpu_scaling == 1   ? "on"
      : c->cpu_scaling == 0 ? "off"
                            : "unknown");
  ROW("pinning / workers", "%s / %d%s", c->pin[0] ? c->pin : "-", c->workers,
      c->workers == 0 ? " (one per core)" : "");
  ROW("run", "%s, %s matrix, %d repetition%s, %d of %d cells, %s",
      c->date[0] ? c->date : "date unknown", c->quick == 1 ? "quick" : "full",
      c->repetitions, c->repetitions == 1 ? "" : "s", c->cells_done,
      c->cells_total, c->complete == 1 ? "complete" : "INCOMPLETE");
  ROW("command", "%s", c->command);
  ROW("commit", "%s", c->git_commit);
#undef ROW
  return n;
}

static const char *state_class(sb_claim_state s) {
  switch (s) {
  case SB_CLAIM_HOLDS:
    return "v-holds";
  case SB_CLAIM_NOT:
    return "v-not";
  case SB_CLAIM_PARTLY:
    return "v-partly";
  case SB_CLAIM_UNDECIDED:
    return "v-undecided";
  default:
    return "v-none";
  }
}

static void claims(const sb_results *r, FILE *out) {
  sb_claim *cl = calloc(SB_NCLAIMS, sizeof(*cl));
  char rq[160];
  if (cl == NULL)
    return;
  sb__claims_judge(r, cl);
  fprintf(out,
          "<h2 id=\"claims\">The claims, checked</h2>\n<p>A verdict is "
          "decided only when the repetitions separate: the U test compare "
          "uses is significant (p &lt; 0.05) and every pair of repetitions "
          "lies on one side of the claim's threshold. Otherwise the claim "
          "is <em>undecided on this run</em>, and says what would decide "
          "it.</p>\n<table class=\"md\"><tr><th>#</th><th>claim</th>"
          "<th>verdict</th><th>headline ratio (spread over the repetitions)"
          "</th></tr>\n");
  for (int i = 0; i < SB_NCLAIMS; i++) {
    fprintf(out, "<tr><td>%d</td><td><a href=\"#claim-%s\">", i + 1, cl[i].id);
    sb__html_esc(out, cl[i].claim);
    fprintf(out, "</a></td><td class=\"badge\">%s</td><td>",
            sb__claim_state_word(cl[i].state));
    if (cl[i].have_ratio) {
      sb__html_esc(out, cl[i].ratio_what);
      fputs(": ", out);
      sb__html_esc(out, sb__cl_fmt_ratio(&cl[i].ratio, rq, sizeof rq));
    } else
      fputs("-", out);
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n", out);
  for (int i = 0; i < SB_NCLAIMS; i++) {
    const sb_claim *c = &cl[i];
    fprintf(out, "<section class=\"claim %s\" id=\"claim-%s\">\n<h3>%d. ",
            state_class(c->state), c->id, i + 1);
    sb__html_esc(out, c->claim);
    fputs("</h3>\n<p><strong>Verdict:</strong> <span class=\"verdict\">", out);
    sb__html_esc(out, c->verdict);
    fputs("</span></p>\n<p><strong>Measured:</strong> ", out);
    sb__html_esc(out, c->measured);
    fputs("</p>\n", out);
    fputs("<p><strong>How it is judged:</strong> ", out);
    sb__html_esc(out, c->rule);
    fputs(".</p>\n", out);
    if (c->decide[0]) {
      fputs("<p><strong>What would decide it:</strong> ", out);
      sb__html_esc(out, c->decide);
      fputs(".</p>\n", out);
    }
    if (c->nev > 0) {
      fputs("<p><strong>Cells used:</strong> ", out);
      for (size_t k = 0; k < c->nev; k++) {
        fprintf(out, "%s<a href=\"#cell-%zu\">", k ? ", " : "",
                (size_t)(c->ev[k].cell - r->cells));
        sb__html_esc(out, c->ev[k].cell->name);
        fputs("</a>", out);
      }
      fputs("</p>\n", out);
      sb__svg_claim(c, r, out);
    }
    fputs("</section>\n", out);
  }
  free(cl);
}

/* What md_of writes, captured and rendered as HTML. */
static int md_section(FILE *out, const sb_results *r, const char *page,
                      int fairness) {
  char *md = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&md, &len);
  if (f == NULL)
    return -ENOMEM;
  if (fairness)
    sb__report_fairness(r, page, f);
  else if (sb__summary_notes(r, f, 1) == 0)
    fputs("- the machine looked quiet: nothing to flag\n", f);
  fclose(f);
  if (md == NULL)
    return -ENOMEM;
  sb__md_html(md, out);
  free(md);
  return 0;
}

/* The gnuplot plots rendered beside the Markdown, inlined from their SVG
 * (from the <svg element on: no XML prologue inside HTML). */
static void plots(const char *dir, FILE *out) {
  int any = 0;
  for (size_t i = 0; dir != NULL && dir[0] && i < sb__nplots; i++) {
    char path[4096], *svg = NULL;
    size_t cap = 0;
    snprintf(path, sizeof path, "%s/%s.svg", dir, sb__plots[i].stem);
    FILE *f = fopen(path, "r");
    if (f == NULL)
      continue;
    ssize_t n = getdelim(&svg, &cap, '\0', f);
    fclose(f);
    char *at = n > 0 ? strstr(svg, "<svg") : NULL;
    if (at != NULL) {
      if (!any)
        fputs("<h2 id=\"plots\">Plots</h2>\n", out);
      any = 1;
      fputs("<h3>", out);
      sb__html_esc(out, sb__plots[i].title);
      fprintf(out, "</h3>\n<div class=\"gp\">%s</div>\n", at);
    }
    free(svg);
  }
}

int sb__html_write(const sb_results *r, const sb_html_links *l, FILE *out) {
  sb_kv rows[16];
  size_t n = sb__machine_kv(r, rows, 16);
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
        "\n<title>switchbench: threads or async, measured</title>\n<style>",
        out);
  fputs(sb__html_css, out);
  fputs("</style>\n</head>\n<body>\n<h1>switchbench: threads or async, "
        "measured on ",
        out);
  sb__html_esc(out, r->ctx.host_name[0] ? r->ctx.host_name : "this machine");
  fputs("</h1>\n<p>", out);
  if (l->json && l->json[0]) {
    fputs("Results: <a href=\"", out);
    sb__html_esc(out, l->json);
    fputs("\">", out);
    sb__html_esc(out, l->json);
    fputs("</a> (JSON). ", out);
  }
  if (l->markdown && l->markdown[0]) {
    fputs("The same report in <a href=\"", out);
    sb__html_esc(out, l->markdown);
    fputs("\">Markdown</a>. ", out);
  }
  fputs("Figures are medians over the repetitions; spreads run from the "
        "smallest to the largest repetition.</p>\n<pre id=\"selftest\">"
        "</pre>\n<h2 id=\"machine\">The machine</h2>\n<table class=\"md\">\n",
        out);
  for (size_t i = 0; i < n; i++) {
    fputs("<tr><th>", out);
    sb__html_esc(out, rows[i].k);
    fputs("</th><td>", out);
    sb__html_esc(out, rows[i].v);
    fputs("</td></tr>\n", out);
  }
  fputs("</table>\n", out);
  claims(r, out);
  fputs("<h2 id=\"trust\">How far to trust these numbers</h2>\n", out);
  if (md_section(out, r, l->page, 0) != 0 || md_section(out, r, l->page, 1))
    return -ENOMEM;
  plots(l->plots, out);
  fputs("<h2 id=\"every-cell\">Every cell</h2>\n", out);
  sb__html_cells(r, out);
  fprintf(out, "<script>%s</script>\n</body>\n</html>\n", sb__html_js);
  return ferror(out) ? -EIO : 0;
}
