/* The report's fairness section: the measurement protocol every side
 * follows (a link to workloads/PROTOCOL.md), the settings every cell ran
 * with, each difference that cannot be made equal (PROTOCOL.md 9) with its
 * reason and the cells of this run it touches, and how each peer cell was
 * pinned. Everything but the reasons is read from the run. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face_internal.h"

#ifndef SB_PROTOCOL_MD
#define SB_PROTOCOL_MD "workloads/PROTOCOL.md"
#endif

/* One remaining difference: its reason, and which cells it touches, told
 * by what the cells declare (role, headline, parameters), not by name. */
typedef struct difference {
  const char *what;            /* the difference and its reason */
  const char *const *runtimes; /* the runtimes it concerns (NULL: none) */
  const char *kind;            /* only cells of this role (NULL: any) */
  const char *headline;        /* only cells read by this counter */
  const char *param;           /* only cells that have this parameter */
  int toggled;                 /* only a pitfall's case with its switch 1 */
  int pinned;                  /* only cells run with a CPU list */
} difference;

static const char *const go[] = {"go", NULL};
static const char *const rust_async[] = {
    "tokio-mt",  "tokio-ct",      "smol-local", "smol-mt",
    "async-std", "futures-local", NULL};
static const char *const bounded_one[] = {
    "smol-local", "smol-mt", "async-std", "futures-local", "std-thread", NULL};
static const char *const no_hook[] = {"async-std", "go", NULL};
static const char *const everyone[] = {"*", NULL};

static const difference differences[] = {
    {"Go's blocking sleep does not block an executor: a goroutine in a "
     "blocking nanosleep has its P handed to another thread (sysmon, after "
     "about 20 µs), so timers blocking:1 cannot show the pitfall on Go. "
     "That is Go's design, not a flaw of the cell.",
     go, SB_ROLE_PITFALL, "late_p99_ns", NULL, 1, 0},
    /* A recursion's cells have a cutoff parameter. */
    {"Rust boxes recursive futures: fib recurses through async, which needs "
     "a boxed future per call in Rust; the C futures are fixed-size structs "
     "copied into the task.",
     rust_async, NULL, NULL, "cutoff", 0, 0},
    {"The Rust async peers spawn the body: each run's body is one spawned "
     "task inside block_on, one spawn and join per run that work_tasks does "
     "not count.",
     rust_async, NULL, NULL, NULL, 0, 0},
    /* A bounded channel's cells have a capacity parameter. */
    {"Channels: smol, async-std, futures-local and std-thread reply over a "
     "bounded channel of one where tokio has a oneshot; the C workqueue "
     "carries its reply slot in a table.",
     bounded_one, NULL, NULL, "cap", 0, 0},
    {"Pinning: async-std and Go give no hook on their worker threads, so a "
     "CPU list confines their process instead of binding each worker.",
     no_hook, NULL, NULL, NULL, 0, 1},
    {"futures-local has no reactor: it runs no echo, ring or timers cell.",
     NULL, NULL, NULL, NULL, 0, 0},
    {"No peer runs grain, blocking or files.", NULL, NULL, NULL, NULL, 0, 0},
    {"Three compilers build fib's leaf work: read a runtime's cost per task "
     "against the serial row of its own language (fib/serial, "
     "fib/serial-rust, fib/serial-go; the fib table subtracts it).",
     everyone, NULL, NULL, "cutoff", 0, 0},
};

static int among(const char *const *list, const char *s) {
  for (; list != NULL && *list != NULL; list++)
    if (strcmp(*list, "*") == 0 || strcmp(*list, s) == 0)
      return 1;
  return 0;
}

static int touches(const sb_results *r, const difference *d,
                   const sb_rcell *c) {
  const char *sw = d->toggled ? sb__toggle_param(r, c) : NULL;
  return strcmp(c->status, "ok") == 0 && among(d->runtimes, c->runtime) &&
         (d->kind == NULL || sb__is_role(c, d->kind)) &&
         (d->headline == NULL || strcmp(c->headline, d->headline) == 0) &&
         (d->param == NULL || !isnan(sb_rcell_param(c, d->param, NAN))) &&
         (!d->toggled || (sw != NULL && sb_rcell_param(c, sw, -1) == 1)) &&
         (!d->pinned || c->cpus[0] != '\0');
}

/* How peer cell c was placed on CPUs. */
static const char *pinned_how(const sb_rcell *c) {
  if (c->cpus[0] == '\0')
    return "not pinned: the kernel places its threads";
  if (c->cpus_limit > 0)
    return "the whole process confined to the list (/cpus:N)";
  /* A peer's io cell is a server the harness's load generator drives. */
  if (sb__is_role(c, SB_ROLE_IO))
    return "its server process confined to the list; the load generator "
           "runs in the harness";
  if (strcmp(c->runtime, "tokio-mt") == 0 || strcmp(c->runtime, "rayon") == 0)
    return "each worker pinned to its CPU (thread-start hook), the process "
           "confined to the list";
  if (among(no_hook, c->runtime))
    return "no worker hook: the process confined to the list";
  if (strcmp(c->runtime, "std-thread") == 0)
    return "every thread confined to the whole list";
  return "one thread: the process confined to the list";
}

/* The path from the report's directory to PROTOCOL.md, for the link. */
static void protocol_link(const char *report, char *buf, size_t len) {
  char dir[PATH_MAX], target[PATH_MAX], *slash;
  snprintf(buf, len, "%s", SB_PROTOCOL_MD);
  if (realpath(SB_PROTOCOL_MD, target) == NULL)
    return;
  snprintf(dir, sizeof dir, "%s", report);
  if ((slash = strrchr(dir, '/')) != NULL)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  char abs[PATH_MAX];
  if (realpath(dir, abs) == NULL)
    return;
  /* Common prefix, then one ../ per directory left in the report's. */
  size_t k = 0, cut = 0;
  while (abs[k] != '\0' && abs[k] == target[k]) {
    if (abs[k] == '/')
      cut = k;
    k++;
  }
  if (abs[k] == '\0' && target[k] == '/')
    cut = k;
  size_t at = 0;
  buf[0] = '\0';
  for (const char *s = abs + cut; *s != '\0' && at < len; s++)
    if (*s == '/')
      at += (size_t)snprintf(buf + at, len - at, "../");
  if (at < len)
    snprintf(buf + at, len - at, "%s", target + cut + 1);
}

/* The settings every measured cell ran with, or the cells that differ. */
static void settings(const sb_results *r, FILE *out) {
  const sb_rcell *first = NULL;
  size_t differ = 0, n = 0;
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (sb_rcell_is_floor(c) || c->warmup < 0)
      continue;
    n++;
    if (first == NULL)
      first = c;
    else if (c->warmup != first->warmup || c->min_time != first->min_time ||
             c->repetitions != first->repetitions)
      differ++;
  }
  if (first == NULL) {
    fprintf(out, "- The results file does not record each cell's settings "
                 "(written before they were recorded).\n");
    return;
  }
  size_t measured = 0;
  for (size_t i = 0; i < r->ncells; i++)
    measured += !sb_rcell_is_floor(&r->cells[i]);
  fprintf(out,
          "- Settings (recorded by %zu of the %zu measured cells): %d untimed "
          "warm-up run%s, then %d repetition%s of at least %.3g s of timed "
          "runs each, every counter reset at the start of each repetition.\n",
          n, measured, first->warmup, first->warmup == 1 ? "" : "s",
          first->repetitions, first->repetitions == 1 ? "" : "s",
          first->min_time);
  if (differ)
    fprintf(out, "- %zu cells ran with other settings: see their entries.\n",
            differ);
}

void sb__report_fairness(const sb_results *r, const char *report, FILE *out) {
  char link[PATH_MAX];
  protocol_link(report, link, sizeof link);
  fprintf(out,
          "## Fairness\n\n"
          "Every side (the C runtimes, the Rust and the Go peers) follows one "
          "measurement protocol: [workloads/PROTOCOL.md](%s). The harness "
          "checks every run's checksum and every repetition's work (tasks, "
          "messages, connections) against the workload's closed form; a cell "
          "whose work differs fails with the reason. One load generator (the "
          "C one) drives every echo server, peers included.\n\n",
          link);
  settings(r, out);
  fprintf(out, "\n### What cannot be made equal\n\n");
  for (size_t i = 0; i < sizeof differences / sizeof differences[0]; i++) {
    const difference *d = &differences[i];
    size_t hit = 0;
    const char *one = NULL;
    for (size_t k = 0; k < r->ncells; k++)
      if (touches(r, d, &r->cells[k]) && hit++ == 0)
        one = r->cells[k].name;
    fprintf(out, "- %s", d->what);
    if (d->runtimes != NULL && hit > 0)
      fprintf(out, " In this run: %zu cell%s (%s%s).", hit, hit == 1 ? "" : "s",
              one, hit > 1 ? ", ..." : "");
    else if (d->runtimes != NULL)
      fprintf(out, " No cell of this run is concerned.");
    fputc('\n', out);
  }
  size_t peers = 0;
  for (size_t i = 0; i < r->ncells; i++)
    peers += strcmp(r->cells[i].source, "peer") == 0;
  if (peers == 0) {
    fprintf(out, "\nNo peer cell in this run.\n\n");
    return;
  }
  fprintf(out, "\n### How each peer cell was pinned\n\n"
               "| cell | pin | CPUs | how |\n|---|---|---|---|\n");
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    if (strcmp(c->source, "peer") == 0)
      fprintf(out, "| %s | %s | %s | %s |\n", c->name, c->pin[0] ? c->pin : "-",
              c->cpus[0] ? c->cpus : "-", pinned_how(c));
  }
  fputc('\n', out);
}
