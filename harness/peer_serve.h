/* The peer server protocol (PROTOCOL.md 6), private to peer_serve.c and
 * peer_echo.c: `PEER serve ... --listen-fd 3` prints `ready`, answers each
 * `stats` line with one JSON line of totals and `reset_peak` with `ok`, and
 * exits at EOF on its stdin. */
#ifndef SB_PEER_SERVE_H
#define SB_PEER_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* A server's totals since it started, as one `stats` line reports them. */
typedef struct sb_serve_stats {
  int64_t connections;    /* served to EOF */
  int64_t bytes;          /* echoed */
  uint64_t sum;           /* of the bytes echoed (mod 2^64) */
  int64_t tasks;          /* spawned */
  int64_t ctx_switches;   /* of its process, voluntary + involuntary */
  int64_t peak_rss_bytes; /* VmHWM */
} sb_serve_stats;

/* A running peer server. */
typedef struct sb_peer_server {
  sb_child_pipes child; /* its pid, stdin and stdout */
  int running;          /* 1 from start until stop: pipes open */
  int reaped;           /* 1 once it has been waited for */
  char err_path[4096];  /* where its stderr goes */
  char buf[4096];       /* stdout bytes read but not yet consumed */
  size_t len;           /* bytes in buf */
} sb_peer_server;

/* Starts argv (with listen_fd as its descriptor 3, confined to cpus when
 * ncpus > 0) and waits up to timeout_ms for its `ready`. Returns 0, or -1
 * with the reason; *skip is set when the peer declined (exit 77). */
int sb__server_start(sb_peer_server *s, char *const argv[], int listen_fd,
                     const int *cpus, int ncpus, int timeout_ms, int *skip,
                     char *why, size_t len);
/* Asks for the totals. Returns 0, or -1 with the reason. */
int sb__server_stats(sb_peer_server *s, sb_serve_stats *out, char *why,
                     size_t len);
/* Asks the server to reset its peak RSS. Returns 1 when it answered ok, 0
 * when it answered otherwise, -1 with the reason when it did not answer. */
int sb__server_reset_peak(sb_peer_server *s, char *why, size_t len);
/* Appends the server's last stderr line (if any) to why. */
void sb__server_explain(const sb_peer_server *s, char *why, size_t len);
/* Closes its stdin (it exits at EOF), reaps it (killed after 5 s) and
 * removes its stderr file. */
void sb__server_stop(sb_peer_server *s);

#endif
