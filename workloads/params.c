/* Parameters: lookup with a default, and the check every set passes before
 * anything runs (the workload's specs, then its own cross-parameter rules). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "workload.h"

int64_t sb_param(const sb_params *ps, const char *name, int64_t def) {
  for (int i = 0; i < SB_MAX_PARAMS && ps->p[i].name != NULL; i++)
    if (strcmp(ps->p[i].name, name) == 0)
      return ps->p[i].value;
  return def;
}

/* The spec called name in specs, or NULL. */
static const sb_param_spec *spec_find(const sb_param_spec *specs,
                                      const char *name) {
  for (const sb_param_spec *s = specs; s != NULL && s->name != NULL; s++)
    if (strcmp(s->name, name) == 0)
      return s;
  return NULL;
}

int64_t sb_param_of(const sb_params *ps, const sb_param_spec *specs,
                    const char *name) {
  const sb_param_spec *s = spec_find(specs, name);
  SB_ASSERT(s != NULL); /* a workload asked for a parameter it does not take */
  return sb_param(ps, name, s->def);
}

int sb_workload_check(const sb_workload *w, const sb_params *ps, char *why,
                      size_t len) {
  for (int i = 0; i < SB_MAX_PARAMS && ps->p[i].name != NULL; i++) {
    if (spec_find(w->params, ps->p[i].name) == NULL) {
      snprintf(why, len, "unknown param '%s'", ps->p[i].name);
      return -EINVAL;
    }
  }
  for (const sb_param_spec *s = w->params; s != NULL && s->name != NULL; s++) {
    int64_t v = sb_param(ps, s->name, s->def);
    if (v < s->min || v > s->max) {
      snprintf(why, len,
               "param %s=%" PRId64 " out of range [%" PRId64 ", %" PRId64 "]",
               s->name, v, s->min, s->max);
      return -EINVAL;
    }
  }
  return w->check != NULL ? w->check(ps, why, len) : 0;
}
