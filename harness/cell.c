/* One cell: its name (workload/runtime/p:v/...), and the Google Benchmark
 * body that runs a workload on a runtime: timed runs around block_on alone,
 * every run verified, then the counters and the checksum label. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness.h"

void sb_counter_set(sb_counters *c, const char *name, double value) {
  SB_ASSERT(strlen(name) < SB_GB_NAME_LEN);
  for (int i = 0; i < c->n; i++) {
    if (strcmp(c->c[i].name, name) == 0) {
      c->c[i].value = value;
      return;
    }
  }
  SB_ASSERT(c->n < SB_GB_MAX_COUNTERS);
  snprintf(c->c[c->n].name, SB_GB_NAME_LEN, "%s", name);
  c->c[c->n].value = value;
  c->n++;
}

uint64_t sb__ctx_switches(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
}

void sb__counters_standard(sb_counters *c, double seconds, int64_t ops,
                           uint64_t ctx_switches) {
  struct rusage ru;
  double peak = 0;
  if (getrusage(RUSAGE_SELF, &ru) == 0)
    peak = (double)ru.ru_maxrss * 1024.0; /* Linux reports KiB */
  if (ops > 0 && seconds > 0) {
    sb_counter_set(c, "ns_per_op", seconds * 1e9 / (double)ops);
    sb_counter_set(c, "items_per_second", (double)ops / seconds);
    sb_counter_set(c, "ctx_switches_per_op",
                   (double)ctx_switches / (double)ops);
  }
  sb_counter_set(c, "peak_rss_bytes", peak);
}

void sb__cell_format(char *buf, size_t len, const char *workload,
                     const char *runtime, const sb_params *ps,
                     int name_workers) {
  size_t at = (size_t)snprintf(buf, len, "%s/%s", workload, runtime);
  for (int i = 0; ps != NULL && i < SB_MAX_PARAMS && ps->p[i].name != NULL;
       i++) {
    if (at < len)
      at += (size_t)snprintf(buf + at, len - at, "/%s:%" PRId64, ps->p[i].name,
                             ps->p[i].value);
  }
  if (name_workers >= 0 && at < len)
    snprintf(buf + at, len - at, "/workers:%d", name_workers);
}

/* The static name string of param `name` in w's parameter sets, or NULL. */
static const char *param_name(const sb_workload *w, const char *name) {
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

/* Parses "k:v" into c's params or workers. */
static int parse_param(sb_cell *c, const char *tok, char *why, size_t len) {
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
  if (sb_runtime_find(rname) != NULL) {
    c->source = SB_SOURCE_C;
  } else if (allow_peer && (c->peer = sb__peer_runtime(rname)) >= 0) {
    c->source = SB_SOURCE_PEER;
  } else {
    snprintf(why, len, "unknown runtime '%s' (see switchbench list)", rname);
    return -EINVAL;
  }
  for (char *tok = strtok_r(NULL, "/", &save); tok != NULL;
       tok = strtok_r(NULL, "/", &save))
    if (parse_param(c, tok, why, len) != 0)
      return -EINVAL;
  if (c->w->check != NULL && c->w->check(&c->params, why, len) != 0)
    return -EINVAL;
  return 0;
}

/* ---- the body of a C cell --------------------------------------------- */

static int cell_begin(void *arg, char *why, size_t len) {
  sb_cell_run *r = arg;
  if (r->error[0] != '\0') {
    snprintf(why, len, "%s", r->error);
    return -1;
  }
  r->seconds = 0;
  r->switches = 0;
  return 0;
}

/* The timed runs of one batch. */
static int runs(sb_cell_run *r, int64_t n, double *seconds, char *why,
                size_t len) {
  int64_t total = 0;
  for (int64_t i = 0; i < n; i++) {
    sb_future *root = r->w->root(r->state);
    if (root == NULL) {
      snprintf(why, len, "%s: no root future (out of memory)", r->w->name);
      return -1;
    }
    uint64_t s0 = sb__ctx_switches();
    int64_t t0 = sb_now_ns();
    int rc = r->rt->ops->block_on(r->rt, root);
    int64_t t1 = sb_now_ns();
    r->switches += sb__ctx_switches() - s0;
    if (rc != 0) {
      snprintf(why, len, "block_on failed: %s", strerror(-rc));
      return -1;
    }
    if (r->w->verify(r->state, root->out, why, len) != 0)
      return -1;
    r->last_out = root->out;
    total += t1 - t0;
  }
  *seconds = (double)total / 1e9;
  r->seconds += *seconds;
  return 0;
}

/* Runs n timed runs; a failure also marks the cell so that the following
 * repetitions report it at once instead of running a broken cell again. */
static int cell_batch(void *arg, int64_t n, double *seconds, char *why,
                      size_t len) {
  sb_cell_run *r = arg;
  int rc = runs(r, n, seconds, why, len);
  if (rc != 0)
    snprintf(r->error, sizeof r->error, "%s", why);
  return rc;
}

static void cell_end(void *arg, int64_t iterations, sb_counters *c) {
  sb_cell_run *r = arg;
  sb__counters_standard(c, r->seconds, iterations * r->ops, r->switches);
  sb_counter_set(c, "workers", r->workers);
  if (r->w->counters != NULL)
    r->w->counters(r->state, c);
  snprintf(c->label, sizeof c->label, "checksum=0x%016llx",
           (unsigned long long)r->last_out);
}

void sb__cell_open(sb_cell_run *r, const sb_cell *c, const sb_config *cfg) {
  memset(r, 0, sizeof *r);
  r->w = c->w;
  r->body = (sb_gb_body){
      .arg = r, .begin = cell_begin, .batch = cell_batch, .end = cell_end};
  const sb_workload *w = c->w;
  if (w->setup == NULL || w->root == NULL || w->verify == NULL ||
      w->ops == NULL) {
    snprintf(r->error, sizeof r->error,
             "workload %s is incomplete (no setup, root, verify or ops)",
             w->name);
    return;
  }
  r->ops = w->ops(&c->params);
  if (r->ops <= 0) {
    snprintf(r->error, sizeof r->error, "workload %s: %" PRId64 " ops per run",
             w->name, r->ops);
    return;
  }
  const sb_runtime_ops *ops = sb_runtime_find(c->runtime);
  SB_ASSERT(ops != NULL);
  int rc = ops->open(cfg, &r->rt);
  if (rc != 0) {
    snprintf(r->error, sizeof r->error, "runtime %s: open failed: %s",
             c->runtime, strerror(-rc));
    r->rt = NULL;
    return;
  }
  sb_runtime_info info = {0};
  ops->info(r->rt, &info);
  r->workers = info.workers;
  char why[SB_REASON_LEN] = "";
  rc = w->setup(&c->params, r->rt, &r->state, why, sizeof why);
  if (rc != 0) {
    /* A workload that does not apply to a runtime says -EOPNOTSUPP. */
    snprintf(r->error, sizeof r->error, "%s%s",
             rc == -EOPNOTSUPP ? "skipped: " : "setup failed: ",
             why[0] != '\0' ? why : strerror(-rc));
    r->state = NULL;
  }
}

void sb__cell_close(sb_cell_run *r) {
  if (r->state != NULL && r->w->teardown != NULL)
    r->w->teardown(r->state);
  if (r->rt != NULL)
    r->rt->ops->close(r->rt);
  r->state = NULL;
  r->rt = NULL;
}
