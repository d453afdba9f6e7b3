/* The fleet document as data, before it is written (private to merge*.c):
 * the results of many machines joined by cell name, each figure beside the
 * same cell on the first machine, and switch figures as multiples of each
 * machine's own kernel floor. */
#ifndef SB_MERGE_H
#define SB_MERGE_H

#include <stdio.h>

#include "face_internal.h"

/* Most machines one merge takes. */
#define SB_MERGE_MAX 32
/* The kernel floor every switch figure is divided by: one futex hand-off
 * between two threads on the same core, the cheapest switch the kernel
 * offers (PROTOCOL.md). */
#define SB_MERGE_FLOOR "floor/futex/same-core"

/* One cell on one machine. */
typedef struct sb_mfig {
  const sb_rcell *cell; /* the machine's cell; NULL when it has none */
  int have;             /* 1: fig holds the row's figure */
  sb_rstat fig;         /* the figure over the repetitions */
  double floor_x;       /* fig.median / the machine's floor; 0 when the row
                           is not a switch figure or there is no floor */
  int noise;            /* against machine 0: 1 within noise, 0 apart,
                           -1 not compared (machine 0, or a side missing) */
  double p;             /* the U test's p, -1 when it could not be run */
} sb_mfig;

/* One cell of the union, across the machines. */
typedef struct sb_mrow {
  const char *name;     /* the cell */
  const sb_rcell *lead; /* the first machine's cell of that name */
  sb_figure f;          /* the figure it is read by (lead's headline) */
  int is_switch;        /* 1: a switch figure, also read against the floor */
  sb_mfig *m;           /* one per machine */
} sb_mrow;

/* The fleet. */
typedef struct sb_fleet {
  size_t n;                       /* machines */
  sb_results *mach[SB_MERGE_MAX]; /* their results, in argument order */
  char label[SB_MERGE_MAX][64];   /* their names: the file's stem */
  double floor[SB_MERGE_MAX];     /* their SB_MERGE_FLOOR median, 0 absent */
  sb_mrow *rows;                  /* the union of cells, first seen first */
  size_t nrows;                   /* entries in rows */
  size_t missing;                 /* rows some machine lacks */
  size_t noise;                   /* figures within noise of machine 0 */
  int commits_differ;             /* the machines ran different commits */
  int matrices_differ;            /* ... different matrices */
} sb_fleet;

/* Loads paths[0..n) (n <= SB_MERGE_MAX) into f and computes the rows.
 * Returns 0; 2 after one line on stderr naming a file that is not a
 * results file; or 1 when out of memory. Free with sb__fleet_free. */
int sb__fleet_build(sb_fleet *f, char **paths, size_t n);
void sb__fleet_free(sb_fleet *f);

/* Writes the Markdown document; plots is the plot directory relative to
 * the document and drawn the pictures in it (bit k: sb__fleet_plot_list[k]).
 * Returns 0 or -ENOMEM. */
int sb__fleet_md(const sb_fleet *f, const char *plots, unsigned drawn,
                 FILE *out);
/* Writes the document as JSON into path. Returns 0 or -errno. */
int sb__fleet_json(const sb_fleet *f, const char *path);
/* Renders the fleet plots into dir, one line per plot into notes.
 * Returns the pictures drawn (bit k: sb__fleet_plot_list[k]), or a
 * negative errno. */
int sb__fleet_plots(const sb_fleet *f, const char *dir, FILE *notes);

/* The fleet pictures: file stem and title. */
extern const sb_plot_info sb__fleet_plot_list[];
extern const size_t sb__fleet_nplots;

#endif
