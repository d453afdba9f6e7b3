/* What every workload checks after a run: the first error any of its tasks
 * hit and its output, and the shape of its work counts (PROTOCOL.md section
 * 4). Header-only. */
#ifndef SB_WCHECK_H
#define SB_WCHECK_H

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

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
