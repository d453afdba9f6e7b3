/* The results schema as one table (results_schema.h): every key of a
 * results file, and the check that holds an object to it. RESULTS.md's
 * "Every key" table is this table; tests/test_face_schema.c keeps the two
 * equal. */
#include "results_schema.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "results_read.h"

#define CTX(f) offsetof(sb_rcontext, f)
#define CELL(f) offsetof(sb_rcell, f)
#define ENTRY(f) offsetof(sb_rentry, f)
#define NK SB_JNOT_KEPT

/* key, type, where, need, kept at, default, non-negative, meaning */
const sb_jkey sb_jkeys[] = {
    /* The top level. */
    {"context", SB_JT_OBJECT, SB_JW_TOP, SB_JN_REQUIRED, NK, 0, 0,
     "the machine and the run"},
    {"benchmarks", SB_JT_ARRAY, SB_JW_TOP, SB_JN_REQUIRED, NK, 0, 0,
     "Google Benchmark's entries: repetitions and aggregates of every cell"},
    {"switchbench_cells", SB_JT_ARRAY, SB_JW_TOP, SB_JN_REQUIRED, NK, 0, 0,
     "one entry per cell of the matrix"},
    /* Google Benchmark's context. */
    {"date", SB_JT_STRING, SB_JW_CONTEXT, SB_JN_WRITTEN, CTX(date), 0, 0,
     "when the run started, local time with offset"},
    {"host_name", SB_JT_STRING, SB_JW_CONTEXT, SB_JN_WRITTEN, CTX(host_name), 0,
     0, "the machine's host name"},
    {"num_cpus", SB_JT_INTEGER, SB_JW_CONTEXT, SB_JN_WRITTEN, CTX(num_cpus), 0,
     0, "online CPUs"},
    {"mhz_per_cpu", SB_JT_NUMBER, SB_JW_CONTEXT, SB_JN_OPTIONAL,
     CTX(mhz_per_cpu), -1, 0, "nominal MHz (from the first cell's process)"},
    {"cpu_scaling_enabled", SB_JT_BOOLEAN, SB_JW_CONTEXT, SB_JN_OPTIONAL,
     CTX(cpu_scaling), 0, 0, "CPU frequency scaling on"},
    {"load_avg", SB_JT_ARRAY, SB_JW_CONTEXT, SB_JN_OPTIONAL, NK, 0, 0,
     "1, 5 and 15 minute load averages when the first cell ran"},
    {"library_build_type", SB_JT_STRING, SB_JW_CONTEXT, SB_JN_OPTIONAL,
     CTX(build_type), 0, 0, "how libbenchmark was built (not switchbench)"},
    {"caches", SB_JT_ARRAY, SB_JW_CONTEXT, SB_JN_OPTIONAL, NK, 0, 0,
     "the CPU caches Google Benchmark found"},
    {"executable", SB_JT_STRING, SB_JW_CONTEXT, SB_JN_OPTIONAL, NK, 0, 0,
     "the program that ran the first cell"},
    {"switchbench", SB_JT_OBJECT, SB_JW_CONTEXT, SB_JN_REQUIRED, NK, 0, 0,
     "the suite's context (below)"},
    {"*", SB_JT_ANY, SB_JW_CONTEXT, SB_JN_OPTIONAL, NK, 0, 0,
     "any other key of Google Benchmark's context, kept as it came"},
    /* context.switchbench */
    {"schema", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_REQUIRED, CTX(schema), 0, 0,
     "the results schema version (SB_RESULTS_SCHEMA)"},
    {"git_commit", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN, CTX(git_commit), 0,
     0, "the suite's commit, -dirty when the tree differed"},
    {"cpu_model", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN, CTX(cpu_model), 0,
     0, "the CPU model string"},
    {"cores", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_WRITTEN, CTX(cores), 0, 0,
     "physical cores (hwloc)"},
    {"pus", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_WRITTEN, CTX(pus), 0, 0,
     "hardware threads (hwloc)"},
    {"cpus_allowed", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_WRITTEN,
     CTX(cpus_allowed), 0, 0,
     "CPUs the run's process may use (its affinity: taskset, cpusets)"},
    {"topology", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN, CTX(topology), 0, 0,
     "a one-line hwloc summary"},
    {"kernel", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN, CTX(kernel), 0, 0,
     "uname: system, release, machine"},
    {"compiler", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN, CTX(compiler), 0, 0,
     "the compiler and its version"},
    {"virtualization", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN,
     CTX(virtualization), 0, 0, "kvm, none, unknown, ..."},
    {"pin", SB_JT_STRING, SB_JW_SUITE, SB_JN_RESUME, CTX(pin), 0, 0,
     "the pinning policy: none, compact or spread"},
    {"workers", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_RESUME, CTX(workers), 0, 0,
     "the first --workers value (0 = one per core)"},
    {"quick", SB_JT_BOOLEAN, SB_JW_SUITE, SB_JN_RESUME, CTX(quick), 0, 0,
     "the quick matrix"},
    {"smoke", SB_JT_BOOLEAN, SB_JW_SUITE, SB_JN_RESUME, NK, 0, 0,
     "the smoke matrix (one iteration per cell)"},
    {"repetitions", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_RESUME, CTX(repetitions),
     0, 0, "repetitions per cell"},
    {"min_time", SB_JT_NUMBER, SB_JW_SUITE, SB_JN_RESUME, NK, 0, 0,
     "seconds of timed runs per repetition"},
    {"timeout", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_RESUME, NK, 0, 0,
     "seconds before a cell is killed"},
    {"peers", SB_JT_BOOLEAN, SB_JW_SUITE, SB_JN_RESUME, NK, 0, 0,
     "the run takes the peers' cells"},
    {"command", SB_JT_STRING, SB_JW_SUITE, SB_JN_WRITTEN, CTX(command), 0, 0,
     "the command line of the run"},
    {"complete", SB_JT_BOOLEAN, SB_JW_SUITE, SB_JN_RESUME, CTX(complete), 0, 0,
     "false while running or when interrupted"},
    {"cells_total", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_WRITTEN, CTX(cells_total),
     0, 0, "cells in the matrix"},
    {"cells_done", SB_JT_INTEGER, SB_JW_SUITE, SB_JN_WRITTEN, CTX(cells_done),
     0, 0, "cells finished"},
    /* switchbench_cells[] */
    {"name", SB_JT_STRING, SB_JW_CELL, SB_JN_REQUIRED, CELL(name), 0, 0,
     "the cell: workload/runtime/param:value/..."},
    {"workload", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(workload), 0, 0,
     "the workload, floor for the kernel baselines"},
    {"runtime", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(runtime), 0, 0,
     "the runtime, peer runtime or floor mechanism"},
    {"params", SB_JT_OBJECT, SB_JW_CELL, SB_JN_WRITTEN, NK, 0, 0,
     "the parameters, name to integer, in name order"},
    {"question", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(question), 0, 0,
     "the question the workload answers"},
    {"unit", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(unit), 0, 0,
     "what one op is: message, task, round trip, ..."},
    {"kind", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(kind), 0, 0,
     "the workload's role: switch, spawn, memory, cpu, io or pitfall"},
    {"headline", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(headline), 0, 0,
     "the counter the cell is read by: ns_per_op, p99_ns, ..."},
    {"headline_unit", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN,
     CELL(headline_unit), 0, 0,
     "the headline's unit: ns, bytes or fraction (higher is better)"},
    {"source", SB_JT_STRING, SB_JW_CELL, SB_JN_RESUME, CELL(source), 0, 0,
     "who ran it: switchbench, floor or peer"},
    {"status", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(status), 0, 0,
     "ok, failed, timeout, crashed, skipped or pending"},
    {"reason", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(reason), 0, 0,
     "why, when not ok"},
    {"seconds", SB_JT_NUMBER, SB_JW_CELL, SB_JN_WRITTEN, CELL(seconds), 0, 1,
     "the cell's wall time"},
    {"checksum", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, NK, 0, 0,
     "the runs' checksum, 0x..."},
    {"workers", SB_JT_INTEGER, SB_JW_CELL, SB_JN_WRITTEN, NK, 0, 0,
     "the worker count it ran with (0 = one per core)"},
    {"min_time", SB_JT_NUMBER, SB_JW_CELL, SB_JN_WRITTEN, CELL(min_time), -1, 1,
     "seconds of timed runs per repetition"},
    {"repetitions", SB_JT_INTEGER, SB_JW_CELL, SB_JN_WRITTEN, CELL(repetitions),
     0, 0, "repetitions it ran with"},
    {"warmup", SB_JT_INTEGER, SB_JW_CELL, SB_JN_WRITTEN, CELL(warmup), 0, 0,
     "untimed, verified runs before the first repetition (0: floor)"},
    {"pin", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(pin), 0, 0,
     "the pinning policy it ran under"},
    {"cpus", SB_JT_ARRAY, SB_JW_CELL, SB_JN_WRITTEN, NK, 0, 0,
     "its CPU list (PROTOCOL.md 7), [] = none"},
    {"primitive", SB_JT_STRING, SB_JW_CELL, SB_JN_WRITTEN, CELL(primitive), 0,
     0, "what one task is: spawn+join, join, scope-spawn, serial or none"},
    {"peer", SB_JT_STRING, SB_JW_CELL, SB_JN_OPTIONAL, CELL(peer), 0, 0,
     "peer cells: the peer's language, rust or go"},
    /* benchmarks[]: Google Benchmark's keys */
    {"name", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_REQUIRED, ENTRY(name), 0, 0,
     "the entry: the cell's name, an aggregate's with _mean, _median, ..."},
    {"run_name", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_WRITTEN, ENTRY(run_name),
     0, 0, "the cell it belongs to"},
    {"run_type", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_WRITTEN, NK, 0, 0,
     "iteration (one repetition) or aggregate"},
    {"family_index", SB_JT_INTEGER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "Google Benchmark's family number"},
    {"per_family_instance_index", SB_JT_INTEGER, SB_JW_BENCHMARK,
     SB_JN_OPTIONAL, NK, 0, 0, "Google Benchmark's instance number"},
    {"repetitions", SB_JT_INTEGER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "repetitions of the cell"},
    {"repetition_index", SB_JT_INTEGER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0,
     0, "which repetition (iteration entries)"},
    {"threads", SB_JT_INTEGER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "Google Benchmark threads, always 1 (runtimes own their threads)"},
    {"iterations", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 1,
     "runs in the repetition (aggregates: repetitions)"},
    {"real_time", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 1,
     "wall time per run, in time_unit"},
    {"cpu_time", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 1,
     "CPU time of the main thread per run, in time_unit"},
    {"time_unit", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "ns"},
    {"aggregate_name", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_OPTIONAL,
     ENTRY(aggregate_name), 0, 0, "mean, median, stddev or cv"},
    {"aggregate_unit", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "time, or percentage for cv"},
    {"error_occurred", SB_JT_BOOLEAN, SB_JW_BENCHMARK, SB_JN_OPTIONAL,
     ENTRY(error), 0, 0, "the cell could not run"},
    {"error_message", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_OPTIONAL,
     ENTRY(error_message), 0, 0, "why it could not"},
    {"label", SB_JT_STRING, SB_JW_BENCHMARK, SB_JN_OPTIONAL, ENTRY(label), 0, 0,
     "checksum=0x... of the runs"},
    /* benchmarks[]: the suite's counters */
    {"ns_per_op", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 1,
     "ns per op (per message, yield, task, round trip, ...)"},
    {"items_per_second", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0,
     0, "ops per second"},
    {"ctx_switches_per_op", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK,
     0, 0, "OS context switches per op (getrusage)"},
    {"peak_rss_bytes", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "peak RSS of the repetition (VmHWM after a reset)"},
    {"peak_rss_reset", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "0 when the peak could not be reset (then ru_maxrss)"},
    {"work_tasks", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "tasks the repetition spawned (PROTOCOL.md 4)"},
    {"work_messages", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "messages, tokens or round trips of the repetition"},
    {"work_connections", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0,
     0, "connections served to EOF in the repetition"},
    {"workers", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "C cells: the worker threads the runtime reported"},
    {"*", SB_JT_NUMBER, SB_JW_BENCHMARK, SB_JN_OPTIONAL, NK, 0, 0,
     "a workload's own counter (p99_ns, efficiency, ...)"},
};
const size_t sb_njkeys = sizeof sb_jkeys / sizeof sb_jkeys[0];

const char *sb_jtype_name(sb_jtype t) {
  static const char *const names[] = {"string", "integer", "number", "boolean",
                                      "object", "array",   "any"};
  return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

const char *sb_jwhere_name(sb_jwhere w) {
  static const char *const names[] = {"top level", "context",
                                      "context.switchbench", "cell entry",
                                      "benchmark entry"};
  return (size_t)w < sizeof names / sizeof names[0] ? names[w] : "?";
}

const char *sb_jneed_name(sb_jneed n) {
  static const char *const names[] = {"required", "resume", "written",
                                      "optional"};
  return (size_t)n < sizeof names / sizeof names[0] ? names[n] : "?";
}

const sb_jkey *sb_jkey_find(sb_jwhere where, const char *key) {
  const sb_jkey *any = NULL;
  for (size_t i = 0; i < sb_njkeys; i++) {
    const sb_jkey *k = &sb_jkeys[i];
    if (k->where != where)
      continue;
    if (strcmp(k->key, key) == 0)
      return k;
    if (strcmp(k->key, "*") == 0)
      any = k;
  }
  return any;
}

int sb_jtype_is(const json_t *v, sb_jtype t) {
  switch (t) {
  case SB_JT_STRING:
    return json_is_string(v);
  case SB_JT_INTEGER:
    return json_is_integer(v);
  case SB_JT_NUMBER:
    return json_is_number(v);
  case SB_JT_BOOLEAN:
    return json_is_boolean(v);
  case SB_JT_OBJECT:
    return json_is_object(v);
  case SB_JT_ARRAY:
    return json_is_array(v);
  case SB_JT_ANY:
    return v != NULL;
  }
  return 0;
}

const char *sb_json_kind(const json_t *v) {
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

/* Checks one present value against its row. */
static int check_value(const sb_jkey *k, const char *label, const char *key,
                       const json_t *v, int aggregate, char *why, size_t len) {
  if (!sb_jtype_is(v, k->type)) {
    const char *t = sb_jtype_name(k->type);
    snprintf(why, len, "%s.%s is %s, expected %s %s", label, key,
             sb_json_kind(v), strchr("aeiou", t[0]) ? "an" : "a", t);
    return -EINVAL;
  }
  if (k->type == SB_JT_INTEGER &&
      (json_integer_value(v) < 0 || json_integer_value(v) > 1000000000)) {
    snprintf(why, len, "%s.%s is %lld, out of range", label, key,
             (long long)json_integer_value(v));
    return -EINVAL;
  }
  /* An aggregate (a stddev, a cv) is not a measurement: no sign rule. */
  if (k->nonneg && !aggregate && json_number_value(v) < 0) {
    snprintf(why, len, "%s.%s is negative (%g)", label, key,
             json_number_value(v));
    return -EINVAL;
  }
  return 0;
}

int sb_schema_check(const json_t *obj, sb_jwhere where, const char *label,
                    sb_jstrict strict, char *why, size_t len) {
  const char *key;
  const json_t *v;
  if (label == NULL)
    label = sb_jwhere_name(where);
  if (!json_is_object(obj)) {
    snprintf(why, len, "%s is %s, expected an object", label,
             obj ? sb_json_kind(obj) : "missing");
    return -EINVAL;
  }
  const char *rt = json_string_value(json_object_get(obj, "run_type"));
  int aggregate = where == SB_JW_BENCHMARK && rt && !strcmp(rt, "aggregate");
  for (size_t i = 0; i < sb_njkeys; i++) {
    const sb_jkey *k = &sb_jkeys[i];
    int needed = k->need == SB_JN_REQUIRED ||
                 (k->need == SB_JN_RESUME && strict >= SB_JS_RESUME) ||
                 (k->need == SB_JN_WRITTEN && strict >= SB_JS_WRITTEN);
    if (k->where != where || strcmp(k->key, "*") == 0)
      continue;
    v = json_object_get(obj, k->key);
    if (v == NULL && needed) {
      snprintf(why, len, "%s has no \"%s\" (%s)", label, k->key,
               sb_jtype_name(k->type));
      return -EINVAL;
    }
    if (v != NULL && check_value(k, label, k->key, v, aggregate, why, len))
      return -EINVAL;
  }
  if (strict < SB_JS_WRITTEN)
    return 0;
  /* What this build writes holds no key the table lacks. */
  json_object_foreach((json_t *)obj, key, v) {
    const sb_jkey *k = sb_jkey_find(where, key);
    if (k == NULL) {
      snprintf(why, len, "%s.%s is not in the results schema", label, key);
      return -EINVAL;
    }
    if (strcmp(k->key, "*") == 0 &&
        check_value(k, label, key, v, aggregate, why, len))
      return -EINVAL;
  }
  return 0;
}

/* Checks every element of the array top[key] as a where. */
static int check_array(const json_t *top, const char *key, sb_jwhere where,
                       sb_jstrict strict, char *why, size_t len) {
  size_t i;
  const json_t *e;
  json_array_foreach(json_object_get(top, key), i, e) {
    char label[64];
    snprintf(label, sizeof label, "%s[%zu]", key, i);
    if (sb_schema_check(e, where, label, strict, why, len) != 0)
      return -EINVAL;
  }
  return 0;
}

int sb_schema_check_doc(const json_t *doc, sb_jstrict strict, char *why,
                        size_t len) {
  const json_t *ctx = json_object_get(doc, "context");
  if (sb_schema_check(doc, SB_JW_TOP, "the file", strict, why, len) ||
      sb_schema_check(ctx, SB_JW_CONTEXT, "context", strict, why, len) ||
      sb_schema_check(json_object_get(ctx, "switchbench"), SB_JW_SUITE,
                      "context.switchbench", strict, why, len) ||
      check_array(doc, "switchbench_cells", SB_JW_CELL, strict, why, len) ||
      check_array(doc, "benchmarks", SB_JW_BENCHMARK, strict, why, len))
    return -EINVAL;
  return 0;
}
