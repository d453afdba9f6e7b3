/* One cell's body inside Google Benchmark, private to the harness: the
 * tallies and standard counters of one Google Benchmark call, the work
 * check, a C cell (the workload runner) and the fib/serial row. harness.h
 * includes it. */
#ifndef SB_HARNESS_CELL_H
#define SB_HARNESS_CELL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "gbench.h"
#include "runtimes/core/sb.h"
#include "workloads/runner.h"

typedef struct sb_cell sb_cell; /* harness.h */

/* ---- tally.c: the standard counters of one Google Benchmark call ------- */

/* Sets ns_per_op, items_per_second, ctx_switches_per_op and peak_rss_bytes
 * from the totals of one call, and peak_rss_reset = 0 when the peak could
 * not be reset at the call's start. */
void sb__counters_standard(sb_counters *c, double seconds, int64_t ops,
                           uint64_t ctx_switches, double peak_rss,
                           int peak_reset);
/* The tallies of one Google Benchmark call of a body that makes timed
 * runs (a C cell, the serial row, a peer's echo server). */
typedef struct sb_tally {
  char error[SB_REASON_LEN]; /* why the cell cannot run; "" when it can */
  int64_t ns;                /* timed ns in this call */
  uint64_t switches;         /* context switches in this call's runs */
  int peak_reset;            /* 1: the peak RSS was reset at the start */
} sb_tally;
/* One run of a body: 0, or -1 with the reason. */
typedef int (*sb_run_fn)(void *arg, char *why, size_t len);
/* The start of a call: -1 with the cell's error when it cannot run; else
 * the tallies zeroed and this process's peak RSS reset. */
int sb__tally_begin(sb_tally *t, char *why, size_t len);
/* Runs run(arg) n times. A failure is kept in t->error, so that the
 * following calls report it at once, and returns -1; else *seconds gets
 * the timed seconds the n runs added. */
int sb__tally_batch(sb_tally *t, sb_run_fn run, void *arg, int64_t n,
                    double *seconds, char *why, size_t len);
/* The warm-up (PROTOCOL.md 1): one run, untimed as far as any call is
 * concerned; a failure becomes t->error. */
void sb__tally_warmup(sb_tally *t, sb_run_fn run, void *arg);
/* The standard counters of the call, with this process's peak RSS. */
void sb__tally_counters(const sb_tally *t, int64_t ops, sb_counters *c);
/* Resets the process's peak RSS (writes 5 to /proc/self/clear_refs).
 * Returns 1 when the kernel took it, 0 when it refused. */
int sb__peak_rss_reset(void);
/* The peak RSS in bytes since the last reset (VmHWM) when reset is 1,
 * else since the process started (getrusage ru_maxrss). */
double sb__peak_rss_bytes(int reset);

/* ---- work_check.c: equal work, verified (PROTOCOL.md 4) ---------------- */

/* Checks the work counters of every repetition entry in entries (a JSON
 * array) against iterations x c->w->work(params); a counter the workload
 * defines must be present. Cells with no closed form (floor, primitive
 * serial, a workload without work) pass. Returns 0, or -1 with the reason
 * ("work: 1998 tasks per run, expected 2000"). */
int sb__work_check(json_t *entries, const sb_cell *c, char *why, size_t len);

/* ---- cell.c: one C cell in this process -------------------------------- */

/* A C cell ready to run: the workload runner (workloads/runner.h) with the
 * runtime open, the workload set up and warmed up, or the reason it cannot
 * run (reported through Google Benchmark as an error); and the time,
 * context switches and peak RSS of one Google Benchmark call. */
typedef struct sb_cell_run {
  sb_gb_body body; /* what Google Benchmark calls */
  sb_runner run;   /* the workload on its runtime */
  sb_tally t;      /* this call's tallies, or why it cannot run */
} sb_cell_run;

/* Opens c's runtime with cfg, sets up its workload and runs the warm-up. */
void sb__cell_open(sb_cell_run *r, const sb_cell *c, const sb_config *cfg);
/* Tears down the workload and closes the runtime. */
void sb__cell_close(sb_cell_run *r);

/* ---- fib_serial.c: the fib/serial row ---------------------------------- */

/* The leaf work of fib alone: the same tree walked by plain recursion, no
 * runtime; ops = the tasks fib would spawn (sb_fib_tasks). */
typedef struct sb_serial_run {
  sb_gb_body body;   /* what Google Benchmark calls */
  int n, cutoff;     /* the parameters */
  int64_t ops;       /* tasks per run */
  uint64_t want;     /* fib(n) */
  sb_tally t;        /* this call's tallies, or why it cannot run */
  uint64_t last_out; /* the output of the last run */
} sb_serial_run;

/* Prepares the row of cell c (source SERIAL) and runs the warm-up. */
void sb__serial_open(sb_serial_run *r, const sb_cell *c);

#endif /* SB_HARNESS_CELL_H */
