/* The results reader on the synthetic files of tests/data: the model it
 * builds (cells joined to entries, medians from the aggregates, the single
 * iteration fallback) and names Google Benchmark decorates. */
#include <errno.h>
#include <math.h>

#include "face_test.h"
#include "results_read.h"

static const char *data;

static sb_results *load(const char *name) {
  char path[1024], why[512];
  sb_results *r = NULL;
  snprintf(path, sizeof path, "%s/%s", data, name);
  int rc = sb_results_read(path, &r, why, sizeof why);
  if (rc != 0)
    fprintf(stderr, "%s\n", why);
  ASSERT_EQ(rc, 0);
  return r;
}

/* What one task is, per cell: recorded, or read from an older cell. */
static void primitives(const sb_results *r) {
  const sb_rcell *c = sb_results_cell(r, "fib/rayon/n:25/cutoff:10");
  ASSERT(c != NULL && strcmp(c->primitive, "join") == 0);
  ASSERT(!sb_rcell_spawn_join(c));
  ASSERT(strcmp(c->peer, "rust") == 0);
  ASSERT(c->warmup == 1 && c->repetitions == 5 && c->min_time == 0.5);
  ASSERT(strcmp(sb_primitive_unit(c->primitive), "fork") == 0);
  /* Each language's serial row: rust for a Rust peer, C for C cells. */
  const sb_rcell *s = sb_results_serial(r, c);
  ASSERT(s != NULL && strcmp(s->runtime, "serial-rust") == 0);
  c = sb_results_cell(r, "fib/single/n:25/cutoff:10");
  ASSERT(c != NULL && strcmp(c->primitive, "spawn+join") == 0);
  ASSERT(c->warmup == -1 && c->min_time == -1);
  s = sb_results_serial(r, c);
  ASSERT(s != NULL && strcmp(s->name, "fib/serial/n:25/cutoff:10") == 0);
  ASSERT(strcmp(s->primitive, "serial") == 0);
  /* /cpus:N is the harness's, not a parameter, and tells cells apart. */
  c = sb_results_cell(r, "pingpong/threads/n:10000/cpus:1");
  ASSERT(c != NULL && c->cpus_limit == 1 && c->nparams == 1);
  ASSERT(strcmp(c->cpus, "0") == 0);
  const sb_rcell *u = sb_results_cell(r, "pingpong/threads/n:10000");
  ASSERT(u != NULL && u->cpus_limit == 0 && !sb_rcell_same_params(c, u));
  ASSERT(sb_results_find(r, "pingpong", "threads", u) == u);
}

static void model(void) {
  sb_results *r = load("results-small.json");
  sb_rstat st;
  ASSERT_EQ(r->ctx.schema, 1);
  ASSERT_EQ(r->ctx.cores, 2);
  ASSERT_EQ(r->ctx.cpu_scaling, 1);
  ASSERT_EQ(r->ctx.repetitions, 5);
  ASSERT(strcmp(r->ctx.virtualization, "kvm") == 0);
  ASSERT_EQ(r->ncells, 85);
  const sb_rcell *c = sb_results_cell(r, "pingpong/single/n:10000");
  ASSERT(c != NULL);
  ASSERT(strcmp(c->workload, "pingpong") == 0);
  ASSERT(strcmp(c->runtime, "single") == 0);
  ASSERT(strcmp(c->unit, "message") == 0);
  ASSERT_EQ(c->nreps, 5);
  ASSERT(c->median != NULL && c->cv != NULL);
  ASSERT_EQ((int64_t)sb_rcell_param(c, "n", 0), 10000);
  ASSERT_EQ(sb_rcell_stat(c, "ns_per_op", &st), 0);
  /* The median is the aggregate's, within the repetitions' range. */
  ASSERT(st.median == *sb_rentry_value(c->median, "ns_per_op"));
  ASSERT(st.min <= st.median && st.median <= st.max);
  ASSERT(st.cv > 0 && st.cv < 0.1);
  ASSERT_EQ(st.n, 5);
  ASSERT_EQ(st.single, 0);
  ASSERT_EQ(sb_rcell_stat(c, "no_such_counter", &st), -ENOENT);
  /* A skipped cell keeps its reason and has no figure. */
  c = sb_results_cell(r, "million/pool/n:10000");
  ASSERT(c != NULL && strcmp(c->status, "skipped") == 0);
  ASSERT(strstr(c->reason, "cannot hold") != NULL);
  ASSERT_EQ(sb_rcell_stat(c, "ns_per_op", &st), -ENOENT);
  /* A failed cell carries Google Benchmark's error entry. */
  c = sb_results_cell(r, "workqueue/threads/r:2/n:1000/cap:16");
  ASSERT(c != NULL && c->error != NULL && c->nreps == 0);
  /* Floor cells and lookups by workload, runtime and params. */
  c = sb_results_cell(r, "floor/futex/cross-core");
  ASSERT(c != NULL && strcmp(c->workload, "floor") == 0);
  const sb_rcell *like = sb_results_cell(r, "echo/single/c:100/b:64/r:100");
  const sb_rcell *f = sb_results_find(r, "echo", "steal", like);
  ASSERT(f != NULL && strcmp(f->name, "echo/steal/c:100/b:64/r:100") == 0);
  char buf[64];
  ASSERT(strcmp(sb_rcell_params_str(f, buf, sizeof buf), "c:100 b:64 r:100") ==
         0);
  primitives(r);
  sb_results_free(r);
}

static void one_repetition(void) {
  sb_results *r = load("results-onerep.json");
  sb_rstat st;
  const sb_rcell *c = sb_results_cell(r, "spawn/steal/n:10000");
  ASSERT(c != NULL && c->nreps == 1 && c->median == NULL);
  ASSERT_EQ(sb_rcell_stat(c, "ns_per_op", &st), 0);
  ASSERT_EQ(st.single, 1);
  ASSERT(st.median == st.min && st.min == st.max);
  ASSERT(st.cv < 0);
  sb_results_free(r);
}

/* Entries no cell lists become cells of their own, named without Google
 * Benchmark's decorations; aggregates without run_name find their cell. */
static void decorated_names(void) {
  static const char doc[] =
      "{\"context\": {\"switchbench\": {\"schema\": 1}},"
      " \"switchbench_cells\": [],"
      " \"benchmarks\": ["
      "  {\"name\": \"ring/single/n:4/laps:2/repeats:2/real_time\","
      "   \"run_type\": \"iteration\", \"ns_per_op\": 10},"
      "  {\"name\": \"ring/single/n:4/laps:2/repeats:2/real_time\","
      "   \"run_type\": \"iteration\", \"ns_per_op\": 30},"
      "  {\"name\": \"ring/single/n:4/laps:2/repeats:2/real_time_median\","
      "   \"run_type\": \"aggregate\", \"aggregate_name\": \"median\","
      "   \"ns_per_op\": 20},"
      "  {\"name\": \"spawn/pool/n:8\", \"error_occurred\": true,"
      "   \"error_message\": \"out of threads\"}]}";
  sb_results *r = NULL;
  char why[256];
  sb_rstat st;
  ASSERT_EQ(
      sb_results_parse("inline", doc, sizeof doc - 1, &r, why, sizeof why), 0);
  ASSERT_EQ(r->ncells, 2);
  const sb_rcell *c = sb_results_cell(r, "ring/single/n:4/laps:2");
  ASSERT(c != NULL && c->nreps == 2 && c->median != NULL);
  ASSERT(strcmp(c->workload, "ring") == 0 && strcmp(c->runtime, "single") == 0);
  ASSERT_EQ((int64_t)sb_rcell_param(c, "laps", 0), 2);
  ASSERT_EQ(sb_rcell_stat(c, "ns_per_op", &st), 0);
  ASSERT(st.median == 20 && st.min == 10 && st.max == 30);
  c = sb_results_cell(r, "spawn/pool/n:8");
  ASSERT(c != NULL && strcmp(c->status, "failed") == 0);
  ASSERT(strcmp(c->reason, "out of threads") == 0);
  sb_results_free(r);
}

static void missing_file(void) {
  sb_results *r = NULL;
  char why[256];
  ASSERT_EQ(sb_results_read("/nonexistent/x.json", &r, why, sizeof why),
            -ENOENT);
  ASSERT(r == NULL && strstr(why, "No such file") != NULL);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data = argv[1];
  model();
  one_repetition();
  decorated_names();
  missing_file();
  fprintf(stderr, "face read: 4 cases passed\n");
  return 0;
}
