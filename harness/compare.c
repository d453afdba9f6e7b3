/* `switchbench compare A.json B.json [--fail-above R]`: matches cells by
 * name and reports, per cell, A, B, B/A and whether the difference is
 * significant (Mann-Whitney U over the repetitions' ns_per_op, as Google
 * Benchmark's compare.py does). --fail-above makes it a regression gate. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "face_format.h"
#include "mannwhitney.h"
#include "results_read.h"

/* The outcome of one cell. */
typedef struct verdict {
  double a, b; /* medians of ns_per_op */
  double p;    /* U-test p-value, -1 when not tested */
  int tested;  /* 1 when there were enough repetitions to tell */
  int slower;  /* 1: B significantly slower; -1: faster; 0: neither */
} verdict;

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

/* Compares one cell present in both files. Returns 0, -ENOENT when either
 * side has no ns_per_op, or -ENOMEM. */
static int judge(const sb_rcell *ca, const sb_rcell *cb, verdict *v) {
  sb_rstat sa, sb;
  double *xa = NULL, *xb = NULL;
  int rc = -ENOENT;
  *v = (verdict){.p = -1};
  if (sb_rcell_stat(ca, "ns_per_op", &sa) != 0 ||
      sb_rcell_stat(cb, "ns_per_op", &sb) != 0)
    goto cleanup;
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
cleanup:
  free(xa);
  free(xb);
  return rc;
}

/* Lists, on one line, the cells of x that y does not have. */
static void only_in(const char *tag, const sb_results *x, const sb_results *y) {
  size_t n = 0;
  for (size_t i = 0; i < x->ncells; i++) {
    const char *name = x->cells[i].name;
    if (sb_results_cell(y, name) != NULL)
      continue;
    if (n == 0)
      printf("only in %s: %s", tag, name);
    else if (n < 6)
      printf(", %s", name);
    else if (n == 6)
      printf(", ...");
    n++;
  }
  if (n > 0)
    printf(" (%zu cell%s)\n", n, n == 1 ? "" : "s");
}

static int usage(void) {
  fprintf(stderr, "usage: switchbench compare A.json B.json "
                  "[--fail-above RATIO]\n");
  return 2;
}

/* Parses argv into the two paths and the gate. Returns 0 or 2. */
static int parse_args(int argc, char **argv, const char **pa, const char **pb,
                      double *gate) {
  int npaths = 0;
  *gate = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--fail-above") == 0 ||
        strncmp(argv[i], "--fail-above=", 13) == 0) {
      const char *val = argv[i][12] == '=' ? argv[i] + 13
                        : i + 1 < argc     ? argv[++i]
                                           : NULL;
      char *end = NULL;
      if (val != NULL)
        *gate = strtod(val, &end);
      if (val == NULL || end == val || *end != '\0' || !isfinite(*gate) ||
          *gate < 1) {
        fprintf(stderr,
                "switchbench: --fail-above takes a ratio B/A of at "
                "least 1 (such as 1.10), got '%s'\n",
                val ? val : "");
        return 2;
      }
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "switchbench: compare: unknown option '%s'\n", argv[i]);
      return usage();
    } else if (npaths < 2) {
      *(npaths++ == 0 ? pa : pb) = argv[i];
    } else {
      return usage();
    }
  }
  return npaths == 2 ? 0 : usage();
}

/* Writes one cell's row into t and counts it. */
static int add_row(sb_table *t, const char *name, const verdict *v, int rc,
                   double gate, int *tripped, int *counts) {
  char a[32] = "-", b[32] = "-", ratio[32] = "-", p[32] = "-";
  const char *what;
  if (rc == -ENOENT) {
    what = "no number on one side";
  } else {
    sb__fmt_ns(v->a, a, sizeof a);
    sb__fmt_ns(v->b, b, sizeof b);
    snprintf(ratio, sizeof ratio, "%.3f", v->a > 0 ? v->b / v->a : INFINITY);
    if (v->tested)
      snprintf(p, sizeof p, "%.4f", v->p);
    what = !v->tested      ? "too few repetitions to tell"
           : v->slower > 0 ? "slower (significant)"
           : v->slower < 0 ? "faster (significant)"
                           : "no significant difference";
    counts[v->tested ? v->slower + 1 : 3]++;
    if (gate > 0 && v->slower > 0 && v->b > gate * v->a) {
      what = "SLOWER beyond the gate";
      (*tripped)++;
    }
  }
  const char *row[] = {name, a, b, ratio, p, what};
  return sb__table_add(t, row);
}

int sb_cmd_compare(int argc, char **argv) {
  static const char *const head[] = {"cell", "A", "B", "B/A", "p", "verdict"};
  sb_results *ra = NULL, *rb = NULL;
  const char *pa = NULL, *pb = NULL;
  double gate;
  int rc, tripped = 0, counts[4] = {0};
  sb_table t = {0};

  if ((rc = parse_args(argc, argv, &pa, &pb, &gate)) != 0)
    return rc;
  if ((rc = sb__results_load(pa, &ra)) != 0 ||
      (rc = sb__results_load(pb, &rb)) != 0)
    goto cleanup;
  printf("switchbench compare (ns per op, medians; p: two-sided "
         "Mann-Whitney U over the repetitions, significant below %.2f)\n",
         SB_UTEST_ALPHA);
  machine_line("A", ra, stdout);
  machine_line("B", rb, stdout);
  machine_diff(ra, rb, stdout);
  putchar('\n');
  rc = 1;
  if (sb__table_init(&t, 6, head) != 0)
    goto oom;
  for (size_t i = 0; i < ra->ncells; i++) {
    const sb_rcell *ca = &ra->cells[i];
    const sb_rcell *cb = sb_results_cell(rb, ca->name);
    verdict v;
    if (cb == NULL)
      continue;
    int jr = judge(ca, cb, &v);
    if (jr == -ENOMEM ||
        add_row(&t, ca->name, &v, jr, gate, &tripped, counts) != 0)
      goto oom;
  }
  sb__table_print(&t, stdout, 0, "");
  only_in("A", ra, rb);
  only_in("B", rb, ra);
  printf("\n%zu cells in both: %d slower, %d faster (significant), %d no "
         "significant difference, %d too few repetitions to tell\n",
         t.nrows, counts[2], counts[0], counts[1], counts[3]);
  rc = 0;
  if (gate > 0) {
    printf("regression gate (B/A above %.3g, significant): %s\n", gate,
           tripped ? "TRIPPED" : "passed");
    if (tripped) {
      fprintf(stderr,
              "switchbench: %d cell%s slower than %.3gx A with "
              "significance\n",
              tripped, tripped == 1 ? " is" : "s are", gate);
      rc = 1;
    }
  }
  goto cleanup;
oom:
  fprintf(stderr, "switchbench: out of memory\n");
cleanup:
  sb__table_free(&t);
  sb_results_free(ra);
  sb_results_free(rb);
  return rc;
}
