/* The plan of a run: which cells the matrix holds. Every selected workload
 * x runtime x parameter set (quick, full or smoke) (x --workers where a
 * runtime's workers follow it), the kernel floor, the fib/serial rows, the
 * peers' cells for the same workloads and parameters, and the thread model
 * confined to one CPU (PROTOCOL.md 7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "runtimes/os/topo.h"

/* The runtime names the peers use (RESULTS.md), accepted by --runtime even
 * when no peer binary is built. */
static const char *const peer_runtimes[] = {
    "tokio-mt",  "tokio-ct",      "smol-local", "smol-mt",
    "async-std", "futures-local", "rayon",      "std-thread",
    "go",        "serial-rust",   "serial-go",  NULL};

/* The cells that run the thread model on one CPU beside the executors:
 * pingpong at this size (the default and the quick matrix; smoke keeps its
 * own size), confined with /cpus:1. */
#define CONFINED_N 200000
static const char *const confined_runtimes[] = {"threads", "std-thread", NULL};

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
  for (const sb_param_spec *sp = w->params; sp && sp->name != NULL; sp++)
    if (strcmp(sp->name, name) == 0)
      return 1;
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
        strcmp(s->runtimes[i], "serial") != 0 &&
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

/* The cell of runtime r (C, peer index or fib/serial) with its name. */
static sb_cell make_cell(const sb_workload *w, const sb_params *ps,
                         sb_source src, const char *runtime, int peer,
                         int workers, int name_workers, int cpus_n) {
  sb_cell c;
  memset(&c, 0, sizeof c);
  c.source = src;
  c.w = w;
  c.params = *ps;
  c.peer = peer;
  c.workers = workers;
  c.workers_in_name = name_workers >= 0;
  c.cpus_n = cpus_n;
  snprintf(c.runtime, sizeof c.runtime, "%s", runtime);
  snprintf(c.primitive, sizeof c.primitive, "%s",
           src == SB_SOURCE_SERIAL ? SB_PRIM_SERIAL
           : src == SB_SOURCE_PEER
               ? sb__peer_primitive(peer, w->name, runtime)
               : sb__c_primitive(w, sb_runtime_find(runtime)));
  sb__cell_format(c.name, sizeof c.name, w->name, runtime, ps, name_workers,
                  cpus_n);
  return c;
}

/* 1 when a serial row of peer i belongs in the plan: no --runtime
 * filter, or it names the row or another runtime of the same peer. */
static int serial_wanted(const sb_select *s, const sb_peer *peer,
                         const char *rt) {
  if (listed(s->runtimes, s->nruntimes, rt))
    return 1;
  for (int k = 0; k < peer->npairs; k++)
    if (listed(s->runtimes, s->nruntimes, peer->pairs[k].runtime))
      return 1;
  return 0;
}

/* 1 when the fib/serial row belongs in the plan: no --runtime filter, or
 * it names serial or one of the suite's runtimes. */
static int c_serial_wanted(const sb_select *s) {
  for (size_t r = 0; sb_runtimes[r] != NULL; r++)
    if (listed(s->runtimes, s->nruntimes, sb_runtimes[r]->name))
      return 1;
  return listed(s->runtimes, s->nruntimes, "serial");
}

/* The peer cells of workload w with parameters ps: once per --workers
 * value where the runtime's workers follow it, once otherwise; a serial
 * row comes with any runtime of its peer. */
static int plan_peers(plan *p, const sb_workload *w, const sb_params *ps,
                      const sb_select *s, int cores) {
  if (sb_param(ps, "http", 0) != 0)
    return 0; /* peer servers serve echo only */
  for (int i = 0; i < SB_MAX_PEERS; i++) {
    const sb_peer *peer = &sb__peers[i];
    for (int k = 0; peer->present && k < peer->npairs; k++) {
      const char *rt = peer->pairs[k].runtime;
      int serial = strcmp(peer->pairs[k].primitive, SB_PRIM_SERIAL) == 0;
      if (strcmp(peer->pairs[k].workload, w->name) != 0 ||
          !(serial ? serial_wanted(s, peer, rt)
                   : listed(s->runtimes, s->nruntimes, rt)))
        continue;
      int sweep =
          s->nworkers > 1 && sb__peer_workers(rt) == SB_PEER_WORKERS_FOLLOW;
      size_t nw = sweep ? s->nworkers : 1;
      for (size_t j = 0; j < nw; j++) {
        int workers = s->nworkers > 0 ? s->workers[j] : cores;
        sb_cell c = make_cell(w, ps, SB_SOURCE_PEER, rt, i, workers,
                              sweep ? workers : -1, 0);
        if (push(p, &c) != 0)
          return -ENOMEM;
      }
    }
  }
  return 0;
}

/* The C cells, the fib/serial row and the peer cells of workload w with
 * parameters ps. */
static int plan_set(plan *p, const sb_workload *w, const sb_params *ps,
                    const sb_select *s, const int *scales, int cores) {
  for (size_t r = 0; sb_runtimes[r] != NULL; r++) {
    const sb_runtime_ops *ops = sb_runtimes[r];
    if (!listed(s->runtimes, s->nruntimes, ops->name))
      continue;
    size_t nw = s->nworkers > 1 && scales[r] ? s->nworkers : 1;
    for (size_t k = 0; k < nw; k++) {
      int workers = s->nworkers > 0 ? s->workers[k] : 0;
      sb_cell c = make_cell(w, ps, SB_SOURCE_C, ops->name, -1, workers,
                            nw > 1 ? workers : -1, 0);
      if (push(p, &c) != 0)
        return -ENOMEM;
    }
  }
  /* The leaf work of fib alone, beside the runtimes that add their cost. */
  if (w == &sb_workload_fib && c_serial_wanted(s)) {
    sb_cell c = make_cell(w, ps, SB_SOURCE_SERIAL, "serial", -1, 0, -1, 0);
    if (push(p, &c) != 0)
      return -ENOMEM;
  }
  return plan_peers(p, w, ps, s, cores);
}

/* pingpong on the thread-per-task runtimes confined to one CPU, where a
 * handoff is at its cheapest. ps is the set the matrix uses (smoke) or
 * NULL for the CONFINED_N set with the --param overrides applied. */
static int plan_confined(plan *p, const sb_params *ps, const sb_select *s,
                         int cores) {
  const sb_workload *w = &sb_workload_pingpong;
  const sb_params big = {{{"n", CONFINED_N}}};
  sb_params set = ps != NULL ? *ps : override(&big, s);
  for (const char *const *rt = confined_runtimes; *rt != NULL; rt++) {
    if (!listed(s->runtimes, s->nruntimes, *rt))
      continue;
    int c_side = sb_runtime_find(*rt) != NULL, peer = -1;
    for (int i = 0; !c_side && peer < 0 && i < SB_MAX_PEERS; i++)
      for (int k = 0; sb__peers[i].present && k < sb__peers[i].npairs; k++)
        if (strcmp(sb__peers[i].pairs[k].workload, w->name) == 0 &&
            strcmp(sb__peers[i].pairs[k].runtime, *rt) == 0)
          peer = i;
    if (!c_side && peer < 0)
      continue; /* the peer that has it is not here */
    int workers = s->nworkers > 0 ? s->workers[0] : c_side ? 0 : cores;
    sb_cell c = make_cell(w, &set, c_side ? SB_SOURCE_C : SB_SOURCE_PEER, *rt,
                          peer, workers, -1, 1);
    if (push(p, &c) != 0)
      return -ENOMEM;
  }
  return 0;
}

/* Checks set ps of w (with the --param overrides) and adds its cells. */
static int add_set(plan *p, const sb_workload *w, const sb_params *ps,
                   const sb_select *s, const int *scales, int cores, char *why,
                   size_t len) {
  sb_params set = override(ps, s);
  if (sb_workload_check(w, &set, why, len) != 0) {
    char reason[SB_REASON_LEN];
    snprintf(reason, sizeof reason, "%s", why);
    snprintf(why, len, "%s: %s", w->name, reason);
    return -EINVAL;
  }
  if (plan_set(p, w, &set, s, scales, cores) != 0) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
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
      if ((rc = add_set(&p, w, ps, s, scales, cores, why, len)) != 0)
        goto fail;
      if (o->smoke)
        break; /* one set per workload: the first quick one */
    }
    /* echo also runs open loop at rates probed now (PROTOCOL.md 6a). */
    sb_params open[SB_OPENLOOP_MAX_SETS];
    int nopen = w == &sb_workload_echo && !o->smoke
                    ? sb__openloop_sets(o->quick, open, SB_OPENLOOP_MAX_SETS)
                    : 0;
    if (nopen < 0)
      fprintf(stderr,
              "switchbench: open loop: no capacity probe (%s): "
              "no open-loop cells\n",
              strerror(-nopen));
    for (int i = 0; i < nopen; i++)
      if ((rc = add_set(&p, w, &open[i], s, scales, cores, why, len)) != 0)
        goto fail;
    if (w == &sb_workload_pingpong && sets != NULL && sets->p[0].name) {
      sb_params first = override(sets, s);
      if ((rc = plan_confined(&p, o->smoke ? &first : NULL, s, cores)) != 0) {
        snprintf(why, len, "out of memory");
        goto fail;
      }
    }
  }
  *out = p.cells;
  *n = p.n;
  return 0;
fail:
  free(p.cells);
  return rc;
}
