/* What the parts of the face share with each other (not part of face.h):
 * roles and figures, the summary's model, plot rendering. */
#ifndef SB_FACE_INTERNAL_H
#define SB_FACE_INTERNAL_H

#include <stdio.h>

#include "face_format.h"
#include "results_read.h"

/* ---- face_roles.c: what the face reads instead of workload names ----- */

/* The roles a workload declares (its kind, RESULTS.md): the face's whole
 * vocabulary for choosing cells. SB_ROLE_SPAWN is the role of making
 * tasks, spelled like the workload that has it, and named here once so
 * that the face's files hold no literal a workload's name could be. */
#define SB_ROLE_SWITCH "switch"
#define SB_ROLE_SPAWN "spawn"
#define SB_ROLE_MEMORY "memory"
#define SB_ROLE_CPU "cpu"
#define SB_ROLE_IO "io"
#define SB_ROLE_PITFALL "pitfall"

/* How a figure is printed (a cell's headline_unit). */
typedef enum sb_funit {
  SB_FU_NS = 0,   /* a duration in ns; lower is better */
  SB_FU_BYTES,    /* a size in bytes; lower is better */
  SB_FU_FRACTION, /* 0..1, printed as a percentage; higher is better */
} sb_funit;

/* A figure a cell is read by, with how to say and print it. */
typedef struct sb_figure {
  const char *key; /* the counter in the benchmark entries */
  char what[64];   /* "per message", "p99 lateness", ... */
  sb_funit unit;   /* how to print it */
} sb_figure;

/* The figure key of cell c, printed as unit ("ns", "bytes", "fraction"). */
sb_figure sb__figure_of(const sb_rcell *c, const char *key, const char *unit);
/* c's headline: the counter its workload declared, in its unit. */
sb_figure sb__headline(const sb_rcell *c);
/* 1 when c is read by ns_per_op (the figure every table has anyway). */
int sb__headline_is_ns_per_op(const sb_rcell *c);
/* Writes v as the figure says into buf. */
char *sb__fmt_figure(sb_figure f, double v, char *buf, size_t len);
/* The word for the worse of two figures: "slower", "later", "larger",
 * "lower". */
const char *sb__figure_worse(sb_figure f);
/* 1 when a is better than b (smaller, or larger for a fraction). */
int sb__figure_better(sb_figure f, double a, double b);

/* 1 when c (not a floor cell) has role kind. */
int sb__is_role(const sb_rcell *c, const char *kind);
/* The first cell of each workload of role kind, in file order (the
 * registry's order), into out (room for cap); returns how many. */
size_t sb__role_workloads(const sb_results *r, const char *kind,
                          const sb_rcell **out, size_t cap);
/* The first cell of role kind whose headline is headline (NULL: any):
 * the role's lead workload. NULL when the run has none. */
const sb_rcell *sb__role_lead(const sb_results *r, const char *kind,
                              const char *headline);
/* c's size: its first parameter's name ("" when none) and value (0). */
const char *sb__size_param(const sb_rcell *c);
double sb__size_of(const sb_rcell *c);
/* A pitfall's switch: the last parameter of like's workload that is 0 or
 * 1 in every cell of it, and both in some; NULL when there is none. */
const char *sb__toggle_param(const sb_results *r, const sb_rcell *like);
/* 1 when c's workload has serial rows (primitive serial) in r. */
int sb__has_serial(const sb_results *r, const sb_rcell *c);

/* One line describing the machine and run. */
void sb__summary_machine(const sb_results *r, FILE *out);
/* The switch-cost table and a table per question with headline ratios;
 * markdown 1 writes Markdown. Returns 0 or -ENOMEM. */
int sb__summary_tables(const sb_results *r, FILE *out, int markdown);
/* The notes on noise and on cells that produced no number. Returns how
 * many notes were written. */
int sb__summary_notes(const sb_results *r, FILE *out, int markdown);

/* ---- summary_model.c: the summary as data, before it is printed ------ */

/* Which columns a table has beyond cell, figure, cv, context switches and
 * reps. */
typedef struct sb_row_spec {
  int primitive; /* a primitive column; the figure says what it is per */
  int extra;     /* the headline, when it is not ns_per_op */
  int serial;    /* the serial row of the language, and the difference */
} sb_row_spec;

/* One row: a cell and its figures (medians over the repetitions). */
typedef struct sb_srow {
  const sb_rcell *cell;   /* the cell */
  int have;               /* 1: fig holds its ns_per_op */
  sb_rstat fig;           /* ns per op */
  int have_ctx;           /* 1: ctx holds a figure */
  double ctx;             /* OS context switches per op */
  int have_extra;         /* 1: extra holds the headline */
  sb_rstat extra;         /* the headline (spec.extra) */
  const sb_rcell *serial; /* its language's serial row (spec.serial), NULL */
  int have_serial;        /* 1: ser holds the serial row's ns_per_op */
  sb_rstat ser;           /* the serial row's ns per op */
} sb_srow;

/* One table of rows. */
typedef struct sb_stable {
  sb_row_spec spec; /* its columns */
  sb_figure extra;  /* the headline column (spec.extra) */
  sb_srow *rows;    /* the rows, in file order */
  size_t nrows;     /* entries in rows */
} sb_stable;

/* One headline: two cells of a workload compared on their headline. */
typedef struct sb_shead {
  const sb_rcell *a, *b; /* threads and single, else the worst and best */
  sb_figure f;           /* the figure compared */
  double va, vb;         /* their medians */
  char params[96];       /* "n:10000 on 1 CPU", "(largest n each)" */
} sb_shead;

/* One question: a workload's tables, the cells that gave no number, and
 * its headlines. */
typedef struct sb_squestion {
  const sb_rcell *lead;    /* its first cell: workload, question, unit */
  sb_stable main;          /* its spawn+join cells */
  sb_stable other;         /* its cells of another primitive */
  const sb_rcell **failed; /* its cells that are not ok */
  size_t nfailed;          /* entries in failed */
  sb_shead *heads;         /* its headlines */
  size_t nheads;           /* entries in heads */
} sb_squestion;

/* The summary's tables. */
typedef struct sb_summary {
  const sb_rcell *switch_lead; /* the switch workload beside the floor */
  sb_stable floor;             /* the floor and switch_lead's cells */
  sb_squestion *questions;     /* one per workload, in file order */
  size_t nquestions;           /* entries in questions */
  int single;                  /* a figure is a single repetition */
} sb_summary;

/* Builds the summary of r. Returns 0 or -ENOMEM (s freed). */
int sb__summary_build(const sb_results *r, sb_summary *s);
void sb__summary_free(sb_summary *s);
/* Prints s (summary_table.c); md 1 writes Markdown. 0 or -ENOMEM. */
int sb__summary_render(const sb_summary *s, FILE *out, int md);

/* The report's fairness section (fairness.c); report is the report's path
 * (the link to PROTOCOL.md is relative to it). */
void sb__report_fairness(const sb_results *r, const char *report, FILE *out);

/* Renders the five plots of r into dir (created if needed): .dat files,
 * then PNG and SVG through gnuplot. Writes one line per plot to notes
 * (rendered, skipped and why). Returns 0, -ENOENT when gnuplot or the
 * scripts are missing, or another -errno. */
int sb__plot_render(const sb_results *r, const char *dir, FILE *notes);

/* What plot and merge share (plot.c). The directory of the gnuplot
 * scripts ($SB_PLOTS_DIR, the source tree, or beside the executable) into
 * out: 0 or -ENOENT. */
int sb__plot_scripts(char *out, size_t len);
/* Creates dir and its missing parents: 0 or -errno. */
int sb__plot_mkdirs(const char *dir);
/* Copies s into dst as a gnuplot single-quoted string can hold it. */
void sb__plot_clean(char *dst, size_t len, const char *s);
/* Runs `gnuplot -e vars script`, its stderr into log: 0, -ENOENT (no
 * gnuplot) or -EIO (it failed). */
int sb__plot_gnuplot(const char *vars, const char *script, const char *log);
/* Creates dir and finds the scripts (into scripts, room len), saying in
 * one line of notes what failed. Returns 0 or -errno (-ENOENT: no
 * scripts). */
int sb__plot_prepare(const char *dir, char *scripts, size_t len, FILE *notes);
/* Draws dir/stem.png and .svg with script (scripts: the cleaned scripts
 * directory; caption cleaned; vars the picture's own variables) and says
 * so in one line of notes. Returns 0, -ENOENT (no gnuplot) or -errno. */
int sb__plot_draw(const char *script, const char *dir, const char *scripts,
                  const char *caption, const char *stem, const char *vars,
                  FILE *notes);

/* The plots in the order they are rendered: file stem and title. */
typedef struct sb_plot_info {
  const char *stem;  /* "switch" -> switch.png, switch.svg, switch.gp */
  const char *title; /* the question it answers */
} sb_plot_info;
extern const sb_plot_info sb__plots[];
extern const size_t sb__nplots;

#endif
