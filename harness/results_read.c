/* Reads a results file (Google Benchmark JSON plus the suite's context and
 * cells, see RESULTS.md) with jansson into the model of results_read.h,
 * checking every field it uses and naming the first one that is wrong. */
#include "results_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "results_arena.h"
#include "results_schema.h"

/* A model and the arena that holds everything it points to. */
typedef struct owned {
  sb_results r;   /* what the caller sees; first, so &o->r == o */
  sb_arena arena; /* its strings and arrays */
} owned;
#define SB_OWNED_OF(rp) ((owned *)(void *)(rp))

/* The state of one parse: where allocations go and where the reason goes. */
typedef struct parser {
  sb_arena *arena;  /* owns every string and array of the model */
  const char *name; /* the file, for messages */
  char *why;        /* the one-line reason */
  size_t len;       /* capacity of why */
} parser;

static int fail(parser *p, const char *fmt, ...) {
  va_list ap;
  int n = snprintf(p->why, p->len, "%s: ", p->name);
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < p->len)
    vsnprintf(p->why + n, p->len - (size_t)n, fmt, ap);
  va_end(ap);
  /* One line whatever the file held: keys and jansson's "near '...'"
   * quote the input, which may hold control characters. */
  for (char *s = p->why; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      *s = ' ';
  return -EINVAL;
}

/* Reads the keys of place where that the model keeps (the schema table's
 * "at") from obj into base, a sb_rcontext, sb_rcell or sb_rentry, after
 * checking obj against the table. Absent keys get their defaults: "" for
 * strings, -1 for integers and booleans, the row's default for numbers. */
static int read_kept(parser *p, const json_t *obj, sb_jwhere where,
                     const char *label, void *base) {
  char why[256];
  if (sb_schema_check(obj, where, label, SB_JS_READ, why, sizeof why) != 0)
    return fail(p, "%s", why);
  for (size_t i = 0; i < sb_njkeys; i++) {
    const sb_jkey *k = &sb_jkeys[i];
    if (k->where != where || k->at == SB_JNOT_KEPT)
      continue;
    const json_t *v = json_object_get(obj, k->key);
    void *at = (char *)base + k->at;
    switch (k->type) {
    case SB_JT_STRING: {
      char *s = sb__arena_strdup(p->arena, v ? json_string_value(v) : "");
      if (s == NULL)
        return -ENOMEM;
      *(char **)at = s;
      break;
    }
    case SB_JT_INTEGER: /* the check kept it within 0..1e9 */
      *(int *)at = v ? (int)json_integer_value(v) : -1;
      break;
    case SB_JT_NUMBER:
      *(double *)at = v ? json_number_value(v) : k->def;
      break;
    case SB_JT_BOOLEAN:
      *(int *)at = v ? json_is_true(v) : -1;
      break;
    default: /* objects and arrays are read by their callers */
      break;
    }
  }
  return 0;
}

/* The top level holds the three parts (context is checked first, so that
 * a foreign file is named as such). */
static int read_top(parser *p, const json_t *root) {
  char why[256];
  if (sb_schema_check(root, SB_JW_TOP, "the file", SB_JS_READ, why,
                      sizeof why) != 0)
    return fail(p, "%s", why);
  return 0;
}

static int read_context(parser *p, const json_t *root, sb_rcontext *c) {
  const json_t *ctx = json_object_get(root, "context");
  const json_t *sb =
      json_is_object(ctx) ? json_object_get(ctx, "switchbench") : NULL;
  double la = -1;
  int rc;
  if (ctx == NULL || sb == NULL)
    return fail(p, "not a switchbench results file (no context.switchbench)");
  if ((rc = read_kept(p, ctx, SB_JW_CONTEXT, "context", c)) != 0 ||
      (rc = read_kept(p, sb, SB_JW_SUITE, "context.switchbench", c)) != 0)
    return rc;
  if (c->schema < 1 || c->schema > SB_RESULTS_SCHEMA)
    return fail(p,
                "results schema %d is not supported (this build reads 1 "
                "to %d)",
                c->schema, SB_RESULTS_SCHEMA);
  const json_t *load = json_object_get(ctx, "load_avg");
  if (json_array_size(load) > 0) {
    if (!json_is_number(json_array_get(load, 0)))
      return fail(p, "context.load_avg[0] is not a number");
    la = json_number_value(json_array_get(load, 0));
  }
  c->load_avg = la;
  return 0;
}

static int read_entry(parser *p, const json_t *obj, size_t i, sb_rentry *e) {
  char where[48];
  int rc;
  snprintf(where, sizeof where, "benchmarks[%zu]", i);
  if ((rc = read_kept(p, obj, SB_JW_BENCHMARK, where, e)) != 0)
    return rc;
  const char *run_type = json_string_value(json_object_get(obj, "run_type"));
  if (e->run_name[0] == '\0')
    e->run_name = e->name;
  e->aggregate = run_type != NULL && strcmp(run_type, "aggregate") == 0;
  e->error = e->error == 1;
  e->values =
      sb__arena_alloc(p->arena, json_object_size(obj) * sizeof(*e->values));
  if (e->values == NULL && json_object_size(obj) > 0)
    return -ENOMEM;
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    if (!json_is_number(v))
      continue;
    sb_rvalue *out = &e->values[e->nvalues++];
    out->key = sb__arena_strdup(p->arena, key);
    if (out->key == NULL)
      return -ENOMEM;
    out->value = json_number_value(v);
  }
  return 0;
}

static int read_entries(parser *p, const json_t *root, sb_results *r) {
  const json_t *arr = json_object_get(root, "benchmarks");
  r->nentries = json_array_size(arr);
  r->entries = sb__arena_alloc(p->arena, r->nentries * sizeof(*r->entries));
  if (r->entries == NULL && r->nentries > 0)
    return -ENOMEM;
  for (size_t i = 0; i < r->nentries; i++) {
    int rc = read_entry(p, json_array_get(arr, i), i, &r->entries[i]);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* Reads the CPU list obj.cpus (an array of CPU numbers) as "0,1". */
static int read_cpus(parser *p, const json_t *obj, const char *where,
                     char **dst) {
  const json_t *v = json_object_get(obj, "cpus");
  char buf[512] = "";
  size_t at = 0, i;
  const json_t *x;
  json_array_foreach((json_t *)v, i, x) {
    if (!json_is_integer(x) || json_integer_value(x) < 0 ||
        json_integer_value(x) > 1000000)
      return fail(p, "%s.cpus[%zu] is not a CPU number", where, i);
    if (at < sizeof buf)
      at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", i ? "," : "",
                             (long long)json_integer_value(x));
  }
  *dst = sb__arena_strdup(p->arena, buf);
  return *dst == NULL ? -ENOMEM : 0;
}

static int read_cell(parser *p, const json_t *obj, size_t i, sb_rcell *c) {
  char where[48];
  int rc;
  snprintf(where, sizeof where, "switchbench_cells[%zu]", i);
  if ((rc = read_kept(p, obj, SB_JW_CELL, where, c)) != 0 ||
      (rc = read_cpus(p, obj, where, &c->cpus)) != 0)
    return rc;
  const json_t *params = json_object_get(obj, "params");
  if (params == NULL)
    return 0;
  c->params =
      sb__arena_alloc(p->arena, json_object_size(params) * sizeof(*c->params));
  if (c->params == NULL && json_object_size(params) > 0)
    return -ENOMEM;
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)params, key, v) {
    if (!json_is_number(v))
      return fail(p, "%s.params.%s is %s, expected a number", where, key,
                  sb_json_kind(v));
    sb_rparam *out = &c->params[c->nparams++];
    out->name = sb__arena_strdup(p->arena, key);
    if (out->name == NULL)
      return -ENOMEM;
    out->value = json_number_value(v);
  }
  return 0;
}

static int read_cells(parser *p, const json_t *root, sb_results *r) {
  const json_t *arr = json_object_get(root, "switchbench_cells");
  size_t n = json_array_size(arr);
  /* Room for one derived cell per benchmark entry that no cell lists. */
  r->cells = sb__arena_alloc(p->arena, (n + r->nentries) * sizeof(*r->cells));
  if (r->cells == NULL && n + r->nentries > 0)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++) {
    int rc = read_cell(p, json_array_get(arr, i), i, &r->cells[i]);
    if (rc != 0)
      return rc;
  }
  r->ncells = n;
  return sb__results_join(p->arena, r, n);
}

int sb_results_parse(const char *name, const char *buf, size_t buflen,
                     sb_results **out, char *why, size_t len) {
  owned *o = NULL;
  sb_results *r;
  json_t *root = NULL;
  json_error_t jerr;
  parser p = {.name = name, .why = why, .len = len};
  int rc;

  *out = NULL;
  if (len > 0)
    why[0] = '\0';
  if (buflen == 0) {
    rc = fail(&p, "empty file, not a results file");
    goto cleanup;
  }
  root = json_loadb(buf, buflen, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    rc = fail(&p, "line %d column %d: not valid JSON: %s", jerr.line,
              jerr.column, jerr.text);
    goto cleanup;
  }
  if (!json_is_object(root)) {
    rc = fail(&p, "top level is %s, expected an object", sb_json_kind(root));
    goto cleanup;
  }
  rc = -ENOMEM;
  if ((o = calloc(1, sizeof(*o))) == NULL)
    goto cleanup;
  p.arena = &o->arena;
  r = &o->r;
  if ((r->path = sb__arena_strdup(p.arena, name)) == NULL)
    goto cleanup;
  if ((rc = read_context(&p, root, &r->ctx)) || (rc = read_top(&p, root)) ||
      (rc = read_entries(&p, root, r)) || (rc = read_cells(&p, root, r)))
    goto cleanup;
  *out = r;
  o = NULL;
cleanup:
  if (rc == -ENOMEM && why[0] == '\0')
    fail(&p, "out of memory");
  if (o != NULL) {
    sb__arena_release(&o->arena);
    free(o);
  }
  json_decref(root);
  return rc;
}

int sb_results_read(const char *path, sb_results **out, char *why, size_t len) {
  FILE *f = NULL;
  char *buf = NULL;
  size_t cap = 0, n = 0;
  int rc = 0;

  *out = NULL;
  if ((f = fopen(path, "rb")) == NULL) {
    rc = -errno;
    snprintf(why, len, "%s: %s", path, strerror(-rc));
    goto cleanup;
  }
  for (;;) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 65536;
      char *nb = realloc(buf, ncap);
      if (nb == NULL) {
        rc = -ENOMEM;
        snprintf(why, len, "%s: out of memory", path);
        goto cleanup;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(f)) {
    rc = -EIO;
    snprintf(why, len, "%s: read error", path);
    goto cleanup;
  }
  rc = sb_results_parse(path, buf, n, out, why, len);
cleanup:
  free(buf);
  if (f != NULL)
    fclose(f);
  return rc;
}

int sb__results_load(const char *path, sb_results **out) {
  char why[512];
  if (sb_results_read(path, out, why, sizeof why) != 0) {
    fprintf(stderr, "switchbench: %s\n", why);
    return 2;
  }
  return 0;
}

void sb_results_free(sb_results *r) {
  if (r == NULL)
    return;
  owned *o = SB_OWNED_OF(r);
  sb__arena_release(&o->arena);
  free(o);
}
