/* A probe waker for the conformance tests: a stand-in runtime whose only op
 * counts wakes. Polling a waker-only primitive (channel, oneshot, event) with
 * a probe cx shows exactly whether, and how often, it wakes its waiter, and
 * that a dropped op's registration is really gone. */
#ifndef SB_TEST_PROBE_H
#define SB_TEST_PROBE_H

#include <stdatomic.h>

#include "runtimes/core/sb.h"

typedef struct sb_probe {
  sb_runtime rt;    /* ops = probe ops; first, as every runtime's state */
  atomic_int wakes; /* wakes received */
} sb_probe;

static inline void sb_probe_wake(sb_waker w) {
  sb_probe *p = (sb_probe *)w.rt;
  atomic_fetch_add(&p->wakes, 1);
}

static const sb_runtime_ops sb_probe_ops = {
    .name = "probe",
    .summary = "counts wakes (tests only)",
    .wake = sb_probe_wake,
};

static inline void sb_probe_init(sb_probe *p) {
  p->rt.ops = &sb_probe_ops;
  atomic_init(&p->wakes, 0);
}

/* A cx that polls with the real runtime (cx->rt) but wakes the probe. */
static inline sb_cx sb_probe_cx(sb_probe *p, const sb_cx *real) {
  sb_cx cx = *real;
  cx.waker.rt = &p->rt;
  cx.waker.task = NULL;
  cx.budget = SB_BUDGET;
  return cx;
}

static inline int sb_probe_wakes(sb_probe *p) {
  return atomic_load(&p->wakes);
}

#endif
