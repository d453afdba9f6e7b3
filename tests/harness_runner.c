/* The harness's runner and its fairness plumbing, without Google Benchmark
 * in the way: a fake workload with every hook of the contract (reset,
 * run_work, timed_ns) runs on a real runtime through the cell body's
 * callbacks, called as Google Benchmark calls them; the work check reads
 * JSON entries; a peer's command line carries the run's settings; cell
 * names parse /cpus:N and fib/serial. Never asserts a timing.
 *   harness_runner RUNTIME */
#include <errno.h>
#include <jansson.h>

#include "harness/harness.h"
#include "test.h"

/* ---- a fake workload with every hook ------------------------------------ */

typedef struct fake_state {
  sb_future root;  /* the run's root */
  int roots;       /* roots made: runs, the warm-up included */
  int resets;      /* reset calls */
  int since_reset; /* runs since the last reset */
  uint64_t out;    /* what the root returns */
  int64_t timed;   /* what timed_ns says */
} fake_state;

/* Runs for at least 2 µs, so a timed region of 1 µs lies inside it. */
static sb_poll fake_poll(sb_future *f, sb_cx *cx) {
  (void)cx;
  int64_t until = sb_now_ns() + 2000;
  while (sb_now_ns() < until)
    ;
  f->out = ((fake_state *)(void *)f)->out;
  return SB_READY;
}

static const sb_param_spec fake_specs[] = {
    {"out", 42, 0, INT64_MAX}, {"timed", 1000, 0, INT64_MAX}, {NULL, 0, 0, 0}};

static int fake_setup(const sb_params *ps, const sb_setup_env *env,
                      void **state, char *why, size_t len) {
  (void)env, (void)why, (void)len;
  fake_state *st = calloc(1, sizeof *st);
  if (st == NULL)
    return -ENOMEM;
  st->out = (uint64_t)sb_param(ps, "out", 42);
  st->timed = sb_param(ps, "timed", 1000);
  *state = st;
  return 0;
}

static sb_future *fake_root(void *state) {
  fake_state *st = state;
  st->roots++;
  st->since_reset++;
  st->root = SB_FUTURE_INIT(fake_poll, NULL);
  return &st->root;
}

static int fake_verify(void *state, uint64_t out, char *why, size_t len) {
  (void)state;
  if (out == 42)
    return 0;
  snprintf(why, len, "out %llu, expected 42", (unsigned long long)out);
  return -1;
}

static uint64_t fake_checksum(const sb_params *ps) {
  (void)ps;
  return 42;
}

static int64_t fake_ops(const sb_params *ps) {
  (void)ps;
  return 10;
}

/* Three messages a run; tasks are the runtime's to count, so not checked. */
static void fake_work(const sb_params *ps, sb_work *out) {
  (void)ps;
  *out = (sb_work){.tasks = -1, .messages = 3, .connections = -1};
}

static void fake_run_work(void *state, sb_work *out) {
  (void)state;
  *out = (sb_work){.tasks = -1, .messages = 3, .connections = -1};
}

static void fake_reset(void *state) {
  fake_state *st = state;
  st->resets++;
  st->since_reset = 0;
}

static int64_t fake_timed(void *state) {
  return ((fake_state *)state)->timed;
}

static void fake_counters(void *state, sb_counters *c) {
  sb_counter_set(c, "runs_since_reset", ((fake_state *)state)->since_reset);
}

static void fake_teardown(void *state) {
  free(state);
}

static const sb_params fake_sets[] = {{{{"out", 42}, {"timed", 1000}}},
                                      {{{NULL, 0}}}};

static const sb_workload fake = {
    .name = "fake",
    .unit = "op",
    .quick = fake_sets,
    .full = fake_sets,
    .params = fake_specs,
    .setup = fake_setup,
    .root = fake_root,
    .verify = fake_verify,
    .checksum = fake_checksum,
    .ops = fake_ops,
    .work = fake_work,
    .run_work = fake_run_work,
    .reset = fake_reset,
    .timed_ns = fake_timed,
    .counters = fake_counters,
    .teardown = fake_teardown,
};

static const char *runtime;

static sb_cell fake_cell(int64_t out, int64_t timed) {
  sb_cell c;
  memset(&c, 0, sizeof c);
  c.source = SB_SOURCE_C;
  c.w = &fake;
  c.peer = -1;
  c.params = (sb_params){{{"out", out}, {"timed", timed}}};
  snprintf(c.runtime, sizeof c.runtime, "%s", runtime);
  snprintf(c.primitive, sizeof c.primitive, SB_PRIM_SPAWN_JOIN);
  snprintf(c.name, sizeof c.name, "fake/%s", runtime);
  return c;
}

static double counter(const sb_counters *c, const char *name) {
  for (int i = 0; i < c->n; i++)
    if (strcmp(c->c[i].name, name) == 0)
      return c->c[i].value;
  return -1;
}

/* One Google Benchmark call as the shim makes it: begin, one batch, end. */
static void call(sb_cell_run *r, int64_t n, double *seconds, sb_counters *c) {
  char why[SB_REASON_LEN];
  memset(c, 0, sizeof *c);
  ASSERT_EQ(r->body.begin(r->body.arg, why, sizeof why), 0);
  ASSERT_EQ(r->body.batch(r->body.arg, n, seconds, why, sizeof why), 0);
  r->body.end(r->body.arg, n, c);
}

/* Warm-up before any call; every call starts from reset tallies; the
 * workload's timed region is the run's time; work is per call. */
static void runner(void) {
  sb_cell c = fake_cell(42, 1000);
  sb_config cfg = {0};
  sb_cell_run r;
  sb__cell_open(&r, &c, &cfg);
  ASSERT(r.t.error[0] == '\0');
  fake_state *st = r.run.state;
  ASSERT_EQ(st->roots, 1); /* the warm-up, before Google Benchmark */
  ASSERT_EQ(st->resets, 0);
  sb_counters k;
  double seconds = 0;
  call(&r, 5, &seconds, &k); /* a probe */
  ASSERT_EQ(st->resets, 1);
  ASSERT(seconds == 5 * 1000 / 1e9);
  ASSERT_EQ(counter(&k, "work_messages"), 15);
  ASSERT_EQ(counter(&k, "work_tasks"), -1); /* marked -1: not reported */
  ASSERT_EQ(counter(&k, "runs_since_reset"), 5);
  ASSERT(counter(&k, "ns_per_op") == 100.0); /* 1000 ns / 10 ops */
  ASSERT(counter(&k, "peak_rss_bytes") > 0);
  ASSERT(strcmp(k.label, "checksum=0x000000000000002a") == 0);
  call(&r, 3, &seconds, &k); /* the repetition: nothing carried over */
  ASSERT_EQ(st->resets, 2);
  ASSERT_EQ(counter(&k, "work_messages"), 9);
  ASSERT_EQ(counter(&k, "runs_since_reset"), 3);
  ASSERT(seconds == 3 * 1000 / 1e9);
  sb__cell_close(&r);
}

/* A warm-up that fails verification fails the cell before any call; a
 * timed region longer than the run is refused. */
static void runner_failures(void) {
  sb_config cfg = {0};
  sb_cell_run r;
  char why[SB_REASON_LEN];
  sb_cell c = fake_cell(7, 1000);
  sb__cell_open(&r, &c, &cfg);
  ASSERT(strncmp(r.t.error, "warm-up run: out 7", 18) == 0);
  ASSERT_EQ(r.body.begin(r.body.arg, why, sizeof why), -1);
  ASSERT(strcmp(why, r.t.error) == 0);
  sb__cell_close(&r);
  c = fake_cell(42, (int64_t)3600 * 1000000000);
  sb__cell_open(&r, &c, &cfg);
  ASSERT(strstr(r.t.error, "outside block_on") != NULL);
  sb__cell_close(&r);
}

/* ---- the work check ------------------------------------------------------ */

static int check(const char *json, const sb_cell *c, char *why, size_t len) {
  json_error_t err;
  json_t *e = json_loads(json, 0, &err);
  ASSERT(e != NULL);
  why[0] = '\0';
  int rc = sb__work_check(e, c, why, len);
  json_decref(e);
  return rc;
}

static void work_check(void) {
  sb_cell c = fake_cell(42, 1000);
  char why[SB_REASON_LEN];
  ASSERT_EQ(check("[{\"run_type\":\"iteration\",\"iterations\":5,"
                  "\"work_messages\":15}]",
                  &c, why, sizeof why),
            0);
  /* Aggregates and errors are not repetitions. */
  ASSERT_EQ(check("[{\"run_type\":\"iteration\",\"iterations\":5,"
                  "\"work_messages\":15},{\"run_type\":\"aggregate\","
                  "\"iterations\":2,\"work_messages\":1}]",
                  &c, why, sizeof why),
            0);
  ASSERT_EQ(check("[{\"run_type\":\"iteration\",\"iterations\":5,"
                  "\"work_messages\":10}]",
                  &c, why, sizeof why),
            -1);
  ASSERT(strcmp(why, "work: 2 messages per run, expected 3") == 0);
  ASSERT_EQ(check("[{\"run_type\":\"iteration\",\"iterations\":5,"
                  "\"work_messages\":14}]",
                  &c, why, sizeof why),
            -1);
  ASSERT(strcmp(why, "work: 2.8 messages per run (14 in 5 runs), "
                     "expected 3") == 0);
  /* A count the workload defines must be there. */
  ASSERT_EQ(check("[{\"run_type\":\"iteration\",\"iterations\":5}]", &c, why,
                  sizeof why),
            -1);
  ASSERT(strstr(why, "work: no messages count reported") != NULL);
  /* The serial row makes no task: nothing to check. */
  snprintf(c.primitive, sizeof c.primitive, SB_PRIM_SERIAL);
  ASSERT_EQ(check("[{\"run_type\":\"iteration\",\"iterations\":5}]", &c, why,
                  sizeof why),
            0);
}

/* ---- settings reach the peer; names ------------------------------------- */

static void peer_settings(void) {
  sb__peer_use("/no/such/peer", "pingpong", "tokio-mt");
  char why[SB_REASON_LEN];
  sb_cell c;
  ASSERT_EQ(sb__cell_parse("pingpong/tokio-mt/n:100/workers:3", 1, &c, why,
                           sizeof why),
            0);
  ASSERT_EQ(c.source, SB_SOURCE_PEER);
  sb_peer_settings s = {.reps = 4, .min_time = 0.25, .cpus = "0,1"};
  char *argv[64], store[4096], line[4096] = "";
  ASSERT_EQ(sb__peer_argv(&c, &s, argv, 64, store, sizeof store), 0);
  for (int i = 0; argv[i] != NULL; i++)
    snprintf(line + strlen(line), sizeof line - strlen(line), "%s ", argv[i]);
  ASSERT(strcmp(line, "/no/such/peer run --workload pingpong --runtime "
                      "tokio-mt --workers 3 --reps 4 --min-time 0.25 "
                      "--warmup 1 --cpus 0,1 --param n=100 ") == 0);
  ASSERT_EQ(sb__peer_workers("tokio-mt"), SB_PEER_WORKERS_FOLLOW);
  ASSERT_EQ(sb__peer_workers("tokio-ct"), SB_PEER_WORKERS_ONE);
  ASSERT_EQ(sb__peer_workers("std-thread"), SB_PEER_WORKERS_PER_TASK);
}

static void names(void) {
  char why[SB_REASON_LEN], buf[SB_CELL_NAME_LEN];
  sb_cell c;
  ASSERT_EQ(
      sb__cell_parse("pingpong/threads/n:200/cpus:1", 0, &c, why, sizeof why),
      0);
  ASSERT_EQ(c.cpus_n, 1);
  sb__cell_format(buf, sizeof buf, "pingpong", "threads", &c.params, -1,
                  c.cpus_n);
  ASSERT(strcmp(buf, "pingpong/threads/n:200/cpus:1") == 0);
  /* /cpus:N only at the end, and at least one CPU. */
  ASSERT_EQ(
      sb__cell_parse("pingpong/threads/cpus:1/n:200", 0, &c, why, sizeof why),
      -EINVAL);
  ASSERT_EQ(
      sb__cell_parse("pingpong/threads/n:200/cpus:0", 0, &c, why, sizeof why),
      -EINVAL);
  ASSERT(strstr(why, "cpus:0") != NULL);
  ASSERT_EQ(sb__cell_parse("fib/serial/n:20/cutoff:5", 0, &c, why, sizeof why),
            0);
  ASSERT_EQ(c.source, SB_SOURCE_SERIAL);
  ASSERT(strcmp(c.primitive, SB_PRIM_SERIAL) == 0);
  ASSERT_EQ(sb__cell_parse("pingpong/serial/n:20", 0, &c, why, sizeof why),
            -EINVAL);
}

int main(int argc, char **argv) {
  if (argc != 2 || sb_runtime_find(argv[1]) == NULL) {
    fprintf(stderr, "usage: harness_runner RUNTIME\n");
    return 2;
  }
  runtime = argv[1];
  runner();
  runner_failures();
  work_check();
  peer_settings();
  names();
  fprintf(stderr, "harness runner on %s: 5 cases passed\n", runtime);
  return 0;
}
