/* The figures a cell reports, as plain data: named values and a label. A
 * workload fills them for its repetition, the runner adds the work counts,
 * the harness adds time, context switches and RSS, and Google Benchmark's
 * shim (harness/gbench.cc) copies them into its JSON. Data handed up, never
 * a call up. Plain C, includable from C++. */
#ifndef SB_COUNTERS_H
#define SB_COUNTERS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SB_COUNTERS_MAX 40      /* counters one cell reports at most */
#define SB_COUNTER_NAME_LEN 48  /* bytes of a name, with its NUL */
#define SB_COUNTER_LABEL_LEN 64 /* bytes of the label, with its NUL */

typedef struct sb_counters {
  int n; /* counters in use */
  struct {
    char name[SB_COUNTER_NAME_LEN]; /* the key in the JSON entry */
    double value;                   /* a plain value (no rate, no average) */
  } c[SB_COUNTERS_MAX];
  char label[SB_COUNTER_LABEL_LEN]; /* the entry's "label"; "" = none */
} sb_counters;

/* Sets counter name to value: overwrites it if set, else appends it. A name
 * of SB_COUNTER_NAME_LEN bytes or more, or one counter too many, is a
 * broken invariant (asserts). */
void sb_counter_set(sb_counters *c, const char *name, double value);
/* Returns counter name's value, or NULL when it was not set. */
const double *sb_counter_get(const sb_counters *c, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* SB_COUNTERS_H */
