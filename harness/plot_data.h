/* The data writers behind the plots (plot_data.c, plot_data_work.c): each
 * writes dir/<stem>.dat for plots/<stem>.gp and the gnuplot variables the
 * script needs, or says why its picture has nothing to show. They pick
 * cells by role and headline (face_internal.h), never by workload name. */
#ifndef SB_PLOT_DATA_H
#define SB_PLOT_DATA_H

#include <stdio.h>

#include "results_read.h"

/* Most runtimes a picture shows. */
#define SB_PD_MAX_RT 32
/* Most workloads a picture shows (series, panels). */
#define SB_PD_MAX_SERIES 8
/* Room for a bar's label. */
#define SB_PD_LABEL 64

/* Writes the data of plot i (see sb__plots) into dir and its gnuplot
 * variables ("a='x'; b=1") into vars. Returns 0, -ENODATA with the reason
 * in why when the run has none of its cells, or -errno. */
int sb__plot_data(size_t i, const sb_results *r, const char *dir, char *vars,
                  size_t vlen, char *why, size_t len);

/* One writer per picture, as sb__plot_data. */
int sb__pd_switch(const sb_results *r, const char *dir, char *vars, size_t vlen,
                  char *why, size_t len);
int sb__pd_spawn(const sb_results *r, const char *dir, char *vars, size_t vlen,
                 char *why, size_t len);
int sb__pd_io(const sb_results *r, const char *dir, char *vars, size_t vlen,
              char *why, size_t len);
int sb__pd_cpu(const sb_results *r, const char *dir, char *vars, size_t vlen,
               char *why, size_t len);
int sb__pd_pitfalls(const sb_results *r, const char *dir, char *vars,
                    size_t vlen, char *why, size_t len);

/* Fills out (room for SB_PD_MAX_RT) with the runtimes that have a cell of
 * workload, in display order; returns how many. */
size_t sb__pd_runtimes(const sb_results *r, const char *workload,
                       const char **out);
/* Adds runtime to out (n used, room for SB_PD_MAX_RT) in display order
 * unless it is there; returns the new count. */
size_t sb__pd_add_runtime(const char **out, size_t n, const char *runtime);
/* 1 when c is not NULL and has a figure for key. */
int sb__pd_has(const sb_rcell *c, const char *key);
/* Writes the header columns of the series ws[0..n) (" \"fib n:30\" lo hi"
 * each: its workload, its most common parameters and, with per_unit, what
 * one op is), then a newline; fills like[w] with the cell of each one's
 * most common parameters and rts (room for SB_PD_MAX_RT) with their
 * runtimes in display order. Returns how many runtimes. */
size_t sb__pd_series(FILE *f, const sb_results *r, const sb_rcell *const *ws,
                     size_t n, int per_unit, const sb_rcell **like,
                     const char **rts);
/* Writes s double-quoted for gnuplot (a '"' becomes '\''). */
void sb__pd_quoted(FILE *f, const char *s);
/* The cell whose parameters the most ok cells of workload share, or NULL. */
const sb_rcell *sb__pd_common(const sb_results *r, const char *workload);
/* Writes " median min max" of key in c times scale, or " ? ? ?" (gnuplot's
 * missing value) when c is NULL or lacks it. Returns 1 when written. */
int sb__pd_put(FILE *f, const sb_rcell *c, const char *key, double scale);
/* Opens dir/name for writing; NULL with -errno in *rc on failure. */
FILE *sb__pd_open(const char *dir, const char *name, int *rc);
/* Closes f; returns rc, or -EIO when rc was 0 and the close failed. */
int sb__pd_close(FILE *f, int rc);
/* The label of runtime's bars for workload: its name, plus its primitive
 * when that is not spawn+join ("rayon (join)"). */
void sb__pd_label(const sb_results *r, const char *workload,
                  const char *runtime, char *buf, size_t len);
/* ---- plot_sweep.c: the parameter a picture sweeps ---------------------- */

/* 1 when c has like's workload and parameter names in like's order. */
int sb__pd_same_names(const sb_rcell *c, const sb_rcell *like);
/* The swept parameter of like's workload: the one with the most distinct
 * values over its cells (the first on ties). *cov gets the parameters
 * that follow it (one value for each of its values: the matrix shrinks a
 * size as it grows the swept one). Returns its index in like->params, or
 * -1 when like has no parameter. */
int sb__pd_sweep(const sb_results *r, const sb_rcell *like, unsigned *cov);
/* 1 when c is like but for parameter x and those in cov. */
int sb__pd_same_but(const sb_rcell *c, const sb_rcell *like, int x,
                    unsigned cov);
/* like's workload and parameters but x and cov into buf: "echo b:64". */
void sb__pd_title_but(const sb_rcell *like, int x, unsigned cov, char *buf,
                      size_t len);
/* The ok cells of runtime like like but for x and cov, sorted by x, into
 * row (room for every cell of r). Returns how many. */
size_t sb__pd_sweep_row(const sb_results *r, const sb_rcell *like, int x,
                        unsigned cov, const char *runtime,
                        const sb_rcell **row);

/* Writes the reason a picture is skipped into why and returns -ENODATA. */
int sb__pd_skip(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
