/* The small Markdown the face writes, as HTML: headings (## and ###),
 * lists (- ), tables (| a | b |, the |---| line dropped), paragraphs, and
 * inline `code`, **bold** and [text](link). Everything else is
 * text, escaped. Enough for the notes and the fairness section; not a
 * general Markdown reader. */
#include <string.h>

#include "html.h"

void sb__html_esc(FILE *out, const char *s) {
  for (; *s != '\0'; s++)
    switch (*s) {
    case '&':
      fputs("&amp;", out);
      break;
    case '<':
      fputs("&lt;", out);
      break;
    case '>':
      fputs("&gt;", out);
      break;
    case '"':
      fputs("&quot;", out);
      break;
    default:
      fputc(*s, out);
    }
}

/* Writes n bytes of s escaped. */
static void esc_n(FILE *out, const char *s, size_t n) {
  char buf[1024];
  while (n > 0) {
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, s, k);
    buf[k] = '\0';
    sb__html_esc(out, buf);
    s += k;
    n -= k;
  }
}

/* One line's inline marks, n bytes of s. */
static void inline_md(FILE *out, const char *s, size_t n) {
  const char *end = s + n;
  while (s < end) {
    const char *close;
    if (*s == '`' && (close = memchr(s + 1, '`', (size_t)(end - s - 1)))) {
      fputs("<code>", out);
      esc_n(out, s + 1, (size_t)(close - s - 1));
      fputs("</code>", out);
      s = close + 1;
    } else if (s[0] == '*' && s + 1 < end && s[1] == '*' &&
               (close = strstr(s + 2, "**")) != NULL && close < end) {
      fputs("<strong>", out);
      inline_md(out, s + 2, (size_t)(close - s - 2));
      fputs("</strong>", out);
      s = close + 2;
    } else if (*s == '[' && (close = memchr(s, ']', (size_t)(end - s))) &&
               close + 1 < end && close[1] == '(' &&
               memchr(close, ')', (size_t)(end - close))) {
      const char *rp = memchr(close, ')', (size_t)(end - close));
      fputs("<a href=\"", out);
      esc_n(out, close + 2, (size_t)(rp - close - 2));
      fputs("\">", out);
      inline_md(out, s + 1, (size_t)(close - s - 1));
      fputs("</a>", out);
      s = rp + 1;
    } else {
      esc_n(out, s, 1);
      s++;
    }
  }
}

/* A table line's cells, each through inline_md; th for the head. */
static void table_row(FILE *out, const char *s, size_t n, int head) {
  const char *end = s + n, *cell = s + 1;
  fputs("<tr>", out);
  while (cell < end) {
    const char *bar = memchr(cell, '|', (size_t)(end - cell));
    if (bar == NULL)
      break;
    const char *a = cell, *b = bar;
    while (a < b && *a == ' ')
      a++;
    while (b > a && b[-1] == ' ')
      b--;
    fputs(head ? "<th>" : "<td>", out);
    inline_md(out, a, (size_t)(b - a));
    fputs(head ? "</th>" : "</td>", out);
    cell = bar + 1;
  }
  fputs("</tr>\n", out);
}

void sb__md_html(const char *md, FILE *out) {
  enum { NONE, PARA, LIST, TABLE } in = NONE;
  int head = 0;
  for (const char *s = md; *s != '\0';) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    int blank = n == 0, item = n >= 2 && s[0] == '-' && s[1] == ' ';
    int row = n >= 1 && s[0] == '|', rule = row && n >= 4 && s[1] == '-';
    int hd = n >= 3 && s[0] == '#';
    /* Close what this line does not continue. */
    if ((in == LIST && !item) || (in == TABLE && !row) ||
        (in == PARA && (blank || item || row || hd))) {
      fputs(in == LIST    ? "</ul>\n"
            : in == TABLE ? "</table>\n"
                          : "</p>\n",
            out);
      in = NONE;
    }
    if (hd) {
      size_t level = 0;
      while (level < n && s[level] == '#')
        level++;
      fprintf(out, "<h%zu>", level);
      inline_md(out, s + level + 1, n - level - 1);
      fprintf(out, "</h%zu>\n", level);
    } else if (item) {
      if (in != LIST)
        fputs("<ul>\n", out);
      in = LIST;
      fputs("<li>", out);
      inline_md(out, s + 2, n - 2);
      fputs("</li>\n", out);
    } else if (row) {
      if (in != TABLE)
        fputs("<table class=\"md\">\n", out), head = 1;
      in = TABLE;
      if (!rule)
        table_row(out, s, n, head);
      head = 0;
    } else if (!blank) {
      if (in != PARA)
        fputs("<p>", out);
      else
        fputc(' ', out);
      in = PARA;
      inline_md(out, s, n);
    }
    s += n + (nl != NULL);
  }
  if (in != NONE)
    fputs(in == LIST ? "</ul>\n" : in == TABLE ? "</table>\n" : "</p>\n", out);
}
