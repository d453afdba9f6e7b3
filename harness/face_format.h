/* How the face writes figures and tables: durations, sizes and ratios with
 * units, and tables printed aligned for a terminal or as Markdown. */
#ifndef SB_FACE_FORMAT_H
#define SB_FACE_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* Each writes into buf (len >= 16) and returns buf. */
char *sb__fmt_ns(double ns, char *buf, size_t len);       /* "2.10 µs" */
char *sb__fmt_bytes(double bytes, char *buf, size_t len); /* "8.0 KiB" */
char *sb__fmt_num(double v, char *buf, size_t len);       /* "3.5 M" */
char *sb__fmt_ratio(double r, char *buf, size_t len);     /* "75x" */

/* A table of strings with a header row. */
typedef struct sb_table {
  size_t ncols; /* columns */
  size_t nrows; /* data rows */
  size_t cap;   /* rows allocated */
  char **cells; /* nrows * ncols owned strings, row-major */
  char **head;  /* ncols owned header strings */
} sb_table;

/* Starts a table with header head (ncols strings). Returns 0 or -ENOMEM. */
int sb__table_init(sb_table *t, size_t ncols, const char *const *head);
/* Appends a row of ncols strings (NULL prints "-"). Returns 0 or -ENOMEM. */
int sb__table_add(sb_table *t, const char *const *row);
/* Prints t with columns aligned (markdown 0, each line prefixed by indent)
 * or as a Markdown table (markdown 1). */
void sb__table_print(const sb_table *t, FILE *out, int markdown,
                     const char *indent);
void sb__table_free(sb_table *t);

#endif
