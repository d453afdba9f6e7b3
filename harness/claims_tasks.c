/* The claims about what a task costs: a switch (OS against task), a
 * thread's stack, millions of waiting tasks, and green threads (a task
 * switch's cost with a thread's programming model). Cells are found by
 * role and read by their headline, never by name. */
#include <math.h>
#include <string.h>

#include "claims_internal.h"

/* The first switch workload with cells on runtime and on an executor:
 * its runtime cell into *a, the best executor's into *e. */
static const sb_rcell *switch_pair(const sb_results *r, const char *runtime,
                                   const sb_rcell **a, const sb_rcell **e) {
  const sb_rcell *roles[SB_CL_MAXROLE];
  size_t n = sb__role_workloads(r, SB_ROLE_SWITCH, roles, SB_CL_MAXROLE);
  sb_rstat s;
  for (size_t i = 0; i < n; i++) {
    *a = sb__cl_pick(r, roles[i], runtime, NULL, 0, NULL, "ns_per_op", &s);
    *e = *a ? sb__cl_best(r, roles[i], SB_SIDE_EXEC, NULL, 0, *a, "ns_per_op",
                          &s, 0)
            : NULL;
    if (*a != NULL && *e != NULL)
      return roles[i];
  }
  *a = *e = NULL;
  return NULL;
}

void sb__claim_switch(const sb_results *r, sb_claim *c) {
  const sb_rcell *t, *e;
  const sb_rcell *w = switch_pair(r, "threads", &t, &e);
  sb__cl_floor(r, c);
  if (w == NULL) {
    sb__cl_say(c->measured, sizeof c->measured,
               "a switch workload on threads and on an executor is needed%s%s.",
               c->floor[0] ? "; " : "", c->floor);
    sb__cl_verdict(c, SB_CLAIM_UNMEASURED, SB_NOT_MEASURED);
    return;
  }
  sb_rstat st, se;
  sb_rcell_stat(t, "ns_per_op", &st);
  sb_rcell_stat(e, "ns_per_op", &se);
  sb__cl_ev(c, t, "ns_per_op");
  sb__cl_ev(c, e, "ns_per_op");
  sb_ratio q;
  sb__cl_ratio(t, e, "ns_per_op", 2, &q);
  char what[96], a[32], b[32], rq[160];
  sb__cl_say(what, sizeof what, "threads / %s, ns per %s", e->runtime, w->unit);
  sb__cl_headline(c, &q, what);
  int os_near = st.median >= 1000 && st.median <= 4000;
  int task_near = se.median >= 250 && se.median <= 1000;
  sb__cl_say(
      c->measured, sizeof c->measured,
      "One %s (%s) costs %s on threads (an OS switch) and %s on %s (a "
      "task switch): threads / %s = %s. In size, the OS switch is %s "
      "2x of ~2 µs and the task switch %s 2x of ~500 ns%s%s.",
      w->unit, w->workload, sb__fmt_ns(st.median, a, sizeof a),
      sb__fmt_ns(se.median, b, sizeof b), e->runtime, e->runtime,
      sb__cl_fmt_ratio(&q, rq, sizeof rq), os_near ? "within" : "not within",
      task_near ? "within" : "not within", c->floor[0] ? "; " : "", c->floor);
  char yes[192];
  sb__cl_say(yes, sizeof yes,
             "holds: the task switch is 2x or more cheaper than the OS "
             "switch in every pair of repetitions%s",
             os_near && task_near ? ", and both are near the quoted size"
                                  : " (the sizes differ from the quote)");
  sb__cl_decide(c, &q, yes,
                "does not hold: the task switch is not 2x cheaper than the "
                "OS switch in any pair of repetitions");
}

void sb__claim_stack(const sb_results *r, sb_claim *c) {
  const sb_rcell *m = sb__role_lead(r, SB_ROLE_MEMORY, NULL);
  const char *key = m ? m->headline : "";
  sb_rstat th = {0}, ex = {0}, rs;
  const sb_rcell *t = sb__cl_pick(r, m, "threads", NULL, 0, NULL, key, &th);
  const sb_rcell *e =
      sb__cl_best(r, m, SB_SIDE_EXEC, NULL, 0, NULL, key, &ex, 0);
  if (t == NULL) {
    const sb_rcell *f =
        m ? sb_results_find(r, m->workload, "threads", NULL) : NULL;
    if (f != NULL)
      sb__cl_say(c->measured, sizeof c->measured,
                 "no memory cell on threads finished; %s: %s.", f->name,
                 f->reason[0] ? f->reason : f->status);
    else
      sb__cl_say(c->measured, sizeof c->measured,
                 "a memory workload on threads (what a waiting thread "
                 "holds) is not in this run.");
    sb__cl_verdict(c, SB_CLAIM_UNMEASURED, SB_NOT_MEASURED);
    return;
  }
  sb__cl_ev(c, t, key);
  sb__cl_ev(c, e, key);
  sb_figure f = sb__headline(t);
  char a[32], b[32], z[32], reserved[96] = "", rq[160];
  /* What the threads runtime reserves per stack, when it says. */
  if (sb_rcell_stat(t, "stack_reserved_bytes", &rs) == 0 && rs.median > 0)
    sb__cl_say(reserved, sizeof reserved,
               ", against %s of stack address space reserved per thread",
               sb__fmt_bytes(rs.median, z, sizeof z));
  sb_ratio q;
  sb__cl_level(t, key, 1024.0 * 1024, &q);
  sb__cl_headline(c, &q, "resident bytes per waiting thread / 1 MiB");
  sb__cl_say(c->measured, sizeof c->measured,
             "A waiting thread holds %s (%s, %s)%s%s%s%s%s; against 1 MiB: %s.",
             sb__fmt_figure(f, th.median, a, sizeof a), f.what, t->name,
             reserved, e ? "; a waiting task on " : "", e ? e->runtime : "",
             e ? " holds " : "",
             e ? sb__fmt_figure(f, ex.median, b, sizeof b) : "",
             sb__cl_fmt_ratio(&q, rq, sizeof rq));
  sb__cl_decide(c, &q,
                "holds: every repetition kept 1 MiB or more resident per "
                "waiting thread",
                "does not hold for resident memory: every repetition kept "
                "well under 1 MiB per waiting thread (a stack is address "
                "space reserved up front; only the pages touched count)");
}

void sb__claim_millions(const sb_results *r, sb_claim *c) {
  const sb_rcell *m = sb__role_lead(r, SB_ROLE_MEMORY, NULL), *e = NULL;
  const sb_rcell *failed = NULL;
  const char *key = m ? m->headline : "";
  sb_rstat ex = {0};
  /* The largest size any executor held, and a cell that failed above it. */
  for (size_t i = 0; m != NULL && i < r->ncells; i++) {
    const sb_rcell *x = &r->cells[i];
    sb_rstat s;
    if (strcmp(x->workload, m->workload) != 0 || sb__cl_side(x) != SB_SIDE_EXEC)
      continue;
    if (sb_rcell_stat(x, key, &s) != 0) {
      if (failed == NULL || sb__size_of(x) > sb__size_of(failed))
        failed = x;
    } else if (e == NULL || sb__size_of(x) > sb__size_of(e))
      e = x, ex = s;
  }
  if (e == NULL && failed == NULL) {
    sb__cl_say(c->measured, sizeof c->measured,
               "a memory workload on an executor is not in this run.");
    sb__cl_verdict(c, SB_CLAIM_UNMEASURED, SB_NOT_MEASURED);
    return;
  }
  sb__cl_ev(c, e, key);
  double n = e ? sb__size_of(e) : 0;
  char a[32];
  sb_figure f = e ? sb__headline(e) : sb__headline(failed);
  if (e != NULL)
    sb__cl_say(c->measured, sizeof c->measured,
               "%.0f tasks waited at once on %s (%s:%.0f) at %s each.", n,
               e->runtime, sb__size_param(e), n,
               sb__fmt_figure(f, ex.median, a, sizeof a));
  if (failed != NULL && sb__size_of(failed) > n)
    sb__cl_add(c->measured, sizeof c->measured, " %s did not finish: %s.",
               failed->name,
               failed->reason[0] ? failed->reason : failed->status);
  if (n >= 1e6)
    sb__cl_verdict(c, SB_CLAIM_HOLDS,
                   "holds: %.0f tasks waited at once, %s each, in every "
                   "repetition",
                   n, a);
  else if (failed != NULL && sb__size_of(failed) >= 1e6) {
    sb__cl_verdict(c, SB_CLAIM_UNDECIDED,
                   "undecided on this run: the cell at a million did not "
                   "finish");
    sb__cl_say(c->decide, sizeof c->decide,
               "a run where %s finishes (its reason above)", failed->name);
  } else {
    sb__cl_verdict(c, SB_CLAIM_UNMEASURED,
                   SB_NOT_MEASURED " at a million: the largest was %.0f "
                                   "tasks (run the full matrix)",
                   n);
  }
}

void sb__claim_green(const sb_results *r, sb_claim *c) {
  const sb_rcell *g, *e, *t = NULL;
  const sb_rcell *w = switch_pair(r, "fiber", &g, &e);
  sb_rstat s;
  sb__cl_floor(r, c);
  if (w != NULL)
    t = sb__cl_pick(r, w, "threads", NULL, 0, g, "ns_per_op", &s);
  if (w == NULL || t == NULL) {
    sb__cl_say(c->measured, sizeof c->measured,
               "a switch workload on a green-thread runtime (fiber), on "
               "threads and on an executor is needed.");
    sb__cl_verdict(c, SB_CLAIM_UNMEASURED, SB_NOT_MEASURED);
    return;
  }
  sb_ratio vs_os, vs_task;
  sb__cl_ratio(t, g, "ns_per_op", 2, &vs_os);
  sb__cl_ratio(g, e, "ns_per_op", 2, &vs_task);
  sb__cl_ev(c, t, "ns_per_op");
  sb__cl_ev(c, g, "ns_per_op");
  sb__cl_ev(c, e, "ns_per_op");
  char what[96], x[160], y[160];
  sb__cl_say(what, sizeof what, "threads / fiber, ns per %s", w->unit);
  sb__cl_headline(c, &vs_os, what);
  sb__cl_say(c->measured, sizeof c->measured,
             "%s per %s: threads / fiber = %s; fiber / %s = %s%s%s.",
             w->workload, w->unit, sb__cl_fmt_ratio(&vs_os, x, sizeof x),
             e->runtime, sb__cl_fmt_ratio(&vs_task, y, sizeof y),
             c->floor[0] ? "; " : "", c->floor);
  /* What a waiting green thread holds beside a thread and a task. */
  const sb_rcell *m = sb__role_lead(r, SB_ROLE_MEMORY, NULL);
  sb_rstat mg, mt;
  const sb_rcell *cg =
      sb__cl_pick(r, m, "fiber", NULL, 0, NULL, m ? m->headline : "", &mg);
  const sb_rcell *ct =
      cg ? sb__cl_pick(r, m, "threads", NULL, 0, NULL, m->headline, &mt) : NULL;
  if (cg != NULL) {
    char a[32], b[32];
    sb_figure f = sb__headline(cg);
    sb__cl_ev(c, cg, m->headline);
    sb__cl_ev(c, ct, m->headline);
    sb__cl_add(c->measured, sizeof c->measured,
               " A waiting fiber holds %s (%s)%s%s.",
               sb__fmt_figure(f, mg.median, a, sizeof a), cg->name,
               ct ? ", a waiting thread " : "",
               ct ? sb__fmt_figure(f, mt.median, b, sizeof b) : "");
  }
  int yes = (vs_os.side > 0) + (vs_task.side < 0);
  int no = (vs_os.side < 0) + (vs_task.side > 0);
  sb_claim_state st = sb__cl_combine(yes, no, 2 - yes - no);
  if (st == SB_CLAIM_HOLDS)
    sb__cl_verdict(c, st,
                   "holds: a fiber switch is 2x or more cheaper than an OS "
                   "switch and within 2x of a task switch, in every pair of "
                   "repetitions");
  else if (st == SB_CLAIM_UNDECIDED) {
    const sb_ratio *u = vs_os.side == 0 ? &vs_os : &vs_task;
    sb__cl_verdict(c, st, "undecided on this run: %s (%s)", u->why,
                   u == &vs_os ? "fiber against threads"
                               : "fiber against the "
                                 "executor");
    sb__cl_say(c->decide, sizeof c->decide, "%s", sb__cl_decider(u));
  } else
    sb__cl_verdict(c, st,
                   "%s: a fiber switch is %s cheaper than an OS switch, "
                   "and %s of a task switch",
                   st == SB_CLAIM_NOT ? "does not hold" : "partly holds",
                   vs_os.side > 0 ? "2x or more" : "not 2x",
                   vs_task.side < 0 ? "within 2x" : "not within 2x");
}
