/* The harness's internal interfaces: cells and their names, the kernel
 * floor, the machine context, child processes under a watchdog, the results
 * document, progress and peers (and, through cell.h, one cell's body). Only
 * the harness's own C files include it. */
#ifndef SB_HARNESS_H
#define SB_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cell.h"
#include "gbench.h"
#include "harness/registry/registry.h"
#include "runtimes/core/sb.h"
#include "workloads/oslimits.h"
#include "workloads/runner.h"
#include "workloads/workload.h"

#define SB_CELL_NAME_LEN 192

/* Where a cell comes from: the suite's own runtimes, the kernel floor, or a
 * peer binary (Rust, Go). */
typedef enum sb_source {
  SB_SOURCE_C = 0,
  SB_SOURCE_FLOOR,
  SB_SOURCE_PEER,
  SB_SOURCE_SERIAL, /* fib/serial: the leaf work alone, no runtime */
} sb_source;

/* What one unit of work_tasks is (PROTOCOL.md 7), as cells record it. */
#define SB_PRIMITIVE_LEN 16
#define SB_PRIM_SPAWN_JOIN "spawn+join"
#define SB_PRIM_SERIAL "serial"
/* Most CPUs a cell's list holds. */
#define SB_MAX_CPUS 1024

/* One cell of the matrix. */
typedef struct sb_cell {
  char name[SB_CELL_NAME_LEN]; /* "pingpong/single/n:100000" */
  sb_source source;            /* who runs it */
  const sb_workload *w;        /* the workload; NULL for floor cells */
  char runtime[32];            /* runtime, peer runtime or floor mechanism */
  sb_params params;            /* parameters in name order */
  int workers;                 /* sb_config.workers (0 = per core) */
  int workers_in_name;         /* 1 when the name ends in /workers:N */
  int cpus_n;                  /* N of a trailing /cpus:N, 0 = none */
  int peer;                    /* index into the peers table (peer cells) */
  char primitive[SB_PRIMITIVE_LEN]; /* SB_PRIM_*, "join", "scope-spawn" */
} sb_cell;

/* The settings of one matrix run. */
typedef struct sb_run_opts {
  int quick;       /* the quick matrix */
  int smoke;       /* one iteration of each workload's first quick set */
  int repetitions; /* Google Benchmark repetitions per cell */
  double min_time; /* seconds per repetition (the sum of its timed runs) */
  int timeout;     /* seconds before a cell is killed */
  sb_pin pin;      /* worker pinning policy */
  int workers;     /* the first --workers value (0 = per core) */
  int plots;       /* render plots and the report afterwards */
  int peers;       /* 1 run peers when present, 0 --no-peers */
} sb_run_opts;

/* ---- cell_name.c: cell names ----------------------------------------- */

/* Formats "workload/runtime/p:v/..." into buf; "/workers:N" is appended
 * when name_workers >= 0, then "/cpus:N" when cpus_n > 0. */
void sb__cell_format(char *buf, size_t len, const char *workload,
                     const char *runtime, const sb_params *ps, int name_workers,
                     int cpus_n);
/* Parses a cell name into c (source C, FLOOR or SERIAL; peer runtimes when
 * allow_peer). Returns 0, or -EINVAL with a one-line reason. */
int sb__cell_parse(const char *name, int allow_peer, sb_cell *c, char *why,
                   size_t len);

/* ---- cell_main.c: `switchbench cell` ----------------------------------- */

/* `switchbench cell NAME [--json FILE] ...`: runs one cell through Google
 * Benchmark and writes its JSON. Returns an exit code. */
int sb__cell_main(int argc, char **argv);

/* ---- confine.c: CPU lists and confinement (PROTOCOL.md 7) -------------- */

/* The CPU list of cell c under pin: with /cpus:N the first N CPUs of the
 * policy's order (compact when pin is none); else, when pin is not none,
 * the CPU of each of the cell's workers (workers 0: one per core). Writes
 * up to cap OS indices into cpus and returns how many (0: no list), or
 * -errno. */
int sb__cell_cpus(const sb_cell *c, sb_pin pin, int *cpus, int cap);
/* Writes "0,1,2" into buf ("" for none). */
void sb__cpus_format(const int *cpus, int n, char *buf, size_t len);
/* The worker count cell c runs with: its workers, or one per core. */
int sb__cell_workers(const sb_cell *c);
/* The CPU (OS number) of the load generator that drives cell c's server
 * when that server has workers threads (0: a thread per task), or -1 for
 * unbound (PROTOCOL.md 6): the last PU when the workers leave it free;
 * unbound in a confined cell (/cpus:N), whose every thread stays inside. */
int sb__loadgen_cpu(const sb_cell *c, int workers);

/* ---- floor.c: kernel baselines, no runtime --------------------------- */

typedef struct sb_floor_cell {
  const char *name;     /* "floor/futex/same-core" */
  const char *question; /* what it measures, for `list` */
} sb_floor_cell;

/* NULL-name-terminated table of the floor cells. */
extern const sb_floor_cell sb__floor_cells[];
/* Fills body for floor cell name. Returns 0, or -EINVAL if unknown. */
int sb__floor_body(const char *name, sb_gb_body *body);

/* ---- machine.c: the machine context ---------------------------------- */

typedef struct sb_machine {
  char host[128];      /* host name */
  char date[40];       /* local time, ISO 8601 with offset */
  char cpu_model[128]; /* CPU model string */
  int cores;           /* physical cores (hwloc) */
  int pus;             /* processing units (hwloc) */
  int num_cpus;        /* online CPUs (sysconf) */
  int cpus_allowed;    /* CPUs this process may use (its affinity mask:
                          taskset, cgroup cpusets), num_cpus if unknown */
  char topology[128];  /* hwloc one-line summary */
  char kernel[256];    /* "Linux 6.1.0-... x86_64" */
  char compiler[96];   /* "gcc 12.2.0" */
  char virt[16];       /* "kvm", "none", "unknown", ... */
} sb_machine;

void sb__machine_get(sb_machine *m);
/* Adds the machine to Google Benchmark's custom context (switchbench_*). */
void sb__machine_add_context(const sb_machine *m, const char *pin);
/* The machine part of context.switchbench, as a new JSON object. */
json_t *sb__machine_json(const sb_machine *m);

/* ---- child.c: one child process under a watchdog --------------------- */

typedef enum sb_child_status {
  SB_CHILD_EXITED = 0,  /* exited; code in sb_child_result.code */
  SB_CHILD_SIGNALED,    /* killed by a signal of its own making */
  SB_CHILD_TIMEOUT,     /* killed by the watchdog */
  SB_CHILD_INTERRUPTED, /* killed because the harness was interrupted */
  SB_CHILD_NOSTART,     /* could not be started (errno in code) */
} sb_child_status;

typedef struct sb_child_result {
  sb_child_status status; /* how it ended */
  int code;               /* exit code, signal number or errno */
  double seconds;         /* wall time */
} sb_child_result;

/* Installs SIGINT/SIGTERM handlers that make a running child and the matrix
 * stop; returns 1 once either arrived. */
void sb__child_install_signals(void);
int sb__child_interrupted(void);
/* Runs argv with stdout to out_path and stderr to err_path (NULL = inherit),
 * confined to the CPUs cpus[0..ncpus) when ncpus > 0, killing it (and its
 * process group) after timeout seconds. tick (may be NULL) is called about
 * once a second while waiting. */
void sb__child_run(char *const argv[], const char *out_path,
                   const char *err_path, const int *cpus, int ncpus,
                   int timeout, void (*tick)(void), sb_child_result *res);

/* A child talked to over pipes (a peer server). */
typedef struct sb_child_pipes {
  int pid; /* the child */
  int in;  /* write end of its stdin */
  int out; /* read end of its stdout */
} sb_child_pipes;
/* Starts argv with its stdin and stdout on pipes, stderr to err_path, fd3
 * (if >= 0) as its descriptor 3, confined to cpus[0..ncpus) when ncpus > 0;
 * it stays in this process group and dies with this process. Returns 0,
 * or -errno. */
int sb__child_start(char *const argv[], int fd3, const char *err_path,
                    const int *cpus, int ncpus, sb_child_pipes *out);
/* Waits up to grace_ms for pid to exit, then kills it. Returns its wait
 * status, or -1 when it had to be killed. */
int sb__child_reap(int pid, int grace_ms);
/* Copies the last non-empty line of a file (a child's stderr) into buf. */
void sb__last_line(const char *path, char *buf, size_t len);

/* ---- results_doc.c: the results document --------------------------------- */

/* A new document: context (machine + settings) and every cell pending. */
json_t *sb__doc_new(const sb_machine *m, const sb_run_opts *o,
                    const char *command, const sb_cell *cells, size_t n);
/* Records cell i: status, reason, seconds, and its entries (stolen; may be
 * NULL); context (borrowed, may be NULL) is a child's Google Benchmark
 * context whose keys the document still lacks are copied. */
void sb__doc_cell_done(json_t *doc, size_t i, const char *status,
                       const char *reason, double seconds, const char *checksum,
                       json_t *entries, json_t *context);
void sb__doc_set_complete(json_t *doc, int complete);
/* Writes doc to path atomically (path.tmp, fsync, rename). 0 or -errno. */
int sb__doc_write(json_t *doc, const char *path);
/* Loads an interrupted run: the document and its settings. With retry, the
 * cells that failed, timed out or crashed become pending again (their
 * entries removed), so a complete run may be loaded too. Returns 0, or
 * -EINVAL with a reason (also when there is nothing left to run). */
int sb__doc_load(const char *path, int retry, json_t **doc, sb_run_opts *o,
                 char *why, size_t len);
/* The cells of a loaded document (peers must be discovered first; a peer
 * cell whose binary is gone gets peer -1). *out is malloc'd. 0 or -errno. */
int sb__doc_cells(json_t *doc, sb_cell **out, size_t *n, char *why, size_t len);
/* Status of cell i ("pending", "ok", ...). */
const char *sb__doc_status(json_t *doc, size_t i);

/* ---- progress.c ------------------------------------------------------- */

void sb__progress_start(size_t total, size_t done);
void sb__progress_cell(const char *name);
void sb__progress_tick(void);
void sb__progress_done(const char *name, const char *status, double seconds,
                       const char *reason);
void sb__progress_end(void);

/* ---- peers_list.c, peers_run.c: peer binaries (Rust, Go) -------------- */

#define SB_MAX_PEERS 2
/* A peer that exits with this code could not run the cell here (e.g. too
 * few file descriptors): the cell is skipped with its last stderr line as
 * the reason, as ctest treats 77. */
#define SB_EXIT_SKIP 77

typedef struct sb_peer {
  const char *lang; /* "rust", "go" */
  char path[1024];  /* the binary */
  int present;      /* 1 when the binary exists and listed its cells */
  /* "workload runtime primitive" lines it printed for `PEER list` */
  struct {
    char workload[32];                /* workload name */
    char runtime[32];                 /* peer runtime name */
    char primitive[SB_PRIMITIVE_LEN]; /* spawn+join when the peer is old */
  } pairs[256];
  int npairs; /* pairs in use */
} sb_peer;

/* How a peer runtime's worker threads relate to --workers. */
typedef enum sb_peer_workers {
  SB_PEER_WORKERS_ONE = 0,  /* one thread (tokio-ct, smol-local, ...) */
  SB_PEER_WORKERS_FOLLOW,   /* follows --workers (tokio-mt, go, ...) */
  SB_PEER_WORKERS_PER_TASK, /* an OS thread per task (std-thread) */
} sb_peer_workers;

extern sb_peer sb__peers[SB_MAX_PEERS];
/* Finds the peer binaries and asks each for its list. Returns the number
 * present; when none, why says so. */
int sb__peers_discover(int timeout, char *why, size_t len);
/* Makes path the one peer known, with the single pair workload/runtime
 * (a cell process that drives a peer server). */
void sb__peer_use(const char *path, const char *workload, const char *runtime);
/* Returns the index of the peer with this runtime name, or -1. */
int sb__peer_runtime(const char *runtime);
/* The primitive peer i lists for workload on runtime (spawn+join when it
 * names none). */
const char *sb__peer_primitive(int peer, const char *workload,
                               const char *runtime);
/* The primitive of a C cell of w on ops (PROTOCOL.md 7): `join` for a
 * workload of forks (w->forks) on a runtime that forks in place, else
 * spawn+join. */
const char *sb__c_primitive(const sb_workload *w, const sb_runtime_ops *ops);
/* How runtime's workers follow --workers (a table: PROTOCOL.md 7). */
sb_peer_workers sb__peer_workers(const char *runtime);
/* 1 when peer cell c is run by the harness with the peer as a server (echo:
 * one load generator drives every server), not by `PEER run`. */
int sb__peer_served(const sb_cell *c);

/* The settings a peer gets (PROTOCOL.md 7). */
typedef struct sb_peer_settings {
  int reps;         /* --reps */
  double min_time;  /* --min-time, seconds */
  const char *cpus; /* --cpus LIST, or "" for none */
} sb_peer_settings;
/* Builds the argv of `PEER run` for cell c into argv (cap entries) using
 * store for strings. Returns 0 or -ENOSPC. */
int sb__peer_argv(const sb_cell *c, const sb_peer_settings *s, char **argv,
                  size_t cap, char *store, size_t store_len);
/* Reads a peer's stdout for cell c: checks every repetition's checksum and
 * work and returns the entries plus computed aggregates in *entries. 0, or
 * -1 with a reason; checksum gets "0x..." of the runs. */
int sb__peer_collect(const char *out_path, const sb_cell *c, int reps,
                     json_t **entries, char *checksum, size_t cslen, char *why,
                     size_t len);

/* ---- peer_echo.c: a peer's echo server under the C load generator ------ */

/* Prepares the echo cell c of a peer runtime (peer path known): the
 * listening socket, `PEER serve` started and ready, the load generator; then
 * the warm-up run. Fills *body; the state lives until sb__peer_echo_close.
 * On failure the body reports the reason. */
void *sb__peer_echo_open(const sb_cell *c, sb_pin pin, sb_gb_body *body);
/* Closes the server's stdin, reaps it (killed after a grace period), and
 * frees everything. */
void sb__peer_echo_close(void *state);

/* ---- plan.c: the cells of a run ---------------------------------------- */

#define SB_MAX_SELECT 32

/* What the command line selected; empty lists mean "all". */
typedef struct sb_select {
  char *runtimes[SB_MAX_SELECT];  /* --runtime names (C or peer) */
  size_t nruntimes;               /* entries in runtimes */
  char *workloads[SB_MAX_SELECT]; /* --workload names ("floor" included) */
  size_t nworkloads;              /* entries in workloads */
  int workers[SB_MAX_SELECT];     /* --workers values, each >= 1 */
  size_t nworkers;                /* entries in workers */
  struct {
    char name[32]; /* parameter name */
    int64_t value; /* the value it takes in every selected set */
  } params[8];     /* --param overrides */
  size_t nparams;  /* entries in params */
} sb_select;

/* Builds the cells of a run (peers discovered first). Returns 0 and a
 * malloc'd array, or -EINVAL with a one-line reason. */
int sb__plan(const sb_select *s, const sb_run_opts *o, sb_cell **out, size_t *n,
             char *why, size_t len);

/* ---- openloop_plan.c: the open-loop sweep (PROTOCOL.md 6a) ------------ */

#define SB_OPENLOOP_MAX_SETS 16

/* The open-loop echo sets of the default (quick = 0) or quick matrix:
 * c, b, r, rate (then the same with http:1 at fewer rates), the rates
 * fixed fractions of the machine's echo capacity,
 * probed now (it takes about half a second). Returns how many sets it
 * wrote into out (at most cap), or -errno. */
int sb__openloop_sets(int quick, sb_params *out, size_t cap);

/* ---- matrix.c ---------------------------------------------------------- */

/* Runs every pending cell of doc (cells[0..n)) and writes results to path
 * after each. Returns 0 when the run completed, 130 when interrupted, or 1
 * on a write failure. *failed gets the count of failed cells. */
int sb__matrix_run(json_t *doc, const sb_run_opts *o, const sb_cell *cells,
                   size_t n, const char *path, size_t *failed);

/* ---- run.c: `switchbench run` ------------------------------------------ */

/* argv[0] is "run"; full_argc/full_argv are the whole command line (kept in
 * the results as the command). Returns the process exit code. */
int sb__cmd_run(int argc, char **argv, int full_argc, char **full_argv);

#endif
