/* The report as a web page: one self-contained HTML file beside the
 * Markdown (styles, script and plots inline; nothing fetched), with the
 * machine, the claims and their evidence, the notes, the fairness section
 * and every cell in a table a reader can sort and filter. */
#ifndef SB_HTML_H
#define SB_HTML_H

#include <stdio.h>

#include "claims.h"
#include "results_read.h"

/* Where the page links to, relative to the page ("" or NULL: no link). */
typedef struct sb_html_links {
  const char *json;     /* the results file */
  const char *markdown; /* the Markdown report */
  const char *plots;    /* the directory of the gnuplot plots (inlined) */
  const char *page;     /* the page's own path (for the protocol link) */
} sb_html_links;

/* Writes the page of results set r to out. Returns 0 or -ENOMEM. A fleet
 * merge passes its merged set the same way. */
int sb__html_write(const sb_results *r, const sb_html_links *links, FILE *out);

/* One row of the machine table: what and its value. */
typedef struct sb_kv {
  char k[48];
  char v[640];
} sb_kv;
/* The machine and run as rows (shared by the Markdown and the page).
 * Returns how many were written (at most cap). */
size_t sb__machine_kv(const sb_results *r, sb_kv *rows, size_t cap);

/* ---- html_md.c ---------------------------------------------------- */
/* Writes s with &, <, >, " escaped. */
void sb__html_esc(FILE *out, const char *s);
/* Renders the Markdown the face writes (headings, lists, tables,
 * paragraphs, `code`, **bold**, [links](..)) as HTML. */
void sb__md_html(const char *md, FILE *out);

/* ---- html_svg.c --------------------------------------------------- */
/* The claim's evidence as a small inline SVG: a bar per cell at its
 * median, a whisker from its smallest to its largest repetition, one
 * panel per figure, each label linked to its cell's row. */
void sb__svg_claim(const sb_claim *c, const sb_results *r, FILE *out);

/* ---- html_cells.c ------------------------------------------------- */
/* The table of every cell (rows id "cell-N", N its index in r). */
void sb__html_cells(const sb_results *r, FILE *out);
/* The page's style sheet and script (the sort, the filter and the
 * #selftest hook the browser test drives). */
extern const char sb__html_css[];
extern const char sb__html_js[];

#endif
