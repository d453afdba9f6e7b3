/* The claims about what blocks and what amortizes: CPU work that never
 * yields stalls the other tasks of an executor, so does sleeping with a
 * blocking call, and a pool amortizes thread creation for short tasks.
 * The pitfalls are read from their 0/1 parameter on the single-thread
 * executor, the one every other task shares. */
#include <math.h>
#include <string.h>

#include "claims_internal.h"

/* A sleep pitfall records how long its longest sleep was: what total time
 * is measured against. */
#define SB_SLEEP_COUNTER "longest_sleep_ns"

/* 1 when w's workload is a sleep pitfall (its cells carry the counter). */
static int is_sleep(const sb_results *r, const sb_rcell *w) {
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    for (size_t k = 0; strcmp(c->workload, w->workload) == 0 && k < c->nreps;
         k++)
      if (sb_rentry_value(c->reps[k], SB_SLEEP_COUNTER) != NULL)
        return 1;
  }
  return 0;
}

/* The cell of c's workload and runtime with c's parameters but sw 0
 * (the case without the blocking call, or with it when sw is 1 in c):
 * the pair differs in nothing else. NULL when there is none. */
static const sb_rcell *twin(const sb_results *r, const sb_rcell *c,
                            const char *sw, const char *key, sb_rstat *st) {
  for (size_t i = 0; c != NULL && i < r->ncells; i++) {
    const sb_rcell *x = &r->cells[i];
    size_t k = 0;
    if (strcmp(x->workload, c->workload) != 0 ||
        strcmp(x->runtime, c->runtime) != 0 || x->nparams != c->nparams ||
        x->cpus_limit != c->cpus_limit || sb_rcell_param(x, sw, -1) != 0)
      continue;
    while (k < x->nparams && (strcmp(x->params[k].name, sw) == 0 ||
                              x->params[k].value == c->params[k].value))
      k++;
    if (k == x->nparams && sb_rcell_stat(x, key, st) == 0)
      return x;
  }
  return NULL;
}

/* Judges each pitfall workload that is (sleep 1) or is not (sleep 0) a
 * sleep: its two cases on single, the worse against the other, 10x or
 * more in every pair of repetitions. The cells go to c's evidence. */
static void pitfalls(const sb_results *r, sb_claim *c, int sleep) {
  const sb_rcell *roles[SB_CL_MAXROLE];
  size_t n = sb__role_workloads(r, SB_ROLE_PITFALL, roles, SB_CL_MAXROLE);
  int yes = 0, no = 0, und = 0;
  const sb_ratio *undecided = NULL;
  sb_ratio qs[SB_CL_MAXROLE];
  c->measured[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const char *sw = sb__toggle_param(r, roles[i]), *key = roles[i]->headline;
    sb_rstat s0, s1, sth;
    if (sw == NULL || is_sleep(r, roles[i]) != sleep)
      continue;
    const sb_rcell *c1 =
        sb__cl_pick(r, roles[i], "single", sw, 1, NULL, key, &s1);
    const sb_rcell *c0 = twin(r, c1, sw, key, &s0);
    if (c0 == NULL)
      continue;
    int bad = s1.median > s0.median;
    const sb_rcell *worse = bad ? c1 : c0, *other = bad ? c0 : c1;
    const sb_rcell *ct =
        sb__cl_pick(r, roles[i], "threads", NULL, 0, worse, key, &sth);
    sb_ratio *q = &qs[yes + no + und];
    sb__cl_ratio(worse, other, key, 10, q);
    sb__cl_ev(c, other, key);
    sb__cl_ev(c, worse, key);
    sb__cl_ev(c, ct, key);
    sb_figure f = sb__headline(c0);
    char a[32], b[32], x[32], rq[160], what[96];
    sb__cl_add(c->measured, sizeof c->measured,
               "%s%s on single: %s %s with %s:%d, %s with %s:%d (%s)%s%s%s",
               c->measured[0] ? "; " : "", roles[i]->workload, f.what,
               sb__fmt_figure(f, bad ? s1.median : s0.median, a, sizeof a), sw,
               bad, sb__fmt_figure(f, bad ? s0.median : s1.median, b, sizeof b),
               sw, !bad, sb__cl_fmt_ratio(q, rq, sizeof rq),
               ct ? "; threads, same case: " : "",
               ct ? sb__fmt_figure(f, sth.median, x, sizeof x) : "", "");
    if (!c->have_ratio) {
      sb__cl_say(what, sizeof what, "%s:%d / %s:%d on single, %s", sw, bad, sw,
                 !bad, f.what);
      sb__cl_headline(c, q, what);
    }
    yes += q->side > 0;
    no += q->side < 0;
    und += q->side == 0;
    if (q->side == 0 && undecided == NULL)
      undecided = q;
  }
  sb_claim_state st = sb__cl_combine(yes, no, und);
  if (st == SB_CLAIM_UNMEASURED) {
    sb__cl_say(c->measured, sizeof c->measured,
               "a pitfall workload%s (a cell pair with and without the "
               "blocking call) on single is not in this run.",
               sleep ? " that sleeps" : "");
    sb__cl_verdict(c, st, SB_NOT_MEASURED);
    return;
  }
  sb__cl_add(c->measured, sizeof c->measured, ".");
  if (st == SB_CLAIM_HOLDS)
    sb__cl_verdict(c, st,
                   "holds: on single, the blocking case left the other tasks "
                   "10x or more later in every pair of repetitions");
  else if (st == SB_CLAIM_NOT)
    sb__cl_verdict(c, st,
                   "does not hold here: no case left the other tasks on "
                   "single 10x later than its pair");
  else if (st == SB_CLAIM_PARTLY)
    sb__cl_verdict(c, st,
                   "partly holds: %d pitfall%s stalled single 10x "
                   "or more, %d did not",
                   yes, yes == 1 ? "" : "s", no);
  else {
    sb__cl_verdict(c, st, "undecided on this run: %s", undecided->why);
    sb__cl_say(c->decide, sizeof c->decide, "%s", sb__cl_decider(undecided));
  }
}

void sb__claim_blocking(const sb_results *r, sb_claim *c) {
  pitfalls(r, c, 0);
}

void sb__claim_sleep(const sb_results *r, sb_claim *c) {
  pitfalls(r, c, 1);
}

void sb__claim_spawn(const sb_results *r, sb_claim *c) {
  const sb_rcell *w = sb__role_lead(r, SB_ROLE_SPAWN, "ns_per_op");
  sb_rstat st, sp;
  const sb_rcell *t =
      sb__cl_pick(r, w, "threads", NULL, 0, NULL, "ns_per_op", &st);
  const sb_rcell *p =
      t ? sb__cl_pick(r, w, "pool", NULL, 0, t, "ns_per_op", &sp) : NULL;
  if (p == NULL) {
    sb__cl_say(c->measured, sizeof c->measured,
               "a spawn workload on threads and on pool (same size) is not "
               "in this run.");
    sb__cl_verdict(c, SB_CLAIM_UNMEASURED, SB_NOT_MEASURED);
    return;
  }
  sb_ratio q;
  char a[32], b[32], rq[160];
  sb__cl_ratio(t, p, "ns_per_op", 2, &q);
  sb__cl_ev(c, t, "ns_per_op");
  sb__cl_ev(c, p, "ns_per_op");
  sb__cl_headline(c, &q, "threads / pool, ns per task");
  sb__cl_say(c->measured, sizeof c->measured,
             "Starting and joining a short %s (%s:%.0f) costs %s with a "
             "thread each and %s on a pool: threads / pool = %s.",
             w->unit, sb__size_param(t), sb__size_of(t),
             sb__fmt_ns(st.median, a, sizeof a),
             sb__fmt_ns(sp.median, b, sizeof b),
             sb__cl_fmt_ratio(&q, rq, sizeof rq));
  sb__cl_decide(c, &q,
                "holds: a pool's task is 2x or more cheaper than a thread "
                "each in every pair of repetitions",
                "does not hold: the pool is not 2x cheaper per task in any "
                "pair of repetitions");
}
