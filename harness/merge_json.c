/* The fleet document as JSON (jansson), for tools that read it back: the
 * machines with their floor, the warnings, and each cell's figure on each
 * machine (null where the machine has no such cell). */
#include <errno.h>
#include <jansson.h>

#include "merge.h"

/* A cell on one machine as a JSON object, or json_null() when missing. */
static json_t *figure_json(const sb_mfig *m) {
  if (m->cell == NULL)
    return json_null();
  json_t *o = json_object();
  json_object_set_new(o, "status", json_string(m->cell->status));
  if (!m->have)
    return o;
  json_object_set_new(o, "median", json_real(m->fig.median));
  json_object_set_new(o, "min", json_real(m->fig.min));
  json_object_set_new(o, "max", json_real(m->fig.max));
  json_object_set_new(o, "repetitions", json_integer((json_int_t)m->fig.n));
  if (m->floor_x > 0)
    json_object_set_new(o, "floor_multiple", json_real(m->floor_x));
  if (m->noise >= 0)
    json_object_set_new(o, "within_noise", json_boolean(m->noise == 1));
  if (m->p >= 0)
    json_object_set_new(o, "p", json_real(m->p));
  return o;
}

static json_t *machines_json(const sb_fleet *f) {
  json_t *a = json_array();
  for (size_t i = 0; i < f->n; i++) {
    const sb_rcontext *c = &f->mach[i]->ctx;
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:b, s:i}",
        "name", f->label[i], "file", f->mach[i]->path, "host", c->host_name,
        "cpu", c->cpu_model, "cores", c->cores, "pus", c->pus, "topology",
        c->topology, "kernel", c->kernel, "virtualization", c->virtualization,
        "compiler", c->compiler, "commit", c->git_commit, "quick",
        c->quick == 1, "repetitions", c->repetitions);
    if (o == NULL)
      goto fail;
    json_object_set_new(o, "cpu_scaling",
                        c->cpu_scaling < 0 ? json_null()
                                           : json_boolean(c->cpu_scaling));
    json_object_set_new(o, "cpus_allowed",
                        c->cpus_allowed > 0 ? json_integer(c->cpus_allowed)
                                            : json_null());
    json_object_set_new(o, "floor_ns",
                        f->floor[i] > 0 ? json_real(f->floor[i]) : json_null());
    json_array_append_new(a, o);
  }
  return a;
fail:
  json_decref(a);
  return NULL;
}

int sb__fleet_json(const sb_fleet *f, const char *path) {
  json_t *doc = json_object(), *cells = json_array();
  json_t *mach = machines_json(f);
  int rc = -ENOMEM;
  if (doc == NULL || cells == NULL || mach == NULL)
    goto cleanup;
  for (size_t r = 0; r < f->nrows; r++) {
    const sb_mrow *row = &f->rows[r];
    json_t *per = json_object();
    for (size_t i = 0; i < f->n; i++)
      json_object_set_new(per, f->label[i], figure_json(&row->m[i]));
    json_array_append_new(cells, json_pack("{s:s, s:s, s:s, s:b, s:o}", "name",
                                           row->name, "counter", row->f.key,
                                           "what", row->f.what, "switch",
                                           row->is_switch, "machines", per));
  }
  json_object_set_new(doc, "fleet_schema", json_integer(1));
  json_object_set_new(doc, "floor_cell", json_string(SB_MERGE_FLOOR));
  json_object_set_new(doc, "commits_differ", json_boolean(f->commits_differ));
  json_object_set_new(doc, "matrices_differ", json_boolean(f->matrices_differ));
  json_object_set_new(doc, "machines", mach);
  json_object_set_new(doc, "cells", cells);
  mach = cells = NULL;
  rc = json_dump_file(doc, path, JSON_INDENT(1)) == 0 ? 0 : -EIO;
cleanup:
  json_decref(mach);
  json_decref(cells);
  json_decref(doc);
  return rc;
}
