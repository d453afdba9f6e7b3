/* What the face reads instead of workload names: each cell's role (kind),
 * its headline counter and how to print it, its size parameter, and, for a
 * pitfall, the 0/1 parameter that switches it. A workload the face has
 * never heard of is read like any other of its role. */
#include <math.h>
#include <string.h>

#include "face_internal.h"

/* How a counter is said in a sentence or a column head. A counter not
 * listed is said by its key. */
static const struct {
  const char *key;  /* the counter */
  const char *what; /* how it is said; "%s": the cell's unit */
} counter_words[] = {
    {"p99_ns", "p99 %s"},
    {"late_p99_ns", "p99 lateness"},
    {"probe_late_p99_ns", "p99 probe lateness"},
    {"rss_per_task_bytes", "memory per waiting %s"},
    {"efficiency", "efficiency"},
};

sb_figure sb__figure_of(const sb_rcell *c, const char *key, const char *unit) {
  sb_figure f = {.key = key, .unit = SB_FU_NS};
  if (strcmp(unit, "bytes") == 0)
    f.unit = SB_FU_BYTES;
  else if (strcmp(unit, "fraction") == 0)
    f.unit = SB_FU_FRACTION;
  if (strcmp(key, "ns_per_op") == 0) {
    snprintf(f.what, sizeof f.what, "per %s", c->unit);
    return f;
  }
  snprintf(f.what, sizeof f.what, "%s", key);
  for (size_t i = 0; i < sizeof counter_words / sizeof *counter_words; i++)
    if (strcmp(counter_words[i].key, key) == 0)
      snprintf(f.what, sizeof f.what, counter_words[i].what, c->unit);
  return f;
}

sb_figure sb__headline(const sb_rcell *c) {
  return sb__figure_of(c, c->headline, c->headline_unit);
}

int sb__headline_is_ns_per_op(const sb_rcell *c) {
  return strcmp(c->headline, "ns_per_op") == 0;
}

char *sb__fmt_figure(sb_figure f, double v, char *buf, size_t len) {
  if (f.unit == SB_FU_BYTES)
    return sb__fmt_bytes(v, buf, len);
  if (f.unit == SB_FU_FRACTION) {
    snprintf(buf, len, "%.0f%%", v * 100);
    return buf;
  }
  return sb__fmt_ns(v, buf, len);
}

const char *sb__figure_worse(sb_figure f) {
  if (f.unit == SB_FU_FRACTION)
    return "lower";
  if (f.unit == SB_FU_BYTES)
    return "larger";
  return strstr(f.key, "late") != NULL ? "later" : "slower";
}

int sb__figure_better(sb_figure f, double a, double b) {
  return f.unit == SB_FU_FRACTION ? a > b : a < b;
}

int sb__is_role(const sb_rcell *c, const char *kind) {
  return !sb_rcell_is_floor(c) && strcmp(c->kind, kind) == 0;
}

size_t sb__role_workloads(const sb_results *r, const char *kind,
                          const sb_rcell **out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < r->ncells && n < cap; i++) {
    const sb_rcell *c = &r->cells[i];
    size_t j = 0;
    if (!sb__is_role(c, kind))
      continue;
    while (j < n && strcmp(out[j]->workload, c->workload) != 0)
      j++;
    if (j == n)
      out[n++] = c;
  }
  return n;
}

const sb_rcell *sb__role_lead(const sb_results *r, const char *kind,
                              const char *headline) {
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (sb__is_role(c, kind) &&
        (headline == NULL || strcmp(c->headline, headline) == 0))
      return c;
  }
  return NULL;
}

const char *sb__size_param(const sb_rcell *c) {
  return c->nparams > 0 ? c->params[0].name : "";
}

double sb__size_of(const sb_rcell *c) {
  return c->nparams > 0 ? c->params[0].value : 0;
}

const char *sb__toggle_param(const sb_results *r, const sb_rcell *like) {
  const char *found = NULL;
  for (size_t p = 0; like != NULL && p < like->nparams; p++) {
    const char *name = like->params[p].name;
    int zero = 0, one = 0, other = 0;
    for (size_t i = 0; i < r->ncells; i++) {
      const sb_rcell *c = &r->cells[i];
      if (strcmp(c->workload, like->workload) != 0)
        continue;
      double v = sb_rcell_param(c, name, NAN);
      zero |= v == 0;
      one |= v == 1;
      other |= v != 0 && v != 1;
    }
    if (zero && one && !other)
      found = name; /* the last such parameter: sizes come first */
  }
  return found;
}

int sb__has_serial(const sb_results *r, const sb_rcell *c) {
  for (size_t i = 0; i < r->ncells; i++)
    if (strcmp(r->cells[i].workload, c->workload) == 0 &&
        strcmp(r->cells[i].primitive, "serial") == 0)
      return 1;
  return 0;
}
