/* The data behind each plot: one .dat file per picture (medians with the
 * repetitions' min and max as error bars), written for plots/<stem>.gp.
 * Which cells a picture shows is read from the role each workload declares
 * (switch, spawn, memory, io, cpu, pitfall) and its headline, never from
 * its name. A picture whose cells are not in the run is skipped with the
 * reason; a runtime with no figure in a picture is left out of it. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "face_format.h"
#include "face_internal.h"
#include "openloop_face.h"
#include "plot_data.h"

size_t sb__pd_runtimes(const sb_results *r, const char *workload,
                       const char **out) {
  size_t n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->workload, workload) == 0)
      n = sb__pd_add_runtime(out, n, c->runtime);
  }
  return n;
}

size_t sb__pd_add_runtime(const char **out, size_t n, const char *runtime) {
  size_t j = 0;
  while (j < n && strcmp(out[j], runtime) != 0)
    j++;
  if (j < n || n == SB_PD_MAX_RT)
    return n;
  /* Insertion keeps the display order: rank, then name. */
  int rk = sb_runtime_rank(runtime);
  for (j = n; j > 0; j--) {
    int pk = sb_runtime_rank(out[j - 1]);
    if (pk < rk || (pk == rk && strcmp(out[j - 1], runtime) < 0))
      break;
    out[j] = out[j - 1];
  }
  out[j] = runtime;
  return n + 1;
}

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

int sb__pd_has(const sb_rcell *c, const char *key) {
  sb_rstat st;
  return c != NULL && sb_rcell_stat(c, key, &st) == 0;
}

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

void sb__pd_quoted(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++)
    fputc(*s == '"' ? '\'' : *s, f);
  fputc('"', f);
}

void sb__pd_label(const sb_results *r, const char *workload,
                  const char *runtime, char *buf, size_t len) {
  const sb_rcell *c = sb_results_find(r, workload, runtime, NULL);
  snprintf(buf, len, "%s", runtime);
  if (c != NULL && !sb_rcell_spawn_join(c) && strncmp(runtime, "serial", 6))
    snprintf(buf + strlen(buf), len - strlen(buf), " (%s)", c->primitive);
}

size_t sb__pd_series(FILE *f, const sb_results *r, const sb_rcell *const *ws,
                     size_t n, int per_unit, const sb_rcell **like,
                     const char **rts) {
  const char *more[SB_PD_MAX_RT];
  size_t nrt = 0;
  for (size_t w = 0; w < n; w++) {
    char params[96] = "", title[160];
    like[w] = sb__pd_common(r, ws[w]->workload);
    if (like[w] != NULL)
      sb_rcell_params_str(like[w], params, sizeof params);
    snprintf(title, sizeof title, "%s%s%s%s%s%s", ws[w]->workload,
             params[0] ? " " : "", params, per_unit ? " (per " : "",
             per_unit ? ws[w]->unit : "", per_unit ? ")" : "");
    fputc(' ', f);
    sb__pd_quoted(f, title);
    fputs(" lo hi", f);
    size_t k = sb__pd_runtimes(r, ws[w]->workload, more);
    for (size_t j = 0; j < k; j++)
      nrt = sb__pd_add_runtime(rts, nrt, more[j]);
  }
  fputc('\n', f);
  return nrt;
}

/* (1) the switch picture: the kernel floor, then every switch workload
 * (a series each, on its most common parameters) on each runtime, ns per
 * op. The header row names the series (gnuplot's columnheader). */
int sb__pd_switch(const sb_results *r, const char *dir, char *vars, size_t vlen,
                  char *why, size_t len) {
  const sb_rcell *ws[SB_PD_MAX_SERIES], *like[SB_PD_MAX_SERIES];
  const char *rts[SB_PD_MAX_RT];
  size_t nw = sb__role_workloads(r, SB_ROLE_SWITCH, ws, SB_PD_MAX_SERIES);
  size_t nrt = 0, points = 0;
  int rc;
  FILE *f = sb__pd_open(dir, "switch.dat", &rc);
  if (f == NULL)
    return rc;
  fprintf(f, "# label, then median min max: the floor, then each switch "
             "workload, ns per op\n\"label\" \"kernel floor (ns per switch)\" "
             "lo hi");
  nrt = sb__pd_series(f, r, ws, nw, 1, like, rts);
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (!sb_rcell_is_floor(c) || !sb__pd_has(c, "ns_per_op"))
      continue;
    /* floor/futex/same-core -> "futex same-core" */
    char label[SB_PD_LABEL];
    snprintf(label, sizeof label, "%s",
             strchr(c->name, '/') ? strchr(c->name, '/') + 1 : c->name);
    for (char *s = label; *s; s++)
      *s = *s == '/' ? ' ' : *s;
    sb__pd_quoted(f, label);
    points += sb__pd_put(f, c, "ns_per_op", 1);
    for (size_t w = 0; w < nw; w++)
      fputs(" ? ? ?", f);
    fputc('\n', f);
  }
  for (size_t j = 0; j < nrt; j++) {
    const sb_rcell *cs[SB_PD_MAX_SERIES];
    int any = 0;
    for (size_t w = 0; w < nw; w++) {
      cs[w] =
          like[w] ? sb_results_find(r, ws[w]->workload, rts[j], like[w]) : NULL;
      any |= sb__pd_has(cs[w], "ns_per_op");
    }
    if (!any)
      continue;
    sb__pd_quoted(f, rts[j]);
    fputs(" ? ? ?", f);
    for (size_t w = 0; w < nw; w++)
      points += sb__pd_put(f, cs[w], "ns_per_op", 1);
    fputc('\n', f);
  }
  rc = sb__pd_close(f, 0);
  if (rc == 0 && points == 0)
    return sb__pd_skip(why, len, "no floor or switch cell in the run");
  snprintf(vars, vlen, "nseries=%zu", nw);
  return rc;
}

/* The cell of workload on runtime with the figure key and the largest
 * size, or NULL. */
static const sb_rcell *largest(const sb_results *r, const char *workload,
                               const char *runtime, const char *key) {
  const sb_rcell *big = NULL;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->workload, workload) == 0 &&
        strcmp(c->runtime, runtime) == 0 && sb__pd_has(c, key) &&
        (big == NULL || sb__size_of(c) > sb__size_of(big)))
      big = c;
  }
  return big;
}

/* (2) spawn cost per task (the lead spawn workload) and what a waiting
 * task holds (the memory workload's headline, each runtime's largest
 * size), each a block of its own holding the runtimes it has a figure
 * for; a spawn figure of another primitive (rayon's scope.spawn) is a
 * series of its own, labelled, never beside the spawn+join bars. */
int sb__pd_spawn(const sb_results *r, const char *dir, char *vars, size_t vlen,
                 char *why, size_t len) {
  const char *rts[SB_PD_MAX_RT];
  const sb_rcell *sw = sb__role_lead(r, SB_ROLE_SPAWN, NULL);
  const sb_rcell *mem = sb__role_lead(r, SB_ROLE_MEMORY, NULL);
  const sb_rcell *like = sw ? sb__pd_common(r, sw->workload) : NULL;
  size_t n = like ? sb__pd_runtimes(r, sw->workload, rts) : 0;
  int rc, spawned = 0, held = 0, others = 0;
  if (sw == NULL && mem == NULL)
    return sb__pd_skip(why, len, "no spawn or memory cell in the run");
  FILE *f = sb__pd_open(dir, "spawn.dat", &rc);
  if (f == NULL)
    return rc;
  fprintf(f, "# index 0: runtime, spawn+join ns per task (med lo hi), "
             "another primitive's (med lo hi)\n");
  for (size_t j = 0; j < n; j++) {
    const sb_rcell *sp = sb_results_find(r, sw->workload, rts[j], like);
    int other = sp != NULL && !sb_rcell_spawn_join(sp);
    if (!sb__pd_has(sp, "ns_per_op"))
      continue;
    char label[SB_PD_LABEL];
    sb__pd_label(r, sw->workload, rts[j], label, sizeof label);
    sb__pd_quoted(f, label);
    spawned += sb__pd_put(f, other ? NULL : sp, "ns_per_op", 1);
    others += sb__pd_put(f, other ? sp : NULL, "ns_per_op", 1);
    fputc('\n', f);
  }
  if (spawned + others == 0)
    fputs("\"none\" ? ? ? ? ? ?\n", f);
  fprintf(f, "\n\n# index 1: runtime, held per waiting task (med lo hi), "
             "at size\n");
  n = mem ? sb__pd_runtimes(r, mem->workload, rts) : 0;
  for (size_t j = 0; j < n; j++) {
    const sb_rcell *big = largest(r, mem->workload, rts[j], mem->headline);
    if (big == NULL)
      continue;
    sb__pd_quoted(f, rts[j]);
    held += sb__pd_put(f, big, mem->headline, 1);
    fprintf(f, " %.0f\n", sb__size_of(big));
  }
  if (held == 0)
    fputs("\"none\" ? ? ? 0\n", f);
  rc = sb__pd_close(f, 0);
  if (rc == 0 && spawned + held + others == 0)
    return sb__pd_skip(why, len, "no figure in the spawn and memory cells");
  char pa[96] = "", held_what[96] = "";
  if (like != NULL)
    sb_rcell_params_str(like, pa, sizeof pa);
  if (mem != NULL) {
    sb_figure f2 = sb__headline(mem);
    snprintf(held_what, sizeof held_what, "%s (%s, largest %s each)", f2.what,
             mem->workload, sb__size_param(mem));
  }
  snprintf(vars, vlen,
           "spawn_title='%s %s'; held_title='%s'; have_spawn=%d; "
           "have_memory=%d; have_other=%d",
           sw ? sw->workload : "", pa, held_what, spawned + others > 0,
           held > 0, others > 0);
  return rc;
}

const sb_plot_info sb__plots[] = {
    {SB_ROLE_SWITCH, "What does a switch cost? Kernel floor and runtimes"},
    {SB_ROLE_SPAWN, "What do a spawn and a waiting task cost?"},
    {SB_ROLE_IO, "Waiting on I/O: throughput and tail latency against load"},
    {SB_ROLE_CPU, "CPU-bound work: speed-up and grain efficiency (METG)"},
    {"pitfalls", "Pitfalls: what a blocking call does to the other tasks"},
    {"openloop", "Open loop: tail latency against offered load"},
};
const size_t sb__nplots = sizeof(sb__plots) / sizeof(sb__plots[0]);

int sb__plot_data(size_t i, const sb_results *r, const char *dir, char *vars,
                  size_t vlen, char *why, size_t len) {
  static int (*const writers[])(const sb_results *, const char *, char *,
                                size_t, char *, size_t) = {
      sb__pd_switch, sb__pd_spawn, sb__pd_io, sb__pd_cpu, sb__pd_pitfalls,
      sb__pd_openloop};
  if (i >= sb__nplots)
    return -EINVAL;
  vars[0] = '\0';
  return writers[i](r, dir, vars, vlen, why, len);
}
