/* The data behind each plot: one .dat file per picture (medians with the
 * repetitions' min and max as error bars), written for plots/<stem>.gp.
 * A picture whose cells are not in the run is skipped with the reason. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "face_format.h"
#include "face_internal.h"
#include "plot_data.h"

/* The runtimes that have a cell of workload, in display order. */
size_t sb__pd_runtimes(const sb_results *r, const char *workload,
                       const char **out) {
  size_t n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    size_t j = 0;
    if (strcmp(c->workload, workload) != 0)
      continue;
    while (j < n && strcmp(out[j], c->runtime) != 0)
      j++;
    if (j < n || n == SB_PD_MAX_RT)
      continue;
    /* Insertion keeps the display order: rank, then name. */
    int rk = sb_runtime_rank(c->runtime);
    for (j = n; j > 0; j--) {
      int pk = sb_runtime_rank(out[j - 1]);
      if (pk < rk || (pk == rk && strcmp(out[j - 1], c->runtime) < 0))
        break;
      out[j] = out[j - 1];
    }
    out[j] = c->runtime;
    n++;
  }
  return n;
}

/* The cell whose parameter set has the most ok cells of workload (first
 * in file order on ties), or NULL when none is ok. */
const sb_rcell *sb__pd_common(const sb_results *r, const char *workload) {
  const sb_rcell *best = NULL;
  size_t best_n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    size_t n = 0;
    if (strcmp(c->workload, workload) != 0 || strcmp(c->status, "ok") != 0)
      continue;
    for (size_t j = 0; j < r->ncells; j++)
      n += strcmp(r->cells[j].workload, workload) == 0 &&
           strcmp(r->cells[j].status, "ok") == 0 &&
           sb_rcell_same_params(&r->cells[j], c);
    if (n > best_n)
      best = c, best_n = n;
  }
  return best;
}

/* Writes " med lo hi" of key in c scaled by scale, or " ? ? ?" when the
 * cell has no such figure. Returns 1 when a figure was written. */
int sb__pd_put(FILE *f, const sb_rcell *c, const char *key, double scale) {
  sb_rstat st;
  if (c == NULL || sb_rcell_stat(c, key, &st) != 0) {
    fputs(" ? ? ?", f);
    return 0;
  }
  fprintf(f, " %.6g %.6g %.6g", st.median * scale, st.min * scale,
          st.max * scale);
  return 1;
}

/* The data file dir/name, opened for writing. */
FILE *sb__pd_open(const char *dir, const char *name, int *rc) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  *rc = f == NULL ? -errno : 0;
  return f;
}

int sb__pd_close(FILE *f, int rc) {
  if (f != NULL && fclose(f) != 0 && rc == 0)
    rc = -EIO;
  return rc;
}

int sb__pd_skip(char *why, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, len, fmt, ap);
  va_end(ap);
  return -ENODATA;
}

/* (1) the switch picture: the kernel floor and pingpong/yield/ring on each
 * runtime, ns per switch. */
int sb__pd_switch(const sb_results *r, const char *dir, char *vars, size_t vlen,
                  char *why, size_t len) {
  static const char *const wl[] = {"pingpong", "yield", "ring"};
  const sb_rcell *like[3];
  const char *rts[SB_PD_MAX_RT];
  char params[3][96];
  size_t nrt = 0, points = 0;
  int rc;
  for (int w = 0; w < 3; w++) {
    like[w] = sb__pd_common(r, wl[w]);
    params[w][0] = '\0';
    if (like[w] != NULL)
      sb_rcell_params_str(like[w], params[w], sizeof params[w]);
  }
  FILE *f = sb__pd_open(dir, "switch.dat", &rc);
  if (f == NULL)
    return rc;
  fprintf(f, "# label floor(med lo hi) pingpong(med lo hi) yield(...) "
             "ring(...), ns per switch\n");
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->workload, "floor") != 0)
      continue;
    /* floor/futex/same-core -> "futex same-core" */
    const char *label =
        strchr(c->name, '/') ? strchr(c->name, '/') + 1 : c->name;
    fprintf(f, "\"");
    for (const char *s = label; *s; s++)
      fputc(*s == '/' ? ' ' : *s == '"' ? '\'' : *s, f);
    fprintf(f, "\"");
    points += sb__pd_put(f, c, "ns_per_op", 1);
    fputs(" ? ? ? ? ? ? ? ? ?\n", f);
  }
  const char *all[SB_PD_MAX_RT * 3];
  for (int w = 0; w < 3; w++) {
    size_t k = sb__pd_runtimes(r, wl[w], rts);
    for (size_t j = 0; j < k; j++) {
      size_t m = 0;
      while (m < nrt && strcmp(all[m], rts[j]) != 0)
        m++;
      if (m == nrt && nrt < SB_PD_MAX_RT)
        all[nrt++] = rts[j];
    }
  }
  for (size_t j = 0; j < nrt; j++) {
    fprintf(f, "\"%s\" ? ? ?", all[j]);
    for (int w = 0; w < 3; w++)
      points += sb__pd_put(
          f, like[w] ? sb_results_find(r, wl[w], all[j], like[w]) : NULL,
          "ns_per_op", 1);
    fputc('\n', f);
  }
  rc = sb__pd_close(f, 0);
  if (rc == 0 && points == 0)
    return sb__pd_skip(why, len,
                       "no floor, pingpong, yield or ring cell in the run");
  snprintf(vars, vlen,
           "pingpong_params='%s'; yield_params='%s'; "
           "ring_params='%s'",
           params[0], params[1], params[2]);
  return rc;
}

void sb__pd_label(const sb_results *r, const char *workload,
                  const char *runtime, char *buf, size_t len) {
  const sb_rcell *c = sb_results_find(r, workload, runtime, NULL);
  snprintf(buf, len, "%s", runtime);
  if (c != NULL && !sb_rcell_spawn_join(c) && strncmp(runtime, "serial", 6))
    snprintf(buf + strlen(buf), len - strlen(buf), " (%s)", c->primitive);
}

/* (2) spawn cost per task and memory per waiting task, per runtime; a
 * spawn figure of another primitive (rayon's scope.spawn) is a series of
 * its own, labelled, never beside the spawn+join bars. */
int sb__pd_spawn(const sb_results *r, const char *dir, char *vars, size_t vlen,
                 char *why, size_t len) {
  const char *rts[SB_PD_MAX_RT], *more[SB_PD_MAX_RT];
  const sb_rcell *like = sb__pd_common(r, "spawn");
  size_t n = sb__pd_runtimes(r, "spawn", rts),
         m = sb__pd_runtimes(r, "million", more);
  int rc, spawned = 0, held = 0, others = 0;
  for (size_t j = 0; j < m; j++) {
    size_t k = 0;
    while (k < n && strcmp(rts[k], more[j]) != 0)
      k++;
    if (k == n && n < SB_PD_MAX_RT)
      rts[n++] = more[j];
  }
  FILE *f = sb__pd_open(dir, "spawn.dat", &rc);
  if (f == NULL)
    return rc;
  fprintf(f, "# runtime spawn-ns-per-task(med lo hi) "
             "bytes-per-waiting-task(med lo hi) million-n "
             "other-primitive-spawn-ns(med lo hi)\n");
  for (size_t j = 0; j < n; j++) {
    /* Memory per task from the runtime's largest million cell. */
    const sb_rcell *big = NULL;
    for (size_t i = 0; i < r->ncells; i++) {
      const sb_rcell *c = &r->cells[i];
      sb_rstat st;
      if (strcmp(c->workload, "million") == 0 &&
          strcmp(c->runtime, rts[j]) == 0 &&
          sb_rcell_stat(c, "rss_per_task_bytes", &st) == 0 &&
          (big == NULL ||
           sb_rcell_param(c, "n", 0) > sb_rcell_param(big, "n", 0)))
        big = c;
    }
    const sb_rcell *sp =
        like ? sb_results_find(r, "spawn", rts[j], like) : NULL;
    int other = sp != NULL && !sb_rcell_spawn_join(sp);
    char label[64];
    sb__pd_label(r, "spawn", rts[j], label, sizeof label);
    fprintf(f, "\"%s\"", label);
    spawned += sb__pd_put(f, other ? NULL : sp, "ns_per_op", 1);
    held += sb__pd_put(f, big, "rss_per_task_bytes", 1);
    fprintf(f, " %.0f", big ? sb_rcell_param(big, "n", 0) : 0);
    others += sb__pd_put(f, other ? sp : NULL, "ns_per_op", 1);
    fputc('\n', f);
  }
  rc = sb__pd_close(f, 0);
  if (rc == 0 && spawned + held + others == 0)
    return sb__pd_skip(why, len, "no spawn or million cell in the run");
  char pa[96] = "";
  if (like != NULL)
    sb_rcell_params_str(like, pa, sizeof pa);
  snprintf(vars, vlen,
           "spawn_params='%s'; have_spawn=%d; have_memory=%d; have_other=%d",
           pa, spawned + others > 0, held > 0, others > 0);
  return rc;
}

const sb_plot_info sb__plots[] = {
    {"switch", "What does a switch cost? Kernel floor and runtimes"},
    {"spawn", "What do a spawn and a waiting task cost?"},
    {"echo", "Echo over TCP: throughput and p99 against connections"},
    {"cpu", "CPU-bound work: speed-up and grain efficiency (METG)"},
    {"pitfalls", "Pitfalls: blocking the executor, blocking timers"},
};
const size_t sb__nplots = sizeof(sb__plots) / sizeof(sb__plots[0]);

int sb__plot_data(size_t i, const sb_results *r, const char *dir, char *vars,
                  size_t vlen, char *why, size_t len) {
  static int (*const writers[])(const sb_results *, const char *, char *,
                                size_t, char *, size_t) = {
      sb__pd_switch, sb__pd_spawn, sb__pd_echo, sb__pd_cpu, sb__pd_pitfalls};
  if (i >= sb__nplots)
    return -EINVAL;
  vars[0] = '\0';
  return writers[i](r, dir, vars, vlen, why, len);
}
