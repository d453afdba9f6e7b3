/* The five claims from the talks, each judged from a run's numbers: what
 * was measured, and a verdict computed from it (never written in advance).
 * The cells are found by the role their workload declares (switch, memory,
 * pitfall, cpu, io) and read by their headline, never by name. A claim
 * whose cells are not in the run says so. */
#include "claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "face_format.h"
#include "face_internal.h"

#define NOT_MEASURED "not measured in this run"
/* Most workloads of one role a claim reads. */
#define MAX_ROLE 8

/* The ok, unconfined spawn+join cell of like's workload on runtime that
 * has key, with the largest size (when pname is set, only cells where
 * pname == pval). Its median goes to *med. NULL when there is none. */
static const sb_rcell *pick(const sb_results *r, const sb_rcell *like,
                            const char *runtime, const char *pname, double pval,
                            const char *key, double *med) {
  const sb_rcell *best = NULL;
  for (size_t i = 0; like != NULL && i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat st;
    if (strcmp(c->workload, like->workload) != 0 ||
        strcmp(c->runtime, runtime) != 0 || c->cpus_limit > 0 ||
        !sb_rcell_spawn_join(c) ||
        (pname != NULL && sb_rcell_param(c, pname, -1) != pval) ||
        sb_rcell_stat(c, key, &st) != 0)
      continue;
    if (best == NULL || sb__size_of(c) > sb__size_of(best))
      best = c, *med = st.median;
  }
  return best;
}

/* The best pick among runtimes rts: the smallest key, or the largest when
 * larger is 1. */
static const sb_rcell *best_of(const sb_results *r, const sb_rcell *like,
                               const char *const *rts, const char *key,
                               double *med, int larger) {
  const sb_rcell *best = NULL;
  for (; *rts != NULL; rts++) {
    double v;
    const sb_rcell *c = pick(r, like, *rts, NULL, 0, key, &v);
    if (c != NULL && (best == NULL || (larger ? v > *med : v < *med)))
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

/* Appends to buf. */
static void add(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  size_t used = strlen(buf);
  if (used >= len)
    return;
  va_start(ap, fmt);
  vsnprintf(buf + used, len - used, fmt, ap);
  va_end(ap);
}

/* 1: an OS context switch ~2 µs, a task switch ~500 ns. Read from the
 * first switch workload with cells on threads and on an executor. */
static void switch_cost(const sb_results *r, sb_claim *c) {
  const sb_rcell *roles[MAX_ROLE], *t = NULL, *e = NULL;
  size_t n = sb__role_workloads(r, SB_ROLE_SWITCH, roles, MAX_ROLE);
  double os = 0, task = 0, fs = 0, fx = 0;
  for (size_t i = 0; i < n && (t == NULL || e == NULL); i++) {
    t = pick(r, roles[i], "threads", NULL, 0, "ns_per_op", &os);
    e = best_of(r, roles[i], executors, "ns_per_op", &task, 0);
  }
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
        "a switch workload on threads and on an executor is needed; this "
        "run has %s.%s",
        n == 0 ? "none"
        : t    ? "threads only"
        : e    ? "only executors"
               : "neither",
        floor);
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  double q = os / task;
  say(c->measured, sizeof c->measured,
      "One %s (%s) costs %s on threads (an OS switch: %s) and %s on %s (a "
      "task switch), %s apart.%s",
      t->unit, t->workload, sb__fmt_ns(os, a, sizeof a), t->name,
      sb__fmt_ns(task, b, sizeof b), e->runtime,
      sb__fmt_ratio(q, ratio, sizeof ratio), floor);
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
          "neither %s nor %s is within 2x of ~2 µs and ~500 ns", a, b);
    else
      say(off, sizeof off, "%s is not within 2x of %s", os_near ? b : a,
          os_near ? "~500 ns" : "~2 µs");
    say(c->verdict, sizeof c->verdict,
        "holds in direction, not in size: "
        "the task switch is %s cheaper, but %s",
        ratio, off);
  }
}

/* 2: a thread holds a 2 MB stack. Read from the memory workload. */
static void stack_size(const sb_results *r, sb_claim *c) {
  const sb_rcell *m = sb__role_lead(r, SB_ROLE_MEMORY, NULL);
  const char *key = m ? m->headline : "";
  double th = 0, ex = 0;
  char a[32], b[32], ratio[32];
  const sb_rcell *t = pick(r, m, "threads", NULL, 0, key, &th);
  const sb_rcell *e = best_of(r, m, executors, key, &ex, 0);
  if (t == NULL) {
    say(c->measured, sizeof c->measured,
        "a memory workload on threads (what a waiting thread holds) is not "
        "in this run.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  sb_figure f = sb__headline(t);
  /* What the threads runtime reserves per stack, when it says. */
  sb_rstat rs;
  char reserved[96] = "", z[32];
  if (sb_rcell_stat(t, "stack_reserved_bytes", &rs) == 0 && rs.median > 0)
    say(reserved, sizeof reserved,
        " against %s of stack address space reserved per thread",
        sb__fmt_bytes(rs.median, z, sizeof z));
  say(c->measured, sizeof c->measured,
      "A waiting thread holds %s (%s, %s)%s%s%s%s%s.",
      sb__fmt_figure(f, th, a, sizeof a), f.what, t->name, reserved,
      e ? "; a waiting task on " : "", e ? e->runtime : "", e ? " holds " : "",
      e ? sb__fmt_figure(f, ex, b, sizeof b) : "");
  if (f.unit == SB_FU_BYTES && th >= 1024 * 1024)
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

/* 3: async scales to millions of tasks. Read from the memory workload's
 * largest size on an executor. */
static void millions(const sb_results *r, sb_claim *c) {
  const sb_rcell *m = sb__role_lead(r, SB_ROLE_MEMORY, NULL), *e = NULL;
  const char *key = m ? m->headline : "";
  double ex = 0, th = 0;
  char a[32], b[32];
  const sb_rcell *t = pick(r, m, "threads", NULL, 0, key, &th);
  for (const char *const *rt = executors; *rt != NULL; rt++) {
    double v;
    const sb_rcell *x = pick(r, m, *rt, NULL, 0, key, &v);
    if (x != NULL && (e == NULL || sb__size_of(x) > sb__size_of(e)))
      e = x, ex = v;
  }
  if (e == NULL) {
    say(c->measured, sizeof c->measured,
        "a memory workload on an executor is not in this run.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  sb_figure f = sb__headline(e);
  double n = sb__size_of(e);
  char threads[128] = "";
  if (t != NULL)
    say(threads, sizeof threads,
        "; threads were measured up to %.0f waiting threads at %s each",
        sb__size_of(t), sb__fmt_figure(f, th, b, sizeof b));
  say(c->measured, sizeof c->measured,
      "%.0f tasks waited at once on %s (%s:%.0f) at %s each%s.", n, e->runtime,
      sb__size_param(e), n, sb__fmt_figure(f, ex, a, sizeof a), threads);
  if (n >= 1e6)
    say(c->verdict, sizeof c->verdict,
        "holds: %.0f tasks waited at once, %s each", n, a);
  else
    say(c->verdict, sizeof c->verdict,
        "%s at a million: the largest run was %.0f tasks (run the full "
        "matrix)",
        NOT_MEASURED, n);
}

/* 4: blocking stalls every other task on the executor. Read from each
 * pitfall workload: its two cases (the 0/1 parameter) on single, the
 * worse against the other and against threads on the same parameters. */
static void blocking(const sb_results *r, sb_claim *c) {
  const sb_rcell *roles[MAX_ROLE];
  size_t n = sb__role_workloads(r, SB_ROLE_PITFALL, roles, MAX_ROLE),
         judged = 0;
  int holds = 0;
  char why[256] = "";
  c->measured[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const char *sw = sb__toggle_param(r, roles[i]), *key = roles[i]->headline;
    double v0 = 0, v1 = 0, th = 0;
    const sb_rcell *c0 = sw ? pick(r, roles[i], "single", sw, 0, key, &v0) : 0;
    const sb_rcell *c1 = sw ? pick(r, roles[i], "single", sw, 1, key, &v1) : 0;
    if (c0 == NULL || c1 == NULL)
      continue;
    /* The worse case, and the same case on threads as the control. */
    int bad = v1 > v0;
    double worse = bad ? v1 : v0, other = bad ? v0 : v1;
    const sb_rcell *ct = pick(r, roles[i], "threads", sw, bad, key, &th);
    sb_figure f = sb__headline(c0);
    char a[32], b[32], x[32], ratio[32];
    add(c->measured, sizeof c->measured,
        "%s%s on single: %s %s with %s:%d, %s with %s:%d%s%s%s",
        judged ? "; " : "", roles[i]->workload, f.what,
        sb__fmt_figure(f, worse, a, sizeof a), sw, bad,
        sb__fmt_figure(f, other, b, sizeof b), sw, !bad,
        ct ? " (threads: " : "", ct ? sb__fmt_figure(f, th, x, sizeof x) : "",
        ct ? ")" : "");
    judged++;
    if (worse >= 1e6 && worse >= 10 * other &&
        (ct == NULL || worse >= 10 * th)) {
      if (!holds)
        say(why, sizeof why,
            "on single, %s with %s:%d leaves the other tasks %s later than "
            "with %s:%d%s",
            roles[i]->workload, sw, bad,
            sb__fmt_ratio(other > 0 ? worse / other : INFINITY, ratio,
                          sizeof ratio),
            sw, !bad, ct ? ", and 10x or more later than on threads" : "");
      holds = 1;
    }
  }
  if (judged == 0) {
    say(c->measured, sizeof c->measured,
        "a pitfall workload (a cell pair with and without the blocking "
        "call) on single is not in this run.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  add(c->measured, sizeof c->measured, ".");
  if (holds)
    say(c->verdict, sizeof c->verdict, "holds: %s", why);
  else
    say(c->verdict, sizeof c->verdict,
        "does not hold here: no case left the other tasks on single 1 ms "
        "and 10x later than its pair");
}

/* One workload of claim 5: the best OS-thread runtime against the best
 * executor on key. Appends what was measured to buf; returns 1 when
 * judged, with *ok whether the claim's half held on it. */
static int judge_side(const sb_results *r, const sb_rcell *w, const char *key,
                      int larger, double margin, int *ok, char *buf,
                      size_t len) {
  double t = 0, e = 0;
  const sb_rcell *ct = best_of(r, w, os_threads, key, &t, larger);
  const sb_rcell *ce = best_of(r, w, executors, key, &e, larger);
  char a[32], b[32];
  if (ct == NULL || ce == NULL || t <= 0 || e <= 0)
    return 0;
  *ok = larger ? e >= margin * t : t <= margin * e;
  if (larger)
    add(buf, len, "%s%s (%s:%.0f): %s %s vs %s %s %s/s", buf[0] ? "; " : "",
        w->workload, sb__size_param(ce), sb__size_of(ce), ct->runtime,
        sb__fmt_num(t, a, sizeof a), ce->runtime, sb__fmt_num(e, b, sizeof b),
        w->unit);
  else
    add(buf, len, "%s%s: %s %s vs %s %s per %s", buf[0] ? "; " : "",
        w->workload, ct->runtime, sb__fmt_ns(t, a, sizeof a), ce->runtime,
        sb__fmt_ns(e, b, sizeof b), w->unit);
  return 1;
}

/* Judges every workload of role kind; the names where the half held go to
 * yes, the others to no. Returns how many were judged. */
static int judge_role(const sb_results *r, const char *kind, int larger,
                      double margin, char *measured, size_t mlen, char *yes,
                      char *no, size_t len) {
  const sb_rcell *roles[MAX_ROLE];
  size_t n = sb__role_workloads(r, kind, roles, MAX_ROLE);
  int judged = 0;
  for (size_t i = 0; i < n; i++) {
    int ok = 0;
    /* Figures per op: a workload read by another headline (grain's
     * efficiency) says nothing about speed. */
    if (!larger && !sb__headline_is_ns_per_op(roles[i]))
      continue;
    if (!judge_side(r, roles[i], larger ? "items_per_second" : "ns_per_op",
                    larger, margin, &ok, measured, mlen))
      continue;
    add(ok ? yes : no, len, "%s%s", (ok ? yes : no)[0] ? ", " : "",
        roles[i]->workload);
    judged++;
  }
  return judged;
}

/* 5: threads for CPU-bound work, async for waiting: every cpu workload
 * read by ns per op, and every io workload by throughput. */
static void cpu_vs_io(const sb_results *r, sb_claim *c) {
  char cpu[384] = "", io[384] = "", cy[128] = "", cn[128] = "", iy[128] = "",
       in[128] = "", half[2][192];
  int have_cpu =
      judge_role(r, SB_ROLE_CPU, 0, 1.25, cpu, sizeof cpu, cy, cn, 128);
  int have_io = judge_role(r, SB_ROLE_IO, 1, 1.1, io, sizeof io, iy, in, 128);
  if (!have_cpu && !have_io) {
    say(c->measured, sizeof c->measured,
        "cpu and io workloads on both an OS-thread runtime and an executor "
        "are needed.");
    say(c->verdict, sizeof c->verdict, NOT_MEASURED);
    return;
  }
  say(c->measured, sizeof c->measured, "CPU: %s; waiting: %s.",
      have_cpu ? cpu : "not measured", have_io ? io : "not measured");
  int cpu_ok = have_cpu && cn[0] == '\0', io_ok = have_io && in[0] == '\0';
  int cpu_some = cy[0] != '\0', io_some = iy[0] != '\0';
  say(half[0], sizeof half[0],
      "threads %s for CPU work (within 25%% of the best executor%s%s%s%s)",
      cpu_ok     ? "do as well"
      : cpu_some ? "do as well only partly"
                 : "fall behind",
      cy[0] ? ": on " : "", cy, cn[0] ? "; not on " : "", cn);
  say(half[1], sizeof half[1],
      "async %s for waiting (10%% or more throughput%s%s%s%s)",
      io_ok     ? "wins"
      : io_some ? "wins only partly"
                : "does not win",
      iy[0] ? ": on " : "", iy, in[0] ? "; not on " : "", in);
  if (have_cpu && have_io)
    say(c->verdict, sizeof c->verdict, "%s: %s, and %s",
        cpu_ok && io_ok                          ? "holds"
        : cpu_ok || io_ok || cpu_some || io_some ? "partly holds"
                                                 : "does not hold",
        half[0], half[1]);
  else
    say(c->verdict, sizeof c->verdict, "%s for the %s half only: %s; %s",
        (have_cpu ? cpu_ok : io_ok) ? "holds" : "does not hold",
        have_cpu ? "CPU" : "waiting", have_cpu ? half[0] : half[1],
        "the other half is " NOT_MEASURED);
}

void sb__claims_judge(const sb_results *r, sb_claim out[SB_NCLAIMS]) {
  static const char *const claims[SB_NCLAIMS] = {
      "An OS context switch costs about 2 µs; a task switch in an async "
      "runtime about 500 ns.",
      "Each OS thread holds its own stack, typically 2 MB.",
      "Async tasks are cheap enough to run millions of them.",
      "Blocking (CPU work or a blocking call that never yields) in an async "
      "task stalls every other task on that executor.",
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
