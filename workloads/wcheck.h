/* What every workload checks: its params (known names, ranges) before a cell,
 * after a run the first error any of its tasks hit, and the shape of its
 * work counts (PROTOCOL.md section 4). Header-only. */
#ifndef SB_WCHECK_H
#define SB_WCHECK_H

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

/* Returns 0 if every param in ps is one of names (NULL-terminated), else
 * -EINVAL with the reason in why. */
static inline int sb__params_known(const sb_params *ps,
                                   const char *const *names, char *why,
                                   size_t len) {
  for (int i = 0; i < SB_MAX_PARAMS && ps->p[i].name != NULL; i++) {
    int known = 0;
    for (const char *const *n = names; *n != NULL; n++)
      known |= strcmp(*n, ps->p[i].name) == 0;
    if (!known) {
      snprintf(why, len, "unknown param '%s'", ps->p[i].name);
      return -EINVAL;
    }
  }
  return 0;
}

/* Returns 0 if param name (def when absent) lies in [lo, hi], else -EINVAL
 * with the reason in why. */
static inline int sb__param_range(const sb_params *ps, const char *name,
                                  int64_t def, int64_t lo, int64_t hi,
                                  char *why, size_t len) {
  int64_t v = sb_param(ps, name, def);
  if (v < lo || v > hi) {
    snprintf(why, len,
             "param %s=%" PRId64 " out of range [%" PRId64 ", %" PRId64 "]",
             name, v, lo, hi);
    return -EINVAL;
  }
  return 0;
}

/* The first error of one run, set from any task, read by verify after the
 * run (block_on's return orders every task's writes before the read). */
typedef struct sb__run_error {
  atomic_int code;  /* 0, or the first negative errno of the run */
  const char *what; /* what failed (a literal); written by whoever set code */
} sb__run_error;

static inline void sb__run_error_reset(sb__run_error *e) {
  atomic_store(&e->code, 0);
  e->what = "";
}

/* Records code (< 0) unless an earlier error is already recorded. */
static inline void sb__run_error_set(sb__run_error *e, int code,
                                     const char *what) {
  int none = 0;
  if (atomic_compare_exchange_strong(&e->code, &none, code))
    e->what = what;
}

/* The usual verify: the run's error if any, else out against want. Returns
 * 0, or -1 with the reason in why. */
static inline int sb__verify_out(const sb__run_error *e, uint64_t out,
                                 uint64_t want, char *why, size_t len) {
  int code = atomic_load(&e->code);
  if (code != 0) {
    snprintf(why, len, "%s: %s", e->what, strerror(-code));
    return -1;
  }
  if (out != want) {
    snprintf(why, len, "output %" PRIu64 " != checksum %" PRIu64, out, want);
    return -1;
  }
  return 0;
}

/* The work of a workload that counts only tasks: messages and connections
 * do not apply (-1). */
static inline sb_work sb__work_tasks(int64_t tasks) {
  return (sb_work){.tasks = tasks, .messages = -1, .connections = -1};
}

#endif
