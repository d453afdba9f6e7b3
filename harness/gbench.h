/* A C face of Google Benchmark 1.7.1: register a cell whose body runs in
 * batches, report counters (workloads/counters.h: plain data the C side
 * fills and the shim copies into benchmark::State::counters), a label or an
 * error, add context, run and write Google Benchmark JSON. Implemented in
 * gbench.cc, the project's only C++. */
#ifndef SB_GBENCH_H
#define SB_GBENCH_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/counters.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the shim calls during one run of a cell (one Google Benchmark call of
 * the benchmark function: one probe or one repetition). Errors come back as
 * -1 with a one-line reason; the shim turns them into SkipWithError. */
typedef struct sb_gb_body {
  void *arg; /* passed to every callback */
  /* Before the timed loop. Returns 0, or -1 and a reason in why. */
  int (*begin)(void *arg, char *why, size_t len);
  /* Runs n iterations, all on the C side. Returns 0 and in *seconds the
   * time to report for the n iterations (manual time), or -1 and why. */
  int (*batch)(void *arg, int64_t n, double *seconds, char *why, size_t len);
  /* After a loop whose batches all succeeded: the counters and label. */
  void (*end)(void *arg, int64_t iterations, sb_counters *out);
} sb_gb_body;

typedef struct sb_gb_options {
  int repetitions; /* > 0; Google Benchmark computes the aggregates */
  double min_time; /* seconds per repetition; > 0 */
} sb_gb_options;

/* Passes argv through benchmark::Initialize (so --benchmark_* flags work);
 * argv keeps the arguments it did not recognise. */
void sb_gb_initialize(int *argc, char **argv);

/* Registers a cell called name (copied) with body (kept by pointer: it must
 * outlive sb_gb_run). Returns 0, or -EINVAL for a bad option. */
int sb_gb_register(const char *name, const sb_gb_body *body,
                   const sb_gb_options *opt);

/* Adds a key/value to the "context" of the JSON (custom context). */
void sb_gb_add_context(const char *key, const char *value);

/* Runs every registered cell and writes Google Benchmark JSON to path
 * ("-" = stdout). Entries are named by the registered name alone (Google
 * Benchmark's /repeats:, /min_time:, /manual_time suffixes are left out).
 * Returns the number of cells run, or -errno when path cannot be written. */
int sb_gb_run(const char *path);

#ifdef __cplusplus
}
#endif

#endif
