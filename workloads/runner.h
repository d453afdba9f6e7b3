/* The workload runner: one workload on one runtime, exactly as
 * workloads/PROTOCOL.md (sections 1 to 4) says, with no clock of its own
 * beyond a run's timed region:
 *   1. open the runtime, set the workload up, one verified warm-up run;
 *   2. at the start of each repetition, reset every tally (sb_runner_reset);
 *   3. one run (sb_runner_run): a fresh root (untimed), block_on (timed, or
 *      the workload's own timed region), verify (untimed); its context
 *      switches, the runtime's spawn count and the workload's run_work are
 *      that run's, added to the repetition's work;
 *   4. the repetition's counters: workers, work, the workload's own, the
 *      checksum label (sb_runner_counters);
 *   5. tear down, close the runtime.
 * The harness wraps it in Google Benchmark (harness/cell.c) and adds time,
 * context switches and RSS; the tests drive it directly. */
#ifndef SB_RUNNER_H
#define SB_RUNNER_H

#include "counters.h"
#include "workload.h"

/* How the runner opens the runtime. */
typedef struct sb_runner_opts {
  const sb_runtime_ops *runtime; /* the runtime to open */
  sb_config cfg;                 /* its settings */
  /* Optional: the load generator's CPU for the runtime just opened (its
   * info), or -1 (PROTOCOL.md 6); NULL leaves it unbound. The caller reads
   * the topology; the workloads never do. */
  int (*loadgen_cpu)(const sb_runtime_info *info, void *arg);
  void *arg; /* passed to loadgen_cpu */
} sb_runner_opts;

/* What one run did. */
typedef struct sb_run {
  uint64_t out;      /* the root's output (verified) */
  int64_t ns;        /* its timed region */
  uint64_t switches; /* context switches of the process across block_on */
  sb_work work;      /* tasks spawned (the runtime's count), messages and
                        connections (the workload's run_work); -1: not
                        counted */
} sb_run;

typedef struct sb_runner {
  const sb_workload *w;      /* the workload */
  sb_params params;          /* its parameters */
  sb_setup_env env;          /* the runtime (NULL until open) and its info */
  void *state;               /* the workload's state; NULL until set up */
  int64_t ops;               /* ops in one run */
  char error[SB_REASON_LEN]; /* why it cannot run (setup, warm-up or a
                                failed run); "" while it can */
  /* The repetition: the runs since the last sb_runner_reset. */
  int64_t runs;      /* runs made */
  sb_work work;      /* their work; a count not made is -1 */
  uint64_t last_out; /* the output of the last run */
} sb_runner;

/* Opens o->runtime, checks and sets up w with ps, and makes the warm-up run.
 * Returns 0 when the cell can run. Otherwise r->error says why and the
 * result is -EOPNOTSUPP when the workload does not apply to the runtime
 * (r->error then starts "skipped: "), or another -errno: -EINVAL (bad
 * params, an incomplete workload), the runtime's or setup's error, or -EIO
 * for a warm-up run that failed. Call sb_runner_close in every case. */
int sb_runner_open(sb_runner *r, const sb_workload *w, const sb_params *ps,
                   const sb_runner_opts *o);
/* Starts a repetition: the workload's tallies emptied (its reset), the work
 * counts zeroed. */
void sb_runner_reset(sb_runner *r);
/* One run, added to the repetition. Returns 0 with what it did in *out, or
 * -1 with the reason in why (also kept in r->error, so that later calls see
 * the cell failed). */
int sb_runner_run(sb_runner *r, sb_run *out, char *why, size_t len);
/* Adds the repetition's counters to c: workers, work_tasks/_messages/
 * _connections (where the workload defines them), the workload's own, and
 * the label "checksum=0x..." of the last run. */
void sb_runner_counters(const sb_runner *r, sb_counters *c);
/* Tears the workload down and closes the runtime (what was opened). */
void sb_runner_close(sb_runner *r);

/* Sets work_tasks, work_messages and work_connections from total, for each
 * field that defined (the closed form) does not mark -1 and total counted
 * (not -1). Shared with the harness's peer cells. */
void sb_work_counters(sb_counters *c, const sb_work *defined,
                      const sb_work *total);

#endif /* SB_RUNNER_H */
