/* A claim's evidence drawn as a small inline SVG, written directly: per
 * figure a panel of horizontal bars, one per cell, at its median, with a
 * whisker from its smallest to its largest repetition (the spread a
 * verdict must clear). A logarithmic axis when the figures span more than
 * 20x. Each label links to the cell's row in the table. */
#include <math.h>
#include <string.h>

#include "face_format.h"
#include "html.h"

#define W 720     /* width of the picture */
#define LABEL 300 /* the labels' column */
#define BAR 300   /* the bars' column */
#define ROW 18    /* one bar */
#define TITLE 20  /* a panel's title */

/* The axis of one panel: x of a value in [0, BAR]. */
typedef struct axis {
  int log;
  double lo, hi;
} axis;

static double x_of(const axis *a, double v) {
  double f;
  if (a->log)
    f = v > 0 ? log(v / a->lo) / log(a->hi / a->lo) : 0;
  else
    f = a->hi > 0 ? v / a->hi : 0;
  return LABEL + BAR * (f < 0 ? 0 : f > 1 ? 1 : f);
}

/* Panels: the distinct figures, in evidence order. Returns how many. */
static size_t panels(const sb_claim *c, const char **keys) {
  size_t n = 0;
  for (size_t i = 0; i < c->nev; i++) {
    size_t k = 0;
    while (k < n && strcmp(keys[k], c->ev[i].key) != 0)
      k++;
    if (k == n)
      keys[n++] = c->ev[i].key;
  }
  return n;
}

void sb__svg_claim(const sb_claim *c, const sb_results *r, FILE *out) {
  const char *keys[SB_CLAIM_MAXEV];
  size_t np = panels(c, keys), height = 4;
  if (c->nev == 0)
    return;
  for (size_t p = 0; p < np; p++) {
    height += TITLE;
    for (size_t i = 0; i < c->nev; i++)
      height += strcmp(c->ev[i].key, keys[p]) == 0 ? ROW : 0;
  }
  fprintf(out,
          "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\" "
          "aria-label=\"evidence of claim %s\">\n",
          W, height, W, height, c->id);
  size_t y = 4;
  for (size_t p = 0; p < np; p++) {
    axis a = {0, INFINITY, 0};
    for (size_t i = 0; i < c->nev; i++) {
      const sb_evidence *e = &c->ev[i];
      if (strcmp(e->key, keys[p]) != 0)
        continue;
      if (e->st.min > 0 && e->st.min < a.lo)
        a.lo = e->st.min;
      if (e->st.max > a.hi)
        a.hi = e->st.max;
    }
    a.log = isfinite(a.lo) && a.hi / a.lo > 20;
    if (a.log)
      a.lo /= 1.5, a.hi *= 1.5;
    else
      a.hi *= 1.05;
    fprintf(out, "<text x=\"4\" y=\"%zu\" class=\"pt\">%s%s</text>\n", y + 14,
            keys[p], a.log ? " (log scale)" : "");
    y += TITLE;
    for (size_t i = 0; i < c->nev; i++) {
      const sb_evidence *e = &c->ev[i];
      char m[32], lo[32], hi[32];
      if (strcmp(e->key, keys[p]) != 0)
        continue;
      double x0 = LABEL, xm = x_of(&a, e->st.median);
      double xl = x_of(&a, e->st.min), xh = x_of(&a, e->st.max);
      fprintf(out,
              "<a href=\"#cell-%zu\"><text x=\"%d\" y=\"%zu\" "
              "text-anchor=\"end\">",
              (size_t)(e->cell - r->cells), LABEL - 6, y + 13);
      sb__html_esc(out, e->cell->name);
      fprintf(out, "</text></a>\n");
      fprintf(out,
              "<rect x=\"%.1f\" y=\"%zu\" width=\"%.1f\" height=\"%d\" "
              "class=\"bar\"><title>%s: median %s, %s to %s over %zu "
              "repetitions</title></rect>\n",
              x0, y + 3, xm - x0 > 1 ? xm - x0 : 1, ROW - 6, e->cell->name,
              sb__ev_fmt(e, e->st.median, m, sizeof m),
              sb__ev_fmt(e, e->st.min, lo, sizeof lo),
              sb__ev_fmt(e, e->st.max, hi, sizeof hi), e->st.n);
      fprintf(out,
              "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%zu\" y2=\"%zu\" "
              "class=\"wh\"/>\n",
              xl, xh, y + ROW / 2, y + ROW / 2);
      fprintf(out, "<text x=\"%d\" y=\"%zu\">%s</text>\n", LABEL + BAR + 8,
              y + 13, m);
      y += ROW;
    }
  }
  fprintf(out, "</svg>\n");
}
