/* What one task of a cell is (PROTOCOL.md 7): a heap task with a join
 * handle (spawn+join), rayon's join or scope.spawn, or the serial baseline.
 * The face never sets figures of different primitives side by side as
 * "per task", and reads each fib figure against its language's serial row. */
#include <string.h>

#include "results_read.h"

int sb_rcell_spawn_join(const sb_rcell *c) {
  return strcmp(c->primitive, "spawn+join") == 0;
}

const char *sb_primitive_what(const char *primitive) {
  if (strcmp(primitive, "join") == 0)
    return "join: one closure inline, the other a stack job, no allocation";
  if (strcmp(primitive, "scope-spawn") == 0)
    return "scope-spawn: a heap job joined by its scope, no handle";
  if (strcmp(primitive, "serial") == 0)
    return "serial: plain recursion, no runtime";
  if (strcmp(primitive, "spawn+join") == 0)
    return "spawn+join: a heap task with a join handle";
  return primitive;
}

const char *sb_primitive_unit(const char *primitive) {
  if (strcmp(primitive, "join") == 0)
    return "fork";
  if (strcmp(primitive, "scope-spawn") == 0)
    return "scope spawn";
  if (strcmp(primitive, "serial") == 0)
    return "task of leaf work (no task made)";
  return NULL;
}

const sb_rcell *sb_results_serial(const sb_results *r, const sb_rcell *c) {
  const char *row = strcmp(c->peer, "rust") == 0 ? "serial-rust"
                    : strcmp(c->peer, "go") == 0 ? "serial-go"
                                                 : "serial";
  /* A serial row names its own language: it is its own baseline. */
  if (strncmp(c->runtime, "serial", 6) == 0)
    row = c->runtime;
  return sb_results_find(r, c->workload, row, c);
}
