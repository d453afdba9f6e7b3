/* A workload is data, not a benchmark: a name, the question it answers, its
 * parameters, setup, a root future, verify and teardown. The runner
 * (runner.h) runs it as workloads/PROTOCOL.md says; the harness turns
 * runtime x workload x params into Google Benchmark cells around it. */
#ifndef SB_WORKLOAD_H
#define SB_WORKLOAD_H

#include "counters.h"
#include "runtimes/core/sb.h"

#define SB_MAX_PARAMS 6
/* Bytes of a one-line reason (why a cell cannot run, why a run failed). */
#define SB_REASON_LEN 256

/* One parameter set: up to SB_MAX_PARAMS named integers, in cell-name order
 * (pingpong/single/n:100000). Unused slots have name NULL. */
typedef struct sb_params {
  struct {
    const char *name;
    int64_t value;
  } p[SB_MAX_PARAMS];
} sb_params;

/* A parameter a workload takes: the value it has where a set does not name
 * it, and the range every value must lie in. */
typedef struct sb_param_spec {
  const char *name; /* as in cell names; NULL ends a table of specs */
  int64_t def;      /* the value when a set does not give it */
  int64_t min, max; /* the values allowed, inclusive */
} sb_param_spec;

/* Returns the value of name in ps, or def when absent. */
int64_t sb_param(const sb_params *ps, const char *name, int64_t def);
/* Returns the value of name in ps, or its default from specs (a table
 * ending in a NULL name, which must hold name). */
int64_t sb_param_of(const sb_params *ps, const sb_param_spec *specs,
                    const char *name);

/* The work of one run (workloads/PROTOCOL.md, section 4). A field that does
 * not apply to a workload is -1. */
typedef struct sb_work {
  int64_t tasks;       /* tasks (threads, ...) the workload created */
  int64_t messages;    /* messages received, tokens read, round trips */
  int64_t connections; /* connections accepted and served to EOF */
} sb_work;

/* What setup gets besides the parameters: the runtime the cell runs on, and
 * what was decided above the workloads. */
typedef struct sb_setup_env {
  sb_runtime *rt;       /* the runtime, open */
  sb_runtime_info info; /* what it said of itself once open */
  int loadgen_cpu;      /* the CPU (OS number) a load generator is bound
                           to, or -1: unbound. Decided by the caller from
                           the topology (PROTOCOL.md 6), which no workload
                           reads. */
} sb_setup_env;

typedef struct sb_workload {
  const char *name;     /* as in cell names */
  const char *question; /* the one-line question it answers */
  const char *unit;     /* what one op is: "message", "yield", "task", ... */
  /* Its role, which the face reads instead of its name: "switch" (a
   * handoff between tasks), "spawn" (making tasks), "memory" (what a
   * waiting task holds), "cpu" (CPU-bound scaling), "io" (waiting on the
   * kernel), "pitfall" (what goes wrong: a cell pair differing in one 0/1
   * parameter). */
  const char *kind;
  /* The counter a cell is read by ("ns_per_op", "p99_ns", "efficiency",
   * "late_p99_ns", "rss_per_task_bytes", ...) and how to print it: "ns" (a
   * duration), "bytes" or "fraction" (0..1, printed as a percentage; higher
   * is better). The harness records both in each cell (RESULTS.md). */
  const char *headline;
  const char *headline_unit;
  /* Parameter sets for the quick and the full matrix, terminated by an
   * entry whose first name is NULL. */
  const sb_params *quick;
  const sb_params *full;
  /* The parameters it takes, ending in a NULL name: a set naming another
   * one, or a value out of its range, is refused before anything runs. */
  const sb_param_spec *params;
  /* Optional: the rules between parameters (cutoff < n, ...), checked once
   * every value passed its spec. Returns 0, or -EINVAL with a one-line
   * reason in why. */
  int (*check)(const sb_params *ps, char *why, size_t len);
  /* Prepares one cell: allocations, sockets, files, calibration, on the
   * runtime env->rt (open). Returns 0 and *state, or -errno with a reason
   * in why (-EOPNOTSUPP: the workload does not apply to this runtime);
   * nothing leaks on failure. */
  int (*setup)(const sb_params *ps, const sb_setup_env *env, void **state,
               char *why, size_t len);
  /* Returns a fresh root future for one run, owned by state. */
  sb_future *(*root)(void *state);
  /* Checks the output of one run. Returns 0, or -1 with the reason. The
   * checksum is the same on every runtime (and in every peer). */
  int (*verify)(void *state, uint64_t out, char *why, size_t len);
  /* The checksum every correct run produces for ps. */
  uint64_t (*checksum)(const sb_params *ps);
  /* How many ops one run performs: the denominator of ns per op. */
  int64_t (*ops)(const sb_params *ps);
  /* The work every correct run does for ps, closed form (PROTOCOL.md 4):
   * fields that do not apply are -1. */
  void (*work)(const sb_params *ps, sb_work *out);
  /* Optional: the messages and connections the last run actually did
   * (tasks come from the runtime's info.spawned); fields not counted -1. */
  void (*run_work)(void *state, sb_work *out);
  /* Optional: empties every per-repetition tally (histograms, sums, level
   * readings) at the start of a repetition (PROTOCOL.md 3). */
  void (*reset)(void *state);
  /* Optional: the timed region of the last run in ns, for a workload whose
   * clock is not the whole block_on (echo: every connection established to
   * the last response read); NULL = block_on's. */
  int64_t (*timed_ns)(void *state);
  /* Optional: extra counters of the repetition (since the last reset). */
  void (*counters)(void *state, sb_counters *c);
  void (*teardown)(void *state);
  /* 1 when its tasks are the halves handed to sb_join2: one unit is then
   * a `join` half where the runtime forks in place (ops->fork), else a
   * heap task (`spawn+join`), and the cell's primitive says which. */
  int forks;
} sb_workload;

/* The registry. A new workload costs one line here, one file, one CMake
 * entry. */
/* clang-format off */
#define SB_WORKLOADS(XX)                                                       \
  XX(pingpong) XX(yield) XX(spawn) XX(fib) XX(fibjoin) XX(sum) XX(grain)      \
  XX(echo) XX(ring) XX(timers) XX(blocking) XX(workqueue) XX(files)           \
  XX(million)
/* clang-format on */

#define SB_DECLARE_WORKLOAD(name) extern const sb_workload sb_workload_##name;
SB_WORKLOADS(SB_DECLARE_WORKLOAD)
#undef SB_DECLARE_WORKLOAD

/* NULL-terminated, in registry order. */
extern const sb_workload *const sb_workloads[];
const sb_workload *sb_workload_find(const char *name);

/* Checks ps for w: every name in w->params, every value in its range, then
 * w->check. Returns 0, or -EINVAL with a one-line reason in why. */
int sb_workload_check(const sb_workload *w, const sb_params *ps, char *why,
                      size_t len);

#endif
