/* Equal work, verified in one place (PROTOCOL.md 4): every repetition's
 * work counters, from a C cell or a peer, against runs x the workload's
 * closed form, exactly as the checksum is checked. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* The three counts, their keys and the words a reason uses. */
static const struct {
  const char *key;  /* counter in the entry */
  const char *what; /* "tasks" */
} fields[3] = {
    {"work_tasks", "tasks"},
    {"work_messages", "messages"},
    {"work_connections", "connections"},
};

static int64_t field(const sb_work *w, int i) {
  return i == 0 ? w->tasks : i == 1 ? w->messages : w->connections;
}

/* Checks one repetition entry. Returns 0, or -1 with the reason. */
static int check_entry(json_t *e, const sb_work *want, char *why, size_t len) {
  json_t *it = json_object_get(e, "iterations");
  if (!json_is_integer(it) || json_integer_value(it) < 1) {
    snprintf(why, len, "work: a repetition without iterations");
    return -1;
  }
  int64_t runs = (int64_t)json_integer_value(it);
  for (int i = 0; i < 3; i++) {
    int64_t per_run = field(want, i);
    if (per_run < 0)
      continue; /* does not apply to this workload */
    json_t *v = json_object_get(e, fields[i].key);
    if (!json_is_number(v)) {
      snprintf(why, len,
               "work: no %s count reported (%s), expected %" PRId64 " per run",
               fields[i].what, fields[i].key, per_run);
      return -1;
    }
    double got = json_number_value(v);
    if (got != (double)per_run * (double)runs) {
      /* Per run, as the closed form reads; a fraction when runs differ. */
      double each = got / (double)runs;
      if (each == floor(each))
        snprintf(why, len, "work: %.0f %s per run, expected %" PRId64, each,
                 fields[i].what, per_run);
      else
        snprintf(why, len,
                 "work: %.6g %s per run (%.0f in %" PRId64
                 " runs), expected %" PRId64,
                 each, fields[i].what, got, runs, per_run);
      return -1;
    }
  }
  return 0;
}

int sb__work_check(json_t *entries, const sb_cell *c, char *why, size_t len) {
  if (c->w == NULL || c->w->work == NULL || c->source == SB_SOURCE_FLOOR ||
      strcmp(c->primitive, SB_PRIM_SERIAL) == 0)
    return 0;
  sb_work want;
  c->w->work(&c->params, &want);
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    const char *type = json_string_value(json_object_get(e, "run_type"));
    if (type != NULL && strcmp(type, "aggregate") == 0)
      continue;
    if (json_is_true(json_object_get(e, "error_occurred")))
      continue;
    if (check_entry(e, &want, why, len) != 0)
      return -1;
  }
  return 0;
}
