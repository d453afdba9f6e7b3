/* Running a peer cell: `PEER run ...` with the run's settings (min time,
 * repetitions, warm-up, workers, CPU list) prints one Google Benchmark
 * entry per repetition per line. The harness checks each checksum and each
 * work count and computes the aggregates Google Benchmark would (mean,
 * median, stddev, cv), so peer cells read exactly like the C cells. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness/stats/stats.h"

int sb__peer_argv(const sb_cell *c, const sb_peer_settings *s, char **argv,
                  size_t cap, char *store, size_t store_len) {
  size_t n = 0, at = 0;
  /* Appends a formatted string to store and its address to argv. */
#define ARG(...)                                                               \
  do {                                                                         \
    if (n + 2 > cap || at >= store_len)                                        \
      return -ENOSPC;                                                          \
    int k = snprintf(store + at, store_len - at, __VA_ARGS__);                 \
    if (k < 0 || (size_t)k >= store_len - at)                                  \
      return -ENOSPC;                                                          \
    argv[n++] = store + at;                                                    \
    at += (size_t)k + 1;                                                       \
  } while (0)
  ARG("%s", sb__peers[c->peer].path);
  ARG("run");
  ARG("--workload");
  ARG("%s", c->w->name);
  ARG("--runtime");
  ARG("%s", c->runtime);
  ARG("--workers");
  ARG("%d", sb__cell_workers(c));
  ARG("--reps");
  ARG("%d", s->reps);
  ARG("--min-time");
  ARG("%.9g", s->min_time);
  ARG("--warmup");
  ARG("1");
  if (s->cpus != NULL && s->cpus[0] != '\0') {
    ARG("--cpus");
    ARG("%s", s->cpus);
  }
  for (int i = 0; i < SB_MAX_PARAMS && c->params.p[i].name != NULL; i++) {
    ARG("--param");
    ARG("%s=%" PRId64, c->params.p[i].name, c->params.p[i].value);
  }
#undef ARG
  argv[n] = NULL;
  return 0;
}

/* Keys of an entry that are not measurements. */
static int is_measure(const char *key, json_t *v) {
  static const char *const skip[] = {
      "iterations", "repetitions",  "repetition_index",
      "threads",    "family_index", "per_family_instance_index"};
  if (!json_is_number(v))
    return 0;
  for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
    if (strcmp(key, skip[i]) == 0)
      return 0;
  return 1;
}

/* One aggregate entry (mean, median, stddev or cv) over reps. */
static json_t *aggregate(json_t *reps, const char *cell, const char *agg) {
  size_t k = json_array_size(reps);
  json_t *first = json_array_get(reps, 0);
  char name[SB_CELL_NAME_LEN + 16];
  snprintf(name, sizeof name, "%s_%s", cell, agg);
  json_t *e =
      json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:i, s:s}", "name", name,
                "run_name", cell, "run_type", "aggregate", "repetitions",
                (int)k, "threads", 1, "aggregate_name", agg, "aggregate_unit",
                strcmp(agg, "cv") == 0 ? "percentage" : "time", "iterations",
                (int)k, "time_unit", "ns");
  double *xs = malloc(k * sizeof *xs);
  SB_ASSERT(xs != NULL);
  const char *key;
  json_t *v;
  json_object_foreach(first, key, v) {
    if (!is_measure(key, v))
      continue;
    for (size_t i = 0; i < k; i++)
      xs[i] = json_number_value(json_object_get(json_array_get(reps, i), key));
    sb_stats st;
    sb_stats_of(xs, k, &st);
    double out = strcmp(agg, "mean") == 0     ? st.mean
                 : strcmp(agg, "median") == 0 ? st.median
                 : strcmp(agg, "stddev") == 0 ? st.stddev
                                              : st.cv;
    json_object_set_new(e, key, json_real(out));
  }
  free(xs);
  return e;
}

/* Checks one repetition line against the protocol and the checksum. */
static int check_rep(json_t *e, const sb_cell *c, size_t idx, uint64_t want,
                     int have_want, char *checksum, size_t cslen, char *why,
                     size_t len) {
  const char *name = NULL, *label = NULL, *unit = NULL;
  json_int_t iters = 0;
  double real = 0, cpu = 0, nsop = 0;
  json_error_t err;
  if (json_unpack_ex(e, &err, 0, "{s:s, s:I, s:F, s:F, s:s, s:F, s:s}", "name",
                     &name, "iterations", &iters, "real_time", &real,
                     "cpu_time", &cpu, "time_unit", &unit, "ns_per_op", &nsop,
                     "label", &label) != 0) {
    snprintf(why, len, "peer line %zu: %s", idx + 1, err.text);
    return -1;
  }
  unsigned long long sum = 0;
  /* The peer names the cell by workload, runtime and parameters; the
   * /workers:N and /cpus:N the matrix adds are the harness's. */
  char base[SB_CELL_NAME_LEN];
  sb__cell_format(base, sizeof base, c->w->name, c->runtime, &c->params, -1, 0);
  if ((strcmp(name, c->name) != 0 && strcmp(name, base) != 0) ||
      strcmp(unit, "ns") != 0 || iters < 1 ||
      sscanf(label, "checksum=0x%llx", &sum) != 1) {
    snprintf(why, len,
             "peer line %zu: bad name, time_unit, iterations or "
             "label",
             idx + 1);
    return -1;
  }
  if (have_want && sum != want) {
    snprintf(why, len, "peer checksum 0x%016llx, expected 0x%016llx", sum,
             (unsigned long long)want);
    return -1;
  }
  snprintf(checksum, cslen, "0x%016llx", sum);
  /* Normalise the keys every entry carries. */
  json_object_set_new(e, "name", json_string(c->name));
  json_object_set_new(e, "run_name", json_string(c->name));
  json_object_set_new(e, "run_type", json_string("iteration"));
  json_object_set_new(e, "repetition_index", json_integer((json_int_t)idx));
  json_object_set_new(e, "threads", json_integer(1));
  return 0;
}

int sb__peer_collect(const char *out_path, const sb_cell *c, int reps,
                     json_t **entries, char *checksum, size_t cslen, char *why,
                     size_t len) {
  FILE *f = fopen(out_path, "r");
  if (f == NULL) {
    snprintf(why, len, "peer output: %s", strerror(errno));
    return -1;
  }
  int have_want = c->w->checksum != NULL;
  uint64_t want = have_want ? c->w->checksum(&c->params) : 0;
  json_t *list = json_array();
  char line[16384];
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
    if (strspn(line, " \t\r\n") == strlen(line))
      continue;
    json_error_t err;
    json_t *e = json_loads(line, 0, &err);
    if (e == NULL || !json_is_object(e)) {
      snprintf(why, len, "peer line %zu is not a JSON object",
               json_array_size(list) + 1);
      json_decref(e);
      rc = -1;
      break;
    }
    rc = check_rep(e, c, json_array_size(list), want, have_want, checksum,
                   cslen, why, len);
    json_array_append_new(list, e);
  }
  fclose(f);
  if (rc == 0 && json_array_size(list) != (size_t)reps) {
    snprintf(why, len, "peer printed %zu repetitions, expected %d",
             json_array_size(list), reps);
    rc = -1;
  }
  if (rc == 0)
    rc = sb__work_check(list, c, why, len);
  if (rc == 0 && reps > 1) {
    static const char *const aggs[] = {"mean", "median", "stddev", "cv"};
    json_t *all = json_copy(list);
    for (size_t i = 0; i < 4; i++)
      json_array_append_new(list, aggregate(all, c->name, aggs[i]));
    json_decref(all);
  }
  if (rc != 0) {
    json_decref(list);
    return -1;
  }
  *entries = list;
  return 0;
}
