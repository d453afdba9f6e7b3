/* A results file read back into C: the machine context, the cells of the
 * matrix and, per cell, its Google Benchmark entries (repetitions and
 * aggregates). Parsed with jansson; anything malformed is one clear error. */
#ifndef SB_RESULTS_READ_H
#define SB_RESULTS_READ_H

#include <stddef.h>

/* One numeric field of a benchmark entry (real_time, ns_per_op, p99_ns ...). */
typedef struct sb_rvalue {
  char *key;    /* the JSON key */
  double value; /* its value, finite */
} sb_rvalue;

/* One Google Benchmark entry of the "benchmarks" array. */
typedef struct sb_rentry {
  char *name;           /* "name" */
  char *run_name;       /* "run_name", or name when absent */
  int aggregate;        /* 1 when run_type is "aggregate" */
  char *aggregate_name; /* "mean", "median", "stddev", "cv", ... or "" */
  int error;            /* 1 when error_occurred is true */
  char *error_message;  /* the reason, "" when none */
  char *label;          /* "label", "" when none */
  sb_rvalue *values;    /* every numeric field, in file order */
  size_t nvalues;       /* entries in values */
} sb_rentry;

/* One named integer parameter of a cell (n:100000). */
typedef struct sb_rparam {
  char *name;   /* as in the cell name */
  double value; /* its value */
} sb_rparam;

/* One cell of the matrix: its switchbench_cells entry joined with the
 * benchmark entries whose run_name is the cell's name. */
typedef struct sb_rcell {
  char *name;             /* "pingpong/single/n:100000" */
  char *workload;         /* "pingpong", or "floor" for kernel baselines */
  char *runtime;          /* "single", or the mechanism for floor cells */
  char *question;         /* the question the workload answers, "" if unknown */
  char *unit;             /* what one op is, "op" if unknown */
  char *kind;             /* the workload's role: "switch", "spawn",
                             "memory", "cpu", "io", "pitfall" */
  char *headline;         /* the counter it is read by: "ns_per_op" ... */
  char *headline_unit;    /* "ns", "bytes" or "fraction" */
  char *source;           /* "switchbench", "floor", "peer" */
  char *status;           /* "ok", "failed", ... */
  char *reason;           /* why, when not ok */
  double seconds;         /* wall time of the cell, 0 if unknown */
  sb_rparam *params;      /* parameters in name order */
  size_t nparams;         /* entries in params */
  const sb_rentry **reps; /* run_type "iteration" entries without error */
  size_t nreps;           /* entries in reps */
  char *primitive;        /* what one task is: "spawn+join", "join",
                             "scope-spawn", "serial", "none" (floor) */
  char *peer;             /* "rust", "go"; "" for the suite's own cells */
  char *pin;              /* the cell's pinning policy, "" when unknown */
  char *cpus;             /* its CPU list "0,1", "" when none */
  int cpus_limit;         /* N of a trailing /cpus:N in the name, 0 none */
  double min_time;        /* seconds per repetition it ran with, -1 unknown */
  int repetitions;        /* repetitions it ran with, -1 unknown */
  int warmup;             /* untimed warm-up runs, -1 unknown */
  const sb_rentry *median; /* the "median" aggregate, or NULL */
  const sb_rentry *cv;     /* the "cv" aggregate, or NULL */
  const sb_rentry *error;  /* an entry with error_occurred, or NULL */
} sb_rcell;

/* The machine and run context (context + context.switchbench). Strings are
 * never NULL ("" when absent); numbers are -1 when absent. */
typedef struct sb_rcontext {
  char *date;           /* Google Benchmark's date */
  char *host_name;      /* host */
  int num_cpus;         /* Google Benchmark's CPU count */
  double mhz_per_cpu;   /* nominal MHz */
  int cpu_scaling;      /* 1 on, 0 off, -1 unknown */
  double load_avg;      /* 1-minute load average, -1 unknown */
  char *build_type;     /* library_build_type */
  int schema;           /* switchbench schema version */
  char *git_commit;     /* the suite's commit */
  char *cpu_model;      /* CPU model string */
  int cores;            /* physical cores */
  int pus;              /* hardware threads */
  int cpus_allowed;     /* CPUs the run's process could use, -1 unknown */
  char *topology;       /* one-line hwloc summary */
  char *kernel;         /* uname */
  char *compiler;       /* compiler and version */
  char *virtualization; /* "kvm", "none", "unknown", ... */
  char *pin;            /* pinning policy */
  int workers;          /* pool/steal worker count, 0 = per core */
  int quick;            /* 1 for the quick matrix */
  int repetitions;      /* repetitions asked for */
  char *command;        /* the command line of the run */
  int complete;         /* 1 when the run finished */
  int cells_total;      /* cells in the matrix */
  int cells_done;       /* cells finished */
} sb_rcontext;

typedef struct sb_results {
  char *path;         /* the file it was read from */
  sb_rcontext ctx;    /* machine and run */
  sb_rentry *entries; /* the "benchmarks" array */
  size_t nentries;    /* entries in entries */
  sb_rcell *cells;    /* cells in file order */
  size_t ncells;      /* entries in cells */
} sb_results;

/* Reads and validates a results file. Returns 0 and *out (free with
 * sb_results_free), or -EINVAL (malformed, foreign), -ENOMEM, or the
 * -errno of opening it, with a one-line reason (no newline) in why. */
int sb_results_read(const char *path, sb_results **out, char *why, size_t len);
/* The same from a buffer; name is used in messages. */
int sb_results_parse(const char *name, const char *buf, size_t buflen,
                     sb_results **out, char *why, size_t len);
void sb_results_free(sb_results *r);

/* Reads path or prints "switchbench: <reason>" on stderr. Returns 0, or 2
 * (the exit code for bad input). */
int sb__results_load(const char *path, sb_results **out);

/* Returns the cell named name, or NULL. */
const sb_rcell *sb_results_cell(const sb_results *r, const char *name);
/* Returns the value of key in e, or NULL when absent. */
const double *sb_rentry_value(const sb_rentry *e, const char *key);
/* Returns the value of parameter name of c, or def when absent. */
double sb_rcell_param(const sb_rcell *c, const char *name, double def);

/* Returns the first cell of workload on runtime whose parameters equal
 * like's (any parameters when like is NULL), or NULL. */
const sb_rcell *sb_results_find(const sb_results *r, const char *workload,
                                const char *runtime, const sb_rcell *like);
/* 1 when a and b have the same parameters (names, order and values). */
int sb_rcell_same_params(const sb_rcell *a, const sb_rcell *b);
/* Writes c's parameters as "n:100000 k:10" ("" when none) into buf. */
char *sb_rcell_params_str(const sb_rcell *c, char *buf, size_t len);
/* Display order of runtimes: threads, pool, single, steal, then the rest
 * (peers) in a fixed order. Smaller first. */
int sb_runtime_rank(const char *runtime);
/* 1 for a kernel-floor cell (no runtime: source floor). */
int sb_rcell_is_floor(const sb_rcell *c);
/* 1 for the OS-thread runtimes (a task is or runs on a blocking thread). */
int sb_runtime_is_thread(const char *runtime);

/* ---- results_primitive.c: what one task is, per cell ------------------ */

/* 1 when c's figures are per spawned task as the suite's own are
 * (primitive spawn+join): only such figures share a "per task" column. */
int sb_rcell_spawn_join(const sb_rcell *c);
/* A primitive in a few words: "join: stack job, no allocation". */
const char *sb_primitive_what(const char *primitive);
/* What one op is called for a primitive other than spawn+join ("fork"),
 * or NULL (the workload's own unit). */
const char *sb_primitive_unit(const char *primitive);
/* The fib/serial row of c's language (fib/serial for the suite's cells,
 * fib/serial-rust, fib/serial-go for peers) with c's parameters, or NULL. */
const sb_rcell *sb_results_serial(const sb_results *r, const sb_rcell *c);

/* One figure of a cell over its repetitions. */
typedef struct sb_rstat {
  double median; /* median aggregate, else median of the repetitions */
  double min;    /* smallest repetition (error bar low) */
  double max;    /* largest repetition (error bar high) */
  double cv;     /* coefficient of variation (fraction), -1 unknown */
  size_t n;      /* repetitions that carry the key */
  int single;    /* 1 when there was only one repetition to read */
} sb_rstat;

/* Computes key's figure for c. Returns 0, or -ENOENT when the cell is not
 * ok or no entry carries key. */
int sb_rcell_stat(const sb_rcell *c, const char *key, sb_rstat *out);
/* Fills vals (capacity cap) with key's value in each repetition and returns
 * how many there were. */
size_t sb_rcell_samples(const sb_rcell *c, const char *key, double *vals,
                        size_t cap);

#endif
