/* Checks a results file for the harness tests (read with jansson):
 *   harness_check FILE complete 0|1        context.switchbench.complete
 *   harness_check FILE done N              at least N cells finished
 *   harness_check FILE status CELL STATUS  the cell's status
 *   harness_check FILE entries CELL N      exactly N entries of the cell
 *   harness_check FILE aggregates CELL     mean, median, stddev, cv present
 *   harness_check FILE all-ok              every cell ok or skipped, each ok
 *                                          cell with a positive ns_per_op
 *   harness_check FILE field CELL KEY VAL  the cell entry's KEY is VAL (a
 *                                          string as is, else compact JSON)
 *   harness_check FILE reason CELL TEXT    the cell's reason contains TEXT
 *   harness_check FILE context KEY VAL     context.switchbench's KEY is VAL
 *   harness_check FILE strip KEY           removes KEY from every cell entry
 *                                          (makes a file as older builds
 *                                          wrote it) and writes FILE back
 *   harness_check FILE schema              every key as the schema table
 *                                          says (harness/results_schema.c),
 *                                          each written key present
 * Exit 0 when the check holds, 1 (with the reason) when not, 2 on bad use. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_schema.h"

static json_t *doc;

static const char *str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s != NULL ? s : "";
}

static json_t *cell(const char *name) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(doc, "switchbench_cells"), i, c) {
    if (strcmp(str(c, "name"), name) == 0)
      return c;
  }
  return NULL;
}

/* Entries whose run_name is name, optionally only one aggregate kind. */
static size_t entries(const char *name, const char *aggregate) {
  size_t i, n = 0;
  json_t *e;
  json_array_foreach(json_object_get(doc, "benchmarks"), i, e) {
    if (strcmp(str(e, "run_name"), name) != 0)
      continue;
    if (aggregate == NULL || strcmp(str(e, "aggregate_name"), aggregate) == 0)
      n++;
  }
  return n;
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "harness_check: %s%s%s\n", what, detail ? ": " : "",
          detail ? detail : "");
  return 1;
}

static int all_ok(void) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(doc, "switchbench_cells"), i, c) {
    const char *name = str(c, "name"), *status = str(c, "status");
    if (strcmp(status, "skipped") == 0)
      continue;
    if (strcmp(status, "ok") != 0) {
      fprintf(stderr, "harness_check: %s is %s: %s\n", name, status,
              str(c, "reason"));
      return 1;
    }
    size_t k;
    json_t *e;
    int measured = 0;
    json_array_foreach(json_object_get(doc, "benchmarks"), k, e) {
      if (strcmp(str(e, "run_name"), name) == 0 &&
          strcmp(str(e, "run_type"), "iteration") == 0 &&
          json_number_value(json_object_get(e, "ns_per_op")) > 0)
        measured = 1;
    }
    if (!measured)
      return fail("no iteration entry with ns_per_op > 0", name);
    if (strcmp(str(c, "source"), "floor") != 0 &&
        strncmp(str(c, "checksum"), "0x", 2) != 0)
      return fail("no checksum", name);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return fprintf(stderr, "usage: harness_check FILE CHECK ARGS...\n"), 2;
  json_error_t err;
  doc = json_load_file(argv[1], 0, &err);
  if (doc == NULL)
    return fail("unreadable results", err.text);
  json_t *sw = json_object_get(json_object_get(doc, "context"), "switchbench");
  const char *check = argv[2];
  int rc = 2;
  if (strcmp(check, "complete") == 0 && argc == 4) {
    int want = atoi(argv[3]);
    rc = json_is_true(json_object_get(sw, "complete")) == want
             ? 0
             : fail("complete is not", argv[3]);
  } else if (strcmp(check, "done") == 0 && argc == 4) {
    rc = json_integer_value(json_object_get(sw, "cells_done")) >= atoi(argv[3])
             ? 0
             : 1;
  } else if (strcmp(check, "status") == 0 && argc == 5) {
    json_t *c = cell(argv[3]);
    if (c == NULL)
      rc = fail("no such cell", argv[3]);
    else if (strcmp(str(c, "status"), argv[4]) != 0)
      rc = fail(str(c, "status"), str(c, "reason"));
    else
      rc = 0;
  } else if (strcmp(check, "entries") == 0 && argc == 5) {
    size_t n = entries(argv[3], NULL);
    if (n != (size_t)atoi(argv[4])) {
      fprintf(stderr, "harness_check: %s has %zu entries, want %s\n", argv[3],
              n, argv[4]);
      rc = 1;
    } else {
      rc = 0;
    }
  } else if (strcmp(check, "aggregates") == 0 && argc == 4) {
    static const char *const aggs[] = {"mean", "median", "stddev", "cv"};
    rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++)
      if (entries(argv[3], aggs[i]) != 1)
        rc = fail("missing aggregate", aggs[i]);
  } else if (strcmp(check, "field") == 0 && argc == 6) {
    json_t *c = cell(argv[3]), *v = json_object_get(c, argv[4]);
    char *dump = v != NULL && !json_is_string(v)
                     ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)
                     : NULL;
    const char *got = dump != NULL ? dump : json_string_value(v);
    if (c == NULL)
      rc = fail("no such cell", argv[3]);
    else if (got == NULL || strcmp(got, argv[5]) != 0) {
      fprintf(stderr, "harness_check: %s.%s is %s, want %s\n", argv[3], argv[4],
              got != NULL ? got : "absent", argv[5]);
      rc = 1;
    } else {
      rc = 0;
    }
    free(dump);
  } else if (strcmp(check, "reason") == 0 && argc == 5) {
    json_t *c = cell(argv[3]);
    rc = c != NULL && strstr(str(c, "reason"), argv[4]) != NULL
             ? 0
             : fail(c == NULL ? "no such cell" : str(c, "reason"), argv[4]);
  } else if (strcmp(check, "strip") == 0 && argc == 4) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "switchbench_cells"), i, c) {
      json_object_del(c, argv[3]);
    }
    rc = json_dump_file(doc, argv[1], JSON_INDENT(1)) == 0
             ? 0
             : fail("cannot write", argv[1]);
  } else if (strcmp(check, "context") == 0 && argc == 5) {
    const char *got = json_string_value(json_object_get(sw, argv[3]));
    rc = got != NULL && strcmp(got, argv[4]) == 0
             ? 0
             : fail(got ? got : "absent", argv[4]);
  } else if (strcmp(check, "schema") == 0 && argc == 3) {
    char why[256];
    rc = sb_schema_check_doc(doc, SB_JS_WRITTEN, why, sizeof why) == 0
             ? 0
             : fail("not as the schema says", why);
  } else if (strcmp(check, "all-ok") == 0 && argc == 3) {
    rc = all_ok();
  } else {
    fprintf(stderr, "harness_check: bad check '%s'\n", check);
  }
  json_decref(doc);
  return rc;
}
