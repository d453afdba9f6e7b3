/* The results schema: the table in harness/results_schema.c and the one in
 * harness/RESULTS.md ("Every key") hold the same rows (every key
 * documented, no documented key missing, the same type, place, presence
 * and meaning), and every results file the tests and the repository keep
 * (tests/data, results/reference) holds to it and loads.
 *   test_face_schema RESULTS.md DATA_DIR REFERENCE.json */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>

#include "face_test.h"
#include "results_read.h"
#include "results_schema.h"

/* One row of RESULTS.md's table. */
typedef struct md_row {
  char cols[5][256]; /* key, type, where, presence, meaning */
  int line;          /* where it is in RESULTS.md */
} md_row;

/* Splits "| `a` | b | c | d | e |" into row; returns 1 when it is one. */
static int split_row(const char *line, md_row *row) {
  const char *p = line;
  int n = 0;
  if (strncmp(p, "| `", 3) != 0)
    return 0;
  for (p++; n < 5 && *p; n++) {
    const char *bar = strchr(p, '|');
    if (bar == NULL)
      return 0;
    while (*p == ' ')
      p++;
    size_t len = (size_t)(bar - p);
    while (len > 0 && p[len - 1] == ' ')
      len--;
    if (len >= sizeof row->cols[0])
      return 0;
    memcpy(row->cols[n], p, len);
    row->cols[n][len] = '\0';
    p = bar + 1;
  }
  /* The key without its backticks. */
  size_t k = strlen(row->cols[0]);
  if (n != 5 || k < 3 || row->cols[0][k - 1] != '`')
    return 0;
  memmove(row->cols[0], row->cols[0] + 1, k - 2);
  row->cols[0][k - 2] = '\0';
  return 1;
}

/* Reads the rows of the "## Every key" section; returns how many. */
static size_t read_md(const char *path, md_row *rows, size_t cap) {
  FILE *f = fopen(path, "r");
  char line[1024];
  size_t n = 0;
  int in = 0, no = 0;
  ASSERT(f != NULL);
  while (fgets(line, sizeof line, f) != NULL) {
    no++;
    if (strncmp(line, "## ", 3) == 0)
      in = strncmp(line, "## Every key", 12) == 0;
    if (in && n < cap && split_row(line, &rows[n])) {
      rows[n].line = no;
      n++;
    }
  }
  fclose(f);
  return n;
}

/* The C table's row as RESULTS.md writes it. */
static void c_row(const sb_jkey *k, md_row *out) {
  snprintf(out->cols[0], sizeof out->cols[0], "%s", k->key);
  snprintf(out->cols[1], sizeof out->cols[1], "%s", sb_jtype_name(k->type));
  snprintf(out->cols[2], sizeof out->cols[2], "%s", sb_jwhere_name(k->where));
  snprintf(out->cols[3], sizeof out->cols[3], "%s", sb_jneed_name(k->need));
  snprintf(out->cols[4], sizeof out->cols[4], "%s", k->meaning);
}

static void print_row(const char *what, const md_row *r) {
  fprintf(stderr, "%s: | `%s` | %s | %s | %s | %s |\n", what, r->cols[0],
          r->cols[1], r->cols[2], r->cols[3], r->cols[4]);
}

/* Every C row in RESULTS.md with the same columns, and every documented
 * row in the C table. */
static void table_matches(const char *md) {
  static md_row rows[512];
  size_t n = read_md(md, rows, 512), bad = 0;
  int *seen = calloc(n + 1, sizeof(*seen));
  ASSERT(seen != NULL);
  ASSERT_GE(n, 40);
  for (size_t i = 0; i < sb_njkeys; i++) {
    md_row want;
    size_t j = 0;
    c_row(&sb_jkeys[i], &want);
    while (j < n && (strcmp(rows[j].cols[0], want.cols[0]) != 0 ||
                     strcmp(rows[j].cols[2], want.cols[2]) != 0))
      j++;
    if (j == n) {
      print_row("in results_schema.c, not in RESULTS.md", &want);
      bad++;
      continue;
    }
    if (seen[j]++)
      fprintf(stderr, "RESULTS.md:%d: documented twice\n", rows[j].line);
    for (int c = 1; c < 5; c++)
      if (strcmp(rows[j].cols[c], want.cols[c]) != 0) {
        fprintf(stderr, "RESULTS.md:%d: `%s` (%s) differs in column %d\n",
                rows[j].line, want.cols[0], want.cols[2], c + 1);
        print_row("  RESULTS.md", &rows[j]);
        print_row("  results_schema.c", &want);
        bad++;
        break;
      }
  }
  for (size_t j = 0; j < n; j++)
    if (!seen[j]) {
      fprintf(stderr, "RESULTS.md:%d: not in results_schema.c\n", rows[j].line);
      bad++;
    }
  free(seen);
  ASSERT_EQ(bad, 0);
  fprintf(stderr, "  %zu keys: RESULTS.md and results_schema.c agree\n", n);
}

/* path holds to the schema (as read) and loads. */
static void file_holds(const char *path) {
  json_error_t err;
  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  char why[512];
  sb_results *r = NULL;
  if (doc == NULL)
    fprintf(stderr, "%s: %s\n", path, err.text);
  ASSERT(doc != NULL);
  if (sb_schema_check_doc(doc, SB_JS_READ, why, sizeof why) != 0)
    fprintf(stderr, "%s: %s\n", path, why);
  ASSERT_EQ(sb_schema_check_doc(doc, SB_JS_READ, why, sizeof why), 0);
  json_decref(doc);
  if (sb_results_read(path, &r, why, sizeof why) != 0)
    fprintf(stderr, "%s\n", why);
  ASSERT(r != NULL);
  /* Every cell is read by a headline in a known unit, and has a role. */
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    ASSERT(c->headline[0] != '\0');
    ASSERT(strcmp(c->headline_unit, "ns") == 0 ||
           strcmp(c->headline_unit, "bytes") == 0 ||
           strcmp(c->headline_unit, "fraction") == 0);
    ASSERT(c->kind[0] != '\0');
  }
  sb_results_free(r);
}

/* What the checks refuse: a wrong type, a key the table lacks (only for
 * what this build writes), a missing required key. */
static void refusals(void) {
  char why[256];
  json_t *cell = json_pack("{s:s, s:i}", "name", "x/single", "seconds", -1);
  ASSERT_EQ(
      sb_schema_check(cell, SB_JW_CELL, NULL, SB_JS_READ, why, sizeof why),
      -EINVAL);
  ASSERT_HAS(why, "seconds is negative");
  json_object_set_new(cell, "seconds", json_real(1));
  ASSERT_EQ(
      sb_schema_check(cell, SB_JW_CELL, NULL, SB_JS_READ, why, sizeof why), 0);
  ASSERT_EQ(
      sb_schema_check(cell, SB_JW_CELL, NULL, SB_JS_RESUME, why, sizeof why),
      -EINVAL);
  ASSERT_HAS(why, "has no \"source\"");
  json_object_set_new(cell, "headline", json_integer(3));
  ASSERT_EQ(sb_schema_check(cell, SB_JW_CELL, "cells[0]", SB_JS_READ, why,
                            sizeof why),
            -EINVAL);
  ASSERT_HAS(why, "cells[0].headline is an integer, expected a string");
  json_decref(cell);
  json_t *sw = json_pack("{s:i, s:s}", "schema", 1, "colour", "blue");
  ASSERT_EQ(sb_schema_check(sw, SB_JW_SUITE, NULL, SB_JS_READ, why, sizeof why),
            0);
  ASSERT_EQ(
      sb_schema_check(sw, SB_JW_SUITE, NULL, SB_JS_WRITTEN, why, sizeof why),
      -EINVAL);
  json_decref(sw);
  ASSERT(sb_jkey_find(SB_JW_BENCHMARK, "late_p99_ns") != NULL);
  ASSERT(sb_jkey_find(SB_JW_SUITE, "colour") == NULL);
}

int main(int argc, char **argv) {
  char path[2048];
  int files = 0;
  if (argc < 4) {
    fprintf(stderr, "usage: %s RESULTS.md DATA_DIR REFERENCE.json\n", argv[0]);
    return 2;
  }
  table_matches(argv[1]);
  refusals();
  DIR *d = opendir(argv[2]);
  ASSERT(d != NULL);
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", argv[2], e->d_name);
    file_holds(path);
    files++;
  }
  closedir(d);
  file_holds(argv[3]);
  /* results-roles.json is written as this build writes: every key. */
  snprintf(path, sizeof path, "%s/results-roles.json", argv[2]);
  json_t *doc = json_load_file(path, 0, NULL);
  char why[256];
  ASSERT(doc != NULL);
  if (sb_schema_check_doc(doc, SB_JS_WRITTEN, why, sizeof why) != 0)
    fprintf(stderr, "%s: %s\n", path, why);
  ASSERT_EQ(sb_schema_check_doc(doc, SB_JS_WRITTEN, why, sizeof why), 0);
  json_decref(doc);
  ASSERT_GE(files, 4);
  fprintf(stderr, "face schema: the table, refusals and %d files passed\n",
          files + 1);
  return 0;
}
