/* Cell names: workload/runtime/p:v/...[/workers:N][/cpus:N], parsed into
 * what runs them (a C runtime, a peer runtime, the kernel floor or the
 * fib/serial row) and formatted back. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

void sb__cell_format(char *buf, size_t len, const char *workload,
                     const char *runtime, const sb_params *ps, int name_workers,
                     int cpus_n) {
  size_t at = (size_t)snprintf(buf, len, "%s/%s", workload, runtime);
  for (int i = 0; ps != NULL && i < SB_MAX_PARAMS && ps->p[i].name != NULL;
       i++) {
    if (at < len)
      at += (size_t)snprintf(buf + at, len - at, "/%s:%" PRId64, ps->p[i].name,
                             ps->p[i].value);
  }
  if (name_workers >= 0 && at < len)
    at += (size_t)snprintf(buf + at, len - at, "/workers:%d", name_workers);
  if (cpus_n > 0 && at < len)
    snprintf(buf + at, len - at, "/cpus:%d", cpus_n);
}

/* The static name string of param `name` in w's specs or parameter sets,
 * or NULL. */
static const char *param_name(const sb_workload *w, const char *name) {
  for (const sb_param_spec *s = w->params; s != NULL && s->name != NULL; s++)
    if (strcmp(s->name, name) == 0)
      return s->name;
  const sb_params *sets[] = {w->quick, w->full};
  for (size_t s = 0; s < 2; s++) {
    for (const sb_params *ps = sets[s]; ps != NULL && ps->p[0].name != NULL;
         ps++)
      for (int i = 0; i < SB_MAX_PARAMS && ps->p[i].name != NULL; i++)
        if (strcmp(ps->p[i].name, name) == 0)
          return ps->p[i].name;
  }
  return NULL;
}

/* Parses "k:v" into c's params, workers or cpus; last is 1 for the name's
 * last segment (the only place /cpus:N may stand). */
static int parse_param(sb_cell *c, const char *tok, int last, char *why,
                       size_t len) {
  const char *colon = strchr(tok, ':');
  if (colon == NULL || colon == tok || colon[1] == '\0') {
    snprintf(why, len, "bad parameter '%s' in cell name (want name:value)",
             tok);
    return -EINVAL;
  }
  char key[64];
  snprintf(key, sizeof key, "%.*s", (int)(colon - tok), tok);
  char *end = NULL;
  errno = 0;
  long long v = strtoll(colon + 1, &end, 10);
  if (errno != 0 || *end != '\0') {
    snprintf(why, len, "bad value '%s' for %s (want an integer in range)",
             colon + 1, key);
    return -EINVAL;
  }
  if (strcmp(key, "workers") == 0) {
    if (v < 1 || v > 1024) {
      snprintf(why, len, "bad workers:%lld (want 1..1024)", v);
      return -EINVAL;
    }
    c->workers = (int)v;
    c->workers_in_name = 1;
    return 0;
  }
  if (strcmp(key, "cpus") == 0) {
    if (!last || v < 1 || v > SB_MAX_CPUS) {
      snprintf(why, len, "bad cpus:%lld (want 1..%d, at the end of the name)",
               v, SB_MAX_CPUS);
      return -EINVAL;
    }
    c->cpus_n = (int)v;
    return 0;
  }
  const char *name = c->w != NULL ? param_name(c->w, key) : NULL;
  if (name == NULL) {
    snprintf(why, len, "workload %s has no parameter '%s'",
             c->w != NULL ? c->w->name : "?", key);
    return -EINVAL;
  }
  int i = 0;
  while (i < SB_MAX_PARAMS && c->params.p[i].name != NULL &&
         strcmp(c->params.p[i].name, name) != 0)
    i++;
  if (i == SB_MAX_PARAMS) {
    snprintf(why, len, "too many parameters in cell name");
    return -EINVAL;
  }
  c->params.p[i].name = name;
  c->params.p[i].value = v;
  return 0;
}

int sb__cell_parse(const char *name, int allow_peer, sb_cell *c, char *why,
                   size_t len) {
  memset(c, 0, sizeof *c);
  c->peer = -1;
  if (strlen(name) >= sizeof c->name) {
    snprintf(why, len, "cell name too long");
    return -EINVAL;
  }
  snprintf(c->name, sizeof c->name, "%s", name);
  if (strncmp(name, "floor/", 6) == 0) {
    for (const sb_floor_cell *f = sb__floor_cells; f->name != NULL; f++) {
      if (strcmp(f->name, name) == 0) {
        c->source = SB_SOURCE_FLOOR;
        snprintf(c->runtime, sizeof c->runtime, "%.*s",
                 (int)strcspn(name + 6, "/"), name + 6);
        return 0;
      }
    }
    snprintf(why, len, "unknown floor cell '%s' (see switchbench list)", name);
    return -EINVAL;
  }
  char copy[SB_CELL_NAME_LEN];
  snprintf(copy, sizeof copy, "%s", name);
  char *save = NULL;
  char *wname = strtok_r(copy, "/", &save);
  char *rname = wname != NULL ? strtok_r(NULL, "/", &save) : NULL;
  if (wname == NULL || rname == NULL) {
    snprintf(why, len, "bad cell name '%s' (want workload/runtime/p:v...)",
             name);
    return -EINVAL;
  }
  c->w = sb_workload_find(wname);
  if (c->w == NULL) {
    snprintf(why, len, "unknown workload '%s' (see switchbench list)", wname);
    return -EINVAL;
  }
  if (strlen(rname) >= sizeof c->runtime) {
    snprintf(why, len, "unknown runtime '%s'", rname);
    return -EINVAL;
  }
  snprintf(c->runtime, sizeof c->runtime, "%s", rname);
  snprintf(c->primitive, sizeof c->primitive, SB_PRIM_SPAWN_JOIN);
  if (sb_runtime_find(rname) != NULL) {
    c->source = SB_SOURCE_C;
    snprintf(c->primitive, sizeof c->primitive, "%s",
             sb__c_primitive(c->w, sb_runtime_find(rname)));
  } else if (c->w == &sb_workload_fib && strcmp(rname, "serial") == 0) {
    c->source = SB_SOURCE_SERIAL;
    snprintf(c->primitive, sizeof c->primitive, SB_PRIM_SERIAL);
  } else if (allow_peer && (c->peer = sb__peer_runtime(rname)) >= 0) {
    c->source = SB_SOURCE_PEER;
    snprintf(c->primitive, sizeof c->primitive, "%s",
             sb__peer_primitive(c->peer, c->w->name, rname));
  } else {
    snprintf(why, len, "unknown runtime '%s' (see switchbench list)", rname);
    return -EINVAL;
  }
  for (char *tok = strtok_r(NULL, "/", &save); tok != NULL;) {
    char *next = strtok_r(NULL, "/", &save);
    if (parse_param(c, tok, next == NULL, why, len) != 0)
      return -EINVAL;
    tok = next;
  }
  if (sb_workload_check(c->w, &c->params, why, len) != 0)
    return -EINVAL;
  return 0;
}

const char *sb__c_primitive(const sb_workload *w, const sb_runtime_ops *ops) {
  return w->forks && ops->fork != NULL ? "join" : SB_PRIM_SPAWN_JOIN;
}
