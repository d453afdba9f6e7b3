/* Peer binaries (Rust, Go): where they live, and what `PEER list` says they
 * run: lines "workload runtime primitive" (an older peer prints two
 * columns: spawn+join). How each peer runtime's worker threads follow
 * --workers is a table here (PROTOCOL.md 7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef SB_SOURCE_DIR
#define SB_SOURCE_DIR "."
#endif

sb_peer sb__peers[SB_MAX_PEERS] = {{.lang = "rust"}, {.lang = "go"}};

/* Where each binary lives in the source tree, and the variable that
 * overrides it (tests point these at a fake peer). */
static const struct {
  const char *rel; /* path under the source tree */
  const char *env; /* override */
} where[SB_MAX_PEERS] = {
    {"peers/rust/target/release/sb-peer-rust", "SB_PEER_RUST"},
    {"peers/go/sb-peer-go", "SB_PEER_GO"},
};

/* The peer runtimes whose worker count is not one thread (others: one). */
static const struct {
  const char *runtime;
  sb_peer_workers how;
} worker_table[] = {
    {"tokio-mt", SB_PEER_WORKERS_FOLLOW},
    {"async-std", SB_PEER_WORKERS_FOLLOW},
    {"rayon", SB_PEER_WORKERS_FOLLOW},
    {"go", SB_PEER_WORKERS_FOLLOW},
    {"smol-mt", SB_PEER_WORKERS_FOLLOW},
    {"std-thread", SB_PEER_WORKERS_PER_TASK},
};

sb_peer_workers sb__peer_workers(const char *runtime) {
  for (size_t i = 0; i < sizeof worker_table / sizeof worker_table[0]; i++)
    if (strcmp(worker_table[i].runtime, runtime) == 0)
      return worker_table[i].how;
  return SB_PEER_WORKERS_ONE;
}

int sb__peer_runtime(const char *runtime) {
  for (int i = 0; i < SB_MAX_PEERS; i++)
    for (int k = 0; sb__peers[i].present && k < sb__peers[i].npairs; k++)
      if (strcmp(sb__peers[i].pairs[k].runtime, runtime) == 0)
        return i;
  return -1;
}

const char *sb__peer_primitive(int peer, const char *workload,
                               const char *runtime) {
  const sb_peer *p = peer >= 0 && peer < SB_MAX_PEERS ? &sb__peers[peer] : NULL;
  for (int k = 0; p != NULL && k < p->npairs; k++)
    if (strcmp(p->pairs[k].workload, workload) == 0 &&
        strcmp(p->pairs[k].runtime, runtime) == 0)
      return p->pairs[k].primitive;
  return SB_PRIM_SPAWN_JOIN;
}

int sb__peer_served(const sb_cell *c) {
  return c->source == SB_SOURCE_PEER && c->w == &sb_workload_echo;
}

/* 1 for a primitive the protocol names (section 7). */
static int known_primitive(const char *s) {
  static const char *const all[] = {SB_PRIM_SPAWN_JOIN, "join", "scope-spawn",
                                    SB_PRIM_SERIAL};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (strcmp(all[i], s) == 0)
      return 1;
  return 0;
}

/* Adds one pair; the primitive defaults to spawn+join. */
static void add_pair(sb_peer *p, const char *w, const char *r,
                     const char *prim) {
  if (p->npairs == (int)(sizeof p->pairs / sizeof p->pairs[0]))
    return;
  snprintf(p->pairs[p->npairs].workload, sizeof p->pairs[0].workload, "%.31s",
           w);
  snprintf(p->pairs[p->npairs].runtime, sizeof p->pairs[0].runtime, "%.31s", r);
  snprintf(p->pairs[p->npairs].primitive, sizeof p->pairs[0].primitive, "%.15s",
           prim);
  p->npairs++;
}

void sb__peer_use(const char *path, const char *workload, const char *runtime) {
  for (int i = 0; i < SB_MAX_PEERS; i++) {
    sb__peers[i].present = 0;
    sb__peers[i].npairs = 0;
  }
  sb_peer *p = &sb__peers[0];
  snprintf(p->path, sizeof p->path, "%s", path);
  p->present = 1;
  add_pair(p, workload, runtime, SB_PRIM_SPAWN_JOIN);
}

/* Runs `PEER list` and keeps the pairs it prints. 0, or -1 with a reason. */
static int peer_list(sb_peer *p, int timeout, char *why, size_t len) {
  char out[] = "/tmp/switchbench-peer-XXXXXX";
  int fd = mkstemp(out);
  if (fd < 0) {
    snprintf(why, len, "temporary file: %s", strerror(errno));
    return -1;
  }
  close(fd);
  char list[] = "list";
  char *argv[] = {p->path, list, NULL};
  sb_child_result res;
  sb__child_run(argv, out, "/dev/null", NULL, 0, timeout, NULL, &res);
  int rc = -1;
  if (res.status != SB_CHILD_EXITED || res.code != 0) {
    snprintf(why, len, "%s list failed", p->path);
    goto cleanup;
  }
  FILE *f = fopen(out, "r");
  if (f == NULL) {
    snprintf(why, len, "%s list: %s", p->path, strerror(errno));
    goto cleanup;
  }
  char line[256], w[64], r[64], prim[64];
  p->npairs = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    int got = sscanf(line, "%63s %63s %63s", w, r, prim);
    if (got < 2 || sb_workload_find(w) == NULL ||
        strlen(r) >= sizeof p->pairs[0].runtime)
      continue; /* a workload the suite does not have cannot be compared */
    if (got == 3 && !known_primitive(prim)) {
      snprintf(why, len, "%s list: unknown primitive '%s' for %s %s", p->path,
               prim, w, r);
      fclose(f);
      goto cleanup;
    }
    add_pair(p, w, r, got == 3 ? prim : SB_PRIM_SPAWN_JOIN);
  }
  fclose(f);
  rc = 0;
cleanup:
  unlink(out);
  return rc;
}

int sb__peers_discover(int timeout, char *why, size_t len) {
  int present = 0;
  size_t at = 0;
  why[0] = '\0';
  for (int i = 0; i < SB_MAX_PEERS; i++) {
    sb_peer *p = &sb__peers[i];
    const char *env = getenv(where[i].env);
    if (env != NULL && env[0] != '\0')
      snprintf(p->path, sizeof p->path, "%s", env);
    else
      snprintf(p->path, sizeof p->path, "%s/%s", SB_SOURCE_DIR, where[i].rel);
    p->present = 0;
    char one[SB_REASON_LEN] = "";
    if (access(p->path, X_OK) != 0)
      snprintf(one, sizeof one, "no %s peer (%.200s)", p->lang, p->path);
    else if (peer_list(p, timeout, one, sizeof one) == 0)
      p->present = 1;
    present += p->present;
    if (one[0] != '\0' && at < len)
      at += (size_t)snprintf(why + at, len - at, "%s%s", at ? "; " : "", one);
  }
  return present;
}
