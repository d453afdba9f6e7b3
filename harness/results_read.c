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

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

/* Copies the string obj[key] into *dst ("" when absent). */
static int get_str(parser *p, const json_t *obj, const char *key,
                   const char *where, char **dst) {
  const json_t *v = json_object_get(obj, key);
  const char *s = "";
  if (v != NULL) {
    if (!json_is_string(v))
      return fail(p, "%s.%s is %s, expected a string", where, key,
                  type_name(v));
    s = json_string_value(v);
  }
  *dst = sb__arena_strdup(p->arena, s);
  return *dst == NULL ? -ENOMEM : 0;
}

/* Reads the number obj[key] into *dst (def when absent). */
static int get_num(parser *p, const json_t *obj, const char *key,
                   const char *where, double def, double *dst) {
  const json_t *v = json_object_get(obj, key);
  *dst = def;
  if (v == NULL)
    return 0;
  if (!json_is_number(v))
    return fail(p, "%s.%s is %s, expected a number", where, key, type_name(v));
  *dst = json_number_value(v);
  return 0;
}

/* Reads an integer field that must fit an int (-1 when absent). */
static int get_int(parser *p, const json_t *obj, const char *key,
                   const char *where, int *dst) {
  const json_t *v = json_object_get(obj, key);
  *dst = -1;
  if (v == NULL)
    return 0;
  if (!json_is_integer(v))
    return fail(p, "%s.%s is %s, expected an integer", where, key,
                type_name(v));
  json_int_t i = json_integer_value(v);
  if (i < 0 || i > 1000000000)
    return fail(p, "%s.%s is %lld, out of range", where, key, (long long)i);
  *dst = (int)i;
  return 0;
}

/* Reads a boolean field (-1 when absent). */
static int get_bool(parser *p, const json_t *obj, const char *key,
                    const char *where, int *dst) {
  const json_t *v = json_object_get(obj, key);
  *dst = -1;
  if (v == NULL)
    return 0;
  if (!json_is_boolean(v))
    return fail(p, "%s.%s is %s, expected a boolean", where, key, type_name(v));
  *dst = json_is_true(v);
  return 0;
}

static int read_context(parser *p, const json_t *root, sb_rcontext *c) {
  const json_t *ctx = json_object_get(root, "context");
  const json_t *sb =
      json_is_object(ctx) ? json_object_get(ctx, "switchbench") : NULL;
  double schema = 0, la = -1;
  int rc;
  if (ctx == NULL || sb == NULL)
    return fail(p, "not a switchbench results file (no context.switchbench)");
  if (!json_is_object(sb))
    return fail(p, "context.switchbench is %s, expected an object",
                type_name(sb));
  if ((rc = get_num(p, sb, "schema", "context.switchbench", 0, &schema)))
    return rc;
  if (schema != 1)
    return fail(p, "results schema %g is not supported (this build reads 1)",
                schema);
  c->schema = 1;
  const json_t *load = json_object_get(ctx, "load_avg");
  if (load != NULL) {
    if (!json_is_array(load))
      return fail(p, "context.load_avg is %s, expected an array",
                  type_name(load));
    if (json_array_size(load) > 0) {
      if (!json_is_number(json_array_get(load, 0)))
        return fail(p, "context.load_avg[0] is not a number");
      la = json_number_value(json_array_get(load, 0));
    }
  }
  c->load_avg = la;
  if ((rc = get_str(p, ctx, "date", "context", &c->date)) ||
      (rc = get_str(p, ctx, "host_name", "context", &c->host_name)) ||
      (rc = get_int(p, ctx, "num_cpus", "context", &c->num_cpus)) ||
      (rc = get_num(p, ctx, "mhz_per_cpu", "context", -1, &c->mhz_per_cpu)) ||
      (rc = get_bool(p, ctx, "cpu_scaling_enabled", "context",
                     &c->cpu_scaling)) ||
      (rc = get_str(p, ctx, "library_build_type", "context", &c->build_type)))
    return rc;
  const char *w = "context.switchbench";
  if ((rc = get_str(p, sb, "git_commit", w, &c->git_commit)) ||
      (rc = get_str(p, sb, "cpu_model", w, &c->cpu_model)) ||
      (rc = get_int(p, sb, "cores", w, &c->cores)) ||
      (rc = get_int(p, sb, "pus", w, &c->pus)) ||
      (rc = get_str(p, sb, "topology", w, &c->topology)) ||
      (rc = get_str(p, sb, "kernel", w, &c->kernel)) ||
      (rc = get_str(p, sb, "compiler", w, &c->compiler)) ||
      (rc = get_str(p, sb, "virtualization", w, &c->virtualization)) ||
      (rc = get_str(p, sb, "pin", w, &c->pin)) ||
      (rc = get_int(p, sb, "workers", w, &c->workers)) ||
      (rc = get_bool(p, sb, "quick", w, &c->quick)) ||
      (rc = get_int(p, sb, "repetitions", w, &c->repetitions)) ||
      (rc = get_str(p, sb, "command", w, &c->command)) ||
      (rc = get_bool(p, sb, "complete", w, &c->complete)) ||
      (rc = get_int(p, sb, "cells_total", w, &c->cells_total)) ||
      (rc = get_int(p, sb, "cells_done", w, &c->cells_done)))
    return rc;
  return 0;
}

/* Numeric fields whose type and sign are checked when present. */
static const char *const checked_numbers[] = {"real_time", "cpu_time",
                                              "iterations", "ns_per_op", NULL};

static int read_entry(parser *p, const json_t *obj, size_t i, sb_rentry *e) {
  char where[48];
  char *run_type = NULL;
  int rc, err;
  snprintf(where, sizeof where, "benchmarks[%zu]", i);
  if (!json_is_object(obj))
    return fail(p, "%s is %s, expected an object", where, type_name(obj));
  if (!json_is_string(json_object_get(obj, "name")))
    return fail(p, "%s has no string \"name\"", where);
  if ((rc = get_str(p, obj, "name", where, &e->name)) ||
      (rc = get_str(p, obj, "run_name", where, &e->run_name)) ||
      (rc = get_str(p, obj, "run_type", where, &run_type)) ||
      (rc = get_str(p, obj, "aggregate_name", where, &e->aggregate_name)) ||
      (rc = get_str(p, obj, "error_message", where, &e->error_message)) ||
      (rc = get_str(p, obj, "label", where, &e->label)) ||
      (rc = get_bool(p, obj, "error_occurred", where, &err)))
    return rc;
  if (e->run_name[0] == '\0')
    e->run_name = e->name;
  e->aggregate = strcmp(run_type, "aggregate") == 0;
  e->error = err == 1;
  for (const char *const *k = checked_numbers; *k != NULL; k++) {
    double v;
    if ((rc = get_num(p, obj, *k, where, 0, &v)))
      return rc;
    if (v < 0 && !e->aggregate)
      return fail(p, "%s.%s is negative (%g)", where, *k, v);
  }
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
  if (arr == NULL)
    return fail(p, "no \"benchmarks\" array");
  if (!json_is_array(arr))
    return fail(p, "\"benchmarks\" is %s, expected an array", type_name(arr));
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
  if (v != NULL && !json_is_array(v))
    return fail(p, "%s.cpus is %s, expected an array", where, type_name(v));
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
  if (!json_is_object(obj))
    return fail(p, "%s is %s, expected an object", where, type_name(obj));
  if (!json_is_string(json_object_get(obj, "name")))
    return fail(p, "%s has no string \"name\"", where);
  if ((rc = get_str(p, obj, "name", where, &c->name)) ||
      (rc = get_str(p, obj, "workload", where, &c->workload)) ||
      (rc = get_str(p, obj, "runtime", where, &c->runtime)) ||
      (rc = get_str(p, obj, "question", where, &c->question)) ||
      (rc = get_str(p, obj, "unit", where, &c->unit)) ||
      (rc = get_str(p, obj, "kind", where, &c->kind)) ||
      (rc = get_str(p, obj, "source", where, &c->source)) ||
      (rc = get_str(p, obj, "status", where, &c->status)) ||
      (rc = get_str(p, obj, "reason", where, &c->reason)) ||
      (rc = get_num(p, obj, "seconds", where, 0, &c->seconds)) ||
      (rc = get_str(p, obj, "primitive", where, &c->primitive)) ||
      (rc = get_str(p, obj, "peer", where, &c->peer)) ||
      (rc = get_str(p, obj, "pin", where, &c->pin)) ||
      (rc = read_cpus(p, obj, where, &c->cpus)) ||
      (rc = get_num(p, obj, "min_time", where, -1, &c->min_time)) ||
      (rc = get_int(p, obj, "repetitions", where, &c->repetitions)) ||
      (rc = get_int(p, obj, "warmup", where, &c->warmup)))
    return rc;
  const json_t *params = json_object_get(obj, "params");
  if (params == NULL)
    return 0;
  if (!json_is_object(params))
    return fail(p, "%s.params is %s, expected an object", where,
                type_name(params));
  c->params =
      sb__arena_alloc(p->arena, json_object_size(params) * sizeof(*c->params));
  if (c->params == NULL && json_object_size(params) > 0)
    return -ENOMEM;
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)params, key, v) {
    if (!json_is_number(v))
      return fail(p, "%s.params.%s is %s, expected a number", where, key,
                  type_name(v));
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
  if (arr == NULL)
    return fail(p, "no \"switchbench_cells\" array");
  if (!json_is_array(arr))
    return fail(p, "\"switchbench_cells\" is %s, expected an array",
                type_name(arr));
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
    rc = fail(&p, "top level is %s, expected an object", type_name(root));
    goto cleanup;
  }
  rc = -ENOMEM;
  if ((o = calloc(1, sizeof(*o))) == NULL)
    goto cleanup;
  p.arena = &o->arena;
  r = &o->r;
  if ((r->path = sb__arena_strdup(p.arena, name)) == NULL)
    goto cleanup;
  if ((rc = read_context(&p, root, &r->ctx)) ||
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
