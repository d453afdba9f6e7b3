/* The claims about waiting and computing: a thread pool serves file reads
 * as well as an executor (warm and cold), and "threads for CPU work, async
 * for waiting", judged on CPU-bound cells, on open-loop p99 latency at the
 * same offered rate and on memory per connection; never on closed-loop
 * throughput, which a generator that waits for each answer bends. */
#include <math.h>
#include <string.h>

#include "claims_internal.h"

/* The offered rate of an open-loop cell (requests per second). */
#define SB_RATE_PARAM "rate"

/* Judgements of one half, counted. */
typedef struct tally {
  int yes, no, und;
  sb_ratio first_und; /* the first undecided one, for its decider */
} tally;

static void count(tally *t, const sb_ratio *q, int holds_if) {
  if (q->side == 0 && t->und++ == 0)
    t->first_und = *q;
  t->yes += q->side != 0 && q->side == holds_if;
  t->no += q->side != 0 && q->side != holds_if;
}

void sb__claim_files(const sb_results *r, sb_claim *c) {
  const sb_rcell *roles[SB_CL_MAXROLE];
  size_t n = sb__role_workloads(r, SB_ROLE_IO, roles, SB_CL_MAXROLE);
  tally t = {0};
  double worst = -1;
  for (size_t i = 0; i < n; i++) {
    if (!sb__headline_is_ns_per_op(roles[i]))
      continue; /* a socket workload, read by its latency */
    const char *sw = sb__toggle_param(r, roles[i]);
    for (size_t k = 0; k < r->ncells; k++) {
      const sb_rcell *p = &r->cells[k];
      sb_rstat sp, se;
      if (strcmp(p->workload, roles[i]->workload) != 0 ||
          strcmp(p->runtime, "pool") != 0 ||
          sb_rcell_stat(p, "ns_per_op", &sp) != 0 || p->cpus_limit > 0)
        continue;
      const sb_rcell *e =
          sb__cl_best(r, p, SB_SIDE_EXEC, NULL, 0, p, "ns_per_op", &se, 0);
      if (e == NULL)
        continue;
      sb_ratio q;
      char ps[96], rq[160];
      sb__cl_ratio(p, e, "ns_per_op", 1.25, &q);
      sb__cl_ev(c, p, "ns_per_op");
      sb__cl_ev(c, e, "ns_per_op");
      count(&t, &q, -1);
      sb__cl_add(c->measured, sizeof c->measured,
                 "%s%s %s (%s): pool / %s = %s", c->measured[0] ? "; " : "",
                 p->workload, sb_rcell_params_str(p, ps, sizeof ps),
                 sw ? (sb_rcell_param(p, sw, 0) ? "cold" : "warm") : "-",
                 e->runtime, sb__cl_fmt_ratio(&q, rq, sizeof rq));
      if (q.ratio > worst) {
        char what[96];
        worst = q.ratio;
        sb__cl_say(what, sizeof what, "pool / %s, ns per %s (%s)", e->runtime,
                   p->unit, ps);
        sb__cl_headline(c, &q, what);
      }
    }
  }
  sb_claim_state st = sb__cl_combine(t.yes, t.no, t.und);
  if (st == SB_CLAIM_UNMEASURED) {
    sb__cl_say(c->measured, sizeof c->measured,
               "an io workload read per operation (file reads) on pool and "
               "on an executor is not in this run.");
    sb__cl_verdict(c, st, SB_NOT_MEASURED);
    return;
  }
  sb__cl_add(c->measured, sizeof c->measured, ".");
  if (st == SB_CLAIM_UNDECIDED) {
    sb__cl_verdict(c, st,
                   "undecided on this run: %s in %d of %d cases (of the "
                   "others, %d hold and %d do not)",
                   t.first_und.why, t.und, t.yes + t.no + t.und, t.yes, t.no);
    sb__cl_say(c->decide, sizeof c->decide, "%s", sb__cl_decider(&t.first_und));
  } else
    sb__cl_verdict(c, st,
                   "%s: the pool was within 1.25x of the best executor in "
                   "every pair of repetitions on %d case%s, and slower "
                   "beyond it on %d",
                   sb__claim_state_word(st), t.yes, t.yes == 1 ? "" : "s",
                   t.no);
}

/* The CPU half: per cpu workload read by ns per op, the best OS-thread
 * runtime within 1.25x of the best executor. */
static void cpu_half(const sb_results *r, sb_claim *c, tally *t, char *buf,
                     size_t len) {
  const sb_rcell *roles[SB_CL_MAXROLE];
  size_t n = sb__role_workloads(r, SB_ROLE_CPU, roles, SB_CL_MAXROLE);
  for (size_t i = 0; i < n; i++) {
    sb_rstat so, se;
    if (!sb__headline_is_ns_per_op(roles[i]))
      continue; /* read by efficiency: says nothing about speed */
    const sb_rcell *o = sb__cl_best(r, roles[i], SB_SIDE_OS, NULL, 0, NULL,
                                    "ns_per_op", &so, 0);
    const sb_rcell *e = o ? sb__cl_best(r, roles[i], SB_SIDE_EXEC, NULL, 0, o,
                                        "ns_per_op", &se, 0)
                          : NULL;
    if (e == NULL)
      continue;
    sb_ratio q;
    char rq[160];
    sb__cl_ratio(o, e, "ns_per_op", 1.25, &q);
    sb__cl_ev(c, o, "ns_per_op");
    sb__cl_ev(c, e, "ns_per_op");
    count(t, &q, -1);
    sb__cl_add(buf, len, "%s%s: %s / %s = %s", buf[0] ? "; " : "",
               roles[i]->workload, o->runtime, e->runtime,
               sb__cl_fmt_ratio(&q, rq, sizeof rq));
  }
}

/* 1 when c's generator could not offer its rate (in most repetitions). */
static int generator_limited(const sb_rcell *c) {
  sb_rstat s;
  return sb_rcell_stat(c, "generator_limited", &s) == 0 && s.median > 0.5;
}

/* The open-loop half: at the highest offered rate both sides met (the
 * generator keeping up), the OS side's p99 over the executor's. */
static void open_loop(const sb_results *r, sb_claim *c, tally *t, char *buf,
                      size_t len) {
  const sb_rcell *best_o = NULL, *best_e = NULL;
  sb_rstat so, se, lim;
  int limited = 0; /* an open-loop cell whose generator fell behind */
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *o = &r->cells[i];
    double rate = sb_rcell_param(o, SB_RATE_PARAM, NAN);
    if (!sb__is_role(o, SB_ROLE_IO) || isnan(rate) ||
        sb__cl_side(o) != SB_SIDE_OS || sb_rcell_stat(o, "p99_ns", &so) != 0)
      continue;
    const sb_rcell *e =
        sb__cl_best(r, o, SB_SIDE_EXEC, NULL, 0, o, "p99_ns", &se, 0);
    if (e == NULL)
      continue;
    if (generator_limited(o) || generator_limited(e)) {
      limited = 1;
      continue;
    }
    if (best_o == NULL || rate > sb_rcell_param(best_o, SB_RATE_PARAM, 0) ||
        (rate == sb_rcell_param(best_o, SB_RATE_PARAM, 0) &&
         sb_rcell_stat(best_o, "p99_ns", &lim) == 0 && so.median < lim.median))
      best_o = o, best_e = e;
  }
  if (best_o == NULL) {
    sb__cl_add(buf, len, "open-loop p99 at a fixed offered rate: %s",
               limited ? "the generator fell behind the offered rate at "
                         "every rate both sides ran, so no rate was held"
                       : SB_NOT_MEASURED);
    return;
  }
  sb_ratio q;
  char rq[160], a[32], b[32];
  sb_rcell_stat(best_o, "p99_ns", &so);
  sb_rcell_stat(best_e, "p99_ns", &se);
  sb__cl_ratio(best_o, best_e, "p99_ns", 1, &q);
  sb__cl_ev(c, best_o, "p99_ns");
  sb__cl_ev(c, best_e, "p99_ns");
  count(t, &q, 1);
  sb__cl_add(buf, len,
             "open-loop %s at %.0f requests/s offered: p99 %s on %s, %s on "
             "%s: %s / %s = %s",
             best_o->workload, sb_rcell_param(best_o, SB_RATE_PARAM, 0),
             sb__fmt_ns(so.median, a, sizeof a), best_o->runtime,
             sb__fmt_ns(se.median, b, sizeof b), best_e->runtime,
             best_o->runtime, best_e->runtime,
             sb__cl_fmt_ratio(&q, rq, sizeof rq));
  char what[96];
  sb__cl_say(what, sizeof what, "p99 %s / %s at %.0f/s", best_o->runtime,
             best_e->runtime, sb_rcell_param(best_o, SB_RATE_PARAM, 0));
  sb__cl_headline(c, &q, what);
}

/* Memory per connection: a closed-loop socket workload's peak resident
 * memory at its largest connection count (its first parameter), on threads
 * and on the best executor with the same parameters. */
static void per_conn(const sb_results *r, sb_claim *c, tally *t, char *buf,
                     size_t len) {
  const char *key = "peak_rss_bytes";
  const sb_rcell *th = NULL, *e = NULL;
  sb_rstat st, se, s;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *x = &r->cells[i];
    if (!sb__is_role(x, SB_ROLE_IO) || sb__headline_is_ns_per_op(x) ||
        !isnan(sb_rcell_param(x, SB_RATE_PARAM, NAN)) ||
        strcmp(x->runtime, "threads") != 0 || x->cpus_limit > 0 ||
        sb__size_of(x) <= 0 || sb_rcell_stat(x, key, &s) != 0 ||
        (th != NULL && sb__size_of(x) <= sb__size_of(th)))
      continue;
    const sb_rcell *y =
        sb__cl_best(r, x, SB_SIDE_EXEC, NULL, 0, x, key, &se, 0);
    if (y != NULL)
      th = x, e = y, st = s;
  }
  if (th == NULL) {
    sb__cl_add(buf, len, "%smemory per connection: " SB_NOT_MEASURED,
               buf[0] ? "; " : "");
    return;
  }
  sb_rcell_stat(e, key, &se);
  sb_ratio q;
  char rq[160], a[32], b[32];
  double conns = sb__size_of(th);
  sb__cl_ratio(th, e, key, 1, &q);
  sb__cl_ev(c, th, key);
  sb__cl_ev(c, e, key);
  count(t, &q, 1);
  if (!c->have_ratio) {
    char what[96];
    sb__cl_say(what, sizeof what, "peak memory threads / %s at %s:%.0f",
               e->runtime, sb__size_param(th), conns);
    sb__cl_headline(c, &q, what);
  }
  sb__cl_add(buf, len,
             "%s%s at %s:%.0f: peak memory %s per connection on threads, %s "
             "on %s (the whole process over the connections): threads / %s "
             "= %s",
             buf[0] ? "; " : "", th->workload, sb__size_param(th), conns,
             sb__fmt_bytes(st.median / conns, a, sizeof a),
             sb__fmt_bytes(se.median / conns, b, sizeof b), e->runtime,
             e->runtime, sb__cl_fmt_ratio(&q, rq, sizeof rq));
}

/* A half's state in the verdict's sentence. */
static const char *half_word(sb_claim_state s) {
  switch (s) {
  case SB_CLAIM_HOLDS:
    return "it holds";
  case SB_CLAIM_NOT:
    return "it does not";
  case SB_CLAIM_PARTLY:
    return "it holds on some, not on others";
  case SB_CLAIM_UNDECIDED:
    return "the repetitions overlap";
  default:
    return "nothing was measured";
  }
}

void sb__claim_cpu_io(const sb_results *r, sb_claim *c) {
  tally cpu = {0}, io = {0};
  char cb[384] = "", ib[640] = "";
  cpu_half(r, c, &cpu, cb, sizeof cb);
  open_loop(r, c, &io, ib, sizeof ib);
  per_conn(r, c, &io, ib, sizeof ib);
  sb_claim_state sc = sb__cl_combine(cpu.yes, cpu.no, cpu.und);
  sb_claim_state si = sb__cl_combine(io.yes, io.no, io.und);
  sb__cl_say(c->measured, sizeof c->measured, "CPU: %s. Waiting: %s.",
             cb[0] ? cb : SB_NOT_MEASURED, ib);
  sb_claim_state st =
      sb__cl_combine(cpu.yes + io.yes, cpu.no + io.no, cpu.und + io.und);
  if (st == SB_CLAIM_UNMEASURED) {
    sb__cl_verdict(c, st, SB_NOT_MEASURED);
    return;
  }
  if (st == SB_CLAIM_UNDECIDED)
    sb__cl_say(c->decide, sizeof c->decide, "%s",
               sb__cl_decider(cpu.und ? &cpu.first_und : &io.first_und));
  sb__cl_verdict(c, st,
                 "%s: for CPU work (threads within 1.25x of the best "
                 "executor, %d of %d workloads decided) %s; for waiting "
                 "(async with the lower open-loop p99 and the smaller memory "
                 "per connection, %d of %d decided) %s",
                 sb__claim_state_word(st), cpu.yes + cpu.no,
                 cpu.yes + cpu.no + cpu.und, half_word(sc), io.yes + io.no,
                 io.yes + io.no + io.und, half_word(si));
}
