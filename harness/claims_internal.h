/* What the claims' files share (not part of claims.h): choosing cells by
 * role and side, judging a ratio across repetitions, and writing the
 * verdict's words. */
#ifndef SB_CLAIMS_INTERNAL_H
#define SB_CLAIMS_INTERNAL_H

#include "claims.h"
#include "face_internal.h"

#define SB_NOT_MEASURED "not measured in this run"
/* Most workloads of one role a claim reads. */
#define SB_CL_MAXROLE 8

/* Which side of the question a runtime stands on, read from the cells:
 * an OS thread per task or a pool of them, a green (stackful user-space)
 * thread, or an executor of tasks (every other runtime of the suite). */
typedef enum sb_side {
  SB_SIDE_NONE = 0, /* a floor cell, a serial row or a peer */
  SB_SIDE_OS,
  SB_SIDE_GREEN,
  SB_SIDE_EXEC,
} sb_side;
sb_side sb__cl_side(const sb_rcell *c);

/* The ok, unconfined spawn+join cell of like's workload on runtime that
 * has key, with the largest size; when pname is set, only cells where
 * pname == pval; when same is set, only cells with same's parameters. Its
 * figure goes to *st. NULL when there is none. */
const sb_rcell *sb__cl_pick(const sb_results *r, const sb_rcell *like,
                            const char *runtime, const char *pname, double pval,
                            const sb_rcell *same, const char *key,
                            sb_rstat *st);
/* The best such cell among the runtimes of side (smallest median of key,
 * or largest when larger is 1). */
const sb_rcell *sb__cl_best(const sb_results *r, const sb_rcell *like,
                            sb_side side, const char *pname, double pval,
                            const sb_rcell *same, const char *key, sb_rstat *st,
                            int larger);

/* Judges key's a / b against t across the repetitions into q: decided
 * above (below) t only when the U test of a against t*b is significant at
 * SB_UTEST_ALPHA and every pair of repetitions is above (below) t. */
void sb__cl_ratio(const sb_rcell *a, const sb_rcell *b, const char *key,
                  double t, sb_ratio *q);
/* Judges key's value of a against the constant t (ratio = a / t): decided
 * when every repetition is on one side and a one-sided sign test over
 * them is significant (5 or more repetitions). */
void sb__cl_level(const sb_rcell *a, const char *key, double t, sb_ratio *q);

/* Adds cell's key to c's evidence (once). */
void sb__cl_ev(sb_claim *c, const sb_rcell *cell, const char *key);
/* Sets the claim's headline ratio. */
void sb__cl_headline(sb_claim *c, const sb_ratio *q, const char *what);
/* What would decide an undecided ratio: more repetitions when too few,
 * else a quieter machine and pinning. */
const char *sb__cl_decider(const sb_ratio *q);

/* Sets c's state, and its verdict from fmt. */
void sb__cl_verdict(sb_claim *c, sb_claim_state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets c's verdict from q's side: yes (which begins "holds") when above
 * its threshold, no (which begins "does not hold") when below, else
 * undecided with why and what would decide it. */
void sb__cl_decide(sb_claim *c, const sb_ratio *q, const char *yes,
                   const char *no);
/* snprintf into buf, and appending to what buf holds. */
void sb__cl_say(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sb__cl_add(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Combines the sides of sub-judgements: all above -> HOLDS, all below ->
 * NOT, a mix of the two -> PARTLY, any undecided -> UNDECIDED, none ->
 * UNMEASURED. yes counts decided-as-claimed, no decided against, und
 * undecided. */
sb_claim_state sb__cl_combine(int yes, int no, int und);

/* The machine's floor (the futex ping-pong) into c->floor, as evidence. */
void sb__cl_floor(const sb_results *r, sb_claim *c);

/* The judges, one per claim, in claims order. */
void sb__claim_switch(const sb_results *r, sb_claim *c);
void sb__claim_stack(const sb_results *r, sb_claim *c);
void sb__claim_millions(const sb_results *r, sb_claim *c);
void sb__claim_blocking(const sb_results *r, sb_claim *c);
void sb__claim_sleep(const sb_results *r, sb_claim *c);
void sb__claim_spawn(const sb_results *r, sb_claim *c);
void sb__claim_green(const sb_results *r, sb_claim *c);
void sb__claim_files(const sb_results *r, sb_claim *c);
void sb__claim_cpu_io(const sb_results *r, sb_claim *c);

#endif
