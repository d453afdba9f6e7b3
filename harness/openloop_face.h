/* The open-loop answer and plot (openloop_face.c, PROTOCOL.md 6a). */
#ifndef SB_OPENLOOP_FACE_H
#define SB_OPENLOOP_FACE_H

#include <stddef.h>
#include <stdio.h>

#include "results_read.h"

/* The default p99 objective, ns: 1 ms. Why this value: README, "Open
 * loop" (an echo round trip on loopback takes tens of µs unloaded; 1 ms
 * is well above that and the pacing limit, and well below a stall). */
#define SB_OPENLOOP_OBJECTIVE_NS 1e6

/* Writes, per runtime with open-loop cells (a `rate` parameter), the
 * highest offered rate whose median p99 and every lower rate's stay within
 * objective_ns, the first rate over it, and whether the generator was the
 * limit; md 1 writes Markdown. Nothing when r has no open-loop cell.
 * Returns 0 or -ENOMEM. */
int sb__openloop_answer(const sb_results *r, double objective_ns, FILE *out,
                        int md);

/* The data of plots/openloop.gp: dir/openloop.dat (one block per runtime:
 * rate, p50, p99, p99.9 in µs) and its variables (nrt, rt1..). As the
 * other writers (plot_data.h). */
int sb__pd_openloop(const sb_results *r, const char *dir, char *vars,
                    size_t vlen, char *why, size_t len);

#endif /* SB_OPENLOOP_FACE_H */
