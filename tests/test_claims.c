/* The claims' judge on synthetic runs (data/make_claims.py): two runs of
 * one matrix that differ only by noise (a rerun with fresh noise, and the
 * run with every repetition drawn in toward its median) never give a claim
 * "holds" in one and "does not hold" in the other; a claim whose cells are
 * absent (the green-thread runtime, the open-loop cells) says "not measured in
 * this run" and, with them, is judged on them; a run of one repetition decides
 * no comparison and says what would. */
#include <string.h>

#include "claims.h"
#include "face_test.h"

static const char *data;

static sb_results *load(const char *name) {
  char path[1024], why[256];
  sb_results *r = NULL;
  snprintf(path, sizeof path, "%s/%s", data, name);
  if (sb_results_read(path, &r, why, sizeof why) != 0) {
    fprintf(stderr, "%s: %s\n", path, why);
    ASSERT(0);
  }
  return r;
}

static const sb_claim *find(const sb_claim *cl, const char *id) {
  for (int i = 0; i < SB_NCLAIMS; i++)
    if (strcmp(cl[i].id, id) == 0)
      return &cl[i];
  ASSERT(0);
  return NULL;
}

/* Every claim judged, with a verdict that starts with its state's word. */
static void well_formed(const sb_claim *cl) {
  for (int i = 0; i < SB_NCLAIMS; i++) {
    const char *w = sb__claim_state_word(cl[i].state);
    ASSERT(strncmp(cl[i].verdict, w, strlen(w)) == 0);
    ASSERT(cl[i].measured[0] != '\0');
    /* Undecided says what would decide it. */
    ASSERT(cl[i].state != SB_CLAIM_UNDECIDED || cl[i].decide[0] != '\0');
    for (size_t k = 0; k < cl[i].nev; k++)
      ASSERT(cl[i].ev[k].cell != NULL && cl[i].ev[k].st.n > 0);
  }
}

static int opposite(sb_claim_state a, sb_claim_state b) {
  return (a == SB_CLAIM_HOLDS && b == SB_CLAIM_NOT) ||
         (a == SB_CLAIM_NOT && b == SB_CLAIM_HOLDS);
}

/* Moves every repetition of every cell halfway to its cell's median: a
 * run whose repetitions all fall within the first one's spread. */
static void shrink(sb_results *r) {
  size_t moved = 0;
  for (size_t i = 0; i < r->nentries; i++) {
    sb_rentry *e = &r->entries[i];
    const sb_rcell *c = sb_results_cell(r, e->run_name);
    for (size_t k = 0; c != NULL && !e->aggregate && k < e->nvalues; k++) {
      sb_rstat st;
      /* The median comes from the aggregate entry, which stays put. */
      if (c->median != NULL && sb_rcell_stat(c, e->values[k].key, &st) == 0 &&
          e->values[k].value != st.median) {
        e->values[k].value = st.median + 0.5 * (e->values[k].value - st.median);
        moved++;
      }
    }
  }
  ASSERT_GT(moved, 1000);
}

/* No claim holds in one judgement and does not hold in the other. */
static void agree(const sb_claim *ca, const sb_claim *cb) {
  for (int i = 0; i < SB_NCLAIMS; i++) {
    if (opposite(ca[i].state, cb[i].state))
      fprintf(stderr, "claim %s flipped: %s / %s\n", ca[i].id, ca[i].verdict,
              cb[i].verdict);
    ASSERT(!opposite(ca[i].state, cb[i].state));
  }
}

/* Within the first run's spread: the decided claims stay decided the same
 * way (a narrower spread can only decide more). */
static void within_spread(void) {
  sb_results *a = load("claims-run1.json"), *b = load("claims-run1.json");
  sb_claim ca[SB_NCLAIMS], cb[SB_NCLAIMS];
  shrink(b);
  sb__claims_judge(a, ca);
  sb__claims_judge(b, cb);
  well_formed(cb);
  agree(ca, cb);
  for (int i = 0; i < SB_NCLAIMS; i++)
    if (ca[i].state == SB_CLAIM_HOLDS || ca[i].state == SB_CLAIM_NOT)
      ASSERT_EQ(cb[i].state, ca[i].state);
  sb_results_free(a);
  sb_results_free(b);
}

static void noise(void) {
  sb_results *a = load("claims-run1.json"), *b = load("claims-run2.json");
  sb_claim ca[SB_NCLAIMS], cb[SB_NCLAIMS];
  sb__claims_judge(a, ca);
  sb__claims_judge(b, cb);
  well_formed(ca);
  well_formed(cb);
  int decided = 0, undecided = 0;
  agree(ca, cb);
  for (int i = 0; i < SB_NCLAIMS; i++) {
    decided += ca[i].state >= SB_CLAIM_HOLDS;
    undecided += ca[i].state == SB_CLAIM_UNDECIDED;
  }
  /* The runs decide the clear claims and leave the one on its threshold
   * (files: pool at 1.25x the executors, cold) undecided in both. */
  ASSERT_GE(decided, 5);
  ASSERT_GE(undecided, 1);
  ASSERT_EQ(find(ca, "pool-files")->state, SB_CLAIM_UNDECIDED);
  ASSERT_EQ(find(cb, "pool-files")->state, SB_CLAIM_UNDECIDED);
  ASSERT_HAS(find(ca, "pool-files")->decide, "more repetitions");
  /* Present: the green threads and the open-loop cells are judged. */
  const sb_claim *g = find(ca, "green-threads");
  ASSERT_EQ(g->state, SB_CLAIM_HOLDS);
  ASSERT_HAS(g->measured, "threads / fiber = ");
  ASSERT_HAS(g->measured, "A waiting fiber holds 8.37 KiB");
  const sb_claim *io = find(ca, "cpu-vs-io");
  /* The rate where the generator could not keep up is left out. */
  ASSERT_HAS(io->measured, "open-loop echo at 2000 requests/s offered");
  ASSERT(strstr(io->measured, "4000 requests/s") == NULL);
  ASSERT_HAS(io->measured, "echo at c:1000: peak memory");
  ASSERT(strstr(io->measured, "round trips/s") == NULL);
  sb_results_free(a);
  sb_results_free(b);
}

/* Open-loop cells whose generator fell behind at every rate hold no rate:
 * the claim says so instead of judging on them. */
static void all_limited(void) {
  sb_results *r = load("claims-run1.json");
  sb_claim cl[SB_NCLAIMS];
  for (size_t i = 0; i < r->nentries; i++)
    for (size_t k = 0; k < r->entries[i].nvalues; k++)
      if (strcmp(r->entries[i].values[k].key, "generator_limited") == 0)
        r->entries[i].values[k].value = 1;
  sb__claims_judge(r, cl);
  well_formed(cl);
  const sb_claim *io = find(cl, "cpu-vs-io");
  ASSERT_HAS(io->measured, "the generator fell behind the offered rate");
  ASSERT(strstr(io->measured, "requests/s offered") == NULL);
  sb_results_free(r);
}

/* fiber made 4x slower: still far cheaper than an OS switch, no longer
 * within 2x of a task switch, and the verdict says which half holds. */
static void green_partly(void) {
  sb_results *r = load("claims-run1.json");
  sb_claim cl[SB_NCLAIMS];
  for (size_t i = 0; i < r->nentries; i++)
    for (size_t k = 0; k < r->entries[i].nvalues; k++)
      if (strstr(r->entries[i].run_name, "/fiber/") != NULL &&
          strcmp(r->entries[i].values[k].key, "ns_per_op") == 0)
        r->entries[i].values[k].value *= 4;
  sb__claims_judge(r, cl);
  well_formed(cl);
  const sb_claim *g = find(cl, "green-threads");
  ASSERT_EQ(g->state, SB_CLAIM_PARTLY);
  ASSERT_HAS(g->verdict, "partly holds: a fiber switch is 2x or more cheaper "
                         "than an OS switch, and not within 2x of a task "
                         "switch");
  sb_results_free(r);
}

static void absent(void) {
  sb_results *r = load("claims-base.json");
  sb_claim cl[SB_NCLAIMS];
  sb__claims_judge(r, cl);
  well_formed(cl);
  const sb_claim *g = find(cl, "green-threads");
  ASSERT_EQ(g->state, SB_CLAIM_UNMEASURED);
  ASSERT_HAS(g->verdict, "not measured in this run");
  ASSERT_HAS(find(cl, "cpu-vs-io")->measured,
             "open-loop p99 at a fixed offered rate: not measured in this "
             "run");
  sb_results_free(r);
}

/* One repetition: the U test cannot separate anything, so no comparison
 * is decided, and each says more repetitions would decide it. */
static void one_rep(void) {
  sb_results *r = load("results-onerep.json");
  sb_claim cl[SB_NCLAIMS];
  sb__claims_judge(r, cl);
  well_formed(cl);
  for (int i = 0; i < SB_NCLAIMS; i++) {
    ASSERT(cl[i].state != SB_CLAIM_HOLDS && cl[i].state != SB_CLAIM_NOT &&
           cl[i].state != SB_CLAIM_PARTLY);
    if (cl[i].state == SB_CLAIM_UNDECIDED)
      ASSERT_HAS(cl[i].decide, "more repetitions");
  }
  ASSERT_EQ(find(cl, "switch-cost")->state, SB_CLAIM_UNDECIDED);
  sb_results_free(r);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  data = argv[1];
  noise();
  within_spread();
  all_limited();
  green_partly();
  absent();
  one_rep();
  printf("claims: ok\n");
  return 0;
}
