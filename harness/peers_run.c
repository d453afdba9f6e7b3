/* Peer binaries (Rust, Go) run the same workloads: `PEER list` says which
 * "workload runtime" pairs they have; `PEER run ...` prints one Google
 * Benchmark entry per repetition per line. The harness checks each checksum
 * and computes the aggregates Google Benchmark would (mean, median, stddev,
 * cv), so peer cells read exactly like the C cells. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef SB_SOURCE_DIR
#define SB_SOURCE_DIR "."
#endif

sb_peer sb__peers[SB_MAX_PEERS] = {{.lang = "rust"}, {.lang = "go"}};

/* Where each binary lives in the source tree, and the variable that
 * overrides it (tests point these at a fake peer). */
static const struct {
  const char *rel; /* path under the source tree */
  const char *env; /* override */
} where[SB_MAX_PEERS] = {
    {"peers/rust/target/release/sb-peer-rust", "SB_PEER_RUST"},
    {"peers/go/sb-peer-go", "SB_PEER_GO"},
};

int sb__peer_runtime(const char *runtime) {
  for (int i = 0; i < SB_MAX_PEERS; i++)
    for (int k = 0; sb__peers[i].present && k < sb__peers[i].npairs; k++)
      if (strcmp(sb__peers[i].pairs[k].runtime, runtime) == 0)
        return i;
  return -1;
}

/* Runs `PEER list` and keeps the pairs it prints. 0, or -1 with a reason. */
static int peer_list(sb_peer *p, int timeout, char *why, size_t len) {
  char out[] = "/tmp/switchbench-peer-XXXXXX";
  int fd = mkstemp(out);
  if (fd < 0) {
    snprintf(why, len, "temporary file: %s", strerror(errno));
    return -1;
  }
  close(fd);
  char list[] = "list";
  char *argv[] = {p->path, list, NULL};
  sb_child_result res;
  sb__child_run(argv, out, "/dev/null", timeout, NULL, &res);
  int rc = -1;
  if (res.status != SB_CHILD_EXITED || res.code != 0) {
    snprintf(why, len, "%s list failed", p->path);
    goto cleanup;
  }
  FILE *f = fopen(out, "r");
  if (f == NULL) {
    snprintf(why, len, "%s list: %s", p->path, strerror(errno));
    goto cleanup;
  }
  char line[256], w[64], r[64];
  p->npairs = 0;
  while (fgets(line, sizeof line, f) != NULL &&
         p->npairs < (int)(sizeof p->pairs / sizeof p->pairs[0])) {
    if (sscanf(line, "%63s %63s", w, r) != 2 || sb_workload_find(w) == NULL ||
        strlen(r) >= sizeof p->pairs[0].runtime)
      continue; /* a workload the suite does not have cannot be compared */
    snprintf(p->pairs[p->npairs].workload, sizeof p->pairs[0].workload, "%.31s",
             w);
    snprintf(p->pairs[p->npairs].runtime, sizeof p->pairs[0].runtime, "%.31s",
             r);
    p->npairs++;
  }
  fclose(f);
  rc = 0;
cleanup:
  unlink(out);
  return rc;
}

int sb__peers_discover(int timeout, char *why, size_t len) {
  int present = 0;
  size_t at = 0;
  why[0] = '\0';
  for (int i = 0; i < SB_MAX_PEERS; i++) {
    sb_peer *p = &sb__peers[i];
    const char *env = getenv(where[i].env);
    if (env != NULL && env[0] != '\0')
      snprintf(p->path, sizeof p->path, "%s", env);
    else
      snprintf(p->path, sizeof p->path, "%s/%s", SB_SOURCE_DIR, where[i].rel);
    p->present = 0;
    char one[SB_REASON_LEN] = "";
    if (access(p->path, X_OK) != 0)
      snprintf(one, sizeof one, "no %s peer (%s)", p->lang, p->path);
    else if (peer_list(p, timeout, one, sizeof one) == 0)
      p->present = 1;
    present += p->present;
    if (one[0] != '\0' && at < len)
      at += (size_t)snprintf(why + at, len - at, "%s%s", at ? "; " : "", one);
  }
  return present;
}

int sb__peer_argv(const sb_cell *c, int reps, char **argv, size_t cap,
                  char *store, size_t store_len) {
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
  ARG("%d", c->workers);
  ARG("--reps");
  ARG("%d", reps);
  for (int i = 0; i < SB_MAX_PARAMS && c->params.p[i].name != NULL; i++) {
    ARG("--param");
    ARG("%s=%" PRId64, c->params.p[i].name, c->params.p[i].value);
  }
#undef ARG
  argv[n] = NULL;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
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
    double sum = 0, sq = 0;
    for (size_t i = 0; i < k; i++) {
      xs[i] = json_number_value(json_object_get(json_array_get(reps, i), key));
      sum += xs[i];
    }
    double mean = sum / (double)k;
    for (size_t i = 0; i < k; i++)
      sq += (xs[i] - mean) * (xs[i] - mean);
    /* Sample standard deviation, as Google Benchmark computes it. */
    double sd = k > 1 ? sqrt(sq / (double)(k - 1)) : 0;
    qsort(xs, k, sizeof *xs, cmp_double);
    double median = k % 2 ? xs[k / 2] : (xs[k / 2 - 1] + xs[k / 2]) / 2;
    double out = strcmp(agg, "mean") == 0     ? mean
                 : strcmp(agg, "median") == 0 ? median
                 : strcmp(agg, "stddev") == 0 ? sd
                 : mean != 0                  ? sd / mean
                                              : 0;
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
  if (strcmp(name, c->name) != 0 || strcmp(unit, "ns") != 0 || iters < 1 ||
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
