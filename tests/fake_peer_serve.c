/* The fake peer's server (tests/fake_peer.sh serve): the peer serve
 * protocol of workloads/PROTOCOL.md 6 with a thread per connection, so the
 * harness's echo-through-serve path is tested without a real peer.
 *   fake_peer_serve --workload echo --runtime R --workers N [--cpus LIST]
 *                   --listen-fd 3
 * It prints `ready`, answers `stats` with its totals and `reset_peak` with
 * `ok`, and exits 0 at EOF on stdin. FAKE_SERVE_BAD=sum makes it report a
 * sum one too high per connection, =conn one connection too few, =ready never
 * ready, =skip exit 77 before ready; FAKE_PEER_LOG (a file) gets its command
 * line. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static atomic_uint_least64_t connections, bytes, sum, tasks;
static int listen_fd = -1;

/* The connection loop of section 6: read up to 4096 bytes, add them to the
 * sum, write them all back; at EOF close and count the connection. */
static void *conn(void *arg) {
  int fd = (int)(intptr_t)arg;
  unsigned char buf[4096];
  uint64_t s = 0, n = 0;
  for (;;) {
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    for (ssize_t i = 0; i < got; i++)
      s += buf[i];
    n += (uint64_t)got;
    for (ssize_t off = 0; off < got;) {
      ssize_t w = write(fd, buf + off, (size_t)(got - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        goto done;
      off += w;
    }
  }
done:
  close(fd);
  /* seq_cst: the sum is published before the connection that made it. */
  atomic_fetch_add(&sum, s);
  atomic_fetch_add(&bytes, n);
  atomic_fetch_add(&connections, 1);
  return NULL;
}

static void *acceptor(void *arg) {
  (void)arg;
  for (;;) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      fprintf(stderr, "fake serve: accept: %s\n", strerror(errno));
      return NULL;
    }
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &a, conn, (void *)(intptr_t)fd) != 0)
      close(fd);
    else
      atomic_fetch_add(&tasks, 1);
    pthread_attr_destroy(&a);
  }
}

static long long hwm_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long long kib = 0;
  while (f != NULL && fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "VmHWM: %lld kB", &kib) == 1)
      break;
  if (f != NULL)
    fclose(f);
  return kib * 1024;
}

static void stats(const char *bad) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  unsigned long long c = atomic_load(&connections);
  unsigned long long s = atomic_load(&sum);
  if (strcmp(bad, "conn") == 0 && c > 0)
    c--;
  if (strcmp(bad, "sum") == 0)
    s += c; /* off by one per connection: a delta shows it */
  printf("{\"connections\":%llu,\"bytes\":%llu,\"sum\":%llu,\"tasks\":%llu,"
         "\"ctx_switches\":%ld,\"peak_rss_bytes\":%lld}\n",
         c, (unsigned long long)atomic_load(&bytes), s,
         (unsigned long long)atomic_load(&tasks), ru.ru_nvcsw + ru.ru_nivcsw,
         hwm_bytes());
}

int main(int argc, char **argv) {
  const char *bad = getenv("FAKE_SERVE_BAD") ? getenv("FAKE_SERVE_BAD") : "";
  const char *log = getenv("FAKE_PEER_LOG");
  FILE *lf = log != NULL ? fopen(log, "a") : NULL;
  for (int i = 0; lf != NULL && i < argc; i++)
    fprintf(lf, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
  if (lf != NULL)
    fclose(lf);
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--listen-fd") == 0)
      listen_fd = atoi(argv[i + 1]);
  if (listen_fd < 0) {
    fprintf(stderr, "fake serve: no --listen-fd\n");
    return 2;
  }
  if (strcmp(bad, "skip") == 0) {
    fprintf(stderr, "fake serve: declines to serve here\n");
    return 77;
  }
  pthread_t t;
  if (pthread_create(&t, NULL, acceptor, NULL) != 0)
    return 1;
  if (strcmp(bad, "ready") != 0)
    printf("ready\n");
  fflush(stdout);
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, "stats") == 0) {
      stats(bad);
    } else if (strcmp(line, "reset_peak") == 0) {
      FILE *f = fopen("/proc/self/clear_refs", "w");
      int ok = f != NULL && fputs("5", f) >= 0;
      if (f != NULL && fclose(f) != 0)
        ok = 0;
      printf("%s\n", ok ? "ok" : "refused");
    } else {
      printf("unknown command\n");
    }
    fflush(stdout);
  }
  return 0;
}
