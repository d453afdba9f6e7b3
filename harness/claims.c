/* The five claims from the talks, each judged from a run's numbers: what
 * was measured, and a verdict computed from it (never written in advance).
 * A claim whose cells are not in the run says so. */
#include "claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "face_format.h"

#define NOT_MEASURED "not measured in this run"

/* The ok cell of workload on runtime that has key, with the largest
 * parameter by (when pname is set, only cells where pname == pval). Its
 * median goes to *med. Returns NULL when there is none. */
static const sb_rcell *pick(const sb_results *r, const char *workload,
                            const char *runtime, const char *by,
                            const char *pname, double pval, const char *key,
                            double *med) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat st;
    /* The unconfined spawn+join cells: what the claims are about. */
    if (strcmp(c->workload, workload) != 0 ||
        strcmp(c->runtime, runtime) != 0 || c->cpus_limit > 0 ||
        !sb_rcell_spawn_join(c) ||
        (pname != NULL && sb_rcell_param(c, pname, -1) != pval) ||
        sb_rcell_stat(c, key, &st) != 0)
      continue;
    if (best == NULL || sb_rcell_param(c, by, 0) > sb_rcell_param(best, by, 0))
      best = c, *med = st.median;
  }
  return best;
}

/* The faster (smaller key) of two runtimes' picks. */
static const sb_rcell *best_of(const sb_results *r, const char *workload,
                               const char *const *rts, const char *by,
                               const char *pname, double pval, const char *key,
                               double *med, int smaller) {
  const sb_rcell *best = NULL;
  for (; *rts != NULL; rts++) {
    double v;
    const sb_rcell *c = pick(r, workload, *rts, by, pname, pval, key, &v);
    if (c != NULL && (best == NULL || (smaller ? v < *med : v > *med)))
      best = c, *med = v;
  }
  return best;
}

static const char *const executors[] = {"single", "steal", NULL};
static const char *const os_threads[] = {"threads", "pool", NULL};

static void say(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

/* 1: an OS context switch ~2 µs, a task switch ~500 ns. */
static void switch_cost(const sb_results *r, sb_claim *c) {
  double os = 0, task = 0, fs = 0, fx = 0;
  const sb_rcell *t =
      pick(r, "pingpong", "threads", "n", NULL, 0, "ns_per_op", &os);
  const sb_rcell *e =
      best_of(r, "pingpong", executors, "n", NULL, 0, "ns_per_op", &task, 1);
  const sb_rcell *same = sb_results_cell(r, "floor/futex/same-core");
  const sb_rcell *cross = sb_results_cell(r, "floor/futex/cross-core");
  sb_rstat st;
  char a[32], b[32], x[32], y[32], ratio[32], floor[128] = "";
  if (same != NULL && sb_rcell_stat(same, "ns_per_op", &st) == 0)
    fs = st.median;
  if (cross != NULL && sb_rcell_stat(cross, "ns_per_op", &st) == 0)
    fx = st.median;
  if (fs > 0 || fx > 0)
    say(floor, sizeof floor,
        " The kernel floor (futex ping-pong, no "
        "runtime) is %s same-core and %s cross-core.",
        fs > 0 ? sb__fmt_ns(fs, x, sizeof x) : "-",
        fx > 0 ? sb__fmt_ns(fx, y, sizeof y) : "-");
  if (t == NULL || e == NULL || task <= 0) {
    say(c->measured, sizeof c->measured,
        "pingpong on threads and on an "
        "executor is needed; this run has %s.%s",
        t   ? "threads only"
        : e ? "only executors"
            : "neither",
        floor);
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  double q = os / task;
  say(c->measured, sizeof c->measured,
      "Handing a message to another task "
      "costs %s on threads (an OS switch: %s) and %s on %s (a task "
      "switch), %s apart.%s",
      sb__fmt_ns(os, a, sizeof a), t->name, sb__fmt_ns(task, b, sizeof b),
      e->runtime, sb__fmt_ratio(q, ratio, sizeof ratio), floor);
  int os_near = os >= 1000 && os <= 4000,
      task_near = task >= 250 && task <= 1000;
  if (q < 2)
    say(c->verdict, sizeof c->verdict,
        "does not hold: a task switch is "
        "not clearly cheaper than an OS switch here (%s)",
        ratio);
  else if (os_near && task_near)
    say(c->verdict, sizeof c->verdict,
        "holds: both figures are within 2x "
        "of the claim and the task switch is %s cheaper",
        ratio);
  else {
    char off[128];
    if (!os_near && !task_near)
      say(off, sizeof off,
          "neither %s nor %s is within 2x of ~2 µs and "
          "~500 ns",
          a, b);
    else
      say(off, sizeof off, "%s is not within 2x of %s", os_near ? b : a,
          os_near ? "~500 ns" : "~2 µs");
    say(c->verdict, sizeof c->verdict,
        "holds in direction, not in size: "
        "the task switch is %s cheaper, but %s",
        ratio, off);
  }
}

/* 2: a thread holds a 2 MB stack. */
static void stack_size(const sb_results *r, sb_claim *c) {
  double th = 0, ex = 0;
  char a[32], b[32], ratio[32];
  const sb_rcell *t =
      pick(r, "million", "threads", "n", NULL, 0, "rss_per_task_bytes", &th);
  const sb_rcell *e = best_of(r, "million", executors, "n", NULL, 0,
                              "rss_per_task_bytes", &ex, 1);
  if (t == NULL) {
    say(c->measured, sizeof c->measured,
        "the million workload on threads "
        "(RSS per waiting thread) is not in this run.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  /* What the threads runtime reserves per stack, when it says. */
  sb_rstat rs;
  char reserved[96] = "", z[32];
  if (sb_rcell_stat(t, "stack_reserved_bytes", &rs) == 0 && rs.median > 0)
    say(reserved, sizeof reserved,
        " against %s of stack address space "
        "reserved per thread",
        sb__fmt_bytes(rs.median, z, sizeof z));
  say(c->measured, sizeof c->measured,
      "A waiting thread adds %s of resident memory (%s)%s%s%s%s%s.",
      sb__fmt_bytes(th, a, sizeof a), t->name, reserved,
      e ? "; a waiting task on " : "", e ? e->runtime : "", e ? " adds " : "",
      e ? sb__fmt_bytes(ex, b, sizeof b) : "");
  if (th >= 1024 * 1024)
    say(c->verdict, sizeof c->verdict,
        "holds: a waiting thread keeps %s resident", a);
  else
    say(c->verdict, sizeof c->verdict,
        "does not hold for resident memory: a waiting thread keeps %s "
        "resident (a stack is address space reserved up front; only the "
        "pages touched count)%s%s%s",
        a, e ? ", still " : "",
        e ? sb__fmt_ratio(ex > 0 ? th / ex : INFINITY, ratio, sizeof ratio)
          : "",
        e ? " what a waiting task holds" : "");
}

/* 3: async scales to millions of tasks. */
static void millions(const sb_results *r, sb_claim *c) {
  double ex = 0, th = 0;
  char a[32], b[32];
  const sb_rcell *e = NULL, *t = pick(r, "million", "threads", "n", NULL, 0,
                                      "rss_per_task_bytes", &th);
  for (const char *const *rt = executors; *rt != NULL; rt++) {
    double v;
    const sb_rcell *x =
        pick(r, "million", *rt, "n", NULL, 0, "rss_per_task_bytes", &v);
    if (x != NULL &&
        (e == NULL || sb_rcell_param(x, "n", 0) > sb_rcell_param(e, "n", 0)))
      e = x, ex = v;
  }
  if (e == NULL) {
    say(c->measured, sizeof c->measured,
        "the million workload on an "
        "executor is not in this run.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  double n = sb_rcell_param(e, "n", 0);
  char threads[128] = "";
  if (t != NULL)
    say(threads, sizeof threads,
        "; threads were measured up to %.0f "
        "waiting threads at %s each",
        sb_rcell_param(t, "n", 0), sb__fmt_bytes(th, b, sizeof b));
  say(c->measured, sizeof c->measured,
      "%.0f tasks waited at once on %s at %s each%s.", n, e->runtime,
      sb__fmt_bytes(ex, a, sizeof a), threads);
  if (n >= 1e6)
    say(c->verdict, sizeof c->verdict,
        "holds: %.0f tasks waited at once, "
        "%s each",
        n, a);
  else
    say(c->verdict, sizeof c->verdict,
        "%s at a million: the largest run "
        "was %.0f tasks (run the full matrix)",
        NOT_MEASURED, n);
}

/* 4: blocking (CPU work that never yields) stalls the executor. */
static void blocking(const sb_results *r, sb_claim *c) {
  double on = 0, off = 0, th = 0;
  char a[32], b[32], x[32], ratio[32];
  const sb_rcell *con = pick(r, "blocking", "single", "m", "offload", 0,
                             "probe_late_p99_ns", &on);
  const sb_rcell *coff = pick(r, "blocking", "single", "m", "offload", 1,
                              "probe_late_p99_ns", &off);
  const sb_rcell *cth = pick(r, "blocking", "threads", "m", "offload", 0,
                             "probe_late_p99_ns", &th);
  if (con == NULL) {
    say(c->measured, sizeof c->measured,
        "the blocking workload on single "
        "is not in this run.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  say(c->measured, sizeof c->measured,
      "With a task burning %.0f ms of CPU "
      "on the single executor, 1 ms sleepers wake %s late at p99%s%s%s%s%s.",
      sb_rcell_param(con, "cpu_ms", 0), sb__fmt_ns(on, a, sizeof a),
      coff ? "; with the burn moved to spawn_blocking, " : "",
      coff ? sb__fmt_ns(off, b, sizeof b) : "", cth ? "; on threads, " : "",
      cth ? sb__fmt_ns(th, x, sizeof x) : "", "");
  double base = coff ? off : cth ? th : 0;
  if (base <= 0)
    say(c->verdict, sizeof c->verdict,
        "not judged: no offloaded or "
        "threads baseline in this run to compare %s with",
        a);
  else if (on >= 1e6 && on >= 10 * base)
    say(c->verdict, sizeof c->verdict,
        "holds: the burn delays every other "
        "task on the executor, %s later than %s",
        sb__fmt_ratio(on / base, ratio, sizeof ratio),
        coff ? "with spawn_blocking" : "on threads");
  else
    say(c->verdict, sizeof c->verdict,
        "does not hold here: the sleepers "
        "are only %s later than %s",
        sb__fmt_ratio(on / base, ratio, sizeof ratio),
        coff ? "with spawn_blocking" : "on threads");
}

/* 5: threads for CPU-bound work, async for waiting. */
static void cpu_vs_io(const sb_results *r, sb_claim *c) {
  double tc = 0, ec = 0, ti = 0, ei = 0;
  char a[32], b[32], x[32], y[32], cpu[128], io[128];
  const sb_rcell *tcpu =
      best_of(r, "sum", os_threads, "n", NULL, 0, "ns_per_op", &tc, 1);
  const sb_rcell *ecpu =
      best_of(r, "sum", executors, "n", NULL, 0, "ns_per_op", &ec, 1);
  const sb_rcell *tio =
      best_of(r, "echo", os_threads, "c", NULL, 0, "items_per_second", &ti, 0);
  const sb_rcell *eio =
      best_of(r, "echo", executors, "c", NULL, 0, "items_per_second", &ei, 0);
  int have_cpu = tcpu && ecpu && tc > 0, have_io = tio && eio && ti > 0;
  int cpu_ok = have_cpu && tc <= 1.25 * ec, io_ok = have_io && ei >= 1.1 * ti;
  if (!have_cpu && !have_io) {
    say(c->measured, sizeof c->measured,
        "sum and echo on both an OS-thread "
        "runtime and an executor are needed.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  say(cpu, sizeof cpu,
      have_cpu ? "CPU (sum): %s %s per element vs %s %s" : "CPU: not measured",
      have_cpu ? tcpu->runtime : "", sb__fmt_ns(tc, a, sizeof a),
      have_cpu ? ecpu->runtime : "", sb__fmt_ns(ec, b, sizeof b));
  say(io, sizeof io,
      have_io ? "waiting (echo, %.0f connections): %s %s vs "
                "%s %s round trips/s"
              : "waiting: not measured",
      have_io ? sb_rcell_param(eio, "c", 0) : 0.0, have_io ? tio->runtime : "",
      sb__fmt_num(ti, x, sizeof x), have_io ? eio->runtime : "",
      sb__fmt_num(ei, y, sizeof y));
  say(c->measured, sizeof c->measured, "%s; %s.", cpu, io);
  if (have_cpu && have_io)
    say(c->verdict, sizeof c->verdict,
        "%s: threads %s for CPU work "
        "(within 25%% of the best executor: %s), and async %s for waiting "
        "(10%% or more throughput: %s)",
        cpu_ok && io_ok   ? "holds"
        : cpu_ok || io_ok ? "partly holds"
                          : "does not hold",
        cpu_ok ? "do as well" : "fall behind", cpu_ok ? "yes" : "no",
        io_ok ? "wins" : "does not win", io_ok ? "yes" : "no");
  else
    say(c->verdict, sizeof c->verdict, "%s for the %s half only: %s",
        (have_cpu ? cpu_ok : io_ok) ? "holds" : "does not hold",
        have_cpu ? "CPU" : "waiting", "the other half is " NOT_MEASURED);
}

void sb__claims_judge(const sb_results *r, sb_claim out[SB_NCLAIMS]) {
  static const char *const claims[SB_NCLAIMS] = {
      "An OS context switch costs about 2 µs; a task switch in an async "
      "runtime about 500 ns.",
      "Each OS thread holds its own stack, typically 2 MB.",
      "Async tasks are cheap enough to run millions of them.",
      "Blocking (CPU work that never yields) in an async task stalls every "
      "other task on that executor.",
      "Threads suit CPU-bound work; async suits work that mostly waits "
      "(I/O)."};
  static void (*const judge[SB_NCLAIMS])(const sb_results *, sb_claim *) = {
      switch_cost, stack_size, millions, blocking, cpu_vs_io};
  for (int i = 0; i < SB_NCLAIMS; i++) {
    out[i].claim = claims[i];
    out[i].measured[0] = out[i].verdict[0] = '\0';
    judge[i](r, &out[i]);
  }
}
