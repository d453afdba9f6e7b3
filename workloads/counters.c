/* Counters as plain data (counters.h): set by name, read by name. */
#include <string.h>

#include "counters.h"
#include "runtimes/core/sb.h"

void sb_counter_set(sb_counters *c, const char *name, double value) {
  SB_ASSERT(strlen(name) < SB_COUNTER_NAME_LEN);
  for (int i = 0; i < c->n; i++) {
    if (strcmp(c->c[i].name, name) == 0) {
      c->c[i].value = value;
      return;
    }
  }
  SB_ASSERT(c->n < SB_COUNTERS_MAX);
  memcpy(c->c[c->n].name, name, strlen(name) + 1);
  c->c[c->n].value = value;
  c->n++;
}

const double *sb_counter_get(const sb_counters *c, const char *name) {
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->c[i].name, name) == 0)
      return &c->c[i].value;
  return NULL;
}
