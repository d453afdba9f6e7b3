/* What the parts of the face share with each other (not part of face.h):
 * the summary's sections, plot rendering, and the figure each workload is
 * read by. */
#ifndef SB_FACE_INTERNAL_H
#define SB_FACE_INTERNAL_H

#include <stdio.h>

#include "face_format.h"
#include "results_read.h"

/* The figure a workload's headline is read by, with how to write it. */
typedef struct sb_figure {
  const char *key;  /* counter in the benchmark entries */
  const char *what; /* "per message", "p99 lateness", ... (may be NULL) */
  int bytes;        /* 1: a size in bytes; 0: a duration in ns; 2: a ratio */
} sb_figure;

/* The headline figure of a workload (ns_per_op for most; RSS per task for
 * million; late_p99_ns for timers and blocking). */
sb_figure sb__headline_figure(const char *workload);
/* The extra column of a workload's table (p99, efficiency, ...), key NULL
 * when it has none. */
sb_figure sb__extra_figure(const char *workload);
/* Writes v as the figure says into buf. */
char *sb__fmt_figure(sb_figure f, double v, char *buf, size_t len);

/* One line describing the machine and run. */
void sb__summary_machine(const sb_results *r, FILE *out);
/* The switch-cost table and a table per question with headline ratios;
 * markdown 1 writes Markdown. Returns 0 or -ENOMEM. */
int sb__summary_tables(const sb_results *r, FILE *out, int markdown);
/* The notes on noise and on cells that produced no number. Returns how
 * many notes were written. */
int sb__summary_notes(const sb_results *r, FILE *out, int markdown);

/* Which columns a summary row has beyond cell, figure, cv, context
 * switches and reps (summary_table.c). */
typedef struct sb_row_spec {
  int primitive; /* a primitive column; the figure says what it is per */
  int extra;     /* the workload's extra figure (p99, efficiency, ...) */
  int serial;    /* fib: the serial row of the language, and the difference */
} sb_row_spec;
/* Starts a table with the columns of spec; figure heads the figure column.
 * Returns 0 or -ENOMEM. */
int sb__summary_head(sb_table *t, const char *figure, const char *workload,
                     sb_row_spec spec);
/* Appends c's row to t (made by sb__summary_head with the same spec); sets
 * *single when its figure is a single repetition. 0 or -ENOMEM. */
int sb__summary_row(sb_table *t, const sb_results *r, const sb_rcell *c,
                    sb_row_spec spec, int *single);
/* The table per question, each with its other primitives and headlines. */
int sb__summary_questions(const sb_results *r, FILE *out, int md, int *single);

/* The report's fairness section (fairness.c); report is the report's path
 * (the link to PROTOCOL.md is relative to it). */
void sb__report_fairness(const sb_results *r, const char *report, FILE *out);

/* Renders the five plots of r into dir (created if needed): .dat files,
 * then PNG and SVG through gnuplot. Writes one line per plot to notes
 * (rendered, skipped and why). Returns 0, -ENOENT when gnuplot or the
 * scripts are missing, or another -errno. */
int sb__plot_render(const sb_results *r, const char *dir, FILE *notes);

/* The plots in the order they are rendered: file stem and title. */
typedef struct sb_plot_info {
  const char *stem;  /* "switch" -> switch.png, switch.svg, switch.gp */
  const char *title; /* the question it answers */
} sb_plot_info;
extern const sb_plot_info sb__plots[];
extern const size_t sb__nplots;

#endif
