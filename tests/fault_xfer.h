/* A checked stream transfer over socketpairs (fault_xfer.c), run under
 * signals, injected EINTR and shortened reads and writes. */
#ifndef SB_FAULT_XFER_H
#define SB_FAULT_XFER_H

#include <stddef.h>

#include "runtimes/primitives/fdio.h"

#define FX_MAX_PAIRS 8

typedef struct fx_params {
  int pairs;  /* socketpairs, each with a writer and a reader task */
  size_t len; /* bytes each writer sends */
  int sndbuf; /* SO_SNDBUF of the writing end (0: default): small = the
                 kernel shortens writes too */
} fx_params;

/* Opens ops, transfers, checks every byte and the totals, closes. Returns
 * the bytes moved (pairs * len); any loss or corruption aborts. */
uint64_t fx_run(const sb_runtime_ops *ops, fx_params p);

#endif
