/* `switchbench compare A.json B.json [--fail-above R]`: matches cells by
 * name and reports, per cell, A, B, B/A and whether the difference is
 * significant (Mann-Whitney U over the repetitions' ns_per_op, as Google
 * Benchmark's compare.py does). --fail-above makes it a regression gate:
 * exit 1 when it trips, 3 when some cell has too few repetitions for the
 * test to tell (a gate that cannot judge never says "passed"). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "face_cli.h"
#include "face_format.h"
#include "mannwhitney.h"
#include "results_read.h"

/* One cell present in both files, judged (compute first, print second, as
 * Google Benchmark's compare.py does). */
typedef struct cmp_row {
  const char *name; /* the cell */
  int have;         /* 1 when both sides have ns_per_op */
  double a, b;      /* medians of ns_per_op */
  double p;         /* U-test p-value, -1 when not tested */
  int tested;       /* 1 when there were enough repetitions to tell */
  int slower;       /* 1: B significantly slower; -1: faster; 0: neither */
  int gated;        /* 1: slower beyond the gate */
} cmp_row;

/* The whole comparison, before it is printed. */
typedef struct cmp_report {
  cmp_row *rows; /* cells in both files, in A's order */
  size_t nrows;  /* entries in rows */
  int slower;    /* significantly slower cells */
  int faster;    /* significantly faster cells */
  int same;      /* tested, no significant difference */
  int untested;  /* too few repetitions to tell */
  int tripped;   /* cells beyond the gate */
} cmp_report;

static void machine_line(const char *tag, const sb_results *r, FILE *out) {
  const sb_rcontext *c = &r->ctx;
  fprintf(out, "  %s: %s: %s, %d cores / %d PUs, %s, %s, virtualization %s\n",
          tag, r->path, c->cpu_model[0] ? c->cpu_model : "unknown CPU",
          c->cores, c->pus, c->kernel[0] ? c->kernel : "unknown kernel",
          c->compiler[0] ? c->compiler : "unknown compiler",
          c->virtualization[0] ? c->virtualization : "unknown");
}

/* Says how the two machines differ, or that they look the same. */
static void machine_diff(const sb_results *a, const sb_results *b, FILE *out) {
  const sb_rcontext *x = &a->ctx, *y = &b->ctx;
  char diff[256] = "";
  struct {
    const char *what;
    int differs;
  } f[] = {
      {"CPU", strcmp(x->cpu_model, y->cpu_model) != 0},
      {"cores", x->cores != y->cores || x->pus != y->pus},
      {"kernel", strcmp(x->kernel, y->kernel) != 0},
      {"compiler", strcmp(x->compiler, y->compiler) != 0},
      {"virtualization", strcmp(x->virtualization, y->virtualization) != 0},
      {"pinning", strcmp(x->pin, y->pin) != 0},
      {"host", strcmp(x->host_name, y->host_name) != 0},
  };
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
    if (f[i].differs) {
      size_t u = strlen(diff);
      snprintf(diff + u, sizeof diff - u, "%s%s", u ? ", " : "", f[i].what);
    }
  if (diff[0])
    fprintf(out,
            "  the machines differ in: %s (ratios mix code and "
            "machine)\n",
            diff);
  else
    fprintf(out, "  same machine description on both sides\n");
}

/* Judges one cell present in both files into v. Returns 0 (v->have 0
 * when either side has no ns_per_op), or -ENOMEM. */
static int judge(const sb_rcell *ca, const sb_rcell *cb, double gate,
                 cmp_row *v) {
  sb_rstat sa, sb;
  double *xa = NULL, *xb = NULL;
  int rc = 0;
  *v = (cmp_row){.name = ca->name, .p = -1};
  if (sb_rcell_stat(ca, "ns_per_op", &sa) != 0 ||
      sb_rcell_stat(cb, "ns_per_op", &sb) != 0)
    goto cleanup;
  v->have = 1;
  v->a = sa.median;
  v->b = sb.median;
  rc = -ENOMEM;
  xa = malloc(ca->nreps * sizeof(*xa));
  xb = malloc(cb->nreps * sizeof(*xb));
  if (xa == NULL || xb == NULL)
    goto cleanup;
  size_t na = sb_rcell_samples(ca, "ns_per_op", xa, ca->nreps);
  size_t nb = sb_rcell_samples(cb, "ns_per_op", xb, cb->nreps);
  rc = 0;
  /* With so few repetitions that even complete separation is not
   * significant, the test cannot tell anything: say so. */
  if (sb_mannwhitney_min_p(na, nb) > SB_UTEST_ALPHA)
    goto cleanup;
  sb_utest u;
  if ((rc = sb_mannwhitney(xa, na, xb, nb, &u)) != 0)
    goto cleanup;
  v->tested = 1;
  v->p = u.p;
  if (u.p < SB_UTEST_ALPHA)
    v->slower = v->b > v->a ? 1 : v->b < v->a ? -1 : 0;
  v->gated = gate > 0 && v->slower > 0 && v->b > gate * v->a;
cleanup:
  free(xa);
  free(xb);
  return rc;
}

/* Compares every cell of a that b has. Returns 0 or -ENOMEM. */
static int compare_build(const sb_results *a, const sb_results *b, double gate,
                         cmp_report *rep) {
  *rep = (cmp_report){0};
  if (a->ncells > 0 &&
      (rep->rows = calloc(a->ncells, sizeof(*rep->rows))) == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < a->ncells; i++) {
    const sb_rcell *cb = sb_results_cell(b, a->cells[i].name);
    cmp_row *v = &rep->rows[rep->nrows];
    if (cb == NULL)
      continue;
    if (judge(&a->cells[i], cb, gate, v) != 0)
      return -ENOMEM;
    rep->nrows++;
    if (!v->have)
      continue;
    rep->untested += !v->tested;
    rep->slower += v->tested && v->slower > 0;
    rep->faster += v->tested && v->slower < 0;
    rep->same += v->tested && v->slower == 0;
    rep->tripped += v->gated;
  }
  return 0;
}

/* Lists, on one line, the cells of x that y does not have. */
static void only_in(const char *tag, const sb_results *x, const sb_results *y,
                    FILE *out) {
  size_t n = 0;
  for (size_t i = 0; i < x->ncells; i++) {
    const char *name = x->cells[i].name;
    if (sb_results_cell(y, name) != NULL)
      continue;
    if (n == 0)
      fprintf(out, "only in %s: %s", tag, name);
    else if (n < 6)
      fprintf(out, ", %s", name);
    else if (n == 6)
      fprintf(out, ", ...");
    n++;
  }
  if (n > 0)
    fprintf(out, " (%zu cell%s)\n", n, n == 1 ? "" : "s");
}

static int usage(void) {
  fprintf(stderr, "usage: switchbench compare A.json B.json "
                  "[--fail-above RATIO]\n");
  return 2;
}

/* Parses argv into the two paths and the gate. Returns 0 or 2. */
static int parse_args(int argc, char **argv, const char **pa, const char **pb,
                      double *gate) {
  static const struct option longopts[] = {
      {"fail-above", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
  int ch;
  *gate = 0;
  sb__cli_start();
  while ((ch = getopt_long(argc, argv, SB_CLI_SHORT, longopts, NULL)) != -1) {
    char *end = NULL;
    if (ch != 'f')
      return sb__cli_bad("compare", ch, argv);
    *gate = strtod(optarg, &end);
    if (end == optarg || *end != '\0' || !isfinite(*gate) || *gate < 1) {
      fprintf(stderr,
              "switchbench: --fail-above takes a ratio B/A of at "
              "least 1 (such as 1.10), got '%s'\n",
              optarg);
      return 2;
    }
  }
  if (argc - optind != 2)
    return usage();
  *pa = argv[optind];
  *pb = argv[optind + 1];
  return 0;
}

/* The row of v as strings into t. */
static int print_row(sb_table *t, const cmp_row *v) {
  char a[32] = "-", b[32] = "-", ratio[32] = "-", p[32] = "-";
  const char *what = "no number on one side";
  if (v->have) {
    sb__fmt_ns(v->a, a, sizeof a);
    sb__fmt_ns(v->b, b, sizeof b);
    snprintf(ratio, sizeof ratio, "%.3f", v->a > 0 ? v->b / v->a : INFINITY);
    if (v->tested)
      snprintf(p, sizeof p, "%.4f", v->p);
    what = v->gated        ? "SLOWER beyond the gate"
           : !v->tested    ? "too few repetitions to tell"
           : v->slower > 0 ? "slower (significant)"
           : v->slower < 0 ? "faster (significant)"
                           : "no significant difference";
  }
  const char *row[] = {v->name, a, b, ratio, p, what};
  return sb__table_add(t, row);
}

/* Prints rep (compare_build's) for files a and b. Returns 0 or -ENOMEM. */
static int compare_print(const cmp_report *rep, const sb_results *a,
                         const sb_results *b, double gate, FILE *out) {
  static const char *const head[] = {"cell", "A", "B", "B/A", "p", "verdict"};
  sb_table t;
  int rc = sb__table_init(&t, 6, head);
  for (size_t i = 0; rc == 0 && i < rep->nrows; i++)
    rc = print_row(&t, &rep->rows[i]);
  if (rc != 0)
    goto cleanup;
  fprintf(out,
          "switchbench compare (ns per op, medians; p: two-sided "
          "Mann-Whitney U over the repetitions, significant below %.2f)\n",
          SB_UTEST_ALPHA);
  machine_line("A", a, out);
  machine_line("B", b, out);
  machine_diff(a, b, out);
  fputc('\n', out);
  sb__table_print(&t, out, 0, "");
  only_in("A", a, b, out);
  only_in("B", b, a, out);
  fprintf(out,
          "\n%zu cells in both: %d slower, %d faster (significant), %d no "
          "significant difference, %d too few repetitions to tell\n",
          rep->nrows, rep->slower, rep->faster, rep->same, rep->untested);
  if (gate > 0 && !rep->tripped && rep->untested > 0)
    fprintf(out,
            "regression gate (B/A above %.3g, significant): CANNOT JUDGE: "
            "%d cell%s too few repetitions for the U test to reach p < %.2f "
            "(at least 4 per side; run with --repetitions %d)\n",
            gate, rep->untested, rep->untested == 1 ? " has" : "s have",
            SB_UTEST_ALPHA, SB_UTEST_OPTIMAL_REPETITIONS);
  else if (gate > 0)
    fprintf(out, "regression gate (B/A above %.3g, significant): %s\n", gate,
            rep->tripped ? "TRIPPED" : "passed");
cleanup:
  sb__table_free(&t);
  return rc;
}

int sb_cmd_compare(int argc, char **argv) {
  sb_results *ra = NULL, *rb = NULL;
  const char *pa = NULL, *pb = NULL;
  cmp_report rep = {0};
  double gate;
  int rc;

  if ((rc = parse_args(argc, argv, &pa, &pb, &gate)) != 0)
    return rc;
  if ((rc = sb__results_load(pa, &ra)) != 0 ||
      (rc = sb__results_load(pb, &rb)) != 0)
    goto cleanup;
  if (compare_build(ra, rb, gate, &rep) != 0 ||
      compare_print(&rep, ra, rb, gate, stdout) != 0) {
    fprintf(stderr, "switchbench: out of memory\n");
    rc = 1;
    goto cleanup;
  }
  rc = 0;
  if (rep.tripped) {
    fprintf(stderr,
            "switchbench: %d cell%s slower than %.3gx A with significance\n",
            rep.tripped, rep.tripped == 1 ? " is" : "s are", gate);
    rc = 1;
  } else if (gate > 0 && rep.untested > 0) {
    fprintf(stderr,
            "switchbench: the gate cannot judge %d cell%s (too few "
            "repetitions; exit %d)\n",
            rep.untested, rep.untested == 1 ? "" : "s", SB_EXIT_CANNOT_JUDGE);
    rc = SB_EXIT_CANNOT_JUDGE;
  }
cleanup:
  free(rep.rows);
  sb_results_free(ra);
  sb_results_free(rb);
  return rc;
}
