/* Talking to a peer server over its stdin and stdout (peer_serve.h): one
 * command line out, one answer line back, each read with a deadline, so a
 * server that hangs or dies fails the cell with the reason instead of
 * hanging it. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer_serve.h"

#define ANSWER_MS 10000 /* a server that does not answer within 10 s */

/* Reads one line (without its newline) within timeout_ms. Returns 0,
 * -ETIMEDOUT, -EPIPE at EOF, -EMSGSIZE for a line longer than buf, or
 * another -errno. */
static int read_line(sb_peer_server *s, char *line, size_t cap,
                     int timeout_ms) {
  int64_t deadline = sb_now_ns() + (int64_t)timeout_ms * 1000000;
  for (;;) {
    char *nl = memchr(s->buf, '\n', s->len);
    if (nl != NULL) {
      size_t n = (size_t)(nl - s->buf);
      if (n >= cap)
        return -EMSGSIZE;
      memcpy(line, s->buf, n);
      line[n] = '\0';
      if (n > 0 && line[n - 1] == '\r')
        line[n - 1] = '\0';
      s->len -= n + 1;
      memmove(s->buf, nl + 1, s->len);
      return 0;
    }
    if (s->len == sizeof s->buf)
      return -EMSGSIZE;
    int64_t left = deadline - sb_now_ns();
    if (left <= 0)
      return -ETIMEDOUT;
    struct pollfd p = {.fd = s->child.out, .events = POLLIN, .revents = 0};
    int rc = poll(&p, 1, (int)((left + 999999) / 1000000));
    if (rc < 0 && errno != EINTR)
      return -errno;
    if (rc <= 0)
      continue;
    ssize_t got = read(s->child.out, s->buf + s->len, sizeof s->buf - s->len);
    if (got == 0)
      return -EPIPE;
    if (got < 0 && errno != EINTR && errno != EAGAIN)
      return -errno;
    if (got > 0)
      s->len += (size_t)got;
  }
}

/* Sends one command line and reads the answer line. 0, or -1 with why. */
static int ask(sb_peer_server *s, const char *cmd, char *answer, size_t cap,
               char *why, size_t len) {
  char out[32];
  int n = snprintf(out, sizeof out, "%s\n", cmd);
  if (write(s->child.in, out, (size_t)n) != n) {
    snprintf(why, len, "peer server: cannot send '%s': %s", cmd,
             strerror(errno));
    sb__server_explain(s, why, len);
    return -1;
  }
  int rc = read_line(s, answer, cap, ANSWER_MS);
  if (rc != 0) {
    snprintf(why, len, "peer server: no answer to '%s': %s", cmd,
             rc == -EPIPE ? "it exited" : strerror(-rc));
    sb__server_explain(s, why, len);
    return -1;
  }
  return 0;
}

void sb__server_explain(const sb_peer_server *s, char *why, size_t len) {
  char last[160];
  sb__last_line(s->err_path, last, sizeof last);
  size_t at = strlen(why);
  if (last[0] != '\0' && at < len)
    snprintf(why + at, len - at, " (%s)", last);
}

int sb__server_start(sb_peer_server *s, char *const argv[], int listen_fd,
                     const int *cpus, int ncpus, int timeout_ms, int *skip,
                     char *why, size_t len) {
  const char *tmp = getenv("TMPDIR");
  memset(s, 0, sizeof *s);
  *skip = 0;
  snprintf(s->err_path, sizeof s->err_path, "%s/switchbench-serve-XXXXXX",
           tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 1024 ? tmp : "/tmp");
  int fd = mkstemp(s->err_path);
  if (fd < 0) {
    snprintf(why, len, "peer server: temporary file: %s", strerror(errno));
    s->err_path[0] = '\0';
    return -1;
  }
  close(fd);
  int rc =
      sb__child_start(argv, listen_fd, s->err_path, cpus, ncpus, &s->child);
  if (rc != 0) {
    snprintf(why, len, "peer server: cannot start %s: %s", argv[0],
             strerror(-rc));
    return -1;
  }
  s->running = 1;
  char line[256];
  rc = read_line(s, line, sizeof line, timeout_ms);
  if (rc == 0 && strcmp(line, "ready") == 0)
    return 0;
  if (rc == -EPIPE) {
    /* It exited before it was ready: 77 says it cannot run here. */
    int st = sb__child_reap(s->child.pid, 2000);
    s->reaped = 1;
    *skip = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == SB_EXIT_SKIP;
    snprintf(why, len, "peer server exited before 'ready'");
  } else if (rc == 0) {
    snprintf(why, len, "peer server said '%.64s', expected 'ready'", line);
  } else {
    snprintf(why, len, "peer server not ready after %d ms: %s", timeout_ms,
             strerror(-rc));
  }
  sb__server_explain(s, why, len);
  if (*skip) { /* the peer's own words are the reason */
    char last[SB_REASON_LEN - 16];
    sb__last_line(s->err_path, last, sizeof last);
    if (last[0] != '\0')
      snprintf(why, len, "%s", last);
  }
  return -1;
}

int sb__server_stats(sb_peer_server *s, sb_serve_stats *out, char *why,
                     size_t len) {
  char line[1024];
  if (ask(s, "stats", line, sizeof line, why, len) != 0)
    return -1;
  json_error_t err;
  json_t *o = json_loads(line, 0, &err);
  json_int_t v[6];
  if (o == NULL || json_unpack_ex(o, &err, 0, "{s:I, s:I, s:I, s:I, s:I, s:I}",
                                  "connections", &v[0], "bytes", &v[1], "sum",
                                  &v[2], "tasks", &v[3], "ctx_switches", &v[4],
                                  "peak_rss_bytes", &v[5]) != 0) {
    snprintf(why, len, "peer server: bad stats line '%.80s': %s", line,
             err.text);
    json_decref(o);
    return -1;
  }
  json_decref(o);
  *out = (sb_serve_stats){.connections = v[0],
                          .bytes = v[1],
                          .sum = (uint64_t)v[2],
                          .tasks = v[3],
                          .ctx_switches = v[4],
                          .peak_rss_bytes = v[5]};
  return 0;
}

int sb__server_reset_peak(sb_peer_server *s, char *why, size_t len) {
  char line[256];
  if (ask(s, "reset_peak", line, sizeof line, why, len) != 0)
    return -1;
  return strcmp(line, "ok") == 0;
}

void sb__server_stop(sb_peer_server *s) {
  if (s->running) {
    close(s->child.in);
    if (!s->reaped)
      sb__child_reap(s->child.pid, 5000);
    close(s->child.out);
    s->running = 0;
  }
  if (s->err_path[0] != '\0')
    unlink(s->err_path);
  s->err_path[0] = '\0';
}
