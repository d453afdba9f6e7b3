/* The results model after parsing: joins benchmark entries to cells by
 * name, and answers lookups (a cell, a counter, a median with its spread). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_arena.h"
#include "results_read.h"
#include "harness/stats/stats.h"

/* One benchmark entry keyed by the cell name it belongs to. */
typedef struct keyed {
  char *base;   /* run name without Google Benchmark's decorations */
  size_t index; /* position in r->entries (keeps file order) */
} keyed;

/* Google Benchmark appends these to a name; cells are named without them. */
static const char *const decorations[] = {
    "repeats:",  "min_time:",   "min_warmup_time:", "iterations:", "threads:",
    "real_time", "manual_time", "process_time",     NULL};

static void strip_decorations(char *s) {
  for (;;) {
    char *slash = strrchr(s, '/');
    int hit = 0;
    if (slash == NULL)
      return;
    for (const char *const *d = decorations; *d != NULL && !hit; d++) {
      size_t n = strlen(*d);
      hit = (*d)[n - 1] == ':' ? strncmp(slash + 1, *d, n) == 0
                               : strcmp(slash + 1, *d) == 0;
    }
    if (!hit)
      return;
    *slash = '\0';
  }
}

static int by_base(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = strcmp(x->base, y->base);
  if (c != 0)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int by_name(const void *a, const void *b) {
  const sb_rcell *const *x = a, *const *y = b;
  return strcmp((*x)->name, (*y)->name);
}

/* Fills what the cells entry left out from the cell's name:
 * workload/runtime/param:value/... */
static int derive(sb_arena *a, sb_rcell *c) {
  char *copy = sb__arena_strdup(a, c->name);
  char *save = NULL, *seg;
  int i = 0;
  size_t nparams = 0;
  if (copy == NULL)
    return -ENOMEM;
  for (const char *s = c->name; *s; s++)
    nparams += *s == '/';
  sb_rparam *params = sb__arena_alloc(a, (nparams + 1) * sizeof(*params));
  if (params == NULL)
    return -ENOMEM;
  for (seg = strtok_r(copy, "/", &save); seg != NULL;
       seg = strtok_r(NULL, "/", &save), i++) {
    char *colon = strchr(seg, ':');
    if (i == 0 && c->workload[0] == '\0')
      c->workload = seg;
    else if (i == 1 && c->runtime[0] == '\0')
      c->runtime = seg;
    else if (i >= 2 && strncmp(seg, "cpus:", 5) == 0)
      c->cpus_limit = atoi(seg + 5); /* the harness's, not a parameter */
    else if (i >= 2 && strncmp(seg, "workers:", 8) == 0)
      continue;
    else if (i >= 2 && colon != NULL && c->nparams == 0) {
      *colon = '\0';
      params[i - 2].name = seg;
      params[i - 2].value = strtod(colon + 1, NULL);
    }
  }
  if (c->nparams == 0) {
    /* Keep only the slots that were filled, in name order. */
    size_t k = 0;
    for (size_t j = 0; j + 2 < (size_t)i && j <= nparams; j++)
      if (params[j].name != NULL)
        params[k++] = params[j];
    c->params = params;
    c->nparams = k;
  }
  if (c->unit[0] == '\0')
    c->unit = "op";
  if (c->source[0] == '\0')
    c->source = strcmp(c->workload, "floor") == 0 ? "floor" : "switchbench";
  /* Files from before cells recorded it: what the runtime's name says. */
  if (c->primitive[0] == '\0')
    c->primitive = strcmp(c->workload, "floor") == 0       ? "none"
                   : strncmp(c->runtime, "serial", 6) == 0 ? "serial"
                                                           : "spawn+join";
  sb__results_legacy(c);
  return 0;
}

static char *empty(void) {
  static char e[1];
  return e;
}

/* Attaches the entries of one group (same base name) to cell c. */
static int attach(sb_arena *a, sb_results *r, sb_rcell *c, const keyed *g,
                  size_t n) {
  size_t reps = 0;
  for (size_t i = 0; i < n; i++) {
    const sb_rentry *e = &r->entries[g[i].index];
    reps += !e->aggregate && !e->error;
  }
  const sb_rentry **all = sb__arena_alloc(a, (c->nreps + reps) * sizeof(*all));
  if (all == NULL && c->nreps + reps > 0)
    return -ENOMEM;
  if (c->nreps > 0)
    memcpy(all, c->reps, c->nreps * sizeof(*all));
  c->reps = all;
  for (size_t i = 0; i < n; i++) {
    const sb_rentry *e = &r->entries[g[i].index];
    if (e->error)
      c->error = e;
    else if (!e->aggregate)
      c->reps[c->nreps++] = e;
    else if (strcmp(e->aggregate_name, "median") == 0)
      c->median = e;
    else if (strcmp(e->aggregate_name, "cv") == 0)
      c->cv = e;
  }
  return 0;
}

int sb__results_join(sb_arena *a, sb_results *r, size_t nlisted) {
  keyed *keys = NULL;
  sb_rcell **sorted = NULL;
  int rc = -ENOMEM;

  for (size_t i = 0; i < nlisted; i++)
    if ((rc = derive(a, &r->cells[i])) != 0)
      goto cleanup;
  rc = -ENOMEM;
  keys = calloc(r->nentries + 1, sizeof(*keys));
  sorted = calloc(nlisted + 1, sizeof(*sorted));
  if (keys == NULL || sorted == NULL)
    goto cleanup;
  for (size_t i = 0; i < r->nentries; i++) {
    const sb_rentry *e = &r->entries[i];
    char *base = sb__arena_strdup(a, e->run_name);
    if (base == NULL)
      goto cleanup;
    size_t bl = strlen(base), al = strlen(e->aggregate_name);
    /* Without run_name an aggregate is only named "cell_median". */
    if (e->aggregate && e->run_name == e->name && al > 0 && bl > al &&
        base[bl - al - 1] == '_' &&
        strcmp(base + bl - al, e->aggregate_name) == 0)
      base[bl - al - 1] = '\0';
    strip_decorations(base);
    keys[i] = (keyed){.base = base, .index = i};
  }
  qsort(keys, r->nentries, sizeof(*keys), by_base);
  for (size_t i = 0; i < nlisted; i++)
    sorted[i] = &r->cells[i];
  qsort(sorted, nlisted, sizeof(*sorted), by_name);
  for (size_t i = 0; i < r->nentries;) {
    size_t j = i;
    while (j < r->nentries && strcmp(keys[j].base, keys[i].base) == 0)
      j++;
    sb_rcell probe = {.name = keys[i].base}, *pp = &probe, **hit;
    hit = bsearch(&pp, sorted, nlisted, sizeof(*sorted), by_name);
    sb_rcell *c = hit != NULL ? *hit : NULL;
    if (c == NULL) {
      /* Listed by no cell: a cell derived from the name alone. */
      c = &r->cells[r->ncells++];
      *c = (sb_rcell){.name = keys[i].base,
                      .min_time = -1,
                      .repetitions = -1,
                      .warmup = -1};
      c->workload = c->runtime = c->question = c->kind = c->headline =
          c->headline_unit = c->source = c->status = c->reason = c->unit =
              c->primitive = c->peer = c->pin = c->cpus = empty();
      if ((rc = derive(a, c)) != 0)
        goto cleanup;
      rc = -ENOMEM;
    }
    if (attach(a, r, c, keys + i, j - i) != 0)
      goto cleanup;
    /* A cell with no status of its own is ok when it has repetitions. */
    if (hit == NULL || c->status[0] == '\0') {
      c->status = c->nreps > 0 ? "ok" : "failed";
      if (c->error != NULL)
        c->reason = c->error->error_message;
    }
    i = j;
  }
  rc = 0;
cleanup:
  free(keys);
  free(sorted);
  return rc;
}

const sb_rcell *sb_results_cell(const sb_results *r, const char *name) {
  for (size_t i = 0; i < r->ncells; i++)
    if (strcmp(r->cells[i].name, name) == 0)
      return &r->cells[i];
  return NULL;
}

const double *sb_rentry_value(const sb_rentry *e, const char *key) {
  for (size_t i = 0; i < e->nvalues; i++)
    if (strcmp(e->values[i].key, key) == 0)
      return &e->values[i].value;
  return NULL;
}

double sb_rcell_param(const sb_rcell *c, const char *name, double def) {
  for (size_t i = 0; i < c->nparams; i++)
    if (strcmp(c->params[i].name, name) == 0)
      return c->params[i].value;
  return def;
}

size_t sb_rcell_samples(const sb_rcell *c, const char *key, double *vals,
                        size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < c->nreps; i++) {
    const double *v = sb_rentry_value(c->reps[i], key);
    if (v != NULL && n < cap)
      vals[n++] = *v;
  }
  return n;
}

/* The face's median, mean and coefficient of variation over v[0..n)
 * (n > 0, sorted in place), from the harness's one statistics file. A cv
 * is only defined for two samples or more and a positive mean: -1 else. */
static void describe(double *v, size_t n, sb_rstat *out) {
  sb_stats st;
  sb_stats_of(v, n, &st);
  out->n = n;
  out->single = n == 1;
  out->min = st.min;
  out->max = st.max;
  out->median = st.median;
  out->cv = n > 1 && st.mean > 0 ? st.cv : -1;
}

int sb_rcell_stat(const sb_rcell *c, const char *key, sb_rstat *out) {
  double *v = NULL;
  int rc = -ENOENT;
  *out = (sb_rstat){.cv = -1};
  if (strcmp(c->status, "ok") != 0 || c->nreps == 0)
    goto cleanup;
  rc = -ENOMEM;
  if ((v = malloc(c->nreps * sizeof(*v))) == NULL)
    goto cleanup;
  size_t n = sb_rcell_samples(c, key, v, c->nreps);
  rc = -ENOENT;
  if (n == 0)
    goto cleanup;
  describe(v, n, out);
  /* Google Benchmark's own aggregates, where the file has them. */
  const double *agg = c->median ? sb_rentry_value(c->median, key) : NULL;
  if (agg != NULL && n > 1)
    out->median = *agg;
  const double *cv = c->cv ? sb_rentry_value(c->cv, key) : NULL;
  if (cv != NULL && n > 1)
    out->cv = *cv;
  rc = 0;
cleanup:
  free(v);
  return rc;
}

int sb_rcell_same_params(const sb_rcell *a, const sb_rcell *b) {
  if (a->nparams != b->nparams || a->cpus_limit != b->cpus_limit)
    return 0;
  for (size_t i = 0; i < a->nparams; i++)
    if (strcmp(a->params[i].name, b->params[i].name) != 0 ||
        a->params[i].value != b->params[i].value)
      return 0;
  return 1;
}

const sb_rcell *sb_results_find(const sb_results *r, const char *workload,
                                const char *runtime, const sb_rcell *like) {
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->workload, workload) == 0 &&
        strcmp(c->runtime, runtime) == 0 &&
        (like == NULL || sb_rcell_same_params(c, like)))
      return c;
  }
  return NULL;
}

char *sb_rcell_params_str(const sb_rcell *c, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < c->nparams && used < len; i++) {
    int n = snprintf(buf + used, len - used, "%s%s:%.15g", i ? " " : "",
                     c->params[i].name, c->params[i].value);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  return buf;
}

int sb_runtime_rank(const char *runtime) {
  static const char *const order[] = {
      "threads",  "pool",       "single",  "steal",     "tokio-mt",
      "tokio-ct", "smol-local", "smol-mt", "async-std", "futures-local",
      "rayon",    "std-thread", "go",      NULL};
  for (int i = 0; order[i] != NULL; i++)
    if (strcmp(order[i], runtime) == 0)
      return i;
  return 100;
}

int sb_rcell_is_floor(const sb_rcell *c) {
  return strcmp(c->source, "floor") == 0;
}

int sb_runtime_is_thread(const char *runtime) {
  return strcmp(runtime, "threads") == 0 || strcmp(runtime, "pool") == 0 ||
         strcmp(runtime, "std-thread") == 0;
}
