/* Figures with units and aligned or Markdown tables, for the summary, the
 * report and compare. */
#include "face_format.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Three significant digits: 2.10, 21.0, 210. */
static void sig3(double v, const char *unit, char *buf, size_t len) {
  double a = fabs(v);
  int prec = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  snprintf(buf, len, "%.*f %s", prec, v, unit);
}

char *sb__fmt_ns(double ns, char *buf, size_t len) {
  double a = fabs(ns);
  if (!isfinite(ns))
    snprintf(buf, len, "%g ns", ns);
  else if (a < 1e3)
    sig3(ns, "ns", buf, len);
  else if (a < 1e6)
    sig3(ns / 1e3, "µs", buf, len);
  else if (a < 1e9)
    sig3(ns / 1e6, "ms", buf, len);
  else
    sig3(ns / 1e9, "s", buf, len);
  return buf;
}

char *sb__fmt_bytes(double bytes, char *buf, size_t len) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = bytes;
  size_t u = 0;
  while (fabs(v) >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
    v /= 1024;
    u++;
  }
  if (u == 0)
    snprintf(buf, len, "%.0f B", v);
  else
    sig3(v, units[u], buf, len);
  return buf;
}

char *sb__fmt_num(double v, char *buf, size_t len) {
  double a = fabs(v);
  if (a >= 1e9)
    sig3(v / 1e9, "G", buf, len);
  else if (a >= 1e6)
    sig3(v / 1e6, "M", buf, len);
  else if (a >= 1e3)
    sig3(v / 1e3, "k", buf, len);
  else if (a == floor(a))
    snprintf(buf, len, "%.0f", v);
  else
    snprintf(buf, len, "%.3g", v);
  return buf;
}

char *sb__fmt_ratio(double r, char *buf, size_t len) {
  if (!isfinite(r))
    snprintf(buf, len, "-");
  else if (r >= 10)
    snprintf(buf, len, "%.0fx", r);
  else
    snprintf(buf, len, "%.2gx", r);
  return buf;
}

int sb__table_init(sb_table *t, size_t ncols, const char *const *head) {
  *t = (sb_table){.ncols = ncols};
  t->head = calloc(ncols, sizeof(*t->head));
  if (t->head == NULL)
    return -ENOMEM;
  for (size_t c = 0; c < ncols; c++)
    if ((t->head[c] = strdup(head[c])) == NULL)
      return -ENOMEM;
  return 0;
}

int sb__table_add(sb_table *t, const char *const *row) {
  if (t->nrows == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
    if (cells == NULL)
      return -ENOMEM;
    t->cells = cells;
    t->cap = cap;
  }
  char **dst = t->cells + t->nrows * t->ncols;
  for (size_t c = 0; c < t->ncols; c++) {
    dst[c] = strdup(row[c] != NULL ? row[c] : "-");
    if (dst[c] == NULL) {
      while (c-- > 0)
        free(dst[c]);
      return -ENOMEM;
    }
  }
  t->nrows++;
  return 0;
}

/* Columns on screen: UTF-8 continuation bytes take none. */
static size_t width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xc0) != 0x80;
  return w;
}

static void pad(FILE *out, size_t n) {
  while (n-- > 0)
    fputc(' ', out);
}

/* Markdown cells must not contain a bare '|'. */
static void md_cell(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '|')
      fputc('\\', out);
    fputc(*s, out);
  }
}

void sb__table_print(const sb_table *t, FILE *out, int markdown,
                     const char *indent) {
  size_t w[16] = {0};
  size_t nc = t->ncols < 16 ? t->ncols : 16;
  if (markdown) {
    for (size_t c = 0; c < nc; c++) {
      fputs("| ", out);
      md_cell(out, t->head[c]);
      fputs(" ", out);
    }
    fputs("|\n", out);
    for (size_t c = 0; c < nc; c++)
      fputs(c == 0 ? "|---" : "|---:", out);
    fputs("|\n", out);
    for (size_t r = 0; r < t->nrows; r++) {
      for (size_t c = 0; c < nc; c++) {
        fputs("| ", out);
        md_cell(out, t->cells[r * t->ncols + c]);
        fputs(" ", out);
      }
      fputs("|\n", out);
    }
    return;
  }
  for (size_t c = 0; c < nc; c++) {
    w[c] = width(t->head[c]);
    for (size_t r = 0; r < t->nrows; r++) {
      size_t x = width(t->cells[r * t->ncols + c]);
      w[c] = x > w[c] ? x : w[c];
    }
  }
  for (size_t r = 0; r <= t->nrows; r++) {
    char *const *row = r == 0 ? t->head : t->cells + (r - 1) * t->ncols;
    fputs(indent, out);
    for (size_t c = 0; c < nc; c++) {
      size_t x = width(row[c]);
      /* The first column reads left to right; figures line up right. */
      if (c > 0)
        pad(out, w[c] - x + 2);
      fputs(row[c], out);
      if (c == 0)
        pad(out, w[c] - x);
    }
    fputc('\n', out);
  }
}

void sb__table_free(sb_table *t) {
  for (size_t i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  if (t->head != NULL)
    for (size_t c = 0; c < t->ncols; c++)
      free(t->head[c]);
  free(t->head);
  *t = (sb_table){0};
}
