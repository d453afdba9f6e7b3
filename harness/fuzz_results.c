/* libFuzzer target over the results reader: any bytes must either parse
 * into a model that the lookups can walk, or fail with a one-line reason;
 * never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "results_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sb_results *r = NULL;
  char why[512];
  if (sb_results_parse("fuzz", (const char *)data, size, &r, why, sizeof why) !=
      0) {
    /* The reason is one non-empty line. */
    if (why[0] == '\0' || strchr(why, '\n') != NULL)
      __builtin_trap();
    return 0;
  }
  /* Walk what the summary and compare walk. */
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat st;
    char buf[128];
    (void)sb_rcell_stat(c, "ns_per_op", &st);
    (void)sb_rcell_stat(c, "late_p99_ns", &st);
    (void)sb_rcell_params_str(c, buf, sizeof buf);
    if (sb_results_cell(r, c->name) == NULL)
      __builtin_trap();
    (void)sb_results_find(r, c->workload, c->runtime, c);
  }
  sb_results_free(r);
  return 0;
}
