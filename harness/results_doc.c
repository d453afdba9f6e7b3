/* The results document (RESULTS.md): Google Benchmark JSON plus the machine,
 * the run's settings and one entry per cell. Built and merged with jansson,
 * written atomically after every cell, and read back to resume a run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "results_schema.h"
#include "runtimes/os/topo.h"

static const char *source_name(sb_source s) {
  return s == SB_SOURCE_FLOOR  ? "floor"
         : s == SB_SOURCE_PEER ? "peer"
                               : "switchbench";
}

/* The settings a cell runs with (PROTOCOL.md 7): what reached it. */
static void cell_settings(json_t *o, const sb_cell *c, const sb_run_opts *ro) {
  int cpus[SB_MAX_CPUS];
  int n = sb__cell_cpus(c, ro->pin, cpus, SB_MAX_CPUS);
  json_t *list = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(list, json_integer(cpus[i]));
  int floor = c->source == SB_SOURCE_FLOOR;
  json_object_update_new(
      o, json_pack("{s:f, s:i, s:i, s:s, s:o, s:s}", "min_time", ro->min_time,
                   "repetitions", ro->repetitions, "warmup", floor ? 0 : 1,
                   "pin", sb_pin_name(ro->pin), "cpus", list, "primitive",
                   floor ? "none" : c->primitive));
}

/* What a cell answers and how it is read (RESULTS.md): the workload's
 * declarations, or the floor's (ns per switch). */
typedef struct cell_meta {
  const char *workload, *question, *unit, *kind, *headline, *headline_unit;
} cell_meta;

static cell_meta meta_of(const sb_cell *c) {
  cell_meta m = {"floor", "", "switch", "switch", "ns_per_op", "ns"};
  if (c->source == SB_SOURCE_FLOOR) {
    for (const sb_floor_cell *f = sb__floor_cells; f->name != NULL; f++)
      if (strcmp(f->name, c->name) == 0)
        m.question = f->question;
    return m;
  }
  const sb_workload *w = c->w;
  m.workload = w->name;
  m.question = w->question != NULL ? w->question : "";
  m.unit = w->unit != NULL ? w->unit : "op";
  m.kind = w->kind != NULL ? w->kind : "";
  if (w->headline != NULL) {
    m.headline = w->headline;
    m.headline_unit = w->headline_unit != NULL ? w->headline_unit : "ns";
  }
  return m;
}

static json_t *cell_json(const sb_cell *c, const sb_run_opts *ro) {
  json_t *params = json_object();
  for (int i = 0; i < SB_MAX_PARAMS && c->params.p[i].name != NULL; i++)
    json_object_set_new(params, c->params.p[i].name,
                        json_integer(c->params.p[i].value));
  cell_meta m = meta_of(c);
  json_t *o = json_pack(
      "{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, "
      "s:s, s:i}",
      "name", c->name, "workload", m.workload, "runtime", c->runtime, "params",
      params, "question", m.question, "unit", m.unit, "kind", m.kind,
      "headline", m.headline, "headline_unit", m.headline_unit, "source",
      source_name(c->source), "status", "pending", "reason", "", "seconds", 0.0,
      "checksum", "", "workers", c->workers);
  if (c->source == SB_SOURCE_PEER && c->peer >= 0)
    json_object_set_new(o, "peer", json_string(sb__peers[c->peer].lang));
  cell_settings(o, c, ro);
  return o;
}

json_t *sb__doc_new(const sb_machine *m, const sb_run_opts *o,
                    const char *command, const sb_cell *cells, size_t n) {
  json_t *sw = sb__machine_json(m);
  json_object_update_new(
      sw, json_pack("{s:s, s:i, s:b, s:b, s:i, s:f, s:i, s:b, s:s, s:b, "
                    "s:i, s:i}",
                    "pin", sb_pin_name(o->pin), "workers", o->workers, "quick",
                    o->quick, "smoke", o->smoke, "repetitions", o->repetitions,
                    "min_time", o->min_time, "timeout", o->timeout, "peers",
                    o->peers, "command", command, "complete", 0, "cells_total",
                    (int)n, "cells_done", 0));
  json_t *context =
      json_pack("{s:s, s:s, s:i, s:o}", "date", m->date, "host_name", m->host,
                "num_cpus", m->num_cpus, "switchbench", sw);
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(list, cell_json(&cells[i], o));
  json_t *doc = json_pack("{s:o, s:[], s:o}", "context", context, "benchmarks",
                          "switchbench_cells", list);
  /* What this build writes is what the schema table says, key for key. */
  char why[256];
  if (sb_schema_check_doc(doc, SB_JS_WRITTEN, why, sizeof why) != 0) {
    fprintf(stderr, "switchbench: results document: %s\n", why);
    SB_ASSERT(!"the results document holds to the schema");
  }
  return doc;
}

static json_t *sw_context(json_t *doc) {
  return json_object_get(json_object_get(doc, "context"), "switchbench");
}

const char *sb__doc_status(json_t *doc, size_t i) {
  json_t *cell = json_array_get(json_object_get(doc, "switchbench_cells"), i);
  const char *s = json_string_value(json_object_get(cell, "status"));
  return s != NULL ? s : "pending";
}

void sb__doc_cell_done(json_t *doc, size_t i, const char *status,
                       const char *reason, double seconds, const char *checksum,
                       json_t *entries, json_t *context) {
  json_t *cells = json_object_get(doc, "switchbench_cells");
  json_t *cell = json_array_get(cells, i);
  SB_ASSERT(cell != NULL);
  json_object_set_new(cell, "status", json_string(status));
  json_object_set_new(cell, "reason", json_string(reason));
  json_object_set_new(cell, "seconds", json_real(seconds));
  json_object_set_new(cell, "checksum", json_string(checksum));
  if (entries != NULL) {
    json_array_extend(json_object_get(doc, "benchmarks"), entries);
    json_decref(entries);
  }
  /* Google Benchmark's own context keys (caches, load, MHz ...) come from
   * the first child that reports them; its switchbench_* keys repeat what
   * context.switchbench already holds. */
  json_t *ctx = json_object_get(doc, "context");
  const char *key;
  json_t *value;
  json_object_foreach(context, key, value) {
    if (strncmp(key, "switchbench", 11) != 0 &&
        json_object_get(ctx, key) == NULL)
      json_object_set(ctx, key, value);
  }
  size_t done = 0;
  for (size_t k = 0; k < json_array_size(cells); k++)
    done += strcmp(sb__doc_status(doc, k), "pending") != 0;
  json_object_set_new(sw_context(doc), "cells_done", json_integer((int)done));
}

void sb__doc_set_complete(json_t *doc, int complete) {
  json_object_set_new(sw_context(doc), "complete", json_boolean(complete));
}

int sb__doc_write(json_t *doc, const char *path) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
    return -ENAMETOOLONG;
  int rc = 0;
  FILE *f = fopen(tmp, "w");
  if (f == NULL)
    return -errno;
  if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0 ||
      fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0)
    rc = errno ? -errno : -EIO;
  if (fclose(f) != 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && rename(tmp, path) != 0)
    rc = -errno;
  if (rc != 0)
    unlink(tmp);
  return rc;
}

/* Makes every failed, timed-out or crashed cell pending again and removes
 * its entries (Google Benchmark's error entries among them). Returns how
 * many cells it reset. */
static size_t retry_failed(json_t *d) {
  json_t *cells = json_object_get(d, "switchbench_cells");
  json_t *benches = json_object_get(d, "benchmarks");
  size_t reset = 0, i;
  json_t *cell;
  json_array_foreach(cells, i, cell) {
    const char *st = json_string_value(json_object_get(cell, "status"));
    if (st == NULL ||
        (strcmp(st, "failed") != 0 && strcmp(st, "timeout") != 0 &&
         strcmp(st, "crashed") != 0))
      continue;
    const char *name = json_string_value(json_object_get(cell, "name"));
    for (size_t k = json_array_size(benches); name != NULL && k-- > 0;) {
      const char *rn = json_string_value(
          json_object_get(json_array_get(benches, k), "run_name"));
      if (rn != NULL && strcmp(rn, name) == 0)
        json_array_remove(benches, k);
    }
    json_object_set_new(cell, "status", json_string("pending"));
    json_object_set_new(cell, "reason", json_string(""));
    reset++;
  }
  return reset;
}

int sb__doc_load(const char *path, int retry, json_t **doc, sb_run_opts *o,
                 char *why, size_t len) {
  json_error_t err;
  json_t *d = json_load_file(path, 0, &err);
  if (d == NULL) {
    if (err.line > 0)
      snprintf(why, len, "cannot read %s: %s (line %d)", path, err.text,
               err.line);
    else
      snprintf(why, len, "cannot read %s: %s", path, err.text);
    return -EINVAL;
  }
  /* The settings the interrupted run was started with, and a name and a
   * source for every cell (the schema's resume keys). */
  json_t *sw = sw_context(d);
  char bad[256];
  if (sb_schema_check_doc(d, SB_JS_RESUME, bad, sizeof bad) != 0) {
    snprintf(why, len, "%s is not a switchbench results file: %s", path, bad);
    json_decref(d);
    return -EINVAL;
  }
  const char *pin = json_string_value(json_object_get(sw, "pin"));
  int complete = json_is_true(json_object_get(sw, "complete"));
  o->workers = (int)json_integer_value(json_object_get(sw, "workers"));
  o->quick = json_is_true(json_object_get(sw, "quick"));
  o->smoke = json_is_true(json_object_get(sw, "smoke"));
  o->peers = json_is_true(json_object_get(sw, "peers"));
  o->repetitions = (int)json_integer_value(json_object_get(sw, "repetitions"));
  o->min_time = json_number_value(json_object_get(sw, "min_time"));
  o->timeout = (int)json_integer_value(json_object_get(sw, "timeout"));
  if (sb_pin_parse(pin, &o->pin) != 0 || o->repetitions < 1 ||
      !(o->min_time > 0) || o->timeout < 1) {
    snprintf(why, len, "%s has bad run settings", path);
    json_decref(d);
    return -EINVAL;
  }
  if (retry && retry_failed(d) > 0) {
    complete = 0;
    json_object_set_new(sw_context(d), "complete", json_false());
  }
  if (complete) {
    snprintf(why, len, "%s is a complete run: nothing to %s", path,
             retry ? "retry" : "resume");
    json_decref(d);
    return -EINVAL;
  }
  *doc = d;
  return 0;
}

int sb__doc_cells(json_t *doc, sb_cell **out, size_t *n, char *why,
                  size_t len) {
  json_t *list = json_object_get(doc, "switchbench_cells");
  size_t count = json_array_size(list);
  sb_cell *cells = calloc(count > 0 ? count : 1, sizeof *cells);
  if (cells == NULL) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  for (size_t i = 0; i < count; i++) {
    json_t *c = json_array_get(list, i);
    /* sb__doc_load checked that every cell has a name and a source. */
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *source = json_string_value(json_object_get(c, "source"));
    char cwhy[SB_REASON_LEN];
    int peer = strcmp(source, "peer") == 0;
    if (sb__cell_parse(name, peer, &cells[i], cwhy, sizeof cwhy) != 0) {
      if (!peer) {
        snprintf(why, len, "cell %s: %s", name, cwhy);
        free(cells);
        return -EINVAL;
      }
      /* A peer whose binary is gone: the matrix marks the cell skipped. */
      memset(&cells[i], 0, sizeof cells[i]);
      snprintf(cells[i].name, sizeof cells[i].name, "%s", name);
      cells[i].source = SB_SOURCE_PEER;
      cells[i].peer = -1;
    }
    json_t *w = json_object_get(c, "workers");
    if (json_is_integer(w))
      cells[i].workers = (int)json_integer_value(w);
    /* A file from before cells declared how they are read: this build's
     * declarations, so the finished file describes itself. */
    if (json_object_get(c, "headline") == NULL &&
        (cells[i].w != NULL || cells[i].source == SB_SOURCE_FLOOR)) {
      cell_meta m = meta_of(&cells[i]);
      json_object_set_new(c, "kind", json_string(m.kind));
      json_object_set_new(c, "headline", json_string(m.headline));
      json_object_set_new(c, "headline_unit", json_string(m.headline_unit));
    }
  }
  *out = cells;
  *n = count;
  return 0;
}
