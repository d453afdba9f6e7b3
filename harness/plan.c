/* The plan of a run: which cells the matrix holds. Every selected workload
 * x runtime x parameter set (quick, full or smoke), the kernel floor, and
 * the peers' cells for the same workloads and parameters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "topo.h"

/* The runtime names the peers use (RESULTS.md), accepted by --runtime even
 * when no peer binary is built. */
static const char *const peer_runtimes[] = {
    "tokio-mt",      "tokio-ct", "smol-local", "smol-mt", "async-std",
    "futures-local", "rayon",    "std-thread", "go",      NULL};

static int listed(char *const *names, size_t n, const char *name) {
  if (n == 0)
    return 1; /* no filter: everything */
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      return 1;
  return 0;
}

static int is_peer_runtime(const char *name) {
  for (const char *const *p = peer_runtimes; *p != NULL; p++)
    if (strcmp(*p, name) == 0)
      return 1;
  return 0;
}

/* 1 when the runtime's worker count follows sb_config.workers. */
static int follows_workers(const sb_runtime_ops *ops) {
  int got[2] = {-1, -1};
  for (int i = 0; i < 2; i++) {
    sb_config cfg = {.workers = i + 1};
    sb_runtime *rt = NULL;
    if (ops->open(&cfg, &rt) != 0)
      return 0;
    sb_runtime_info info = {0};
    ops->info(rt, &info);
    got[i] = info.workers;
    ops->close(rt);
  }
  return got[0] != got[1];
}

typedef struct plan {
  sb_cell *cells; /* growing array */
  size_t n;       /* cells in use */
  size_t cap;     /* cells allocated */
} plan;

static int push(plan *p, const sb_cell *c) {
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->cells[i].name, c->name) == 0)
      return 0; /* parameter overrides can make two sets one */
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 64;
    sb_cell *grown = realloc(p->cells, cap * sizeof *grown);
    if (grown == NULL)
      return -ENOMEM;
    p->cells = grown;
    p->cap = cap;
  }
  p->cells[p->n++] = *c;
  return 0;
}

/* ps with the --param overrides that name its parameters applied. */
static sb_params override(const sb_params *ps, const sb_select *s) {
  sb_params out = *ps;
  for (size_t k = 0; k < s->nparams; k++)
    for (int i = 0; i < SB_MAX_PARAMS && out.p[i].name != NULL; i++)
      if (strcmp(out.p[i].name, s->params[k].name) == 0)
        out.p[i].value = s->params[k].value;
  return out;
}

static int has_param(const sb_workload *w, const char *name) {
  const sb_params *sets[] = {w->quick, w->full};
  for (int k = 0; k < 2; k++)
    for (const sb_params *ps = sets[k]; ps != NULL && ps->p[0].name; ps++)
      for (int i = 0; i < SB_MAX_PARAMS && ps->p[i].name != NULL; i++)
        if (strcmp(ps->p[i].name, name) == 0)
          return 1;
  return 0;
}

static int validate(const sb_select *s, char *why, size_t len) {
  for (size_t i = 0; i < s->nruntimes; i++) {
    if (sb_runtime_find(s->runtimes[i]) == NULL &&
        !is_peer_runtime(s->runtimes[i])) {
      snprintf(why, len, "unknown runtime '%s' (see switchbench list)",
               s->runtimes[i]);
      return -EINVAL;
    }
  }
  for (size_t i = 0; i < s->nworkloads; i++) {
    if (strcmp(s->workloads[i], "floor") != 0 &&
        sb_workload_find(s->workloads[i]) == NULL) {
      snprintf(why, len, "unknown workload '%s' (see switchbench list)",
               s->workloads[i]);
      return -EINVAL;
    }
  }
  for (size_t k = 0; k < s->nparams; k++) {
    int found = 0;
    for (const sb_workload *const *w = sb_workloads; *w != NULL; w++)
      if (listed(s->workloads, s->nworkloads, (*w)->name))
        found |= has_param(*w, s->params[k].name);
    if (!found) {
      snprintf(why, len, "no selected workload has a parameter '%s'",
               s->params[k].name);
      return -EINVAL;
    }
  }
  return 0;
}

/* The C cells and peer cells of workload w with parameters ps. */
static int plan_set(plan *p, const sb_workload *w, const sb_params *ps,
                    const sb_select *s, const int *scales, int cores) {
  sb_cell c;
  for (size_t r = 0; sb_runtimes[r] != NULL; r++) {
    const sb_runtime_ops *ops = sb_runtimes[r];
    if (!listed(s->runtimes, s->nruntimes, ops->name))
      continue;
    size_t nw = s->nworkers > 1 && scales[r] ? s->nworkers : 1;
    for (size_t k = 0; k < nw; k++) {
      memset(&c, 0, sizeof c);
      c.source = SB_SOURCE_C;
      c.w = w;
      c.params = *ps;
      c.peer = -1;
      c.workers = s->nworkers > 0 ? s->workers[k] : 0;
      c.workers_in_name = nw > 1;
      snprintf(c.runtime, sizeof c.runtime, "%s", ops->name);
      sb__cell_format(c.name, sizeof c.name, w->name, ops->name, ps,
                      nw > 1 ? c.workers : -1);
      if (push(p, &c) != 0)
        return -ENOMEM;
    }
  }
  for (int i = 0; i < SB_MAX_PEERS; i++) {
    const sb_peer *peer = &sb__peers[i];
    for (int k = 0; peer->present && k < peer->npairs; k++) {
      if (strcmp(peer->pairs[k].workload, w->name) != 0 ||
          (s->nruntimes > 0 &&
           !listed(s->runtimes, s->nruntimes, peer->pairs[k].runtime)))
        continue;
      memset(&c, 0, sizeof c);
      c.source = SB_SOURCE_PEER;
      c.w = w;
      c.params = *ps;
      c.peer = i;
      c.workers = s->nworkers > 0 ? s->workers[0] : cores;
      snprintf(c.runtime, sizeof c.runtime, "%s", peer->pairs[k].runtime);
      sb__cell_format(c.name, sizeof c.name, w->name, c.runtime, ps, -1);
      if (push(p, &c) != 0)
        return -ENOMEM;
    }
  }
  return 0;
}

int sb__plan(const sb_select *s, const sb_run_opts *o, sb_cell **out, size_t *n,
             char *why, size_t len) {
  plan p = {0};
  int rc = validate(s, why, len);
  if (rc != 0)
    return rc;
  int scales[16] = {0};
  for (size_t r = 0; sb_runtimes[r] != NULL && r < 16; r++)
    if (s->nworkers > 1 &&
        listed(s->runtimes, s->nruntimes, sb_runtimes[r]->name))
      scales[r] = follows_workers(sb_runtimes[r]);
  sb_topo *t = NULL;
  int cores = sb_topo_get(&t) == 0 ? sb_topo_cores(t) : 1;
  if (listed(s->workloads, s->nworkloads, "floor")) {
    for (const sb_floor_cell *f = sb__floor_cells; f->name != NULL; f++) {
      sb_cell c;
      SB_ASSERT(sb__cell_parse(f->name, 0, &c, why, len) == 0);
      if ((rc = push(&p, &c)) != 0)
        goto fail;
    }
  }
  for (const sb_workload *const *wp = sb_workloads; *wp != NULL; wp++) {
    const sb_workload *w = *wp;
    if (!listed(s->workloads, s->nworkloads, w->name))
      continue;
    const sb_params *sets = o->quick || o->smoke ? w->quick : w->full;
    for (const sb_params *ps = sets; ps != NULL && ps->p[0].name != NULL;
         ps++) {
      sb_params set = override(ps, s);
      if (w->check != NULL && w->check(&set, why, len) != 0) {
        char reason[SB_REASON_LEN];
        snprintf(reason, sizeof reason, "%s", why);
        snprintf(why, len, "%s: %s", w->name, reason);
        rc = -EINVAL;
        goto fail;
      }
      if ((rc = plan_set(&p, w, &set, s, scales, cores)) != 0) {
        snprintf(why, len, "out of memory");
        goto fail;
      }
      if (o->smoke)
        break; /* one set per workload: the first quick one */
    }
  }
  *out = p.cells;
  *n = p.n;
  return 0;
fail:
  free(p.cells);
  return rc;
}
