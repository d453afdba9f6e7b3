/* The claims from the talks, each judged from a run's repetitions: the
 * list (what each says and which judge reads it), and the Markdown of the
 * verdicts with their evidence. The judges are in claims_tasks.c,
 * claims_pitfall.c and claims_io.c; their shared statistics in
 * claims_eval.c. */
#include "claims.h"

#include <string.h>

#include "claims_internal.h"

static const struct {
  const char *id;
  const char *claim;
  const char *rule;
  void (*judge)(const sb_results *, sb_claim *);
} claims[SB_NCLAIMS] = {
    {"switch-cost",
     "An OS context switch costs about 2 µs; a task switch in an async "
     "runtime about 500 ns.",
     "threads against the best executor on the first switch workload: "
     "decided when the task switch is 2x or more cheaper (holds) or less "
     "than 2x cheaper (does not) in every pair of repetitions; the sizes are "
     "compared with the quote in words",
     sb__claim_switch},
    {"thread-stack", "Each OS thread holds its own stack, typically 2 MB.",
     "resident memory of a waiting thread on the memory workload against 1 "
     "MiB (half the quote): every repetition on one side, 5 or more "
     "repetitions (a one-sided sign test)",
     sb__claim_stack},
    {"millions", "Async tasks are cheap enough to run millions of them.",
     "the largest count of waiting tasks any executor held: holds from a "
     "finished cell at 1,000,000",
     sb__claim_millions},
    {"blocking-cpu",
     "CPU work that never yields, in an async task, stalls every other task "
     "on that executor.",
     "each pitfall that does not sleep, on single: the case with the "
     "blocking call against the same cell without it, 10x or more later in "
     "every pair of repetitions",
     sb__claim_blocking},
    {"blocking-sleep",
     "Sleeping with a blocking call in an async task stalls the executor: "
     "the other sleepers wake late.",
     "each pitfall that sleeps (it records its longest sleep), on single: "
     "blocking sleep against the same cell without it, 10x or more later in "
     "every pair of repetitions",
     sb__claim_sleep},
    {"pool-spawn",
     "A thread pool amortizes thread creation: short tasks cost much less "
     "on a pool than a thread each.",
     "threads against pool on the spawn workload, same size: the pool 2x or "
     "more cheaper per task in every pair of repetitions",
     sb__claim_spawn},
    {"green-threads",
     "Green threads give a task switch's cost with a thread's programming "
     "model.",
     "on the first switch workload with a fiber cell: fiber 2x or more "
     "cheaper than threads, and within 2x of the best executor, each in "
     "every pair of repetitions",
     sb__claim_green},
    {"pool-files",
     "A thread pool serves file reads as well as an async executor (which "
     "hands them to blocking threads anyway), warm or cold.",
     "each io workload read per operation, every parameter set (warm and "
     "cold): pool within 1.25x of the best executor in every pair of "
     "repetitions (holds) or beyond it in every pair (does not)",
     sb__claim_files},
    {"cpu-vs-io",
     "Threads suit CPU-bound work; async suits work that mostly waits "
     "(I/O).",
     "CPU: each cpu workload read per op, the best OS-thread runtime within "
     "1.25x of the best executor. Waiting: open-loop p99 at the highest "
     "offered rate both sides met without the generator falling behind, "
     "lower on the executor; and peak memory per connection at the largest "
     "connection count, smaller on the executor. Never closed-loop "
     "throughput",
     sb__claim_cpu_io},
};

const char *sb__claim_state_word(sb_claim_state s) {
  switch (s) {
  case SB_CLAIM_HOLDS:
    return "holds";
  case SB_CLAIM_PARTLY:
    return "partly holds";
  case SB_CLAIM_NOT:
    return "does not hold";
  case SB_CLAIM_UNDECIDED:
    return "undecided on this run";
  default:
    return SB_NOT_MEASURED;
  }
}

void sb__claims_judge(const sb_results *r, sb_claim out[SB_NCLAIMS]) {
  for (int i = 0; i < SB_NCLAIMS; i++) {
    memset(&out[i], 0, sizeof out[i]);
    out[i].id = claims[i].id;
    out[i].claim = claims[i].claim;
    out[i].rule = claims[i].rule;
    claims[i].judge(r, &out[i]);
  }
}

char *sb__ev_fmt(const sb_evidence *e, double v, char *buf, size_t len) {
  if (strcmp(e->unit, "bytes") == 0)
    return sb__fmt_bytes(v, buf, len);
  if (strcmp(e->unit, "fraction") == 0) {
    snprintf(buf, len, "%.0f%%", v * 100);
    return buf;
  }
  return sb__fmt_ns(v, buf, len);
}

void sb__claims_markdown(const sb_claim cl[SB_NCLAIMS], FILE *out) {
  char rq[160];
  fprintf(out, "## The claims, checked\n\n"
               "Each claim comes from the talks this suite grew from. A "
               "verdict is decided only when the repetitions separate: the "
               "U test compare uses is significant (p < 0.05) and every "
               "pair of repetitions lies on one side of the claim's "
               "threshold; otherwise it is *undecided on this run*.\n\n"
               "| # | claim | verdict | headline ratio |\n|---|---|---|---|\n");
  for (int i = 0; i < SB_NCLAIMS; i++)
    fprintf(
        out, "| %d | %s | **%s** | %s%s%s |\n", i + 1, cl[i].claim,
        sb__claim_state_word(cl[i].state),
        cl[i].have_ratio ? cl[i].ratio_what : "-", cl[i].have_ratio ? ": " : "",
        cl[i].have_ratio ? sb__cl_fmt_ratio(&cl[i].ratio, rq, sizeof rq) : "");
  fputc('\n', out);
  for (int i = 0; i < SB_NCLAIMS; i++) {
    const sb_claim *c = &cl[i];
    fprintf(out,
            "%d. **Claim:** %s  \n   **Measured:** %s  \n   "
            "**Verdict:** %s.%s%s%s  \n   **How it is judged:** %s.\n\n",
            i + 1, c->claim, c->measured, c->verdict,
            c->decide[0] ? "  \n   **What would decide it:** " : "", c->decide,
            c->decide[0] ? "." : "", c->rule);
    if (c->nev == 0)
      continue;
    fprintf(out, "   | cell | figure | median | min | max | reps |\n"
                 "   |---|---|---|---|---|---|\n");
    for (size_t k = 0; k < c->nev; k++) {
      const sb_evidence *e = &c->ev[k];
      char m[32], lo[32], hi[32];
      fprintf(out, "   | %s | %s | %s | %s | %s | %zu |\n", e->cell->name,
              e->key, sb__ev_fmt(e, e->st.median, m, sizeof m),
              sb__ev_fmt(e, e->st.min, lo, sizeof lo),
              sb__ev_fmt(e, e->st.max, hi, sizeof hi), e->st.n);
    }
    fputc('\n', out);
  }
}
