/* The claims from the talks the suite grew from, each checked against a
 * run: what was measured, the cells it rests on, and a verdict computed
 * from the repetitions (never written in advance). A verdict is decisive
 * only when the repetitions separate: the U test compare uses is
 * significant and every repetition lies on one side of the claim's
 * threshold; otherwise the claim is undecided on this run, and says what
 * would decide it. */
#ifndef SB_CLAIMS_H
#define SB_CLAIMS_H

#include <stddef.h>
#include <stdio.h>

#include "results_read.h"

/* What a verdict is, before its words. */
typedef enum sb_claim_state {
  SB_CLAIM_UNMEASURED = 0, /* the cells it needs are not in the run */
  SB_CLAIM_UNDECIDED,      /* the repetitions overlap the threshold */
  SB_CLAIM_HOLDS,          /* decided: it holds */
  SB_CLAIM_PARTLY,         /* decided: holds on some cells, not on others */
  SB_CLAIM_NOT,            /* decided: it does not hold */
} sb_claim_state;

/* One cell a claim read, and the figure it read it by. */
typedef struct sb_evidence {
  const sb_rcell *cell; /* the cell (a row of the results) */
  const char *key;      /* the counter read */
  const char *unit;     /* "ns", "bytes" or "fraction" */
  sb_rstat st;          /* its median and spread over the repetitions */
} sb_evidence;

/* A ratio between two cells' figures across their repetitions, judged
 * against a threshold. */
typedef struct sb_ratio {
  int have;        /* 1: both cells had the figure */
  double ratio;    /* median a / median b */
  double lo, hi;   /* the extremes over repetition pairs: min a / max b,
                      max a / min b */
  double p;        /* the U test's p-value of a against t * b; -1 untested */
  size_t na, nb;   /* repetitions on each side */
  int side;        /* +1 decided above t, -1 decided below, 0 undecided */
  const char *why; /* when undecided: why ("overlap", "too few reps") */
} sb_ratio;

#define SB_CLAIM_MAXEV 16

/* One claim, judged. */
typedef struct sb_claim {
  const char *id;       /* a short stable slug: "switch-cost" */
  const char *claim;    /* what the talks say */
  const char *rule;     /* how it is judged: the cells and the threshold */
  sb_claim_state state; /* the verdict, as data */
  char measured[1024];  /* what this run measured, in a sentence or two */
  char verdict[512];    /* "holds: ...", "undecided on this run: ..." */
  char decide[192];     /* when undecided: what would decide it */
  int have_ratio;       /* 1: ratio is the claim's headline comparison */
  char ratio_what[96];  /* what the ratio compares: "threads / single" */
  sb_ratio ratio;       /* its headline ratio and spread */
  char floor[160];      /* the machine's own floor, "" when it plays none */
  sb_evidence ev[SB_CLAIM_MAXEV]; /* the cells it used */
  size_t nev;                     /* entries in ev */
} sb_claim;

#define SB_NCLAIMS 9

/* The word of a state: "holds", "undecided on this run", ... */
const char *sb__claim_state_word(sb_claim_state s);

/* A ratio with its spread: "12x (10x to 14x over the repetitions, p
 * 0.008)". */
char *sb__cl_fmt_ratio(const sb_ratio *q, char *buf, size_t len);

/* v printed as evidence e's figure ("1.50 µs", "8.0 KiB", "43%"). */
char *sb__ev_fmt(const sb_evidence *e, double v, char *buf, size_t len);

/* Judges every claim against r into out. */
void sb__claims_judge(const sb_results *r, sb_claim out[SB_NCLAIMS]);

/* The report's claims section in Markdown: a table of the verdicts, then
 * per claim what was measured and its evidence as a small table. */
void sb__claims_markdown(const sb_claim cl[SB_NCLAIMS], FILE *out);

#endif
