/* The matrix: runs every pending cell in a child process under the
 * watchdog (a peer's own `run`, or `switchbench cell` for C cells, the
 * fib/serial row and a peer's echo server), checks its work counts, merges
 * what it reports into the results document and writes the document
 * atomically after each cell, so an interrupted run keeps every finished
 * cell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "runtimes/os/topo.h"

/* What came of one cell, as the matrix records it. */
typedef struct outcome {
  char status[16];            /* "ok", "failed", "timeout", "crashed", ... */
  char reason[SB_REASON_LEN]; /* why, when not ok */
  char checksum[24];          /* "0x..." of the runs, "" if none */
  json_t *entries;            /* benchmark entries (owned), or NULL */
  json_t *context;            /* the child's context (owned), or NULL */
  double seconds;             /* wall time of the child */
} outcome;

static void set(outcome *o, const char *status, const char *reason) {
  snprintf(o->status, sizeof o->status, "%s", status);
  snprintf(o->reason, sizeof o->reason, "%s", reason);
}

/* Reads a cell's Google Benchmark JSON: entries, or the error it reports;
 * then checks the work of every repetition. */
static void read_cell_json(const char *path, const sb_cell *c, outcome *o) {
  json_error_t err;
  json_t *d = json_load_file(path, 0, &err);
  json_t *list = json_object_get(d, "benchmarks");
  if (d == NULL || !json_is_array(list) || json_array_size(list) == 0) {
    set(o, "failed", d == NULL ? "no result (unreadable JSON)" : "no result");
    json_decref(d);
    return;
  }
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    if (json_is_true(json_object_get(e, "error_occurred"))) {
      const char *msg = json_string_value(json_object_get(e, "error_message"));
      msg = msg != NULL ? msg : "error";
      if (strncmp(msg, "skipped: ", 9) == 0)
        set(o, "skipped", msg + 9);
      else
        set(o, "failed", msg);
      json_decref(d);
      return;
    }
    const char *label = json_string_value(json_object_get(e, "label"));
    if (o->checksum[0] == '\0' && label != NULL &&
        strncmp(label, "checksum=", 9) == 0)
      snprintf(o->checksum, sizeof o->checksum, "%s", label + 9);
  }
  char why[SB_REASON_LEN];
  if (sb__work_check(list, c, why, sizeof why) != 0) {
    set(o, "failed", why);
    json_decref(d);
    return;
  }
  set(o, "ok", "");
  o->entries = json_incref(list);
  o->context = json_incref(json_object_get(d, "context"));
  json_decref(d);
}

/* Turns how a child ended into a status when it did not end well. Returns 1
 * when the child exited 0 and its output should be read. */
static int judge(const sb_child_result *r, const char *err_path, outcome *o) {
  char last[SB_REASON_LEN - 64];
  sb__last_line(err_path, last, sizeof last);
  char reason[SB_REASON_LEN];
  switch (r->status) {
  case SB_CHILD_EXITED:
    if (r->code == 0)
      return 1;
    if (r->code == SB_EXIT_SKIP) { /* the peer says why it cannot run */
      set(o, "skipped", last[0] ? last : "skipped by the peer");
      return 0;
    }
    snprintf(reason, sizeof reason, "exit code %d%s%s", r->code,
             last[0] ? ": " : "", last);
    set(o, "failed", reason);
    return 0;
  case SB_CHILD_SIGNALED:
    snprintf(reason, sizeof reason, "killed by signal %d (%s)%s%s", r->code,
             strsignal(r->code), last[0] ? ": " : "", last);
    set(o, "crashed", reason);
    return 0;
  case SB_CHILD_TIMEOUT:
    snprintf(reason, sizeof reason, "no result after %d s: killed", r->code);
    set(o, "timeout", reason);
    return 0;
  case SB_CHILD_INTERRUPTED:
    set(o, "pending", "");
    return 0;
  case SB_CHILD_NOSTART:
    snprintf(reason, sizeof reason, "cannot start: %s", strerror(r->code));
    set(o, "failed", reason);
    return 0;
  }
  return 0;
}

/* A peer's own `run`, confined to the cell's CPU list. */
static void run_peer(const sb_cell *c, const sb_run_opts *ro, const char *json,
                     const char *err, outcome *o) {
  int cpus[SB_MAX_CPUS];
  int ncpus = sb__cell_cpus(c, ro->pin, cpus, SB_MAX_CPUS);
  if (ncpus < 0) {
    set(o, "failed", "cannot compute the cell's CPU list");
    return;
  }
  char list[8192], *argv[64], store[12288];
  sb__cpus_format(cpus, ncpus, list, sizeof list);
  sb_peer_settings st = {
      .reps = ro->repetitions, .min_time = ro->min_time, .cpus = list};
  if (sb__peer_argv(c, &st, argv, 64, store, sizeof store)) {
    set(o, "failed", "peer command line too long");
    return;
  }
  sb_child_result r;
  sb__child_run(argv, json, err, cpus, ncpus, ro->timeout, sb__progress_tick,
                &r);
  o->seconds = r.seconds;
  if (!judge(&r, err, o))
    return;
  if (sb__peer_collect(json, c, ro->repetitions, &o->entries, o->checksum,
                       sizeof o->checksum, o->reason, sizeof o->reason) == 0)
    set(o, "ok", "");
  else
    snprintf(o->status, sizeof o->status, "failed");
}

static void run_one(const sb_cell *c, const sb_run_opts *ro, const char *dir,
                    outcome *o) {
  char json[4096], err[4096], exe[32];
  snprintf(json, sizeof json, "%s/cell.json", dir);
  snprintf(err, sizeof err, "%s/cell.err", dir);
  unlink(json);
  if (c->source == SB_SOURCE_PEER &&
      (c->peer < 0 || !sb__peers[c->peer].present || c->w == NULL)) {
    set(o, "skipped", "peer binary not found");
    return;
  }
  if (c->source == SB_SOURCE_PEER && !sb__peer_served(c)) {
    run_peer(c, ro, json, err, o);
    return;
  }
  /* The magic link, not the path it names: it stays valid even if the
   * binary is rebuilt while the matrix runs. */
  snprintf(exe, sizeof exe, "/proc/self/exe");
  char reps[16], min_time[32], workers[16];
  snprintf(reps, sizeof reps, "%d", ro->repetitions);
  snprintf(min_time, sizeof min_time, "%.9g", ro->min_time);
  snprintf(workers, sizeof workers, "%d", c->workers);
  char cmd[] = "cell", o_json[] = "--json", o_reps[] = "--repetitions",
       o_min[] = "--min-time", o_workers[] = "--workers", o_pin[] = "--pin",
       o_peer[] = "--peer";
  char pin[16], peer[sizeof sb__peers[0].path];
  snprintf(pin, sizeof pin, "%s", sb_pin_name(ro->pin));
  char name[SB_CELL_NAME_LEN];
  snprintf(name, sizeof name, "%s", c->name);
  char *argv[] = {exe,  cmd,   name,     o_json,    json,    o_reps,
                  reps, o_min, min_time, o_workers, workers, o_pin,
                  pin,  NULL,  NULL,     NULL};
  if (c->source == SB_SOURCE_PEER) { /* a peer's echo server, driven here */
    snprintf(peer, sizeof peer, "%s", sb__peers[c->peer].path);
    argv[13] = o_peer;
    argv[14] = peer;
  }
  sb_child_result r;
  sb__child_run(argv, "/dev/null", err, NULL, 0, ro->timeout, sb__progress_tick,
                &r);
  o->seconds = r.seconds;
  if (judge(&r, err, o))
    read_cell_json(json, c, o);
}

int sb__matrix_run(json_t *doc, const sb_run_opts *ro, const sb_cell *cells,
                   size_t n, const char *path, size_t *failed) {
  /* The children's output goes to a private directory (under $TMPDIR). */
  const char *tmp = getenv("TMPDIR");
  char dir[2048];
  if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 1024)
    tmp = "/tmp";
  snprintf(dir, sizeof dir, "%s/switchbench-XXXXXX", tmp);
  if (mkdtemp(dir) == NULL) {
    fprintf(stderr, "switchbench: cannot make a temporary directory: %s\n",
            strerror(errno));
    return 1;
  }
  size_t done = 0;
  for (size_t i = 0; i < n; i++)
    done += strcmp(sb__doc_status(doc, i), "pending") != 0;
  sb__progress_start(n, done);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (strcmp(sb__doc_status(doc, i), "pending") != 0)
      continue;
    if (sb__child_interrupted()) {
      rc = 130;
      break;
    }
    sb__progress_cell(cells[i].name);
    outcome o;
    memset(&o, 0, sizeof o);
    run_one(&cells[i], ro, dir, &o);
    if (strcmp(o.status, "pending") == 0) { /* interrupted mid-cell */
      json_decref(o.entries);
      json_decref(o.context);
      rc = 130;
      break;
    }
    if (strcmp(o.status, "ok") != 0) {
      json_decref(o.entries);
      o.entries = NULL;
    }
    sb__doc_cell_done(doc, i, o.status, o.reason, o.seconds, o.checksum,
                      o.entries, o.context);
    json_decref(o.context);
    sb__progress_done(cells[i].name, o.status, o.seconds, o.reason);
    int wrc = sb__doc_write(doc, path);
    if (wrc != 0) {
      fprintf(stderr, "switchbench: cannot write %s: %s\n", path,
              strerror(-wrc));
      rc = 1;
    }
  }
  sb__progress_end();
  *failed = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = sb__doc_status(doc, i);
    *failed += strcmp(s, "failed") == 0 || strcmp(s, "timeout") == 0 ||
               strcmp(s, "crashed") == 0;
  }
  char f[4096];
  snprintf(f, sizeof f, "%s/cell.json", dir);
  unlink(f);
  snprintf(f, sizeof f, "%s/cell.err", dir);
  unlink(f);
  rmdir(dir);
  return rc;
}
