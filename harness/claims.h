/* The claims from the talks the suite grew from, each checked against a
 * run: what was measured and a verdict computed from those numbers. */
#ifndef SB_CLAIMS_H
#define SB_CLAIMS_H

#include <stddef.h>

#include "results_read.h"

/* One claim, judged. */
typedef struct sb_claim {
  const char *claim;  /* what the talks say */
  char measured[768]; /* what this run measured, in a sentence or two */
  char verdict[256];  /* holds / does not hold / ... and why, or "not
                         measured in this run" */
} sb_claim;

#define SB_NCLAIMS 5

/* Judges every claim against r into out. */
void sb__claims_judge(const sb_results *r, sb_claim out[SB_NCLAIMS]);

#endif
